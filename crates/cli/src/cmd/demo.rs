//! `newsgraph demo`: the bundled examples into a fresh store, and a readable report.
use anyhow::{bail, Context, Result};
use newsgraph_store::{ListQuery, SearchQuery, Store};
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
    println!("newsgraph demo: {} articles read from {}, {} stored ({} duplicates folded, {} bad records)\n", s.read, input, s.inserted, s.duplicates, s.errors);

    let page = store.list(&ListQuery { limit: 100, ..ListQuery::default() })?;
    println!("{:<10} {:<17} {:<26} {}", "published", "source", "id", "title");
    for d in &page.items {
        let date = d.published.map(|p| p.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into());
        println!("{:<10} {:<17} {:<26} {}", date, d.source.as_deref().unwrap_or("-"), d.id, d.title.as_deref().unwrap_or("(untitled)"));
    }
    let mut sentences = 0;
    let mut words = 0;
    let mut sections = 0;
    for doc in store.iter_all() {
        let doc = doc?;
        sentences += doc.layers.sentences.len();
        words += doc.word_count();
        sections += doc.meta.sections.len();
    }
    println!("\n{words} words, {sentences} sentences, {sections} section headings in the store.");

    for q in ["Putin Alaska summit", "\"White House\" Zelensky"] {
        let r = store.search(&SearchQuery { limit: 3, ..SearchQuery::text(q) })?;
        println!("\nsearch {q:?}: {} articles", r.total);
        for h in &r.hits {
            println!("  {:.2}  {}  ({})", h.score, h.title.as_deref().unwrap_or("(untitled)"), h.id);
        }
    }
    let d = store_dir.display();
    println!("\nNext: `newsgraph search --store {d} QUERY`, `newsgraph show --store {d} ID`,");
    println!("      `newsgraph serve --store {d}` (then http://127.0.0.1:8787/search?q=Putin).");
    Ok(ExitCode::SUCCESS)
}
