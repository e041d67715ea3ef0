// Search: full text over /search with facets; results as articles or as stories.
import * as api from "./api.js";
import { SEARCH_LIMIT, searchQuery, searchState } from "./boot.js";
import { byteOffsets, fmtDay, fmtNum, h, note, pager, quoteItem, route } from "./dom.js";

const LIMIT = SEARCH_LIMIT;
const KIND_TITLES = { person: "People", organization: "Organizations", place: "Places", group: "Groups", misc: "Other names" };

/// The CAMEO root codes' names (the event-type facet).
const CAMEO_ROOTS = {
  "01": "Make public statement", "02": "Appeal", "03": "Express intent to cooperate", "04": "Consult",
  "05": "Diplomatic cooperation", "06": "Material cooperation", "07": "Provide aid", "08": "Yield",
  "09": "Investigate", "10": "Demand", "11": "Disapprove", "12": "Reject", "13": "Threaten", "14": "Protest",
  "15": "Exhibit force posture", "16": "Reduce relations", "17": "Coerce", "18": "Assault", "19": "Fight",
  "20": "Mass violence",
};
const rootName = (code) => `${CAMEO_ROOTS[code] || "CAMEO"} (${code})`;

function hrefWith(s, changes) {
  const next = { ...s, offset: 0, ...changes };
  if (next.as === "articles") delete next.as;
  if (!next.offset) delete next.offset;
  return route("search", null, next);
}

function field(label, name, value, type = "text", extra = {}) {
  const id = "f-" + name;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name, type, value, ...extra }));
}

function form(s) {
  const f = h(
    "form",
    { role: "search", class: "search-form", "aria-label": "Search articles" },
    h(
      "div",
      { class: "field grow" },
      h("label", { for: "f-q" }, "Words"),
      h("input", { id: "f-q", name: "q", type: "search", value: s.q, placeholder: 'Putin "White House" -Biden', autocomplete: "off" }),
    ),
    h(
      "fieldset",
      { class: "as" },
      h("legend", {}, "Show"),
      ["articles", "stories"].map((v) =>
        h("label", {}, h("input", { type: "radio", name: "as", value: v, checked: s.as === v }), " " + v),
      ),
    ),
    h(
      "details",
      { class: "more", open: s.from || s.to || s.mentioned_from || s.mentioned_to || s.source ? true : null },
      h("summary", {}, "Dates and outlet"),
      h(
        "div",
        { class: "row" },
        field("Published from", "from", s.from, "date"),
        field("Published to", "to", s.to, "date"),
        field("Mentions a date from", "mentioned_from", s.mentioned_from, "date"),
        field("… to", "mentioned_to", s.mentioned_to, "date"),
        field("Outlet", "source", s.source),
      ),
    ),
    h("button", { type: "submit" }, "Search"),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(f);
    const next = { ...s, offset: 0 };
    for (const k of ["q", "from", "to", "mentioned_from", "mentioned_to", "source"]) next[k] = (data.get(k) || "").trim();
    next.as = data.get("as") || "articles";
    location.hash = hrefWith(next, {});
  });
  return f;
}

/// The filters in use, each removable.
function activeFilters(s, names) {
  const chips = [];
  for (const id of s.entity) {
    chips.push(["entity " + (names.get(id) || id), { entity: s.entity.filter((x) => x !== id) }]);
  }
  if (s.event) chips.push(["event type: " + rootName(s.event), { event: "" }]);
  for (const k of ["source", "language", "from", "to", "mentioned_from", "mentioned_to"]) {
    if (s[k]) chips.push([`${k.replace("_", " ")}: ${s[k]}`, { [k]: "" }]);
  }
  if (!chips.length) return null;
  return h(
    "ul",
    { class: "chips", "aria-label": "Filters in use" },
    chips.map(([label, change]) =>
      h("li", {}, h("a", { href: hrefWith(s, change), class: "chip", "aria-label": "Remove filter " + label }, label, " ✕")),
    ),
  );
}

/// A snippet with its highlighted words (byte ranges into the snippet).
function snippet(sn) {
  if (!sn || !sn.text) return null;
  const at = byteOffsets(sn.text);
  const out = [];
  let i = 0;
  for (const [a, b] of sn.highlights || []) {
    const s = at(a), e = at(b);
    if (s < i) continue;
    out.push(sn.text.slice(i, s), h("mark", {}, sn.text.slice(s, e)));
    i = e;
  }
  out.push(sn.text.slice(i));
  return h("p", { class: "snippet" }, out);
}

function hit(x) {
  return h(
    "li",
    { class: "hit" },
    h("h3", {}, h("a", { href: route("article", x.id) }, x.title || "Article " + x.id)),
    h("div", { class: "meta" }, [x.source, fmtDay(x.published), x.score !== undefined ? "score " + x.score.toFixed(2) : null].filter(Boolean).join(" · ")),
    snippet(x.snippet),
    x.quotes && x.quotes.length ? hitQuotes(x) : null,
  );
}

/// A hit's quotes behind a disclosure, drawn the first time it is opened.
function hitQuotes(x) {
  const summary = `${x.quotes_match ? "Matching quotes" : "Quotes"} (${x.quotes.length} of ${x.quotes_total || x.quotes.length})`;
  return disclosure("hit-quotes", summary, "quotes", () => x.quotes.map((q) => quoteItem(q)));
}

/// A disclosure whose list (`listClass`) is drawn by `items()` the first time it is opened.
function disclosure(cls, summary, listClass, items) {
  const ul = h("ul", { class: listClass });
  const box = h("details", { class: cls }, h("summary", {}, summary), ul);
  box.addEventListener("toggle", () => {
    if (box.open && !ul.children.length) ul.append(...items());
  });
  return box;
}

/// A story: a StorySummary, or a story search hit ({story, matching, best}).
function storyHit(x) {
  const st = x.story || x;
  const best = x.best;
  return h(
    "li",
    { class: "hit story-hit" },
    h("h3", {}, h("a", { href: route("story", st.id) }, st.label || "Story " + st.id)),
    h(
      "div",
      { class: "meta" },
      [st.articles !== undefined ? `${fmtNum(st.articles)} articles` : null, x.matching !== undefined ? `${fmtNum(x.matching)} matching` : null,
        st.first_published ? `${fmtDay(st.first_published)} – ${fmtDay(st.last_published)}` : null].filter(Boolean).join(" · "),
    ),
    best
      ? h(
          "div",
          { class: "best" },
          h("span", { class: "meta" }, "Best match: "),
          h("a", { href: route("article", best.id) }, best.title || "Article " + best.id),
          snippet(best.snippet),
        )
      : null,
  );
}

/// Values a facet shows at first; the rest are drawn when its "more" is opened.
const FACET_SHOWN = 8;

/// One facet list: each value adds a filter.
function facetList(title, items, itemHref, extra) {
  if (!items || !items.length) return null;
  const row = (it) => {
    const href = itemHref(it);
    const label = h("span", { class: "facet-label" }, it.name || it.label || String(it.value ?? it.id ?? it.code ?? ""));
    const count = h("span", { class: "count" }, fmtNum(it.count));
    return h("li", {}, href ? h("a", { href }, label, count) : h("span", {}, label, count), extra ? extra(it) : null);
  };
  return h("section", { class: "facet" }, h("h3", {}, title), h("ul", {}, items.slice(0, FACET_SHOWN).map(row)), moreOf(items.slice(FACET_SHOWN), row));
}

/// The rest of a list behind a disclosure, drawn the first time it is opened.
function moreOf(rest, row) {
  return rest.length ? disclosure("facet-more", `${rest.length} more`, null, () => rest.map(row)) : null;
}

const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/// First and last day of "2025", "2025-08" or "2025-08-15".
function dayRange(v) {
  if (v.length === 10) return [v, v];
  if (v.length === 7) {
    const [y, m] = v.split("-").map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return [v + "-01", `${v}-${String(last).padStart(2, "0")}`];
  }
  return [v + "-01-01", v + "-12-31"];
}

function facets(s, f) {
  if (!f) return null;
  const out = [];
  out.push(facetList("Outlets", f.source, (it) => hrefWith(s, { source: it.value })));
  const byKind = new Map();
  for (const e of f.entities || []) {
    if (s.entity.includes(e.id)) continue;
    if (!byKind.has(e.kind)) byKind.set(e.kind, []);
    byKind.get(e.kind).push(e);
  }
  for (const kind of ["person", "organization", "place", "group", "misc"]) {
    out.push(
      facetList(KIND_TITLES[kind], byKind.get(kind), (e) => hrefWith(s, { entity: [...s.entity, e.id] }), (e) =>
        h("a", { class: "go", href: route("entity", e.id), "aria-label": "Open " + e.name, title: "Open " + e.name }, "→"),
      ),
    );
  }
  if (!s.event) {
    const types = (f.events || []).map((it) => ({ ...it, name: rootName(it.value) }));
    out.push(facetList("Event types", types, (it) => hrefWith(s, { event: it.value })));
  }
  const days = (f.mentioned || []).slice(0, 15);
  out.push(facetList("Dates mentioned", days, (it) => hrefWith(s, { mentioned_from: it.value, mentioned_to: it.value })));
  // Facets this page does not know by name: dates filter the mentioned dates; others are shown.
  for (const [key, items] of Object.entries(f)) {
    if (["source", "entities", "language", "events", "mentioned"].includes(key) || !Array.isArray(items)) continue;
    const title = key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
    out.push(
      facetList(title, items, (it) => {
        const v = String(it.value ?? "");
        if (/date|mention|day/.test(key) && DATE_RE.test(v)) {
          const [a, b] = dayRange(v);
          return hrefWith(s, { mentioned_from: a, mentioned_to: b });
        }
        return null;
      }),
    );
  }
  out.push(facetList("Languages", f.language, (it) => hrefWith(s, { language: it.value })));
  const list = out.filter(Boolean);
  return list.length ? h("aside", { class: "facets", "aria-label": "Refine" }, h("h2", { class: "sr-only" }, "Refine"), list) : null;
}

export async function render(root, ctx) {
  const s = searchState(ctx.params);
  root.append(h("h1", {}, "Search"), form(s));
  // Stories come from /search?as=stories where the server has it (it has no facets: the
  // facets come from the same search as articles, asking for no hits).
  const wantStories = s.as === "stories";
  const feat = wantStories ? await api.features() : null;
  const storySearch = wantStories && feat.searchStories;
  const [res, storyPage] = await Promise.all([
    api.get("/search", wantStories ? searchQuery(s, { limit: 0, offset: 0 }) : searchQuery(s)),
    storySearch ? api.get("/search", searchQuery(s, { [feat.searchStories]: "stories" })) : null,
  ]);
  const names = new Map((res.facets?.entities || []).map((e) => [e.id, e.name]));
  await Promise.all(
    s.entity.filter((id) => !names.has(id)).map(async (id) => {
      const e = await api.getOptional("/entities/" + api.enc(id), { limit: 0 }).catch(() => null);
      if (e) names.set(id, e.name);
    }),
  );
  root.append(activeFilters(s, names) || "");
  (res.warnings || []).forEach((w) => root.append(note("Query: " + w, "warn")));

  const results = h("div", { class: "results" });
  const layout = h("div", { class: "with-aside" }, facets(s, res.facets), results);
  root.append(layout);

  if (storyPage) {
    const items = storyPage.items || [];
    results.append(
      h("h2", { id: "results-title", "data-autofocus": "" }, `${fmtNum(storyPage.total)} stories`),
      items.length ? h("ol", { class: "hits", start: s.offset + 1 }, items.map(storyHit)) : note("No story matches."),
      pager(storyPage.total, s.offset, LIMIT, (o) => hrefWith(s, { offset: o })),
    );
    return;
  }
  if (s.as === "stories") {
    // This server's search gives articles only: list the stories (newest, most articles first).
    const page = await api.get("/stories", { offset: s.offset, limit: LIMIT });
    results.append(
      h("h2", { id: "results-title", "data-autofocus": "" }, `${fmtNum(page.total)} stories`),
      note("This server's search does not return stories yet: all stories are listed, the filters do not apply."),
      h("ol", { class: "hits" }, page.items.map(storyHit)),
      pager(page.total, s.offset, LIMIT, (o) => hrefWith(s, { offset: o })),
    );
    return;
  }
  results.append(
    h("h2", { id: "results-title", "data-autofocus": "" }, `${fmtNum(res.total)} articles`),
    res.hits.length ? h("ol", { class: "hits", start: s.offset + 1 }, res.hits.map(hit)) : note("No article matches."),
    pager(res.total, s.offset, LIMIT, (o) => hrefWith(s, { offset: o })),
  );
}

export { storyHit };
