//! The newsgraph pipeline.
//!
//! An [`Annotator`] is a component that reads some layers of a [`Document`] and writes
//! others. It declares both ([`Annotator::requires`], [`Annotator::assigns`]); the
//! [`PipelineBuilder`] checks, when the pipeline is built, that every requirement is
//! assigned by an earlier component (or is always present), so a misordered pipeline fails
//! at start-up, not halfway through a corpus.
//!
//! [`Pipeline::process_batch`] annotates documents across all cores and keeps their order;
//! [`Pipeline::stream`] does the same over an iterator of any length, a chunk at a time.
//!
//! ```
//! use newsgraph_engine::Pipeline;
//! use newsgraph_model::DocumentBuilder;
//! let pipeline = Pipeline::standard();
//! let docs = pipeline.process_batch(vec![DocumentBuilder::new("One. Two.").build()]);
//! assert_eq!(docs[0].layers.sentences.len(), 2);
//! ```
//!
//! Later issues add annotators (entities, time, quotes, events) by implementing the trait
//! and appending them in [`Pipeline::standard`]; nothing else changes.

mod annotators;
mod entity;
mod event;
mod quote;
mod record;

pub use annotators::{MetadataAnnotator, SegmentAnnotator, TimeAnnotator};
pub use entity::EntityAnnotator;
pub use event::EventAnnotator;
pub use quote::QuoteAnnotator;
pub use record::{AmountAnnotator, ThemeAnnotator, ToneAnnotator};

use newsgraph_model::{Document, LayerName};
use rayon::prelude::*;

/// A pipeline component.
///
/// Contract: `annotate` may read the layers in `requires()` (and the text and metadata),
/// must fill only the layers in `assigns()` (and metadata fields it documents), must keep
/// every span it writes inside the text on character boundaries, and must not panic on
/// any text: a component that cannot say anything leaves its layer empty.
pub trait Annotator: Send + Sync {
    /// A short stable name, recorded as the producer of what it writes.
    fn name(&self) -> &'static str;
    fn requires(&self) -> &'static [LayerName];
    fn assigns(&self) -> &'static [LayerName];
    fn annotate(&self, doc: &mut Document);
}

/// A pipeline that fails to build.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    #[error("annotator `{annotator}` requires layer `{layer}`, which no earlier annotator assigns")]
    MissingRequirement { annotator: &'static str, layer: LayerName },
    #[error("annotators `{first}` and `{second}` both assign layer `{layer}`")]
    DoubleAssignment { first: &'static str, second: &'static str, layer: LayerName },
}

/// Builds a [`Pipeline`], checking the components' contracts.
#[derive(Default)]
pub struct PipelineBuilder {
    components: Vec<Box<dyn Annotator>>,
    batch_size: Option<usize>,
}

impl PipelineBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(mut self, a: impl Annotator + 'static) -> Self {
        self.components.push(Box::new(a));
        self
    }

    /// Documents per chunk in [`Pipeline::stream`] (default 64).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    pub fn build(self) -> Result<Pipeline, PipelineError> {
        // Layers the ingest step always provides.
        let mut assigned: Vec<(LayerName, &'static str)> =
            vec![(LayerName::Text, "ingest"), (LayerName::Paragraphs, "ingest")];
        for c in &self.components {
            for &layer in c.requires() {
                if !assigned.iter().any(|(l, _)| *l == layer) {
                    return Err(PipelineError::MissingRequirement { annotator: c.name(), layer });
                }
            }
            for &layer in c.assigns() {
                if let Some((_, first)) = assigned.iter().find(|(l, _)| *l == layer) {
                    return Err(PipelineError::DoubleAssignment { first, second: c.name(), layer });
                }
                assigned.push((layer, c.name()));
            }
        }
        Ok(Pipeline { components: self.components, batch_size: self.batch_size.unwrap_or(64) })
    }
}

/// An immutable, checked sequence of annotators. Cheap to share across threads.
pub struct Pipeline {
    components: Vec<Box<dyn Annotator>>,
    batch_size: usize,
}

impl Pipeline {
    /// The pipeline every command uses: metadata, segmentation, time, entities, quotes,
    /// events, then the rest of the GKG record: amounts, themes, tone.
    pub fn standard() -> Pipeline {
        PipelineBuilder::new()
            .add(MetadataAnnotator)
            .add(SegmentAnnotator::default())
            .add(TimeAnnotator::default())
            .add(EntityAnnotator::default())
            .add(QuoteAnnotator::default())
            .add(EventAnnotator::default())
            .add(AmountAnnotator::default())
            .add(ThemeAnnotator::default())
            .add(ToneAnnotator::default())
            .build()
            .expect("the standard pipeline is well-ordered")
    }

    /// Names of the components, in order.
    pub fn component_names(&self) -> Vec<&'static str> {
        self.components.iter().map(|c| c.name()).collect()
    }

    /// Annotates one document in place.
    pub fn annotate(&self, doc: &mut Document) {
        for c in &self.components {
            c.annotate(doc);
        }
        debug_assert!(doc.validate().is_ok(), "an annotator wrote a span outside the text");
    }

    /// Annotates documents in parallel; the output order is the input order.
    pub fn process_batch(&self, mut docs: Vec<Document>) -> Vec<Document> {
        docs.par_iter_mut().for_each(|d| self.annotate(d));
        docs
    }

    /// Streams: pulls `batch_size` items at a time, annotates the documents among them in
    /// parallel, yields everything in input order. Errors pass through untouched so that the
    /// caller can count and report them.
    pub fn stream<'a, E: Send + 'a>(
        &'a self,
        input: impl Iterator<Item = Result<Document, E>> + 'a,
    ) -> impl Iterator<Item = Result<Document, E>> + 'a {
        let mut input = input.fuse();
        let mut ready = std::collections::VecDeque::new();
        std::iter::from_fn(move || {
            if ready.is_empty() {
                let mut chunk: Vec<Result<Document, E>> = input.by_ref().take(self.batch_size).collect();
                chunk.par_iter_mut().for_each(|r| {
                    if let Ok(d) = r {
                        self.annotate(d)
                    }
                });
                ready.extend(chunk);
            }
            ready.pop_front()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsgraph_model::DocumentBuilder;

    struct Needs(&'static [LayerName], &'static [LayerName]);
    impl Annotator for Needs {
        fn name(&self) -> &'static str {
            "needs"
        }
        fn requires(&self) -> &'static [LayerName] {
            self.0
        }
        fn assigns(&self) -> &'static [LayerName] {
            self.1
        }
        fn annotate(&self, _: &mut Document) {}
    }

    #[test]
    fn contract_is_checked_at_build() {
        let err = PipelineBuilder::new().add(Needs(&[LayerName::Entities], &[])).build().err().unwrap();
        assert!(matches!(err, PipelineError::MissingRequirement { layer: LayerName::Entities, .. }));
        let err = PipelineBuilder::new()
            .add(SegmentAnnotator::default())
            .add(Needs(&[], &[LayerName::Tokens]))
            .build()
            .err()
            .unwrap();
        assert!(matches!(err, PipelineError::DoubleAssignment { .. }), "{err}");
        assert!(PipelineBuilder::new()
            .add(SegmentAnnotator::default())
            .add(Needs(&[LayerName::Tokens], &[LayerName::Entities]))
            .build()
            .is_ok());
    }

    #[test]
    fn batch_and_stream_keep_order() {
        let p = PipelineBuilder::new().add(SegmentAnnotator::default()).batch_size(3).build().unwrap();
        let texts: Vec<String> = (0..20).map(|i| format!("Article {i}. It ends.")).collect();
        let docs: Vec<Document> = texts.iter().map(|t| DocumentBuilder::new(t).build()).collect();
        let out = p.process_batch(docs.clone());
        let streamed: Vec<Document> = p.stream(docs.into_iter().map(Ok::<_, ()>)).map(Result::unwrap).collect();
        for (i, (a, b)) in out.iter().zip(&streamed).enumerate() {
            assert_eq!(a.text(), texts[i]);
            assert_eq!(a, b);
            assert_eq!(a.layers.sentences.len(), 2);
        }
        assert_eq!(streamed.len(), 20);
    }
}
