//! The quote (attribution) layer (owned by the quotes issue; see `crates/quote`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// How the words are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteKind {
    /// The content is entirely inside quotation marks: “It is impossible…,” he said.
    Direct,
    /// A few quoted words inside reported speech: suggested it would include “exchanging
    /// territories”.
    Partial,
    /// Reported speech with no quotation marks: Trump said his meeting would come first.
    Indirect,
    /// Reported speech that runs into a quotation: said in an assessment that “Putin…”.
    Mixed,
}

impl QuoteKind {
    /// Direct and partial quotes carry the speaker's own words.
    pub fn is_verbatim(self) -> bool {
        matches!(self, QuoteKind::Direct | QuoteKind::Partial)
    }
}

/// One attribution: who said (or wrote, or thought) what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// What was said, without the enclosing quotation marks (for direct quotes) and
    /// without the complementizer "that" (for reported speech).
    pub content: Span,
    /// The pieces of the content when its frame interrupts it (“I would like…,” he said,
    /// “but…” / "Acts of protest, Mr. Obama said, are acts of patriotism") or when
    /// quotations next to each other in a paragraph continue one quote; empty for one piece.
    /// The content then runs from the first piece's start to the last piece's end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Span>,
    /// The attribution cue as written: "said", "told", "according to", "in a statement".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<Span>,
    /// The source as written: "Buddha", "he", "the statement", "Kremlin officials".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Span>,
    /// The speaker: an index into the `entities` layer, after resolving pronouns and
    /// descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<u32>,
    /// Who relays the words when they are not the speaker's own report: "Kremlin officials
    /// said the Xi “expressed support…”" has speaker Xi, reported by the Kremlin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<u32>,
    pub kind: QuoteKind,
    pub confidence: f32,
    /// The rule that found it and how the speaker was resolved.
    pub evidence: Vec<String>,
}

impl Quote {
    /// Every span the quote holds (for validation).
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        std::iter::once(self.content).chain(self.parts.iter().copied()).chain(self.cue).chain(self.source)
    }
}
