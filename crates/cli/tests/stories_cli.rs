//! `newsgraph stories` and `newsgraph story` on the examples store: the Alaska-summit articles
//! form one story, the republished copy is grouped under the earlier original, and
//! re-ingesting changes nothing.
mod common;

use common::run;
use serde_json::Value;
use std::collections::HashMap;

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// Every story with its detail (articles, entities, timeline), as the CLI prints them.
fn stories(s: &str) -> Vec<Value> {
    let page = json(&["stories", "--store", s, "--json"]);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| json(&["story", &st["id"].to_string(), "--store", s, "--json"]))
        .collect()
}

#[test]
fn examples_form_one_alaska_story_with_the_copy_grouped() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "-q"]);
    assert_eq!(code, 0, "{err}");
    let (_, table, _) = run(&["stories", "--store", s]);
    println!("{table}");

    // Article ids by input file.
    let (code, out, _) = run(&["export", "--store", s]);
    assert_eq!(code, 0);
    let mut by_file: HashMap<String, String> = HashMap::new();
    for line in out.lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        by_file.insert(
            d["meta"]["input"]["origin"].as_str().unwrap().trim_start_matches("examples/").to_string(),
            d["id"].as_str().unwrap().to_string(),
        );
    }
    let total = out.lines().count() as u64;

    let all = stories(s);
    // Every article is in exactly one story, and each story's count is its article list.
    let mut seen: Vec<String> = Vec::new();
    for st in &all {
        let arts = st["articles"].as_array().unwrap();
        seen.extend(arts.iter().map(|a| a["id"].as_str().unwrap().to_string()));
    }
    let page = json(&["stories", "--store", s, "--json"]);
    let counts: Vec<u64> = page["items"].as_array().unwrap().iter().map(|x| x["articles"].as_u64().unwrap()).collect();
    let lens: Vec<u64> = all.iter().map(|st| st["articles"].as_array().unwrap().len() as u64).collect();
    assert_eq!(counts, lens, "{table}");
    seen.sort();
    let n = seen.len();
    seen.dedup();
    assert_eq!((n as u64, seen.len() as u64), (total, total), "{table}");

    // The summit, from its announcement (both copies of the sample) through every side's
    // view to the day itself, is one story (the window spans the announcement and the summit).
    let story_of = |file: &str| {
        let id = &by_file[file];
        all.iter()
            .find(|st| st["articles"].as_array().unwrap().iter().any(|a| a["id"] == id.as_str()))
            .unwrap_or_else(|| panic!("{file} is in no story"))["id"]
            .clone()
    };
    let alaska = story_of("alaska-summit.txt");
    for f in ["alaska-summit-copy.txt", "moscow-view.txt", "washington-view.txt", "spellings.txt", "summit-day.txt"] {
        assert_eq!(story_of(f), alaska, "{f} should be in the Alaska story:\n{table}");
    }
    let st = all.iter().find(|st| st["id"] == alaska).unwrap();
    let label = st["label"].as_str().unwrap();
    assert!(label.contains("Trump") && label.contains("Putin"), "{label}");
    let ents: Vec<&str> = st["entities"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ents.contains(&"per:donald-trump") && ents.contains(&"per:vladimir-putin"), "{ents:?}");
    // The timeline is ordered by the date of what happened (undated last).
    let dates: Vec<&str> = st["timeline"].as_array().unwrap().iter().filter_map(|t| t["date"].as_str()).collect();
    assert!(!dates.is_empty() && dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");

    // The republished copy is in the original's near-duplicate group; the earlier is canonical.
    let (orig, copy) = (&by_file["alaska-summit.txt"], &by_file["alaska-summit-copy.txt"]);
    let ro = newsgraph_store::EmbeddedStore::open_read_only(&store).unwrap();
    use newsgraph_store::Store;
    let g = ro.duplicates(copy).unwrap().unwrap();
    assert_eq!(&g.canonical, orig);
    let members: Vec<&str> = g.members.iter().map(|m| m.article.id.as_str()).collect();
    assert_eq!(members, [orig.as_str(), copy.as_str()]);
    assert_eq!(ro.duplicates(orig).unwrap().unwrap(), {
        let mut h = g.clone();
        h.article = orig.clone();
        h
    });
    let lone = ro.duplicates(&by_file["moscow-view.txt"]).unwrap().unwrap();
    assert_eq!(lone.members.len(), 1);
    drop(ro);
    let (code, out, _) = run(&["story", &alaska.to_string(), "--store", s]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("id {copy}  (near-duplicate of {orig})")), "{out}");

    // Re-ingesting changes nothing (a new process: the state is rebuilt from the store).
    let (code, out, err) = run(&["ingest", "examples", "--store", s, "-q", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["inserted"], 0);
    assert_eq!(stories(s), all);

    let (code, _, err) = run(&["story", "424242", "--store", s]);
    assert_eq!(code, 1);
    assert!(err.contains("no story 424242"), "{err}");
}
