// The router: #/page/id?query → a page module's render(root, ctx) (modules listed in
// boot.js, loaded when first needed).
import { PAGES, dropEarly, parse } from "./boot.js";
import { afterPaint, clear, errorBox, h } from "./dom.js";

// Which nav entry is current for each page.
const NAV_OF = { "": "search", story: "stories", entity: "entities", article: "search" };

let generation = 0;

async function show() {
  const hash = location.hash;
  // In-page anchors are not routes (once a page is shown).
  if (hash && !hash.startsWith("#/") && generation > 0) return;
  const ctx = parse(hash);
  const page = Object.hasOwn(PAGES, ctx.page) ? PAGES[ctx.page] : null;
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
  // Work for what is out of view: run once the page is drawn, the page busy until it is done.
  const later = [];
  ctx.later = (fn) => later.push(fn);
  try {
    if (!page) throw new Error(`no page "${ctx.page}"`);
    const mod = await page[0]();
    await mod[page[1]](view, ctx);
  } catch (e) {
    console.error(e);
    view.append(errorBox(e));
  }
  dropEarly(); // requests started by boot.js serve the first page only
  if (mine !== generation) return; // the user moved on meanwhile
  clear(main).append(view);
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
  // Time from navigation start to the first page in the DOM, and to it drawn: the task
  // after the next frame's style, layout and paint (read by the browser test).
  if (mine === 1) {
    document.body.dataset.firstDomMs = String(Math.round(performance.now()));
    requestAnimationFrame(() =>
      setTimeout(() => {
        document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
        // The icon once the page is drawn: the browser parses an SVG icon on the page's main
        // thread.
        document.head.append(h("link", { rel: "icon", type: "image/svg+xml", href: new URL("favicon.svg", import.meta.url).href }));
      }, 0),
    );
    // The other pages' modules, when the browser is idle, so that moving on is quick.
    const rest = () => Object.values(PAGES).forEach(([load]) => load().catch(() => {}));
    if (window.requestIdleCallback) requestIdleCallback(rest, { timeout: 2000 });
    else setTimeout(rest, 500);
  }
  if (later.length) {
    await new Promise((done) => afterPaint(done));
    for (const fn of later) {
      if (mine !== generation) return;
      try {
        await fn();
      } catch (e) {
        console.error(e);
        view.append(errorBox(e));
      }
    }
    if (mine !== generation) return;
  }
  main.removeAttribute("aria-busy");
  document.body.dataset.ready = String(mine);
}

window.addEventListener("hashchange", show);
document.querySelector(".skip")?.addEventListener("click", (ev) => {
  ev.preventDefault();
  document.getElementById("main").focus();
});
show();
