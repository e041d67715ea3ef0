// First-render timing of the web UI's pages in a real browser (Debian's Chromium driven by
// playwright-core), for a store of any size: a benchmark, not a test. Run through
// scripts/bench-ui.sh, which starts `newsgraph serve` on a store and calls this; or by hand:
//
//   NEWSGRAPH_URL=http://127.0.0.1:8787 node timing.mjs
//
// Environment: NEWSGRAPH_URL (required), RUNS (loads per page, default 5), BUDGET_MS (default
// 200), CHROMIUM (default /usr/bin/chromium), SETTLE_MS (pause between loads, default 500).
//
// The pages timed are picked from what the API answers: the most frequent entities (the
// costliest entity pages), the largest story, the newest article, a search for the top
// entity's name, and every list page. Each load is a new tab of one browser context (as a
// returning user's browser: the UI's modules and compiled code cached, the data not; every
// page is loaded twice, untimed, before the timed loads). What is timed is what
// app.js records on the first page it shows: navigation start → the page drawn (the task
// after the first frame with the page in it), and → the page put in the DOM. Each tab is
// closed once the page has also added what it adds after being drawn.
import { chromium } from "playwright-core";

const BASE = process.env.NEWSGRAPH_URL;
const RUNS = Math.max(1, parseInt(process.env.RUNS || "5", 10));
const BUDGET = parseInt(process.env.BUDGET_MS || "200", 10);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SETTLE = parseInt(process.env.SETTLE_MS || "500", 10);
if (!BASE) {
  console.error("NEWSGRAPH_URL must be set");
  process.exit(2);
}

async function api(path) {
  const res = await fetch(BASE + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

const enc = encodeURIComponent;
const health = await api("/health");
const entities = await api("/entities?limit=100");
const stories = await api("/stories?limit=100");
const newest = await api("/search?limit=1");
const pages = [
  ["search (front page)", "#/search"],
  ["entity list", "#/entities"],
  ["story list", "#/stories"],
  ["quote list", "#/quotes"],
  ["map", "#/map"],
];
const top = entities.items[0];
if (top) pages.push([`search "${top.name}"`, `#/search?q=${enc(top.name)}`]);
for (const rank of [1, 10, 100]) {
  const e = entities.items[rank - 1];
  if (e) pages.push([`entity #${rank} (${e.name}, ${e.articles} articles)`, `#/entity/${enc(e.id)}`]);
}
const largest = [...(stories.items || [])].sort((a, b) => b.articles - a.articles)[0];
if (largest) pages.push([`largest story (${largest.articles} articles)`, `#/story/${enc(largest.id)}`]);
if (newest.hits && newest.hits[0]) pages.push(["newest article", `#/article/${enc(newest.hits[0].id)}`]);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
// Warm the browser's caches as a returning user's are: every page's modules and the code
// compiled from them (Chromium keeps compiled code for a script loaded more than once), by
// loading each page twice, untimed.
for (let round = 0; round < 2; round++) {
  for (const [, hash] of pages) {
    const p = await context.newPage();
    await p.goto(`${BASE}/${hash}`);
    await p.waitForFunction(() => !document.getElementById("main").hasAttribute("aria-busy"), null, { timeout: 60000 });
    await p.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
console.log(`store: ${health.articles ?? "?"} articles; ${RUNS} loads per page; budget ${BUDGET} ms (navigation start → page drawn)`);
console.log("page | first load ms | median ms | max ms | median in DOM ms");
let over = 0;
/// Polls an expression in the page over a raw DevTools session until it is truthy: nothing
/// is injected into the page (Playwright's waitForFunction and evaluate inject a script
/// whose evaluation, 10-30 ms of the page's main thread, fell inside the load being timed).
async function until(cdp, expression) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const { result } = await cdp.send("Runtime.evaluate", { expression, returnByValue: true });
    if (result.value) return result.value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((go) => setTimeout(go, 20));
  }
}

for (const [name, hash] of pages) {
  const drawn = [];
  const inDom = [];
  for (let i = 0; i < RUNS; i++) {
    const p = await context.newPage();
    const cdp = await context.newCDPSession(p);
    await p.goto(`${BASE}/${hash}`, { waitUntil: "commit" });
    const [d, m] = await until(
      cdp,
      "document.body && document.body.dataset.firstRenderMs && [Number(document.body.dataset.firstRenderMs), Number(document.body.dataset.firstDomMs)]",
    );
    drawn.push(d);
    inDom.push(m);
    // What the page adds once drawn (below the fold) finishes before the next load.
    await until(cdp, '!document.getElementById("main").hasAttribute("aria-busy")');
    await cdp.detach();
    await p.close();
    // The closed tab's process exits and the browser settles before the next load (on two
    // cores, a load timed while the last tab shuts down measures both).
    await new Promise((go) => setTimeout(go, SETTLE));
  }
  const med = median(drawn);
  if (med >= BUDGET) over++;
  console.log(`${name} | ${drawn[0]} | ${med} | ${Math.max(...drawn)} | ${median(inDom)}${med >= BUDGET ? "  (over budget)" : ""}`);
}
await browser.close();
console.log(`${pages.length - over} of ${pages.length} pages drawn within ${BUDGET} ms (median)`);
