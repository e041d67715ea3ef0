//! `newsgraph bench …`: throughput per CPU-second and peak memory.
use crate::usage;
use anyhow::{bail, Context, Result};
use newsgraph_ingest::IngestOptions;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Serialize)]
struct ExtractBench {
    corpus: String,
    pages: usize,
    passes: usize,
    megabytes: f64,
    cpu_seconds: f64,
    wall_seconds: f64,
    pages_per_cpu_second: f64,
    mb_per_cpu_second: f64,
    words_per_cpu_second: f64,
    peak_rss_mb: f64,
}

/// Reads every `.html` / `.html.gz` page of a folder into memory (not timed).
fn load_pages(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read corpus folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html") || p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    names.sort();
    let mut pages = Vec::with_capacity(names.len());
    for p in names {
        let raw = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
        if p.to_string_lossy().ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .with_context(|| format!("bad gzip {}", p.display()))?;
            pages.push(out);
        } else {
            pages.push(raw);
        }
    }
    Ok(pages)
}

/// Decoding + main-text extraction + normalization of every page, single-threaded,
/// `repeat` passes; CPU time from getrusage (user + system).
pub fn extract(corpus: &Path, repeat: usize, json: bool) -> Result<ExitCode> {
    let pages = load_pages(corpus)?;
    if pages.is_empty() {
        bail!("no .html or .html.gz pages in {}", corpus.display());
    }
    let opts = IngestOptions::default();
    let repeat = repeat.max(1);
    let before = usage::now();
    let wall = Instant::now();
    let mut words = 0usize;
    let mut nonempty = 0usize;
    for _ in 0..repeat {
        for p in &pages {
            let text = super::eval::page_text(p, None, &opts);
            words += text.split_whitespace().count();
            nonempty += usize::from(!text.is_empty());
        }
    }
    let after = usage::now();
    // A benchmark that silently extracts nothing must fail, not report a great speed.
    if nonempty < pages.len() * repeat / 2 {
        bail!("sanity check failed: only {nonempty} of {} pages gave any text", pages.len() * repeat);
    }
    let cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let mb = (bytes * repeat) as f64 / 1e6;
    let r = ExtractBench {
        corpus: corpus.display().to_string(),
        pages: pages.len(),
        passes: repeat,
        megabytes: mb,
        cpu_seconds: cpu,
        wall_seconds: wall.elapsed().as_secs_f64(),
        pages_per_cpu_second: (pages.len() * repeat) as f64 / cpu,
        mb_per_cpu_second: mb / cpu,
        words_per_cpu_second: words as f64 / cpu,
        peak_rss_mb: after.peak_rss_bytes as f64 / 1e6,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("corpus               {} ({} pages × {} passes, {:.1} MB)", r.corpus, r.pages, r.passes, r.megabytes);
        println!("CPU time             {:.3} s (wall {:.3} s, one thread)", r.cpu_seconds, r.wall_seconds);
        println!("pages / CPU-second   {:.1}", r.pages_per_cpu_second);
        println!("MB / CPU-second      {:.2}", r.mb_per_cpu_second);
        println!("words / CPU-second   {:.0}", r.words_per_cpu_second);
        println!("peak memory          {:.1} MB", r.peak_rss_mb);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct IngestBench {
    inputs: Vec<String>,
    articles: usize,
    errors: usize,
    wall_seconds: f64,
    cpu_seconds: f64,
    articles_per_second: f64,
    articles_per_cpu_second: f64,
    peak_rss_mb: f64,
}

/// The whole ingest path (read, decode, extract, annotate, store, index) into a fresh
/// temporary store.
pub fn ingest(inputs: &[String], json: bool) -> Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("newsgraph-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = (|| {
        let mut store = super::open_store(&dir)?;
        let before = usage::now();
        let s = super::ingest::run(&mut store, inputs, &Default::default(), false)?;
        let after = usage::now();
        if s.read == 0 {
            bail!("sanity check failed: no article read from {inputs:?}");
        }
        let cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
        Ok(IngestBench {
            inputs: inputs.to_vec(),
            articles: s.read,
            errors: s.errors,
            wall_seconds: s.seconds,
            cpu_seconds: cpu,
            articles_per_second: s.articles_per_second,
            articles_per_cpu_second: s.read as f64 / cpu,
            peak_rss_mb: after.peak_rss_bytes as f64 / 1e6,
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("inputs                  {}", r.inputs.join(" "));
        println!("articles                {} ({} bad records)", r.articles, r.errors);
        println!("wall time               {:.3} s", r.wall_seconds);
        println!("articles / second       {:.1}", r.articles_per_second);
        println!("articles / CPU-second   {:.1}", r.articles_per_cpu_second);
        println!("peak memory             {:.1} MB", r.peak_rss_mb);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct QuoteBench {
    corpus: String,
    documents: usize,
    passes: usize,
    words: usize,
    quotes: usize,
    /// The quote stage alone (its input layers made before the clock starts).
    cpu_seconds: f64,
    words_per_cpu_second: f64,
    /// The whole pipeline up to and including quotes, one pass.
    pipeline_words_per_cpu_second: f64,
    peak_rss_mb: f64,
}

/// The quote stage over the main text of a folder of news pages (the ingest path),
/// single-threaded: words per CPU-second for the stage alone (`repeat` passes) and for the
/// whole pipeline (one pass); CPU time from getrusage.
pub fn quotes(corpus: &Path, repeat: usize, json: bool) -> Result<ExitCode> {
    use newsgraph_engine::{
        Annotator, EntityAnnotator, MetadataAnnotator, QuoteAnnotator, SegmentAnnotator, TimeAnnotator,
    };
    let pages = load_pages(corpus)?;
    let opts = IngestOptions::default();
    let mut docs: Vec<newsgraph_model::Document> = pages
        .iter()
        .filter_map(|p| {
            let text = super::eval::page_text(p, None, &opts);
            (!text.trim().is_empty()).then(|| newsgraph_model::DocumentBuilder::new(&text).build())
        })
        .collect();
    if docs.is_empty() {
        bail!("no article text in {}", corpus.display());
    }
    let words: usize = docs.iter().map(|d| d.word_count()).sum();
    let before_layers: Vec<Box<dyn Annotator>> = vec![
        Box::new(MetadataAnnotator),
        Box::new(SegmentAnnotator::default()),
        Box::new(TimeAnnotator::default()),
        Box::new(EntityAnnotator::default()),
    ];
    let quote = QuoteAnnotator::default();
    // Load models and data before timing.
    let mut warm = docs[0].clone();
    before_layers.iter().for_each(|a| a.annotate(&mut warm));
    newsgraph_link::geocode::geocoder();
    let start = usage::now();
    for d in &mut docs {
        before_layers.iter().for_each(|a| a.annotate(d));
        quote.annotate(d);
    }
    let pipeline_cpu = (usage::now().cpu - start.cpu).as_secs_f64().max(1e-9);
    let repeat = repeat.max(1);
    let mut passes: Vec<Vec<newsgraph_model::Document>> = (0..repeat).map(|_| docs.clone()).collect();
    let before = usage::now();
    let mut found = 0;
    for pass in &mut passes {
        for d in pass.iter_mut() {
            quote.annotate(d);
            found += d.layers.quotes.len();
        }
    }
    let after = usage::now();
    if found == 0 {
        bail!("sanity check failed: no quote found in {} documents", docs.len());
    }
    let cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
    let r = QuoteBench {
        corpus: corpus.display().to_string(),
        documents: docs.len(),
        passes: repeat,
        words: words * repeat,
        quotes: found / repeat,
        cpu_seconds: cpu,
        words_per_cpu_second: (words * repeat) as f64 / cpu,
        pipeline_words_per_cpu_second: words as f64 / pipeline_cpu,
        peak_rss_mb: after.peak_rss_bytes as f64 / 1e6,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("corpus                 {} ({} documents × {} passes)", r.corpus, r.documents, r.passes);
        println!("words                  {}", r.words);
        println!("quotes per pass        {}", r.quotes);
        println!("CPU time (quotes)      {:.3} s (one thread)", r.cpu_seconds);
        println!("words / CPU-second     {:.0} (quote stage)", r.words_per_cpu_second);
        println!("words / CPU-second     {:.0} (whole pipeline up to quotes)", r.pipeline_words_per_cpu_second);
        println!("peak memory            {:.1} MB", r.peak_rss_mb);
    }
    Ok(ExitCode::SUCCESS)
}
