//! Named-entity recognition for newsgraph.
//!
//! A statistical sequence model of our own, in pure Rust: an **averaged perceptron** over
//! **BILOU** tags (person, organization, place, misc — the CoNLL-2003 types), decoded
//! greedily left to right with only valid tag transitions allowed. Features (word, lower
//! case, shape, prefixes and suffixes, a ±2 context window, capitalization flags,
//! sentence-initial, an all-caps headline flag, the previous two predicted tags, gazetteer
//! matches (GeoNames places), the case of the same word elsewhere
//! in the document, and the type predicted for it earlier in the document) are hashed into
//! a fixed-size table, so the model is a
//! single array of quantized `i16` weights, shipped compactly in `data/ner.bin`
//! (see `data/README.md` for how it was made) and compiled into the binary.
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
    entity_type, gold_tags, tag_label, train, LoadError, Tagged, Tagger, TrainConfig, TrainSentence, FEATURE_VERSION,
    NTAGS, TEMPERATURE, TYPES,
};

use std::sync::OnceLock;

/// The committed weights.
pub static WEIGHTS: &[u8] = include_bytes!("../data/ner.bin");
/// The committed place-name list (GeoNames derivative).
pub static PLACES: &str = include_str!("../data/places.txt");

/// The gazetteer (places from [`PLACES`]), built once. A person list can be added with
/// `Gazetteer::add_list(…, 2, true)` once we have one we may ship (our own writing or a
/// registry package whose licence allows it).
pub fn places() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::from_list(PLACES))
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
}
