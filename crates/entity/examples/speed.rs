//! Tagging speed of the committed model alone (no segmentation, no linking): tags the
//! documents of CoNLL files (gold tokens) several times and prints words per CPU-second of
//! this thread (Linux `/proc/thread-self/stat`), best pass and overall.
//! `cargo run --release -p newsgraph-entity --example speed -- FILE... [PASSES]`
use newsgraph_entity::conll::read_conll;

fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let f: Vec<&str> = s.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    let passes = files.last().and_then(|p| p.parse::<usize>().ok()).map_or(5, |p| {
        files.pop();
        p
    });
    let tagger = newsgraph_entity::builtin().expect("the committed weights load");
    let docs: Vec<Vec<Vec<String>>> = files
        .iter()
        .flat_map(|f| read_conll(f.as_ref()).expect("readable CoNLL file"))
        .map(|d| d.sentences.into_iter().map(|s| s.words).collect())
        .collect();
    let words: usize = docs.iter().flatten().map(Vec::len).sum();
    let (mut best, mut total, start) = (0f64, 0f64, cpu_seconds());
    let mut mentions = 0;
    for _ in 0..passes {
        let c0 = cpu_seconds();
        for d in &docs {
            let sents: Vec<Vec<&str>> = d.iter().map(|s| s.iter().map(String::as_str).collect()).collect();
            mentions += tagger.entities_document(&sents).iter().map(Vec::len).sum::<usize>();
        }
        best = best.max(words as f64 / (cpu_seconds() - c0).max(0.01));
        total += words as f64;
    }
    println!(
        "{words} words × {passes} passes, {mentions} mentions: {:.0} words/CPU-s overall, best pass {best:.0}",
        total / (cpu_seconds() - start).max(0.01)
    );
}
