//! Table tests: hand-written news sentences of clear tone (ours, not from any gold set).
//! They check direction only; no accuracy is claimed (we have no tone gold data).
use super::*;
use newsgraph_model::{DocumentBuilder, EntityType, Mention, Span};

fn tone(text: &str) -> Tone {
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    ToneScorer::builtin().score(&d)
}

#[test]
fn clear_news_has_the_expected_sign() {
    let negative = [
        "Missiles struck a crowded market, killing dozens of civilians and wounding hundreds in the deadliest attack of the war.",
        "The government collapsed amid a corruption scandal, and violent riots left the capital in chaos.",
        "Floods destroyed thousands of homes, and officials warned that the death toll would rise.",
        "Talks failed after both sides accused each other of betrayal and threatened retaliation.",
    ];
    let positive = [
        "The two leaders signed a historic peace agreement, and crowds celebrated in the streets.",
        "The charity's volunteers helped rebuild the school, and the village thanked them warmly.",
        "Scientists announced a successful vaccine trial, raising hopes for millions of patients.",
        "The economy grew strongly as wages improved and exports reached a record high.",
    ];
    for t in negative {
        let s = tone(t);
        assert!(s.tone < 0.0, "{t}: {s:?}");
    }
    for t in positive {
        let s = tone(t);
        assert!(s.tone > 0.0, "{t}: {s:?}");
    }
}

#[test]
fn fields_follow_the_gkg_definitions() {
    let s = tone("We will not accept this terrible deal, they said, but we hope for peace.");
    assert_eq!(s.word_count, 14);
    assert!((s.tone - (s.positive - s.negative)).abs() < 0.01);
    assert!((s.polarity - (s.positive + s.negative)).abs() < 0.01);
    // we, they, we: 3 of 14 words.
    assert!((s.self_group - 300.0 / 14.0).abs() < 0.01, "{s:?}");
    assert!(s.evidence[0].starts_with("VADER lexicon (vaderSentiment"), "{:?}", s.evidence);
    let a = tone("Troops attacked, shelled and stormed the town.");
    assert!((a.activity - 300.0 / 7.0).abs() < 0.01, "{a:?}");
    let empty = tone("");
    assert_eq!((empty.word_count, empty.tone), (0, 0.0));
}

/// A known limit of a word lexicon: composition ("unemployment fell to a record low" is
/// good news) is not understood; this sentence scores neutral, not positive.
#[test]
fn composition_is_not_understood() {
    let s = tone("The economy grew strongly as wages improved and unemployment fell to a record low.");
    assert_eq!(s.tone, 0.0, "{s:?}");
}

#[test]
fn negators_flip_and_are_not_scored() {
    let plain = tone("The talks made progress.");
    let negated = tone("The talks did not make progress.");
    assert!(plain.tone > 0.0 && negated.tone < 0.0, "{plain:?} {negated:?}");
    assert!(negated.evidence[1].contains("1 flipped"), "{:?}", negated.evidence);
}

#[test]
fn names_carry_no_tone() {
    let text = "United Peace Party officials arrived.";
    let mut d = DocumentBuilder::new(text).build();
    newsgraph_text::Segmenter::default().annotate(&mut d);
    assert!(ToneScorer::builtin().score(&d).positive > 0.0);
    d.layers.mentions.push(Mention::new(Span::new(0, 18), EntityType::Organization, 1.0, "test"));
    assert_eq!(ToneScorer::builtin().score(&d).polarity, 0.0);
}

#[test]
fn lexicon_is_loaded() {
    let t = ToneScorer::builtin();
    assert!(t.valence.len() > 7000);
    assert!(t.valence("war").unwrap() < 0.0 && t.valence("peace").unwrap() > 0.0);
}
