//! The entity annotator: runs the `newsgraph-entity` tagger over each sentence's tokens.
use crate::Annotator;
use newsgraph_entity::Tagger;
use newsgraph_link::Linker;
use newsgraph_model::{Document, LayerName, Mention, Span};

/// Fills the `mentions` layer with named entities (person, organization, place, misc)
/// found by the committed averaged-perceptron model (evidence `ner-perceptron`,
/// confidence: the mean probability of the mention's tags), then links them
/// (`crates/link`: knowledge-base resolution with name repair, within-document identity,
/// roles, groups, coordinates), which revises `mentions` and fills `entities`.
pub struct EntityAnnotator {
    tagger: Option<&'static Tagger>,
    linker: Linker<'static>,
}

impl Default for EntityAnnotator {
    fn default() -> Self {
        EntityAnnotator { tagger: newsgraph_entity::builtin(), linker: Linker::builtin() }
    }
}

impl EntityAnnotator {
    /// An annotator with a given tagger (e.g. one loaded from a file and leaked).
    pub fn with_tagger(tagger: &'static Tagger) -> Self {
        EntityAnnotator { tagger: Some(tagger), linker: Linker::builtin() }
    }
}

impl Annotator for EntityAnnotator {
    fn name(&self) -> &'static str {
        "entities"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Mentions, LayerName::Entities]
    }
    fn annotate(&self, doc: &mut Document) {
        let Some(tagger) = self.tagger else { return };
        let tokens = &doc.layers.tokens;
        // Sentences as token ranges (tokens are sorted and carry their sentence index).
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let s = tokens[i].sentence;
            let mut j = i;
            while j < tokens.len() && tokens[j].sentence == s {
                j += 1;
            }
            ranges.push(i..j);
            i = j;
        }
        let sentences: Vec<Vec<&str>> =
            ranges.iter().map(|r| tokens[r.clone()].iter().map(|t| doc.slice(t.span)).collect()).collect();
        let mut mentions = Vec::new();
        for (r, ents) in ranges.iter().zip(tagger.entities_document(&sentences)) {
            for e in ents {
                let first = &tokens[r.start + e.start];
                let last = &tokens[r.start + e.end - 1];
                let span = Span::new(first.span.start as usize, last.span.end as usize);
                mentions.push(Mention::new(span, e.kind, e.confidence, "ner-perceptron"));
            }
        }
        doc.layers.mentions = mentions;
        self.linker.link(doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SegmentAnnotator;
    use newsgraph_model::DocumentBuilder;

    #[test]
    fn mentions_are_on_token_boundaries() {
        let text = "Russian President Vladimir Putin met Donald Trump in Anchorage, Alaska, on Friday.\n\nTHE WHITE HOUSE SAID TALKS WITH MOSCOW WENT WELL.";
        let mut doc = DocumentBuilder::new(text).build();
        SegmentAnnotator::default().annotate(&mut doc);
        EntityAnnotator::default().annotate(&mut doc);
        assert!(doc.validate().is_ok());
        for m in &doc.layers.mentions {
            assert!(doc.layers.tokens.iter().any(|t| t.span.start == m.span.start));
            assert!(doc.layers.tokens.iter().any(|t| t.span.end == m.span.end));
            assert!(m.confidence > 0.0 && m.confidence <= 1.0);
            assert_eq!(m.evidence, "ner-perceptron");
        }
        // An empty document has nothing to say.
        let mut empty = DocumentBuilder::new("").build();
        SegmentAnnotator::default().annotate(&mut empty);
        EntityAnnotator::default().annotate(&mut empty);
        assert!(empty.layers.mentions.is_empty());
    }
}
