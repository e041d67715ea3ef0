//! Main-text extraction and metadata from news HTML pages.
//!
//! (Skeleton: the public API below is the contract the ingest crate codes against.)

use chrono::{DateTime, FixedOffset};

/// What to keep besides the article body.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Keep figure captions in the body.
    pub include_captions: bool,
    /// Keep reader comments in the body.
    pub include_comments: bool,
    /// The page's URL, when known (helps with relative links and dates in URLs).
    pub url: Option<String>,
}

/// One block of body text (a paragraph, list item, heading, block quote…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The block's text, whitespace not yet normalized.
    pub text: String,
    /// Byte offset in the HTML of the block's first text character.
    pub source_offset: usize,
    /// A heading / subhead within the article body.
    pub heading: bool,
}

/// A publication time found in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageTime {
    pub time: DateTime<FixedOffset>,
    /// The page stated an offset / zone (else UTC was assumed).
    pub zone_stated: bool,
}

/// The article found in a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub blocks: Vec<Block>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<PageTime>,
    pub image_url: Option<String>,
    pub canonical_url: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
}

impl Extracted {
    /// The body as plain text: blocks joined by blank lines.
    pub fn body_text(&self) -> String {
        self.blocks.iter().map(|b| b.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n")
    }
}

/// Why a page yielded no article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HtmlError {
    /// The input does not look like HTML (binary junk, another format).
    #[error("not HTML: {0}")]
    NotHtml(String),
    /// The page parsed, but no article text was found.
    #[error("no article text found")]
    NoText,
}

/// Extracts the article body and metadata from an HTML page (already decoded to UTF-8).
pub fn extract(html: &str, opts: &ExtractOptions) -> Result<Extracted, HtmlError> {
    let _ = (html, opts);
    Err(HtmlError::NoText)
}
