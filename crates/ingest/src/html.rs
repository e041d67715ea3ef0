//! HTML pages → documents (through `newsgraph_html::extract`), and a simple
//! HTML-to-text fallback for content that is already the article (feed items, JSONL).
use crate::error::{ErrorKind, IngestError, Place};
use crate::IngestOptions;
use newsgraph_html::{ExtractOptions, HtmlError};
use newsgraph_model::{DocumentBuilder, Published, TimeBasis};

/// The host of an http(s) URL, lower-cased.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Extracts the article of an HTML page. `base` is added to block offsets.
/// `fallback`: when the extractor finds no article, take all text of the markup
/// (for fragments that are known to be the article).
pub(crate) fn html_article(
    html: &str,
    base: usize,
    url: Option<&str>,
    opts: &IngestOptions,
    fallback: bool,
    origin: &str,
    place: Place,
) -> Result<DocumentBuilder, IngestError> {
    let eo = ExtractOptions {
        include_captions: opts.include_captions,
        include_comments: false,
        url: url.map(str::to_string),
    };
    match newsgraph_html::extract(html, &eo) {
        Ok(x) if x.blocks.iter().any(|b| !b.text.trim().is_empty()) => {
            let mut b = DocumentBuilder::blocks();
            for blk in &x.blocks {
                b.push_block(&blk.text, base + blk.source_offset, blk.heading);
            }
            let m = b.meta_mut();
            m.url = url.map(str::to_string).or_else(|| x.canonical_url.clone());
            m.canonical_url = x.canonical_url.clone();
            m.title = x.title.clone();
            m.authors = x.authors.clone();
            m.published = x.published.map(|p| Published {
                time: p.time,
                basis: if p.zone_stated { TimeBasis::Stated } else { TimeBasis::AssumedUtc },
            });
            m.image_url = x.image_url.clone();
            m.language = x.language.clone();
            m.source = x
                .site_name
                .clone()
                .or_else(|| m.url.as_deref().and_then(url_host))
                .or_else(|| x.canonical_url.as_deref().and_then(url_host));
            Ok(b)
        }
        Err(HtmlError::NotHtml(why)) if !fallback => Err(IngestError::new(origin, place, ErrorKind::NotHtml(why))),
        other => {
            if fallback {
                let blocks = html_to_blocks(html);
                if blocks.iter().any(|(t, _, _)| !t.trim().is_empty()) {
                    let mut b = DocumentBuilder::blocks();
                    for (t, off, h) in &blocks {
                        b.push_block(t, base + off, *h);
                    }
                    let m = b.meta_mut();
                    m.url = url.map(str::to_string);
                    m.source = url.and_then(url_host);
                    if let Ok(x) = other {
                        m.title = x.title;
                    }
                    return Ok(b);
                }
            }
            let why = match other {
                Err(HtmlError::NotHtml(w)) => format!(" ({w})"),
                _ => String::new(),
            };
            Err(IngestError::new(origin, place, ErrorKind::NoText(why)))
        }
    }
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "main",
    "aside",
    "nav",
];
const SKIP_TAGS: &[&str] = &["script", "style", "noscript", "template", "svg", "head", "iframe"];

/// A simple HTML-to-text conversion: block elements separate paragraphs, `h1`–`h6` are
/// headings, script/style are dropped, entities decoded. Returns (text, offset, heading).
pub(crate) fn html_to_blocks(html: &str) -> Vec<(String, usize, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_off: Option<usize> = None;
    let mut heading = false;
    let mut skip: Option<String> = None;
    let bytes = html.as_bytes();
    let mut i = 0;
    let flush = |cur: &mut String, cur_off: &mut Option<usize>, heading: bool, out: &mut Vec<(String, usize, bool)>| {
        if let Some(o) = cur_off.take() {
            if !cur.trim().is_empty() {
                out.push((std::mem::take(cur), o, heading));
            }
        }
        cur.clear();
    };
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if html[i..].starts_with("<!--") {
                i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
                continue;
            }
            let end = html[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            let tag = &html[i + 1..end.saturating_sub(1).max(i + 1)];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            i = end;
            if let Some(s) = &skip {
                if closing && *s == name {
                    skip = None;
                }
                continue;
            }
            if !closing && SKIP_TAGS.contains(&name.as_str()) && !tag.ends_with('/') {
                skip = Some(name);
                continue;
            }
            if BLOCK_TAGS.contains(&name.as_str()) {
                flush(&mut cur, &mut cur_off, heading, &mut out);
                heading = !closing && name.len() == 2 && name.starts_with('h') && name.as_bytes()[1].is_ascii_digit();
            }
            continue;
        }
        let next = html[i..].find('<').map_or(bytes.len(), |e| i + e);
        if skip.is_none() {
            let raw = &html[i..next];
            if cur_off.is_none() {
                if raw.trim().is_empty() {
                    i = next;
                    continue;
                }
                cur_off = Some(i + (raw.len() - raw.trim_start().len()));
            }
            cur.push_str(&decode_entities(raw));
        }
        i = next;
    }
    flush(&mut cur, &mut cur_off, heading, &mut out);
    out
}

/// Decodes the common named entities and numeric character references.
pub(crate) fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(|c: char| c == ';' || c == '&' || c.is_whitespace()).map(|e| e + 1);
        let decoded = end.filter(|&e| rest.as_bytes().get(e) == Some(&b';') && e <= 12).and_then(|e| {
            let name = &rest[1..e];
            let c = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => num.parse().ok(),
                };
                n.and_then(char::from_u32)
            } else {
                Some(match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => '\u{a0}',
                    "mdash" => '—',
                    "ndash" => '–',
                    "hellip" => '…',
                    "lsquo" => '‘',
                    "rsquo" => '’',
                    "ldquo" => '“',
                    "rdquo" => '”',
                    "laquo" => '«',
                    "raquo" => '»',
                    "copy" => '©',
                    _ => return None,
                })
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_blocks() {
        let html = "<h2>Big news</h2><p>First &amp; foremost.</p><script>x()</script><p>Second<br>line &#8212; ok</p>";
        let b = html_to_blocks(html);
        let texts: Vec<&str> = b.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(texts, ["Big news", "First & foremost.", "Second", "line — ok"]);
        assert!(b[0].2 && !b[1].2);
        assert!(html[b[1].1..].starts_with("First"));
        assert_eq!(url_host("https://www.CBC.ca/news/x").as_deref(), Some("www.cbc.ca"));
    }
}
