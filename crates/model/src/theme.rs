//! The themes layer (issue 6; see `crates/theme` and `SCHEMA.md`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// One theme of our taxonomy found in an article, with every place that evokes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Our theme id (`crates/theme/data/themes.tsv`): `armed_conflict`, `sanctions`.
    pub id: String,
    /// The corresponding GDELT GKG theme name, when there is one: `ARMEDCONFLICT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gkg: Option<String>,
    /// The trigger words found, in text order.
    pub mentions: Vec<Span>,
    /// 0..=1: more mentions and more distinct triggers give more confidence.
    pub confidence: f32,
    /// The distinct triggers matched, with their data-file lines.
    pub evidence: Vec<String>,
}
