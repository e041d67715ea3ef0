//! `newsgraph bench corpus`: ingest cost per article as the store grows, with near-duplicate
//! detection, story clustering and cross-document identity on.
//!
//! Running the whole pipeline on 100,000 articles would take hours on a small machine, and the
//! pipeline's cost per article does not depend on the store's size anyway. So the bench
//! analyzes a pool of base articles once (the examples and the extraction benchmark's pages,
//! timed and reported apart), then derives new articles at the `Document` level: each is a
//! recombination of paragraphs of base articles, carrying their layers (sentences, tokens,
//! mentions, entities, time expressions, quotes, events) moved to their new offsets, with a
//! new URL, source and publication date (dates in the text shifted with it). Some are planted
//! near-copies of recent articles (a paragraph dropped or added), some near-copies of a few
//! "wire stories" that are republished thousands of times, and some exact copies under
//! another URL. What is timed is `Store::put_batch`: storing, indexing, near-duplicates,
//! stories and identity — the part whose cost could grow with the corpus.
use crate::usage;
use anyhow::{bail, Result};
use newsgraph_engine::Pipeline;
use newsgraph_ingest::{IngestOptions, Source};
use newsgraph_model::{Document, DocumentBuilder, Layers, Metadata, Published, Span, TimeBasis};
use newsgraph_store::{EntityQuery, Store, StoryQuery};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Documents per `put_batch` (as `ingest` does).
const BATCH: usize = 200;
/// Slices of the run whose cost per article is reported.
const SLICES: usize = 10;

#[derive(Serialize)]
struct Slice {
    from: usize,
    to: usize,
    cpu_seconds: f64,
    micros_per_article: f64,
}

#[derive(Serialize)]
struct Run {
    articles: usize,
    stored: usize,
    exact_copies_folded: usize,
    planted_exact: usize,
    planted_near: usize,
    stories: u64,
    entities: u64,
    cpu_seconds: f64,
    wall_seconds: f64,
    articles_per_cpu_second: f64,
    articles_per_second: f64,
    slices: Vec<Slice>,
    /// Cost per article of the last slice over the first.
    growth: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct CorpusBench {
    inputs: Vec<String>,
    base_articles: usize,
    base_paragraphs: usize,
    /// Pipeline over the base articles (once, before the runs).
    analysis_cpu_seconds: f64,
    runs: Vec<Run>,
    measured: &'static str,
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A generated article: the paragraphs it is made of, when it was published, and its number.
#[derive(Clone)]
struct Recipe {
    pieces: Vec<(u32, u32)>,
    day: i64,
}

/// Shifts a `YYYY-MM-DD…` value by `days` (other values unchanged).
fn shift_date(value: &str, days: i64) -> String {
    if days == 0 || value.len() < 10 {
        return value.to_string();
    }
    match chrono::NaiveDate::parse_from_str(&value[..10], "%Y-%m-%d") {
        Ok(d) => format!("{}{}", (d + chrono::Duration::days(days)).format("%Y-%m-%d"), &value[10..]),
        Err(_) => value.to_string(),
    }
}

/// Builds an article from paragraphs of base documents, moving their layers along.
fn assemble(base: &[Document], r: &Recipe, k: usize, epoch: i64) -> Option<Document> {
    let mut b = DocumentBuilder::blocks();
    let first = &base[r.pieces.first()?.0 as usize];
    let mut placed: Vec<(u32, u32, Span)> = Vec::new();
    for &(d, p) in &r.pieces {
        let doc = &base[d as usize];
        let para = doc.layers.paragraphs.get(p as usize)?;
        let text = doc.slice(para.span);
        let span = b.push_block(text, 0, para.heading)?;
        // The block must come out as it went in, or the layers would not fit.
        if &b.text()[span.range()] != text {
            return None;
        }
        placed.push((d, p, span));
    }
    let published = epoch + r.day * 86_400 + (k as i64 * 7_919) % 86_400;
    let time = chrono::DateTime::from_timestamp(published, 0)?.fixed_offset();
    let meta = Metadata {
        url: Some(format!("https://bench{}.example/news/{k}", k % 47)),
        title: first.meta.title.clone(),
        source: Some(format!("Bench Wire {}", k % 47)),
        published: Some(Published { time, basis: TimeBasis::Stated }),
        language: Some("en".into()),
        ..Metadata::default()
    };
    let mut out = b.meta(meta).build();
    let mut layers = Layers { paragraphs: out.layers.paragraphs.clone(), ..Layers::default() };
    let mut entity_of: HashMap<(u32, u32), u32> = HashMap::new();
    let mut timex_of: HashMap<(u32, u32), u32> = HashMap::new();
    for &(d, p, to) in &placed {
        let doc = &base[d as usize];
        let from = doc.layers.paragraphs[p as usize].span;
        let days = match &doc.meta.published {
            Some(p) => (published - p.time.timestamp()).div_euclid(86_400),
            None => 0,
        };
        let inside = |s: Span| s.start >= from.start && s.end <= from.end;
        let mv = |s: Span| Span { start: s.start - from.start + to.start, end: s.end - from.start + to.start };
        let mut ent = |i: u32, layers: &mut Layers| -> u32 {
            *entity_of.entry((d, i)).or_insert_with(|| {
                layers.entities.push(doc.layers.entities[i as usize].clone());
                layers.entities.len() as u32 - 1
            })
        };
        let sentence_base = layers.sentences.len() as u32;
        let mut sentence_of: HashMap<u32, u32> = HashMap::new();
        for (i, s) in doc.layers.sentences.iter().enumerate() {
            if s.paragraph == p {
                sentence_of.insert(i as u32, sentence_base + sentence_of.len() as u32);
                let mut s = s.clone();
                s.span = mv(s.span);
                s.paragraph = layers.paragraphs.iter().position(|x| x.span == to).unwrap_or(0) as u32;
                layers.sentences.push(s);
            }
        }
        for t in &doc.layers.tokens {
            if let Some(&s) = sentence_of.get(&t.sentence) {
                let mut t = t.clone();
                t.span = mv(t.span);
                t.sentence = s;
                layers.tokens.push(t);
            }
        }
        for m in doc.layers.mentions.iter().filter(|m| inside(m.span)) {
            let mut m = m.clone();
            m.span = mv(m.span);
            m.role = m.role.filter(|r| inside(*r)).map(mv);
            m.entity = m.entity.map(|e| ent(e, &mut layers));
            layers.mentions.push(m);
        }
        for (i, t) in doc.layers.timexes.iter().enumerate().filter(|(_, t)| inside(t.span)) {
            let mut t = t.clone();
            t.span = mv(t.span);
            t.value = shift_date(&t.value, days);
            timex_of.insert((d, i as u32), layers.timexes.len() as u32);
            layers.timexes.push(t);
        }
        for q in doc.layers.quotes.iter().filter(|q| q.spans().all(inside)) {
            let mut q = q.clone();
            q.content = mv(q.content);
            q.parts = q.parts.iter().map(|s| mv(*s)).collect();
            q.cue = q.cue.map(mv);
            q.source = q.source.map(mv);
            q.speaker = q.speaker.map(|e| ent(e, &mut layers));
            q.reported_by = q.reported_by.map(|e| ent(e, &mut layers));
            layers.quotes.push(q);
        }
        for e in doc.layers.events.iter().filter(|e| e.spans().all(inside)) {
            let mut e = e.clone();
            e.span = mv(e.span);
            e.trigger = mv(e.trigger);
            for a in [&mut e.source, &mut e.target].into_iter().flatten() {
                a.span = mv(a.span);
                a.entity = a.entity.map(|x| ent(x, &mut layers));
            }
            e.place = e.place.map(|x| ent(x, &mut layers));
            e.date = e.date.and_then(|x| timex_of.get(&(d, x)).copied());
            layers.events.push(e);
        }
    }
    out.layers = layers;
    out.validate().ok()?;
    Some(out)
}

/// Analyzes the base articles (examples, benchmark pages) once.
fn load_base(inputs: &[String]) -> Result<(Vec<Document>, f64)> {
    let opts = IngestOptions::default();
    let mut docs = Vec::new();
    for input in inputs {
        if !Path::new(input).exists() {
            eprintln!("newsgraph: bench corpus: {input} not found, skipped");
            continue;
        }
        for ing in Source::open(input, &opts)?.flatten() {
            if !ing.document.text().trim().is_empty() {
                docs.push(ing.document);
            }
        }
    }
    let before = usage::now();
    let docs = Pipeline::standard().process_batch(docs);
    let cpu = (usage::now().cpu - before.cpu).as_secs_f64();
    Ok((docs.into_iter().filter(|d| d.layers.paragraphs.len() >= 2).collect(), cpu))
}

fn run_size(base: &[Document], n: usize, seed: u64, keep: Option<&Path>) -> Result<Run> {
    let dir = match keep {
        Some(k) => k.join(n.to_string()),
        None => std::env::temp_dir().join(format!("newsgraph-bench-corpus-{}-{n}", std::process::id())),
    };
    if keep.is_some() && dir.exists() {
        bail!("{} exists: the bench builds a fresh store", dir.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let result = (|| {
        let mut store = super::open_store(&dir)?;
        let mut rng = Rng(seed);
        // Publication days spread over two years, in arrival order with some jitter.
        let span_days = 730i64;
        let epoch = 1_735_689_600; // 2025-01-01
        let mut recent: Vec<Recipe> = Vec::new();
        let mut wire: Vec<Recipe> = Vec::new();
        let (mut planted_exact, mut planted_near) = (0, 0);
        let mut stored = 0;
        let mut folded = 0;
        let mut slices: Vec<Slice> = Vec::new();
        let mut slice_cpu = 0.0;
        let mut slice_from = 0;
        let mut cpu_total = 0.0;
        let wall = Instant::now();
        let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
        let mut k = 0usize;
        let mut made = 0usize;
        while made < n {
            let day = ((made as i64 * span_days) / n as i64 + rng.below(5) as i64 - 2).clamp(0, span_days);
            let roll = rng.below(100);
            let recipe = if roll < 5 && !recent.is_empty() {
                // An exact copy of a recent article under another URL.
                let mut r = recent[recent.len() - 1 - rng.below(recent.len().min(50))].clone();
                r.day = day;
                r
            } else if roll < 15 && !recent.is_empty() {
                // A near-copy: of one of a few wire stories (republished thousands of times)
                // or of a recent article; a paragraph dropped or one added.
                let src = if roll < 10 && !wire.is_empty() {
                    wire[rng.below(wire.len())].clone()
                } else {
                    recent[recent.len() - 1 - rng.below(recent.len().min(50))].clone()
                };
                let mut r = Recipe { pieces: src.pieces.clone(), day };
                if r.pieces.len() > 4 && rng.below(2) == 0 {
                    let at = 1 + rng.below(r.pieces.len() - 1);
                    r.pieces.remove(at);
                } else {
                    let d = rng.below(base.len());
                    let p = rng.below(base[d].layers.paragraphs.len());
                    r.pieces.push((d as u32, p as u32));
                }
                r
            } else {
                // A new article: a run of paragraphs of one base article, then a few of others.
                let d = rng.below(base.len());
                let np = base[d].layers.paragraphs.len();
                let len = (3 + rng.below(6)).min(np);
                let start = rng.below(np - len + 1);
                let mut pieces: Vec<(u32, u32)> = (start..start + len).map(|p| (d as u32, p as u32)).collect();
                for _ in 0..1 + rng.below(3) {
                    let o = rng.below(base.len());
                    pieces.push((o as u32, rng.below(base[o].layers.paragraphs.len()) as u32));
                }
                Recipe { pieces, day }
            };
            k += 1;
            let Some(doc) = assemble(base, &recipe, k, epoch) else { continue };
            made += 1;
            if !recent.is_empty() && roll < 5 {
                planted_exact += 1;
            } else if !recent.is_empty() && roll < 15 {
                planted_near += 1;
            }
            if wire.len() < 5 && roll >= 15 {
                wire.push(recipe.clone());
            }
            recent.push(recipe);
            if recent.len() > 1000 {
                recent.drain(..500);
            }
            batch.push(doc);
            if batch.len() == BATCH || made == n {
                let before = usage::now();
                let report = store.put_batch(std::mem::take(&mut batch))?;
                let cpu = (usage::now().cpu - before.cpu).as_secs_f64();
                stored += report.inserted;
                folded += report.duplicates.len();
                slice_cpu += cpu;
                cpu_total += cpu;
                if made * SLICES / n > slices.len() || made == n {
                    slices.push(Slice {
                        from: slice_from,
                        to: made,
                        cpu_seconds: slice_cpu,
                        micros_per_article: slice_cpu * 1e6 / (made - slice_from).max(1) as f64,
                    });
                    slice_from = made;
                    slice_cpu = 0.0;
                }
            }
        }
        let wall = wall.elapsed().as_secs_f64();
        let peak = usage::now().peak_rss_bytes;
        let stories = store.stories(&StoryQuery { limit: 1, ..StoryQuery::default() })?.total;
        let entities = store.entities(&EntityQuery { limit: 1, ..EntityQuery::default() })?.total;
        // A bench that silently stores nothing, or folds nothing, must fail.
        if stored + folded != n || folded == 0 || stories < 2 || stories as usize >= stored {
            bail!(
                "sanity check failed: {n} articles → {stored} stored, {folded} exact copies folded, {stories} stories"
            );
        }
        let first = slices.first().map_or(0.0, |s| s.micros_per_article);
        let last = slices.last().map_or(0.0, |s| s.micros_per_article);
        Ok(Run {
            articles: n,
            stored,
            exact_copies_folded: folded,
            planted_exact,
            planted_near,
            stories,
            entities,
            cpu_seconds: cpu_total,
            wall_seconds: wall,
            articles_per_cpu_second: n as f64 / cpu_total.max(1e-9),
            articles_per_second: n as f64 / wall.max(1e-9),
            growth: last / first.max(1e-9),
            slices,
            peak_rss_mb: peak as f64 / 1e6,
        })
    })();
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

pub fn bench(inputs: &[String], sizes: &[usize], keep: Option<&Path>, json: bool) -> Result<ExitCode> {
    let (base, analysis) = load_base(inputs)?;
    if base.len() < 10 {
        bail!("need at least 10 base articles with two paragraphs or more in {inputs:?}, found {}", base.len());
    }
    let paragraphs = base.iter().map(|d| d.layers.paragraphs.len()).sum();
    if !json {
        println!("base articles            {} ({paragraphs} paragraphs) from {}", base.len(), inputs.join(" "));
        println!("pipeline over the base   {analysis:.1} CPU-s (once; not in the figures below)");
        println!("measured                 Store::put_batch of derived articles (store, index, near-duplicates, stories, identity)");
    }
    let mut runs = Vec::new();
    for &n in sizes {
        let r = run_size(&base, n, 42, keep)?;
        if !json {
            println!();
            println!(
                "{} articles: {} stored, {} exact copies folded (planted {}), {} planted near-copies",
                r.articles, r.stored, r.exact_copies_folded, r.planted_exact, r.planted_near
            );
            println!("  {} stories, {} entities", r.stories, r.entities);
            println!(
                "  {:.1} articles / CPU-second, {:.1} articles / second (wall {:.1} s, CPU {:.1} s)",
                r.articles_per_cpu_second, r.articles_per_second, r.wall_seconds, r.cpu_seconds
            );
            println!("  slice                   µs CPU / article");
            for s in &r.slices {
                println!("  {:>8} – {:<8}       {:>10.0}", s.from, s.to, s.micros_per_article);
            }
            println!("  growth last / first slice   {:.2}×", r.growth);
            println!("  peak memory                 {:.0} MB", r.peak_rss_mb);
        }
        runs.push(r);
    }
    if json {
        let b = CorpusBench {
            inputs: inputs.to_vec(),
            base_articles: base.len(),
            base_paragraphs: paragraphs,
            analysis_cpu_seconds: analysis,
            runs,
            measured: "Store::put_batch of articles derived from analyzed base articles",
        };
        println!("{}", serde_json::to_string_pretty(&b)?);
    }
    Ok(ExitCode::SUCCESS)
}
