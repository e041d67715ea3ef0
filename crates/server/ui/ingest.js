// Ingest: paste (or open) an article, POST it to /analyze and see every layer; or give a
// feed URL, POST it to /analyze/feed and see its items analyzed. Nothing is stored.
import * as api from "./api.js";
import { errorBox, fmtDay, fmtNum, h } from "./dom.js";
import { renderDocument } from "./article.js";

const MAX_BYTES = 2 * 1024 * 1024;

export async function render(root) {
  const text = h("textarea", {
    id: "ingest-text",
    name: "text",
    rows: 10,
    required: true,
    spellcheck: "false",
    placeholder: "Title line\nFirst paragraph…\n\nSecond paragraph…\n2025-08-08 23:04:25",
    "aria-describedby": "ingest-help",
  });
  const file = h("input", { id: "ingest-file", type: "file", accept: ".txt,.html,.htm,.xml,.jsonl,text/*" });
  const status = h("p", { class: "meta", role: "status", "aria-live": "polite" });
  const out = h("div", { class: "analysis" });
  const button = h("button", { type: "submit" }, "Analyze");
  file.addEventListener("change", async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > MAX_BYTES) {
      status.textContent = `${f.name} is larger than 2 MiB.`;
      return;
    }
    text.value = await f.text();
    status.textContent = `Loaded ${f.name}.`;
  });
  const form = h(
    "form",
    { class: "ingest-form", "aria-label": "Analyze an article" },
    h("div", { class: "field grow" }, h("label", { for: "ingest-text" }, "Article text"), text),
    h(
      "p",
      { id: "ingest-help", class: "meta" },
      "The plain-text article format: an optional title line, paragraphs one per line (a blank line between sections), optionally an image URL line and a last line with the publication time (YYYY-MM-DD HH:MM:SS, UTC). HTML, an RSS/Atom feed or JSONL are recognized too (the first article is shown). Nothing is stored; at most 2 MiB.",
    ),
    h("div", { class: "field" }, h("label", { for: "ingest-file" }, "…or open a file"), file),
    button,
    status,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) {
      status.textContent = "Paste an article first.";
      text.focus();
      return;
    }
    button.disabled = true;
    status.textContent = "Analyzing…";
    out.replaceChildren();
    const t0 = performance.now();
    try {
      const doc = await api.analyze(text.value);
      const n = (layer, one, many) => {
        const k = (doc.layers[layer] || []).length;
        return `${k} ${k === 1 ? one : many}`;
      };
      status.textContent = `Analyzed in ${Math.round(performance.now() - t0)} ms: ${n("mentions", "entity mention", "entity mentions")}, ${n("timexes", "time expression", "time expressions")}, ${n("quotes", "quote", "quotes")}, ${n("events", "event", "events")}.`;
      out.replaceChildren(renderDocument(doc, { analyzed: true }));
    } catch (e) {
      status.textContent = "Analysis failed.";
      out.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  root.append(h("h1", {}, "Analyze an article"), form, feedForm(out), out);
}

/// `n thing(s)`.
function count(k, one, many) {
  return `${fmtNum(k)} ${k === 1 ? one : many}`;
}

/// A feed URL → the server fetches the feed and analyzes its first items; each item's
/// counts, and its analysis in `out` on demand.
function feedForm(out) {
  const url = h("input", {
    id: "feed-url",
    name: "url",
    type: "url",
    required: true,
    inputmode: "url",
    autocomplete: "url",
    placeholder: "https://example.com/rss.xml",
    "aria-describedby": "feed-help",
  });
  const status = h("p", { class: "meta", role: "status", "aria-live": "polite" });
  const list = h("ol", { class: "feed-items", "aria-label": "Feed items" });
  const button = h("button", { type: "submit" }, "Read feed");
  const form = h(
    "form",
    { class: "ingest-form feed-form", "aria-labelledby": "feed-title" },
    h("h2", { id: "feed-title" }, "…or read a feed"),
    h("div", { class: "field grow" }, h("label", { for: "feed-url" }, "Feed URL (RSS or Atom)"), url),
    h(
      "p",
      { id: "feed-help", class: "meta" },
      "The server fetches the feed (http or https; at most 5 MiB, 20 seconds) and analyzes its first 20 items. Nothing is stored.",
    ),
    button,
    status,
    list,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const u = url.value.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) {
      status.textContent = "Give an http:// or https:// URL.";
      url.focus();
      return;
    }
    button.disabled = true;
    status.textContent = "Fetching and analyzing…";
    list.replaceChildren();
    const t0 = performance.now();
    try {
      const feed = await api.analyzeFeed(u);
      const ok = feed.items.filter((i) => !i.error).length;
      status.textContent = `${count(feed.items.length, "item", "items")} read in ${Math.round(performance.now() - t0)} ms (${fmtNum(ok)} analyzed)${feed.more ? `; the feed has more than ${feed.max_items}, the first ${feed.max_items} are shown` : ""}.`;
      list.replaceChildren(...feed.items.map((item, i) => feedItem(item, i, out)));
    } catch (e) {
      status.textContent = "Reading the feed failed.";
      list.replaceChildren(h("li", {}, errorBox(e)));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function feedItem(item, i, out) {
  if (item.error) return h("li", { class: "feed-item failed" }, h("span", { class: "meta" }, `Item ${i + 1} could not be read: ${item.error}`));
  const c = item.counts;
  const title = item.title || `Item ${i + 1}`;
  const show = h("button", { type: "button", class: "show-analysis", "aria-label": `Show analysis of “${title}”` }, "Show analysis");
  show.addEventListener("click", () => {
    out.replaceChildren(renderDocument(item.document, { analyzed: true }));
    const heading = out.querySelector("h1, h2, .doc-title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
  return h(
    "li",
    { class: "feed-item" },
    h("h3", { class: "feed-title" }, item.url ? h("a", { href: item.url, rel: "noreferrer" }, title) : title),
    h(
      "p",
      { class: "meta" },
      [fmtDay(item.published), `${count(c.entities, "entity", "entities")} (${count(c.mentions, "mention", "mentions")})`, count(c.quotes, "quote", "quotes"), count(c.events, "event", "events"), count(c.timexes, "time expression", "time expressions")].filter(Boolean).join(" · "),
    ),
    show,
  );
}
