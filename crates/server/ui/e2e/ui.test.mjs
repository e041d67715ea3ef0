// End-to-end test of the newsgraph web UI in a real browser (Debian's Chromium driven by
// playwright-core). Run by crates/cli/tests/ui_browser.rs against `newsgraph serve` on a
// store of examples/; can be run by hand:
//
//   NEWSGRAPH_URL=http://127.0.0.1:8787 SAMPLE_ID=<id of examples/alaska-summit.txt> node ui.test.mjs
//
// Environment: NEWSGRAPH_URL (required), SAMPLE_ID (required), SCREENSHOT_DIR (default
// ./screenshots), CHROMIUM (default /usr/bin/chromium).
//
// What is shown is checked against what the API answers (fetched here with plain HTTP), so
// the test holds for any store, and fails when a page shows less than the data.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BASE = process.env.NEWSGRAPH_URL;
const SAMPLE_ID = process.env.SAMPLE_ID;
const SHOTS = process.env.SCREENSHOT_DIR || "screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
if (!BASE || !SAMPLE_ID) {
  console.error("NEWSGRAPH_URL and SAMPLE_ID must be set");
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

let failures = 0;
let passed = 0;
function check(cond, what) {
  if (cond) {
    passed++;
    console.log("ok   " + what);
  } else {
    failures++;
    console.log("FAIL " + what);
  }
  return cond;
}

async function api(path) {
  const res = await fetch(BASE + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/// Waits for the router to finish rendering the page at `hash` (main not busy, page set).
async function ready(page, pageName) {
  await page.waitForFunction(
    (name) => {
      const m = document.getElementById("main");
      return m && !m.hasAttribute("aria-busy") && m.dataset.page === name;
    },
    pageName,
    { timeout: 20000 },
  );
}

/// The items of a search facet, after opening its "more" (the values past the first few are
/// drawn when it is opened); checks that at most 8 were shown before.
async function facetItems(page, heading) {
  const facet = page.locator(".facet", { has: page.getByRole("heading", { name: heading }) });
  const first = await facet.locator(":scope > ul > li").count();
  check(first <= 8, `facet "${heading}" shows ${first} values at first`);
  const more = facet.locator("details.facet-more");
  if (await more.count()) {
    await more.locator("summary").click();
    await page.waitForFunction((h) => {
      const f = [...document.querySelectorAll(".facet")].find((x) => x.querySelector("h3")?.textContent === h);
      return f && f.querySelector("details.facet-more ul li");
    }, heading);
  }
  return facet.locator("li");
}

// axe-core (MPL-2.0, pinned in package-lock.json): the accessibility audit of every page.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const audited = [];

/// Runs axe-core on the page as it is (evaluated through the DevTools protocol, which the
/// page's CSP does not govern: the page itself still runs no inline script) and fails on
/// violations of impact "serious" or "critical", printing each rule, impact and target.
async function audit(page, name) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result) {
    const shown = v.targets.slice(0, 5).join(", ") + (v.targets.length > 5 ? `, … (${v.targets.length})` : "");
    console.log(`     axe ${name}: ${v.impact} ${v.id} (${v.help}): ${shown}`);
  }
  audited.push(name);
  check(bad.length === 0, `accessibility (axe-core) of the ${name} page: ${bad.length} serious or critical violations${bad.length ? ": " + bad.map((v) => `${v.id} [${v.impact}]`).join(", ") : ""}`);
}

/// A feed site on a loopback port (examples/feed.xml), for the analyze page's feed URL: the
/// server fetches it, not the browser.
function feedSite() {
  const feed = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../../examples/feed.xml"));
  const server = createServer((req, res) => {
    if (req.url === "/feed.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      res.end(feed);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no such page");
    }
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

/// The visible part (for the README) and the whole page.
async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, name + ".png") });
  // Boxes below the fold are drawn when scrolled to (content-visibility: auto), which a
  // whole-page capture does not do: they are drawn for it, then left to the page again.
  const lazy = "[data-shot-visible]";
  await page.evaluate(() => document.querySelectorAll(".story-grid .card").forEach((c) => {
    c.style.contentVisibility = "visible";
    c.dataset.shotVisible = "";
  }));
  await page.screenshot({ path: join(SHOTS, name + "-full.png"), fullPage: true });
  await page.evaluate((sel) => document.querySelectorAll(sel).forEach((c) => {
    c.style.contentVisibility = "";
    delete c.dataset.shotVisible;
  }), lazy);
  console.log(`     screenshots ${join(SHOTS, name)}.png, ${name}-full.png`);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Playwright gives each launch a new, empty user-data-dir.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const problems = [];
page.on("console", (m) => {
  if (m.type() === "error") problems.push("console: " + m.text());
});
page.on("pageerror", (e) => problems.push("page error: " + e.message));
page.on("requestfailed", (r) => problems.push("request failed: " + r.url()));
// Nothing may leave the server's origin.
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE) || url.startsWith("data:")) return route.continue();
  problems.push("request to another origin: " + url);
  return route.abort();
});

const t0 = Date.now();
try {
  // ---- Search ---------------------------------------------------------------------------
  await page.goto(BASE + "/");
  await ready(page, "search");
  const headers = (await page.request.get(BASE + "/")).headers();
  check((headers["content-security-policy"] || "").includes("script-src 'self'"), "UI served with its CSP");
  await page.getByLabel("Words").fill("Alaska summit");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/q=Alaska/);
  await ready(page, "search");
  const sr = await api("/search?q=Alaska+summit&limit=20");
  const shownTotal = await page.locator("#results-title").textContent();
  check(shownTotal.trim() === `${sr.total} articles`, `search shows the API's total (${shownTotal.trim()})`);
  const hitTitles = await page.locator(".hit h3").allTextContents();
  check(
    hitTitles.length === sr.hits.length && sr.hits.every((x, i) => hitTitles[i] === (x.title || "Article " + x.id)),
    `search lists the ${sr.hits.length} hits in the API's order`,
  );
  check((await page.locator(".hit .snippet mark").count()) > 0, "snippets highlight the query words");
  const people = await (await facetItems(page, "People")).allTextContents();
  const apiPeople = sr.facets.entities.filter((e) => e.kind === "person");
  check(people.length === apiPeople.length && apiPeople.every((e, i) => people[i].includes(e.name)), `person facet lists ${apiPeople.length} people`);
  await shot(page, "search");
  await audit(page, "search");

  // A facet narrows the search: the count shown is the API's for the filtered query.
  const putin = apiPeople.find((e) => e.id === "per:vladimir-putin") || apiPeople[0];
  await page.locator(".facet li a", { hasText: putin.name }).first().click();
  await page.waitForURL(/entity=/);
  await ready(page, "search");
  const filtered = await api(`/search?q=Alaska+summit&entity=${encodeURIComponent(putin.id)}&limit=1`);
  check((await page.locator("#results-title").textContent()).trim() === `${filtered.total} articles`, `entity facet filters (${putin.name}: ${filtered.total})`);
  check((await page.locator(".chips .chip").allTextContents()).some((t) => t.includes(putin.name)), "the filter is shown as a removable chip");

  // Event types and dates mentioned: facets that filter.
  const evFacet = (await facetItems(page, "Event types")).locator("a");
  check((await evFacet.count()) === (filtered.facets.events || []).length && (await evFacet.count()) > 0, `event-type facet lists ${(filtered.facets.events || []).length} CAMEO roots`);
  const root = filtered.facets.events[0].value;
  await evFacet.first().click();
  await page.waitForURL(/event=/);
  await ready(page, "search");
  const byEvent = await api(`/search?q=Alaska+summit&entity=${encodeURIComponent(putin.id)}&event=${root}&limit=1`);
  check((await page.locator("#results-title").textContent()).trim() === `${byEvent.total} articles`, `event-type facet filters (CAMEO ${root}: ${byEvent.total})`);
  const dayFacet = await facetItems(page, "Dates mentioned");
  check((await dayFacet.count()) === Math.min(15, (byEvent.facets.mentioned || []).length), `dates-mentioned facet lists ${(byEvent.facets.mentioned || []).length} days`);

  // ---- Stories → the Alaska story -------------------------------------------------------
  const stories = await api("/stories?limit=1000");
  let alaska = null;
  for (const s of stories.items) {
    const d = await api(`/stories/${s.id}?articles_limit=1000&timeline_limit=500`);
    if (d.articles.some((a) => a.id === SAMPLE_ID)) alaska = d;
  }
  check(alaska !== null, "the sample article is in a story");
  await page.getByLabel("stories").check();
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/as=stories/);
  await ready(page, "search");
  const yaml = await (await fetch(BASE + "/openapi.yaml")).text();
  const storySearch = /name: as\b/.test(yaml.split("\n  /search:")[1].split(/\n  \/[a-z]/)[0]);
  if (storySearch) {
    const ss = await api(`/search?q=Alaska+summit&entity=${encodeURIComponent(putin.id)}&as=stories&limit=20`);
    check((await page.locator("#results-title").textContent()).trim() === `${ss.total} stories`, `story search: ${ss.total} stories match, as the API says`);
    check((await page.locator(".story-hit .best").count()) === ss.items.length, "each story shows its best-matching article");
  } else {
    console.log("     (this server's search has no `as=stories`: the stories list is shown)");
  }
  await page.locator(`.story-hit a[href="#/story/${alaska.id}"]`).click();
  await ready(page, "story");
  check((await page.locator("h1").textContent()) === alaska.label, `story page: "${alaska.label}"`);
  const items = await page.locator(".timeline .day-items > li").count();
  const firstPage = alaska.timeline.slice(0, 200);
  check(items === firstPage.length, `timeline shows its first page: ${firstPage.length} of ${alaska.timeline_total} events and quotes`);
  check((await page.locator(".story-grid button.more:visible").count()) === (alaska.timeline_total > 200) + (alaska.articles_total > 50), "a “more” button only where the server has more");
  const days = await page.locator(".timeline .day").evaluateAll((ds) => ds.map((d) => d.dataset.date));
  const apiDays = [...new Set(firstPage.map((t) => t.date || "undated"))];
  check(JSON.stringify(days) === JSON.stringify(apiDays), "timeline days in the API's order (when it happened)");
  const meeting = alaska.timeline.filter((t) => t.date === "2025-08-15" && t.event && /^0[3-4]/.test(t.event.code));
  check(meeting.length > 0, "the API's timeline has a 2025-08-15 meeting event");
  const day15 = page.locator('.timeline .day[data-date="2025-08-15"]');
  const day15Text = (await day15.textContent()) || "";
  check(
    meeting.length > 0 && meeting.every((t) => day15Text.includes(t.event.trigger) && day15Text.includes(t.event.code)),
    `the timeline shows the 2025-08-15 meeting (${meeting.map((t) => `${t.event.code} "${t.event.trigger}"`).slice(0, 3).join(", ")})`,
  );
  const mapCircles = await page.locator(".story-grid svg.map .cluster").count();
  check(alaska.timeline.some((t) => t.event && t.event.place && t.event.place.lat !== undefined) ? mapCircles > 0 : true, `story map plots its places (${mapCircles} clusters)`);
  // The near-duplicates are fetched once the page is drawn.
  await page.locator(".articles .has-dups").first().waitFor({ timeout: 10000 }).catch(() => {});
  const dupNote = await page.locator(".articles .has-dups").count();
  check(dupNote > 0, "the story's articles show their near-duplicates");
  await shot(page, "story");
  await audit(page, "story");

  // Paged by the server: small pages (sizes named in the route), "more" with the keyboard.
  await page.goto(`${BASE}/#/story/${alaska.id}?timeline_limit=5&articles_limit=2`);
  await ready(page, "story");
  const tlRows = page.locator(".timeline .day-items > li");
  const artRows = page.locator(".articles > li");
  await artRows.first().waitFor();
  check((await tlRows.count()) === Math.min(5, alaska.timeline_total) && (await artRows.count()) === Math.min(2, alaska.articles_total), `small pages: ${await tlRows.count()} timeline items, ${await artRows.count()} articles`);
  const tlMore = page.getByRole("button", { name: "Show more of the timeline" });
  if (alaska.timeline_total > 5) {
    await tlMore.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => document.querySelectorAll(".timeline .day-items > li").length === n, Math.min(10, alaska.timeline_total), { timeout: 10000 }).catch(() => {});
    const shownDays = await page.locator(".timeline .day").evaluateAll((ds) => ds.map((d) => d.dataset.date));
    const wantDays = [...new Set(alaska.timeline.slice(0, 10).map((t) => t.date || "undated"))];
    check((await tlRows.count()) === Math.min(10, alaska.timeline_total) && JSON.stringify(shownDays) === JSON.stringify(wantDays), `Enter on “more” adds the timeline's next page from the server (${await tlRows.count()} items, days in order)`);
    const status = (await page.locator(".timeline-box ~ .more-status").textContent()) || "";
    check(status.includes(`of ${alaska.timeline_total}`), `the timeline says how much is shown (${status})`);
  }
  const artMore = page.getByRole("button", { name: "Show more articles" });
  if (alaska.articles_total > 2) {
    for (let i = 0; i < 20 && (await artMore.isVisible()); i++) {
      await artMore.focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction((n) => document.querySelectorAll(".articles > li").length > n, i * 2 + 2, { timeout: 10000 }).catch(() => {});
    }
    const ids = await artRows.evaluateAll((ls) => ls.map((l) => l.querySelector("a").getAttribute("href")));
    check(JSON.stringify(ids) === JSON.stringify(alaska.articles.map((a) => `#/article/${encodeURIComponent(a.id)}`)), `“more” pages through all ${alaska.articles_total} articles in the API's order`);
    check(await artMore.isHidden(), "the articles' “more” button goes when all are shown");
    check(await page.evaluate(() => document.activeElement && document.activeElement.closest(".articles") !== null), "focus moves to the last page's first article when the button goes");
  }
  await audit(page, "story (paged)");

  // ---- Entity: Steve Witkoff, with "Vikof" repaired ---------------------------------------
  const witkoff = alaska.entities.find((e) => e.id === "per:steve-witkoff");
  check(!!witkoff, "Steve Witkoff is among the story's key entities");
  await page.goto(`${BASE}/#/story/${alaska.id}`);
  await ready(page, "story");
  await page.locator(".story-grid .entities a", { hasText: "Steve Witkoff" }).click();
  await ready(page, "entity");
  const ent = await api("/entities/per:steve-witkoff");
  check((await page.locator("h1").textContent()).includes("Steve Witkoff"), "entity page: Steve Witkoff");
  const vikofRows = page.locator(".forms-table tr", { hasText: "Vikof" });
  check((await vikofRows.count()) > 0, '"Vikof" is among the forms seen');
  const apiRepaired = (ent.repaired || []).some((f) => f.form.includes("Vikof")) || (ent.aliases || []).some((f) => f.form.includes("Vikof") && f.repaired === true);
  check(apiRepaired, "the API marks Vikof as repaired");
  if (apiRepaired) {
    const badge = await vikofRows.first().locator(".repaired-badge").textContent().catch(() => "");
    check(badge === "repaired", '"Vikof" is marked repaired');
  }
  const formsShown = await page.locator(".forms-table tbody tr").count();
  check(formsShown >= (ent.aliases || []).length, `all ${ent.aliases.length} forms listed`);
  check((await page.getByRole("button", { name: /^More \(0 left\)$/ }).count()) === 0, "no visible “More” button when nothing is left");
  if (yaml.includes("\n  /entities/{id}/timeline:")) {
    const tl = await api("/entities/per:steve-witkoff/timeline?limit=50");
    check((await page.locator(".tl-row").count()) === tl.items.length, `entity timeline shows ${tl.items.length} of ${tl.total} items`);
  }
  if (ent.quotes_about && ent.quotes_about.total) {
    const aboutShown = await page.locator("ul.quotes.about > li").count();
    check(aboutShown === ent.quotes_about.items.length, `quotes about Steve Witkoff: ${aboutShown} of ${ent.quotes_about.total}`);
  }
  const coShown = await page.locator("#s-named-with").count();
  check(coShown === 1, "co-occurring entities shown");
  await shot(page, "entity");
  await audit(page, "entity");

  // ---- Article: the sample, every quote with its speaker ----------------------------------
  await page.locator(`.side a[href="#/article/${SAMPLE_ID}"]`).first().click();
  await ready(page, "article");
  const doc = await api("/articles/" + SAMPLE_ID);
  const ents = doc.layers.entities;
  const bytes = Buffer.from(doc.text, "utf8");
  const slice = (s) => bytes.subarray(s[0], s[1]).toString("utf8");
  const quoteRows = page.locator(".doc-quotes > li");
  check((await quoteRows.count()) === doc.layers.quotes.length, `article lists all ${doc.layers.quotes.length} quotes`);
  let allQuotes = true;
  for (const [i, q] of doc.layers.quotes.entries()) {
    const speaker = q.speaker !== undefined ? ents[q.speaker].name : q.source ? slice(q.source) : "unknown speaker";
    const content = q.parts && q.parts.length ? q.parts.map(slice).join(" … ") : slice(q.content);
    const row = quoteRows.nth(i);
    const shown = (await row.locator(".speaker").textContent()).trim();
    const said = (await row.locator("blockquote").textContent()).trim();
    const inText = await page.locator(`#ann-q${i}`).count();
    if (shown !== speaker || said !== content.trim() || inText !== 1) {
      allQuotes = false;
      console.log(`     quote ${i}: speaker shown ${JSON.stringify(shown)} expected ${JSON.stringify(speaker)}; in text ${inText}`);
    }
  }
  check(allQuotes, "every quote is shown with its speaker, in the list and in the text");
  const speakers = new Set(doc.layers.quotes.filter((q) => q.speaker !== undefined).map((q) => ents[q.speaker].name));
  console.log(`     speakers: ${[...speakers].join(", ")}`);
  // Byte offsets → the right words: every entity mention's drawn text is its span's text.
  const mentionTexts = await page.locator(".doc-text .ann.ent:not(.cont)").evaluateAll((els) =>
    els.map((e) => {
      const c = e.cloneNode(true);
      c.querySelectorAll(".ann-label").forEach((l) => l.remove());
      return c.textContent;
    }),
  );
  const expectMentions = doc.layers.mentions.map((m) => slice(m.span));
  check(JSON.stringify(mentionTexts) === JSON.stringify(expectMentions), `all ${expectMentions.length} entity mentions highlighted on the right words`);
  const vikof = doc.layers.mentions.findIndex((m) => slice(m.span).includes("Vikof"));
  if (check(vikof >= 0, "the sample mentions Vikof")) {
    const el = page.locator(`#ann-m${vikof}`);
    check((await el.getAttribute("href")) === "#/entity/per%3Asteve-witkoff", '"Steve Vikof" links to Steve Witkoff');
    check((await el.getAttribute("class")).includes("repaired"), '"Steve Vikof" is drawn as repaired');
    await el.focus();
    const tip = await page.locator("#ann-tip").textContent();
    const tipShown = !(await page.locator("#ann-tip").isHidden());
    check(tipShown && tip.includes("Steve Witkoff") && /confidence/.test(tip), `focus shows the link's evidence and confidence (${tipShown ? "shown" : "hidden"}: ${tip.slice(0, 80)}…)`);
  }
  // Time expressions: the resolved value on focus, reached with the keyboard.
  const t15 = doc.layers.timexes.findIndex((t) => t.value === "2025-08-15");
  if (check(t15 >= 0, "the sample has a time expression resolved to 2025-08-15")) {
    await page.locator(`#ann-t${t15}`).focus();
    const tip = await page.locator("#ann-tip").textContent();
    check(tip.includes("2025-08-15"), `"${slice(doc.layers.timexes[t15].span)}" shows 2025-08-15 on focus`);
    await page.keyboard.press("Escape");
    check(await page.locator("#ann-tip").isHidden(), "Escape hides the tooltip");
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => document.activeElement && document.activeElement.dataset.ann);
    check(!!next, `Tab moves to the next annotation (${next})`);
  }
  check((await page.locator(".doc-text .ann.ev").count()) >= doc.layers.events.length, `all ${doc.layers.events.length} events marked at their trigger`);
  await page.locator(".doc-text").scrollIntoViewIfNeeded();
  await page.locator(`#ann-m${Math.max(0, vikof)}`).hover();
  await shot(page, "article");
  await audit(page, "article");

  // ---- Map ------------------------------------------------------------------------------
  await page.getByRole("link", { name: "Map" }).click();
  await ready(page, "map");
  const ev = await api("/events?limit=500");
  const withPlace = ev.items.filter((e) => e.place && typeof e.place.lat === "number");
  const summary = await page.locator("p.meta[data-autofocus]").textContent();
  check(summary.includes(`${withPlace.length} with a place`), `map: ${withPlace.length} events with a place plotted`);
  const clusters = page.locator("svg.map .cluster");
  const nClusters = await clusters.count();
  check(nClusters > 0, `map draws ${nClusters} clusters`);
  const sum = await clusters.evaluateAll((cs) => cs.reduce((n, c) => n + Number((c.getAttribute("aria-label").match(/: (\d+)$/) || [0, 0])[1]), 0));
  check(sum === withPlace.length, "cluster counts add up to the events with a place");
  await clusters.first().focus();
  await page.keyboard.press("Enter");
  await page.locator(".map-details h2").waitFor();
  check((await page.locator(".map-details .event").count()) > 0, "Enter on a cluster lists its events");
  await shot(page, "map");
  await audit(page, "map");

  // ---- Ingest (analyze without storing) ---------------------------------------------------
  await page.getByRole("link", { name: "Analyze" }).click();
  await ready(page, "ingest");
  const pasted = [
    "Envoy meets Kremlin leader <img src=x onerror=alert(1)>",
    "US President Donald Trump’s envoy Steve Vikof met Vladimir Putin in Moscow on Wednesday, the Kremlin said.",
    "“We had a useful and constructive conversation,” Putin told reporters after the talks.",
    "Ukrainian President Volodymyr Zelensky said Kyiv would not give up any territory.",
    "2025-08-08 12:00:00",
  ].join("\n");
  const before = await api("/health");
  await page.getByLabel("Article text").fill(pasted);
  const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/analyze")), page.getByRole("button", { name: "Analyze" }).click()]);
  check(resp.status() === 200, "POST /analyze answered 200");
  const analyzed = await resp.json();
  await page.locator(".analysis .doc").waitFor();
  const aq = analyzed.layers.quotes || [];
  check(aq.length >= 2, `the pasted text has ${aq.length} quotes`);
  const shownSpeakers = await page.locator(".analysis .doc-quotes > li .speaker").allTextContents();
  const aents = analyzed.layers.entities || [];
  const abytes = Buffer.from(analyzed.text, "utf8");
  const expectSpeakers = aq.map((q) => (q.speaker !== undefined ? aents[q.speaker].name : q.source ? abytes.subarray(q.source[0], q.source[1]).toString() : "unknown speaker"));
  check(JSON.stringify(shownSpeakers.map((s) => s.trim())) === JSON.stringify(expectSpeakers), `analysis shows each quote's speaker (${expectSpeakers.join(", ")})`);
  check(aents.some((e) => e.id === "per:steve-witkoff") && (await page.locator('.analysis a.ann.ent[href="#/entity/per%3Asteve-witkoff"]').count()) > 0, "the pasted misspelling is linked to Steve Witkoff");
  check((await page.locator("img").count()) === 0 && (await page.locator(".analysis .doc-title").textContent()).includes("<img"), "pasted markup is shown as text, never run");
  const after = await api("/health");
  check(after.articles === before.articles, "analysis stored nothing");
  await page.evaluate(() => document.querySelector(".analysis").scrollIntoView());
  await shot(page, "ingest");
  await audit(page, "ingest");

  // A feed URL: the server fetches the feed (from a loopback site here) and analyzes its items.
  const site = await feedSite();
  const feedUrl = `http://127.0.0.1:${site.address().port}/feed.xml`;
  await page.getByLabel("Feed URL (RSS or Atom)").fill(feedUrl);
  const [feedResp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/analyze/feed")), page.getByRole("button", { name: "Read feed" }).click()]);
  check(feedResp.status() === 200, "POST /analyze/feed answered 200");
  const feed = await feedResp.json();
  await page.locator(".feed-items > li").first().waitFor();
  const feedTitles = await page.locator(".feed-items .feed-title").allTextContents();
  check(feed.items.length === 3 && JSON.stringify(feedTitles) === JSON.stringify(feed.items.map((i) => i.title)), `the feed's ${feed.items.length} items are listed with their titles`);
  const firstCounts = (await page.locator(".feed-items > li .meta").first().textContent()) || "";
  const c0 = feed.items[0].counts;
  check(firstCounts.includes(`${c0.entities} entit`) && firstCounts.includes(`${c0.mentions} mention`) && firstCounts.includes(`${c0.quotes} quote`) && firstCounts.includes(`${c0.events} event`), `each item shows its counts (${firstCounts})`);
  await page.getByRole("button", { name: `Show analysis of “${feed.items[1].title}”` }).press("Enter");
  await page.locator(".analysis .doc").waitFor();
  check(((await page.locator(".analysis .doc-title").textContent()) || "").includes(feed.items[1].title), "an item's analysis is shown on demand");
  check((await page.locator(".analysis .doc-quotes > li").count()) === (feed.items[1].document.layers.quotes || []).length, "with all its quotes");
  check((await api("/health")).articles === before.articles, "reading the feed stored nothing");
  site.close();
  await page.locator(".feed-form").scrollIntoViewIfNeeded();
  await shot(page, "ingest-feed");
  await audit(page, "ingest (feed)");
  // A file:// URL typed in: the form refuses it; the API too (400).
  await page.getByLabel("Feed URL (RSS or Atom)").fill("file:///etc/passwd");
  await page.getByRole("button", { name: "Read feed" }).click();
  check(((await page.locator(".feed-form [role=status]").textContent()) || "").includes("http"), "the form asks for an http(s) URL");
  const bad = await fetch(BASE + "/analyze/feed", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: "file:///etc/passwd" }) });
  check(bad.status === 400 && (await bad.json()).error.code === "bad_body", "a file:// URL is refused by the API (400 bad_body)");

  // ---- Narrow screen ----------------------------------------------------------------------
  await page.setViewportSize({ width: 380, height: 800 });
  await page.goto(`${BASE}/#/story/${alaska.id}`);
  await ready(page, "story");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 381, `story page fits 380 px (scroll width ${overflow})`);
  await shot(page, "story-narrow");
  await page.goto(`${BASE}/#/article/${SAMPLE_ID}`);
  await ready(page, "article");
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow2 <= 381, `article page fits 380 px (scroll width ${overflow2})`);

  // ---- First render time, and a deep link from the timeline to the quote in its article ----
  await page.setViewportSize({ width: 1280, height: 900 });
  // A new tab each (this context has loaded the UI before, as a returning user's browser).
  // "Drawn": the task after the first frame with the page in it (style, layout, paint done);
  // "in the DOM": when the page was put in the document, before that frame.
  const timed = {};
  const inDom = {};
  for (const [name, hash] of [["search", "#/search?q=Putin"], ["story", `#/story/${alaska.id}`], ["article", `#/article/${SAMPLE_ID}`]]) {
    const p = await context.newPage();
    await p.goto(`${BASE}/${hash}`);
    await p.waitForFunction(() => document.body.dataset.firstRenderMs);
    [timed[name], inDom[name]] = await p.evaluate(() => [Number(document.body.dataset.firstRenderMs), Number(document.body.dataset.firstDomMs)]);
    await p.close();
  }
  console.log(`     first render (navigation start → page drawn): ${Object.entries(timed).map(([k, v]) => `${k} ${v} ms`).join(", ")}`);
  console.log(`     (navigation start → page in the DOM: ${Object.entries(inDom).map(([k, v]) => `${k} ${v} ms`).join(", ")})`);
  check(Object.values(timed).every((ms) => ms < 2000), "every page drawn within 2 s of navigation (debug build)");
  await page.goto(`${BASE}/#/story/${alaska.id}`);
  await ready(page, "story");
  const quoteLink = page.locator(".tl-quote .article-ref a").first();
  const target = (await quoteLink.getAttribute("href")).match(/ann=(q\d+)/)[1];
  await quoteLink.click();
  await ready(page, "article");
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, "ann-" + target, { timeout: 5000 }).catch(() => {});
  check(await page.evaluate((id) => document.activeElement.id === id, "ann-" + target), `a timeline quote opens its article with the quote focused (${target})`);

  // ---- Keyboard: the skip link is the first stop ------------------------------------------
  const fresh = await context.newPage();
  await fresh.goto(BASE + "/#/search");
  await ready(fresh, "search");
  await fresh.keyboard.press("Tab");
  check((await fresh.evaluate(() => document.activeElement.textContent)) === "Skip to content", "Tab reaches the skip link first");
  await fresh.keyboard.press("Enter");
  check(await fresh.evaluate(() => document.activeElement.id === "main" && location.hash === "#/search"), "the skip link moves focus to the content");
  await fresh.close();
} catch (e) {
  failures++;
  console.log("FAIL " + (e && e.stack ? e.stack : e));
  await page.screenshot({ path: join(SHOTS, "failure.png"), fullPage: true }).catch(() => {});
}

check(audited.length >= 6, `axe-core audited ${audited.length} page states (${audited.join(", ")})`);
check(problems.length === 0, "no console errors, CSP violations or outside requests" + (problems.length ? ": " + problems.join(" | ") : ""));
await browser.close();
console.log(`${passed} passed, ${failures} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
