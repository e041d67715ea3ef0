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
    eprintln!(
        "extraction F1 {f1:.3} (P {:.3}, R {:.3})",
        r["precision"].as_f64().unwrap(),
        r["recall"].as_f64().unwrap()
    );
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
    // Every page went through the whole pipeline, quotes included (issue 5: no document
    // fails quote extraction): no record was skipped, and their quotes are stored.
    assert_eq!(first["errors"], 0, "{first}");
    let (code, out, err) = common::run(&["quotes", "--store", s, "--json", "--limit", "1"]);
    assert_eq!(code, 0, "{err}");
    let q: Value = serde_json::from_str(&out).unwrap();
    assert!(q["total"].as_u64().unwrap() >= 500, "{q}");
}

#[test]
fn ner_conll2003_testb_f1_floor() {
    let Some(data) = common::shared_data() else { return };
    let testb = data.join("conll2003/eng.testb");
    let (code, out, err) = common::run(&["eval", "ner", "--conll", testb.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["gold"], 5648, "eng.testb holds 5,648 entities");
    let f1 = r["f1"].as_f64().unwrap();
    eprintln!(
        "NER eng.testb F1 {f1:.4} (P {:.4}, R {:.4})",
        r["precision"].as_f64().unwrap(),
        r["recall"].as_f64().unwrap()
    );
    for t in ["PER", "ORG", "LOC", "MISC"] {
        assert!(r["types"][t]["f1"].as_f64().unwrap() > 0.5, "{t}: {}", r["types"][t]);
    }
    assert!(f1 >= NER_TESTB_FLOOR, "F1 {f1:.4} is under the {NER_TESTB_FLOOR} floor");
}

/// Slightly under the committed model's measured eng.testb F1 (see eval/reports/ner-conll2003-testb.md).
const NER_TESTB_FLOOR: f64 = 0.88;

/// The whole entity stage (`eval ner --pipeline`) on the three NER files: floors just under
/// the measured figures, each above spaCy small's (eval/reports/ner-baselines.md).
#[test]
fn ner_entity_stage_floors() {
    let Some(data) = common::shared_data() else { return };
    let re3d_map = "Location=LOC,Nationality=MISC,Organisation=ORG,Person=PER";
    // spaCy's figures from eval/baselines/spacy_ner.py (re3d with --extent: 0.265).
    let cases: [(&str, &[&str], f64, f64); 4] = [
        ("conll2003/eng.testb", &[], 0.83, 0.595),
        ("wikigold/CONLL-format/data/wikigold.conll.txt", &[], 0.65, 0.518),
        ("re3d/re3d-train.conll", &["--scheme", "iob2", "--map", re3d_map], 0.28, 0.252),
        ("re3d/re3d-train.conll", &["--scheme", "iob2", "--map", re3d_map, "--extent"], 0.34, 0.265),
    ];
    for (file, extra, floor, spacy) in cases {
        let path = data.join(file);
        let mut args = vec!["eval", "ner", "--conll", path.to_str().unwrap(), "--pipeline", "--json"];
        args.extend_from_slice(extra);
        let (code, out, err) = common::run(&args);
        assert_eq!(code, 0, "{file}: {err}");
        let r: Value = serde_json::from_str(&out).unwrap();
        let f1 = r["f1"].as_f64().unwrap();
        eprintln!("NER entity stage {file} {extra:?}: F1 {f1:.4} (spaCy small {spacy})");
        assert!(f1 >= floor && f1 > spacy, "{file}: F1 {f1:.4} is under the {floor} floor");
    }
}

#[test]
fn tempeval3_tbaq_timex_floors() {
    let Some(data) = common::shared_data() else { return };
    let tml = data.join("tempeval3/Training/TBAQ-cleaned");
    let (code, out, err) = common::run(&["eval", "timex", "--tml", tml.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    assert_eq!(r["documents"], 257);
    let (relaxed, value) = (r["relaxed_f1"].as_f64().unwrap(), r["value_f1"].as_f64().unwrap());
    eprintln!(
        "TBAQ timex: strict F1 {:.3}, relaxed F1 {relaxed:.3}, value F1 {value:.3}",
        r["strict_f1"].as_f64().unwrap()
    );
    assert!(relaxed >= 0.88, "relaxed extent F1 {relaxed:.3} is under the 0.88 floor");
    assert!(value >= 0.78, "value F1 {value:.3} is under the 0.78 floor");
}

#[test]
fn geovirus_geocoding_accuracy_floor() {
    let Some(data) = common::shared_data() else { return };
    let corpus = data.join("geoparsing/Corpora/GeoVirus.xml");
    let (code, out, err) = common::run(&["eval", "geo", "--corpus", corpus.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    assert_eq!(r["articles"], 229);
    let g = &r["gold"];
    let acc = g["acc161"].as_f64().unwrap();
    eprintln!(
        "GeoVirus gold toponyms: acc@161 {acc:.3}, mean {:.0} km, median {:.1} km, AUC {:.3}",
        g["mean_km"].as_f64().unwrap(),
        g["median_km"].as_f64().unwrap(),
        g["auc"].as_f64().unwrap()
    );
    assert!(acc >= 0.80, "accuracy@161 {acc:.3} is under the 0.80 floor");
}

/// Issue 5's floors for the quote extractor on PolNeAR dev (see eval/reports/quotes-polnear-dev.md).
#[test]
fn polnear_dev_quote_floors() {
    let Some(data) = common::shared_data() else { return };
    let dev = data.join("polnear/data/dev");
    let (code, out, err) = common::run(&["eval", "quotes", "--polnear", dev.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    assert_eq!(r["documents"], 84, "PolNeAR dev holds 84 articles");
    let all = r["content_f1"].as_f64().unwrap();
    let direct = r["direct"]["content_f1"].as_f64().unwrap();
    let speaker = r["direct"]["speaker_accuracy"].as_f64().unwrap();
    eprintln!(
        "PolNeAR dev quotes: content overlap F1 {all:.3} (exact {:.3}), source F1 {:.3}, cue F1 {:.3}, speaker {:.3}; \
         direct content F1 {direct:.3}, direct speaker {speaker:.3}; indirect content F1 {:.3}",
        r["content_exact_f1"].as_f64().unwrap(),
        r["source_f1"].as_f64().unwrap(),
        r["cue_f1"].as_f64().unwrap(),
        r["speaker_accuracy"].as_f64().unwrap(),
        r["indirect"]["content_f1"].as_f64().unwrap()
    );
    // Floors from issue 5 ("done when").
    assert!(direct >= 0.85, "direct-quote content overlap F1 {direct:.3} is under the 0.85 floor");
    assert!(speaker >= 0.80, "direct-quote speaker accuracy {speaker:.3} is under the 0.80 floor");
    assert!(all >= 0.60, "all-attributions content overlap F1 {all:.3} is under the 0.60 floor");
}

/// Issue 6's floors for the event coder on the PLOVER gold-standard records (see
/// eval/reports/events-plover.md): root-code and full-code accuracy on records with an event.
#[test]
fn plover_event_coding_floors() {
    let Some(data) = common::shared_data() else { return };
    let gold = data.join("plover-cameo/PLOVER_GSR_CAMEO.json");
    let (code, out, err) = common::run(&["eval", "events", "--plover", gold.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    assert_eq!(r["with_event"], 322, "the GSR holds 322 records with an event");
    let (root, full) = (r["root_accuracy"].as_f64().unwrap(), r["code_accuracy"].as_f64().unwrap());
    eprintln!(
        "PLOVER GSR events: precision {:.3}, recall {:.3}, root {root:.3}, code {full:.3}, source {:.3}, target {:.3} \
         (held-out half: root {:.3}, code {:.3})",
        r["precision"].as_f64().unwrap(),
        r["recall"].as_f64().unwrap(),
        r["source_accuracy"].as_f64().unwrap(),
        r["target_accuracy"].as_f64().unwrap(),
        r["held_out"]["root_accuracy"].as_f64().unwrap(),
        r["held_out"]["code_accuracy"].as_f64().unwrap()
    );
    assert!(root >= 0.75, "root-code accuracy {root:.3} is under the 0.75 floor");
    assert!(full >= 0.55, "full-code accuracy {full:.3} is under the 0.55 floor");
    // The held-out half (records the rules were not checked against) reaches less; held near
    // what it reaches (0.402) so a regression on unseen text fails too.
    let held = r["held_out"]["code_accuracy"].as_f64().unwrap();
    assert!(held >= 0.38, "held-out full-code accuracy {held:.3} is under the 0.38 regression floor");
}

#[test]
fn ecbplus_story_clustering_floor() {
    let Some(data) = common::shared_data() else { return };
    let dir = data.join("ecbplus/ECB+");
    let (code, out, err) = common::run(&["eval", "stories", "--ecbplus", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}"));
    assert_eq!(r["documents"], 462, "ECB+ topics 1–22 (15 and 17 absent) hold 462 documents");
    let b3 = r["b3_f1"].as_f64().unwrap();
    eprintln!(
        "ECB+ stories: sub-topic B³ F1 {b3:.3}, pairwise F1 {:.3}; topic B³ F1 {:.3}",
        r["pairwise_f1"].as_f64().unwrap(),
        r["topic"]["b3_f1"].as_f64().unwrap()
    );
    assert!(b3 >= 0.80, "sub-topic B³ F1 {b3:.3} is under the 0.80 floor");
}
