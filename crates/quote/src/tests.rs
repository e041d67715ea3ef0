//! Table-driven tests on tiny documents: mentions are placed on every occurrence of the
//! given names, one entity per name (the entity layer's job is tested in its own crate).
use super::*;
use newsgraph_model::{DocumentBuilder, Entity, Mention};
use newsgraph_text::Segmenter;

fn doc(text: &str, names: &[(&str, EntityType)]) -> Document {
    let mut d = DocumentBuilder::new(text).build();
    Segmenter::default().annotate(&mut d);
    let mut mentions = Vec::new();
    let mut entities = Vec::new();
    for (i, (name, kind)) in names.iter().enumerate() {
        entities.push(Entity::new(format!("e:{name}"), *name, *kind));
        let t = d.text().to_string();
        for (at, _) in t.match_indices(name) {
            let before = t[..at].chars().next_back();
            let after = t[at + name.len()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
                continue;
            }
            let mut m = Mention::new(Span::new(at, at + name.len()), *kind, 0.9, "test");
            m.entity = Some(i as u32);
            mentions.push(m);
        }
    }
    mentions.sort_by_key(|m| m.span.start);
    d.layers.mentions = mentions;
    d.layers.entities = entities;
    QuoteFinder::builtin().annotate(&mut d);
    d
}

/// (content, kind, source, speaker name, reported-by name)
type Row = (String, QuoteKind, Option<String>, Option<String>, Option<String>);
/// (text, names with their types, expected rows)
type Case = (&'static str, Vec<(&'static str, EntityType)>, Vec<Row>);

fn quotes(text: &str, names: &[(&str, EntityType)]) -> Vec<Row> {
    let d = doc(text, names);
    let name = |e: Option<u32>| e.map(|e| d.layers.entities[e as usize].name.clone());
    d.layers
        .quotes
        .iter()
        .map(|q| {
            (
                d.slice(q.content).to_string(),
                q.kind,
                q.source.map(|s| d.slice(s).to_string()),
                name(q.speaker),
                name(q.reported_by),
            )
        })
        .collect()
}

use EntityType::{Organization as Org, Person as Per};
use QuoteKind::*;

fn row(c: &str, k: QuoteKind, s: Option<&str>, sp: Option<&str>, rb: Option<&str>) -> Row {
    (c.into(), k, s.map(Into::into), sp.map(Into::into), rb.map(Into::into))
}

#[test]
fn direct_frames() {
    let cases: Vec<Case> = vec![
        (
            "“We will win,” said Jane Doe.",
            vec![("Jane Doe", Per)],
            vec![row("We will win", Direct, Some("Jane Doe"), Some("Jane Doe"), None)],
        ),
        (
            "“We will win,” Jane Doe said on Friday.",
            vec![("Jane Doe", Per)],
            vec![row("We will win", Direct, Some("Jane Doe"), Some("Jane Doe"), None)],
        ),
        (
            "Jane Doe said: “We will win.”",
            vec![("Jane Doe", Per)],
            vec![row("We will win.", Direct, Some("Jane Doe"), Some("Jane Doe"), None)],
        ),
        (
            "“This means peace,” says Ivan Petrov, a Moscow analyst.",
            vec![("Ivan Petrov", Per)],
            vec![row("This means peace", Direct, Some("Ivan Petrov"), Some("Ivan Petrov"), None)],
        ),
        (
            "“It is impossible to talk. We must fight,” Buddha, commander of a drone unit, told the press.",
            vec![("Buddha", Per)],
            vec![row("It is impossible to talk. We must fight", Direct, Some("Buddha"), Some("Buddha"), None)],
        ),
        (
            "Jane Doe spoke first.\n“I would like peace,” she said, “but they refuse.”",
            vec![("Jane Doe", Per)],
            vec![row("I would like peace,” she said, “but they refuse.", Direct, Some("she"), Some("Jane Doe"), None)],
        ),
    ];
    for (text, names, want) in cases {
        assert_eq!(quotes(text, &names), want, "{text}");
    }
}

#[test]
fn reported_speech() {
    let cases: Vec<Case> = vec![
        (
            "John Smith said his meeting would come first.",
            vec![("John Smith", Per)],
            vec![row("his meeting would come first", Indirect, Some("John Smith"), Some("John Smith"), None)],
        ),
        (
            "The Acme Corporation said on Friday that prices had risen.",
            vec![("Acme Corporation", Org)],
            vec![row("prices had risen", Indirect, Some("The Acme Corporation"), Some("Acme Corporation"), None)],
        ),
        (
            "Prices rose again in May, Acme said.",
            vec![("Acme", Org)],
            vec![row("Prices rose again in May", Indirect, Some("Acme"), Some("Acme"), None)],
        ),
        (
            "According to Acme, prices rose.",
            vec![("Acme", Org)],
            vec![row("prices rose", Indirect, Some("Acme"), Some("Acme"), None)],
        ),
        (
            "John Smith suggested that any deal would include “exchanging land”, but gave no details.",
            vec![("John Smith", Per)],
            vec![row(
                "any deal would include “exchanging land”, but gave no details",
                Partial,
                Some("John Smith"),
                Some("John Smith"),
                None,
            )],
        ),
        (
            "The Institute, a think tank in Washington, said in an assessment on Thursday that “the war goes on.”",
            vec![("Institute", Org)],
            vec![row("the war goes on.", Direct, Some("The Institute"), Some("Institute"), None)],
        ),
        (
            "Acme officials said the Mary Major “expressed support for the plan.”",
            vec![("Acme", Org), ("Mary Major", Per)],
            vec![row(
                "the Mary Major “expressed support for the plan.”",
                Mixed,
                Some("Acme officials"),
                Some("Mary Major"),
                Some("Acme"),
            )],
        ),
        // Not quotes: a transitive cue without a clause, a negated cue.
        ("The Acme Corporation has not yet confirmed the details.", vec![("Acme Corporation", Org)], vec![]),
        ("John Smith announced the plan on Monday.", vec![("John Smith", Per)], vec![]),
        // A passive speech act names its target: no quote of John Smith's.
        ("John Smith had been criticised for his clothes.", vec![("John Smith", Per)], vec![]),
        // A speech act takes the rest of its clause.
        (
            "John Smith accused the company of lying, in a long speech.",
            vec![("John Smith", Per)],
            vec![row("the company of lying", Indirect, Some("John Smith"), Some("John Smith"), None)],
        ),
        // A frame in mid-sentence: the content has two parts.
        (
            "Acts of protest, John Smith said, are acts of patriotism.",
            vec![("John Smith", Per)],
            vec![row(
                "Acts of protest, John Smith said, are acts of patriotism",
                Indirect,
                Some("John Smith"),
                Some("John Smith"),
                None,
            )],
        ),
        // A transcript label.
        ("SMITH: We will win this.", vec![], vec![row("We will win this.", Direct, Some("SMITH"), None, None)]),
        ("KYIV: The city was quiet overnight.", vec![("KYIV", EntityType::Place)], vec![]),
    ];
    for (text, names, want) in cases {
        assert_eq!(quotes(text, &names), want, "{text}");
    }
}

#[test]
fn speakers_through_pronouns_and_text_nouns() {
    let text = "“The plan is dead,” the Institute said in a statement.\n“It will not return,” the statement said.\n\nJane Doe arrived.\n“We are ready,” she said.";
    let got = quotes(text, &[("Institute", Org), ("Jane Doe", Per)]);
    let speakers: Vec<Option<&str>> = got.iter().map(|r| r.3.as_deref()).collect();
    assert_eq!(speakers, [Some("Institute"), Some("Institute"), Some("Jane Doe")], "{got:?}");
}

#[test]
fn unbalanced_and_odd_input_never_fails() {
    for text in
        ["“Open and never closed, he said.", "” stray close.", "\"\"\"", "said said said", "", "“", "According to"]
    {
        let d = doc(text, &[]);
        assert!(d.validate().is_ok(), "{text}");
    }
    // An unclosed quotation still yields its words.
    let got = quotes("Jane Doe said: “We will never stop\nNext.", &[("Jane Doe", Per)]);
    assert_eq!(got[0].0, "We will never stop");
    assert_eq!(got[0].3.as_deref(), Some("Jane Doe"));
}
