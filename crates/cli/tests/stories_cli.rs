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

/// Entities of the store whose written forms include any of `needles` (case-insensitive).
fn entities_written_as<'a>(all: &'a [Value], needles: &[&str]) -> Vec<&'a Value> {
    all.iter()
        .filter(|e| {
            e["aliases"].as_array().unwrap().iter().any(|f| {
                let form = f["form"].as_str().unwrap().to_lowercase();
                needles.iter().any(|n| form.contains(&n.to_lowercase()))
            })
        })
        .collect()
}

#[test]
fn examples_name_each_person_once_across_articles() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "-q"]);
    assert_eq!(code, 0, "{err}");
    let page = json(&["entities", "--store", s, "--limit", "1000", "--json"]);
    let all = page["items"].as_array().unwrap();
    assert_eq!(page["total"].as_u64().unwrap() as usize, all.len());

    // Witkoff, Witkof and the garbled Vikof: one entity, the misspellings marked repaired.
    let w = entities_written_as(all, &["witkof", "vikof"]);
    let ids: Vec<&str> = w.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["per:steve-witkoff"], "{w:#?}");
    let forms = w[0]["aliases"].as_array().unwrap();
    let form = |f: &str| forms.iter().find(|x| x["form"].as_str().unwrap().ends_with(f));
    assert_eq!(form("Vikof").map(|f| f["repaired"].as_bool()), Some(Some(true)), "{forms:?}");
    assert_eq!(form("Witkoff").map(|f| f["repaired"].as_bool()), Some(Some(false)), "{forms:?}");
    assert!(w[0]["articles"].as_u64().unwrap() >= 3, "{:?}", w[0]);

    // Zelenskyy, Zelensky, the machine-translated Zelenski and "Mr. Zelenskyy": one entity.
    let z = entities_written_as(all, &["zelensk"]);
    let ids: Vec<&str> = z.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["per:volodymyr-zelenskyy"], "{z:#?}");
    let forms: Vec<&str> = z[0]["aliases"].as_array().unwrap().iter().map(|f| f["form"].as_str().unwrap()).collect();
    assert!(
        forms.iter().any(|f| f.ends_with("Zelenski")) && forms.iter().any(|f| f.ends_with("Zelenskyy")),
        "{forms:?}"
    );
    // A merged local id answers with the entity it was merged into.
    for merged in z[0]["merged"].as_array().map(|v| v.as_slice()).unwrap_or(&[]) {
        let e = json(&["entity", merged.as_str().unwrap(), "--store", s, "--json"]);
        assert_eq!(e["id"], "per:volodymyr-zelenskyy", "{e}");
    }
    // No two listed entities of one kind share a name.
    let mut names: Vec<(String, String)> = all
        .iter()
        .map(|e| (e["kind"].as_str().unwrap().to_string(), e["name"].as_str().unwrap().to_lowercase()))
        .collect();
    names.sort();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "a name listed twice");

    // The entity's timeline, by the date of what happened; search grouped by story.
    let t = json(&["entity", "per:vladimir-putin", "--timeline", "--limit", "1000", "--store", s, "--json"]);
    let items = t["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["event"].is_object()) && items.iter().any(|i| i["quote"].is_object()), "{t}");
    let dates: Vec<&str> = items.iter().filter_map(|i| i["date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    let (code, out, _) = run(&["entity", "per:vladimir-putin", "--timeline", "--store", s]);
    assert_eq!(code, 0);
    assert!(out.contains("timeline of per:vladimir-putin"), "{out}");
    let g = json(&["search", "Putin Alaska summit", "--stories", "--store", s, "--json"]);
    assert_eq!(g["total"], 1, "the examples are one story: {g}");
    let top = &g["items"][0];
    assert!(top["matching"].as_u64().unwrap() >= 5, "{top}");
    assert!(top["story"]["label"].as_str().unwrap().contains("Putin"), "{top}");
    let (code, out, _) = run(&["search", "Putin", "--stories", "--store", s]);
    assert_eq!(code, 0);
    assert!(out.contains("1 story with matching articles"), "{out}");
}
