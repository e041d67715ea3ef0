//! Character-encoding detection and decoding to UTF-8.
//!
//! Order: byte-order mark → HTTP `charset` → `<meta charset>` / `http-equiv` (or an XML
//! declaration) in the first 4096 bytes → valid UTF-8 → `chardetng` sniffing.
//! A declared encoding that the bytes contradict is not trusted: declared UTF-8 with
//! invalid UTF-8 bytes is sniffed instead, and a declared legacy encoding whose bytes are
//! valid, non-ASCII UTF-8 is read as UTF-8.
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How the encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetectedBy {
    /// A byte-order mark.
    Bom,
    /// The HTTP `Content-Type` charset.
    HttpHeader,
    /// `<meta charset>`, `<meta http-equiv>` or `<?xml encoding?>` in the document.
    Declared,
    /// The bytes are valid UTF-8 (nothing was declared, or the declaration was contradicted).
    ValidUtf8,
    /// Statistical sniffing (`chardetng`); the declaration, if any, was contradicted.
    Sniffed,
}

/// Text decoded to UTF-8.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding, e.g. `UTF-8`, `windows-1252`, `Shift_JIS`.
    pub encoding: &'static str,
    pub detected_by: DetectedBy,
    /// Rough confidence in 0..=1 (1 for a BOM, header or valid declaration).
    pub confidence: f32,
    /// Bytes were replaced by U+FFFD (malformed for the chosen encoding).
    pub had_errors: bool,
    /// Length of a byte-order mark that was stripped (text offsets + this = input offsets
    /// when the encoding is UTF-8).
    pub bom_len: usize,
}

/// Why bytes could not be decoded as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes or mostly control characters: not a text file. The string says why.
    Binary(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Binary(s) => write!(f, "binary data, not text ({s})"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The charset parameter of a `Content-Type` value.
pub fn charset_of_content_type(ct: &str) -> Option<&str> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Decodes bytes of a text, HTML or XML input to UTF-8 (see the module docs for the order).
pub fn decode(bytes: &[u8], http_content_type: Option<&str>) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            detected_by: DetectedBy::Bom,
            confidence: 1.0,
            had_errors,
            bom_len,
        });
    }
    check_binary(bytes)?;
    let declared = http_content_type
        .and_then(charset_of_content_type)
        .and_then(|c| Encoding::for_label(c.as_bytes()))
        .map(|e| (e, DetectedBy::HttpHeader))
        .or_else(|| prescan(&bytes[..bytes.len().min(4096)]).map(|e| (e, DetectedBy::Declared)));
    let utf8_ok = std::str::from_utf8(bytes).is_ok();
    if let Some((enc, how)) = declared {
        // UTF-16 declared inside an ASCII-compatible document cannot be true (WHATWG: use UTF-8).
        let enc = if enc == UTF_16LE || enc == UTF_16BE { UTF_8 } else { enc };
        let contradicted = if enc == UTF_8 {
            !utf8_ok
        } else {
            // Legacy encoding declared, but the bytes are valid non-ASCII UTF-8: that is
            // almost never an accident.
            utf8_ok && !bytes.is_ascii()
        };
        if !contradicted {
            return Ok(finish(bytes, enc, how, 1.0));
        }
    }
    if utf8_ok {
        return Ok(finish(bytes, UTF_8, DetectedBy::ValidUtf8, 1.0));
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let (enc, sure) = det.guess_assess(None, true);
    Ok(finish(bytes, enc, DetectedBy::Sniffed, if sure { 0.8 } else { 0.4 }))
}

fn finish(bytes: &[u8], enc: &'static Encoding, how: DetectedBy, confidence: f32) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: enc.name(), detected_by: how, confidence, had_errors, bom_len: 0 }
}

/// Rejects binary data: NUL bytes, or more than 10% control characters in the first 8 KiB.
fn check_binary(bytes: &[u8]) -> Result<(), DecodeError> {
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(i) = head.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary(format!("NUL byte at offset {i}")));
    }
    let ctrl = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b)).count();
    if !head.is_empty() && ctrl * 10 > head.len() {
        return Err(DecodeError::Binary(format!("{ctrl} control bytes in the first {} bytes", head.len())));
    }
    Ok(())
}

/// Finds `<meta charset=…>`, `<meta http-equiv content="…charset=…">` or
/// `<?xml … encoding="…"?>` in the head of a document (ASCII-compatible encodings).
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        if let Some(v) = attr_value(&head[..end], &lower[..end], b"encoding") {
            if let Some(e) = Encoding::for_label(v) {
                return Some(e);
            }
        }
    }
    let mut pos = 0;
    while let Some(i) = find(&lower[pos..], b"<meta") {
        let start = pos + i;
        let end = lower[start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| start + e);
        let (tag, tag_l) = (&head[start..end], &lower[start..end]);
        if let Some(v) = attr_value(tag, tag_l, b"charset") {
            if let Some(e) = Encoding::for_label(v) {
                return Some(e);
            }
        }
        if find(tag_l, b"http-equiv").is_some() {
            if let Some(v) = attr_value(tag, tag_l, b"content") {
                let s = String::from_utf8_lossy(v);
                if let Some(e) = charset_of_content_type(&s).and_then(|c| Encoding::for_label(c.as_bytes())) {
                    return Some(e);
                }
            }
        }
        pos = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of `name=` inside a tag (quoted or not). `lower` is the lower-cased tag.
fn attr_value<'a>(tag: &'a [u8], lower: &[u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = find(&lower[from..], name) {
        let at = from + i;
        from = at + name.len();
        // must be a whole attribute name
        if at > 0 && (lower[at - 1].is_ascii_alphanumeric() || lower[at - 1] == b'-') {
            continue;
        }
        let mut j = from;
        while j < tag.len() && tag[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= tag.len() || tag[j] != b'=' {
            continue;
        }
        j += 1;
        while j < tag.len() && tag[j].is_ascii_whitespace() {
            j += 1;
        }
        let (start, end) = match tag.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let s = j + 1;
                (s, tag[s..].iter().position(|&b| b == q).map_or(tag.len(), |e| s + e))
            }
            Some(_) => (
                j,
                tag[j..]
                    .iter()
                    .position(|&b| b.is_ascii_whitespace() || b == b';' || b == b'/' || b == b'>')
                    .map_or(tag.len(), |e| j + e),
            ),
            None => continue,
        };
        return Some(&tag[start..end]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_forms() {
        assert_eq!(prescan(b"<html><head><meta charset=\"shift_jis\">").unwrap().name(), "Shift_JIS");
        assert_eq!(
            prescan(b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=koi8-r\">").unwrap().name(),
            "KOI8-R"
        );
        assert_eq!(prescan(b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><rss>").unwrap().name(), "windows-1252");
        assert!(prescan(b"<meta name=\"x\" content=\"charset=koi8-r\">").is_none());
    }
}
