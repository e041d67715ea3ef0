//! Main-text extraction and metadata from news HTML pages.
//!
//! [`extract`] parses a page with html5ever into a compact arena DOM, prunes page
//! furniture (navigation, share bars, related links, captions, comments, …), scores
//! candidate containers readability-style from precomputed per-block statistics, and
//! returns the article's blocks (paragraphs, subheads, list items, quotes) with their byte
//! offsets in the source, plus metadata from JSON-LD, OpenGraph/meta tags, `<time>`,
//! bylines and the URL. One parse, a handful of linear passes: several hundred pages per
//! CPU-second. See `DESIGN.md` in the crate for the algorithm and its trade-offs.
//!
//! ```
//! use newsgraph_html::{extract, ExtractOptions};
//!
//! let html = r#"<html lang="en"><head><title>Rain expected | Daily Bugle</title>
//!   <meta property="article:published_time" content="2024-05-01T08:00:00+02:00"></head>
//!   <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
//!   <article><h1>Rain expected</h1>
//!   <p>Forecasters expect heavy rain over the weekend, with flooding possible in low areas.</p>
//!   <h2>What to do</h2>
//!   <p>Residents are advised to clear drains, move cars to higher ground and stay indoors.</p>
//!   </article><footer>© Daily Bugle</footer></body></html>"#;
//! let page = extract(html, &ExtractOptions::default()).unwrap();
//! assert_eq!(page.title.as_deref(), Some("Rain expected"));
//! assert_eq!(page.blocks.len(), 3);
//! assert!(page.blocks[1].heading);
//! assert!(html[page.blocks[0].source_offset..].starts_with("Forecasters"));
//! assert_eq!(page.language.as_deref(), Some("en"));
//! assert!(page.published.unwrap().zone_stated);
//! ```

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

mod body;
mod dom;
mod meta;
mod select;
#[cfg(test)]
mod tests;

/// Extracts the article body and metadata from an HTML page (already decoded to UTF-8).
pub fn extract(html: &str, opts: &ExtractOptions) -> Result<Extracted, HtmlError> {
    check_html(html)?;
    let dom = dom::parse(html);
    let m = meta::extract_meta(&dom, html, opts);
    let rules = body::Rules { include_comments: opts.include_comments, include_captions: opts.include_captions };
    let analysis = body::analyze(&dom, rules);
    let mut chosen = select::select(&analysis, None);
    if let Some(body) = m.ld_body.as_deref() {
        if let Some(h) = select::ld_hint(&analysis, body, &chosen) {
            chosen = select::select(&analysis, Some(h));
        }
    }
    let blocks = finish_blocks(&analysis, &chosen, html, m.title.as_deref());
    if blocks.is_empty() {
        return Err(HtmlError::NoText);
    }
    Ok(Extracted {
        blocks,
        title: m.title,
        authors: m.authors,
        published: m.published,
        image_url: m.image_url,
        canonical_url: m.canonical_url,
        language: m.language,
        site_name: m.site_name,
        description: m.description,
    })
}

/// Rejects inputs that are empty, binary, or plain text without any markup.
fn check_html(html: &str) -> Result<(), HtmlError> {
    let trimmed = html.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.is_empty() {
        return Err(HtmlError::NotHtml("empty input".into()));
    }
    // Look at a prefix only: binary files show themselves early, and this keeps it O(1).
    let mut end = trimmed.len().min(8192);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let head = &trimmed[..end];
    let mut bad = 0usize;
    let mut total = 0usize;
    for c in head.chars() {
        total += 1;
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
            bad += 1;
        }
    }
    if bad * 10 > total {
        return Err(HtmlError::NotHtml("binary content".into()));
    }
    let bytes = trimmed.as_bytes();
    let has_tag = bytes.windows(2).take(1 << 16).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'!'));
    if !has_tag {
        return Err(HtmlError::NotHtml("no markup found".into()));
    }
    Ok(())
}

/// Short lines that are page furniture wherever they appear.
fn is_furniture(text: &str) -> bool {
    let t = text.trim().trim_end_matches([':', '.', '!', '»', '›', '>', '…']).trim().to_lowercase();
    matches!(
        t.as_str(),
        "advertisement"
            | "advertisements"
            | "ad"
            | "advert"
            | "this slideshow requires javascript"
            | "sponsored"
            | "read more"
            | "more"
            | "share"
            | "share this"
            | "share this article"
            | "share on facebook"
            | "share on twitter"
            | "tweet"
            | "email"
            | "print"
            | "comments"
            | "related"
            | "related articles"
            | "related stories"
            | "see also"
            | "follow us"
            | "subscribe"
            | "sign up"
            | "click here"
            | "continue reading"
            | "skip to content"
            | "skip advertisement"
            | "story continues below advertisement"
            | "article continues below advertisement"
            | "supported by"
            | "loading"
            | "loading..."
            | "close"
            | "menu"
            | "search"
            | "back to top"
            | "top"
    )
}

fn finish_blocks(a: &body::Analysis<'_>, chosen: &[usize], html: &str, title: Option<&str>) -> Vec<Block> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let title_n = title.map(norm);
    let mut out = Vec::new();
    let mut last_off = 0usize;
    for &i in chosen {
        let b = &a.blocks[i];
        if b.heading == 1 {
            continue;
        }
        // The headline repeated in the body (as a heading, or inside breadcrumbs and
        // kicker lines) is not body text.
        if let Some(t) = title_n.as_deref().filter(|t| t.len() >= 20) {
            let bt = norm(&b.text);
            if bt == t
                || (b.heading > 0 && (t.contains(bt.as_str()) && bt.len() >= 20 || bt.contains(t)))
                || (bt.contains(t) && bt.len() < t.len() + 40)
            {
                continue;
            }
        }
        if is_furniture(&b.text) {
            continue;
        }
        // Link lists ("Related: …", tag clouds) inside the container.
        if b.len > 0 && b.link_len as f64 > 0.6 * b.len as f64 && b.heading == 0 {
            continue;
        }
        let off = locate(a.dom, html, b.first, &b.text, last_off);
        last_off = off;
        out.push(Block { text: b.text.clone(), source_offset: off, heading: b.heading > 0 });
    }
    out
}

/// Byte offset in `html` of a block's first character. Uses the text node's anchor (a
/// pointer into the source recorded while parsing) when the char lies in the anchored
/// piece; otherwise searches for the block's leading text near the expected position.
fn locate(d: &dom::Dom, html: &str, first: (u32, usize), text: &str, after: usize) -> usize {
    if let dom::Data::Text(t) = &d.nodes[first.0 as usize].data {
        if let Some((ai, ao)) = t.anchor {
            let (ai, ao) = (ai as usize, ao as usize);
            if first.1 >= ai {
                let cand = ao + (first.1 - ai);
                let ch = text.chars().next();
                if let (Some(ch), Some(src)) = (ch, html.get(cand..)) {
                    if src.starts_with(ch) {
                        return cand;
                    }
                }
            }
        }
    }
    // Fallback: the first few characters of the block, searched forward.
    let mut end = text.len().min(24);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let probe = text[..end].split('\n').next().unwrap_or("");
    let probe = probe.split(' ').next().unwrap_or(probe);
    if !probe.is_empty() {
        if let Some(p) = html.get(after..).and_then(|s| s.find(probe)) {
            return after + p;
        }
    }
    after
}
