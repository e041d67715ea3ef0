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
    /// How the mention was resolved to its entity (absent when it was not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// A title or role attached to a person mention: "US President" in "US President Donald
    /// Trump", "a pro-Kremlin Moscow analyst" in "Sergei Markov, a pro-Kremlin Moscow analyst".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Span>,
}

impl Mention {
    /// An unlinked mention.
    pub fn new(span: Span, kind: EntityType, confidence: f32, evidence: impl Into<String>) -> Mention {
        Mention { span, kind, confidence, evidence: evidence.into(), entity: None, link: None, role: None }
    }
}

impl Entity {
    /// An entity with only its id, name and type (confidence 0; other fields empty).
    pub fn new(id: impl Into<String>, name: impl Into<String>, kind: EntityType) -> Entity {
        Entity {
            id: id.into(),
            name: name.into(),
            kind,
            kb_id: None,
            confidence: 0.0,
            subtype: None,
            country: None,
            qid: None,
            roles: Vec::new(),
            aliases: Vec::new(),
            repaired: Vec::new(),
            geo: None,
        }
    }
}

/// How a mention was resolved to an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Probability-like confidence that the mention refers to the entity, 0..=1.
    pub confidence: f32,
    /// `exact` (a known name), `fuzzy` (a misspelled or differently transliterated name),
    /// `prefix` (a truncated name), `coreference` (a shorter form of a name used earlier
    /// in the document), `description` ("the Russian leader"), `pronoun`, `new` (no
    /// knowledge-base entry: a document-local entity).
    pub method: String,
    /// The name the mention was read as, when the written form is not a known name of the
    /// entity ("Steve Witkoff" for "Steve Vikof"): a repaired spelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repaired: Option<String>,
    /// Why: the matched name and its similarity, the context that supported it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Where a place is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Geo {
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// First-level region (a GeoNames admin1 code or a knowledge-base id), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geonameid: Option<u32>,
    /// `country`, `region`, `city`, … (the knowledge base's subtypes) or a GeoNames feature class.
    pub feature: String,
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
    /// Finer type from the knowledge base (`head_of_state`, `think_tank`, `region`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// ISO 3166-1 alpha-2 of the entity's country, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Wikidata id, when the knowledge base is certain of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// Roles held at the article's publication date ("President (US)").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Every distinct form the document wrote it in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The written forms that were repaired to this entity ("Vikof").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repaired: Vec<String>,
    /// Where it is (places).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
}
