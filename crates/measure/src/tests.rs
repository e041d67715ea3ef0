//! Table tests over hand-written sentences (none from the sample article).
use super::*;
use newsgraph_model::{DocumentBuilder, Timex, TimexType};

fn amounts(text: &str) -> Vec<Amount> {
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    Measurer::builtin().find(&d)
}

/// (value, bound, count type, object, currency).
type Brief = (f64, Bound, Option<String>, Option<String>, Option<String>);

/// The brief of every amount.
fn brief(text: &str) -> Vec<Brief> {
    amounts(text).into_iter().map(|a| (a.value, a.bound, a.count_type, a.object, a.currency)).collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn numbers_objects_and_count_types() {
    use Bound::*;
    let cases: &[(&str, &[Brief])] = &[
        ("The siege led to tens of thousands of deaths.", &[(10000.0, AtLeast, s("KILL"), s("deaths"), None)]),
        ("At least 30 people were killed in the blast.", &[(30.0, AtLeast, s("KILL"), s("people"), None)]),
        ("The strike killed 12 soldiers near the border.", &[(12.0, Exact, s("KILL"), s("soldiers"), None)]),
        ("Police arrested more than 300 protesters.", &[(300.0, AtLeast, s("PROTEST"), s("protesters"), None)]),
        (
            "Some 1.5 million refugees crossed into Poland.",
            &[(1_500_000.0, Approximate, s("REFUGEES"), s("refugees"), None)],
        ),
        ("Twenty-five trucks were dispatched.", &[(25.0, Exact, None, s("trucks"), None)]),
        ("The army sent 20,000 combat soldiers.", &[(20000.0, Exact, s("SOLDIERS"), s("combat soldiers"), None)]),
        ("Rebels kidnapped dozens of villagers.", &[(12.0, AtLeast, s("KIDNAP"), s("villagers"), None)]),
        ("A thousand residents were evacuated.", &[(1000.0, Exact, s("EVACUATION"), s("residents"), None)]),
        ("They hold a front line of 1000 kilometers.", &[(1000.0, Exact, None, s("kilometers front line"), None)]),
        ("The fund spent $1.25 billion on roads.", &[(1_250_000_000.0, Exact, None, None, s("USD"))]),
        ("We spent $25m on it.", &[(25_000_000.0, Exact, None, None, s("USD"))]),
        (
            "It pledged an aid package of 300 million euros.",
            &[(300_000_000.0, Exact, None, s("aid package"), s("EUR"))],
        ),
        (
            "Hundreds of thousands of people fled their homes.",
            &[(100_000.0, AtLeast, s("DISPLACED"), s("people"), None)],
        ),
        ("Two hundred and fifty houses burned.", &[(250.0, Exact, None, s("houses"), None)]),
        ("Half a million barrels of oil were seized.", &[(500_000.0, Exact, s("SEIZE"), s("barrels of oil"), None)]),
        ("The death toll rose to 45 on Sunday.", &[(45.0, Exact, s("KILL"), None, None)]),
        ("Three dozen journalists were detained.", &[(36.0, Exact, s("ARREST"), s("journalists"), None)]),
        ("Up to 500 civilians were wounded.", &[(500.0, AtMost, s("WOUND"), s("civilians"), None)]),
    ];
    for (text, want) in cases {
        assert_eq!(&brief(text), want, "{text}");
    }
}

#[test]
fn what_is_not_an_amount() {
    for text in [
        "Prices rose 10% last year.",
        "Prices rose 10 percent last year.",
        "The war began in 2014 and escalated.",
        "One of the leaders spoke first.",
        "He was the one who called.",
        "Ten of them said no.",
        "Chapter 3 explains it.",
        "She scored 3.",
        "The 25-year-old was arrested.",
        "The victim, 47 years old, was named.",
    ] {
        assert_eq!(brief(text), vec![], "{text}");
    }
}

#[test]
fn numbers_inside_time_expressions_are_skipped() {
    let text = "The war began three years ago and killed 40 soldiers.";
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    let at = text.find("three").unwrap();
    d.layers.timexes.push(Timex {
        span: Span::new(at, at + "three years ago".len()),
        kind: TimexType::Date,
        value: "2022".into(),
        modifier: None,
        anchor: None,
        confidence: 1.0,
        rule: "test".into(),
    });
    let found = Measurer::builtin().find(&d);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].value, 40.0);
    assert_eq!(found[0].count_type.as_deref(), Some("KILL"));
}

#[test]
fn spans_and_evidence() {
    let text = "Officials said at least 30 people were killed.";
    let a = &amounts(text)[0];
    assert_eq!(&text[a.span.range()], "at least 30");
    assert_eq!(&text[a.object_span.unwrap().range()], "people");
    assert_eq!(&text[a.cue.unwrap().range()], "killed");
    assert!(
        a.evidence.iter().any(|e| e.starts_with("count type KILL: after `killed` (counts.tsv:")),
        "{:?}",
        a.evidence
    );
    assert!(a.confidence > 0.8);
    let text = "It cost US$3 million.";
    let a = &amounts(text)[0];
    assert_eq!((&text[a.span.range()], a.value, a.currency.as_deref()), ("US$3 million", 3e6, Some("USD")));
}

#[test]
fn data_files_parse() {
    let lex = Lexicon::builtin();
    assert!(lex.rules().len() >= 25);
    for r in lex.rules() {
        assert!(r.kind.bytes().all(|b| b.is_ascii_uppercase()), "{r:?}");
    }
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "$",
        "$$ 1,2,3,,",
        "€.5bn",
        "one",
        "a",
        "half a",
        "tens of",
        "1,0000 people",
        "₴ 5",
        "9".repeat(400).as_str(),
    ] {
        let _ = brief(text);
    }
    assert_eq!(fmt_value(1500000.0), "1500000");
    assert_eq!(fmt_value(1.25), "1.25");
}
