//! Named-entity recognition for newsgraph.
//!
//! A statistical sequence model of our own, in pure Rust: an **averaged structured
//! perceptron** over **BILOU** tags (person, organization, place, misc — the CoNLL-2003
//! types), decoded by beam search over valid tag transitions and trained with early update.
//! Features (word, lower case, shape, prefixes and suffixes, a ±2 context window,
//! capitalization flags, sentence-initial, an all-caps headline flag, the previous two
//! predicted tags, gazetteer and lexicon matches (GeoNames places, organizations, given names
//! and surnames, titles, organization and club words, demonyms, event words), the run of
//! capitalized words around the token, the case of the same word elsewhere in the document,
//! the contexts of its other occurrences, and the type predicted for it earlier in the
//! document) are hashed into a fixed-size table, so the model is a single array of quantized
//! `i16` weights, shipped compactly in `data/ner.bin` (see `data/README.md` for how it was
//! made) and compiled into the binary.
//!
//! ```
//! if let Some(tagger) = newsgraph_entity::builtin() {
//!     let ents = tagger.entities(&["Angela", "Merkel", "visited", "Paris", "."]);
//!     assert!(ents.iter().all(|e| e.end <= 5));
//! }
//! ```
//!
//! [`conll`] reads CoNLL files and decodes IOB1/IOB2/BILOU tag sequences into chunks with
//! `conlleval` semantics; [`train`] trains a model (used by `newsgraph train ner`).

pub mod conll;
pub mod features;
pub mod gazetteer;
mod model;

pub use gazetteer::Gazetteer;
pub use model::{
    entity_type, gold_tags, tag_label, train, train_beam, LoadError, Tagged, Tagger, TrainConfig, TrainSentence, BEAM,
    FEATURE_VERSION, NTAGS, TEMPERATURE, TYPES,
};

use std::sync::OnceLock;

/// The committed weights.
pub static WEIGHTS: &[u8] = include_bytes!("../data/ner.bin");
/// The committed place-name list (GeoNames derivative).
pub static PLACES: &str = include_str!("../data/places.txt");

/// The lexicons of `data/lexicons/` (see `data/README.md`): (file, text).
pub static LEXICONS: &[(&str, &str)] = &[
    ("census_first.txt", include_str!("../data/lexicons/census_first.txt")),
    ("census_last.txt", include_str!("../data/lexicons/census_last.txt")),
    ("person_words.txt", include_str!("../data/lexicons/person_words.txt")),
    ("titles.txt", include_str!("../data/lexicons/titles.txt")),
    ("org_cues.txt", include_str!("../data/lexicons/org_cues.txt")),
    ("clubs.txt", include_str!("../data/lexicons/clubs.txt")),
    ("demonyms.txt", include_str!("../data/lexicons/demonyms.txt")),
    ("events.txt", include_str!("../data/lexicons/events.txt")),
    ("capitalized_common.txt", include_str!("../data/lexicons/capitalized_common.txt")),
    ("organizations.txt", include_str!("../data/lexicons/organizations.txt")),
];

fn lexicon(name: &str) -> &'static str {
    LEXICONS.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| t)
}

/// The gazetteer, built once: place names from [`PLACES`], organization names, and the word
/// classes of the [`LEXICONS`] (given names, surnames, titles, organization and club words,
/// demonyms, event words). The tagger's features depend on it: train and tag with the same.
pub fn places() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        use gazetteer::word;
        let mut g = Gazetteer::from_list(PLACES);
        g.add_list(lexicon("organizations.txt"), gazetteer::ORG, false);
        g.add_list(
            &lexicon("events.txt").lines().filter(|l| l.split_whitespace().count() > 1).collect::<Vec<_>>().join("\n"),
            gazetteer::MISC,
            false,
        );
        let none = Default::default();
        let mut particles = Gazetteer::word_set(lexicon("titles.txt"));
        particles.extend(Gazetteer::word_set(
            "de la le du des di da del dos das van von der den ter bin ibn al el abu ul y e",
        ));
        g.add_words(lexicon("census_first.txt"), word::FIRST_NAME, &none);
        g.add_words(lexicon("census_last.txt"), word::SURNAME, &none);
        g.add_words(lexicon("person_words.txt"), word::PERSON_WORD, &particles);
        g.add_phrases(lexicon("titles.txt"), word::TITLE);
        g.add_phrases(lexicon("org_cues.txt"), word::ORG_CUE);
        g.add_phrases(lexicon("clubs.txt"), word::CLUB);
        g.add_phrases(lexicon("demonyms.txt"), word::DEMONYM);
        g.add_phrases(lexicon("events.txt"), word::EVENT);
        g.add_words(lexicon("capitalized_common.txt"), word::COMMON_CAPS, &none);
        g
    })
}

/// The tagger with the committed weights, loaded once; `None` if the weights are missing
/// or were made for another feature version.
pub fn builtin() -> Option<&'static Tagger> {
    static T: OnceLock<Option<Tagger>> = OnceLock::new();
    T.get_or_init(|| Tagger::from_bytes(WEIGHTS).ok().map(|t| t.with_gazetteer(Some(places().clone())))).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsgraph_model::EntityType;

    fn tagged(sentences: &[&str]) -> Vec<(String, EntityType)> {
        let t = builtin().expect("the committed weights load");
        let doc: Vec<Vec<&str>> = sentences.iter().map(|s| s.split(' ').collect()).collect();
        let mut out = Vec::new();
        for (words, ents) in doc.iter().zip(t.entities_document(&doc)) {
            for e in ents {
                assert!(e.confidence > 0.0 && e.confidence <= 1.0);
                out.push((words[e.start..e.end].join(" "), e.kind));
            }
        }
        out
    }

    #[test]
    fn committed_model_tags_news_in_any_case() {
        let got = tagged(&[
            "Russian President Vladimir Putin met German Chancellor Olaf Scholz in Moscow on Tuesday .",
            "PUTIN AND SCHOLZ MEET IN MOSCOW",
        ]);
        for want in [
            ("Vladimir Putin", EntityType::Person),
            ("Olaf Scholz", EntityType::Person),
            ("Moscow", EntityType::Place),
            ("MOSCOW", EntityType::Place),
            ("Russian", EntityType::Misc),
        ] {
            assert!(got.iter().any(|(s, k)| s == want.0 && *k == want.1), "{want:?} not in {got:?}");
        }
        assert!(tagged(&["angela merkel flew to paris ."]).iter().any(|(s, _)| s == "angela merkel"));
        assert!(tagged(&["", "the cat sat on the mat ."]).is_empty());
    }

    #[test]
    fn lexicons_mark_word_classes_and_names() {
        use gazetteer::word;
        let g = places();
        assert!(g.words_len() > 20_000, "{}", g.words_len());
        let words = [
            "Mr",
            "John",
            "Smith",
            "of",
            "the",
            "New",
            "York",
            "Times",
            "met",
            "German",
            "officials",
            "at",
            "Acme",
            "Corp",
        ];
        let mut toks: Vec<features::TokenInfo> = words.iter().map(|w| features::TokenInfo::new(w)).collect();
        g.mark(&words, &mut toks);
        assert!(toks[0].lexb & word::TITLE != 0);
        assert!(toks[1].lexb & word::FIRST_NAME != 0);
        assert!(toks[2].lexb & word::SURNAME != 0);
        assert_eq!(toks[5].gaz & 3, 2, "New York Times: a three-word name");
        assert!(toks[7].gaz >> 2 & gazetteer::ORG != 0, "an organization");
        assert!(toks[9].lexb & word::DEMONYM != 0);
        assert!(toks[13].lexb & word::ORG_CUE != 0);
        assert_eq!(toks[4].lexb, 0);
    }

    #[test]
    fn beam_widths_agree_on_easy_text() {
        let t = Tagger::from_bytes(WEIGHTS).unwrap().with_gazetteer(Some(places().clone()));
        let words = ["Angela", "Merkel", "visited", "Paris", "on", "Monday", "."];
        let wide = t.entities(&words);
        let greedy = Tagger::from_bytes(WEIGHTS).unwrap().with_gazetteer(Some(places().clone())).with_beam(1);
        assert_eq!(wide, greedy.entities(&words));
        let got: Vec<(usize, usize, &str)> = wide.iter().map(|e| (e.start, e.end, e.label)).collect();
        assert_eq!(got, [(0, 2, "PER"), (3, 4, "LOC")]);
    }
}
