//! Golden tests of the whole pipeline: `analyze --json` on example inputs must equal the
//! committed output in `tests/golden/`. A change to any annotator shows up here as a diff
//! to review; when the change is intended, regenerate with
//! `NEWSGRAPH_BLESS=1 cargo test -p newsgraph --test golden` and commit the new files.
//! Reading the committed JSON back with the current model also checks that old output
//! still parses (format compatibility).
mod common;

use std::path::Path;

fn golden(example: &str) {
    let (code, out, err) = common::run(&["analyze", &format!("examples/{example}"), "--json"]);
    assert_eq!(code, 0, "{err}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{example}.json"));
    if std::env::var_os("NEWSGRAPH_BLESS").is_some() {
        std::fs::write(&path, &out).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; create it with NEWSGRAPH_BLESS=1", path.display()));
    // One document, or an array of them when the input holds several.
    let value: serde_json::Value = serde_json::from_str(&want).expect("the golden file is JSON");
    let docs = match value {
        serde_json::Value::Array(a) => a,
        one => vec![one],
    };
    for d in docs {
        newsgraph_model::Document::from_json(&d.to_string()).expect("the committed golden output still parses");
    }
    if want != out {
        let (i, (w, g)) = want
            .lines()
            .zip(out.lines())
            .enumerate()
            .find(|(_, (w, g))| w != g)
            .unwrap_or((want.lines().count().min(out.lines().count()), ("<end>", "<end>")));
        panic!(
            "{example}: pipeline output differs from {} at line {}:\n  want: {w}\n  got:  {g}\n\
             If the change is intended: NEWSGRAPH_BLESS=1 cargo test -p newsgraph --test golden",
            path.display(),
            i + 1
        );
    }
}

#[test]
fn alaska_summit_text() {
    golden("alaska-summit.txt");
}

#[test]
fn white_house_meeting_html() {
    golden("white-house-meeting.html");
}

#[test]
fn europe_reaction_jsonl() {
    golden("europe-reaction.jsonl");
}
