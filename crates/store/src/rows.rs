//! The rows derived from a document when it is written: entity occurrences, quotes, events
//! and the search side's mentioned days and event types. Backend-neutral: the embedded store and `newsgraph-store-pg` write the same rows,
//! so both answer the same queries with the same values.

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
#[derive(Debug)]
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

/// The `kind` string of an entity type (its serde name: `person`, `organization`, …).
fn kind_name(kind: &newsgraph_model::EntityType) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "misc".to_string(),
    }
}

/// The entity occurrences of a document: one per distinct entity id, with the mentions linked
/// to it counted by written form (forms whose link was repaired also count as repaired;
/// pronoun and description mentions count as mentions but not as forms).
/// Forms listed on the entity but not seen among its mentions count once.
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
                kind: kind_name(&e.kind),
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
        let form = doc.text().get(m.span.range()).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
        if form.is_empty() {
            continue;
        }
        // Pronouns ("he") and descriptions ("the Russian leader") count as mentions, not as names.
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
    let t = doc.text().get(span.range())?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// (id, name, kind) of an entity: a quote's speaker or reporter. A blank id is `None`.
pub type Who = (Option<String>, String, String);

/// One row of `quotes`.
#[derive(Debug)]
pub struct QuoteRow {
    pub kind: &'static str,
    /// What was said (see [`quote_rows`]).
    pub content: String,
    /// Byte span of the content.
    pub span: (i64, i64),
    pub source: Option<String>,
    pub cue: Option<String>,
    pub speaker: Option<Who>,
    pub reported_by: Option<Who>,
    pub confidence: f64,
}

/// The `kind` string of a quote kind (its serde name).
fn quote_kind(kind: QuoteKind) -> &'static str {
    match kind {
        QuoteKind::Direct => "direct",
        QuoteKind::Partial => "partial",
        QuoteKind::Indirect => "indirect",
        QuoteKind::Mixed => "mixed",
    }
}

/// What was said: the content; for a direct quote interrupted by its cue, its quotation-mark
/// pieces joined with ` … ` (the `parts` of other kinds are quoted words inside the content).
fn content_text(doc: &Document, q: &Quote) -> String {
    if q.kind == QuoteKind::Direct && !q.parts.is_empty() {
        let parts: Vec<String> = q.parts.iter().filter_map(|&p| span_text(doc, p)).collect();
        if !parts.is_empty() {
            return parts.join(" … ");
        }
    }
    span_text(doc, q.content).unwrap_or_default()
}

fn who(doc: &Document, index: Option<u32>) -> Option<Who> {
    let e: &Entity = doc.layers.entities.get(index? as usize)?;
    let id = e.id.trim();
    Some(((!id.is_empty()).then(|| id.to_string()), e.name.clone(), kind_name(&e.kind)))
}

/// The quote rows of a document, in layer order.
pub fn quote_rows(doc: &Document) -> Vec<QuoteRow> {
    doc.layers
        .quotes
        .iter()
        .map(|q| QuoteRow {
            kind: quote_kind(q.kind),
            content: content_text(doc, q),
            span: (q.content.start as i64, q.content.end as i64),
            source: q.source.and_then(|s| span_text(doc, s)),
            cue: q.cue.and_then(|s| span_text(doc, s)),
            speaker: who(doc, q.speaker),
            reported_by: who(doc, q.reported_by),
            confidence: if q.confidence.is_finite() { q.confidence as f64 } else { 0.0 },
        })
        .collect()
}

/// (id, name, CAMEO code) of an event actor.
pub type ActorRow = (Option<String>, Option<String>, Option<String>);

/// One row of `events`.
#[derive(Debug)]
pub struct EventRow {
    /// `YYYY-MM-DD`: the event's date when it names a day, else the publication day.
    pub day: Option<String>,
    /// The TIMEX3 value of the event's date.
    pub date_value: Option<String>,
    pub code: String,
    pub root: String,
    pub plover: String,
    pub goldstein: f64,
    pub quad_class: i64,
    pub modality: &'static str,
    pub trigger: String,
    pub content: String,
    /// Byte span of the evidence.
    pub span: (i64, i64),
    pub source: ActorRow,
    pub target: ActorRow,
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

/// (id, name, code) of an actor: the linked entity's id and name, else the words.
fn actor(doc: &Document, a: Option<&Actor>) -> ActorRow {
    let Some(a) = a else { return (None, None, None) };
    let e = a.entity.and_then(|i| doc.layers.entities.get(i as usize));
    let id = e.map(|e| e.id.trim().to_string()).filter(|s| !s.is_empty());
    let name = e.map(|e| e.name.clone()).or_else(|| span_text(doc, a.span)).unwrap_or_default();
    (id, Some(name), a.code.clone().filter(|c| !c.is_empty()))
}

/// The day of a TIMEX3 value when it names one (`2025-08-15`, `2025-08-15T10:00`).
fn day_of(value: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// The event rows of a document, in layer order.
pub fn event_rows(doc: &Document) -> Vec<EventRow> {
    let published = doc.meta.published.as_ref().map(|p| p.time);
    let finite = |x: f32| if x.is_finite() { x as f64 } else { 0.0 };
    doc.layers
        .events
        .iter()
        .map(|ev| {
            let date = ev.date.and_then(|t| doc.layers.timexes.get(t as usize)).map(|t| t.value.clone());
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
                code: ev.code.clone(),
                root: ev.root.clone(),
                plover: ev.plover.clone(),
                goldstein: finite(ev.goldstein),
                quad_class: ev.quad_class as i64,
                modality: modality_name(ev.modality),
                trigger: span_text(doc, ev.trigger).unwrap_or_default(),
                content: span_text(doc, ev.span).unwrap_or_default(),
                span: (ev.span.start as i64, ev.span.end as i64),
                source: actor(doc, ev.source.as_ref()),
                target: actor(doc, ev.target.as_ref()),
                place_id: place.map(|p| p.id.trim().to_string()).filter(|s| !s.is_empty()),
                place_name: place.map(|p| p.name.clone()),
                place_country: geo.map(|g| g.country.clone()).or_else(|| place.and_then(|p| p.country.clone())),
                lat: geo.map(|g| g.lat),
                lon: geo.map(|g| g.lon),
                confidence: finite(ev.confidence),
            }
        })
        .collect()
}

/// The days a document mentions (resolved time expressions: the first and last day of each),
/// as Unix seconds of their UTC midnight, sorted and distinct: the search side's `mentioned`.
pub fn mentioned_days_of(doc: &Document) -> Vec<i64> {
    days(doc, false)
}

/// The single days a document mentions (a resolved date, not a longer period), as
/// [`mentioned_days_of`]: the values of the dates-mentioned facet.
pub fn exact_days_of(doc: &Document) -> Vec<i64> {
    days(doc, true)
}

fn days(doc: &Document, exact: bool) -> Vec<i64> {
    let mut days: Vec<i64> = doc
        .layers
        .timexes
        .iter()
        .filter_map(|x| crate::mentioned_days(&x.value))
        .filter(|(a, b)| !exact || a == b)
        .flat_map(|(a, b)| [a, b])
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp())
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The CAMEO root codes of a document's events ("03", "19"), sorted and distinct: the search
/// side's event types.
pub fn event_roots(doc: &Document) -> Vec<String> {
    let mut roots: Vec<String> =
        doc.layers.events.iter().map(|e| e.root.trim().to_string()).filter(|r| !r.is_empty()).collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// A mentioned day (Unix seconds of its UTC midnight) as `YYYY-MM-DD`, the facet value.
pub fn day_value(t: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string())
}
