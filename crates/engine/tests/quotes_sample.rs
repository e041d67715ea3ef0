//! The standard pipeline on `examples/alaska-summit.txt`: the quotes the quotes issue's
//! Done-when list names, each with its speaker entity.
mod common;

use common::sample;
use newsgraph_model::{Document, Quote, QuoteKind};

fn entity_id(doc: &Document, e: Option<u32>) -> Option<&str> {
    e.map(|e| doc.layers.entities[e as usize].id.as_str())
}

fn describe(doc: &Document, q: &Quote) -> String {
    format!(
        "{:?} {:?} cue={:?} source={:?} speaker={:?} by={:?} {:?}",
        q.kind,
        doc.slice(q.content),
        q.cue.map(|s| doc.slice(s)),
        q.source.map(|s| doc.slice(s)),
        entity_id(doc, q.speaker),
        entity_id(doc, q.reported_by),
        q.evidence
    )
}

/// The quote whose content contains `words`.
fn find<'d>(doc: &'d Document, words: &str) -> &'d Quote {
    doc.layers.quotes.iter().find(|q| doc.slice(q.content).contains(words)).unwrap_or_else(|| {
        let all: Vec<String> = doc.layers.quotes.iter().map(|q| describe(doc, q)).collect();
        panic!("no quote containing {words:?}; found:\n{}", all.join("\n"))
    })
}

#[test]
fn sample_article_quotes_and_speakers() {
    let doc = sample();
    for q in &doc.layers.quotes {
        println!("{}", describe(&doc, q));
    }
    // (words in the content, speaker entity, reported by, kinds allowed)
    let cases: &[(&str, &str, Option<&str>, &[QuoteKind])] = &[
        ("exchanging territories", "per:donald-trump", None, &[QuoteKind::Partial]),
        ("It is impossible to negotiate with them", "local:person:buddha", None, &[QuoteKind::Direct]),
        ("I would like them to agree", "local:person:buddha", None, &[QuoteKind::Direct]),
        (
            "expressed support for the settlement",
            "per:xi-jinping",
            Some("org:kremlin"),
            &[QuoteKind::Partial, QuoteKind::Mixed],
        ),
        ("This means that for the first time", "local:person:sergei-markov", None, &[QuoteKind::Direct]),
        ("Putin remains uninterested", "org:isw", None, &[QuoteKind::Direct, QuoteKind::Mixed]),
        ("Putin continues to believe", "org:isw", None, &[QuoteKind::Direct]),
        ("his meeting with Putin would come before", "per:donald-trump", None, &[QuoteKind::Indirect]),
        ("Putin had a telephone conversation", "org:kremlin", None, &[QuoteKind::Indirect]),
        ("He also recently made telephone conversations", "org:kremlin", None, &[QuoteKind::Indirect]),
        ("he will meet with Russian President Vladimir Putin", "per:donald-trump", None, &[QuoteKind::Indirect]),
    ];
    for (words, speaker, by, kinds) in cases {
        let q = find(&doc, words);
        let d = describe(&doc, q);
        assert_eq!(entity_id(&doc, q.speaker), Some(*speaker), "{d}");
        assert_eq!(entity_id(&doc, q.reported_by), *by, "{d}");
        assert!(kinds.contains(&q.kind), "{d}");
        assert!(q.confidence > 0.0 && !q.evidence.is_empty(), "{d}");
    }
    // The second Buddha quote's source is the pronoun as written, resolved to Buddha.
    assert_eq!(find(&doc, "I would like them").source.map(|s| doc.slice(s)), Some("he"));
    // A place speaks only as a country ("Russia seeks…"), never as a town or region.
    for q in &doc.layers.quotes {
        if let Some(e) = q.speaker {
            let e = &doc.layers.entities[e as usize];
            if e.kind == newsgraph_model::EntityType::Place {
                assert_eq!(e.subtype.as_deref(), Some("country"), "{}", describe(&doc, q));
            }
        }
    }
}
