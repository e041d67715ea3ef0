// Paged lists: stories, entities, quotes.
import * as api from "./api.js";
import { fmtNum, h, kindTag, note, pager, quoteItem, route } from "./dom.js";
import { storyHit } from "./search.js";
import { LIST_LIMIT, PAGE_REQUESTS } from "./boot.js";

export async function stories(root, ctx) {
  const request = PAGE_REQUESTS.stories(ctx)[0];
  const { offset } = request[1];
  const page = await api.get(...request);
  root.append(
    h("h1", {}, "Stories"),
    h("p", { class: "lead" }, `${fmtNum(page.total)} stories, clustered as articles were stored; most articles first.`),
    page.items.length ? h("ol", { class: "hits", start: offset + 1 }, page.items.map(storyHit)) : note("No stories yet: ingest some articles."),
    pager(page.total, offset, LIST_LIMIT, (o) => route("stories", null, { offset: o })),
  );
}

export async function entities(root, ctx) {
  const request = PAGE_REQUESTS.entities(ctx)[0];
  const { q, kind, offset } = request[1];
  const page = await api.get(...request);
  const f = h(
    "form",
    { role: "search", class: "search-form", "aria-label": "Find entities" },
    h("div", { class: "field grow" }, h("label", { for: "e-q" }, "Name or id"), h("input", { id: "e-q", name: "q", type: "search", value: q })),
    h(
      "div",
      { class: "field" },
      h("label", { for: "e-kind" }, "Kind"),
      h(
        "select",
        { id: "e-kind", name: "kind" },
        ["", "person", "organization", "place", "group", "misc"].map((k) => h("option", { value: k, selected: k === kind }, k || "any")),
      ),
    ),
    h("button", { type: "submit" }, "Find"),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const d = new FormData(f);
    location.hash = route("entities", null, { q: (d.get("q") || "").trim(), kind: d.get("kind") });
  });
  root.append(
    h("h1", {}, "Entities"),
    f,
    h("h2", { "data-autofocus": "" }, `${fmtNum(page.total)} entities`),
    page.items.length
      ? h(
          "table",
          { class: "table" },
          h("caption", { class: "sr-only" }, "Entities, most articles first"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Kind"), h("th", { scope: "col", class: "num" }, "Articles"), h("th", { scope: "col", class: "num" }, "Mentions"), h("th", { scope: "col" }, "Written as"))),
          h(
            "tbody",
            {},
            page.items.map((e) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: route("entity", e.id) }, e.name), h("div", { class: "meta" }, e.id)),
                h("td", {}, kindTag(e.kind)),
                h("td", { class: "num" }, fmtNum(e.articles)),
                h("td", { class: "num" }, fmtNum(e.mentions)),
                h("td", { class: "forms" }, (e.aliases || []).slice(0, 4).map((a) => a.form).join(", ")),
              ),
            ),
          ),
        )
      : note("No entity matches."),
    pager(page.total, offset, LIST_LIMIT, (o) => route("entities", null, { q, kind, offset: o })),
  );
}

export async function quotes(root, ctx) {
  const request = PAGE_REQUESTS.quotes(ctx)[0];
  const { speaker, about, q, kind, offset } = request[1];
  const page = await api.get(...request);
  const f = h(
    "form",
    { role: "search", class: "search-form", "aria-label": "Find quotes" },
    h("div", { class: "field grow" }, h("label", { for: "qq" }, "Words said"), h("input", { id: "qq", name: "q", type: "search", value: q })),
    h("div", { class: "field" }, h("label", { for: "qs" }, "Speaker id"), h("input", { id: "qs", name: "speaker", value: speaker, placeholder: "per:donald-trump" })),
    h("div", { class: "field" }, h("label", { for: "qa" }, "About (entity id)"), h("input", { id: "qa", name: "about", value: about, placeholder: "per:vladimir-putin" })),
    h(
      "div",
      { class: "field" },
      h("label", { for: "qk" }, "Kind"),
      h("select", { id: "qk", name: "kind" }, ["", "direct", "partial", "indirect", "mixed"].map((k) => h("option", { value: k, selected: k === kind }, k || "any"))),
    ),
    h("button", { type: "submit" }, "Find"),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const d = new FormData(f);
    const field = (k) => (d.get(k) || "").trim();
    location.hash = route("quotes", null, { q: field("q"), speaker: field("speaker"), about: field("about"), kind: d.get("kind") });
  });
  root.append(
    h("h1", {}, "Quotes"),
    f,
    h("h2", { "data-autofocus": "" }, `${fmtNum(page.total)} quotes`),
    page.items.length ? h("ul", { class: "quotes" }, page.items.map((x) => quoteItem(x, { article: true }))) : note("No quote matches."),
    pager(page.total, offset, LIST_LIMIT, (o) => route("quotes", null, { speaker, about, q, kind, offset: o })),
  );
}
