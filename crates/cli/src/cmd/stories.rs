//! `newsgraph eval stories`: story clustering scored on ECB+ (B³ and pairwise, sub-topic
//! and topic level).
use anyhow::{bail, Context, Result};
use newsgraph_corpus::story::{features_from_document, ArticleFeatures, StoryClusterer, StoryConfig};
use newsgraph_engine::Pipeline;
use newsgraph_eval::stories::{read_ecbplus, score_ecbplus, ClusterScores, EcbDoc, StoriesReport};
use newsgraph_model::DocumentBuilder;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Topics used to choose the parameters (the rest are held out).
const DEV_TOPICS: std::ops::RangeInclusive<u32> = 1..=11;

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    report: &'a StoriesReport,
    threshold: f32,
    stories: usize,
    /// Clustering time only (features and clusterer), per article.
    cluster_us_per_article: f64,
    /// The engine's annotation time (standard pipeline), per article.
    annotate_ms_per_article: f64,
}

/// Parses `1-11`, `3`, `1,2,5-7`.
fn parse_topics(s: &str) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse()?, b.trim().parse()?);
                out.extend(a..=b);
            }
            None => out.push(part.parse()?),
        }
    }
    if out.is_empty() {
        bail!("no topics in {s:?}");
    }
    Ok(out)
}

/// An ECB+ document as a newsgraph document: its text (one paragraph per sentence) and URL.
fn document(d: &EcbDoc) -> newsgraph_model::Document {
    let mut b = DocumentBuilder::new(&d.text);
    b.meta_mut().url = d.url.clone();
    b.build()
}

/// Clusters features in the given order; returns each article's story (indexed like `feats`)
/// and the number of stories.
fn cluster(feats: &[ArticleFeatures], order: &[usize], cfg: StoryConfig) -> (Vec<u32>, usize) {
    let mut sc = StoryClusterer::new(cfg);
    for &i in order {
        sc.add(&feats[i]);
    }
    let got = sc.assignments();
    let mut out = vec![0; feats.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = got[k];
    }
    let n = sc.stories().len();
    (out, n)
}

/// A fixed pseudo-random permutation (xorshift, Fisher–Yates).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

/// Scores a clustering of the documents whose topics are in `keep` (clustered on their own).
fn score_subset(
    docs: &[EcbDoc],
    feats: &[ArticleFeatures],
    keep: &dyn Fn(u32) -> bool,
    cfg: StoryConfig,
) -> StoriesReport {
    let idx: Vec<usize> = (0..docs.len()).filter(|&i| keep(docs[i].topic)).collect();
    let sub_docs: Vec<EcbDoc> = idx.iter().map(|&i| docs[i].clone()).collect();
    let sub_feats: Vec<ArticleFeatures> = idx.iter().map(|&i| feats[i].clone()).collect();
    let order: Vec<usize> = (0..sub_feats.len()).collect();
    let (sys, _) = cluster(&sub_feats, &order, cfg);
    score_ecbplus(&sub_docs, &sys)
}

pub fn eval(
    dir: &Path,
    topics: Option<&str>,
    threshold: Option<f32>,
    json: bool,
    report: Option<&Path>,
) -> Result<ExitCode> {
    let topics = topics.map(parse_topics).transpose()?;
    let docs = read_ecbplus(dir, topics.as_deref()).with_context(|| format!("ECB+ folder {}", dir.display()))?;
    let mut cfg = StoryConfig::default();
    if let Some(t) = threshold {
        cfg.threshold = t;
    }
    let pipeline = Pipeline::standard();
    let started = Instant::now();
    let annotated = pipeline.process_batch(docs.iter().map(document).collect());
    let annotate_ms = started.elapsed().as_secs_f64() * 1000.0 / docs.len().max(1) as f64;

    // Features and clustering, in file order (topic, number, ECB before ECB+), timed together.
    let started = Instant::now();
    let feats: Vec<ArticleFeatures> = docs
        .iter()
        .zip(&annotated)
        .map(|(d, doc)| ArticleFeatures { id: d.name.clone(), ..features_from_document(doc) })
        .collect();
    let order: Vec<usize> = (0..docs.len()).collect();
    let (sys, stories) = cluster(&feats, &order, cfg);
    if std::env::var_os("NEWSGRAPH_STORIES_DEBUG").is_some() {
        debug_dump(&feats, &sys);
    }
    let cluster_us = started.elapsed().as_secs_f64() * 1e6 / docs.len().max(1) as f64;
    let r = score_ecbplus(&docs, &sys);
    let out = Output {
        report: &r,
        threshold: cfg.threshold,
        stories,
        cluster_us_per_article: cluster_us,
        annotate_ms_per_article: annotate_ms,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table(&out));
    }
    if let Some(path) = report {
        let md = markdown(dir, &docs, &feats, &sys, &out, cfg);
        std::fs::write(path, md).with_context(|| format!("cannot write report {}", path.display()))?;
        eprintln!("newsgraph: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn table(o: &Output) -> String {
    let r = o.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "documents {}   topics {}   stories {}   threshold {}",
        r.documents, r.topics, o.stories, o.threshold
    );
    let _ = writeln!(
        s,
        "{:<10} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "level", "B3 P", "B3 R", "B3 F1", "pair P", "pair R", "pair F1"
    );
    for (name, c) in [("sub-topic", &r.subtopic), ("topic", &r.topic)] {
        let _ = writeln!(
            s,
            "{:<10} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}",
            name, c.b3_precision, c.b3_recall, c.b3_f1, c.pairwise_precision, c.pairwise_recall, c.pairwise_f1
        );
    }
    let _ = writeln!(
        s,
        "clustering {:.0} µs/article   annotation {:.1} ms/article",
        o.cluster_us_per_article, o.annotate_ms_per_article
    );
    s
}

fn row(s: &mut String, name: &str, c: &ClusterScores) {
    let _ = writeln!(
        s,
        "| {name} | {} | {} | {} | {:.3} | {:.3} | **{:.3}** | {:.3} | {:.3} | {:.3} |",
        c.items,
        c.gold_clusters,
        c.system_clusters,
        c.b3_precision,
        c.b3_recall,
        c.b3_f1,
        c.pairwise_precision,
        c.pairwise_recall,
        c.pairwise_f1
    );
}

const HEAD: &str = "| level | documents | gold clusters | stories | B³ P | B³ R | B³ F1 | pairwise P | pairwise R | pairwise F1 |\n|---|---|---|---|---|---|---|---|---|---|";

fn markdown(
    dir: &Path,
    docs: &[EcbDoc],
    feats: &[ArticleFeatures],
    sys: &[u32],
    o: &Output,
    cfg: StoryConfig,
) -> String {
    let r = o.report;
    let mut s = String::new();
    let _ = writeln!(s, "# Story clustering: ECB+\n");
    let _ = writeln!(s, "Produced by `newsgraph eval stories --ecbplus {} --report <this file>`.\n", dir.display());
    let _ = writeln!(
        s,
        "{} documents in {} topics. Each topic holds two similar but different seminal events (the ECB documents and the \
         ECB+ additions); a gold **sub-topic** is topic + component, a gold **topic** is the folder. Every document is \
         rebuilt from its tokens (one paragraph per sentence; a first-line URL becomes the document URL), run through the \
         standard pipeline, reduced to features (`newsgraph_corpus::story::features_from_document`) and clustered \
         incrementally (`StoryClusterer`) in file order (topic, number, ECB before ECB+) — no gold label is used. The \
         documents have no publication times, so no time window applies: they are clustered on entities, places, dates \
         mentioned and words alone.\n",
        r.documents, r.topics
    );
    let _ =
        writeln!(s, "Scores: B³ (per document, averaged) and pairwise (over same-story pairs) precision/recall/F1.\n");
    let _ = writeln!(s, "{HEAD}");
    row(&mut s, "sub-topic", &r.subtopic);
    row(&mut s, "topic", &r.topic);
    let _ = writeln!(
        s,
        "\nClustering (features from the annotated document + clusterer) takes {:.0} µs per article; the engine's \
         annotation {:.1} ms per article (2 cores, all documents in one batch).\n",
        o.cluster_us_per_article, o.annotate_ms_per_article
    );
    let _ = writeln!(s, "## Parameters and how they were chosen\n");
    let _ = writeln!(
        s,
        "Similarity of an article to a story = weighted mean of cosines (article vs. story centroid) per kind: words {}, \
         entities {}, places {}, dates mentioned {}, events {} (a kind that one side lacks is left out of the mean, \
         words never are; no events layer is used yet). Feature weights are IDF over the articles seen so far. The kind \
         weights were fixed a priori (words carry most of the evidence, entities next, places and dates support), except \
         that places went from 0.1 to 0.05: one shared place gives a full cosine however common the place is, which \
         merged a hand-written fixture (two rehab stories in one town; unit test in story.rs). The join threshold is the \
         value with the best sub-topic B³ F1 on the development topics {}–{} clustered on their own (0.10–0.14 tie; the \
         middle was taken), table below. The split threshold ({}) was compared with 0.4, 0.5 and 0.6 on the development \
         topics and kept; the merge threshold ({}) was fixed by hand (centroids are smoother than single articles, so it \
         sits above the join threshold). An entity gate (multiplying the similarity by 1 − g + g × entity cosine) was \
         tried at g = 0.3, 0.5, 0.7 and left off (g = 0): it lowered recall on the development topics, because one \
         name is often linked to different document-local ids across articles. Caveat: while developing, whole-run \
         figures (which include the held-out topics) were printed too, so the held-out column is not strictly blind. \
         Window: {} days between an article and a story's time span (not used here: no publication times).\n",
        cfg.weights[0],
        cfg.weights[1],
        cfg.weights[2],
        cfg.weights[3],
        cfg.weights[4],
        DEV_TOPICS.start(),
        DEV_TOPICS.end(),
        cfg.split_threshold,
        cfg.merge_threshold,
        cfg.window_days
    );
    let dev = |t: u32| DEV_TOPICS.contains(&t);
    let test = |t: u32| !DEV_TOPICS.contains(&t);
    let _ = writeln!(
        s,
        "| join threshold | dev B³ F1 (topics {}–{}) | held-out B³ F1 (other topics) | dev pairwise F1 | held-out pairwise F1 |\n|---|---|---|---|---|",
        DEV_TOPICS.start(),
        DEV_TOPICS.end()
    );
    for k in 0..=14 {
        let t = 0.10 + 0.02 * k as f32;
        let c = StoryConfig { threshold: t, ..cfg };
        let d = score_subset(docs, feats, &dev, c);
        let h = score_subset(docs, feats, &test, c);
        let mark = if (t - cfg.threshold).abs() < 1e-4 { " (default)" } else { "" };
        let _ = writeln!(
            s,
            "| {t:.2}{mark} | {:.3} | {:.3} | {:.3} | {:.3} |",
            d.subtopic.b3_f1, h.subtopic.b3_f1, d.subtopic.pairwise_f1, h.subtopic.pairwise_f1
        );
    }
    let _ = writeln!(s, "\n## Order of arrival\n");
    let _ = writeln!(
        s,
        "The clusterer is incremental, so the result depends on the order. Above: file order. Five fixed pseudo-random \
         orders of all documents (topics interleaved, as a news stream would be):\n"
    );
    let _ = writeln!(
        s,
        "| order | stories | sub-topic B³ F1 | sub-topic pairwise F1 | topic B³ F1 |\n|---|---|---|---|---|"
    );
    for seed in 1..=5u64 {
        let order = shuffled(feats.len(), seed);
        let (sys2, n) = cluster(feats, &order, cfg);
        let r2 = score_ecbplus(docs, &sys2);
        let _ = writeln!(
            s,
            "| shuffle {seed} | {n} | {:.3} | {:.3} | {:.3} |",
            r2.subtopic.b3_f1, r2.subtopic.pairwise_f1, r2.topic.b3_f1
        );
    }
    let _ = writeln!(s, "\n## Per topic (file order, whole run)\n");
    let _ = writeln!(s, "| topic | documents | stories | sub-topic B³ P | sub-topic B³ R | sub-topic B³ F1 |\n|---|---|---|---|---|---|");
    let mut topics: Vec<u32> = docs.iter().map(|d| d.topic).collect();
    topics.sort_unstable();
    topics.dedup();
    for t in topics {
        let idx: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].topic == t).collect();
        let g: Vec<String> = idx.iter().map(|&i| docs[i].subtopic()).collect();
        let y: Vec<u32> = idx.iter().map(|&i| sys[i]).collect();
        let c = newsgraph_eval::stories::score_clusters(&g, &y);
        let _ = writeln!(
            s,
            "| {t} | {} | {} | {:.3} | {:.3} | {:.3} |",
            c.items, c.system_clusters, c.b3_precision, c.b3_recall, c.b3_f1
        );
    }
    let _ = writeln!(
        s,
        "\n(Per-topic figures count only that topic's documents: a story holding documents of several topics shows \
         as lower topic-level precision above, not here.)"
    );
    s
}

/// Features and story of every document, on stderr (`NEWSGRAPH_STORIES_DEBUG=1`).
fn debug_dump(feats: &[ArticleFeatures], sys: &[u32]) {
    for (f, s) in feats.iter().zip(sys) {
        let mut terms = f.terms.clone();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1));
        let ents: Vec<String> = f.entities.iter().map(|e| format!("{}:{:.1}", e.id, e.weight)).collect();
        let places: Vec<String> = f.places.iter().map(|e| format!("{}:{:.1}", e.id, e.weight)).collect();
        let dates: Vec<&str> = f.dates.iter().map(|d| d.0.as_str()).collect();
        let words: Vec<&str> = terms.iter().take(12).map(|t| t.0.as_str()).collect();
        eprintln!(
            "{}\tstory {s}\n  E {}\n  P {}\n  D {}\n  W {}",
            f.id,
            ents.join(" "),
            places.join(" "),
            dates.join(" "),
            words.join(" ")
        );
    }
}
