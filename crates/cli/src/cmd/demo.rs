//! `newsgraph demo`: the bundled examples into a fresh store, and a readable report.
use anyhow::{bail, Context, Result};
use newsgraph_store::{SearchQuery, Store};
use std::path::Path;
use std::process::ExitCode;

pub fn run(examples: &Path, store_dir: &Path) -> Result<ExitCode> {
    if !examples.is_dir() {
        bail!("no examples folder at {} (run from the repository root, or pass --examples DIR)", examples.display());
    }
    if store_dir.exists() {
        // Only ever delete a folder that is a newsgraph store (or empty).
        let is_store = store_dir.join(newsgraph_store::DB_FILE).exists()
            || std::fs::read_dir(store_dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !is_store {
            bail!("{} exists and is not a newsgraph store; pass another --store", store_dir.display());
        }
        std::fs::remove_dir_all(store_dir).with_context(|| format!("cannot remove {}", store_dir.display()))?;
    }
    let mut store = super::open_store(store_dir)?;
    let input = examples.display().to_string();
    let s = super::ingest::run(&mut store, std::slice::from_ref(&input), &Default::default(), true)?;
    println!(
        "newsgraph demo: {} articles read from {}, {} stored ({} duplicates folded, {} bad records)\n",
        s.read, input, s.inserted, s.duplicates, s.errors
    );

    // Every article, newest first, labelled by its title or else its first sentence.
    let mut docs = Vec::new();
    for doc in store.iter_all() {
        docs.push(doc?);
    }
    docs.sort_by(|a, b| b.meta.published.map(|p| p.time).cmp(&a.meta.published.map(|p| p.time)));
    println!("{:<16}  {:<18}  {:<16}  title or first sentence", "published (UTC)", "source", "id");
    let (mut words, mut sentences, mut sections) = (0, 0, 0);
    for d in &docs {
        let date = d.meta.published.map(|p| p.time.naive_utc().format("%Y-%m-%d %H:%M").to_string());
        let label = match (&d.meta.title, d.layers.sentences.first()) {
            (Some(t), _) => t.clone(),
            (None, Some(s)) => format!("“{}”", d.slice(s.span)),
            (None, None) => "(empty)".into(),
        };
        println!(
            "{:<16}  {:<18}  {:<16}  {}",
            date.as_deref().unwrap_or("-"),
            clip(d.meta.source.as_deref().unwrap_or("-"), 18),
            d.id,
            clip(&label, 90)
        );
        words += d.word_count();
        sentences += d.layers.sentences.len();
        sections += d.meta.sections.len();
    }
    println!("\n{words} words, {sentences} sentences, {sections} section headings in the store.");

    let groups = super::dedup::groups(&store, newsgraph_corpus::DEFAULT_THRESHOLD)?;
    println!("\nnear-duplicates: {} group(s)", groups.len());
    for g in &groups {
        for m in &g.members {
            let mark = if *m == g.canonical { "canonical" } else { "copy     " };
            let label = store.get(m)?.map(|d| super::dedup::label(&d)).unwrap_or_default();
            println!("  {mark} {m}  {}", clip(&label, 80));
        }
    }

    for q in ["Putin Alaska summit", "\"White House\" Zelensky"] {
        let r = store.search(&SearchQuery { limit: 3, ..SearchQuery::text(q) })?;
        println!("\nsearch {q:?}: {} articles", r.total);
        for h in &r.hits {
            let label = store.get(&h.id)?.map(|d| super::dedup::label(&d)).unwrap_or_default();
            println!("  {:.2}  {}  ({})", h.score, clip(&label, 90), h.id);
        }
    }
    let d = store_dir.display();
    println!("\nNext: `newsgraph search --store {d} QUERY`, `newsgraph show --store {d} ID`,");
    println!("      `newsgraph serve --store {d}` (then http://127.0.0.1:8787/search?q=Putin).");
    Ok(ExitCode::SUCCESS)
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}
