//! The plain-text article format: paragraphs one per line, optional headings and title,
//! then optional image-URL and publication-time lines at the end.
use crate::error::{ErrorKind, IngestError, Place};
use crate::time::{looks_like_timestamp, parse_text_timestamp};
use newsgraph_model::DocumentBuilder;

struct Line<'a> {
    text: &'a str,
    offset: usize,
    number: u64,
}

/// What to recognize besides paragraphs.
#[derive(Clone, Copy)]
pub(crate) struct TextMode {
    /// Trailing image-URL and publication lines.
    pub trailer: bool,
    /// A heading-like first line is the title (kept out of the body text).
    pub title: bool,
}

/// Builds a document body from plain text. `base` is added to the byte offsets of lines
/// (the offset of `text` in the input). Returns the builder, or `None` if there is no body.
/// Problems that do not stop the document (a malformed timestamp) go to `warnings`.
pub(crate) fn build_plain(
    text: &str,
    base: usize,
    mode: TextMode,
    origin: &str,
    warnings: &mut Vec<IngestError>,
) -> Option<DocumentBuilder> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let t = raw.trim_end_matches(['\n', '\r']);
        if !t.trim().is_empty() {
            lines.push(Line { text: t, offset, number: i as u64 + 1 });
        }
        offset += raw.len();
    }
    let mut b = DocumentBuilder::blocks();
    let mut end = lines.len();
    if mode.trailer {
        // At most three trailing metadata lines, in any order; keep at least one body line.
        while end > 1 && lines.len() - end < 3 {
            let l = &lines[end - 1];
            let t = l.text.trim();
            if looks_like_timestamp(t) {
                match parse_text_timestamp(t) {
                    Ok(p) => {
                        b.meta_mut().published.get_or_insert(p);
                    }
                    Err(reason) => warnings.push(IngestError::new(
                        origin,
                        Place::Line(l.number),
                        ErrorKind::BadTimestamp { line: t.to_string(), reason },
                    )),
                }
            } else if is_bare_url(t) {
                let m = b.meta_mut();
                if looks_like_image(t) || m.url.is_some() {
                    m.image_url.get_or_insert_with(|| t.to_string());
                } else {
                    m.url = Some(t.to_string());
                }
            } else {
                break;
            }
            end -= 1;
        }
    }
    let body = &lines[..end];
    if body.is_empty() {
        return None;
    }
    let like: Vec<bool> = body.iter().map(|l| heading_like(l.text)).collect();
    let mut start = 0;
    if mode.title && body.len() > 1 && like[0] && !like[1] {
        b.meta_mut().title = Some(body[0].text.trim().to_string());
        start = 1;
    }
    for i in start..body.len() {
        let heading = like[i] && i + 1 < body.len() && !like[i + 1] && (i == start || !like[i - 1]);
        b.push_block(body[i].text, base + body[i].offset, heading);
    }
    if b.text().is_empty() {
        return None;
    }
    Some(b)
}

/// Parses one plain-text article (see the crate docs for the format).
pub(crate) fn parse_text_article(
    text: &str,
    base: usize,
    origin: &str,
    warnings: &mut Vec<IngestError>,
) -> Result<DocumentBuilder, IngestError> {
    build_plain(text, base, TextMode { trailer: true, title: true }, origin, warnings)
        .ok_or_else(|| IngestError::new(origin, Place::Whole, ErrorKind::Empty))
}

fn is_bare_url(t: &str) -> bool {
    (t.starts_with("http://") || t.starts_with("https://")) && t.len() > 10 && !t.contains(char::is_whitespace)
}

fn looks_like_image(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", "image", "/img", "photo"].iter().any(|e| l.contains(e))
}

/// A short line that could be a section heading or title: ≤ 12 words, starts with a
/// capital letter or digit, no terminal punctuation, not a quote or list item.
pub(crate) fn heading_like(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    if words == 0 || words > 12 || t.chars().count() > 100 || is_bare_url(t) {
        return false;
    }
    let first = t.chars().next().unwrap();
    let last = t.chars().last().unwrap();
    (first.is_uppercase() || first.is_numeric()) && !".!?:;,…\"'”’»)]-–—/".contains(last) && !looks_like_timestamp(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert!(heading_like("Intense battles continue"));
        assert!(heading_like("Putin makes calls"));
        assert!(!heading_like("He said so."));
        assert!(!heading_like("“It is impossible”"));
        assert!(!heading_like("lower case start"));
        assert!(!heading_like("One two three four five six seven eight nine ten eleven twelve thirteen"));
    }

    #[test]
    fn lists_of_short_lines_are_not_headings() {
        let mut w = Vec::new();
        let b = build_plain(
            "Body one.\nApples\nPears\nBody two.\n",
            0,
            TextMode { trailer: true, title: true },
            "x",
            &mut w,
        )
        .unwrap();
        let doc = b.build();
        assert!(doc.meta.sections.is_empty(), "{:?}", doc.meta.sections);
    }
}
