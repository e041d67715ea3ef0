// Maps: points on a plain longitude/latitude plot (equirectangular) drawn in SVG, with a
// graticule and no tiles or outlines (nothing is fetched from elsewhere). Nearby points are
// clustered; every cluster is a keyboard-reachable button, and a table lists the same places.
import * as api from "./api.js";
import { eventItem, fmtNum, h, note, pager, route, svg } from "./dom.js";

/// Groups points ({lat, lon, name, item}) into clusters: a point joins the first cluster
/// whose centre lies within `radius` degrees, else starts one (the busiest places first).
export function cluster(points, radius) {
  const byPlace = new Map();
  for (const p of points) {
    const key = `${p.lat}:${p.lon}`;
    if (!byPlace.has(key)) byPlace.set(key, []);
    byPlace.get(key).push(p);
  }
  const places = [...byPlace.values()].sort((a, b) => b.length - a.length);
  const clusters = [];
  for (const group of places) {
    const { lat, lon } = group[0];
    let c = clusters.find((c) => Math.hypot(c.lat - lat, c.lon - lon) <= radius);
    if (!c) {
      c = { lat, lon, items: [], names: new Map() };
      clusters.push(c);
    }
    c.items.push(...group);
    for (const p of group) c.names.set(p.name, (c.names.get(p.name) || 0) + 1);
  }
  return clusters
    .map((c) => {
      const names = [...c.names.entries()].sort((a, b) => b[1] - a[1]);
      return {
        lat: c.lat,
        lon: c.lon,
        items: c.items,
        name: names[0][0] + (names.length > 1 ? ` +${names.length - 1}` : ""),
        names: names.map((n) => n[0]),
      };
    })
    .sort((a, b) => b.items.length - a.items.length);
}

function bounds(points, world) {
  if (world || !points.length) return { x0: -180, x1: 180, y0: -90, y1: 90 };
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.lon); x1 = Math.max(x1, p.lon);
    y0 = Math.min(y0, p.lat); y1 = Math.max(y1, p.lat);
  }
  // At least 24° × 12°, with a margin, kept inside the world.
  // Room on the right for the labels.
  const w = Math.max(24, (x1 - x0) * 1.35), hgt = Math.max(12, (y1 - y0) * 1.35, w / 2.2);
  const cx = (x0 + x1) / 2 + (x1 - x0) * 0.08, cy = (y0 + y1) / 2;
  const ww = Math.min(360, Math.max(w, hgt * 1.6));
  const hh = Math.min(180, hgt);
  const clamp = (c, half, lim) => Math.max(-lim + half, Math.min(lim - half, c));
  const mx = clamp(cx, ww / 2, 180), my = clamp(cy, hh / 2, 90);
  return { x0: mx - ww / 2, x1: mx + ww / 2, y0: my - hh / 2, y1: my + hh / 2 };
}

/// An SVG plot of `points`; `onSelect(cluster)` when a cluster is chosen.
export function plot(points, { world = false, label = "Map", onSelect } = {}) {
  const b = bounds(points, world);
  const w = b.x1 - b.x0, ht = b.y1 - b.y0;
  const unit = w / 100; // one hundredth of the width, in degrees
  const clusters = cluster(points, unit * 3);
  const max = Math.max(1, ...clusters.map((c) => c.items.length));
  const step = [1, 2, 5, 10, 15, 30, 45].find((s) => w / s <= 12) || 60;
  const grid = [];
  for (let x = Math.ceil(b.x0 / step) * step; x <= b.x1; x += step) {
    grid.push(svg("line", { x1: x, x2: x, y1: -b.y1, y2: -b.y0, class: x === 0 ? "axis" : "grat" }));
    grid.push(svg("text", { x: x + unit * 0.5, y: -b.y0 - unit, class: "grat-label", "font-size": unit * 1.5 }, `${Math.abs(x)}°${x < 0 ? "W" : x > 0 ? "E" : ""}`));
  }
  for (let y = Math.ceil(b.y0 / step) * step; y <= b.y1; y += step) {
    grid.push(svg("line", { x1: b.x0, x2: b.x1, y1: -y, y2: -y, class: y === 0 ? "axis" : "grat" }));
    grid.push(svg("text", { x: b.x0 + unit * 0.5, y: -y - unit * 0.5, class: "grat-label", "font-size": unit * 1.5 }, `${Math.abs(y)}°${y < 0 ? "S" : y > 0 ? "N" : ""}`));
  }
  const marks = clusters.map((c) => {
    const r = unit * (0.8 + 2 * Math.sqrt(c.items.length / max));
    const title = `${c.names.slice(0, 6).join(", ")}${c.names.length > 6 ? "…" : ""}: ${c.items.length}`;
    const g = svg(
      "g",
      { class: "cluster", tabindex: onSelect ? 0 : null, role: onSelect ? "button" : "img", "aria-label": title },
      svg("title", {}, title),
      svg("circle", { cx: c.lon, cy: -c.lat, r }),
    );
    // The drawn name and count say what the cluster's name says: beside it, hidden from
    // assistive technology (inside it, their joined text would be a name other than its own).
    const text = svg(
      "g",
      { class: "cluster-text", "aria-hidden": "true" },
      svg("text", { x: c.lon + r + unit * 0.4, y: -c.lat + unit * 0.6, "font-size": unit * 1.8, class: "cluster-label" }, c.name.length > 24 ? c.name.slice(0, 23) + "…" : c.name),
      c.items.length > 1 ? svg("text", { x: c.lon, y: -c.lat + unit * 0.55, "font-size": unit * 1.5, class: "cluster-count", "text-anchor": "middle" }, String(c.items.length)) : null,
    );
    if (onSelect) {
      text.addEventListener("click", () => onSelect(c));
      g.addEventListener("click", () => onSelect(c));
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onSelect(c);
        }
      });
    }
    return [g, text];
  });
  return svg(
    "svg",
    { class: "map", viewBox: `${b.x0} ${-b.y1} ${w} ${ht}`, role: "group", "aria-label": label, preserveAspectRatio: "xMidYMid meet" },
    svg("rect", { x: b.x0, y: -b.y1, width: w, height: ht, class: "sea" }),
    grid,
    marks,
  );
}

/// A table of places and counts, the map's text alternative.
export function placeTable(points, caption) {
  const counts = new Map();
  for (const p of points) {
    const k = p.id || p.name;
    if (!counts.has(k)) counts.set(k, { ...p, n: 0 });
    counts.get(k).n++;
  }
  const rows = [...counts.values()].sort((a, b) => b.n - a.n);
  return h(
    "details",
    { class: "place-table" },
    h("summary", {}, `${caption} (${rows.length} places)`),
    h(
      "table",
      { class: "table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Place"), h("th", { scope: "col", class: "num" }, "Lat"), h("th", { scope: "col", class: "num" }, "Lon"), h("th", { scope: "col", class: "num" }, "Count"))),
      h(
        "tbody",
        {},
        rows.map((p) =>
          h(
            "tr",
            {},
            h("td", {}, p.id ? h("a", { href: route("entity", p.id) }, p.name) : p.name),
            h("td", { class: "num" }, p.lat.toFixed(2)),
            h("td", { class: "num" }, p.lon.toFixed(2)),
            h("td", { class: "num" }, fmtNum(p.n)),
          ),
        ),
      ),
    ),
  );
}

/// Points of events that have a place with coordinates.
export function eventPoints(events) {
  return events
    .filter((e) => e.place && typeof e.place.lat === "number" && typeof e.place.lon === "number")
    .map((e) => ({ lat: e.place.lat, lon: e.place.lon, name: e.place.name, id: e.place.id, item: e }));
}

const LIMIT = 500;

export async function render(root, ctx) {
  const p = ctx.params;
  const filters = { actor: p.get("actor") || "", code: p.get("code") || "", from: p.get("from") || "", to: p.get("to") || "", near: p.get("near") || "" };
  const offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
  const world = p.get("view") === "world";
  const f = h(
    "form",
    { class: "search-form", "aria-label": "Filter events" },
    ...[
      ["Actor (entity id or CAMEO code)", "actor", "per:vladimir-putin"],
      ["Event type (CAMEO code prefix)", "code", "04"],
      ["From", "from", "", "date"],
      ["To", "to", "", "date"],
      ["Near (lat,lon,km)", "near", "61.2,-149.9,200"],
    ].map(([label, name, ph, type]) =>
      h("div", { class: "field" }, h("label", { for: "m-" + name }, label), h("input", { id: "m-" + name, name, value: filters[name], placeholder: ph, type: type || "text" })),
    ),
    h("button", { type: "submit" }, "Show"),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const d = new FormData(f);
    const q = {};
    for (const k of Object.keys(filters)) q[k] = (d.get(k) || "").trim();
    if (world) q.view = "world";
    location.hash = route("map", null, q);
  });
  root.append(h("h1", {}, "Map"), h("p", { class: "lead" }, "Where events happened: one page of events at a time (latest day first), drawn on a plain longitude/latitude grid."), f);
  const page = await api.get("/events", { ...filters, offset, limit: LIMIT });
  const points = eventPoints(page.items);
  const details = h("div", { class: "map-details", "aria-live": "polite" });
  const select = (c) => {
    const lat = c.lat.toFixed(3), lon = c.lon.toFixed(3);
    details.replaceChildren(
      h("h2", {}, `${c.names.join(", ")} — ${c.items.length} events`),
      h("p", {}, h("a", { href: route("map", null, { ...filters, near: `${lat},${lon},100` }) }, "All events within 100 km of here")),
      h("ul", { class: "events" }, c.items.slice(0, 100).map((pt) => eventItem(pt.item, { article: true }))),
    );
  };
  const toggle = h("a", { href: route("map", null, { ...filters, offset, view: world ? null : "world" }), class: "button-link" }, world ? "Fit to the events" : "Whole world");
  root.append(
    h(
      "p",
      { class: "meta", "data-autofocus": "" },
      `${fmtNum(page.total)} events match; this page: ${fmtNum(page.items.length)} events, ${fmtNum(points.length)} with a place. `,
      toggle,
    ),
    points.length ? h("figure", { class: "map-figure" }, plot(points, { world, label: "Events by place", onSelect: select }), h("figcaption", { class: "meta" }, "Circle area grows with the number of events; choose one to list them.")) : note("No event of this page has a place."),
    points.length ? placeTable(points, "Places on this map") : null,
    details,
    pager(page.total, offset, LIMIT, (o) => route("map", null, { ...filters, offset: o, view: world ? "world" : null }), "Event pages"),
  );
}
