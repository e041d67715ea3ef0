//! `newsgraph eval …`: scores against gold data.
use anyhow::{Context, Result};
use newsgraph_eval::extract::{run_benchmark, ExtractReport};
use newsgraph_ingest::{IngestOptions, Source};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The body text newsgraph extracts from one HTML page: the same path as `ingest`
/// (charset detection, main-text extraction, normalization), blocks joined by blank lines.
pub fn page_text(bytes: &[u8], url: Option<&str>, opts: &IngestOptions) -> String {
    let name = url.unwrap_or("page.html");
    let mut src = Source::from_bytes(name, bytes.to_vec(), Some("text/html"), opts);
    match src.next() {
        Some(Ok(ing)) => ing.document.text().to_string(),
        _ => String::new(),
    }
}

pub fn extract(benchmark: &Path, json: bool, report: Option<&Path>) -> Result<ExitCode> {
    let opts = IngestOptions::default();
    let r = run_benchmark(benchmark, |bytes, url| page_text(bytes, url, &opts))
        .with_context(|| format!("benchmark at {}", benchmark.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", table(&r));
    }
    if let Some(path) = report {
        let md = markdown(&r, benchmark);
        std::fs::write(path, md).with_context(|| format!("cannot write report {}", path.display()))?;
        eprintln!("newsgraph: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn table(r: &ExtractReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:<12} {:>9} {:>9} {:>9}", "pages", "precision", "recall", "F1");
    let _ = writeln!(s, "{:<12} {:>9.3} {:>9.3} {:>9.3}", r.pages, r.precision, r.recall, r.f1);
    s
}

fn markdown(r: &ExtractReport, benchmark: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Main-text extraction: article-extraction-benchmark\n");
    let _ = writeln!(s, "Produced by `newsgraph eval extract --benchmark {} --report <this file>`.", benchmark.display());
    let _ = writeln!(s, "Metric: the benchmark's own (token 4-gram shingles, per-page P/R averaged, F1 of the means).\n");
    let _ = writeln!(s, "| pages | precision | recall | F1 |\n|---|---|---|---|");
    let _ = writeln!(s, "| {} | {:.3} | {:.3} | {:.3} |\n", r.pages, r.precision, r.recall, r.f1);
    let _ = writeln!(s, "Reference (as published by the benchmark): trafilatura 2.0 0.958, readability-js 0.947, newspaper4k 0.949, goose3 0.896.\n");
    let _ = writeln!(s, "## The 15 weakest pages\n\n| page | precision | recall | F1 |\n|---|---|---|---|");
    for p in r.worst(15) {
        let _ = writeln!(s, "| {} | {:.3} | {:.3} | {:.3} |", p.url.as_deref().unwrap_or(&p.id), p.precision, p.recall, p.f1);
    }
    s
}
