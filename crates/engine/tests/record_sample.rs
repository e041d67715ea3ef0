//! The standard pipeline on `examples/alaska-summit.txt`: counts and amounts, themes and
//! tone (issue 6, item 3). The annotators know nothing of this article: their data are
//! general word lists (`crates/measure/data`, `crates/theme/data`, `crates/tone/data`).
mod common;

use common::sample;
use newsgraph_model::Bound;

#[test]
fn counts_and_amounts() {
    let doc = sample();
    let show: Vec<String> = doc
        .layers
        .amounts
        .iter()
        .map(|a| format!("{:?} {} {:?} {:?} {:?}", doc.slice(a.span), a.value, a.bound, a.object, a.count_type))
        .collect();
    let all = show.join("\n  ");
    // "led to tens of thousands of deaths": KILL, at least 10,000.
    let deaths = doc.layers.amounts.iter().find(|a| a.object.as_deref() == Some("deaths")).expect(&all);
    assert_eq!((deaths.value, deaths.bound, deaths.count_type.as_deref()), (10000.0, Bound::AtLeast, Some("KILL")));
    assert_eq!(doc.slice(deaths.span), "tens of thousands");
    // "the front line of 1000 kilometers": an amount of the front line's length.
    let line = doc.layers.amounts.iter().find(|a| a.value == 1000.0).expect(&all);
    assert_eq!(line.object.as_deref(), Some("kilometers front line"), "{all}");
    assert_eq!(line.count_type, None);
    // No year, date or duration is read as an amount ("2015", "three years ago").
    for a in &doc.layers.amounts {
        assert!(!(1800.0..=2100.0).contains(&a.value) || a.object.is_some(), "{all}");
        assert!(!a.evidence.is_empty() && a.confidence > 0.0);
    }
}

#[test]
fn themes() {
    let doc = sample();
    let ids: Vec<&str> = doc.layers.themes.iter().map(|t| t.id.as_str()).collect();
    for want in
        ["armed_conflict", "negotiations", "sanctions", "tariffs", "territory", "summit", "peace_process", "oil"]
    {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    // Every mention is a trigger outside names: "Institute for the Study of War" gives no war.
    let war = doc.layers.themes.iter().find(|t| t.id == "armed_conflict").unwrap();
    for s in &war.mentions {
        assert!(!doc.layers.mentions.iter().any(|m| m.span.overlaps(*s)), "{:?} is inside a name", doc.slice(*s));
    }
    assert_eq!(war.gkg.as_deref(), Some("ARMEDCONFLICT"));
}

#[test]
fn tone() {
    let doc = sample();
    let t = doc.layers.tone.as_ref().expect("tone");
    // A war story: more negative words than positive ones.
    assert!(t.tone < 0.0 && t.negative > t.positive, "{t:?}");
    assert!((t.tone - (t.positive - t.negative)).abs() < 0.01);
    assert!(t.word_count > 800 && t.self_group > 0.0 && t.activity > 0.0, "{t:?}");
}
