// DOM helpers. Every string from the API or the user goes into the page as a text node
// (textContent) or an attribute value, never parsed as markup: no page sets HTML from a
// string (crates/server/tests/ui.rs checks the served files for it).
import { toQuery } from "./boot.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/// Only same-page routes, same-origin paths and http(s) links may be an href.
export function safeHref(v) {
  const s = String(v);
  if (s.startsWith("#") || (s.startsWith("/") && !s.startsWith("//"))) return s;
  try {
    const u = new URL(s);
    if (u.protocol === "http:" || u.protocol === "https:") return u.href;
  } catch (_) {
    /* not a URL */
  }
  return null;
}

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
    else if (k === "text") el.textContent = String(v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "href") {
      const href = safeHref(v);
      if (href !== null) el.setAttribute("href", href);
    } else if (k === "dataset") Object.assign(el.dataset, v);
    else if (/HTML$/i.test(k) || k.startsWith("on") || k === "style" || k === "srcdoc") throw new Error("refused attribute " + k);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/// An HTML element: h("a", {href: "#/x", class: "y"}, "text", child…).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  return append(el, children);
}

/// An SVG element.
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  return append(el, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/// "2025-08-08 23:04" (UTC) of an RFC 3339 time; "" for none.
export function fmtTime(t) {
  if (!t) return "";
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toISOString().slice(0, 16).replace("T", " ");
}

export function fmtDay(t) {
  return t ? fmtTime(t).slice(0, 10) : "";
}

export function fmtConf(c) {
  return typeof c === "number" ? c.toFixed(2) : "–";
}

/// "1,234,567" (English digit groups). Not toLocaleString: each call builds a number
/// format, tens of milliseconds over a page of counts.
export function fmtNum(n) {
  if (typeof n !== "number") return "";
  if (!Number.isFinite(n)) return String(n);
  const [int, frac] = String(Math.abs(Math.round(n * 1000) / 1000)).split(".");
  const grouped = int.length > 3 && !int.includes("e") ? int.replace(/\B(?=(\d{3})+$)/g, ",") : int;
  return (n < 0 ? "-" : "") + grouped + (frac ? "." + frac : "");
}

/// A route for the hash: route("entity", "per:x") → "#/entity/per%3Ax"; query from an object.
export function route(page, id, query) {
  let r = "#/" + page;
  if (id !== undefined && id !== null) r += "/" + encodeURIComponent(id);
  if (query) {
    const q = toQuery(query);
    if (q) r += "?" + q;
  }
  return r;
}

export { toQuery };

/// A section with a heading.
export function section(title, ...children) {
  const id = "s-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/// A short note (empty results, an unavailable feature).
export function note(text, cls) {
  return h("p", { class: ["note", cls] }, text);
}

export function errorBox(err) {
  const msg = err && err.message ? err.message : String(err);
  return h("div", { class: "error", role: "alert" }, h("strong", {}, "Error: "), msg);
}

/// "1–50 of 1,234" with previous/next links.
export function pager(total, offset, limit, hrefFor, label) {
  if (!total || total <= limit) return null;
  const first = offset + 1;
  const last = Math.min(offset + limit, total);
  return h(
    "nav",
    { class: "pager", "aria-label": label || "Pages" },
    offset > 0 ? h("a", { href: hrefFor(Math.max(0, offset - limit)), rel: "prev" }, "← Previous") : null,
    h("span", {}, `${fmtNum(first)}–${fmtNum(last)} of ${fmtNum(total)}`),
    last < total ? h("a", { href: hrefFor(offset + limit), rel: "next" }, "Next →") : null,
  );
}

/// A small pill naming an entity kind (person, place…).
export function kindTag(kind) {
  return kind ? h("span", { class: ["kind", "k-" + kind] }, kind) : null;
}

export function entityLink(id, name, kind) {
  if (!id) return h("span", { class: "entity-name" }, name || "(unknown)");
  return h("a", { class: ["entity-link", kind && "k-" + kind], href: route("entity", id) }, name || id);
}

/// An article as a link: title (or id), outlet and day.
export function articleLink(a, ann) {
  if (!a) return null;
  return h(
    "span",
    { class: "article-ref" },
    h("a", { href: route("article", a.id, ann ? { ann } : null) }, a.title || "Article " + a.id),
    a.source || a.published ? h("span", { class: "meta" }, " · ", [a.source, fmtDay(a.published)].filter(Boolean).join(" · ")) : null,
  );
}

/// A speaker (entity link, else the source as written, else "unknown speaker").
export function speakerOf(q) {
  if (q.speaker) return entityLink(q.speaker.id, q.speaker.name, q.speaker.kind);
  if (q.source) return h("span", { class: "entity-name unlinked" }, q.source);
  return h("span", { class: "entity-name unknown" }, "unknown speaker");
}

/// A quote (API shape: /quotes, /search hits, entity detail, story timeline).
export function quoteItem(q, opts = {}) {
  return h(
    "li",
    { class: ["quote", "q-" + q.kind] },
    h("span", { class: "speaker" }, speakerOf(q)),
    q.reported_by ? h("span", { class: "meta" }, " (reported by ", entityLink(q.reported_by.id, q.reported_by.name), ")") : null,
    h("span", { class: "meta" }, ` ${q.cue || "—"} · ${q.kind} · confidence ${fmtConf(q.confidence)}`),
    h("blockquote", {}, q.text),
    opts.article && q.article ? h("div", { class: "meta" }, articleLink(q.article, "q" + q.ordinal)) : null,
  );
}

function actor(a) {
  if (!a) return h("span", { class: "meta" }, "—");
  return h("span", {}, entityLink(a.id, a.name), a.code ? h("span", { class: "code" }, " " + a.code) : null);
}

/// An event (API shape: /events, entity detail, story timeline).
export function eventItem(e, opts = {}) {
  return h(
    "li",
    { class: ["event", "m-" + e.modality] },
    h("span", { class: "code", title: e.plover }, e.code),
    " ",
    h("span", { class: "plover" }, e.plover),
    " ",
    actor(e.source),
    h("span", { class: "trigger" }, " " + e.trigger + " "),
    actor(e.target),
    e.place ? h("span", { class: "place" }, " @ ", entityLink(e.place.id, e.place.name, "place")) : null,
    h("span", { class: "meta" }, ` · ${e.day || "undated"} · ${e.modality} · Goldstein ${e.goldstein} · confidence ${fmtConf(e.confidence)}`),
    opts.article && e.article ? h("div", { class: "meta" }, articleLink(e.article, "e" + e.ordinal)) : null,
  );
}

/// Runs `fn` once the page in the DOM now has been drawn (the frame after this task), so
/// that work for what is not in view does not hold up the first paint: as a background
/// task, after the ordinary ones (such as app.js noting when the page was drawn). Hidden
/// tabs draw no frames: then it runs after a short delay.
export function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  const post = globalThis.scheduler && scheduler.postTask ? () => scheduler.postTask(run, { priority: "background" }) : () => setTimeout(run, 0);
  requestAnimationFrame(post);
  setTimeout(run, 250);
}

/// Byte offsets (UTF-8, as every span in the API) → string indices (UTF-16, as JavaScript
/// strings). Returns a function; an offset inside a character maps to its start.
export function byteOffsets(text) {
  const bytes = new TextEncoder().encode(text).length;
  const map = new Uint32Array(bytes + 1);
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i);
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    const units = cp > 0xffff ? 2 : 1;
    for (let k = 0; k < n; k++) map[b + k] = i;
    b += n;
    i += units;
  }
  map[bytes] = text.length;
  return (off) => map[Math.max(0, Math.min(bytes, off | 0))];
}
