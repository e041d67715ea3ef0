// One story: its timeline (events and quotes by when they happened), articles and their
// near-duplicates, key entities and a map of its places.
import * as api from "./api.js";
import { storyQuery } from "./boot.js";
import {
  afterPaint, articleLink, entityLink, errorBox, eventItem, fmtDay, fmtNum, h, kindTag, note, quoteItem, route,
  section,
} from "./dom.js";
import { eventPoints, placeTable, plot } from "./map.js";

// The server pages both lists (GET /stories/{id}: articles_offset/articles_limit,
// timeline_offset/timeline_limit, with articles_total and timeline_total): the page asks for
// the first page of each (the server's defaults, or the sizes the route names:
// `#/story/7?articles_limit=10&timeline_limit=50`; the same URL as boot.js's early request)
// and a "more" button fetches the next.
const ARTICLES_PAGE = 50;
/// Articles whose near-duplicate groups one request asks for (GET /duplicates takes 100).
const DUPLICATES_AT_ONCE = 100;
const TIMELINE_PAGE = 200;
const pageSizes = { articles: ARTICLES_PAGE, timeline: TIMELINE_PAGE };

/// Timeline entries drawn before the first paint: more than fill the box; the rest after.
const TIMELINE_FIRST = 30;
const TIMELINE_PART = 100;

/// The next page of one of a story's lists (the other list not asked for).
function nextPage(id, list, offset, limit) {
  const q = list === "articles"
    ? { articles_offset: offset, articles_limit: limit, timeline_limit: 0 }
    : { timeline_offset: offset, timeline_limit: limit, articles_limit: 0 };
  return api.get("/stories/" + api.enc(id), q);
}

/// A "more" button and a polite status line: `load()` answers the items added (0 when done).
function moreControl(label, shownText, load) {
  const status = h("p", { class: "meta more-status", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "more" }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const first = await load();
      // Where the new items start, for keyboard and screen-reader users; the button keeps
      // the focus while there is more.
      if (button.hidden && first) first.focus();
    } catch (e) {
      status.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  const update = (shown, total) => {
    button.hidden = shown >= total;
    status.textContent = total ? shownText(shown, total) : "";
  };
  return { el: [status, button], update };
}

function timeline(st, later) {
  const list = h("ol", { class: "timeline", "aria-label": "Timeline" });
  const filter = h(
    "fieldset",
    { class: "inline" },
    h("legend", {}, "Show"),
    ["events", "quotes"].map((k) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          checked: true,
          onchange: (ev) => list.classList.toggle("hide-" + k, !ev.target.checked),
        }),
        " " + k,
      ),
    ),
  );
  let day = null;
  let group = null;
  // Entries name their article by id; the titles of the articles loaded so far fill in.
  const byId = new Map(st.articles.map((a) => [a.id, a]));
  const draw = (part) => {
    let first = null;
    for (const t of part) {
      if (t.article) t.article = { ...byId.get(t.article.id), ...t.article };
      const d = t.date || "undated";
      if (d !== day) {
        day = d;
        group = h("ul", { class: "day-items" });
        list.append(h("li", { class: "day", dataset: { date: d } }, h("h3", { class: "day-title" }, h("time", { datetime: t.date || null }, d)), group));
      }
      const item = t.event ? eventItem({ ...t.event, article: t.article }, { article: true }) : t.quote ? quoteItem({ ...t.quote, article: t.article }, { article: true }) : null;
      if (item) {
        item.classList.add(t.event ? "tl-event" : "tl-quote");
        group.append(item);
        first = first || item;
      }
    }
    return first;
  };
  const items = st.timeline;
  const total = st.timeline_total ?? items.length;
  let shown = items.length;
  draw(items.slice(0, TIMELINE_FIRST));
  // The rest of the first page a part at a time, letting the browser draw and answer input
  // in between.
  if (items.length > TIMELINE_FIRST) {
    later(async () => {
      for (let i = TIMELINE_FIRST; i < items.length; i += TIMELINE_PART) {
        if (i > TIMELINE_FIRST) await new Promise((go) => setTimeout(go, 0));
        draw(items.slice(i, i + TIMELINE_PART));
      }
    });
  }
  const more = moreControl(
    "Show more of the timeline",
    (n, all) => `${fmtNum(n)} of ${fmtNum(all)} events and quotes shown.`,
    async () => {
      const page = await nextPage(st.id, "timeline", shown, pageSizes.timeline || TIMELINE_PAGE);
      shown += page.timeline.length;
      const first = draw(page.timeline);
      if (first) first.setAttribute("tabindex", "-1");
      more.update(page.timeline.length ? shown : total, total);
      return first;
    },
  );
  more.update(shown, total);
  // A box of its own, so that the entities, map and articles stay in view beside it.
  return [filter, h("div", { class: "timeline-box", tabindex: 0, role: "region", "aria-label": "Timeline, scrollable" }, list), more.el];
}

/// The articles (oldest first), a page at a time from the server, each with its
/// near-duplicate group.
function articles(st) {
  const ol = h("ol", { class: "articles" });
  const total = st.articles_total ?? st.articles.length;
  let shown = 0;
  async function add(page) {
    const rows = page.map((a) => {
      const dup = h("span", { class: "dups meta" });
      ol.append(h("li", {}, articleLink(a), " ", dup));
      return dup;
    });
    shown += page.length;
    const first = page.length ? ol.children[ol.children.length - page.length].querySelector("a") : null;
    // The near-duplicates fill in after the rows are drawn: the groups of up to
    // DUPLICATES_AT_ONCE articles per request.
    const dups = (async () => {
      for (let at = 0; at < page.length; at += DUPLICATES_AT_ONCE) {
        const part = page.slice(at, at + DUPLICATES_AT_ONCE);
        const res = await api.get("/duplicates", { id: part.map((a) => a.id) });
        res.items.forEach(({ group: g }, k) => {
          const a = part[k];
          const row = rows[at + k];
          if (!g || g.members.length < 2) return;
          const others = g.members.filter((m) => m.id !== a.id);
          const canonical = g.canonical === a.id;
          row.append(
            canonical ? `original of ${others.length} near-duplicate${others.length > 1 ? "s" : ""}: ` : "near-duplicate of ",
            ...others.flatMap((m, j) => [j ? ", " : "", h("a", { href: route("article", m.id) }, m.title || m.source || m.id), m.similarity ? ` (${Math.round(m.similarity * 100)} %)` : ""]),
          );
          row.classList.add("has-dups");
        });
      }
    })().catch((e) => console.error(e)); // the rows stand without them
    return { first, dups };
  }
  const more = moreControl(
    "Show more articles",
    (n, all) => `${fmtNum(n)} of ${fmtNum(all)} articles shown.`,
    async () => {
      const page = await nextPage(st.id, "articles", shown, pageSizes.articles || ARTICLES_PAGE);
      const { first } = await add(page.articles);
      more.update(page.articles.length ? shown : total, total);
      return first;
    },
  );
  return {
    el: [ol, more.el],
    // The first page, after the page is drawn.
    first: async () => {
      const { dups } = await add(st.articles);
      more.update(shown, total);
      await dups;
    },
  };
}

export async function render(root, ctx) {
  const query = storyQuery(ctx.params);
  const st = await api.get("/stories/" + api.enc(ctx.id || ""), query);
  // "More" asks for pages of the size of the first.
  pageSizes.articles = Number(query.articles_limit) || ARTICLES_PAGE;
  pageSizes.timeline = Number(query.timeline_limit) || TIMELINE_PAGE;
  const articlesTotal = st.articles_total ?? st.articles.length;
  const timelineTotal = st.timeline_total ?? st.timeline.length;
  root.append(
    h("h1", {}, st.label || "Story " + st.id),
    h(
      "p",
      { class: "lead" },
      `${fmtNum(articlesTotal)} articles, ${fmtDay(st.first_published)} to ${fmtDay(st.last_published)}.`,
    ),
  );
  const facts = h("dl", { class: "facts" });
  const add = (k, v) => v && v.length && facts.append(h("dt", {}, k), h("dd", {}, v.join(", ")));
  add("Places", st.places);
  add("Key words", st.keywords);
  add("Dates mentioned most", st.dates);
  root.append(facts);

  // The map shows the places of the events of the timeline's first page.
  const points = eventPoints(st.timeline.map((t) => t.event).filter(Boolean));
  const arts = articles(st);
  const grid = h(
    "div",
    { class: "story-grid" },
    section(
      "Timeline",
      h("p", { class: "meta" }, `${fmtNum(timelineTotal)} events and quotes, by the day they happened (an event's stated day, else its article's publication day).`),
      timelineTotal ? timeline(st, ctx.later) : note("No events or quotes."),
    ),
    h(
      "div",
      { class: "side" },
      section(
        "Key entities",
        h(
          "ul",
          { class: "entities" },
          st.entities.map((e) => h("li", {}, entityLink(e.id, e.name, e.kind), " ", kindTag(e.kind), h("span", { class: "meta" }, ` ${e.articles} articles · ${e.mentions} mentions`))),
        ),
      ),
      section(
        "Places",
        points.length ? [plot(points, { label: "Places of the story's events" }), placeTable(points, "Event places")] : note("No event with a known place."),
      ),
      section("Articles", arts.el),
    ),
  );
  root.append(grid);
  // The article rows and their near-duplicates fill in after the page is drawn.
  afterPaint(arts.first);
}
