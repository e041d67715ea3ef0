use crate::{AbbrevKind, Abbreviations};
use newsgraph_model::TokenKind;

/// A token of one paragraph: byte offsets relative to the paragraph text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawToken {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Set when the token is an abbreviation that includes its final period.
    pub abbrev: Option<AbbrevKind>,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits `text` into tokens. Words keep inner hyphens and apostrophes (`pro-Kremlin`,
/// `O'Brien`) but the possessive `'s` is its own token; numbers keep decimal points and
/// thousands separators; abbreviations keep their period; URLs are one token.
pub fn tokenize(text: &str, abbrevs: &Abbreviations) -> Vec<RawToken> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let pos = |k: usize| chars.get(k).map_or(text.len(), |&(i, _)| i);
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        if c.is_whitespace() {
            k += 1;
            continue;
        }
        // URLs and e-mail-like runs.
        let rest = &text[start..];
        if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
            let mut e = k;
            while e < chars.len() && !chars[e].1.is_whitespace() {
                e += 1;
            }
            while e > k + 1
                && matches!(chars[e - 1].1, '.' | ',' | ';' | ':' | ')' | '"' | '”' | '’' | '\'' | '!' | '?')
            {
                e -= 1;
            }
            out.push(RawToken { start, end: pos(e), kind: TokenKind::Url, abbrev: None });
            k = e;
            continue;
        }
        if c.is_alphanumeric() {
            let mut e = k + 1;
            let mut has_dot = false;
            while e < chars.len() {
                let ch = chars[e].1;
                let next = at(e + 1);
                let next_alnum = next.is_some_and(char::is_alphanumeric);
                if ch.is_alphanumeric() || is_mark(ch) {
                    e += 1;
                } else if ch == '.' && next_alnum {
                    has_dot = true;
                    e += 1;
                } else if (ch == ',' && chars[e - 1].1.is_ascii_digit() && three_digits(&chars, e + 1))
                    || ((ch == '-' || ch == '‑') && next_alnum)
                {
                    // thousands separators ("1,000") and inner hyphens ("pro-Kremlin")
                    e += 1;
                } else if is_apostrophe(ch) && next.is_some_and(char::is_alphabetic) {
                    // possessive / contraction "'s" at the word end is split off
                    let after = at(e + 2);
                    if matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric) {
                        break;
                    }
                    e += 1;
                } else {
                    break;
                }
            }
            let word = &text[start..pos(e)];
            let numeric = word.chars().next().is_some_and(|c| c.is_ascii_digit())
                && word.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',');
            let mut abbrev = None;
            if at(e) == Some('.') && !numeric {
                let single_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
                abbrev = abbrevs.get(word).or(if single_initial {
                    Some(AbbrevKind::Title)
                } else if has_dot {
                    Some(AbbrevKind::Other)
                } else {
                    None
                });
                if abbrev.is_some() {
                    e += 1;
                }
            }
            let kind = if numeric { TokenKind::Number } else { TokenKind::Word };
            out.push(RawToken { start, end: pos(e), kind, abbrev });
            k = e;
            continue;
        }
        // Possessive 's after a word.
        if is_apostrophe(c)
            && matches!(at(k + 1), Some('s' | 'S'))
            && !at(k + 2).is_some_and(char::is_alphanumeric)
            && k > 0
            && chars[k - 1].1.is_alphanumeric()
        {
            out.push(RawToken { start, end: pos(k + 2), kind: TokenKind::Word, abbrev: None });
            k += 2;
            continue;
        }
        // Runs of the same punctuation that mean one thing: "...", "--", "?!".
        let mut e = k + 1;
        if c == '.' || c == '-' || c == '!' || c == '?' {
            while e < chars.len() && (chars[e].1 == c || (matches!(c, '!' | '?') && matches!(chars[e].1, '!' | '?'))) {
                e += 1;
            }
        }
        let kind = if c.is_ascii_punctuation() || is_unicode_punct(c) { TokenKind::Punct } else { TokenKind::Symbol };
        out.push(RawToken { start, end: pos(e), kind, abbrev: None });
        k = e;
    }
    out
}

fn three_digits(chars: &[(usize, char)], k: usize) -> bool {
    (k..k + 3).all(|i| chars.get(i).is_some_and(|&(_, c)| c.is_ascii_digit()))
        && !chars.get(k + 3).is_some_and(|&(_, c)| c.is_ascii_digit())
}

fn is_mark(c: char) -> bool {
    // combining marks (NFC leaves some in place for scripts without precomposed forms)
    ('\u{300}'..='\u{36f}').contains(&c) || ('\u{900}'..='\u{97f}').contains(&c) && !c.is_alphanumeric()
}

fn is_unicode_punct(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '„'
            | '‚'
            | '‹'
            | '›'
            | '–'
            | '—'
            | '―'
            | '…'
            | '•'
            | '·'
            | '¿'
            | '¡'
            | '「'
            | '」'
            | '『'
            | '』'
            | '（'
            | '）'
            | '，'
            | '。'
            | '、'
            | '：'
            | '；'
            | '！'
            | '？'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokenize(s, &Abbreviations::builtin()).iter().map(|t| &s[t.start..t.end]).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("Trump’s envoy", &["Trump", "’s", "envoy"]),
            ("O'Brien don't", &["O'Brien", "don't"]),
            ("1,000 kilometers and 3.5%", &["1,000", "kilometers", "and", "3.5", "%"]),
            ("the U.S. envoy", &["the", "U.S.", "envoy"]),
            ("Gen. J. Smith", &["Gen.", "J.", "Smith"]),
            ("a pro-Kremlin analyst", &["a", "pro-Kremlin", "analyst"]),
            ("wait... what", &["wait", "...", "what"]),
            ("“Yes,” he said.", &["“", "Yes", ",", "”", "he", "said", "."]),
            ("see https://example.com/a?b=1.", &["see", "https://example.com/a?b=1", "."]),
            ("US-Russia summit", &["US-Russia", "summit"]),
            ("in 2014, then", &["in", "2014", ",", "then"]),
            ("Really?!", &["Really", "?!"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(&toks(input), want, "input {input:?}");
        }
    }
}
