//! The document tone record (issue 6; see `crates/tone` and `SCHEMA.md`): GDELT GKG's
//! V1.5 tone fields.
use serde::{Deserialize, Serialize};

/// Tone of a whole document, in GDELT GKG's terms. Percentages are of `word_count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tone {
    /// `positive - negative` (−100..=100; news usually falls within ±10).
    pub tone: f32,
    /// Percentage of words with a positive connotation in the lexicon.
    pub positive: f32,
    /// Percentage of words with a negative connotation in the lexicon.
    pub negative: f32,
    /// Percentage of words found in the lexicon (`positive + negative`).
    pub polarity: f32,
    /// Percentage of words that are active (action) words.
    pub activity: f32,
    /// Percentage of words that are personal pronouns (self/group reference).
    pub self_group: f32,
    /// Words in the document (word tokens).
    pub word_count: u32,
    /// Which lexicon scored it, and rules applied.
    pub evidence: Vec<String>,
}
