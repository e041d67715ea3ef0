//! The time-expression layer (owned by the time issue; see `crates/time`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// TIMEX3 type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

/// One time expression with its normalized TIMEX3 value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timex {
    pub span: Span,
    #[serde(rename = "type")]
    pub kind: TimexType,
    /// TIMEX3 value: `2025-08-15`, `2025-W32`, `2025-09`, `P3Y`, `PAST_REF`, `XXXX-XX-XX` when unresolved…
    pub value: String,
    /// TIMEX3 `mod`: `APPROX`, `MORE_THAN`, `LESS_THAN`, `START`, `END`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// The reference time it was resolved against (publication time or a date in the text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    pub confidence: f32,
    /// The rule that produced it.
    pub rule: String,
}
