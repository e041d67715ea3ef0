//! The newsgraph document model.
//!
//! A [`Document`] owns one immutable, normalized UTF-8 text plus [`Metadata`]. Every
//! annotation is a *stand-off* record pointing into that text with a byte [`Span`];
//! annotations are grouped into [`Layers`] (sentences, tokens, and the layers that
//! later annotators add). Nothing here performs I/O.
//!
//! ```
//! use newsgraph_model::{DocumentBuilder, Span};
//! let doc = DocumentBuilder::new("Putin met Trump.\n").build();
//! assert_eq!(doc.slice(Span::new(0, 5)), "Putin");
//! ```
//!
//! The JSON form of a document is the stable, documented schema in `SCHEMA.md`
//! (`schema_version` = [`SCHEMA_VERSION`]).

mod document;
mod entity;
mod event;
mod layers;
mod measure;
mod normalize;
mod offsets;
mod quote;
mod span;
mod theme;
mod timex;
mod tone;

pub use document::{
    canonical_key, content_hash, Document, DocumentBuilder, InputRef, Metadata, Published, Section, TimeBasis,
};
pub use entity::{Entity, EntityType, Geo, Link, Mention};
pub use event::{Actor, Event, Modality};
pub use layers::{LayerName, Layers, Paragraph, Sentence, Token, TokenKind};
pub use measure::{Amount, Bound};
pub use normalize::{normalize_line, normalize_text, Normalized};
pub use offsets::OffsetMap;
pub use quote::{Quote, QuoteKind};
pub use span::Span;
pub use theme::Theme;
pub use timex::{Timex, TimexType};
pub use tone::Tone;

/// Version of the JSON schema and of the stored document encoding.
/// Bump it on any incompatible change, and keep a reader for the old one.
pub const SCHEMA_VERSION: u32 = 1;

/// Errors raised by the model (only for broken caller contracts that are recoverable).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A span does not lie on character boundaries inside the text.
    #[error("span {start}..{end} does not slice the text of {len} bytes on character boundaries")]
    BadSpan { start: usize, end: usize, len: usize },
    /// A JSON document could not be read.
    #[error("document JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON was written by a newer, unknown schema.
    #[error("document schema version {found} is newer than this program's {supported}")]
    SchemaVersion { found: u32, supported: u32 },
}
