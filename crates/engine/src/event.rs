//! The event annotator: wraps `newsgraph-event`.
use crate::Annotator;
use newsgraph_event::EventCoder;
use newsgraph_model::{Document, LayerName};

/// Fills the `events` layer: CAMEO-coded events with source and target actors (entities and
/// CAMEO actor codes), PLOVER category, Goldstein value, QuadClass, modality, place, date
/// and evidence (see `crates/event`).
pub struct EventAnnotator {
    coder: &'static EventCoder,
}

impl Default for EventAnnotator {
    fn default() -> Self {
        EventAnnotator { coder: EventCoder::builtin() }
    }
}

impl Annotator for EventAnnotator {
    fn name(&self) -> &'static str {
        "events"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens, LayerName::Mentions, LayerName::Entities, LayerName::Timexes]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Events]
    }
    fn annotate(&self, doc: &mut Document) {
        self.coder.annotate(doc);
    }
}
