// Loaded first (an async module with no static imports): starts loading the first page's
// module and its API requests while the rest is still loading, so that the data is there
// when the page module runs. The pages ask through api.get(), which takes a request started here when
// its URL is the same. Also what both sides need to agree on that URL: the route parser,
// the query encoding and the search page's query.

/// `#/page/id?query` → {page, id, params}.
export function parse(hash) {
  const raw = hash.startsWith("#/") ? hash.slice(2) : "";
  const [path, query = ""] = raw.split("?", 2);
  const [page = "", ...rest] = path.split("/");
  let id = rest.length ? rest.join("/") : null;
  try {
    id = id === null ? null : decodeURIComponent(id);
  } catch (_) {
    /* leave as typed */
  }
  return { page, id, params: new URLSearchParams(query) };
}

/// URLSearchParams text of an object (arrays repeat the name; empty values dropped), as
/// URLSearchParams writes it (spaces as "+"), without building one per link.
export function toQuery(obj) {
  const enc = (x) => encodeURIComponent(x).replace(/%20/g, "+");
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x !== undefined && x !== null && x !== "") out.push(enc(k) + "=" + enc(String(x)));
    }
  }
  return out.join("&");
}

/// path?query of an API call.
export function apiUrl(path, query) {
  const q = query ? toQuery(query) : "";
  return q ? `${path}?${q}` : path;
}

export const SEARCH_LIMIT = 20;
export const SEARCH_FILTERS = ["q", "entity", "event", "source", "language", "from", "to", "mentioned_from", "mentioned_to"];

/// The search page's state from its route's parameters.
export function searchState(params) {
  const s = {};
  for (const k of SEARCH_FILTERS) s[k] = k === "entity" ? params.getAll(k) : params.get(k) || "";
  s.offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  s.as = params.get("as") === "stories" ? "stories" : "articles";
  return s;
}

/// The /search parameters of a search state.
export function searchQuery(s, extra) {
  const q = {};
  for (const k of SEARCH_FILTERS) if (s[k] && s[k].length) q[k] = s[k];
  return { ...q, offset: s.offset, limit: SEARCH_LIMIT, ...extra };
}

/// The /stories/{id} parameters of a story route: the page sizes it names, if any
/// (`#/story/7?timeline_limit=50`); without them the server's defaults.
export function storyQuery(params) {
  const q = {};
  for (const k of ["articles_limit", "timeline_limit"]) {
    const v = params.get(k);
    if (v && /^[0-9]{1,3}$/.test(v)) q[k] = v;
  }
  return q;
}

/// The offset of a paged route (`#/stories?offset=50`).
export function offsetOf(params) {
  return Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
}

export const LIST_LIMIT = 25;
export const ENTITY_LIMIT = 20;

/// The API requests ([path, query]) that draw the list and entity pages, by route: started
/// below for the first page, and asked again (then taken from here) by the page itself.
export const PAGE_REQUESTS = {
  stories: (r) => [["/stories", { offset: offsetOf(r.params), limit: LIST_LIMIT }]],
  entities: (r) => [["/entities", { q: r.params.get("q") || "", kind: r.params.get("kind") || "", offset: offsetOf(r.params), limit: LIST_LIMIT }]],
  quotes: (r) => {
    const p = (k) => r.params.get(k) || "";
    return [["/quotes", { speaker: p("speaker"), about: p("about"), q: p("q"), kind: p("kind"), offset: offsetOf(r.params), limit: LIST_LIMIT }]];
  },
  // The entity with a page of its articles (who is named with it and its timeline are asked
  // for once the page is drawn).
  entity: (r) => [[`/entities/${encodeURIComponent(r.id || "")}`, { offset: offsetOf(r.params), limit: ENTITY_LIMIT }]],
};

/// A page's module (the first promise), loaded at once with a module it imports (the
/// second), so that the two are fetched side by side rather than one after the other.
const withDep = (page, dep) => Promise.all([page, dep]).then(([m]) => m);

/// Each page: its module and the function of it that draws the page into a view.
export const PAGES = {
  "": [() => import("./search.js"), "render"],
  search: [() => import("./search.js"), "render"],
  stories: [() => withDep(import("./lists.js"), import("./search.js")), "stories"],
  story: [() => withDep(import("./story.js"), import("./map.js")), "render"],
  entities: [() => withDep(import("./lists.js"), import("./search.js")), "entities"],
  entity: [() => withDep(import("./entity.js"), import("./map.js")), "render"],
  quotes: [() => withDep(import("./lists.js"), import("./search.js")), "quotes"],
  article: [() => import("./article.js"), "render"],
  map: [() => import("./map.js"), "render"],
  ingest: [() => withDep(import("./ingest.js"), import("./article.js")), "render"],
};

const early = new Map();

function prefetch(url) {
  const p = fetch(url, { headers: { accept: "application/json" } });
  p.catch(() => {}); // the page that takes it sees the failure
  early.set(url, p);
}

/// The response promise of a request started here for this URL (once), else undefined.
export function takeEarly(url) {
  const p = early.get(url);
  early.delete(url);
  return p;
}

/// Forgets requests no page took (called when a page has been rendered: later pages fetch
/// fresh data).
export function dropEarly() {
  early.clear();
}

const first = parse(location.hash);
// The first page's module, and its data; app.js loads the other pages' modules once the
// first page is drawn.
if (Object.hasOwn(PAGES, first.page)) PAGES[first.page][0]().catch(() => {}); // app.js reports it
const enc = encodeURIComponent;
if (first.page === "" || first.page === "search") {
  const s = searchState(first.params);
  if (s.as === "articles") prefetch(apiUrl("/search", searchQuery(s)));
} else if (first.page === "story" && first.id) {
  prefetch(apiUrl(`/stories/${enc(first.id)}`, storyQuery(first.params)));
} else if (first.page === "article" && first.id) {
  prefetch(`/articles/${enc(first.id)}`);
  prefetch(`/articles/${enc(first.id)}/duplicates`);
} else if (Object.hasOwn(PAGE_REQUESTS, first.page) && (first.page !== "entity" || first.id)) {
  for (const [path, query] of PAGE_REQUESTS[first.page](first)) prefetch(apiUrl(path, query));
}
