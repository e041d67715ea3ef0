// One entity: forms seen (repaired spellings marked), knowledge-base details, quotes,
// events as source and target, timeline, co-occurring entities, articles.
import * as api from "./api.js";
import {
  articleLink, entityLink, eventItem, fmtNum, h, kindTag, note, pager, quoteItem, route, section,
} from "./dom.js";
import { plot } from "./map.js";
import { ENTITY_LIMIT, PAGE_REQUESTS } from "./boot.js";

const MORE = 10;
const TIMELINE = 50;

function forms(e) {
  const repaired = new Map((e.repaired || []).map((f) => [f.form, f.count]));
  const rows = (e.aliases || []).map((f) => ({ ...f, repaired: f.repaired === true || repaired.has(f.form) }));
  // Repaired forms the alias list does not carry.
  for (const [form, count] of repaired) if (!rows.some((r) => r.form === form)) rows.push({ form, count, repaired: true });
  if (!rows.length) return note("No written forms recorded.");
  return h(
    "table",
    { class: "table forms-table" },
    h("caption", { class: "sr-only" }, "Forms seen, most frequent first"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Written as"), h("th", { scope: "col", class: "num" }, "Mentions"), h("th", { scope: "col" }, "Spelling"))),
    h(
      "tbody",
      {},
      rows.map((f) =>
        h(
          "tr",
          { class: f.repaired ? "repaired" : null, dataset: { form: f.form } },
          h("td", { class: "form" }, f.form),
          h("td", { class: "num" }, fmtNum(f.count)),
          h("td", {}, f.repaired ? h("span", { class: "badge repaired-badge", title: `repaired to ${e.name}` }, "repaired") : h("span", { class: "meta" }, "as written")),
        ),
      ),
    ),
  );
}

function details(e) {
  const dl = h("dl", { class: "facts" });
  const add = (k, v) => {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) return;
    dl.append(h("dt", {}, k), h("dd", {}, Array.isArray(v) ? h("ul", { class: "plain" }, v.map((x) => h("li", {}, x))) : v));
  };
  add("Id", e.id);
  add("Kind", kindTag(e.kind));
  add("Knowledge base", e.kb_id ? e.kb_id : "not in the knowledge base (named in the articles only)");
  add("Type", e.subtype);
  add("Country", e.country);
  add("Roles", e.roles);
  add("Wikidata", e.qid);
  if (e.geo) add("Coordinates", `${e.geo.lat.toFixed(3)}, ${e.geo.lon.toFixed(3)}${e.geo.feature ? " (" + e.geo.feature + ")" : ""}`);
  add("Also known under", e.merged);
  add("Articles", fmtNum(e.articles));
  add("Mentions", fmtNum(e.mentions));
  return dl;
}

/// A page of items with a "more" button that asks the API for the next page.
function paged(first, fetchPage, renderItem, cls) {
  const ul = h("ul", { class: cls }, first.items.map(renderItem));
  let offset = first.items.length;
  const more = h("button", { type: "button", hidden: offset >= first.total }, `More (${fmtNum(first.total - offset)} left)`);
  more.addEventListener("click", async () => {
    more.disabled = true;
    const page = await fetchPage(offset);
    ul.append(...page.items.map(renderItem));
    offset += page.items.length;
    more.textContent = `More (${fmtNum(first.total - offset)} left)`;
    more.hidden = offset >= page.total || !page.items.length;
    more.disabled = false;
  });
  return [ul, more];
}

function events(e) {
  const ev = e.events;
  if (!ev) return note("This store has no events yet.");
  const part = (role, title) => {
    const page = ev["as_" + role];
    if (!page || !page.total) return h("div", {}, h("h3", {}, title), note("None."));
    return h(
      "div",
      {},
      h("h3", {}, `${title} (${fmtNum(page.total)})`),
      paged(page, (o) => api.get("/events", { actor: e.id, role, offset: o, limit: MORE }), (x) => eventItem(x, { article: true }), "events"),
    );
  };
  return [part("source", "As source"), part("target", "As target")];
}

function timelineRow(t) {
  const when = t.date || "undated";
  const body = t.event
    ? eventItem({ ...t.event, article: t.article }, { article: true })
    : t.quote
      ? quoteItem({ ...t.quote, article: t.article }, { article: true })
      : h("li", { class: "tl-article" }, h("span", { class: "meta" }, "mentioned in "), articleLink(t.article));
  return h("li", { class: "tl-row", dataset: { date: when } }, h("time", { class: "tl-date", datetime: t.date || null }, when), h("ul", { class: "day-items" }, body));
}

/// The page of /entities/{id}/timeline (events, quotes, mentions by the date of what
/// happened) when the server has the route, with the next pages on demand.
function timelineSection(e, first) {
  const items = first.items || [];
  if (!items.length) return null;
  const [ol, more] = paged(first, (o) => api.get(`/entities/${api.enc(e.id)}/timeline`, { offset: o, limit: TIMELINE }), timelineRow, "timeline flat");
  return section(
    "Timeline",
    h("p", { class: "meta" }, `${fmtNum(first.total)} events, quotes and articles, by the day they happened.`),
    h("div", { class: "timeline-box", tabindex: 0, role: "region", "aria-label": "Timeline, scrollable" }, ol),
    more,
  );
}

export async function render(root, ctx) {
  const id = ctx.id || "";
  const path = "/entities/" + api.enc(id);
  // The page is drawn with the entity itself; the co-occurring entities and the timeline
  // (beside it and below the fold) are asked for once it is drawn, so that their work (a
  // search over every article naming the entity) does not delay it.
  const request = PAGE_REQUESTS.entity(ctx)[0];
  const { offset } = request[1];
  const e = await api.get(...request);
  root.append(h("h1", {}, e.name, " ", kindTag(e.kind)), h("p", { class: "lead" }, `${fmtNum(e.articles)} articles, ${fmtNum(e.mentions)} mentions.`));

  const quotes = e.quotes && e.quotes.total
    ? [
        paged(e.quotes, (o) => api.get("/quotes", { speaker: e.id, offset: o, limit: MORE }), (q) => quoteItem(q, { article: true }), "quotes"),
        h("p", {}, h("a", { href: route("quotes", null, { speaker: e.id }) }, "All quotes by " + e.name)),
      ]
    : note("No quotes attributed.");
  const about = e.quotes_about && e.quotes_about.total
    ? [
        paged(e.quotes_about, (o) => api.get("/quotes", { about: e.id, offset: o, limit: MORE }), (q) => quoteItem(q, { article: true }), "quotes about"),
        h("p", {}, h("a", { href: route("quotes", null, { about: e.id }) }, "All quotes about " + e.name)),
      ]
    : note("No quote names it.");

  const coSection = (co) => {
    const others = ((co && co.facets && co.facets.entities) || []).filter((x) => x.id !== e.id);
    return others.length
      ? section(
          "Named with",
          h("p", { class: "meta" }, "Entities most often mentioned in the same articles (article counts)."),
          h("ul", { class: "entities cols" }, others.map((x) => h("li", {}, entityLink(x.id, x.name, x.kind), h("span", { class: "count" }, fmtNum(x.count))))),
          h("p", {}, h("a", { href: route("search", null, { entity: e.id }) }, "Search the articles that mention " + e.name)),
        )
      : null;
  };
  const coSlot = h("div", { class: "slot" });
  const tlSlot = h("div", { class: "slot" });
  ctx.later(async () => {
    const [co, tl] = await Promise.all([
      // Co-occurrence: the entity facet of the articles that mention this one.
      api.get("/search", { entity: id, limit: 0 }).catch(() => null),
      api.features().then((f) => (f.entityTimeline ? api.getOptional(path + "/timeline", { limit: TIMELINE }).catch(() => null) : null)),
    ]);
    coSlot.replaceWith(coSection(co) || "");
    tlSlot.replaceWith((tl && timelineSection(e, tl)) || "");
  });

  const arts = e.appears_in || { items: [], total: 0 };
  root.append(
    h(
      "div",
      { class: "story-grid" },
      h(
        "div",
        {},
        section("Forms seen", h("p", { class: "meta" }, "How the articles wrote it. Repaired spellings were misspelled or transliterated names that linking repaired to this entity."), forms(e)),
        section("Quotes", quotes),
        e.quotes_about ? section("Quotes about " + e.name, h("p", { class: "meta" }, "What others said that names it."), about) : null,
        section("Events", events(e)),
        tlSlot,
      ),
      h(
        "div",
        { class: "side" },
        section("Details", details(e), e.geo ? plot([{ lat: e.geo.lat, lon: e.geo.lon, name: e.name }], { label: "Location of " + e.name }) : null),
        coSlot,
        section(
          "Articles",
          h("ol", { class: "articles", start: offset + 1 }, arts.items.map((a) => h("li", {}, articleLink(a), h("span", { class: "meta" }, ` · ${a.mentions} mentions`)))),
          pager(arts.total, offset, ENTITY_LIMIT, (o) => route("entity", e.id, { offset: o }), "Article pages"),
        ),
      ),
    ),
  );
}
