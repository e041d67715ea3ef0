//! `newsgraph dedup` and `newsgraph bench dedup`: near-duplicates across articles.
use crate::usage;
use anyhow::{bail, Result};
use newsgraph_corpus::{DupGroup, NearDuplicates};
use newsgraph_ingest::{IngestOptions, Source};
use newsgraph_store::Store;
use serde::Serialize;
use std::process::ExitCode;

/// Near-duplicate groups of a store's articles, in publication order.
pub fn groups(store: &dyn Store, threshold: f32) -> Result<Vec<DupGroup>> {
    let mut docs = Vec::new();
    for d in store.iter_all() {
        let d = d?;
        docs.push((d.meta.published.map(|p| p.time.timestamp()), d.id.clone(), d.text().to_string()));
    }
    docs.sort_by(|a, b| (a.0.is_none(), a.0, &a.1).cmp(&(b.0.is_none(), b.0, &b.1)));
    let mut nd = NearDuplicates::with_threshold(threshold);
    for (t, id, text) in &docs {
        nd.add(id.as_str(), *t, text);
    }
    Ok(nd.groups())
}

pub fn run(store: &dyn Store, threshold: f32, json: bool) -> Result<ExitCode> {
    let gs = groups(store, threshold)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&gs)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} near-duplicate groups (threshold {threshold})", gs.len());
    for g in &gs {
        println!("group of {}, canonical {}:", g.members.len(), g.canonical);
        for m in &g.members {
            let title = store.get(m)?.map(|d| label(&d)).unwrap_or_default();
            println!("  {m}  {title}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A document's title, or its first words.
pub fn label(d: &newsgraph_model::Document) -> String {
    d.meta.title.clone().unwrap_or_else(|| {
        let words: Vec<&str> = d.text().split_whitespace().take(12).collect();
        format!("“{}…”", words.join(" "))
    })
}

#[derive(Serialize)]
struct DedupBench {
    corpus: String,
    source_articles: usize,
    documents: usize,
    planted_copies: usize,
    copies_found: usize,
    false_groupings: usize,
    cpu_seconds: f64,
    documents_per_cpu_second: f64,
    words_per_cpu_second: f64,
    peak_rss_mb: f64,
}

/// Generates `n` documents from a corpus's sentences: every 10th is a near-copy of a recent
/// one (a sentence dropped, a line added); the others are new random mixes of 12–35
/// sentences. Times signature + query + insert over all of them.
pub fn bench(corpus: &str, n: usize, json: bool) -> Result<ExitCode> {
    // The pool: every sentence-like piece of every article in the corpus.
    let mut pool: Vec<String> = Vec::new();
    let mut articles = 0;
    for ing in Source::open(corpus, &IngestOptions::default())?.flatten() {
        articles += 1;
        pool.extend(
            ing.document
                .text()
                .split(". ")
                .filter(|s| (6..=60).contains(&s.split_whitespace().count()))
                .map(str::to_string),
        );
    }
    if pool.len() < 1000 {
        bail!("need at least 1000 sentences in {corpus}, found {}", pool.len());
    }
    // Deterministic pseudo-random picks (SplitMix64), so runs are comparable.
    let mut state = 42u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB) >> 1
    };
    let mut docs: Vec<(String, bool)> = Vec::with_capacity(n); // (text, is a planted copy)
    for k in 0..n {
        if k % 10 == 9 {
            // A near-copy of a recent document: one sentence dropped, a line added.
            let src = &docs[k - 1 - (next() as usize % 8)].0;
            let mut parts: Vec<&str> = src.split(". ").collect();
            if parts.len() > 4 {
                parts.remove(parts.len() / 2);
            }
            docs.push((format!("{}. This story was updated at {k}.", parts.join(". ")), true));
        } else {
            let count = 12 + next() as usize % 24;
            let picked: Vec<&str> = (0..count).map(|_| pool[next() as usize % pool.len()].as_str()).collect();
            docs.push((picked.join(". "), false));
        }
    }
    let t = articles;
    let words: usize = docs.iter().map(|(d, _)| d.split_whitespace().count()).sum();
    let before = usage::now();
    let mut nd = NearDuplicates::default();
    let mut found = 0;
    let mut false_groupings = 0;
    for (k, (text, planted)) in docs.iter().enumerate() {
        let dup = nd.add(k.to_string(), None, text);
        match (planted, dup) {
            (true, Some(_)) => found += 1,
            (false, Some(_)) => false_groupings += 1,
            _ => {}
        }
    }
    let after = usage::now();
    let planted = docs.iter().filter(|d| d.1).count();
    // A benchmark that silently finds nothing must fail, not report a great speed.
    if found * 10 < planted * 9 {
        bail!("sanity check failed: only {found} of {planted} planted near-copies found");
    }
    let cpu = (after.cpu - before.cpu).as_secs_f64().max(1e-9);
    let r = DedupBench {
        corpus: corpus.to_string(),
        source_articles: t,
        documents: n,
        planted_copies: planted,
        copies_found: found,
        false_groupings,
        cpu_seconds: cpu,
        documents_per_cpu_second: n as f64 / cpu,
        words_per_cpu_second: words as f64 / cpu,
        peak_rss_mb: after.peak_rss_bytes as f64 / 1e6,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "documents                {} (re-mixed from the sentences of {} articles in {})",
            r.documents, r.source_articles, r.corpus
        );
        println!(
            "planted near-copies      {} found of {}; {} other documents grouped",
            r.copies_found, r.planted_copies, r.false_groupings
        );
        println!("CPU time                 {:.3} s (signature + query + insert, one thread)", r.cpu_seconds);
        println!("documents / CPU-second   {:.0}", r.documents_per_cpu_second);
        println!("words / CPU-second       {:.0}", r.words_per_cpu_second);
        println!("peak memory              {:.1} MB", r.peak_rss_mb);
    }
    Ok(ExitCode::SUCCESS)
}
