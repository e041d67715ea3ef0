//! Sentence and token segmentation for news text.
//!
//! Works on a [`newsgraph_model::Document`]'s paragraphs: sentences never cross a
//! paragraph, and every token and sentence is a byte [`Span`] into the document text.
//! Built for news: titles and initials (`Gen.`, `J.`), acronyms (`U.S.`), decimals and
//! thousands (`3.5`, `1,000`), URLs, quotes and dashes, ellipses, all-caps headlines.
//!
//! ```
//! use newsgraph_model::DocumentBuilder;
//! let mut doc = DocumentBuilder::new("Gen. Smith met U.S. envoys on Friday. They talked.").build();
//! newsgraph_text::Segmenter::default().annotate(&mut doc);
//! let s: Vec<&str> = doc.layers.sentences.iter().map(|s| doc.slice(s.span)).collect();
//! assert_eq!(s, ["Gen. Smith met U.S. envoys on Friday.", "They talked."]);
//! ```

mod abbrev;
mod sentences;
mod tokens;

pub use abbrev::{AbbrevKind, Abbreviations};
pub use sentences::split_sentences;
pub use tokens::{tokenize, RawToken};

use newsgraph_model::{Document, Sentence, Span, Token};

/// Segments documents into sentences and tokens. Build once, use for many documents.
#[derive(Debug, Clone)]
pub struct Segmenter {
    abbrevs: Abbreviations,
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter { abbrevs: Abbreviations::builtin() }
    }
}

impl Segmenter {
    pub fn new(abbrevs: Abbreviations) -> Segmenter {
        Segmenter { abbrevs }
    }

    /// Fills the `sentences` and `tokens` layers (replacing what was there).
    /// Paragraphs are taken from the `paragraphs` layer, or the whole text if it is empty.
    pub fn annotate(&self, doc: &mut Document) {
        let paragraphs: Vec<Span> = if doc.layers.paragraphs.is_empty() {
            vec![Span::new(0, doc.text().len())]
        } else {
            doc.layers.paragraphs.iter().map(|p| p.span).collect()
        };
        let mut sentences = Vec::new();
        let mut tokens = Vec::new();
        for (pi, para) in paragraphs.iter().enumerate() {
            let text = doc.slice(*para);
            let toks = tokenize(text, &self.abbrevs);
            for range in split_sentences(text, &toks) {
                let first = &toks[range.start];
                let last = &toks[range.end - 1];
                let si = sentences.len() as u32;
                sentences.push(Sentence {
                    span: Span::new(para.start as usize + first.start, para.start as usize + last.end),
                    paragraph: pi as u32,
                });
                for t in &toks[range] {
                    tokens.push(Token {
                        span: Span::new(para.start as usize + t.start, para.start as usize + t.end),
                        kind: t.kind,
                        sentence: si,
                    });
                }
            }
        }
        doc.layers.sentences = sentences;
        doc.layers.tokens = tokens;
    }
}
