//! Text normalization that keeps an offset map.
use crate::OffsetMap;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Normalized text and the map from its offsets to the input's.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    pub map: OffsetMap,
}

/// Normalizes article text:
/// - NFC per run of non-space characters;
/// - `\r\n` and `\r` become `\n`; odd spaces (NBSP, thin, zero-width, tabs, …) become
///   one ASCII space, runs of spaces fold into one, spaces at line ends are dropped;
/// - control characters other than `\n` are dropped; more than one blank line folds into one;
/// - leading and trailing blank space is trimmed.
///
/// The returned map points each output offset at the input offset it came from.
pub fn normalize_text(input: &str) -> Normalized {
    normalize_impl(input, false)
}

/// Like [`normalize_text`], but every line break becomes a space: the result is one line
/// (used for paragraphs, titles and headings).
pub fn normalize_line(input: &str) -> Normalized {
    normalize_impl(input, true)
}

fn normalize_impl(input: &str, one_line: bool) -> Normalized {
    let mut text = String::with_capacity(input.len());
    let mut map = OffsetMap::default();
    let mut pending_space: Option<usize> = None; // source offset of a pending space
    let mut pending_newlines: Vec<usize> = Vec::new();
    let mut word_start: Option<usize> = None; // start of the current non-space run in input
    let bytes = input.as_bytes();
    let mut i = 0;

    let flush_word = |text: &mut String, map: &mut OffsetMap, from: usize, to: usize| {
        let w = &input[from..to];
        map.push(text.len(), from);
        if is_nfc_quick(w.chars()) == IsNormalized::Yes {
            text.push_str(w);
        } else {
            let before = text.len();
            text.extend(w.nfc());
            // A recomposed run maps to its start; a following run gets its own anchor.
            if text.len() - before != w.len() {
                map.push(text.len(), to);
            }
        }
    };

    while i < bytes.len() {
        let c = input[i..].chars().next().unwrap();
        let n = c.len_utf8();
        let kind = match classify(c) {
            Class::Newline if one_line => Class::Space,
            k => k,
        };
        if kind == Class::Word {
            if word_start.is_none() {
                // emit pending separators first
                if !text.is_empty() {
                    if !pending_newlines.is_empty() {
                        let k = pending_newlines.len().min(2);
                        for &src in &pending_newlines[pending_newlines.len() - k..] {
                            map.push(text.len(), src);
                            text.push('\n');
                        }
                    } else if let Some(src) = pending_space {
                        map.push(text.len(), src);
                        text.push(' ');
                    }
                }
                pending_newlines.clear();
                pending_space = None;
                word_start = Some(i);
            }
        } else {
            if let Some(ws) = word_start.take() {
                flush_word(&mut text, &mut map, ws, i);
            }
            match kind {
                Class::Newline => {
                    // "\r\n" is one newline
                    if !(c == '\n' && i > 0 && bytes[i - 1] == b'\r') {
                        pending_newlines.push(i);
                    }
                    pending_space = None;
                }
                Class::Space => {
                    if pending_space.is_none() {
                        pending_space = Some(i);
                    }
                }
                Class::Drop | Class::Word => {}
            }
        }
        i += n;
    }
    if let Some(ws) = word_start.take() {
        flush_word(&mut text, &mut map, ws, bytes.len());
    }
    if map.anchors().is_empty() {
        map.push(0, 0);
    }
    Normalized { text, map }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Class {
    Word,
    Space,
    Newline,
    Drop,
}

fn classify(c: char) -> Class {
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{0B}' | '\u{0C}' => Class::Newline,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => Class::Drop,
        c if c.is_whitespace() => Class::Space,
        c if c.is_control() => Class::Drop,
        _ => Class::Word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("a  b", "a b"),
            ("a\u{a0}b\t c", "a b c"),
            ("a \r\n\r\n\r\n\nb", "a\n\nb"),
            ("  x  ", "x"),
            ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}"),
            ("zero\u{200b}width", "zerowidth"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_text(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn offsets_point_back() {
        let input = "  Hello,\u{a0}\u{a0}world\r\n\r\nNext";
        let n = normalize_text(input);
        for word in ["Hello,", "world", "Next"] {
            let t = n.text.find(word).unwrap();
            let s = n.map.to_source(t).unwrap();
            assert_eq!(&input[s..s + word.len()], word);
        }
    }
}
