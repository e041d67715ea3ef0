use crate::normalize::{normalize_line, normalize_text};
use crate::{Layers, ModelError, OffsetMap, Paragraph, Span, SCHEMA_VERSION};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A section heading (subhead) of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    /// Span of the heading line in the text.
    pub span: Span,
}

/// How the time zone of a publication time was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The input stated the offset or zone.
    Stated,
    /// No zone in the input: UTC assumed.
    AssumedUtc,
}

/// The publication time with its offset and how the offset is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// RFC 3339 with offset, e.g. `2025-08-08T23:04:25+00:00`.
    pub time: DateTime<FixedOffset>,
    pub basis: TimeBasis,
}

/// Where a document came from: the input and the place in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRef {
    /// File path, URL or `-` for stdin.
    pub origin: String,
    /// Input format name: `text`, `html`, `rss`, `atom`, `jsonl`, `warc`.
    pub format: String,
    /// Line (JSONL), item (feeds) or record (WARC) number, 1-based, when the input holds many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
}

/// Article metadata. Every field is optional but `content_hash`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Published>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Outlet name or host, e.g. `CBC` or `www.cbc.ca`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// ISO 639-1 code when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Hash of the normalized content; see [`content_hash`].
    pub content_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputRef>,
}

/// One article: immutable text, metadata, layers, and the map back to the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub schema_version: u32,
    /// Stable id: from the canonical URL (or URL) when known, else from the content hash.
    pub id: String,
    pub meta: Metadata,
    text: String,
    pub layers: Layers,
    /// Text offsets → input offsets.
    pub source_map: OffsetMap,
}

impl Document {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under a span. Panics if the span is out of range: spans are created
    /// against this text, so that is a bug, not bad input.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    /// Checks that every span of every layer slices the text on char boundaries.
    pub fn validate(&self) -> Result<(), ModelError> {
        let len = self.text.len();
        let sections = self.meta.sections.iter().map(|s| s.span);
        for span in self.layers.all_spans().map(|(_, s)| s).chain(sections) {
            let (start, end) = (span.start as usize, span.end as usize);
            if end > len || !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) {
                return Err(ModelError::BadSpan { start, end, len });
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("documents always serialize")
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("documents always serialize")
    }

    /// Reads a document written by [`Document::to_json`] and validates its spans.
    pub fn from_json(s: &str) -> Result<Document, ModelError> {
        let doc: Document = serde_json::from_str(s)?;
        if doc.schema_version > SCHEMA_VERSION {
            return Err(ModelError::SchemaVersion { found: doc.schema_version, supported: SCHEMA_VERSION });
        }
        doc.validate()?;
        Ok(doc)
    }

    /// Number of whitespace-separated words (for throughput figures).
    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// Hash of the normalized content: lower-cased alphanumeric words joined by one space,
/// SHA-256, first 128 bits in hex. Two copies that differ only in case, punctuation
/// or spacing hash alike.
pub fn content_hash(text: &str) -> String {
    let mut h = Sha256::new();
    let mut first = true;
    for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !first {
            h.update(b" ");
        }
        first = false;
        for c in w.chars().flat_map(char::to_lowercase) {
            let mut b = [0; 4];
            h.update(c.encode_utf8(&mut b).as_bytes());
        }
    }
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn id_from(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes())[..8])
}

/// Assembles a [`Document`] from blocks of text (paragraphs and headings).
///
/// Each block is normalized to one line; blocks are joined by a blank line (`\n\n`),
/// and each becomes a [`Paragraph`] (headings also become [`Section`]s).
#[derive(Debug, Default)]
pub struct DocumentBuilder {
    text: String,
    map: OffsetMap,
    paragraphs: Vec<Paragraph>,
    sections: Vec<crate::Section>,
    meta: Metadata,
}

impl DocumentBuilder {
    /// Starts a document from plain text: every non-empty line is a paragraph.
    pub fn new(text: &str) -> DocumentBuilder {
        let mut b = DocumentBuilder::default();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            b.push_block(line, offset, false);
            offset += line.len();
        }
        b
    }

    /// An empty builder; add blocks with [`DocumentBuilder::push_block`].
    pub fn blocks() -> DocumentBuilder {
        DocumentBuilder::default()
    }

    /// Appends a block whose text starts at `source_offset` in the input.
    /// Blank blocks are ignored. Returns the block's span, if any.
    pub fn push_block(&mut self, block: &str, source_offset: usize, heading: bool) -> Option<Span> {
        let n = normalize_line(block);
        if n.text.is_empty() {
            return None;
        }
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        let start = self.text.len();
        for &(t, s) in n.map.anchors() {
            self.map.push(start + t as usize, source_offset + s as usize);
        }
        self.text.push_str(&n.text);
        let span = Span::new(start, self.text.len());
        self.paragraphs.push(Paragraph { span, heading });
        if heading {
            self.sections.push(crate::Section { title: n.text, span });
        }
        Some(span)
    }

    /// Marks the last pushed block as a heading (or not).
    pub fn set_last_heading(&mut self, heading: bool) {
        if let Some(p) = self.paragraphs.last_mut() {
            if p.heading != heading {
                p.heading = heading;
                let span = p.span;
                if heading {
                    let title = self.text[span.range()].to_string();
                    self.sections.push(crate::Section { title, span });
                } else {
                    self.sections.retain(|s| s.span != span);
                }
            }
        }
    }

    /// The text built so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn meta_mut(&mut self) -> &mut Metadata {
        &mut self.meta
    }

    pub fn meta(mut self, meta: Metadata) -> DocumentBuilder {
        let sections = std::mem::take(&mut self.meta.sections);
        self.meta = meta;
        self.meta.sections = sections;
        self
    }

    /// Finishes the document: computes the content hash and the id.
    pub fn build(mut self) -> Document {
        if self.map.anchors().is_empty() {
            self.map.push(0, 0);
        }
        let mut meta = self.meta;
        meta.sections = self.sections;
        if let Some(t) = meta.title.take() {
            let t = normalize_text(&t).text.replace('\n', " ");
            meta.title = (!t.is_empty()).then_some(t);
        }
        meta.content_hash = content_hash(&self.text);
        let id = match meta.canonical_url.as_deref().or(meta.url.as_deref()) {
            Some(u) => id_from(&canonical_key(u)),
            None => id_from(&meta.content_hash),
        };
        Document {
            schema_version: SCHEMA_VERSION,
            id,
            meta,
            text: self.text,
            layers: Layers { paragraphs: self.paragraphs, ..Layers::default() },
            source_map: self.map,
        }
    }
}

/// The key a URL is identified by: scheme and `www.` dropped, host lower-cased,
/// fragment and trailing slash dropped, common tracking parameters removed.
pub fn canonical_key(url: &str) -> String {
    let u = url.trim();
    let u = u.split('#').next().unwrap_or(u);
    let u = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).unwrap_or(u);
    let (host, rest) = match u.find('/') {
        Some(i) => u.split_at(i),
        None => (u, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let (path, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut key = format!("{host}{}", path.trim_end_matches('/'));
    if let Some(q) = query {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| {
                let name = p.split('=').next().unwrap_or("");
                !(name.starts_with("utm_") || matches!(name, "fbclid" | "gclid" | "ref" | "cmpid" | "ocid" | ""))
            })
            .collect();
        if !kept.is_empty() {
            key.push('?');
            key.push_str(&kept.join("&"));
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_slice_exactly_and_map_back() {
        let input = "Intense  battles continue\nThe Ukrainian forces\u{a0}are locked.\n";
        let doc = DocumentBuilder::new(input).build();
        assert_eq!(doc.text(), "Intense battles continue\n\nThe Ukrainian forces are locked.");
        doc.validate().unwrap();
        let p = &doc.layers.paragraphs[1];
        assert_eq!(doc.slice(p.span), "The Ukrainian forces are locked.");
        let src = doc.source_map.to_source(p.span.start as usize).unwrap();
        assert!(input[src..].starts_with("The Ukrainian"));
    }

    #[test]
    fn json_round_trip() {
        let mut b = DocumentBuilder::new("Hello world.");
        b.meta_mut().url = Some("https://www.example.com/a/?utm_source=x".into());
        let doc = b.build();
        let back = Document::from_json(&doc.to_json()).unwrap();
        assert_eq!(doc, back);
        assert_eq!(
            doc.id,
            DocumentBuilder::new("Other")
                .meta(Metadata { url: Some("http://example.com/a".into()), ..Metadata::default() })
                .build()
                .id
        );
    }

    #[test]
    fn content_hash_ignores_case_and_punctuation() {
        assert_eq!(content_hash("Hello, World!"), content_hash("hello world"));
        assert_ne!(content_hash("hello world"), content_hash("hello there"));
    }
}
