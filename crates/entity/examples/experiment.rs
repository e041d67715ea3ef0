//! Feature experiments without the CLI: trains on a CoNLL file and prints dev and test F1
//! each epoch. `cargo run --release -p newsgraph-entity --example experiment -- TRAIN DEV TEST [OUT]`
use newsgraph_entity::conll::{chunks, read_conll, ConllDoc};
use newsgraph_entity::{train_beam, Tagger, TrainConfig, TrainSentence};
use std::collections::HashSet;

/// Per-type F1 (PER, ORG, LOC, MISC) of a tagger on documents.
fn per_type(t: &Tagger, docs: &[ConllDoc]) -> String {
    let mut out = Vec::new();
    for ty in ["PER", "ORG", "LOC", "MISC"] {
        let (mut g, mut p, mut c) = (0usize, 0usize, 0usize);
        for d in docs {
            let sents: Vec<Vec<&str>> =
                d.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
            for (s, ents) in d.sentences.iter().zip(t.entities_document(&sents)) {
                let gold: HashSet<(usize, usize)> =
                    chunks(&s.labels).into_iter().filter(|c| c.kind == ty).map(|c| (c.start, c.end)).collect();
                let pred: HashSet<(usize, usize)> =
                    ents.into_iter().filter(|e| e.label == ty).map(|e| (e.start, e.end)).collect();
                g += gold.len();
                p += pred.len();
                c += gold.intersection(&pred).count();
            }
        }
        let (pr, rc) = (c as f64 / p.max(1) as f64, c as f64 / g.max(1) as f64);
        out.push(format!("{ty} {:.3}", 2.0 * pr * rc / (pr + rc).max(1e-9)));
    }
    out.join(", ")
}

/// Writes the dev sentences with an error (gold vs predicted entities) to a file.
fn dump_errors(t: &Tagger, docs: &[ConllDoc], path: &str) {
    use std::fmt::Write as _;
    let mut out = String::new();
    for d in docs {
        let sents: Vec<Vec<&str>> = d.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
        for (s, ents) in d.sentences.iter().zip(t.entities_document(&sents)) {
            let gold: HashSet<(usize, usize, String)> =
                chunks(&s.labels).into_iter().map(|c| (c.start, c.end, c.kind)).collect();
            let pred: HashSet<(usize, usize, String)> =
                ents.into_iter().map(|e| (e.start, e.end, e.label.to_string())).collect();
            if gold == pred {
                continue;
            }
            let _ = writeln!(out, "{}", s.words.join(" "));
            for (a, b, k) in gold.difference(&pred) {
                let _ = writeln!(out, "  missed {} {k}", s.words[*a..*b].join(" "));
            }
            for (a, b, k) in pred.difference(&gold) {
                let _ = writeln!(out, "  wrong  {} {k}", s.words[*a..*b].join(" "));
            }
        }
    }
    std::fs::write(path, out).unwrap();
}

fn f1(t: &Tagger, docs: &[ConllDoc]) -> f64 {
    let (mut g, mut p, mut c) = (0usize, 0usize, 0usize);
    for d in docs {
        let sents: Vec<Vec<&str>> = d.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
        for (s, ents) in d.sentences.iter().zip(t.entities_document(&sents)) {
            let gold: HashSet<(usize, usize, String)> =
                chunks(&s.labels).into_iter().map(|c| (c.start, c.end, c.kind)).collect();
            let pred: HashSet<(usize, usize, String)> =
                ents.into_iter().map(|e| (e.start, e.end, e.label.to_string())).collect();
            g += gold.len();
            p += pred.len();
            c += gold.intersection(&pred).count();
        }
    }
    let (pr, rc) = (c as f64 / p.max(1) as f64, c as f64 / g.max(1) as f64);
    2.0 * pr * rc / (pr + rc).max(1e-9)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut data = Vec::new();
    for f in args[0].split(',') {
        for d in read_conll(f.as_ref()).unwrap() {
            data.push(
                d.sentences.into_iter().map(|s| TrainSentence { words: s.words, labels: s.labels }).collect::<Vec<_>>(),
            );
        }
    }
    let dev = read_conll(args[1].as_ref()).unwrap();
    let test = read_conll(args[2].as_ref()).unwrap();
    let epochs = std::env::var("EPOCHS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let bits = std::env::var("BITS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let word_dropout = std::env::var("WDROP").ok().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let augment_case = std::env::var("AUG").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let case_lexicon = std::env::var_os("LEX").is_some();
    let cfg = TrainConfig { epochs, bits, word_dropout, augment_case, case_lexicon, ..Default::default() };
    let beam = std::env::var("BEAM").ok().and_then(|v| v.parse().ok()).unwrap_or(newsgraph_entity::BEAM);
    let t = train_beam(&data, Some(newsgraph_entity::places()), &cfg, beam, |e, t| {
        let (a, b) = (f1(t, &dev), f1(t, &test));
        println!("epoch {e:>2} dev {a:.4} test {b:.4}");
        a
    });
    {
        let words: usize = test.iter().flat_map(|d| &d.sentences).map(|s| s.words.len()).sum();
        let cpu = || -> f64 {
            let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
            let f: Vec<&str> = s.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            (f[11].parse::<f64>().unwrap_or(0.0) + f[12].parse::<f64>().unwrap_or(0.0)) / 100.0
        };
        let mut best = 0f64;
        for _ in 0..7 {
            let c0 = cpu();
            for d in &test {
                let sents: Vec<Vec<&str>> =
                    d.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
                std::hint::black_box(t.entities_document(&sents));
            }
            best = best.max(words as f64 / (cpu() - c0).max(0.01));
        }
        println!("speed: {best:.0} words/CPU-s (best of 7 passes over the test set)");
    }
    println!("dev per type: {}", per_type(&t, &dev));
    println!("test per type: {}", per_type(&t, &test));
    if let Ok(path) = std::env::var("DUMP") {
        dump_errors(&t, &dev, &path);
    }
    for (name, f) in [("upper", str::to_uppercase as fn(&str) -> String), ("lower", str::to_lowercase)] {
        let mut tt = test.clone();
        for d in &mut tt {
            for s in &mut d.sentences {
                for w in &mut s.words {
                    *w = f(w);
                }
            }
        }
        println!("test {name} {:.4}", f1(&t, &tt));
    }
    if let Ok(probe) = std::env::var("PROBE") {
        for sent in probe.split('|') {
            let words: Vec<&str> = sent.split_whitespace().collect();
            let ents: Vec<String> =
                t.entities(&words).iter().map(|e| format!("{}:{}", words[e.start..e.end].join(" "), e.label)).collect();
            println!("probe {sent} => {}", ents.join(", "));
        }
    }
    // Confidence calibration: Brier score of entity confidences against correctness on dev.
    let mut t = t;
    for temp in [16.0f32, 24.0, 32.0, 48.0, 64.0, 96.0] {
        t = t.with_temperature(temp);
        let (mut brier, mut n, mut sum_c, mut ok) = (0f64, 0usize, 0f64, 0usize);
        for d in &dev {
            let sents: Vec<Vec<&str>> =
                d.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
            for (s, ents) in d.sentences.iter().zip(t.entities_document(&sents)) {
                let gold: HashSet<(usize, usize, String)> =
                    chunks(&s.labels).into_iter().map(|c| (c.start, c.end, c.kind)).collect();
                for e in ents {
                    let y = gold.contains(&(e.start, e.end, e.label.to_string())) as u8 as f64;
                    brier += (e.confidence as f64 - y).powi(2);
                    sum_c += e.confidence as f64;
                    ok += y as usize;
                    n += 1;
                }
            }
        }
        println!(
            "temperature {temp:>4}: Brier {:.4}, mean confidence {:.3}, precision {:.3}",
            brier / n as f64,
            sum_c / n as f64,
            ok as f64 / n as f64
        );
    }
    if let Some(out) = args.get(3) {
        std::fs::write(out, t.to_bytes()).unwrap();
    }
}
