//! The event layer (owned by the events issue; see `crates/event` and `SCHEMA.md`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// Whether the event happened, is announced, or is only conditional or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Reported as having happened (or happening).
    Happened,
    /// Announced or intended: "will meet", "plans to host".
    Announced,
    /// Conditional or hypothetical: "if the Kremlin does not…".
    Hypothetical,
    /// Denied: "did not answer", "has not confirmed".
    Negated,
}

/// One actor of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    /// The actor as written.
    pub span: Span,
    /// Index into the `entities` layer, when the actor is a linked entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<u32>,
    /// CAMEO actor code at the article's date: `USAGOV`, `RUSGOV`, `UKRMIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A coded event: who did what to whom, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The sentence-level stretch of text the event was read from.
    pub span: Span,
    /// The word(s) that express the action: "meet", "telephone conversation"; from the
    /// pattern's head to its last word ("ultimatum … sanctions").
    pub trigger: Span,
    /// Who acted (present unless a passive names only its target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Actor>,
    /// To whom, when the clause names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Actor>,
    /// CAMEO event code, full (e.g. `036`, `0311`).
    pub code: String,
    /// CAMEO root code (first two digits).
    pub root: String,
    /// PLOVER category (e.g. `CONSULT`, `THREATEN`, `FIGHT`; `STATEMENT` and `APPEAL` for
    /// CAMEO 01 and 02, which PLOVER drops).
    pub plover: String,
    /// Goldstein scale value of the code.
    pub goldstein: f32,
    /// GDELT QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
    /// 4 material conflict.
    pub quad_class: u8,
    /// Happened, announced, hypothetical or negated.
    pub modality: Modality,
    /// Index into the `entities` layer of the place it happened, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
    /// Index into the `timexes` layer of the date it happened, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<u32>,
    /// 0..=1: higher with a source, a target and a multi-word pattern, lower for later
    /// triggers of the sentence (the main clause's action comes first).
    pub confidence: f32,
    /// The pattern that coded it (file and line) and the rules applied: modality word,
    /// intent/threat recoding, sub-code refinement, passive voice.
    pub evidence: Vec<String>,
}

impl Event {
    /// Every span the event holds (for validation).
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        [
            Some(self.span),
            Some(self.trigger),
            self.source.as_ref().map(|a| a.span),
            self.target.as_ref().map(|a| a.span),
        ]
        .into_iter()
        .flatten()
    }
}
