//! The counts-and-amounts layer (issue 6; see `crates/measure` and `SCHEMA.md`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// How exact the stated number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// "300,000", "twenty-five".
    Exact,
    /// "about 300", "an estimated 1.5 million", "dozens".
    Approximate,
    /// A lower bound: "at least 30", "more than 300", "tens of thousands" (≥ 10,000).
    AtLeast,
    /// An upper bound: "up to 500", "fewer than 20".
    AtMost,
}

/// A number stated in the text, with what it counts: "tens of thousands of deaths"
/// (10,000, at least, object "deaths", count type `KILL`), "a front line of 1000 kilometers"
/// (1000, object "kilometers front line"), "$1.25 billion" (1,250,000,000, currency `USD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// The number as written, with its qualifier and currency sign: "at least 30",
    /// "tens of thousands", "$25m".
    pub span: Span,
    /// The value in digits (a multiplier applied: "1.5 million" → 1500000).
    pub value: f64,
    pub bound: Bound,
    /// ISO 4217 currency code for money: `USD`, `EUR`, `RUB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// What is counted, as normalized words: "deaths", "combat soldiers",
    /// "kilometers front line" (a unit followed by the noun it measures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The counted words as written (the first stretch of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_span: Option<Span>,
    /// GDELT GKG count type when the sentence says what happened to what is counted:
    /// `KILL`, `WOUND`, `ARREST`, `KIDNAP`, `PROTEST`, `DISPLACED`, `REFUGEES`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_type: Option<String>,
    /// The words that gave the count type ("deaths", "were killed", "death toll").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<Span>,
    pub confidence: f32,
    /// The rules and data lines that produced it.
    pub evidence: Vec<String>,
}

impl Amount {
    /// Every span the amount holds (for validation).
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        std::iter::once(self.span).chain(self.object_span).chain(self.cue)
    }
}
