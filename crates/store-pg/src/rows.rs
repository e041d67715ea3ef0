//! The search columns derived from a document at write time (its entity ids; mentioned days
//! and event types, entity occurrences, quotes and events come from `newsgraph_store::rows`, shared with the embedded store; the
//! cross-backend test (`tests/pg.rs`, `same_answers_as_the_embedded_store`) checks that both
//! backends answer alike.

use crate::pg_text;
use newsgraph_model::Document;

/// The distinct entity ids of a document (its `entities` layer), sorted.
pub fn entity_ids(doc: &Document) -> Vec<String> {
    let mut ids: Vec<String> =
        doc.layers.entities.iter().map(|e| e.id.trim()).filter(|id| !id.is_empty()).map(pg_text).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
