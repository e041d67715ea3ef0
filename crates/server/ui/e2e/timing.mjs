// First-render timing of the web UI's pages in a real browser (Debian's Chromium driven by
// playwright-core), for a store of any size: a benchmark, not a test. Run through
// scripts/bench-ui.sh, which starts `newsgraph serve` on a store and calls this; or by hand:
//
//   NEWSGRAPH_URL=http://127.0.0.1:8787 node timing.mjs
//
// Environment: NEWSGRAPH_URL (required), RUNS (loads per page, default 5), BUDGET_MS (default
// 200), CHROMIUM (default /usr/bin/chromium).
//
// The pages timed are picked from what the API answers: the most frequent entities (the
// costliest entity pages), the largest story, the newest article, a search for the top
// entity's name, and every list page. Each load is a new tab of one browser context (as a
// returning user's browser: the UI's modules cached, the data not). What is timed is what
// app.js records on the first page it shows: navigation start → the page drawn (the task
// after the first frame with the page in it), and → the page put in the DOM. Each tab is
// closed once the page has also added what it adds after being drawn.
import { chromium } from "playwright-core";

const BASE = process.env.NEWSGRAPH_URL;
const RUNS = Math.max(1, parseInt(process.env.RUNS || "5", 10));
const BUDGET = parseInt(process.env.BUDGET_MS || "200", 10);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
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
// Warm the browser's module cache once (a returning user's browser).
{
  const p = await context.newPage();
  await p.goto(`${BASE}/#/search`);
  await p.waitForFunction(() => document.body.dataset.firstRenderMs, null, { timeout: 60000 });
  await p.close();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
console.log(`store: ${health.articles ?? "?"} articles; ${RUNS} loads per page; budget ${BUDGET} ms (navigation start → page drawn)`);
console.log("page | first load ms | median ms | max ms | median in DOM ms");
let over = 0;
for (const [name, hash] of pages) {
  const drawn = [];
  const inDom = [];
  for (let i = 0; i < RUNS; i++) {
    const p = await context.newPage();
    await p.goto(`${BASE}/${hash}`);
    await p.waitForFunction(() => document.body.dataset.firstRenderMs, null, { timeout: 60000 });
    const [d, m] = await p.evaluate(() => [Number(document.body.dataset.firstRenderMs), Number(document.body.dataset.firstDomMs)]);
    drawn.push(d);
    inDom.push(m);
    // What the page adds once drawn (below the fold) finishes before the next load.
    await p.waitForFunction(() => !document.getElementById("main").hasAttribute("aria-busy"), null, { timeout: 60000 });
    await p.close();
  }
  const med = median(drawn);
  if (med >= BUDGET) over++;
  console.log(`${name} | ${drawn[0]} | ${med} | ${Math.max(...drawn)} | ${median(inDom)}${med >= BUDGET ? "  (over budget)" : ""}`);
}
await browser.close();
console.log(`${pages.length - over} of ${pages.length} pages drawn within ${BUDGET} ms (median)`);
