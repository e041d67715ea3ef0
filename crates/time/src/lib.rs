//! Time-expression recognition and TIMEX3 normalization for news text.
//!
//! [`TimeTagger`] finds time expressions (dates, times, durations, recurrences) in a
//! segmented [`Document`] and normalizes each to a TIMEX3 value: `2025-08-15`,
//! `2025-W32`, `2025-09`, `P3Y`, `PAST_REF`, … with a modifier (`APPROX`, `MORE_THAN`,
//! `START`, …), the anchor it was resolved against, a confidence and the rule that fired.
//!
//! * Rules are data: `data/lexicon.txt` (word classes), `data/modifiers.txt` and
//!   `data/rules.txt` (token patterns), compiled once ([`RuleSet::builtin`]).
//! * Matching runs over the document's tokens (hyphenated tokens split into parts),
//!   with a per-token class mask so that ordinary words cost one comparison.
//! * Relative expressions resolve against the publication time (news style); `that
//!   summer`, `the following day`, `two years later` resolve against the last date the
//!   text mentioned (narrative style). Tense decides the direction of bare weekdays and
//!   months. Without a publication time, relative expressions get `X` placeholders.
//!
//! ```
//! use newsgraph_model::{DocumentBuilder, Published, TimeBasis};
//! let mut b = DocumentBuilder::new("Trump will meet Putin next Friday.");
//! b.meta_mut().published = Some(Published {
//!     time: chrono::DateTime::parse_from_rfc3339("2025-08-08T23:04:25+00:00").unwrap(),
//!     basis: TimeBasis::Stated,
//! });
//! let mut doc = b.build();
//! newsgraph_time::tokenize_for_tests(&mut doc);
//! let t = newsgraph_time::TimeTagger::global().tag(&doc);
//! assert_eq!(doc.slice(t[0].span), "next Friday");
//! assert_eq!(t[0].value, "2025-08-15");
//! ```

mod resolve;
mod rules;

pub use rules::{RuleError, RuleSet};

use chrono::NaiveDate;
use newsgraph_model::{Document, Span, Timex, TokenKind};
use resolve::{Ctx, Fields, Tense};
use rules::{Class, Elem, Entry, Rule, B_DAY, B_DECADE, B_HOUR, B_LIT, B_MIN, B_NUM, B_ORD, B_YEAR};
use std::sync::OnceLock;

/// The time tagger: compiled rules. Build once (or use [`TimeTagger::global`]).
#[derive(Debug, Clone)]
pub struct TimeTagger {
    rules: RuleSet,
}

/// One sub-token: a document token, or one part of a hyphenated token.
#[derive(Debug)]
pub(crate) struct Tok<'r> {
    pub start: usize,
    pub end: usize,
    pub key: String,
    pub sentence: u32,
    pub cap: bool,
    /// The next sub-token is the rest of the same hyphenated token.
    pub hyphen_next: bool,
    pub num: Option<u32>,
    pub mask: u64,
    pub entries: &'r [Entry],
}

impl Tok<'_> {
    pub(crate) fn entry(&self, class: Class) -> Option<&Entry> {
        self.entries.iter().find(|e| e.class == class && (!e.ambig || self.cap))
    }
    pub(crate) fn has(&self, class: Class) -> bool {
        self.mask & class.bit() != 0
    }
}

impl Default for TimeTagger {
    fn default() -> Self {
        TimeTagger { rules: RuleSet::builtin() }
    }
}

impl TimeTagger {
    pub fn new(rules: RuleSet) -> TimeTagger {
        TimeTagger { rules }
    }

    /// The built-in rules, compiled on first use and shared.
    pub fn global() -> &'static TimeTagger {
        static T: OnceLock<TimeTagger> = OnceLock::new();
        T.get_or_init(TimeTagger::default)
    }

    /// Fills `doc.layers.timexes` (needs sentences and tokens).
    pub fn annotate(&self, doc: &mut Document) {
        doc.layers.timexes = self.tag(doc);
    }

    /// The time expressions of a segmented document, in text order.
    pub fn tag(&self, doc: &Document) -> Vec<Timex> {
        let dct = doc.meta.published.map(|p| p.time.date_naive());
        let toks = self.subtokens(doc);
        self.run(&toks, dct)
    }

    fn subtokens<'r>(&'r self, doc: &Document) -> Vec<Tok<'r>> {
        let text = doc.text();
        let mut out = Vec::with_capacity(doc.layers.tokens.len() + 8);
        for t in &doc.layers.tokens {
            let s = &text[t.span.range()];
            let start = t.span.start as usize;
            if t.kind == TokenKind::Word && s.contains('-') && s.len() > 1 {
                let mut off = 0;
                for part in s.split('-') {
                    if !part.is_empty() {
                        let mut tok = self.tok(part, start + off, t.sentence, t.kind);
                        tok.hyphen_next = off + part.len() < s.len();
                        out.push(tok);
                    }
                    off += part.len() + 1;
                }
            } else {
                out.push(self.tok(s, start, t.sentence, t.kind));
            }
        }
        out
    }

    fn tok<'r>(&'r self, s: &str, start: usize, sentence: u32, kind: TokenKind) -> Tok<'r> {
        let end = start + s.len();
        let trimmed = if s.len() > 1 { s.strip_suffix('.').unwrap_or(s) } else { s };
        let mut key = trimmed.to_lowercase();
        if key.contains('’') {
            key = key.replace('’', "'");
        }
        let cap = s.chars().next().is_some_and(char::is_uppercase);
        let mut mask = 0u64;
        let entries: &[Entry] = match self.rules.lexicon.get(&key) {
            Some(v) => v,
            None => &[],
        };
        for e in entries {
            if !e.ambig || cap {
                mask |= e.class.bit();
            }
        }
        if self.rules.literals.contains(&key) {
            mask |= B_LIT;
        }
        let mut num = None;
        let b = key.as_bytes();
        if !b.is_empty() && b[0].is_ascii_digit() {
            if b.iter().all(u8::is_ascii_digit) && b.len() <= 9 {
                let n: u32 = key.parse().unwrap_or(0);
                num = Some(n);
                mask |= B_NUM;
                if b.len() == 4 && (1000..=2099).contains(&n) {
                    mask |= B_YEAR;
                }
                if b.len() <= 2 && (1..=31).contains(&n) {
                    mask |= B_DAY;
                }
                if b.len() <= 2 && (1..=24).contains(&n) {
                    mask |= B_HOUR;
                }
                if b.len() == 2 && n <= 59 {
                    mask |= B_MIN;
                }
            } else if kind == TokenKind::Number && key.contains(',') && !key.contains('.') {
                if let Ok(n) = key.replace(',', "").parse::<u32>() {
                    num = Some(n);
                    mask |= B_NUM;
                }
            } else if let Some(d) = ["st", "nd", "rd", "th"].iter().find_map(|suf| key.strip_suffix(suf)) {
                if let Ok(n) = d.parse::<u32>() {
                    if d.len() <= 2 && (1..=31).contains(&n) {
                        num = Some(n);
                        mask |= B_DAY | B_ORD;
                    }
                }
            } else if let Some(d) = key.strip_suffix('s') {
                if d.ends_with('0') && (d.len() == 4 || d.len() == 2) && d.bytes().all(|c| c.is_ascii_digit()) {
                    mask |= B_DECADE;
                }
            }
        }
        Tok { start, end, key, sentence, cap, hyphen_next: false, num, mask, entries }
    }

    fn run(&self, toks: &[Tok], dct: Option<NaiveDate>) -> Vec<Timex> {
        let mut out = Vec::new();
        let mut cx = Ctx { dct, last: None, last_q: None, tense: Tense::None };
        let mut i = 0;
        let mut found: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        while i < toks.len() {
            if toks[i].mask == 0 {
                i += 1;
                continue;
            }
            let mut best: Option<(usize, resolve::Res)> = None;
            // Candidate starts: right here, or after a modifier phrase.
            let mut starts: Vec<(usize, Option<&str>)> = vec![(i, None)];
            if toks[i].mask & B_LIT != 0 {
                for (phrase, m) in &self.rules.modifiers {
                    let n = phrase.len();
                    if i + n < toks.len()
                        && phrase
                            .iter()
                            .enumerate()
                            .all(|(k, w)| toks[i + k].key == *w && toks[i + k].sentence == toks[i].sentence)
                    {
                        starts.push((i + n, Some(m.as_str())));
                    }
                }
            }
            for &(j, modifier) in &starts {
                if j >= toks.len() || toks[j].mask == 0 {
                    continue;
                }
                for rule in &self.rules.rules {
                    if toks[j].mask & rule.first_mask == 0 {
                        continue;
                    }
                    found.clear();
                    let mut acc = Vec::new();
                    match_rec(rule, 0, toks, j, toks[j].sentence, &mut acc, &mut found);
                    if found.is_empty() {
                        continue;
                    }
                    found.sort_by_key(|(end, _)| std::cmp::Reverse(*end));
                    let cand_start = if modifier.is_some() { i } else { j };
                    for (end, assign) in &found {
                        // Longer wins; at equal end, the earlier start (with a modifier) wins.
                        if best.as_ref().is_some_and(|(e, r)| *e > *end || (*e == *end && r.start <= cand_start)) {
                            break;
                        }
                        let fields = Fields::collect(rule, toks, assign, modifier);
                        cx.tense = resolve::tense(toks, j, *end);
                        if let Some(mut res) = cx.resolve(rule, &fields, toks, j, *end) {
                            res.start = cand_start + usize::from(res.trim_lead);
                            best = Some((*end, res));
                            break;
                        }
                    }
                }
            }
            match best {
                Some((end, res)) => {
                    let span = Span::new(toks[res.start].start, toks[end - 1].end);
                    if let Some(q) = res.value.get(..7).filter(|v| v.as_bytes().get(5) == Some(&b'Q')) {
                        if let (Ok(y), Ok(n)) = (q[..4].parse(), q[6..7].parse()) {
                            if res.rule != "focus_q"
                                && res.rule != "focus_yago"
                                && res.rule != "offset"
                                && res.rule != "offset_a"
                            {
                                cx.last_q = Some((y, n));
                            }
                        }
                    }
                    if let Some(a) = &res.cal {
                        cx.last = Some(a.clone());
                    }
                    out.push(Timex {
                        span,
                        kind: res.kind,
                        value: res.value,
                        modifier: res.modifier,
                        anchor: res.anchor,
                        confidence: res.confidence,
                        rule: res.rule,
                    });
                    i = end.max(i + 1);
                }
                None => i += 1,
            }
        }
        out
    }
}

fn elem_matches(e: &Elem, t: &Tok) -> bool {
    match e {
        Elem::Lit(ws) => t.mask & B_LIT != 0 && ws.contains(&t.key),
        Elem::Class(c) => t.has(*c),
        Elem::Year => t.mask & B_YEAR != 0,
        Elem::Day => t.mask & B_DAY != 0,
        Elem::Count => t.mask & B_NUM != 0 || t.has(Class::Num),
        Elem::Ord => t.mask & B_ORD != 0 || t.has(Class::Ord),
        Elem::Hour => t.mask & B_HOUR != 0,
        Elem::Min => t.mask & B_MIN != 0,
        Elem::Decade => t.mask & B_DECADE != 0,
    }
}

/// All complete matches of `rule` from token `ti`: (end token, (element, token) pairs).
fn match_rec(
    rule: &Rule,
    pi: usize,
    toks: &[Tok],
    ti: usize,
    sentence: u32,
    acc: &mut Vec<(usize, usize)>,
    out: &mut Vec<(usize, Vec<(usize, usize)>)>,
) {
    if pi == rule.pattern.len() {
        if !acc.is_empty() {
            out.push((ti, acc.clone()));
        }
        return;
    }
    let e = &rule.pattern[pi];
    if ti < toks.len() && toks[ti].sentence == sentence && elem_matches(&e.elem, &toks[ti]) {
        acc.push((pi, ti));
        match_rec(rule, pi + 1, toks, ti + 1, sentence, acc, out);
        acc.pop();
    }
    if e.optional {
        match_rec(rule, pi + 1, toks, ti, sentence, acc, out);
    }
}

/// Segments a document with a minimal whitespace/punctuation tokenizer, for doc tests
/// and callers without `newsgraph-text`. The engine uses the real segmenter.
pub fn tokenize_for_tests(doc: &mut Document) {
    use newsgraph_model::{Sentence, Token};
    let text = doc.text().to_string();
    let mut tokens = Vec::new();
    let mut start = None;
    let push = |tokens: &mut Vec<Token>, s: usize, e: usize| {
        let w = &text[s..e];
        let kind = if w.chars().all(|c| c.is_ascii_digit() || c == ',') { TokenKind::Number } else { TokenKind::Word };
        tokens.push(Token { span: Span::new(s, e), kind, sentence: 0 });
    };
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '-' || c == '\'' || c == '’';
        let dot_in_word = c == '.' && start.is_some() && text[i + 1..].starts_with(|n: char| n.is_alphanumeric());
        if word || dot_in_word {
            start.get_or_insert(i);
        } else {
            if let Some(s) = start.take() {
                push(&mut tokens, s, i);
            }
            if !c.is_whitespace() {
                tokens.push(Token { span: Span::new(i, i + c.len_utf8()), kind: TokenKind::Punct, sentence: 0 });
            }
        }
    }
    if let Some(s) = start {
        push(&mut tokens, s, text.len());
    }
    doc.layers.sentences = vec![Sentence { span: Span::new(0, text.len()), paragraph: 0 }];
    doc.layers.tokens = tokens;
}

#[cfg(test)]
mod tests;
