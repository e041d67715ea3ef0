//! The quote annotator: wraps `newsgraph-quote`.
use crate::Annotator;
use newsgraph_model::{Document, LayerName};
use newsgraph_quote::QuoteFinder;

/// Fills the `quotes` layer: direct, partial, mixed and reported speech with cue, source
/// and speaker entity (see `crates/quote`).
#[derive(Default)]
pub struct QuoteAnnotator {
    finder: QuoteFinder,
}

impl Annotator for QuoteAnnotator {
    fn name(&self) -> &'static str {
        "quotes"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens, LayerName::Mentions, LayerName::Entities]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Quotes]
    }
    fn annotate(&self, doc: &mut Document) {
        self.finder.annotate(doc);
    }
}
