//! The user's sample article through the standard pipeline.
use newsgraph_engine::Pipeline;
use newsgraph_ingest::{IngestOptions, Source};
use newsgraph_model::Document;

/// `examples/alaska-summit.txt` (published Friday 2025-08-08), every layer filled.
pub fn sample() -> Document {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/alaska-summit.txt");
    let mut src = Source::open(path, &IngestOptions::default()).expect("the example opens");
    let mut doc = src.next().expect("one article").expect("it reads").document;
    Pipeline::standard().annotate(&mut doc);
    doc
}
