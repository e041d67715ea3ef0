// One story: its timeline (events and quotes by when they happened), articles and their
// near-duplicates, key entities and a map of its places.
import * as api from "./api.js";
import {
  afterPaint, articleLink, entityLink, eventItem, fmtDay, fmtNum, h, kindTag, limitedMap, note, quoteItem, route, section,
} from "./dom.js";
import { eventPoints, placeTable, plot } from "./map.js";

const ARTICLES_PAGE = 30;

/// Timeline entries drawn before the first paint: more than fill the box; the rest after.
const TIMELINE_FIRST = 30;
const TIMELINE_PART = 100;

function timeline(items, later) {
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
  const draw = (part) => {
    for (const t of part) {
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
      }
    }
  };
  draw(items.slice(0, TIMELINE_FIRST));
  // The rest a part at a time, letting the browser draw and answer input in between.
  if (items.length > TIMELINE_FIRST) {
    later(async () => {
      for (let i = TIMELINE_FIRST; i < items.length; i += TIMELINE_PART) {
        if (i > TIMELINE_FIRST) await new Promise((go) => setTimeout(go, 0));
        draw(items.slice(i, i + TIMELINE_PART));
      }
    });
  }
  // A box of its own, so that the entities, map and articles stay in view beside it.
  return [filter, h("div", { class: "timeline-box", tabindex: 0, role: "region", "aria-label": "Timeline, scrollable" }, list)];
}

/// The articles (oldest first), a page at a time, each with its near-duplicate group.
function articles(list) {
  const ol = h("ol", { class: "articles" });
  const more = h("button", { type: "button" }, "Show more articles");
  let shown = 0;
  async function next() {
    const page = list.slice(shown, shown + ARTICLES_PAGE);
    const rows = page.map((a) => {
      const dup = h("span", { class: "dups meta" });
      ol.append(h("li", {}, articleLink(a), " ", dup));
      return dup;
    });
    shown += page.length;
    more.hidden = shown >= list.length;
    await limitedMap(page, 4, async (a, i) => {
      const g = await api.getOptional(`/articles/${api.enc(a.id)}/duplicates`);
      if (!g || g.members.length < 2) return;
      const others = g.members.filter((m) => m.id !== a.id);
      const canonical = g.canonical === a.id;
      rows[i].append(
        canonical ? `original of ${others.length} near-duplicate${others.length > 1 ? "s" : ""}: ` : "near-duplicate of ",
        ...others.flatMap((m, k) => [k ? ", " : "", h("a", { href: route("article", m.id) }, m.title || m.source || m.id), m.similarity ? ` (${Math.round(m.similarity * 100)} %)` : ""]),
      );
      rows[i].classList.add("has-dups");
    });
  }
  more.addEventListener("click", next);
  return { el: [ol, more], next };
}

export async function render(root, ctx) {
  const st = await api.get("/stories/" + api.enc(ctx.id || ""));
  root.append(
    h("h1", {}, st.label || "Story " + st.id),
    h(
      "p",
      { class: "lead" },
      `${fmtNum(st.articles.length)} articles, ${fmtDay(st.first_published)} to ${fmtDay(st.last_published)}.`,
    ),
  );
  const facts = h("dl", { class: "facts" });
  const add = (k, v) => v && v.length && facts.append(h("dt", {}, k), h("dd", {}, v.join(", ")));
  add("Places", st.places);
  add("Key words", st.keywords);
  add("Dates mentioned most", st.dates);
  root.append(facts);

  // Timeline entries name their article by id; the story's list has the titles.
  const byId = new Map(st.articles.map((a) => [a.id, a]));
  for (const t of st.timeline) if (t.article) t.article = { ...byId.get(t.article.id), ...t.article };
  const points = eventPoints(st.timeline.map((t) => t.event).filter(Boolean));
  const arts = articles(st.articles);
  const grid = h(
    "div",
    { class: "story-grid" },
    section(
      "Timeline",
      h("p", { class: "meta" }, `${fmtNum(st.timeline.length)} events and quotes, by the day they happened (an event's stated day, else its article's publication day).`),
      st.timeline.length ? timeline(st.timeline, ctx.later) : note("No events or quotes."),
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
  // The near-duplicates fill in after the page is drawn.
  afterPaint(arts.next);
}
