// The router: #/page/id?query → a page module's render(root, ctx).
import { clear, errorBox, h } from "./dom.js";
import * as search from "./search.js";
import * as story from "./story.js";
import * as entity from "./entity.js";
import * as article from "./article.js";
import * as map from "./map.js";
import * as ingest from "./ingest.js";
import * as lists from "./lists.js";

const PAGES = {
  "": search.render,
  search: search.render,
  stories: lists.stories,
  story: story.render,
  entities: lists.entities,
  entity: entity.render,
  quotes: lists.quotes,
  article: article.render,
  map: map.render,
  ingest: ingest.render,
};

// Which nav entry is current for each page.
const NAV_OF = { "": "search", story: "stories", entity: "entities", article: "search" };

let generation = 0;

function parse(hash) {
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

async function show() {
  const hash = location.hash;
  // In-page anchors are not routes (once a page is shown).
  if (hash && !hash.startsWith("#/") && generation > 0) return;
  const ctx = parse(hash);
  const render = PAGES[ctx.page];
  const main = document.getElementById("main");
  const mine = ++generation;
  for (const a of document.querySelectorAll("header nav a")) {
    const current = a.dataset.page === (NAV_OF[ctx.page] ?? ctx.page);
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const view = h("div", { class: "view" });
  main.setAttribute("aria-busy", "true");
  clear(main).append(h("p", { class: "loading" }, "Loading…"));
  ctx.isCurrent = () => mine === generation;
  try {
    if (!render) throw new Error(`no page "${ctx.page}"`);
    await render(view, ctx);
  } catch (e) {
    console.error(e);
    view.append(errorBox(e));
  }
  if (mine !== generation) return; // the user moved on meanwhile
  clear(main).append(view);
  main.removeAttribute("aria-busy");
  main.dataset.page = ctx.page || "search";
  const h1 = view.querySelector("h1");
  document.title = (h1 ? h1.textContent + " — " : "") + "newsgraph";
  window.scrollTo(0, 0);
  // After a navigation (not the first page), move focus to the new content for keyboard
  // and screen-reader users: the results heading of a search, else the page's heading.
  const target = mine > 1 ? view.querySelector("[data-autofocus]") || h1 : null;
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }
  document.body.dataset.ready = String(mine);
  // Time from navigation start to the first page drawn (read by the browser test).
  if (mine === 1) document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
}

window.addEventListener("hashchange", show);
document.querySelector(".skip")?.addEventListener("click", (ev) => {
  ev.preventDefault();
  document.getElementById("main").focus();
});
show();
