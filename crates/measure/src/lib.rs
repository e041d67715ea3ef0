//! Counts and amounts: numbers stated in news text, what they count, and GDELT GKG count
//! types.
//!
//! [`Measurer::annotate`] reads a document's sentences, tokens, timexes and mentions and
//! fills its `amounts` layer ([`newsgraph_model::Amount`]). Numbers are read in digits
//! ("300,000", "1.5 million", "$25m") and in words ("twenty-five", "a thousand", "dozens",
//! "tens of thousands"), with their qualifier ("at least", "about", "up to") as a
//! [`Bound`], their currency, the counted object ("deaths", "combat soldiers", "kilometers
//! front line"), and a count type (`KILL`, `WOUND`, `ARREST`, …) when the counted words or
//! a verb next to them say what happened (`data/counts.tsv`). Numbers inside time
//! expressions and names, percentages and bare years are left out.
//!
//! ```
//! use newsgraph_measure::Measurer;
//! use newsgraph_model::{Bound, DocumentBuilder};
//! let mut doc = DocumentBuilder::new("The war led to tens of thousands of deaths.").build();
//! newsgraph_text::Segmenter::default().annotate(&mut doc);
//! Measurer::builtin().annotate(&mut doc);
//! let a = &doc.layers.amounts[0];
//! assert_eq!((a.value, a.bound, a.count_type.as_deref()), (10000.0, Bound::AtLeast, Some("KILL")));
//! assert_eq!(a.object.as_deref(), Some("deaths"));
//! ```

mod lexicon;
mod numbers;

#[cfg(test)]
mod tests;

pub use lexicon::{CountRule, Lexicon, Position};

use newsgraph_model::{Amount, Bound, Document, Span, TokenKind};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Finds amounts. Build once ([`Measurer::builtin`]) and share.
#[derive(Debug, Default)]
pub struct Measurer {
    lex: Lexicon,
}

/// A token as the rules see it: lower-cased text, span, kind, sentence.
struct Tok<'a> {
    lower: Cow<'a, str>,
    span: Span,
    kind: TokenKind,
    sentence: u32,
}

impl Tok<'_> {
    fn is(&self, w: &str) -> bool {
        self.lower == w
    }
}

/// Qualifiers written before a number, longest first.
const QUALIFIERS: &[(&[&str], Bound)] = &[
    (&["no", "more", "than"], Bound::AtMost),
    (&["at", "least"], Bound::AtLeast),
    (&["more", "than"], Bound::AtLeast),
    (&["upwards", "of"], Bound::AtLeast),
    (&["in", "excess", "of"], Bound::AtLeast),
    (&["as", "many", "as"], Bound::AtLeast),
    (&["up", "to"], Bound::AtMost),
    (&["at", "most"], Bound::AtMost),
    (&["fewer", "than"], Bound::AtMost),
    (&["less", "than"], Bound::AtMost),
    (&["close", "to"], Bound::Approximate),
    (&["an", "estimated"], Bound::Approximate),
    (&["over"], Bound::AtLeast),
    (&["under"], Bound::AtMost),
    (&["about"], Bound::Approximate),
    (&["around"], Bound::Approximate),
    (&["approximately"], Bound::Approximate),
    (&["roughly"], Bound::Approximate),
    (&["nearly"], Bound::Approximate),
    (&["almost"], Bound::Approximate),
    (&["some"], Bound::Approximate),
    (&["estimated"], Bound::Approximate),
];

/// Words that may stand between the counted object and a verb after it.
const AUX: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "reportedly",
    "also",
    "all",
    "later",
    "allegedly",
    "who",
    "that",
    "being",
    "now",
    "so",
    "far",
    "had",
    "already",
];

/// Words before a number that make it a label ("page 3", "No. 10").
const LABELS: &[&str] = &[
    "no.",
    "no",
    "number",
    "page",
    "article",
    "chapter",
    "section",
    "route",
    "flight",
    "resolution",
    "room",
    "gate",
    "phase",
    "stage",
    "round",
    "paragraph",
    "item",
    "version",
    "episode",
    "season",
    "vol.",
    "part",
    "grade",
    "category",
    "level",
    "highway",
    "bus",
    "channel",
    "apartment",
    "unit",
    "block",
    "building",
    "district",
    "pp.",
    "p.",
];

/// Words before a bare year that make it a date ("in 2014", "since 2022").
const YEAR_CUES: &[&str] = &[
    "in", "since", "until", "by", "from", "of", "to", "before", "after", "during", "early", "late", "mid", "between",
    "and", "summer", "spring", "winter", "autumn", "fall", "through", "year", "the", "than",
];

impl Measurer {
    pub fn new(lex: Lexicon) -> Measurer {
        Measurer { lex }
    }

    /// The shipped measurer (`data/counts.tsv`, `data/words.tsv` compiled in), built once.
    pub fn builtin() -> &'static Measurer {
        static M: OnceLock<Measurer> = OnceLock::new();
        M.get_or_init(|| Measurer::new(Lexicon::builtin()))
    }

    /// Fills `doc.layers.amounts` (in text order).
    pub fn annotate(&self, doc: &mut Document) {
        doc.layers.amounts = self.find(doc);
    }

    /// The amounts of a document, in text order.
    pub fn find(&self, doc: &Document) -> Vec<Amount> {
        let text = doc.text();
        let toks: Vec<Tok> = doc
            .layers
            .tokens
            .iter()
            .map(|t| {
                let s = text.get(t.span.range()).unwrap_or("");
                let lower = if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
                    Cow::Owned(s.to_lowercase())
                } else {
                    Cow::Borrowed(s)
                };
                Tok { lower, span: t.span, kind: t.kind, sentence: t.sentence }
            })
            .collect();
        // Spans where numbers are not amounts: time expressions and names.
        let mut blocked: Vec<Span> = doc.layers.timexes.iter().map(|t| t.span).collect();
        blocked.extend(doc.layers.mentions.iter().map(|m| m.span));
        blocked.sort();
        let is_blocked = |s: Span| {
            let k = blocked.partition_point(|b| b.end <= s.start);
            blocked[k..].iter().take_while(|b| b.start < s.end).any(|b| b.overlaps(s))
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if !numbers::may_start(&toks[i].lower, toks[i].kind) {
                i += 1;
                continue;
            }
            let Some(num) = numbers::parse(&toks, i) else {
                i += 1;
                continue;
            };
            let end = num.end;
            if let Some(a) = self.amount(doc, &toks, i, num, &is_blocked) {
                out.push(a);
            }
            i = end.max(i + 1);
        }
        out
    }

    /// Builds the amount for a number read at tokens `i..num.end`, or `None` when it is not
    /// an amount (a date, a name, a percentage, a pronoun "one").
    fn amount(
        &self,
        doc: &Document,
        toks: &[Tok],
        i: usize,
        num: numbers::Number,
        is_blocked: &dyn Fn(Span) -> bool,
    ) -> Option<Amount> {
        let text = doc.text();
        let sent = toks[i].sentence;
        let same = |k: usize| toks.get(k).is_some_and(|t| t.sentence == sent);
        let num_span = Span { start: toks[i].span.start, end: toks[num.end - 1].span.end };
        if is_blocked(num_span) {
            return None;
        }
        let mut evidence =
            vec![format!("number `{}` → {} ({})", &text[num_span.range()], fmt_value(num.value), num.how)];
        // Qualifier and currency sign before the number.
        let mut start = i;
        let mut currency = num.currency.clone();
        if currency.is_none() && i > 0 && same(i - 1) && toks[i - 1].span.end == toks[i].span.start {
            if let Some(c) = self.lex.currency_sign(&toks[i - 1].lower) {
                currency = Some(c.to_string());
                start = i - 1;
                // "US$", "C$": a country letter glued to the sign.
                if start > 0 && same(start - 1) && toks[start - 1].span.end == toks[start].span.start {
                    let joined = format!("{}{}", toks[start - 1].lower, toks[start].lower);
                    if let Some(c) = self.lex.currency_sign(&joined) {
                        currency = Some(c.to_string());
                        start -= 1;
                    }
                }
            }
        }
        // "Chapter 3", "Route 66", "No. 10": a number that labels something.
        if start > 0 && same(start - 1) && num.digits {
            let prev = &toks[start - 1];
            let raw = &text[prev.span.range()];
            if (prev.kind == TokenKind::Word
                && raw.starts_with(|c: char| c.is_uppercase())
                && start - 1 > 0
                && same(start - 2))
                || LABELS.contains(&&*prev.lower)
            {
                return None;
            }
        }
        let mut bound = num.bound;
        for (words, b) in QUALIFIERS {
            let n = words.len();
            if start >= n && (0..n).all(|k| same(start - n + k) && toks[start - n + k].is(words[k])) {
                start -= n;
                if bound == Bound::Exact || *b != Bound::Approximate {
                    bound = *b;
                }
                evidence.push(format!("bound `{}`", words.join(" ")));
                break;
            }
        }
        // After the number: a currency word, "of", the counted object.
        let mut j = num.end;
        if same(j) && (toks[j].is("%") || toks[j].is("percent") || toks[j].is("per")) {
            return None; // percentages are not amounts (as in GDELT)
        }
        let mut span_end = num.end;
        if currency.is_none() {
            if let Some((c, n)) = self.lex.currency_word(toks, j, sent) {
                currency = Some(c.to_string());
                j += n;
                span_end = j;
            }
        }
        if same(j) && toks[j].is("of") && num.of_ok {
            if currency.is_none() {
                if let Some((c, n)) = self.lex.currency_word(toks, j + 1, sent) {
                    currency = Some(c.to_string());
                    j += 1 + n;
                    span_end = j;
                }
            }
            if same(j) && toks[j].is("of") {
                j += 1;
            }
        }
        let obj_start = j;
        let mut obj_words: Vec<&str> = Vec::new();
        while obj_words.len() < 3 && same(j) {
            let t = &toks[j];
            let w: &str = &t.lower;
            if t.kind != TokenKind::Word
                || self.lex.is_stop(w)
                || (!obj_words.is_empty() && (w.ends_with("ed") || w.ends_with("ing") || w.ends_with("ly")))
                || w.bytes().next().is_some_and(|b| b.is_ascii_digit())
            {
                break;
            }
            obj_words.push(w);
            j += 1;
            if self.lex.is_head(w) || (w.len() > 3 && w.ends_with('s') && !w.ends_with("ss")) {
                break;
            }
        }
        if obj_words.first().is_some_and(|w| *w == "percent") {
            return None;
        }
        // "47 years old", "a 47-year-old": an age, not a count.
        if matches!(obj_words.first(), Some(&"year" | &"years")) && same(j) && toks[j].is("old") {
            return None;
        }
        // "barrels of oil", "tons of grain": a unit takes its "of" complement.
        let mut of_tail = String::new();
        if obj_words.first().is_some_and(|w| self.lex.is_unit(w)) && same(j) && toks[j].is("of") {
            let mut k = j + 1;
            let mut tail = Vec::new();
            while tail.len() < 2 && same(k) && toks[k].kind == TokenKind::Word && !self.lex.is_stop(&toks[k].lower) {
                tail.push(&*toks[k].lower);
                k += 1;
            }
            if !tail.is_empty() {
                of_tail = format!(" of {}", tail.join(" "));
                j = k;
            }
        }
        let object_span =
            (!obj_words.is_empty()).then(|| Span { start: toks[obj_start].span.start, end: toks[j - 1].span.end });
        let mut object = (!obj_words.is_empty()).then(|| obj_words.join(" ") + &of_tail);
        // "a front line of 1000 kilometers", "an aid package of $5 billion": the noun before
        // "of" is what a unit (or a sum of money) measures.
        let unit = obj_words.first().is_some_and(|w| self.lex.is_unit(w));
        if (unit || (currency.is_some() && object.is_none()))
            && start >= 2
            && same(start - 1)
            && toks[start - 1].is("of")
        {
            let mut k = start - 1;
            let mut np = Vec::new();
            while np.len() < 3 && k > 0 && same(k - 1) {
                let t = &toks[k - 1];
                if t.kind != TokenKind::Word || self.lex.is_stop(&t.lower) {
                    break;
                }
                np.push(&*t.lower);
                k -= 1;
            }
            np.reverse();
            if !np.is_empty() && !self.lex.is_skip(np[np.len() - 1]) {
                let np = np.join(" ");
                evidence.push(format!("measured: `{np}` of"));
                object = Some(match object {
                    Some(o) => format!("{o} {np}"),
                    None => np,
                });
            }
        }
        if object.is_some() {
            evidence.push(format!("object `{}`", object.as_deref().unwrap_or("")));
        }
        // Count type: the object, a verb after it, words before the number.
        let mut count_type = None;
        let mut cue = None;
        if object_span.is_some() {
            if let Some((rule, s, e)) = self.lex.find(Position::Object, toks, obj_start, j, sent) {
                count_type = Some(rule);
                cue = Some(Span { start: toks[s].span.start, end: toks[e - 1].span.end });
            }
        }
        if count_type.is_none() {
            let mut k = if obj_words.is_empty() { span_end.max(num.end) } else { j };
            let mut skipped = 0;
            while skipped < 3 && same(k) && AUX.contains(&&*toks[k].lower) {
                k += 1;
                skipped += 1;
            }
            if let Some((rule, s, e)) = self.lex.find(Position::After, toks, k, k + 1, sent) {
                count_type = Some(rule);
                cue = Some(Span { start: toks[s].span.start, end: toks[e - 1].span.end });
            }
        }
        if count_type.is_none() {
            let from = start.saturating_sub(5);
            // No punctuation between the cue and the number.
            let from =
                (from..start).rev().take_while(|&k| same(k) && toks[k].kind == TokenKind::Word).last().unwrap_or(start);
            if let Some((rule, s, e)) = self.lex.find_ending(toks, from, start, sent) {
                count_type = Some(rule);
                cue = Some(Span { start: toks[s].span.start, end: toks[e - 1].span.end });
            }
        }
        if count_type.is_none() && object_span.is_some() {
            if let Some((rule, s, e)) = self.lex.find(Position::Class, toks, obj_start, j, sent) {
                count_type = Some(rule);
                cue = Some(Span { start: toks[s].span.start, end: toks[e - 1].span.end });
            }
        }
        if let Some(rule) = count_type {
            evidence.push(format!(
                "count type {}: {} `{}` (counts.tsv:{})",
                rule.kind,
                rule.position.name(),
                cue.map(|c| &text[c.range()]).unwrap_or(""),
                rule.line
            ));
        }
        // A bare year ("in 2014") is a date the time layer did not take.
        if num.year_like
            && currency.is_none()
            && (object.is_none() || (start > 0 && same(start - 1) && YEAR_CUES.contains(&&*toks[start - 1].lower)))
        {
            return None;
        }
        // "one" and "a thousand…" are only amounts with something to count; a bare "one" is
        // a pronoun ("one of them") unless it is qualified or typed.
        if num.weak && count_type.is_none() && bound == Bound::Exact && currency.is_none() {
            return None;
        }
        // A lone number ("scored 3", "No. 10") says too little to be an amount.
        if object.is_none() && currency.is_none() && count_type.is_none() && !num.vague {
            return None;
        }
        let span = Span { start: toks[start].span.start, end: toks[span_end - 1].span.end };
        let mut confidence: f32 = 0.5;
        if object.is_some() {
            confidence += 0.2;
        }
        if count_type.is_some() {
            confidence += 0.15;
        }
        if num.digits {
            confidence += 0.1;
        }
        Some(Amount {
            span,
            value: num.value,
            bound,
            currency,
            object,
            object_span,
            count_type: count_type.map(|r| r.kind.clone()),
            cue,
            confidence: confidence.min(0.95),
            evidence,
        })
    }
}

/// A value without a trailing `.0`.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e18 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
