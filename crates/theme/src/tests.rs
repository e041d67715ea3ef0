//! Table tests over hand-written sentences (none from the sample article).
use super::*;
use newsgraph_model::{DocumentBuilder, EntityType, Mention};

fn ids(text: &str) -> Vec<String> {
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    ThemeTagger::builtin().find(&d).into_iter().map(|t| t.id).collect()
}

#[test]
fn themes_of_sentences() {
    let cases: &[(&str, &[&str])] = &[
        ("Negotiators met in Doha to agree a truce.", &["negotiations", "ceasefire"]),
        ("Washington imposed new tariffs and threatened an embargo.", &["tariffs", "sanctions"]),
        ("Voters went to the polls in a referendum on Sunday.", &["elections"]),
        ("Thousands of protesters rallied outside parliament.", &["protest", "legislation"]),
        ("The earthquake displaced 20,000 people.", &["natural_disaster", "displaced"]),
        ("Hackers hit the ministry with ransomware.", &["cyber_attack", "government"]),
        ("The reactor at the nuclear power plant was shut.", &["nuclear_power", "electricity"]),
        ("The quarterly report was published on Tuesday.", &[]),
    ];
    for (text, want) in cases {
        assert_eq!(&ids(text), want, "{text}");
    }
}

#[test]
fn prefixes_phrases_and_spans() {
    let text = "Negotiations stalled. The negotiators blamed the nuclear weapons programme.";
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    let themes = ThemeTagger::builtin().find(&d);
    let neg = themes.iter().find(|t| t.id == "negotiations").unwrap();
    let words: Vec<&str> = neg.mentions.iter().map(|s| &text[s.range()]).collect();
    assert_eq!(words, ["Negotiations", "negotiators"]);
    assert!(neg.evidence[0].starts_with("`negotiat*` ×2 (themes.tsv:"), "{:?}", neg.evidence);
    let wmd = themes.iter().find(|t| t.id == "nuclear_weapons").unwrap();
    assert_eq!(&text[wmd.mentions[0].range()], "nuclear weapons");
    assert_eq!(wmd.gkg.as_deref(), Some("WMD"));
    // More mentions, more confidence.
    assert!(neg.confidence > wmd.confidence);
}

#[test]
fn names_are_not_topics() {
    let text = "The Institute for the Study of War published a map.";
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    let at = text.find("Institute").unwrap();
    let end = text.find(" published").unwrap();
    d.layers.mentions.push(Mention::new(Span::new(at, end), EntityType::Organization, 1.0, "test"));
    assert!(ThemeTagger::builtin().find(&d).is_empty());
}

#[test]
fn taxonomy_is_well_formed() {
    let t = ThemeTagger::builtin();
    assert!(t.themes().len() >= 30, "{}", t.themes().len());
    let mut seen = std::collections::HashSet::new();
    for d in t.themes() {
        assert!(seen.insert(d.id.clone()), "duplicate theme id {}", d.id);
        assert!(d.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", d.id);
        assert!(!d.triggers.is_empty() && !d.description.is_empty(), "{}", d.id);
    }
}

/// Every GKG name in the taxonomy is one of GDELT's published themes (reads the list in
/// ../shared/data at run time; skipped where it is absent).
#[test]
fn gkg_names_exist() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cameo-gdelt-reference/py-gdelt__LOOKUP-GKGTHEMES.txt"
    );
    let Ok(list) = std::fs::read_to_string(path) else {
        eprintln!("skipped: {path} not found");
        return;
    };
    let names: std::collections::HashSet<&str> = list.lines().filter_map(|l| l.split('\t').next()).collect();
    for d in ThemeTagger::builtin().themes() {
        if let Some(g) = &d.gkg {
            assert!(names.contains(g.as_str()), "{}: {g} is not a GKG theme", d.id);
        }
    }
}
