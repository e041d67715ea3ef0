//! Gold-data checks: run the real `eval` commands on `../shared/data` and hold the
//! floors. Skipped with a printed reason when the data is absent (never in CI).
mod common;

use serde_json::Value;

#[test]
fn extraction_benchmark_f1_floor() {
    let Some(data) = common::shared_data() else { return };
    let bench = data.join("article-extraction-benchmark");
    let (code, out, err) = common::run(&["eval", "extract", "--benchmark", bench.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["pages"], 181);
    let f1 = r["f1"].as_f64().unwrap();
    eprintln!("extraction F1 {f1:.3} (P {:.3}, R {:.3})", r["precision"].as_f64().unwrap(), r["recall"].as_f64().unwrap());
    assert!(f1 >= 0.95, "F1 {f1:.3} is under the 0.95 floor");
}

#[test]
fn benchmark_pages_ingest_idempotently() {
    let Some(data) = common::shared_data() else { return };
    let html = data.join("article-extraction-benchmark/html");
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("store");
    let s = s.to_str().unwrap();
    let args = ["ingest", "examples", html.to_str().unwrap(), "--store", s, "--json", "-q"];
    let (_, out, err) = common::run(&args);
    let first: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    let total = first["store_total"].as_u64().unwrap();
    assert!(total >= 181, "{first}");
    let (_, out, _) = common::run(&args);
    let second: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(second["store_total"].as_u64().unwrap(), total, "{second}");
    assert_eq!(second["inserted"], 0);
}
