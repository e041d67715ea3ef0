//! The mention and entity layers (owned by the entities issue; see `crates/entity`).
use crate::Span;
use serde::{Deserialize, Serialize};

/// Coarse entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntityType {
    Person,
    Organization,
    Place,
    /// Nationalities and groups: "Russian", "Ukrainian forces".
    Group,
    Misc,
}

/// A stretch of text that names (or refers to) an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub span: Span,
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub confidence: f32,
    /// What produced it (model, gazetteer, rule name).
    pub evidence: String,
    /// Index into the `entities` layer, once linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<u32>,
}

/// An entity of this document: what its mentions refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Knowledge-base id when linked, else a document-local id.
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_id: Option<String>,
    pub confidence: f32,
}
