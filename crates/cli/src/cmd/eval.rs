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
    let _ =
        writeln!(s, "Produced by `newsgraph eval extract --benchmark {} --report <this file>`.", benchmark.display());
    let _ =
        writeln!(s, "Metric: the benchmark's own (token 4-gram shingles, per-page P/R averaged, F1 of the means).\n");
    let _ = writeln!(s, "| pages | precision | recall | F1 |\n|---|---|---|---|");
    let _ = writeln!(s, "| {} | {:.3} | {:.3} | {:.3} |\n", r.pages, r.precision, r.recall, r.f1);
    let _ = writeln!(s, "Reference (as published by the benchmark): trafilatura 2.0 0.958, readability-js 0.947, newspaper4k 0.949, goose3 0.896.\n");
    let _ = writeln!(s, "## The 15 weakest pages\n\n| page | precision | recall | F1 |\n|---|---|---|---|");
    for p in r.worst(15) {
        let _ = writeln!(
            s,
            "| {} | {:.3} | {:.3} | {:.3} |",
            p.url.as_deref().unwrap_or(&p.id),
            p.precision,
            p.recall,
            p.f1
        );
    }
    s
}

/// Gazetteer figures measured while loading it (for the report).
#[derive(serde::Serialize, Clone, Copy)]
struct GeoLoad {
    places: usize,
    load_ms: f64,
    rss_growth_mb: f64,
}

#[derive(serde::Serialize)]
struct GeoOutput<'a> {
    #[serde(flatten)]
    report: &'a newsgraph_eval::geo::GeoReport,
    gazetteer: GeoLoad,
}

/// The shipped gazetteer plus the knowledge base's places, with the load time and the growth
/// of resident memory (statm: the current resident set, so the growth is the gazetteer's own).
fn load_geocoder() -> Result<(newsgraph_geo::Geocoder, GeoLoad)> {
    let before = crate::usage::current_rss_bytes();
    let t = std::time::Instant::now();
    let g = newsgraph_geo::Geocoder::load()?.with_extra(newsgraph_link::geocode::kb_places(newsgraph_kb::builtin()));
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let after = crate::usage::current_rss_bytes();
    let rss_growth_mb = after.saturating_sub(before) as f64 / 1_048_576.0;
    let places = g.len();
    Ok((g, GeoLoad { places, load_ms, rss_growth_mb }))
}

/// The engine's own toponyms: `Place` mentions of the standard pipeline, as byte spans of the
/// original text, resolved together with the document text as context.
fn recognize_places(
    pipeline: &newsgraph_engine::Pipeline,
    geo: &newsgraph_geo::Geocoder,
    text: &str,
) -> Vec<newsgraph_eval::geo::Predicted> {
    let mut doc = newsgraph_model::DocumentBuilder::new(text).build();
    pipeline.annotate(&mut doc);
    let places: Vec<_> = doc.layers.mentions.iter().filter(|m| m.kind == newsgraph_model::EntityType::Place).collect();
    let names: Vec<&str> = places.iter().map(|m| doc.slice(m.span)).collect();
    let resolved = geo.resolve_all(&names, doc.text());
    places
        .iter()
        .zip(resolved)
        .filter_map(|(m, r)| {
            let start = doc.source_map.to_source(m.span.start as usize)?;
            let end = doc.source_map.to_source(m.span.end as usize)?;
            Some(newsgraph_eval::geo::Predicted { start, end, coords: r.map(|r| (r.lat, r.lon)) })
        })
        .collect()
}

pub fn geo(corpus: &Path, end_to_end: bool, json: bool, report: Option<&Path>) -> Result<ExitCode> {
    use newsgraph_eval::geo::{read_corpus, score_end_to_end, score_gold};
    let articles = read_corpus(corpus)?;
    let (g, load) = load_geocoder()?;
    let g = &g;
    let name = corpus.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut r = score_gold(&name, &articles, |a| {
        let names: Vec<&str> = a.toponyms.iter().map(|t| &a.text[t.start..t.end]).collect();
        let res = g.resolve_all(&names, &a.text);
        res.into_iter().map(|r| r.map(|r| (r.lat, r.lon))).collect()
    });
    if end_to_end {
        let pipeline = newsgraph_engine::Pipeline::standard();
        r.end_to_end = Some(score_end_to_end(&articles, |a| recognize_places(&pipeline, g, &a.text)));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&GeoOutput { report: &r, gazetteer: load })?);
    } else {
        print!("{}", geo_table(&r));
    }
    if let Some(path) = report {
        let md = geo_markdown(&r, corpus, end_to_end, &load);
        std::fs::write(path, md).with_context(|| format!("cannot write report {}", path.display()))?;
        eprintln!("newsgraph: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn geo_table(r: &newsgraph_eval::geo::GeoReport) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "{:<22} {:>9} {:>8} {:>9} {:>10} {:>7}", "", "toponyms", "acc@161", "mean km", "median km", "AUC");
    let g = &r.gold;
    let _ = writeln!(
        s,
        "{:<22} {:>9} {:>8.3} {:>9.0} {:>10.1} {:>7.3}",
        "gold toponyms", g.toponyms, g.acc161, g.mean_km, g.median_km, g.auc
    );
    if let Some(e) = &r.end_to_end {
        let m = &e.matched_errors;
        let _ = writeln!(
            s,
            "{:<22} {:>9} {:>8.3} {:>9.0} {:>10.1} {:>7.3}",
            "end to end (matched)", m.toponyms, m.acc161, m.mean_km, m.median_km, m.auc
        );
        let _ = writeln!(
            s,
            "recognition: P {:.3} R {:.3} F1 {:.3} ({} gold, {} predicted, {} matched)",
            e.precision, e.recall, e.f1, e.gold, e.predicted, e.matched
        );
    }
    s
}

fn geo_markdown(r: &newsgraph_eval::geo::GeoReport, corpus: &Path, end_to_end: bool, load: &GeoLoad) -> String {
    let mut s = String::new();
    let flag = if end_to_end { " --end-to-end" } else { "" };
    let _ = writeln!(s, "# Geocoding: {}\n", r.corpus);
    let _ = writeln!(s, "Produced by `newsgraph eval geo --corpus {}{flag} --report <this file>`.", corpus.display());
    let _ = writeln!(
        s,
        "{} articles, {} gold toponyms ({} with coordinates).",
        r.articles, r.gold_toponyms, r.gold.toponyms
    );
    let _ = writeln!(
        s,
        "Metrics as in the geoparsing literature: accuracy within 161 km, mean and median error, AUC of the"
    );
    let _ = writeln!(s, "sorted log errors (ln(1+km)/ln(20040), trapezoid; lower is better). An unresolved toponym counts as 20,039 km.\n");
    let _ = writeln!(
        s,
        "| setting | toponyms | resolved | acc@161 | mean km | median km | AUC |\n|---|---|---|---|---|---|---|"
    );
    let g = &r.gold;
    let _ = writeln!(
        s,
        "| gold toponyms | {} | {} | {:.3} | {:.0} | {:.1} | {:.3} |",
        g.toponyms, g.resolved, g.acc161, g.mean_km, g.median_km, g.auc
    );
    if let Some(e) = &r.end_to_end {
        let m = &e.matched_errors;
        let _ = writeln!(
            s,
            "| end to end (matched toponyms) | {} | {} | {:.3} | {:.0} | {:.1} | {:.3} |",
            m.toponyms, m.resolved, m.acc161, m.mean_km, m.median_km, m.auc
        );
        let _ = writeln!(
            s,
            "\nEnd-to-end toponym recognition (engine `Place` mentions, matched to gold by span overlap):\n"
        );
        let _ = writeln!(s, "| gold | predicted | matched | precision | recall | F1 |\n|---|---|---|---|---|---|");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} |",
            e.gold, e.predicted, e.matched, e.precision, e.recall, e.f1
        );
    }
    // Load time and memory vary by run: in the JSON output only, so this file diffs on accuracy.
    let _ = writeln!(
        s,
        "\nGazetteer: {} places (the shipped GeoNames derivative plus the knowledge base's places).\n",
        load.places
    );
    let _ = writeln!(s, "## Names most often resolved more than 161 km away\n\n| name | misses | occurrences | median error km |\n|---|---|---|---|");
    for (name, miss, n, med) in r.worst_names(25) {
        let _ = writeln!(s, "| {} | {miss} | {n} | {med:.0} |", name.replace('|', "\\|"));
    }
    s
}
