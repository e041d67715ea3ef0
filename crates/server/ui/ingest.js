// Ingest: paste (or open) an article, POST it to /analyze and see every layer, without
// storing anything.
import * as api from "./api.js";
import { errorBox, h } from "./dom.js";
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
  root.append(h("h1", {}, "Analyze an article"), form, out);
}
