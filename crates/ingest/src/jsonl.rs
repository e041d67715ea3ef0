//! JSON Lines: one article object per line (schema in `JSONL.md`).
use crate::error::{ErrorKind, IngestError, Place};
use crate::text::{build_plain, TextMode};
use crate::time::parse_any_time;
use crate::{html::html_article, IngestOptions, Ingested};
use newsgraph_model::{InputRef, OffsetMap};
use serde_json::Value;
use std::io::BufRead;

/// Reads one line of at most `max` bytes into `buf` (without the newline).
/// Returns `Ok(None)` at end of input, `Ok(Some(false))` for a line, `Ok(Some(true))`
/// for a line that was longer than `max` (skipped to its end, `buf` holds its start).
/// `consumed` grows by the bytes read, newline included (to track the line's file offset).
pub(crate) fn read_capped_line(
    r: &mut dyn BufRead,
    max: usize,
    buf: &mut Vec<u8>,
    consumed: &mut u64,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        if !too_long {
            let room = max.saturating_sub(buf.len());
            if chunk.len() > room {
                buf.extend_from_slice(&chunk[..room.min(64)]);
                too_long = true;
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = done.unwrap_or(avail.len());
        r.consume(n);
        *consumed += n as u64;
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(too_long));
        }
    }
}

fn str_field(o: &serde_json::Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match o.get(*n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Converts one JSONL line (already read) into a document.
/// `line_offset` is the byte offset of the line in the file: the document's offsets map to
/// file bytes (through the JSON string escapes of the `text` field).
pub(crate) fn jsonl_record(
    line: &[u8],
    lineno: u64,
    line_offset: u64,
    origin: &str,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let place = Place::Line(lineno);
    let err = |k| IngestError::new(origin, place, k);
    let text = std::str::from_utf8(line).map_err(|e| err(ErrorKind::NotJson(format!("invalid UTF-8: {e}"))))?;
    let v: Value = serde_json::from_str(text).map_err(|e| err(ErrorKind::NotJson(e.to_string())))?;
    let Value::Object(o) = v else {
        return Err(err(ErrorKind::NotJson("not a JSON object".into())));
    };
    let url = str_field(&o, &["url", "link"]);
    let mut warnings = Vec::new();
    // Where the `text` string literal sits in the line, to map offsets through its escapes.
    let text_literal = serde_json::from_str::<RawText>(text)
        .ok()
        .and_then(|r| r.text)
        .map(|raw| (raw.get(), raw.get().as_ptr() as usize - text.as_ptr() as usize));
    let mut outer = None;
    let mut b = if let Some(body) = o.get("text").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
        if let Some((literal, at)) = text_literal {
            outer = Some(unescape_map(literal, line_offset as usize + at));
        }
        build_plain(body, 0, TextMode { trailer: false, title: false }, origin, &mut warnings)
            .ok_or_else(|| err(ErrorKind::NoText(String::new())))?
    } else if let Some(html) = o.get("html").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
        let fragment = !html.get(..html.len().min(8192)).unwrap_or(html).to_ascii_lowercase().contains("<body");
        html_article(html, 0, url.as_deref(), opts, fragment, origin, place)?
    } else {
        return Err(err(ErrorKind::NoTextField));
    };
    let m = b.meta_mut();
    if url.is_some() {
        m.url = url;
    }
    if let Some(t) = str_field(&o, &["title", "headline"]) {
        m.title = Some(t);
    }
    if let Some(s) = str_field(&o, &["source", "site_name"]) {
        m.source = Some(s);
    } else if m.source.is_none() {
        m.source = m.url.as_deref().and_then(crate::html::url_host);
    }
    if let Some(s) = str_field(&o, &["image", "image_url"]) {
        m.image_url = Some(s);
    }
    if let Some(s) = str_field(&o, &["language", "lang"]) {
        m.language = Some(s);
    }
    match o.get("authors").or_else(|| o.get("author")) {
        Some(Value::String(s)) => {
            m.authors = s.split([',', ';']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect();
        }
        Some(Value::Array(a)) => {
            m.authors = a
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
        }
        _ => {}
    }
    if let Some(p) = str_field(&o, &["published", "date", "published_at"]) {
        match parse_any_time(&p) {
            Ok(t) => m.published = Some(t),
            Err(reason) => warnings.push(err(ErrorKind::BadTimestamp { line: p, reason })),
        }
    }
    m.input = Some(InputRef { origin: origin.to_string(), format: "jsonl".into(), record: Some(lineno) });
    let mut document = b.build();
    if let Some(outer) = outer {
        document.source_map = document.source_map.then(&outer);
    }
    Ok(Ingested { document, warnings })
}

#[derive(serde::Deserialize)]
struct RawText<'a> {
    #[serde(borrow)]
    text: Option<&'a serde_json::value::RawValue>,
}

/// Maps offsets in the decoded value of a JSON string literal (`"…"`, quotes included)
/// to offsets in the file, where the literal starts at byte `at`. Each escape starts a
/// new anchor; plain runs map one for one.
fn unescape_map(literal: &str, at: usize) -> OffsetMap {
    let raw = literal.as_bytes();
    let mut map = OffsetMap::default();
    let (mut i, mut decoded) = (1, 0); // after the opening quote
    map.push(0, at + 1);
    while i + 1 < raw.len() {
        if raw[i] != b'\\' {
            i += 1;
            decoded += 1;
            continue;
        }
        // An escape: `\uXXXX` (maybe a surrogate pair) or a two-byte one.
        let (len, out) = match raw.get(i + 1) {
            Some(b'u') => {
                let hex = |k: usize| literal.get(k..k + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
                match hex(i + 2) {
                    Some(hi @ 0xD800..=0xDBFF) if raw.get(i + 6) == Some(&b'\\') => {
                        let c = hex(i + 8).and_then(|lo| {
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF))
                        });
                        (12, c.map_or(3, char::len_utf8))
                    }
                    Some(u) => (6, char::from_u32(u).map_or(3, char::len_utf8)),
                    None => (2, 1),
                }
            }
            _ => (2, 1),
        };
        map.push(decoded, at + i);
        i += len;
        decoded += out;
        map.push(decoded, at + i);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_through_escapes_to_file_bytes() {
        let first = "{\"text\": \"x\"}\n";
        let line = r#"{"url": "https://a.example/1", "text": "Caf\u00e9 \"Noir\" opened.\n\nIt is \ud83d\ude00 new."}"#;
        let file = format!("{first}{line}\n");
        let ing = jsonl_record(line.as_bytes(), 2, first.len() as u64, "t.jsonl", &IngestOptions::default()).unwrap();
        let doc = ing.document;
        for word in ["opened.", "It is", "new.", "Caf"] {
            let t = doc.text().find(word).unwrap();
            let s = doc.source_map.to_source(t).unwrap();
            assert!(file[s..].starts_with(word), "{word:?} maps to {:?}", &file[s..s + 10]);
        }
    }
}
