//! Table-driven tests: tiny sentences, the sample article's expressions as ordinary cases
//! of general rules, and the usual traps.
use super::*;
use newsgraph_model::{DocumentBuilder, Published, TimeBasis};

/// Friday 2025-08-08 23:04:25 UTC (the sample article's publication time).
const FRI: &str = "2025-08-08T23:04:25+00:00";

fn tag(text: &str, dct: Option<&str>) -> Vec<(String, String, Option<String>)> {
    let mut b = DocumentBuilder::new(text);
    if let Some(d) = dct {
        b.meta_mut().published =
            Some(Published { time: chrono::DateTime::parse_from_rfc3339(d).unwrap(), basis: TimeBasis::Stated });
    }
    let mut doc = b.build();
    newsgraph_text::Segmenter::default().annotate(&mut doc);
    TimeTagger::global().tag(&doc).into_iter().map(|t| (doc.slice(t.span).to_string(), t.value, t.modifier)).collect()
}

fn check(cases: &[(&str, &str, &str, &str)], dct: Option<&str>) {
    let mut failures = Vec::new();
    for &(text, surface, value, modifier) in cases {
        let got = tag(text, dct);
        let ok = got.iter().any(|(s, v, m)| s == surface && v == value && m.as_deref().unwrap_or("") == modifier);
        if !ok {
            failures.push(format!("{text:?}: wanted {surface:?}={value} {modifier}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn news_style_relative_dates() {
    check(
        &[
            ("Trump will meet Putin next Friday in Alaska.", "next Friday", "2025-08-15", ""),
            ("The deadline was Friday.", "Friday", "2025-08-08", ""),
            ("The institute said in an assessment on Thursday that talks stalled.", "Thursday", "2025-08-07", ""),
            ("The Kremlin said on Friday that Putin called Xi.", "Friday", "2025-08-08", ""),
            ("Putin should visit China next month.", "next month", "2025-09", ""),
            ("He met the envoy earlier this week.", "earlier this week", "2025-W32", "START"),
            ("He issued the ultimatum almost two weeks ago.", "almost two weeks ago", "2025-07-25", "APPROX"),
            ("The war began more than three years ago.", "more than three years ago", "2022", "MORE_THAN"),
            ("They will meet on Monday.", "Monday", "2025-08-11", ""),
            ("They met on Monday.", "Monday", "2025-08-04", ""),
            ("Sales fell last year.", "last year", "2024", ""),
            ("Prices rose yesterday.", "yesterday", "2025-08-07", ""),
            ("Talks resume tomorrow morning.", "tomorrow morning", "2025-08-09TMO", ""),
            ("It happened last Friday.", "last Friday", "2025-08-01", ""),
            ("The vote is expected next week.", "next week", "2025-W33", ""),
            ("Profit rose in the third quarter.", "the third quarter", "2025-Q3", ""),
            ("Two days later, troops left.", "Two days later", "2025-08-10", ""),
            ("The plant closed in March.", "March", "2025-03", ""),
            ("The summit ended late last month.", "late last month", "2025-07", "END"),
            ("Talks are due early next year.", "early next year", "2026", "START"),
            ("The meeting is at 10:30 a.m. Tuesday.", "10:30 a.m. Tuesday", "2025-08-05T10:30", ""),
        ],
        Some(FRI),
    );
}

#[test]
fn absolute_dates_durations_sets_refs() {
    check(
        &[
            ("Russia annexed Crimea in 2014.", "2014", "2014", ""),
            ("It was the first summit of 2021, when Biden met Putin.", "2021", "2021", ""),
            ("The bonds are due Oct. 15, 1999.", "Oct. 15, 1999", "1999-10-15", ""),
            ("He was born on 4 July 1950.", "4 July 1950", "1950-07-04", ""),
            ("Sales in August 1988 fell.", "August 1988", "1988-08", ""),
            ("The war lasted three years.", "three years", "P3Y", ""),
            ("A two-year deal was signed.", "two-year", "P2Y", ""),
            ("Talks lasted at least 72 hours.", "at least 72 hours", "PT72H", "EQUAL_OR_MORE"),
            ("The fighting went on for weeks.", "weeks", "PXW", ""),
            ("It will not change for a couple of years.", "a couple of years", "P2Y", ""),
            ("Rates rose in the quarter ended June 30.", "the quarter", "2025-Q2", ""),
            ("The offer expires at 5 p.m. EST Nov. 9.", "5 p.m. EST Nov. 9", "2025-11-09T17:00", ""),
            ("Prices are reviewed daily.", "daily", "P1D", ""),
            ("He visits every week.", "every week", "P1W", ""),
            ("The company is now profitable.", "now", "PRESENT_REF", ""),
            ("He recently spoke to Xi.", "recently", "PAST_REF", ""),
            ("Music of the 1990s was loud.", "the 1990s", "199", ""),
            ("He is a 20th century democrat.", "20th century", "19", ""),
            ("The boy was found on Thanksgiving Day.", "Thanksgiving Day", "2024-11-28", ""),
            ("CBS first reported last night that talks failed.", "last night", "2025-08-07TNI", ""),
            ("Rebels fled in June last year.", "June last year", "2024-06", ""),
            ("The tour ran in summer 2019.", "summer 2019", "2019-SU", ""),
        ],
        Some(FRI),
    );
}

#[test]
fn narrative_anchor_moves_with_the_text() {
    check(
        &[
            ("Russia annexed Crimea in 2014. That summer, fighting spread.", "That summer", "2014-SU", ""),
            ("The deadline was Friday. Officials said nothing that evening.", "that evening", "2025-08-08TEV", ""),
            ("The plant opened in 2010. The following year it closed.", "The following year", "2011", ""),
        ],
        Some(FRI),
    );
}

#[test]
fn no_publication_time_leaves_relative_dates_unresolved() {
    check(
        &[
            ("The deadline was Friday.", "Friday", "XXXX-WXX-5", ""),
            ("Sales fell last year.", "last year", "XXXX", ""),
            ("The bonds are due Oct. 15, 1999.", "Oct. 15, 1999", "1999-10-15", ""),
            ("Russia annexed Crimea in 2014.", "2014", "2014", ""),
        ],
        None,
    );
}

#[test]
fn traps_are_not_time_expressions() {
    for text in [
        "Such a summit may be a major step.",
        "Russia may suggest giving up territory.",
        "Protesters March on the capital.",
        "August Wilson wrote plays.",
        "The front line of 1000 kilometers snakes south.",
        "The US sent 2,000 troops.",
        "The score was 3-2 at half time.",
        "Call 555-2014 for details.",
        "Version 2.0 of the software shipped.",
        "It cost $1999 in total.",
        "He got 2000 votes.",
        "He served a second term.",
        "A 6-year-old boy and a man, 52 years old, were hurt.",
        "Iraq imports about three-quarters of its food.",
        "Oil prices began to fall further.",
        "Poland and Jan Kavan signed the accord.",
    ] {
        let got = tag(text, Some(FRI));
        assert!(got.is_empty(), "{text:?} gave {got:?}");
    }
}

#[test]
fn decade_compounds_are_handled_deliberately() {
    // "1990s-era": the decade is tagged, the "-era" suffix is not part of it.
    let got = tag("The 1990s-era cars were cheap.", Some(FRI));
    assert_eq!(got, vec![("1990s".to_string(), "199".to_string(), None)]);
}

#[test]
fn builtin_rules_parse_and_bad_rules_report_lines() {
    assert!(RuleSet::builtin().rule_count() > 30);
    let e = RuleSet::parse("", "", "bad rule line").unwrap_err();
    assert_eq!((e.file, e.line), ("rules.txt", 1));
    let e = RuleSet::parse("friday weekdayz 5", "", "").unwrap_err();
    assert!(e.message.contains("weekdayz"), "{e}");
}
