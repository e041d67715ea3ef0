use crate::{Amount, Entity, Event, Mention, Quote, Span, Theme, Timex, Tone};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of a layer, used by annotators to declare what they require and assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LayerName {
    /// The text and metadata themselves (always present).
    Text,
    Paragraphs,
    Sentences,
    Tokens,
    Mentions,
    Entities,
    Timexes,
    Quotes,
    Events,
    /// Numbers with what they count (GKG counts and amounts).
    Amounts,
    /// Themes of our taxonomy (GKG themes).
    Themes,
    /// The document's tone record (GKG tone).
    Tone,
}

impl fmt::Display for LayerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self).ok();
        f.write_str(s.as_ref().and_then(|v| v.as_str()).unwrap_or("?"))
    }
}

/// A paragraph (block) of the body; `heading` marks section headings and subheads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub span: Span,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
}

/// A sentence. `paragraph` is the index of the paragraph that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
    pub paragraph: u32,
}

/// Coarse token class, enough for later rules to skip punctuation quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Word,
    Number,
    Punct,
    Symbol,
    Url,
}

/// A token; `sentence` is the index of the sentence that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    pub sentence: u32,
}

/// All stand-off layers of a document. Each is sorted by span start.
/// Layers that an annotator has not run are empty and omitted from JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Layers {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<Paragraph>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<Sentence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timexes: Vec<Timex>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<Quote>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amounts: Vec<Amount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<Theme>,
    /// Document-level, not stand-off: GDELT's tone fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tone: Option<Tone>,
}

impl Layers {
    /// Every span of every layer, with the layer's name (for validation and tests).
    pub fn all_spans(&self) -> impl Iterator<Item = (LayerName, Span)> + '_ {
        self.paragraphs
            .iter()
            .map(|p| (LayerName::Paragraphs, p.span))
            .chain(self.sentences.iter().map(|s| (LayerName::Sentences, s.span)))
            .chain(self.tokens.iter().map(|t| (LayerName::Tokens, t.span)))
            .chain(self.mentions.iter().map(|m| (LayerName::Mentions, m.span)))
            .chain(self.timexes.iter().map(|t| (LayerName::Timexes, t.span)))
            .chain(self.quotes.iter().flat_map(|q| q.spans().map(|s| (LayerName::Quotes, s))))
            .chain(self.events.iter().flat_map(|e| e.spans().map(|s| (LayerName::Events, s))))
            .chain(self.amounts.iter().flat_map(|a| a.spans().map(|s| (LayerName::Amounts, s))))
            .chain(self.themes.iter().flat_map(|t| t.mentions.iter().map(|&s| (LayerName::Themes, s))))
    }

    /// Whether a layer has been filled.
    pub fn has(&self, name: LayerName) -> bool {
        match name {
            LayerName::Text => true,
            LayerName::Paragraphs => !self.paragraphs.is_empty(),
            LayerName::Sentences => !self.sentences.is_empty(),
            LayerName::Tokens => !self.tokens.is_empty(),
            LayerName::Mentions => !self.mentions.is_empty(),
            LayerName::Entities => !self.entities.is_empty(),
            LayerName::Timexes => !self.timexes.is_empty(),
            LayerName::Quotes => !self.quotes.is_empty(),
            LayerName::Events => !self.events.is_empty(),
            LayerName::Amounts => !self.amounts.is_empty(),
            LayerName::Themes => !self.themes.is_empty(),
            LayerName::Tone => self.tone.is_some(),
        }
    }
}
