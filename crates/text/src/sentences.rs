use crate::{AbbrevKind, RawToken};
use std::ops::Range;

/// Words that start sentences; after an ambiguous abbreviation ("U.S.") a capitalized
/// word from this list means a new sentence.
const STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "This",
    "That",
    "These",
    "Those",
    "But",
    "And",
    "Or",
    "So",
    "Yet",
    "In",
    "On",
    "At",
    "For",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "As",
    "There",
    "His",
    "Her",
    "Their",
    "Its",
    "Our",
    "My",
    "Some",
    "Many",
    "Most",
    "No",
    "Now",
    "Then",
    "However",
    "Meanwhile",
    "Still",
    "Also",
    "Earlier",
    "Later",
    "Last",
    "Next",
    "What",
    "Why",
    "How",
    "Who",
    "Where",
    "Since",
    "Although",
    "Though",
    "Under",
    "According",
];

fn is_closer(s: &str) -> bool {
    matches!(s, "”" | "’" | "»" | ")" | "]" | "}" | "›" | "」" | "』" | "）")
}

fn is_terminal(s: &str) -> bool {
    s.starts_with('.') || s.starts_with('!') || s.starts_with('?') || s == "…" || s == "。" || s == "！" || s == "？"
}

/// Splits one paragraph's tokens into sentences (ranges of token indices).
pub fn split_sentences(text: &str, toks: &[RawToken]) -> Vec<Range<usize>> {
    let s = |i: usize| &text[toks[i].start..toks[i].end];
    let mut out = Vec::new();
    let mut begin = 0;
    let mut i = 0;
    while i < toks.len() {
        let tok = s(i);
        let ambiguous_abbrev = toks[i].abbrev == Some(AbbrevKind::Other);
        if !(is_terminal(tok) || ambiguous_abbrev) {
            i += 1;
            continue;
        }
        // Extend over further terminals and closing quotes/brackets attached to the end.
        let mut end = i + 1;
        while end < toks.len() {
            let t = s(end);
            let attached = toks[end].start == toks[end - 1].end;
            if is_terminal(t) || is_closer(t) || (attached && (t == "\"" || t == "'")) {
                end += 1;
            } else {
                break;
            }
        }
        let split = match toks.get(end) {
            None => false, // the paragraph ends anyway
            Some(next) => {
                let word = &text[next.start..next.end];
                let first = word.chars().next().unwrap_or(' ');
                if ambiguous_abbrev && end == i + 1 {
                    first.is_uppercase() && STARTERS.contains(&word)
                } else {
                    !first.is_lowercase() && !matches!(word, "," | ";" | ":" | ")" | "-" | "–" | "—")
                }
            }
        };
        if split {
            out.push(begin..end);
            begin = end;
        }
        i = end;
    }
    if begin < toks.len() {
        out.push(begin..toks.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{tokenize, Abbreviations};

    fn sents(text: &str) -> Vec<&str> {
        let ab = Abbreviations::builtin();
        let toks = tokenize(text, &ab);
        super::split_sentences(text, &toks)
            .into_iter()
            .map(|r| &text[toks[r.start].start..toks[r.end - 1].end])
            .collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("One. Two.", &["One.", "Two."]),
            ("Gen. Smith met Sen. Jones. Then left.", &["Gen. Smith met Sen. Jones.", "Then left."]),
            ("Sanctions hit the U.S. The envoy left.", &["Sanctions hit the U.S.", "The envoy left."]),
            ("The U.S. Army said so.", &["The U.S. Army said so."]),
            ("It rose 3.5 percent. Then fell.", &["It rose 3.5 percent.", "Then fell."]),
            ("“Go now.” He left.", &["“Go now.”", "He left."]),
            ("“Why?” he asked.", &["“Why?” he asked."]),
            ("He said \"no.\" Then left.", &["He said \"no.\"", "Then left."]),
            ("Wait... what? Yes!", &["Wait... what?", "Yes!"]),
            ("J. K. Rowling wrote it.", &["J. K. Rowling wrote it."]),
            ("INTENSE BATTLES CONTINUE", &["INTENSE BATTLES CONTINUE"]),
            ("At 5 p.m. on Friday, talks began.", &["At 5 p.m. on Friday, talks began."]),
            ("No end", &["No end"]),
        ];
        for (input, want) in cases {
            assert_eq!(&sents(input), want, "input {input:?}");
        }
    }
}
