//! Prints the gazetteer's load time and resident-memory growth (Linux):
//! `cargo run --release -p newsgraph-geo --example load`.
fn rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0) * 4096.0 / 1_048_576.0
}

fn main() {
    let before = rss_mb();
    let t = std::time::Instant::now();
    let g = newsgraph_geo::Geocoder::builtin();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("{} places, load {ms:.0} ms, resident memory +{:.0} MB", g.len(), rss_mb() - before);
    let t = std::time::Instant::now();
    let text = "Officials in Paris and Lyon said the storm that hit Texas and Georgia moved on to Kiev.";
    let mut n = 0;
    for _ in 0..1000 {
        n += g.resolve_all(&["Paris", "Lyon", "Texas", "Georgia", "Kiev"], text).len();
    }
    println!("{:.1} µs per 5-toponym article ({n} resolutions)", t.elapsed().as_secs_f64() * 1e6 / 1000.0);
}
