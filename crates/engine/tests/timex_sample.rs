//! The standard pipeline on `examples/alaska-summit.txt` (published Friday 2025-08-08):
//! the time expressions the time issue's Done-when list names.
mod common;

use common::sample;
use newsgraph_model::Document;

/// The timex whose text is `surface` inside the sentence that contains `context`.
fn find<'d>(doc: &'d Document, context: &str, surface: &str) -> &'d newsgraph_model::Timex {
    let at = doc.text().find(context).unwrap_or_else(|| panic!("context {context:?} not in the text"));
    doc.layers
        .timexes
        .iter()
        .find(|t| {
            doc.slice(t.span) == surface && (t.span.start as usize) >= at && (t.span.end as usize) <= at + context.len()
        })
        .unwrap_or_else(|| {
            let all: Vec<_> = doc.layers.timexes.iter().map(|t| (doc.slice(t.span), &t.value)).collect();
            panic!("no timex {surface:?} in {context:?}; found {all:?}")
        })
}

#[test]
fn sample_article_done_when_values() {
    let doc = sample();
    assert_eq!(doc.meta.published.unwrap().time.to_rfc3339(), "2025-08-08T23:04:25+00:00");
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("Vladimir Putin next Friday in Alaska", "next Friday", "2025-08-15", None),
        ("The deadline was Friday.", "Friday", "2025-08-08", None),
        ("said in an assessment on Thursday", "Thursday", "2025-08-07", None),
        ("Putin should visit China next month.", "next month", "2025-09", None),
        ("his meeting earlier this week with", "earlier this week", "2025-W32", Some("START")),
        ("ultimatum almost two weeks ago", "almost two weeks ago", "2025-07-25", Some("APPROX")),
        ("began more than three years ago", "more than three years ago", "2022", Some("MORE_THAN")),
        ("Crimean Peninsula of Ukraine in 2014", "2014", "2014", None),
        ("US elections in 2016", "2016", "2016", None),
        ("United States was in 2015", "2015", "2015", None),
        ("US-Russia summit of 2021", "2021", "2021", None),
        ("The Kremlin said on Friday that Putin", "Friday", "2025-08-08", None),
    ];
    for &(context, surface, value, modifier) in cases {
        let t = find(&doc, context, surface);
        assert_eq!(t.value, value, "{surface:?} in {context:?}");
        assert_eq!(t.modifier.as_deref(), modifier, "{surface:?} in {context:?}");
        assert!(!t.rule.is_empty());
    }
    // No time expression on "may" (the verb), nor on "1000 kilometers".
    for t in &doc.layers.timexes {
        let s = doc.slice(t.span).to_lowercase();
        assert!(s != "may" && !s.contains("1000"), "false hit {s:?} = {}", t.value);
    }
    doc.validate().unwrap();
}
