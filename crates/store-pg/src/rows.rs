//! The search columns derived from a document at write time. Entity occurrences, quotes and
//! events come from `newsgraph_store::rows`, shared with the embedded store; the
//! cross-backend test (`tests/pg.rs`, `same_answers_as_the_embedded_store`) checks that both
//! backends answer alike.

use crate::pg_text;
use newsgraph_model::Document;

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
