// One article with every layer drawn on its text (like displaCy, for all layers): entity
// mentions linked to their entity, time expressions with their resolved value, quotes with
// their speaker, events at their trigger. Each annotation shows its evidence and confidence
// on hover and on keyboard focus, and every layer is also listed below the text.
//
// Spans in the document JSON are UTF-8 byte offsets; they are mapped to string indices
// with byteOffsets() before slicing.
import * as api from "./api.js";
import { byteOffsets, entityLink, fmtConf, fmtTime, h, kindTag, note, route, section } from "./dom.js";

const LAYERS = [
  ["ent", "Entities"],
  ["tx", "Time expressions"],
  ["q", "Quotes"],
  ["ev", "Events"],
];
// Outer first when two annotations start and end together.
const PRIO = { q: 0, qs: 1, ev: 2, ent: 3, tx: 4 };
const KIND_SHORT = { person: "PER", organization: "ORG", place: "LOC", group: "GRP", misc: "MISC" };

/// A quote's speaker as shown: entity name, else the source as written, else unknown.
export function speakerName(doc, q) {
  const ents = doc.layers.entities || [];
  if (q.speaker !== undefined && ents[q.speaker]) return ents[q.speaker].name;
  if (q.source) return slice(doc, q.source);
  return "unknown speaker";
}

let textCache = null;
function at(doc) {
  if (!textCache || textCache.doc !== doc) textCache = { doc, map: byteOffsets(doc.text) };
  return textCache.map;
}
function slice(doc, span) {
  const m = at(doc);
  return doc.text.slice(m(span[0]), m(span[1]));
}
function quoteText(doc, q) {
  return q.parts && q.parts.length ? q.parts.map((p) => slice(doc, p)).join(" … ") : slice(doc, q.content);
}

/// Every annotation of the enabled layers: {start, end (string indices), kind, key, …}.
function annotations(doc, enabled) {
  const m = at(doc);
  const L = doc.layers;
  const ents = L.entities || [];
  const timexes = L.timexes || [];
  const out = [];
  const add = (span, kind, key, extra) => {
    const start = m(span[0]), end = m(span[1]);
    if (end > start) out.push({ start, end, kind, key, ...extra });
  };
  if (enabled.ent) {
    (L.mentions || []).forEach((x, i) => {
      const e = x.entity !== undefined ? ents[x.entity] : null;
      const tip = [
        [`${x.type}${e ? " · " + e.name : ""}`, e ? e.id : "not linked"],
        ["mention", `confidence ${fmtConf(x.confidence)} · found by ${x.evidence}`],
      ];
      if (x.link) {
        tip.push(["link", `${x.link.method} · confidence ${fmtConf(x.link.confidence)}`]);
        if (x.link.repaired) tip.push(["repaired", `written "${slice(doc, x.span)}", read as "${x.link.repaired}"`]);
        for (const ev of x.link.evidence || []) tip.push(["evidence", ev]);
      }
      if (x.role) tip.push(["role", slice(doc, x.role)]);
      add(x.span, "ent", "m" + i, { type: x.type, entity: e, tip, repaired: !!(x.link && x.link.repaired) });
    });
  }
  if (enabled.tx) {
    timexes.forEach((t, i) => {
      const tip = [[t.type, t.value || "(unresolved)"]];
      if (t.mod) tip.push(["mod", t.mod]);
      if (t.anchor) tip.push(["anchor", t.anchor]);
      tip.push(["rule", `${t.rule || "?"} · confidence ${fmtConf(t.confidence)}`]);
      add(t.span, "tx", "t" + i, { value: t.value, tip });
    });
  }
  if (enabled.q) {
    (L.quotes || []).forEach((q, i) => {
      const tip = [
        ["speaker", speakerName(doc, q) + (q.speaker !== undefined && ents[q.speaker] ? ` (${ents[q.speaker].id})` : "")],
        [q.kind, `confidence ${fmtConf(q.confidence)}${q.cue ? ` · cue "${slice(doc, q.cue)}"` : ""}`],
      ];
      if (q.reported_by !== undefined && ents[q.reported_by]) tip.push(["reported by", ents[q.reported_by].name]);
      for (const ev of q.evidence || []) tip.push(["evidence", ev]);
      const spans = q.parts && q.parts.length ? q.parts : [q.content];
      spans.forEach((s, k) => add(s, "q", "q" + i, { cont: k > 0, tip, speaker: speakerName(doc, q) }));
      if (q.source) add(q.source, "qs", "q" + i + "s", { tip, passive: true });
    });
  }
  if (enabled.ev) {
    (L.events || []).forEach((e, i) => {
      const name = (a) => (a ? (a.entity !== undefined && ents[a.entity] ? ents[a.entity].name : slice(doc, a.span)) + (a.code ? ` [${a.code}]` : "") : "—");
      const tip = [
        [`${e.code} ${e.plover}`, `${name(e.source)} → ${name(e.target)}`],
        [e.modality, `Goldstein ${e.goldstein} · quad class ${e.quad_class} · confidence ${fmtConf(e.confidence)}`],
      ];
      if (e.place !== undefined && ents[e.place]) tip.push(["place", ents[e.place].name]);
      if (e.date !== undefined && timexes[e.date]) tip.push(["date", timexes[e.date].value]);
      for (const ev of e.evidence || []) tip.push(["evidence", ev]);
      add(e.trigger || e.span, "ev", "e" + i, { code: e.code, tip });
    });
  }
  return out;
}

const cmp = (a, b) => a.start - b.start || b.end - a.end || PRIO[a.kind] - PRIO[b.kind];

function element(a, first, inLink) {
  const cls = ["ann", a.kind, first ? null : "cont"];
  const attrs = { dataset: { ann: a.key } };
  if (first && !a.passive) {
    attrs.id = "ann-" + a.key;
    attrs.tabindex = 0;
    attrs["aria-describedby"] = "ann-tip";
  }
  if (a.kind === "ent") {
    cls.push("k-" + a.type);
    if (a.repaired) cls.push("repaired");
    if (a.entity && first && !inLink) {
      delete attrs.tabindex; // a link is focusable already
      return h("a", { class: cls, href: route("entity", a.entity.id), ...attrs });
    }
  }
  if (a.kind === "tx" && a.value) attrs.dataset.value = a.value;
  if (a.kind === "q" && a.speaker) attrs.dataset.speaker = a.speaker;
  return h(a.kind === "qs" ? "span" : "mark", { class: cls, ...attrs });
}

function label(a) {
  if (a.kind === "ent") return h("span", { class: "ann-label", "aria-hidden": "true" }, KIND_SHORT[a.type] || a.type);
  if (a.kind === "ev") return h("span", { class: "ann-label", "aria-hidden": "true" }, a.code);
  return null;
}

/// Nests annotations inside `parent` for the text [from, to); an annotation that crosses its
/// parent's end is split, the rest continuing after it (drawn, not focusable again).
function build(parent, text, from, to, anns, seen, inLink = false) {
  let pos = from;
  let list = anns.slice().sort(cmp);
  while (list.length) {
    const a = list.shift();
    if (a.start < pos) continue; // cannot happen after splitting; be safe
    if (a.start > pos) parent.append(text.slice(pos, a.start));
    const inner = [];
    const rest = [];
    while (list.length && list[0].start < a.end) {
      const b = list.shift();
      if (b.end <= a.end) inner.push(b);
      else {
        inner.push({ ...b, end: a.end });
        rest.push({ ...b, start: a.end, cont: true });
      }
    }
    const first = !a.cont && !seen.has(a.key);
    seen.add(a.key);
    // No link inside a link: a mention inside a linked mention is drawn but not a link.
    const el = element(a, first, inLink);
    build(el, text, a.start, a.end, inner, seen, inLink || el.tagName === "A");
    if (first) {
      const l = label(a);
      if (l) el.append(l);
    }
    parent.append(el);
    pos = a.end;
    list = rest.concat(list).sort(cmp);
  }
  if (pos < to) parent.append(text.slice(pos, to));
}

function paragraphs(doc) {
  const m = at(doc);
  const ps = doc.layers.paragraphs;
  if (ps && ps.length) return ps.map((p) => ({ start: m(p.span[0]), end: m(p.span[1]), heading: !!p.heading }));
  const out = [];
  let i = 0;
  for (const part of doc.text.split(/\n{2,}/)) {
    const s = doc.text.indexOf(part, i);
    out.push({ start: s, end: s + part.length, heading: false });
    i = s + part.length;
  }
  return out;
}

/// `heading`: the element of the text's section headings (one level below the title's).
function drawText(doc, enabled, heading) {
  const anns = annotations(doc, enabled);
  const box = h("div", { class: "doc-text", lang: doc.meta.language || null });
  const seen = new Set();
  for (const p of paragraphs(doc)) {
    const inside = [];
    for (const a of anns) {
      if (a.end <= p.start || a.start >= p.end) continue;
      const start = Math.max(a.start, p.start);
      inside.push({ ...a, start, end: Math.min(a.end, p.end), cont: a.cont || start > a.start });
    }
    const el = h(p.heading ? heading : "p", { class: p.heading ? "doc-heading" : null });
    build(el, doc.text, p.start, p.end, inside, seen);
    box.append(el);
  }
  return { box, anns };
}

/// The one tooltip: evidence and confidence of the annotation under the pointer or focus.
function tooltip(container, annsRef) {
  const tip = h("div", { id: "ann-tip", role: "tooltip", class: "tip", hidden: true });
  let current = null;
  let how = null; // "hover" or "focus": what showed it, and so what may hide it
  const show = (el, by) => {
    const key = el.dataset.ann;
    const a = annsRef().find((x) => x.key === key) || annsRef().find((x) => x.key === key.replace(/s$/, ""));
    if (!a) return;
    current = el;
    how = by;
    tip.replaceChildren(h("dl", {}, a.tip.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
    tip.hidden = false;
    const r = el.getBoundingClientRect();
    const box = container.getBoundingClientRect();
    const top = r.bottom - box.top + 6;
    const left = Math.max(0, Math.min(r.left - box.left, container.clientWidth - tip.offsetWidth));
    tip.style.top = top + "px";
    tip.style.left = left + "px";
  };
  const hide = (by) => {
    if (by && how !== by) return;
    tip.hidden = true;
    current = null;
    how = null;
  };
  const target = (ev) => ev.target.closest && ev.target.closest("[data-ann]");
  container.addEventListener("mouseover", (ev) => {
    const t = target(ev);
    if (t && t !== current) show(t, "hover");
  });
  container.addEventListener("mouseleave", () => hide("hover"));
  container.addEventListener("focusin", (ev) => {
    const t = target(ev);
    if (t) show(t, "focus");
  });
  container.addEventListener("focusout", () => hide("focus"));
  container.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") hide();
  });
  return tip;
}

/// A title for an article without one: its first words.
function untitled(doc) {
  const s = doc.layers.sentences && doc.layers.sentences[0] ? slice(doc, doc.layers.sentences[0].span) : doc.text;
  const words = s.split(/\s+/).slice(0, 12).join(" ");
  return "(untitled) " + words + (words.length < s.trim().length ? " …" : "");
}

function header(doc, opts) {
  const m = doc.meta || {};
  const facts = [];
  if (m.source) facts.push(m.source);
  if (m.published) facts.push(fmtTime(m.published.time) + (m.published.basis === "assumed_utc" ? " (UTC assumed)" : " UTC"));
  if (m.authors && m.authors.length) facts.push("by " + m.authors.join(", "));
  if (m.language) facts.push(m.language);
  return [
    h(opts.analyzed ? "h2" : "h1", { class: ["doc-title", m.title ? null : "untitled"] }, m.title || untitled(doc)),
    h(
      "p",
      { class: "lead" },
      facts.join(" · "),
      m.url ? [" · ", h("a", { href: m.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original")] : null,
    ),
    h("p", { class: "meta" }, opts.analyzed ? "Not stored. " : "", "id ", doc.id, m.input ? ` · from ${m.input.origin} (${m.input.format})` : ""),
  ];
}

function showIn(key) {
  return h(
    "button",
    {
      type: "button",
      class: "link-button",
      onclick: () => {
        const el = document.getElementById("ann-" + key);
        if (el) {
          el.scrollIntoView({ block: "center" });
          el.focus();
        }
      },
    },
    "show in text",
  );
}

function quoteList(doc) {
  const qs = doc.layers.quotes || [];
  const ents = doc.layers.entities || [];
  if (!qs.length) return note("No quotes found.");
  return h(
    "ol",
    { class: "quotes doc-quotes" },
    qs.map((q, i) => {
      const sp = q.speaker !== undefined ? ents[q.speaker] : null;
      const by = q.reported_by !== undefined ? ents[q.reported_by] : null;
      return h(
        "li",
        { class: ["quote", "q-" + q.kind], dataset: { ordinal: i } },
        h("span", { class: "speaker" }, sp ? entityLink(sp.id, sp.name, sp.type) : h("span", { class: q.source ? "entity-name unlinked" : "entity-name unknown" }, speakerName(doc, q))),
        sp && q.source && slice(doc, q.source) !== sp.name ? h("span", { class: "meta" }, ` (as “${slice(doc, q.source)}”)`) : null,
        by ? h("span", { class: "meta" }, " reported by ", entityLink(by.id, by.name, by.type)) : null,
        h("span", { class: "meta" }, ` · ${q.cue ? slice(doc, q.cue) : "no cue"} · ${q.kind} · confidence ${fmtConf(q.confidence)} · `, showIn("q" + i)),
        h("blockquote", {}, quoteText(doc, q)),
        q.evidence && q.evidence.length ? h("details", {}, h("summary", {}, "evidence"), h("ul", {}, q.evidence.map((e) => h("li", {}, e)))) : null,
      );
    }),
  );
}

function entityTable(doc) {
  const ents = doc.layers.entities || [];
  if (!ents.length) return note("No entities found.");
  const count = new Array(ents.length).fill(0);
  const conf = new Array(ents.length).fill(0);
  for (const x of doc.layers.mentions || []) {
    if (x.entity === undefined) continue;
    count[x.entity]++;
    conf[x.entity] = Math.max(conf[x.entity], x.link ? x.link.confidence : 0);
  }
  // By name in code-point order: localeCompare builds a collator per call (tens of ms here).
  const byName = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const order = ents.map((_, i) => i).sort((a, b) => count[b] - count[a] || byName(ents[a].name, ents[b].name));
  return h(
    "table",
    { class: "table" },
    h("thead", {}, h("tr", {}, ["Entity", "Kind", "Mentions", "Written as", "Link", "Roles"].map((t, i) => h("th", { scope: "col", class: i === 2 ? "num" : null }, t)))),
    h(
      "tbody",
      {},
      order.map((i) => {
        const e = ents[i];
        const rep = new Set(e.repaired || []);
        return h(
          "tr",
          {},
          h("td", {}, entityLink(e.id, e.name, e.type), h("div", { class: "meta" }, e.id)),
          h("td", {}, kindTag(e.type)),
          h("td", { class: "num" }, String(count[i])),
          h("td", { class: "forms" }, (e.aliases || []).flatMap((a, k) => [k ? ", " : "", rep.has(a) ? h("span", { class: "repaired-form" }, a, h("span", { class: "badge repaired-badge" }, "repaired")) : a])),
          h("td", {}, e.kb_id ? `KB · ${fmtConf(conf[i] || e.confidence)}` : `new · ${fmtConf(e.confidence)}`),
          h("td", {}, (e.roles || []).join("; ")),
        );
      }),
    ),
  );
}

function timexTable(doc) {
  const ts = doc.layers.timexes || [];
  if (!ts.length) return note("No time expressions found.");
  return h(
    "table",
    { class: "table" },
    h("thead", {}, h("tr", {}, ["Text", "Type", "Value", "Anchor", "Rule", "Confidence"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      ts.map((t, i) =>
        h("tr", {}, h("td", {}, slice(doc, t.span), " ", showIn("t" + i)), h("td", {}, t.type), h("td", { class: "value" }, t.value || "–"), h("td", {}, t.anchor || ""), h("td", {}, t.rule || ""), h("td", {}, fmtConf(t.confidence))),
      ),
    ),
  );
}

function eventList(doc) {
  const evs = doc.layers.events || [];
  const ents = doc.layers.entities || [];
  const tx = doc.layers.timexes || [];
  if (!evs.length) return note("No events found.");
  const actor = (a) => {
    if (!a) return h("span", { class: "meta" }, "—");
    const e = a.entity !== undefined ? ents[a.entity] : null;
    return h("span", {}, e ? entityLink(e.id, e.name, e.type) : slice(doc, a.span), a.code ? h("span", { class: "code" }, " " + a.code) : null);
  };
  return h(
    "ol",
    { class: "events" },
    evs.map((e, i) =>
      h(
        "li",
        { class: ["event", "m-" + e.modality] },
        h("span", { class: "code" }, e.code),
        " ",
        h("span", { class: "plover" }, e.plover),
        " ",
        actor(e.source),
        h("span", { class: "trigger" }, " " + slice(doc, e.trigger || e.span) + " "),
        actor(e.target),
        e.place !== undefined && ents[e.place] ? h("span", {}, " @ ", entityLink(ents[e.place].id, ents[e.place].name, "place")) : null,
        h("span", { class: "meta" }, ` · ${e.date !== undefined && tx[e.date] ? tx[e.date].value : "no date"} · ${e.modality} · Goldstein ${e.goldstein} · confidence ${fmtConf(e.confidence)} · `, showIn("e" + i)),
        e.evidence && e.evidence.length ? h("details", {}, h("summary", {}, "evidence"), h("ul", {}, e.evidence.map((x) => h("li", {}, x)))) : null,
      ),
    ),
  );
}

/// The whole article view of a document (stored, or analyzed on /ingest).
export function renderDocument(doc, opts = {}) {
  const L = doc.layers || {};
  const counts = { ent: (L.mentions || []).length, tx: (L.timexes || []).length, q: (L.quotes || []).length, ev: (L.events || []).length };
  const enabled = { ent: true, tx: true, q: true, ev: true };
  const heading = opts.analyzed ? "h3" : "h2";
  let drawn = drawText(doc, enabled, heading);
  const textBox = h("div", { class: "doc-wrap" }, drawn.box);
  const tip = tooltip(textBox, () => drawn.anns);
  textBox.append(tip);
  const toggles = h(
    "fieldset",
    { class: "inline layers" },
    h("legend", {}, "Layers"),
    LAYERS.map(([k, name]) =>
      h(
        "label",
        { class: "layer-toggle lt-" + k },
        h("input", {
          type: "checkbox",
          checked: true,
          onchange: (ev) => {
            enabled[k] = ev.target.checked;
            drawn = drawText(doc, enabled, heading);
            tip.hidden = true;
            textBox.replaceChildren(drawn.box, tip);
          },
        }),
        ` ${name} (${counts[k]})`,
      ),
    ),
  );
  // The lists below the text: drawn after the first paint when the caller offers it.
  const lists = [];
  const drawLists = () =>
    lists.push(
      section(`Quotes (${counts.q})`, quoteList(doc)),
      section(`Entities (${(L.entities || []).length})`, entityTable(doc)),
      section(`Time expressions (${counts.tx})`, timexTable(doc)),
      section(`Events (${counts.ev})`, eventList(doc)),
    );
  if (!opts.later) drawLists();
  const el = h(
    "article",
    { class: "doc" },
    header(doc, opts),
    toggles,
    h("p", { class: "meta hint" }, "Hover or focus (Tab) an annotation for its evidence and confidence; Escape hides it."),
    textBox,
    lists,
  );
  if (opts.later) {
    opts.later(() => {
      drawLists();
      el.append(...lists);
    });
  }
  return el;
}

export async function render(root, ctx) {
  const id = ctx.id || "";
  const [doc, dups] = await Promise.all([api.get("/articles/" + api.enc(id)), api.getOptional(`/articles/${api.enc(id)}/duplicates`).catch(() => null)]);
  root.append(renderDocument(doc, { later: ctx.later }));
  if (dups && dups.members && dups.members.length > 1) {
    ctx.later(() =>
      root.append(
        section(
          "Near-duplicates",
          h(
            "ul",
            {},
            dups.members.filter((m) => m.id !== doc.id).map((m) =>
              h("li", {}, h("a", { href: route("article", m.id) }, m.title || m.source || m.id), m.canonical ? " (original)" : "", m.similarity ? ` · similarity ${fmtConf(m.similarity)}` : ""),
            ),
          ),
        ),
      ),
    );
  }
  const ann = ctx.params.get("ann");
  if (ann) {
    // After the page is in place.
    setTimeout(() => {
      const el = document.getElementById("ann-" + ann);
      if (el) {
        el.scrollIntoView({ block: "center" });
        el.focus({ preventScroll: true });
      }
    }, 0);
  }
}
