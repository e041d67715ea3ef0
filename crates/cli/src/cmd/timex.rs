//! `newsgraph eval timex` and `newsgraph bench timex`: time expressions on TimeML.
use crate::usage;
use anyhow::{bail, Context, Result};
use newsgraph_engine::{Annotator, SegmentAnnotator, TimeAnnotator};
use newsgraph_eval::timex::{find_tml, parse_tml, score_with_errors, GoldTimex, Predicted, TimexReport};
use newsgraph_model::{Document, DocumentBuilder, Published, TimeBasis, TimexType};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// A TimeML file as a newsgraph document (publication time = the creation time), with
/// its gold expressions in the coordinates of the TimeML body text.
struct Loaded {
    path: PathBuf,
    doc: Document,
    gold: Vec<GoldTimex>,
}

fn dct_time(v: &str) -> Option<Published> {
    let day = v.get(..10)?;
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let t = date.and_hms_opt(12, 0, 0)?.and_utc().fixed_offset();
    Some(Published { time: t, basis: TimeBasis::AssumedUtc })
}

fn load(dir: &Path) -> Result<Vec<Loaded>> {
    let files = find_tml(dir).with_context(|| format!("cannot read TimeML folder {}", dir.display()))?;
    if files.is_empty() {
        bail!("no .tml files under {}", dir.display());
    }
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let src = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let tml = parse_tml(&src).with_context(|| format!("bad TimeML {}", path.display()))?;
        let mut b = DocumentBuilder::new(&tml.text);
        b.meta_mut().published = tml.dct.as_deref().and_then(dct_time);
        out.push(Loaded { path, doc: b.build(), gold: tml.timexes });
    }
    Ok(out)
}

fn type_name(t: TimexType) -> &'static str {
    match t {
        TimexType::Date => "DATE",
        TimexType::Time => "TIME",
        TimexType::Duration => "DURATION",
        TimexType::Set => "SET",
    }
}

/// The system's expressions mapped back to the TimeML body's byte offsets.
fn predictions(doc: &Document) -> Vec<Predicted> {
    doc.layers
        .timexes
        .iter()
        .filter_map(|t| {
            let start = doc.source_map.to_source(t.span.start as usize)?;
            let end = doc.source_map.to_source(t.span.end as usize)?;
            Some(Predicted { start, end, kind: type_name(t.kind).to_string(), value: t.value.clone() })
        })
        .collect()
}

fn annotate(doc: &mut Document) {
    SegmentAnnotator::default().annotate(doc);
    TimeAnnotator::default().annotate(doc);
}

pub fn eval(tml: &Path, json: bool, report: Option<&Path>) -> Result<ExitCode> {
    let mut docs = load(tml)?;
    let mut pairs = Vec::with_capacity(docs.len());
    for l in &mut docs {
        annotate(&mut l.doc);
        pairs.push((l.gold.clone(), predictions(&l.doc)));
    }
    if std::env::var_os("NEWSGRAPH_TIMEX_DEBUG").is_some() {
        debug_dump(&docs, &pairs);
    }
    let (r, mismatches, missed, spurious) = score_with_errors(&pairs);
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", table(&r));
    }
    if let Some(path) = report {
        // Surface text of errors, for the report.
        let mut texts: Vec<(&Path, String)> = Vec::new();
        for l in &docs {
            let src = std::fs::read_to_string(&l.path).unwrap_or_default();
            texts.push((&l.path, parse_tml(&src).map(|t| t.text).unwrap_or_default()));
        }
        let md = markdown(&r, tml, &pairs, &texts, &mismatches, &missed, &spurious);
        std::fs::write(path, md).with_context(|| format!("cannot write report {}", path.display()))?;
        eprintln!("newsgraph: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn table(r: &TimexReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "documents {}   gold {}   predicted {}", r.documents, r.gold, r.predicted);
    let _ = writeln!(s, "{:<18} {:>9} {:>9} {:>9}", "", "precision", "recall", "F1");
    let _ = writeln!(
        s,
        "{:<18} {:>9.3} {:>9.3} {:>9.3}",
        "strict extent", r.strict_precision, r.strict_recall, r.strict_f1
    );
    let _ = writeln!(
        s,
        "{:<18} {:>9.3} {:>9.3} {:>9.3}",
        "relaxed extent", r.relaxed_precision, r.relaxed_recall, r.relaxed_f1
    );
    let _ = writeln!(s, "{:<18} {:>9.3} {:>9.3} {:>9.3}", "value", r.value_precision, r.value_recall, r.value_f1);
    let _ = writeln!(s, "{:<18} {:>9} {:>9} {:>9.3}", "type", "", "", r.type_f1);
    let _ = writeln!(s, "type accuracy {:.3}   value accuracy {:.3}", r.type_accuracy, r.value_accuracy);
    s
}

fn surface<'a>(texts: &'a [(&Path, String)], pairs: &[(Vec<GoldTimex>, Vec<Predicted>)], gold: &GoldTimex) -> &'a str {
    // Find the document that holds this gold expression (by identity of the record).
    for (i, (g, _)) in pairs.iter().enumerate() {
        if g.iter().any(|x| x == gold) {
            return texts[i].1.get(gold.start..gold.end).unwrap_or("");
        }
    }
    ""
}

fn markdown(
    r: &TimexReport,
    dir: &Path,
    pairs: &[(Vec<GoldTimex>, Vec<Predicted>)],
    texts: &[(&Path, String)],
    mismatches: &[newsgraph_eval::timex::Mismatch],
    missed: &[GoldTimex],
    spurious: &[Predicted],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Time expressions: TempEval-3 measures on {}\n", dir.display());
    let _ = writeln!(s, "Produced by `newsgraph eval timex --tml {} --report <this file>`.", dir.display());
    let _ = writeln!(
        s,
        "Every `.tml` file under the folder; the creation time (DCT) is the publication time; only TIMEX3 in `<TEXT>` count. \
         Relaxed = any overlap; type and value accuracy are over relaxed-matched pairs; attribute F1 = relaxed F1 × accuracy (TempEval-3).\n"
    );
    let _ = writeln!(s, "Documents {}, gold {}, predicted {}.\n", r.documents, r.gold, r.predicted);
    let _ = writeln!(s, "| measure | precision | recall | F1 |\n|---|---|---|---|");
    let _ = writeln!(s, "| strict extent | {:.3} | {:.3} | {:.3} |", r.strict_precision, r.strict_recall, r.strict_f1);
    let _ =
        writeln!(s, "| relaxed extent | {:.3} | {:.3} | {:.3} |", r.relaxed_precision, r.relaxed_recall, r.relaxed_f1);
    let _ = writeln!(s, "| value | {:.3} | {:.3} | {:.3} |", r.value_precision, r.value_recall, r.value_f1);
    let _ = writeln!(s, "| type | | | {:.3} |\n", r.type_f1);
    let _ = writeln!(s, "Type accuracy {:.3}, value accuracy {:.3}.\n", r.type_accuracy, r.value_accuracy);
    let _ = writeln!(s, "Targets (issue 4): relaxed extent F1 ≥ 0.88 and value F1 ≥ 0.78 (HeidelTime's level on TempEval-3), goal 0.85; held by `crates/cli/tests/gold.rs`.\n");
    let _ = writeln!(s, "TBAQ-cleaned is the public training set the rules were tuned on; the held-out TempEval-3 platinum set is the acceptance test. \
                         Note that the folder holds `testpipeline/AP900815-0044.tml`, a copy of a TimeBank file, which is scored twice like every `.tml` found.\n");

    let mut miss: BTreeMap<String, usize> = BTreeMap::new();
    for g in missed {
        *miss.entry(surface(texts, pairs, g).to_lowercase()).or_default() += 1;
    }
    let mut miss: Vec<_> = miss.into_iter().collect();
    miss.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(s, "## Most frequent missed expressions ({} missed)\n\n| text | count |\n|---|---|", missed.len());
    for (t, n) in miss.iter().take(25) {
        let _ = writeln!(s, "| {} | {n} |", t.replace('|', "\\|"));
    }
    let mut wrong: BTreeMap<(String, String), usize> = BTreeMap::new();
    for m in mismatches {
        let t = surface(texts, pairs, &m.gold).to_lowercase();
        let shape = |v: &str| v.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect::<String>();
        *wrong.entry((t, format!("{} → {}", shape(&m.gold.value), shape(&m.predicted.value)))).or_default() += 1;
    }
    let mut wrong: Vec<_> = wrong.into_iter().collect();
    wrong.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        s,
        "\n## Most frequent value errors ({} pairs; digits shown as 9: gold → ours)\n\n| text | values | count |\n|---|---|---|",
        mismatches.len()
    );
    for ((t, v), n) in wrong.iter().take(25) {
        let _ = writeln!(s, "| {} | {} | {n} |", t.replace('|', "\\|"), v);
    }
    let _ = writeln!(s, "\n{} predictions overlap no gold expression.", spurious.len());
    s
}

#[derive(Serialize)]
struct TimexBench {
    corpus: String,
    documents: usize,
    passes: usize,
    words: usize,
    timexes: usize,
    cpu_seconds: f64,
    wall_seconds: f64,
    words_per_cpu_second: f64,
    tagger_cpu_seconds: f64,
    tagger_words_per_cpu_second: f64,
    peak_rss_mb: f64,
}

/// Segmentation + time tagging of every TimeML body, single-threaded, `repeat` passes;
/// also the tagger alone on pre-segmented documents.
pub fn bench(corpus: &Path, repeat: usize, json: bool) -> Result<ExitCode> {
    let docs: Vec<Document> = load(corpus)?.into_iter().map(|l| l.doc).collect();
    let repeat = repeat.max(1);
    let seg = SegmentAnnotator::default();
    let time = TimeAnnotator::default();
    let words_once: usize = docs.iter().map(Document::word_count).sum();
    let wall = Instant::now();
    let before = usage::now();
    let mut found = 0;
    let mut segmented = Vec::new();
    for pass in 0..repeat {
        for d in &docs {
            let mut d = d.clone();
            seg.annotate(&mut d);
            time.annotate(&mut d);
            found += d.layers.timexes.len();
            if pass == 0 {
                segmented.push(d);
            }
        }
    }
    let after = usage::now();
    let wall_s = wall.elapsed().as_secs_f64();
    let before_t = usage::now();
    for _ in 0..repeat {
        for d in &mut segmented {
            time.annotate(d);
        }
    }
    let after_t = usage::now();
    if found == 0 {
        bail!("sanity check failed: no time expression found in {}", corpus.display());
    }
    let cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
    let cpu_t = (after_t.cpu - before_t.cpu).as_secs_f64().max(1e-9);
    let words = words_once * repeat;
    let r = TimexBench {
        corpus: corpus.display().to_string(),
        documents: docs.len(),
        passes: repeat,
        words,
        timexes: found / repeat,
        cpu_seconds: cpu,
        wall_seconds: wall_s,
        words_per_cpu_second: words as f64 / cpu,
        tagger_cpu_seconds: cpu_t,
        tagger_words_per_cpu_second: words as f64 / cpu_t,
        peak_rss_mb: after_t.peak_rss_bytes as f64 / 1e6,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "corpus                         {} ({} documents × {} passes, {} words)",
            r.corpus, r.documents, r.passes, r.words
        );
        println!("time expressions per pass      {}", r.timexes);
        println!("CPU time (segment + time)      {:.3} s (wall {:.3} s, one thread)", r.cpu_seconds, r.wall_seconds);
        println!("words / CPU-second             {:.0}", r.words_per_cpu_second);
        println!("words / CPU-second, time only  {:.0}", r.tagger_words_per_cpu_second);
        println!("peak memory                    {:.1} MB", r.peak_rss_mb);
    }
    Ok(ExitCode::SUCCESS)
}

/// With `NEWSGRAPH_TIMEX_DEBUG` set: every value error, miss and spurious hit with context,
/// on stderr (for rule development).
fn debug_dump(docs: &[Loaded], pairs: &[(Vec<GoldTimex>, Vec<Predicted>)]) {
    for (l, (gold, pred)) in docs.iter().zip(pairs) {
        let src = std::fs::read_to_string(&l.path).unwrap_or_default();
        let Ok(tml) = parse_tml(&src) else { continue };
        let t = &tml.text;
        let ctx = |s: usize, e: usize| {
            let mut a = s.saturating_sub(60);
            while !t.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (e + 40).min(t.len());
            while !t.is_char_boundary(b) {
                b += 1;
            }
            format!("{}[{}]{}", &t[a..s], &t[s..e], &t[e..b]).replace('\n', " ")
        };
        let dct = tml.dct.as_deref().unwrap_or("-");
        let al = newsgraph_eval::timex::align(gold, pred);
        for &(gi, pi) in &al {
            let (g, p) = (&gold[gi], &pred[pi]);
            if g.value != p.value {
                eprintln!("VALUE\t{dct}\t{}\t{}\t{}", g.value, p.value, ctx(g.start, g.end));
            }
        }
        for (gi, g) in gold.iter().enumerate() {
            if !al.iter().any(|x| x.0 == gi) {
                eprintln!("MISS\t{dct}\t{}\t{}", g.value, ctx(g.start, g.end));
            }
        }
        for (pi, p) in pred.iter().enumerate() {
            if !al.iter().any(|x| x.1 == pi) {
                eprintln!("SPUR\t{dct}\t{}\t{}", p.value, ctx(p.start, p.end));
            }
        }
    }
}
