//! The rows derived from a document at write time: entity occurrences, quotes, events and
//! the search columns. Each function mirrors the embedded store's derivation
//! (`crates/store/src/{entities,quotes,events,index}.rs`, documented in its `FORMAT.md`), so
//! both backends answer the same queries with the same values; the cross-backend test
//! (`tests/pg.rs`, `same_answers_as_the_embedded_store`) checks that they agree.

use crate::{pg_opt, pg_text};
use newsgraph_model::{Actor, Document, Entity, Geo, Modality, Quote, QuoteKind, Span};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Link methods whose mention text is not a name of the entity (not kept as a written form).
const NOT_NAMES: [&str; 2] = ["pronoun", "description"];

/// Knowledge-base details kept per occurrence (the `info` column, JSON).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Info {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
}

/// One entity of one document, as stored.
pub struct Occurrence {
    pub entity_id: String,
    pub name: String,
    pub kind: String,
    pub kb_id: Option<String>,
    pub country: Option<String>,
    pub mentions: u64,
    pub aliases: BTreeMap<String, u64>,
    pub repaired: BTreeMap<String, u64>,
    pub info: Info,
}

/// The serde name of an enum value (`person`, `direct`, …), else `fallback`.
fn serde_name<T: Serialize>(v: &T, fallback: &str) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => fallback.to_string(),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The entity occurrences of a document: one per distinct (trimmed, non-blank) entity id.
pub fn occurrences(doc: &Document) -> Vec<Occurrence> {
    let mut out: Vec<Occurrence> = Vec::new();
    let mut slot_of_entity: Vec<usize> = Vec::with_capacity(doc.layers.entities.len());
    let mut slot_of_id: HashMap<&str, usize> = HashMap::new();
    for e in &doc.layers.entities {
        let id = e.id.trim();
        if id.is_empty() {
            slot_of_entity.push(usize::MAX);
            continue;
        }
        let slot = *slot_of_id.entry(id).or_insert_with(|| {
            out.push(Occurrence {
                entity_id: id.to_string(),
                name: e.name.clone(),
                kind: serde_name(&e.kind, "misc"),
                kb_id: e.kb_id.clone(),
                country: e.country.clone(),
                mentions: 0,
                aliases: BTreeMap::new(),
                repaired: BTreeMap::new(),
                info: Info {
                    subtype: e.subtype.clone(),
                    qid: e.qid.clone(),
                    roles: e.roles.clone(),
                    geo: e.geo.clone(),
                },
            });
            out.len() - 1
        });
        slot_of_entity.push(slot);
    }
    for m in &doc.layers.mentions {
        let Some(slot) = m.entity.and_then(|i| slot_of_entity.get(i as usize)).copied() else { continue };
        let Some(o) = out.get_mut(slot) else { continue };
        o.mentions += 1;
        let form = collapse(doc.text().get(m.span.range()).unwrap_or(""));
        if form.is_empty() {
            continue;
        }
        if m.link.as_ref().is_some_and(|l| NOT_NAMES.contains(&l.method.as_str())) {
            continue;
        }
        if m.link.as_ref().is_some_and(|l| l.repaired.is_some()) {
            *o.repaired.entry(form.clone()).or_insert(0) += 1;
        }
        *o.aliases.entry(form).or_insert(0) += 1;
    }
    for (e, &slot) in doc.layers.entities.iter().zip(&slot_of_entity) {
        let Some(o) = out.get_mut(slot) else { continue };
        for a in &e.aliases {
            let c = o.aliases.entry(a.trim().to_string()).or_insert(0);
            *c = (*c).max(1);
        }
        for r in &e.repaired {
            let c = o.repaired.entry(r.trim().to_string()).or_insert(0);
            *c = (*c).max(1);
        }
        o.aliases.remove("");
        o.repaired.remove("");
    }
    out
}

/// A span's text with whitespace collapsed; `None` when empty or out of range.
fn span_text(doc: &Document, span: Span) -> Option<String> {
    let t = collapse(doc.text().get(span.range())?);
    (!t.is_empty()).then_some(t)
}

/// One row of `quotes`.
pub struct QuoteRow {
    pub kind: &'static str,
    pub content: String,
    pub span: (i64, i64),
    pub source: Option<String>,
    pub cue: Option<String>,
    pub speaker: Option<(Option<String>, String, String)>,
    pub reported_by: Option<(Option<String>, String, String)>,
    pub confidence: f64,
}

fn quote_kind(kind: QuoteKind) -> &'static str {
    match kind {
        QuoteKind::Direct => "direct",
        QuoteKind::Partial => "partial",
        QuoteKind::Indirect => "indirect",
        QuoteKind::Mixed => "mixed",
    }
}

fn content_text(doc: &Document, q: &Quote) -> String {
    if q.kind == QuoteKind::Direct && !q.parts.is_empty() {
        let parts: Vec<String> = q.parts.iter().filter_map(|&p| span_text(doc, p)).collect();
        if !parts.is_empty() {
            return parts.join(" … ");
        }
    }
    span_text(doc, q.content).unwrap_or_default()
}

fn who(doc: &Document, index: Option<u32>) -> Option<(Option<String>, String, String)> {
    let e: &Entity = doc.layers.entities.get(index? as usize)?;
    let id = e.id.trim();
    Some(((!id.is_empty()).then(|| pg_text(id)), pg_text(&e.name), serde_name(&e.kind, "misc")))
}

pub fn quotes(doc: &Document) -> Vec<QuoteRow> {
    doc.layers
        .quotes
        .iter()
        .map(|q| QuoteRow {
            kind: quote_kind(q.kind),
            content: pg_text(&content_text(doc, q)),
            span: (q.content.start as i64, q.content.end as i64),
            source: q.source.and_then(|s| span_text(doc, s)).map(|s| pg_text(&s)),
            cue: q.cue.and_then(|s| span_text(doc, s)).map(|s| pg_text(&s)),
            speaker: who(doc, q.speaker),
            reported_by: who(doc, q.reported_by),
            confidence: if q.confidence.is_finite() { q.confidence as f64 } else { 0.0 },
        })
        .collect()
}

/// One row of `events`.
pub struct EventRow {
    pub day: Option<String>,
    pub date_value: Option<String>,
    pub code: String,
    pub root: String,
    pub plover: String,
    pub goldstein: f64,
    pub quad_class: i64,
    pub modality: &'static str,
    pub trigger: String,
    pub content: String,
    pub span: (i64, i64),
    pub source: (Option<String>, Option<String>, Option<String>),
    pub target: (Option<String>, Option<String>, Option<String>),
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub place_country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub confidence: f64,
}

fn modality_name(m: Modality) -> &'static str {
    match m {
        Modality::Happened => "happened",
        Modality::Announced => "announced",
        Modality::Hypothetical => "hypothetical",
        Modality::Negated => "negated",
    }
}

fn actor(doc: &Document, a: Option<&Actor>) -> (Option<String>, Option<String>, Option<String>) {
    let Some(a) = a else { return (None, None, None) };
    let e = a.entity.and_then(|i| doc.layers.entities.get(i as usize));
    let id = e.map(|e| pg_text(e.id.trim())).filter(|s| !s.is_empty());
    let name = e.map(|e| pg_text(&e.name)).or_else(|| span_text(doc, a.span)).unwrap_or_default();
    (id, Some(name), a.code.clone().filter(|c| !c.is_empty()).map(|c| pg_text(&c)))
}

fn day_of(value: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

pub fn events(doc: &Document) -> Vec<EventRow> {
    let published = doc.meta.published.as_ref().map(|p| p.time);
    let finite = |x: f32| if x.is_finite() { x as f64 } else { 0.0 };
    doc.layers
        .events
        .iter()
        .map(|ev| {
            let date = ev.date.and_then(|t| doc.layers.timexes.get(t as usize)).map(|t| pg_text(&t.value));
            let day = date
                .as_deref()
                .and_then(day_of)
                .or_else(|| published.map(|p| p.with_timezone(&chrono::Utc).date_naive()))
                .map(|d| d.format("%Y-%m-%d").to_string());
            let place = ev.place.and_then(|p| doc.layers.entities.get(p as usize));
            let geo = place.and_then(|p| p.geo.as_ref()).filter(|g| g.lat.is_finite() && g.lon.is_finite());
            EventRow {
                day,
                date_value: date,
                code: pg_text(&ev.code),
                root: pg_text(&ev.root),
                plover: pg_text(&ev.plover),
                goldstein: finite(ev.goldstein),
                quad_class: ev.quad_class as i64,
                modality: modality_name(ev.modality),
                trigger: span_text(doc, ev.trigger).map(|s| pg_text(&s)).unwrap_or_default(),
                content: span_text(doc, ev.span).map(|s| pg_text(&s)).unwrap_or_default(),
                span: (ev.span.start as i64, ev.span.end as i64),
                source: actor(doc, ev.source.as_ref()),
                target: actor(doc, ev.target.as_ref()),
                place_id: place.map(|p| pg_text(p.id.trim())).filter(|s| !s.is_empty()),
                place_name: place.map(|p| pg_text(&p.name)),
                place_country: pg_opt(geo.map(|g| &g.country).or_else(|| place.and_then(|p| p.country.as_ref()))),
                lat: geo.map(|g| g.lat),
                lon: geo.map(|g| g.lon),
                confidence: finite(ev.confidence),
            }
        })
        .collect()
}

/// The days the text mentions (resolved time expressions: first and last day of each), as
/// Unix seconds of their UTC midnight, sorted and distinct (the embedded index's `mentioned`).
pub fn mentioned(doc: &Document) -> Vec<i64> {
    let mut days: Vec<i64> = doc
        .layers
        .timexes
        .iter()
        .filter_map(|x| newsgraph_store::mentioned_days(&x.value))
        .flat_map(|(a, b)| [a, b])
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp())
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The distinct entity ids of a document (its `entities` layer), sorted.
pub fn entity_ids(doc: &Document) -> Vec<String> {
    let mut ids: Vec<String> =
        doc.layers.entities.iter().map(|e| e.id.trim()).filter(|id| !id.is_empty()).map(pg_text).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
