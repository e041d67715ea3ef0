//! The standard pipeline on `examples/alaska-summit.txt` (published Friday 2025-08-08): the
//! events the events issue's Done-when list names. The coder has no knowledge of this
//! article: its patterns are general verbs and nouns of the CAMEO codebook.
mod common;

use common::sample;
use newsgraph_model::{Document, Event, Modality};

fn show(doc: &Document, e: &Event) -> String {
    let ent = |a: &Option<newsgraph_model::Actor>| {
        a.as_ref().map(|a| format!("{}[{}]", doc.slice(a.span), a.code.as_deref().unwrap_or("-"))).unwrap_or_default()
    };
    format!(
        "{} —{} {:?} `{}`— {} place={:?} date={:?}",
        ent(&e.source),
        e.code,
        e.modality,
        doc.slice(e.trigger),
        ent(&e.target),
        e.place.map(|p| doc.layers.entities[p as usize].id.clone()),
        e.date.map(|d| doc.layers.timexes[d as usize].value.clone()),
    )
}

fn all(doc: &Document) -> String {
    doc.layers.events.iter().map(|e| show(doc, e)).collect::<Vec<_>>().join("\n  ")
}

/// The events of the sentence that contains `context`.
fn in_sentence<'d>(doc: &'d Document, context: &str) -> Vec<&'d Event> {
    let at = doc.text().find(context).unwrap_or_else(|| panic!("context {context:?} not in the text"));
    doc.layers.events.iter().filter(|e| (e.span.start as usize) <= at && at < e.span.end as usize).collect()
}

fn code(e: &Option<newsgraph_model::Actor>) -> Option<&str> {
    e.as_ref().and_then(|a| a.code.as_deref())
}

#[test]
fn sample_article_done_when_events() {
    let doc = sample();
    let place = |e: &Event| e.place.map(|p| doc.layers.entities[p as usize].id.as_str());
    let date = |e: &Event| e.date.map(|d| doc.layers.timexes[d as usize].value.as_str());
    let every = all(&doc);
    for e in &doc.layers.events {
        assert!(!e.evidence.is_empty() && e.trigger.start >= e.span.start && e.trigger.end <= e.span.end);
    }

    // Trump (USAGOV) — intends to meet (036) — Putin (RUSGOV), Alaska, 2025-08-15, announced.
    let meet = in_sentence(&doc, "will meet with Russian President");
    assert!(
        meet.iter().any(|e| e.code == "036"
            && code(&e.source) == Some("USAGOV")
            && code(&e.target) == Some("RUSGOV")
            && e.modality == Modality::Announced
            && place(e) == Some("loc:us-alaska")
            && date(e) == Some("2025-08-15")),
        "no Trump —036→ Putin in Alaska on 2025-08-15:\n  {every}"
    );

    // Putin — telephone discussion (041) — Xi Jinping (CHNGOV), 2025-08-08.
    let call = in_sentence(&doc, "had a telephone conversation");
    assert!(
        call.iter().any(|e| e.code.starts_with("04")
            && code(&e.source) == Some("RUSGOV")
            && code(&e.target) == Some("CHNGOV")
            && date(e) == Some("2025-08-08")),
        "no Putin —04x→ Xi on 2025-08-08:\n  {every}"
    );

    // The threatened sanctions and secondary tariffs: threats (13x), conditional.
    let threat = in_sentence(&doc, "secondary tariffs");
    let threats: Vec<_> = threat.iter().filter(|e| e.root == "13" && e.modality == Modality::Hypothetical).collect();
    assert!(
        threats.iter().any(|e| code(&e.source) == Some("USAGOV") && doc.slice(e.trigger).contains("sanctions")),
        "no conditional threat of sanctions by Trump:\n  {every}"
    );
    assert!(
        threats.iter().any(|e| doc.slice(e.trigger).contains("tariffs")),
        "no conditional threat of tariffs:\n  {every}"
    );
    assert!(!threat.iter().any(|e| e.root == "16"), "the threatened sanctions are not imposed ones:\n  {every}");

    // The fighting (19x) between Russian and Ukrainian forces, in Pokrovsk / Donetsk / Sumy.
    let fights: Vec<_> = doc.layers.events.iter().filter(|e| e.root == "19").collect();
    let mil = |e: &Event, a: &str, b: &str| code(&e.source) == Some(a) && code(&e.target) == Some(b);
    assert!(
        fights.iter().any(|e| (mil(e, "UKRMIL", "RUSMIL") || mil(e, "RUSMIL", "UKRMIL"))
            && place(e).is_some_and(|p| ["sumy", "donetsk", "pokrovsk"].iter().any(|n| p.contains(n)))),
        "no fight between Russian and Ukrainian forces in Pokrovsk/Donetsk/Sumy:\n  {every}"
    );

    // Putin's last US visit (2015, New York): a past visit.
    let visit = in_sentence(&doc, "last visit to the United States");
    assert!(
        visit.iter().any(|e| e.code == "042"
            && code(&e.source) == Some("RUSGOV")
            && code(&e.target).is_some_and(|c| c.starts_with("USA"))
            && e.modality == Modality::Happened
            && date(e) == Some("2015")
            && place(e).is_some_and(|p| p == "loc:gn-5128581")),
        "no past visit of Putin to the US in 2015 in New York:\n  {every}"
    );
}
