//! What the amounts, themes and tone stages cost: the standard pipeline with and without
//! them, interleaved runs (best of each), and each stage alone, over the same corpus as
//! `newsgraph bench events` (examples + the 181 benchmark pages).
//!
//! `cargo run --release -p newsgraph-engine --example record_speed [INPUT…]`
use newsgraph_engine::*;
use newsgraph_ingest::{IngestOptions, Source};
use newsgraph_model::Document;
use std::time::Instant;

fn main() {
    let mut inputs: Vec<String> = std::env::args().skip(1).collect();
    if inputs.is_empty() {
        inputs = vec!["examples".into(), "../shared/data/article-extraction-benchmark/html".into()];
    }
    let mut docs: Vec<Document> = Vec::new();
    for i in &inputs {
        docs.extend(Source::open(i, &IngestOptions::default()).expect("input opens").flatten().map(|x| x.document));
    }
    let without = PipelineBuilder::new()
        .add(MetadataAnnotator)
        .add(SegmentAnnotator::default())
        .add(TimeAnnotator::default())
        .add(EntityAnnotator::default())
        .add(QuoteAnnotator::default())
        .add(EventAnnotator::default())
        .build()
        .unwrap();
    let with = Pipeline::standard();
    let run = |p: &Pipeline| {
        let t = Instant::now();
        let mut sentences = 0;
        let mut out = Vec::with_capacity(docs.len());
        for d in &docs {
            let mut d = d.clone();
            p.annotate(&mut d);
            sentences += d.layers.sentences.len();
            out.push(d);
        }
        (sentences as f64 / t.elapsed().as_secs_f64(), out)
    };
    let (mut best_without, mut best_with) = (0f64, 0f64);
    let mut annotated = Vec::new();
    for _ in 0..3 {
        best_without = best_without.max(run(&without).0);
        let (r, out) = run(&with);
        best_with = best_with.max(r);
        annotated = out;
    }
    let sentences: usize = annotated.iter().map(|d| d.layers.sentences.len()).sum();
    println!("{} documents, {sentences} sentences (wall-clock, best of 3, one thread)", docs.len());
    println!("pipeline without amounts/themes/tone: {best_without:.0} sentences/s");
    println!("pipeline with them:                   {best_with:.0} sentences/s");
    let stages: [(&str, Box<dyn Annotator>); 3] = [
        ("amounts", Box::new(AmountAnnotator::default())),
        ("themes", Box::new(ThemeAnnotator::default())),
        ("tone", Box::new(ToneAnnotator::default())),
    ];
    for (name, stage) in stages {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            for d in &mut annotated {
                stage.annotate(d);
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "  {name:<8} stage alone: {:.0} sentences/s ({:.1} ms for the corpus)",
            sentences as f64 / best,
            best * 1e3
        );
    }
    let amounts: usize = annotated.iter().map(|d| d.layers.amounts.len()).sum();
    let counts: usize = annotated.iter().flat_map(|d| &d.layers.amounts).filter(|a| a.count_type.is_some()).count();
    let themes: usize = annotated.iter().map(|d| d.layers.themes.len()).sum();
    let toned = annotated.iter().filter(|d| d.layers.tone.is_some()).count();
    println!("{amounts} amounts ({counts} with a count type), {themes} article themes, {toned} documents with tone (the others are not English)");
    assert!(amounts > 0 && themes > 0 && toned > docs.len() / 2, "sanity check: the stages did nothing");
}
