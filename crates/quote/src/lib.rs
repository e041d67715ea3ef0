//! Quotes (attributions): who said what.
//!
//! [`QuoteFinder::annotate`] reads a document's paragraphs, sentences, tokens, mentions and
//! entities and fills its `quotes` layer ([`newsgraph_model::Quote`]). Rules, in order:
//!
//! 1. **Quotation marks** ([`marks`]): every quoted stretch, with multi-paragraph and
//!    unbalanced quotations handled (never an error).
//! 2. **Direct frames** around a quotation: `“…,” he said` / `“…,” said Markov` /
//!    `“…,” Buddha, commander of …` (a name with an appositive and no verb) /
//!    `Markov said: “…”`; an interrupted quotation (`“…,” he said, “but …”`) is one quote
//!    with two parts.
//! 3. **Reported speech** at each cue of the lexicon (`data/cues.txt`) not used above:
//!    `SOURCE CUE [adverbials] [that] CONTENT`, `CONTENT, SOURCE CUE.`,
//!    `CONTENT, CUE SOURCE.`, `according to SOURCE, CONTENT`. Quotations inside the content
//!    make it partial (a few quoted words) or mixed; a content that is one quotation is
//!    direct. "Officials said the Xi “expressed support…”" gives the quoted words to the
//!    person named right before them, reported by the cue's source.
//!    A frame in mid-sentence (`Acts of protest, Mr. Obama said, are acts of patriotism`)
//!    gives a content in two parts. Cues of the `object` frame (speech acts and intentions:
//!    "accused", "urged", "wants") take the rest of the clause as content.
//! 4. **Transcript labels**: a paragraph opening `PENCE: …` is that speaker's words.
//! 5. **Continuations**: quotations next to a direct quote in its paragraph, with only
//!    spaces or the rest of the frame's sentence between, join it as further parts.
//! 6. **Unattributed quotations** that read as speech (a sentence in marks) continue the
//!    previous quote's speaker when it ended in the same or the previous paragraph.
//!
//! The **speaker** is the entity of the source: a mention inside the source (person first,
//! then organization, group, place); a pronoun the entity layer resolved; otherwise a
//! pronoun takes the previous quote's speaker or the nearest person before it, and "the
//! statement", "the report"… take the previous quote's speaker.
//!
//! Not useful for: speech in headlines without a verb ("Putin: no deal"), or attributions
//! whose cue is a noun phrase alone ("In his view, …").

mod cues;
pub mod marks;
#[cfg(test)]
mod tests;

pub use cues::{Class, Cue, CueError, Cues, Frame};

use marks::Quotation;
use newsgraph_model::{Document, EntityType, Quote, QuoteKind, Span, TokenKind};

/// Finds quotes. Build once ([`QuoteFinder::builtin`] or `default`) and share.
#[derive(Debug)]
pub struct QuoteFinder {
    cues: Cues,
}

impl Default for QuoteFinder {
    fn default() -> Self {
        QuoteFinder::builtin()
    }
}

impl QuoteFinder {
    /// The finder with the committed cue lexicon.
    pub fn builtin() -> QuoteFinder {
        QuoteFinder { cues: Cues::builtin() }
    }

    /// A finder with another cue lexicon.
    pub fn with_cues(cues: Cues) -> QuoteFinder {
        QuoteFinder { cues }
    }

    /// Fills `doc.layers.quotes` (sorted by content start).
    pub fn annotate(&self, doc: &mut Document) {
        let quotes = {
            let v = View::new(doc);
            let mut f = Finder {
                v: &v,
                cues: &self.cues,
                used_q: vec![false; v.quotations.len()],
                used_cue: Vec::new(),
                out: Vec::new(),
            };
            f.labels();
            f.direct();
            f.reported();
            f.continuations();
            f.standalone();
            f.resolve_speakers();
            let mut out: Vec<Quote> = f.out.into_iter().map(|(q, _)| q).collect();
            out.sort_by_key(|q| (q.content.start, q.content.end));
            out
        };
        doc.layers.quotes = quotes;
    }
}

/// One token with what the rules look at.
struct Tk<'d> {
    s: &'d str,
    low: String,
    span: Span,
    sent: u32,
    punct: bool,
    cap: bool,
}

/// The document as the rules see it.
struct View<'d> {
    text: &'d str,
    toks: Vec<Tk<'d>>,
    /// Sentence index → paragraph index.
    sent_para: Vec<u32>,
    /// Sentence index → token range.
    sent_toks: Vec<(usize, usize)>,
    /// Per token: the mention that best covers it (the highest-ranked, then the longest).
    mention_at: Vec<Option<usize>>,
    /// Per token: the quotation whose inside holds it.
    quote_at: Vec<Option<usize>>,
    quotations: Vec<Quotation>,
    doc: &'d Document,
}

impl<'d> View<'d> {
    fn new(doc: &'d Document) -> View<'d> {
        let text = doc.text();
        let toks: Vec<Tk> = doc
            .layers
            .tokens
            .iter()
            .map(|t| {
                let s = &text[t.span.start as usize..t.span.end as usize];
                Tk {
                    s,
                    low: s.to_lowercase(),
                    span: t.span,
                    sent: t.sentence,
                    punct: matches!(t.kind, TokenKind::Punct | TokenKind::Symbol),
                    cap: s.chars().next().is_some_and(char::is_uppercase),
                }
            })
            .collect();
        let sent_para: Vec<u32> = doc.layers.sentences.iter().map(|s| s.paragraph).collect();
        let mut sent_toks = vec![(0, 0); doc.layers.sentences.len()];
        let mut i = 0;
        while i < toks.len() {
            let s = toks[i].sent as usize;
            let mut j = i;
            while j < toks.len() && toks[j].sent as usize == s {
                j += 1;
            }
            if let Some(r) = sent_toks.get_mut(s) {
                *r = (i, j);
            }
            i = j;
        }
        let paragraphs: Vec<Span> = doc.layers.paragraphs.iter().map(|p| p.span).collect();
        let quotations = marks::find(text, &paragraphs);
        let mut v = View {
            text,
            mention_at: vec![None; toks.len()],
            quote_at: vec![None; toks.len()],
            toks,
            sent_para,
            sent_toks,
            quotations,
            doc,
        };
        for (mi, m) in doc.layers.mentions.iter().enumerate() {
            let (a, b) = v.tok_range(m.span);
            for t in a..b {
                let better = match v.mention_at[t] {
                    None => true,
                    Some(o) => {
                        let om = &doc.layers.mentions[o];
                        (rank(m.kind), m.span.len()) > (rank(om.kind), om.span.len())
                    }
                };
                if better {
                    v.mention_at[t] = Some(mi);
                }
            }
        }
        for (qi, q) in v.quotations.iter().enumerate() {
            let (a, b) = v.tok_range(q.inner);
            for t in a..b {
                v.quote_at[t] = Some(qi);
            }
        }
        v
    }

    /// Tokens whose start lies in `span`.
    fn tok_range(&self, span: Span) -> (usize, usize) {
        let a = self.toks.partition_point(|t| t.span.start < span.start);
        let b = self.toks.partition_point(|t| t.span.start < span.end);
        (a, b.max(a))
    }

    fn span_of(&self, a: usize, b: usize) -> Span {
        Span { start: self.toks[a].span.start, end: self.toks[b - 1].span.end }
    }

    fn para_of_tok(&self, t: usize) -> u32 {
        self.sent_para.get(self.toks[t].sent as usize).copied().unwrap_or(0)
    }

    fn sentence_range(&self, t: usize) -> (usize, usize) {
        self.sent_toks.get(self.toks[t].sent as usize).copied().unwrap_or((t, t + 1))
    }

    fn mention(&self, t: usize) -> Option<&'d newsgraph_model::Mention> {
        self.mention_at.get(t).copied().flatten().map(|i| &self.doc.layers.mentions[i])
    }

    /// The token range of the mention covering `t`.
    fn mention_range(&self, t: usize) -> Option<(usize, usize)> {
        let m = self.mention(t)?;
        Some(self.tok_range(m.span))
    }

    fn is_mark(&self, t: usize) -> bool {
        matches!(self.toks[t].s, "“" | "”" | "\"" | "«" | "»" | "„" | "‘" | "’" | "'" | "''")
    }

    /// Token index of a quotation's opening mark and the first token after its closing mark.
    fn quote_bounds(&self, q: &Quotation) -> (usize, usize) {
        let open = self.toks.partition_point(|t| t.span.start < q.open);
        let after = match q.close {
            Some(c) => self.toks.partition_point(|t| t.span.start < c),
            None => self.toks.partition_point(|t| t.span.start < q.inner.end),
        };
        (open, after)
    }
}

fn rank(k: EntityType) -> u8 {
    match k {
        EntityType::Person => 4,
        EntityType::Organization => 3,
        EntityType::Group => 2,
        EntityType::Place => 1,
        _ => 0,
    }
}

const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it", "you"];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "its", "their", "our", "my", "this", "these", "those", "some", "many", "several",
    "other", "another", "one", "two", "three", "both", "all", "most", "senior", "top",
];
/// Words between a source and its cue: auxiliaries and adverbs ("has also said").
const BETWEEN: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "previously",
    "later",
    "earlier",
    "again",
    "reportedly",
    "recently",
    "then",
    "was",
    "were",
    "is",
    "are",
    "been",
    "be",
    "would",
    "will",
    "could",
    "may",
    "might",
    "once",
    "repeatedly",
    "publicly",
    "privately",
    "first",
    "further",
    "separately",
    "bluntly",
    "simply",
    "only",
    "just",
    "even",
    "still",
    "already",
    "often",
    "widely",
    "frequently",
    "openly",
    "quickly",
    "flatly",
    "’s",
    "'s",
    "’ve",
    "'ve",
    "did",
    "does",
    "do",
    "can",
    "should",
];
/// Words that end a noun phrase when walking left.
const NP_STOP: &[&str] = &[
    "that", "which", "who", "whom", "and", "or", "but", "while", "when", "as", "if", "because", "after", "before",
    "so", "since", "although", "though", "where", "than", "to", "for", "in", "on", "at", "by", "with", "from", "about",
    "into", "over", "under", "said", "says", "say", "is", "was", "are", "were", "has", "have", "had", "not", "will",
    "would", "what", "how", "why", "also", "there", "here", "it",
];
/// Words a reported clause may begin with (besides capitalized words and numbers).
const CLAUSE_START: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "there", "this", "these", "those", "the", "a", "an", "his", "her",
    "its", "their", "our", "my", "some", "any", "no", "all", "every", "each", "both", "neither", "nothing", "none",
    "everyone", "nobody", "if", "when", "while", "once", "now", "only", "such", "many", "most", "more", "few",
    "several", "one", "that",
];
/// Nouns that stand for the previous source's words: "the statement said".
const TEXT_NOUNS: &[&str] = &[
    "statement",
    "assessment",
    "report",
    "release",
    "communique",
    "communiqué",
    "document",
    "letter",
    "post",
    "message",
    "note",
    "analysis",
    "update",
    "briefing",
    "memo",
    "decree",
    "announcement",
    "filing",
    "tweet",
    "readout",
];
/// Words of time adverbials that may sit between a cue and its clause ("said on Friday").
const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tonight",
    "week",
    "month",
    "year",
    "morning",
    "afternoon",
    "evening",
    "night",
    "weekend",
    "earlier",
    "later",
    "recently",
];
const PREPOSITIONS: &[&str] = &[
    "on", "in", "at", "during", "to", "with", "after", "before", "from", "late", "last", "this", "earlier", "via",
    "through", "over",
];

struct Finder<'a, 'd> {
    v: &'a View<'d>,
    cues: &'a Cues,
    used_q: Vec<bool>,
    /// Cue tokens already used by a direct frame.
    used_cue: Vec<usize>,
    /// Quotes found, each with the entity whose words are quoted inside reported speech
    /// (see [`Finder::emit_reported_span`]).
    out: Vec<(Quote, Option<u32>)>,
}

/// A direct frame: the cue (token, entry), the source, the rule's name.
type DirectFrame = (Option<(usize, Cue)>, Option<Src>, &'static str);

/// A found source, before its speaker is resolved.
#[derive(Clone, Copy)]
struct Src {
    a: usize,
    b: usize,
}

impl Finder<'_, '_> {
    fn n(&self) -> usize {
        self.v.toks.len()
    }

    fn cue_at(&self, i: usize) -> Option<Cue> {
        cue_at(self.v, self.cues, i)
    }

    /// A noun phrase ending just before `end` (exclusive), not reaching before `floor`,
    /// after skipping auxiliaries and adverbs; an appositive (", a Moscow analyst,") is
    /// stepped over to the name before it.
    fn np_left(&self, end: usize, floor: usize, appositive: bool) -> Option<Src> {
        let v = self.v;
        let mut j = end;
        while j > floor && BETWEEN.contains(&v.toks[j - 1].low.as_str()) {
            j -= 1;
        }
        if j == floor {
            return None;
        }
        let head = j - 1;
        let t = &v.toks[head];
        if t.s == "," {
            if !appositive {
                return None;
            }
            // ", … ," : the name before the first comma.
            let lo = head.saturating_sub(16).max(floor);
            for k in (lo..head).rev() {
                let s = v.toks[k].s;
                if s == "," {
                    // An appositive opens with a determiner, a title or a name.
                    let first = &v.toks[k + 1];
                    let opens = first.cap || DETERMINERS.contains(&first.low.as_str());
                    return if opens { self.np_left(k, floor, false) } else { None };
                }
                if v.toks[k].punct && !matches!(s, "-" | "’s" | "'s" | "’" | ".") || v.is_mark(k) {
                    return None;
                }
            }
            return None;
        }
        if t.s == ")" {
            // "Gov. Mike Pence (R-IN) said": the name before the parenthetical.
            let open = (head.saturating_sub(8).max(floor)..head).rev().find(|&k| v.toks[k].s == "(")?;
            return self.np_left(open, floor, false);
        }
        if t.punct || v.is_mark(head) {
            return None;
        }
        if matches!(t.low.as_str(), "who" | "which") {
            // "an architect who said…": the relative pronoun, resolved later.
            return Some(Src { a: head, b: head + 1 });
        }
        if let Some((a, b)) = v.mention_range(head) {
            if b == head + 1 && a >= floor {
                let mut a = a;
                // Extend over a role written before the name and a determiner.
                if let Some(role) = v.mention(head).and_then(|m| m.role) {
                    if role.end <= v.toks[a].span.start {
                        let (ra, _) = v.tok_range(role);
                        if ra >= floor && a - ra <= 6 {
                            a = ra;
                        }
                    }
                }
                if a > floor && matches!(v.toks[a - 1].low.as_str(), "the") {
                    a -= 1;
                }
                return Some(Src { a, b: head + 1 });
            }
        }
        if PRONOUNS.contains(&t.low.as_str()) {
            return Some(Src { a: head, b: head + 1 });
        }
        if NP_STOP.contains(&t.low.as_str()) || DETERMINERS.contains(&t.low.as_str()) {
            return None;
        }
        // A common-noun or unknown-name phrase: "Kremlin officials", "the statement",
        // "a senior official", "Analysts".
        let mut a = head;
        let mut has_det_or_cap = t.cap;
        while a > floor && head - a < 5 {
            let p = &v.toks[a - 1];
            if p.punct || v.is_mark(a - 1) || NP_STOP.contains(&p.low.as_str()) || PRONOUNS.contains(&p.low.as_str()) {
                break;
            }
            if DETERMINERS.contains(&p.low.as_str()) {
                a -= 1;
                has_det_or_cap = true;
                break;
            }
            has_det_or_cap |= p.cap;
            a -= 1;
        }
        // A bare lower-case word is a source only when plural or a known text noun
        // ("officials said", "the statement said").
        let plural = t.low.ends_with('s') && t.low.len() > 3;
        if has_det_or_cap || plural || TEXT_NOUNS.contains(&t.low.as_str()) {
            Some(Src { a, b: head + 1 })
        } else {
            None
        }
    }

    /// A noun phrase starting at `start`: a mention (with a determiner before it), a
    /// pronoun, or a short common-noun phrase up to punctuation.
    fn np_right(&self, start: usize, limit: usize) -> Option<Src> {
        let v = self.v;
        if start >= limit {
            return None;
        }
        let mut s = start;
        if DETERMINERS.contains(&v.toks[s].low.as_str()) && s + 1 < limit {
            s += 1;
        }
        // A mention, possibly after title words and abbreviations ("Rep. Jim Clyburn",
        // "Democratic nominee Hillary Clinton").
        let mut m = s;
        while m < limit.min(s + 4) {
            if let Some((a, b)) = v.mention_range(m) {
                if a == m && b <= limit {
                    return Some(Src { a: start, b });
                }
                break;
            }
            let t = &v.toks[m];
            if !(t.cap
                || t.s == "."
                || (m > s
                    && t.low.chars().all(char::is_lowercase)
                    && !NP_STOP.contains(&t.low.as_str())
                    && self.cue_at(m).is_none()))
            {
                break;
            }
            m += 1;
        }
        let t = &v.toks[start];
        if PRONOUNS.contains(&t.low.as_str()) {
            return Some(Src { a: start, b: start + 1 });
        }
        let mut b = s;
        while b < limit && b - s < 5 {
            let x = &v.toks[b];
            if x.punct || v.is_mark(b) || NP_STOP.contains(&x.low.as_str()) || self.cue_at(b).is_some() {
                break;
            }
            b += 1;
        }
        (b > s && (b > start + 1 || v.toks[start].cap || s > start)).then_some(Src { a: start, b })
    }

    /// Records a quote; `by` is its cue and source.
    fn push(
        &mut self,
        content: Span,
        parts: Vec<Span>,
        by: (Option<Span>, Option<Src>),
        kind: QuoteKind,
        confidence: f32,
        rule: &str,
    ) {
        let (cue, src) = by;
        let source = src.map(|s| self.v.span_of(s.a, s.b));
        self.out.push((
            Quote {
                content,
                parts,
                cue,
                source,
                speaker: None,
                reported_by: None,
                kind,
                confidence,
                evidence: vec![format!("rule:{rule}")],
            },
            None,
        ));
    }

    /// Content of a quotation, without a final comma.
    fn quoted_content(&self, q: &Quotation) -> Span {
        trim(self.v.text, q.inner, &[',', ' ', '\n'])
    }

    /// Transcript speaker labels: a paragraph that opens with a name in capitals (or a
    /// person's name) and a colon — `PENCE: Well, look, …` — is that person's words.
    fn labels(&mut self) {
        let v = self.v;
        const NOT_NAMES: &[&str] = &[
            "UPDATE",
            "UPDATED",
            "BREAKING",
            "NOTE",
            "EDITOR",
            "EDITORS",
            "WATCH",
            "READ",
            "MORE",
            "RELATED",
            "PHOTOS",
            "PHOTO",
            "VIDEO",
            "CORRECTION",
            "Q",
            "A",
            "SOURCE",
            "SOURCES",
            "ADVERTISEMENT",
            "CLICK",
            "LISTEN",
            "UPDATES",
            "ALSO",
            "WARNING",
            "EXCLUSIVE",
        ];
        for p in &v.doc.layers.paragraphs {
            let (mut a, end) = v.tok_range(p.span);
            if a < end && v.is_mark(a) {
                a += 1;
            }
            let Some(colon) = (a + 1..end.min(a + 4)).find(|&k| v.toks[k].s == ":") else { continue };
            let caps = (a..colon).all(|k| {
                let t = v.toks[k].s;
                t.len() >= 2 && t.chars().all(|c| c.is_uppercase() || c == '.' || c == '-') && !NOT_NAMES.contains(&t)
            });
            let person = v.mention_range(a).is_some_and(|(ma, mb)| ma == a && mb == colon)
                && v.mention(a).is_some_and(|m| m.kind == EntityType::Person);
            // A dateline ("NEW YORK: …") names a place, not a speaker.
            let place = v.mention(a).is_some_and(|m| m.kind == EntityType::Place);
            if !(caps || person) || place || colon + 2 >= end {
                continue;
            }
            let mut stop = end;
            while stop > colon + 1 && v.is_mark(stop - 1) {
                stop -= 1;
            }
            let content = trim(v.text, v.span_of(colon + 1, stop), &[' ', '\n']);
            for k in colon + 1..stop {
                if let Some(q) = v.quote_at[k] {
                    self.used_q[q] = true;
                }
            }
            let cue = v.span_of(colon, colon + 1);
            self.push(
                content,
                Vec::new(),
                (Some(cue), Some(Src { a, b: colon })),
                QuoteKind::Direct,
                0.8,
                "transcript-label",
            );
        }
    }

    /// Step 2: direct frames around quotations.
    fn direct(&mut self) {
        let v = self.v;
        let mut qi = 0;
        while qi < v.quotations.len() {
            let q = &v.quotations[qi];
            let (open, after) = v.quote_bounds(q);
            let n = self.n();
            let mut found: Option<DirectFrame> = None;
            // After the quotation: optional comma, then CUE SOURCE / SOURCE CUE / NAME ,
            let mut t = after;
            if t < n && matches!(v.toks[t].s, "," | "—" | "–") {
                t += 1;
            }
            if t < n && v.para_of_tok(t) == v.para_of_tok(open.min(n - 1)) {
                let lim = n.min(t + 20);
                if let Some(c) = self.cue_at(t).filter(|c| c.frame != Frame::Prep) {
                    if let Some(s) = self.np_right(t + c.len, lim) {
                        found = Some((Some((t, c)), Some(s), "quote-cue-source"));
                    }
                } else if let Some(s) = self.np_right(t, lim) {
                    let mut c = self.skip_parenthetical(s.b, lim);
                    if c < lim && v.toks[c].s == "," {
                        // ", head of the Congressional Black Caucus, said"
                        let after = self.skip_appositive(c, lim);
                        if after < lim && v.toks[after].s == "," {
                            c = after + 1;
                        }
                    }
                    while c < lim && BETWEEN.contains(&v.toks[c].low.as_str()) {
                        c += 1;
                    }
                    if let Some(cue) = self.cue_at(c).filter(|c| c.frame != Frame::Prep) {
                        found = Some((Some((c, cue)), Some(s), "quote-source-cue"));
                    } else if self.ends_speech(q)
                        && v.mention(s.a.max(t))
                            .is_some_and(|m| matches!(m.kind, EntityType::Person | EntityType::Misc))
                        && s.b < n
                        && v.toks[s.b].s == ","
                    {
                        found = Some((None, Some(s), "quote-name-appositive"));
                    }
                }
            }
            // Before the quotation: SOURCE CUE [,|:] “…”
            if found.is_none() && open > 0 {
                let mut c = open;
                if matches!(v.toks[c - 1].s, "," | ":") {
                    c -= 1;
                }
                if c > 0 {
                    let floor = v.sentence_range(c - 1).0;
                    // The cue, possibly a multi-word one ending here.
                    if let Some((ci, cue)) = (c.saturating_sub(2)..c)
                        .filter_map(|i| self.cue_at(i).filter(|cu| i + cu.len == c).map(|cu| (i, cu)))
                        .next()
                    {
                        if cue.frame != Frame::Prep {
                            if let Some(s) = self.np_left(ci, floor, true) {
                                found = Some((Some((ci, cue)), Some(s), "source-cue-quote"));
                            }
                        }
                    }
                }
            }
            let Some((cue, src, rule)) = found else {
                qi += 1;
                continue;
            };
            self.used_q[qi] = true;
            let mut parts = Vec::new();
            let mut content = self.quoted_content(q);
            // An interrupted quotation: “…,” he said, “…”
            let frame_end = match (cue, src) {
                (Some((c, cu)), Some(s)) => (c + cu.len).max(s.b),
                (None, Some(s)) => s.b,
                _ => after,
            };
            if let Some(next) = v.quotations.get(qi + 1) {
                let (nopen, _) = v.quote_bounds(next);
                if rule != "source-cue-quote"
                    && nopen <= frame_end + 1
                    && nopen >= frame_end
                    && (nopen == frame_end || v.toks[frame_end].s == ",")
                {
                    let second = self.quoted_content(next);
                    parts = vec![content, second];
                    content = Span { start: content.start, end: second.end };
                    self.used_q[qi + 1] = true;
                    qi += 1;
                }
            }
            if parts.is_empty() && !q.pieces.is_empty() {
                parts = q.pieces.iter().map(|p| trim(v.text, *p, &[',', ' ', '\n'])).collect();
            }
            if let Some((c, _)) = cue {
                self.used_cue.push(c);
            }
            let cue_span = cue.map(|(c, cu)| v.span_of(c, c + cu.len));
            let conf = if cue.is_some() { 0.95 } else { 0.8 };
            self.push(content, parts, (cue_span, src), QuoteKind::Direct, conf, rule);
            qi += 1;
        }
    }

    /// Whether a quotation reads as speech: it ends with punctuation inside the marks or
    /// holds a clause (five words or more).
    fn ends_speech(&self, q: &Quotation) -> bool {
        let inner = self.v.text[q.inner.start as usize..q.inner.end as usize].trim_end();
        inner.ends_with([',', '.', '?', '!', '…']) || inner.split_whitespace().count() >= 5
    }

    /// Step 3: reported speech at the remaining cues.
    fn reported(&mut self) {
        let v = self.v;
        let n = self.n();
        let mut i = 0;
        while i < n {
            let Some(cue) = self.cue_at(i) else {
                i += 1;
                continue;
            };
            // A cue already used, or inside reported content (an attribution inside
            // another is part of its content: "he said he believed that…").
            let at = v.toks[i].span;
            if self.used_cue.contains(&i)
                || self.out.iter().any(|(q, _)| q.content.start <= at.start && at.end <= q.content.end)
            {
                i += cue.len;
                continue;
            }
            let (ss, se) = v.sentence_range(i);
            let cue_end = i + cue.len;
            let cue_span = v.span_of(i, cue_end);
            // Sentence end, without final punctuation and closing marks.
            let mut end = se;
            while end > cue_end && (v.toks[end - 1].punct || v.is_mark(end - 1)) {
                end -= 1;
            }
            if cue.frame == Frame::Prep {
                let Some(src) = self.np_right(cue_end, se) else {
                    i = cue_end;
                    continue;
                };
                let content = if i == ss || (i == ss + 1 && v.toks[ss].punct) {
                    // According to X, CONTENT.
                    let mut c = src.b;
                    while c < se && v.toks[c].s != "," {
                        c += 1;
                    }
                    (c + 1 < end).then(|| (c + 1, end))
                } else if i > ss && v.toks[i - 1].s == "," {
                    Some((ss, i - 1))
                } else {
                    Some((ss, i))
                };
                if let Some((a, b)) = content.filter(|(a, b)| b > a) {
                    self.emit_reported(a, b, cue_span, Some(src), "according-to");
                }
                i = cue_end;
                continue;
            }
            if cue.frame == Frame::Quote {
                i = cue_end;
                continue;
            }
            // A passive cue ("he had been criticised", "was told") names its target, not
            // its source.
            let passive = i > ss
                && v.toks[i].low.ends_with("ed")
                && (ss..i)
                    .rev()
                    .take(2)
                    .any(|k| matches!(v.toks[k].low.as_str(), "be" | "been" | "being" | "was" | "were" | "is" | "are"));
            if passive {
                i = cue_end;
                continue;
            }
            // Negated cues ("did not say") report nothing.
            let negated = i > ss
                && (ss..i).rev().take(3).any(|k| matches!(v.toks[k].low.as_str(), "not" | "n’t" | "n't" | "never"));
            if negated {
                i = cue_end;
                continue;
            }
            // ", said one GOP source in the room." comes before a source found on the left.
            if i > ss && v.toks[i - 1].s == "," && cue.frame != Frame::Object {
                if let Some(s) = self.np_right(cue_end, se) {
                    let after = self.skip_appositive(self.skip_parenthetical(s.b, se), se);
                    if self.only_adverbials(after, end) {
                        if !self.content_is_used_quote(ss, i - 1) {
                            self.emit_reported(ss, i - 1, cue_span, Some(s), "content-cue-source");
                        }
                        i = cue_end;
                        continue;
                    }
                }
            }
            let src_left = self.np_left(i, ss, true);
            // CONTENT, SOURCE CUE [adverbials].   or   CONTENT, SOURCE CUE [adverbials], CONTENT.
            if let Some(s) = src_left.filter(|_| cue.frame != Frame::Object) {
                if s.a > ss && v.toks[s.a - 1].s == "," {
                    let before = s.a - 1;
                    if self.only_adverbials(cue_end, end) {
                        if before > ss && !self.content_is_used_quote(ss, before) {
                            self.emit_reported(ss, before, cue_span, Some(s), "content-source-cue");
                        }
                        i = cue_end;
                        continue;
                    }
                    // "Acts of protest, Mr. Obama said, are acts of patriotism."
                    if let Some(comma) = (cue_end..end.min(cue_end + 7)).find(|&k| v.toks[k].s == ",") {
                        if self.only_adverbials(cue_end, comma) && comma + 1 < end {
                            self.emit_split(ss, before, comma + 1, end, cue_span, s);
                            i = cue_end;
                            continue;
                        }
                    }
                }
            }
            // SOURCE CUE [adverbials] [that] CONTENT
            let Some(src) = src_left else {
                i = cue_end;
                continue;
            };
            if let Some(start) = self.clause_after(i, cue, se) {
                // The content runs to the sentence end, or to the end of a quotation that
                // opens in it and closes later; an object-frame content ("agreed to meet
                // Putin, even if…") to the clause's first comma.
                let mut stop = end;
                if cue.frame == Frame::Object {
                    if let Some(c) =
                        (start..end).find(|&k| matches!(v.toks[k].s, "," | ";" | ":") && v.quote_at[k].is_none())
                    {
                        stop = c;
                    }
                }
                let mut content_end = if stop > start { Some(v.span_of(start, stop).end) } else { None };
                if let Some(qi) = (start..se).find_map(|k| v.quote_at[k]) {
                    let q = &v.quotations[qi];
                    if q.inner.end > v.toks[se - 1].span.end {
                        content_end = Some(q.inner.end);
                        stop = v.toks.partition_point(|t| t.span.start < q.inner.end);
                    }
                }
                if let Some(ce) = content_end {
                    let content =
                        trim(v.text, Span { start: v.toks[start].span.start, end: ce }, &[' ', '\n', ',', '.']);
                    if content.end > content.start {
                        self.emit_reported_span(start, stop, content, cue_span, Some(src), "source-cue-content");
                    }
                }
            }
            i = cue_end;
        }
    }

    /// After the cue: adverbials and an object of "told", then "that" or ":" or a clause
    /// start; returns the content's first token.
    fn clause_after(&self, i: usize, cue: Cue, se: usize) -> Option<usize> {
        let v = self.v;
        let mut k = i + cue.len;
        // A "that" within a short adverbial or object stretch: "said in an assessment on
        // Thursday that", "told reporters that".
        let is_tell =
            matches!(v.toks[i].low.as_str(), "told" | "tell" | "tells" | "telling" | "warned" | "assured" | "informed");
        if k < se {
            let starts_adverbial = PREPOSITIONS.contains(&v.toks[k].low.as_str()) || is_tell;
            if starts_adverbial {
                for j in k..se.min(k + 12) {
                    let t = &v.toks[j];
                    if t.low == "that" {
                        return (j + 1 < se).then_some(j + 1);
                    }
                    if (t.punct && t.s != "’s" && t.s != "-") || self.cue_at(j).is_some() {
                        break;
                    }
                }
            }
        }
        if k < se && matches!(v.toks[k].s, ":" | ",") {
            k += 1;
        }
        if k < se && v.toks[k].low == "that" {
            return (k + 1 < se).then_some(k + 1);
        }
        if k < se && v.quote_at[k].is_some() {
            return Some(k);
        }
        if k < se && v.is_mark(k) && k + 1 < se {
            return Some(k + 1);
        }
        if cue.frame == Frame::Object {
            return (k < se && !v.toks[k].punct).then_some(k);
        }
        if cue.frame != Frame::Clause {
            return None;
        }
        // A time adverbial: "said on Friday he…", "said Tuesday the…".
        if k < se && (PREPOSITIONS.contains(&v.toks[k].low.as_str()) || TIME_WORDS.contains(&v.toks[k].low.as_str())) {
            let mut j = k;
            while j < se.min(k + 4) && !TIME_WORDS.contains(&v.toks[j].low.as_str()) {
                j += 1;
            }
            if j < se && TIME_WORDS.contains(&v.toks[j].low.as_str()) {
                k = j + 1;
                if k < se && v.toks[k].s == "," {
                    k += 1;
                }
            }
        }
        // An object of "told": a mention or one or two words ("told reporters he…").
        if is_tell && k < se {
            if let Some((_, b)) = v.mention_range(k) {
                k = b;
            } else if !CLAUSE_START.contains(&v.toks[k].low.as_str()) || v.toks[k].low == "the" {
                let mut j = k;
                while j < se.min(k + 3) && !PRONOUNS.contains(&v.toks[j].low.as_str()) {
                    j += 1;
                }
                k = j;
            }
        }
        if k >= se {
            return None;
        }
        let t = &v.toks[k];
        let starts = CLAUSE_START.contains(&t.low.as_str())
            || (t.cap && !t.punct)
            || v.mention(k).is_some()
            || t.s.chars().next().is_some_and(|c| c.is_ascii_digit());
        starts.then_some(k)
    }

    /// Whether tokens `a..b` are only a short adverbial ("on Friday", "in a statement").
    fn only_adverbials(&self, a: usize, b: usize) -> bool {
        if a >= b {
            return true;
        }
        let v = self.v;
        b - a <= 6
            && PREPOSITIONS.contains(&v.toks[a].low.as_str())
            && (a..b).all(|k| !v.toks[k].punct || v.toks[k].s == "-")
            || (b - a <= 2 && (a..b).all(|k| TIME_WORDS.contains(&v.toks[k].low.as_str())))
    }

    /// Skips a parenthetical right after a name: "Rep. Gwen Moore (D-Wis.) said".
    fn skip_parenthetical(&self, b: usize, limit: usize) -> usize {
        let v = self.v;
        if b < limit && v.toks[b].s == "(" {
            if let Some(k) = (b + 1..limit.min(b + 8)).find(|&k| v.toks[k].s == ")") {
                return k + 1;
            }
        }
        b
    }

    /// Skips ", an appositive" after a source named at the end of a sentence.
    fn skip_appositive(&self, b: usize, se: usize) -> usize {
        let v = self.v;
        if b < se && v.toks[b].s == "," {
            let mut k = b + 1;
            while k < se && !matches!(v.toks[k].s, "," | "." | ";" | "?" | "!") && !v.is_mark(k) {
                k += 1;
            }
            return k;
        }
        b
    }

    /// Whether the stretch is a quotation a direct frame already took.
    fn content_is_used_quote(&self, a: usize, b: usize) -> bool {
        (a..b).any(|k| self.v.quote_at[k].is_some_and(|q| self.used_q[q]))
    }

    fn emit_reported(&mut self, a: usize, b: usize, cue: Span, src: Option<Src>, rule: &str) {
        let content = trim(self.v.text, self.v.span_of(a, b), &[' ', '\n', ',', '.']);
        if content.end > content.start {
            self.emit_reported_span(a, b, content, cue, src, rule);
        }
    }

    /// Emits reported speech interrupted by its frame: tokens `a..b` and `c..d` (the
    /// first may be empty: "But, he said, …").
    fn emit_split(&mut self, a: usize, b: usize, c: usize, d: usize, cue: Span, src: Src) {
        let v = self.v;
        let strip = [' ', '\n', ',', '.'];
        let second = trim(v.text, v.span_of(c, d), &strip);
        // A first piece of a word or two ("But", "And so") is a connective, not content.
        let words = (a..b).filter(|&k| !v.toks[k].punct).count();
        let first = (b > a && words > 2).then(|| trim(v.text, v.span_of(a, b), &strip));
        if self.content_is_used_quote(a, d) || second.end <= second.start {
            return;
        }
        let start = first.map_or(second.start, |f| f.start);
        self.emit_reported_span(
            if first.is_some() { a } else { c },
            d,
            Span { start, end: second.end },
            cue,
            Some(src),
            "content-source-cue-content",
        );
        if let Some(f) = first {
            let q = &mut self.out.last_mut().expect("just pushed").0;
            if q.kind == QuoteKind::Indirect {
                q.parts = vec![f, second];
            }
        }
    }

    /// Emits reported speech, typed by the quotations inside it.
    fn emit_reported_span(&mut self, a: usize, b: usize, content: Span, cue: Span, src: Option<Src>, rule: &str) {
        let v = self.v;
        let inside: Vec<usize> = {
            let mut qs: Vec<usize> = (a..b).filter_map(|k| v.quote_at[k]).collect();
            qs.dedup();
            qs
        };
        if inside.iter().any(|&q| self.used_q[q]) {
            return;
        }
        let quoted: u32 = inside.iter().map(|&q| overlap(v.quotations[q].inner, content)).sum();
        let unquoted_words = {
            let mut words = 0;
            for k in a..b {
                if v.quote_at[k].is_none() && !v.toks[k].punct && !v.is_mark(k) {
                    words += 1;
                }
            }
            words
        };
        let (kind, content, parts) = if inside.len() == 1 && unquoted_words == 0 {
            (QuoteKind::Direct, self.quoted_content(&v.quotations[inside[0]]), Vec::new())
        } else if inside.is_empty() {
            (QuoteKind::Indirect, content, Vec::new())
        } else {
            // Keep the closing mark of a quotation the content ends in.
            let mut content = content;
            if let Some(close) =
                inside.iter().filter_map(|&q| v.quotations[q].close).find(|&c| c > content.end && c <= content.end + 8)
            {
                content.end = close;
            }
            let kind = if quoted * 2 >= content.len() as u32 { QuoteKind::Mixed } else { QuoteKind::Partial };
            (kind, content, Vec::new())
        };
        for q in &inside {
            self.used_q[*q] = true;
        }
        let conf = if kind == QuoteKind::Indirect { 0.75 } else { 0.85 };
        self.push(content, parts, (Some(cue), src), kind, conf, rule);
        // Quoted words given to the person named right before them ("said the Xi
        // “expressed support…”"): that person speaks, the cue's source reports.
        if kind != QuoteKind::Direct {
            if let Some(&q0) = inside.first() {
                let (open, _) = v.quote_bounds(&v.quotations[q0]);
                let starts_lower =
                    v.text[v.quotations[q0].inner.start as usize..].chars().next().is_some_and(char::is_lowercase);
                if open > a && starts_lower {
                    if let Some(m) =
                        v.mention(open - 1).filter(|m| matches!(m.kind, EntityType::Person | EntityType::Organization))
                    {
                        self.out.last_mut().expect("just pushed").1 = m.entity;
                    }
                }
            }
        }
    }

    /// Quotations that sit next to a direct quote in its paragraph, with nothing but
    /// spaces and the frame between, continue it: “A,” said X. “B.” / “A.” “B,” he said.
    fn continuations(&mut self) {
        let v = self.v;
        let cues = self.cues;
        for k in 0..self.out.len() {
            let q = &self.out[k].0;
            if q.kind != QuoteKind::Direct || q.source.is_none() {
                continue;
            }
            let mut pieces: Vec<Span> = if q.parts.is_empty() { vec![q.content] } else { q.parts.clone() };
            // The quote's stretch with its frame.
            let frame = [Some(q.content), q.cue, q.source].into_iter().flatten();
            let (mut lo, mut hi) = frame.fold((u32::MAX, 0), |(a, b), s| (a.min(s.start), b.max(s.end)));
            let para = |at: u32| v.doc.layers.paragraphs.partition_point(|p| p.span.start <= at);
            let home = para(q.content.start);
            let blank = |a: u32, b: u32| {
                a <= b
                    && v.text[a as usize..b as usize]
                        .trim_matches(|c: char| {
                            c.is_whitespace() || matches!(c, '.' | ',' | ';' | '”' | '"' | '“' | '»' | '«' | '\'')
                        })
                        .is_empty()
            };
            // Nothing between but spaces, or the rest of the frame's sentence ("“A,” said
            // X (D-N.C.), head of the caucus. “B.”"), the next quotation opening a sentence.
            let gap_ok = |a: u32, b: u32| {
                if blank(a, b) {
                    return true;
                }
                let ta = v.toks.partition_point(|t| t.span.end < a).min(v.toks.len().saturating_sub(1));
                let tb = v.toks.partition_point(|t| t.span.start < b);
                a <= b
                    && tb < v.toks.len()
                    && v.toks[tb].sent == v.toks[ta].sent + 1
                    && v.sentence_range(tb).0 == tb
                    && (ta + 1..tb).all(|k| cue_at(v, cues, k).is_none() && v.quote_at[k].is_none())
            };
            let mut changed = false;
            // Forward.
            for (qi, next) in v.quotations.iter().enumerate() {
                if self.used_q[qi] || next.open < hi || para(next.open) != home {
                    continue;
                }
                if !gap_ok(hi, next.open) {
                    break;
                }
                self.used_q[qi] = true;
                pieces.push(self.quoted_content(next));
                hi = next.outer().end;
                changed = true;
            }
            // Backward.
            for (qi, prev) in v.quotations.iter().enumerate().rev() {
                let end = prev.outer().end;
                if self.used_q[qi] || end > lo || para(prev.open) != home {
                    continue;
                }
                if !gap_ok(end, lo) {
                    break;
                }
                self.used_q[qi] = true;
                pieces.insert(0, self.quoted_content(prev));
                lo = prev.open;
                changed = true;
            }
            if changed {
                let q = &mut self.out[k].0;
                q.content = Span { start: pieces[0].start, end: pieces[pieces.len() - 1].end };
                q.parts = pieces;
                q.evidence.push("quotations next to it in the paragraph continue it".into());
            }
        }
    }

    /// Step 4: quotations no frame took that read as speech.
    fn standalone(&mut self) {
        let v = self.v;
        for (qi, q) in v.quotations.iter().enumerate() {
            if self.used_q[qi] {
                continue;
            }
            let inner = &v.text[q.inner.start as usize..q.inner.end as usize];
            let sentence_like = inner.chars().next().is_some_and(char::is_uppercase)
                && inner.split_whitespace().count() >= 4
                && inner.trim_end().ends_with(['.', '?', '!', ',', '…']);
            if !sentence_like {
                continue;
            }
            self.used_q[qi] = true;
            let parts = q.pieces.iter().map(|p| trim(v.text, *p, &[',', ' ', '\n'])).collect();
            self.push(self.quoted_content(q), parts, (None, None), QuoteKind::Direct, 0.5, "standalone-quotation");
        }
    }

    /// Speakers: from the source's mentions, pronouns and text nouns; standalone
    /// quotations continue the previous quote's speaker.
    fn resolve_speakers(&mut self) {
        let v = self.v;
        self.out.sort_by_key(|(q, _)| q.content.start);
        let ents = &v.doc.layers.entities;
        let mut prev: Option<(u32, u32)> = None; // (speaker, paragraph of the quote's end)
        for qi in 0..self.out.len() {
            let (q, embedded) = &self.out[qi];
            let embedded = *embedded;
            let para = v.para_of_tok(
                v.tok_range(Span { start: q.content.end.saturating_sub(1), end: q.content.end })
                    .0
                    .min(v.toks.len().saturating_sub(1)),
            );
            let qpara = v.para_of_tok(v.tok_range(q.content).0.min(v.toks.len().saturating_sub(1)));
            let recent = |prev: Option<(u32, u32)>| prev.filter(|&(_, p)| qpara <= p + 2).map(|(s, _)| s);
            let mut evidence = Vec::new();
            let mut speaker = None;
            if let Some(src) = q.source {
                let (a, b) = v.tok_range(src);
                // The best mention inside the source, the rightmost among equals (the head).
                let best = (a..b)
                    .filter_map(|t| v.mention(t))
                    .filter(|m| m.entity.is_some())
                    .max_by_key(|m| (rank(m.kind), m.span.start));
                let word = v.toks.get(b.saturating_sub(1)).map(|t| t.low.as_str()).unwrap_or("");
                if let Some(m) = best {
                    speaker = m.entity;
                    let how = m.link.as_ref().map(|l| l.method.as_str()).unwrap_or("mention");
                    evidence
                        .push(format!("speaker: {:?} ({how})", &v.text[m.span.start as usize..m.span.end as usize]));
                } else if matches!(word, "he" | "she" | "i") && b == a + 1 {
                    let person = |e: u32| {
                        ents.get(e as usize).is_some_and(|e| matches!(e.kind, EntityType::Person | EntityType::Misc))
                    };
                    if let Some(s) = recent(prev).filter(|&s| person(s)) {
                        speaker = Some(s);
                        evidence.push("speaker: the pronoun continues the previous quote's speaker".into());
                    } else if let Some(m) = v
                        .doc
                        .layers
                        .mentions
                        .iter()
                        .rev()
                        .take_while(|m| v.para_of_tok(v.tok_range(m.span).0) + 1 >= qpara)
                        .find(|m| m.span.end <= src.start && m.kind == EntityType::Person && m.entity.is_some())
                    {
                        speaker = m.entity;
                        evidence
                            .push("speaker: the nearest person before the pronoun (same or previous paragraph)".into());
                    }
                } else if matches!(word, "who" | "which") && b == a + 1 {
                    // The antecedent: the name right before ("Mr. Schultz, who said…").
                    let before =
                        (a.saturating_sub(3)..a).rev().find_map(|k| v.mention(k).filter(|m| m.entity.is_some()));
                    if let Some(m) = before {
                        speaker = m.entity;
                        evidence.push(format!(
                            "speaker: {word:?} refers to {:?}",
                            &v.text[m.span.start as usize..m.span.end as usize]
                        ));
                    }
                } else if TEXT_NOUNS.contains(&word) || matches!(word, "they" | "we") {
                    if let Some(s) = recent(prev) {
                        speaker = Some(s);
                        evidence.push(format!("speaker: {word:?} refers to the previous quote's source"));
                    }
                }
            } else if q.evidence.iter().any(|e| e == "rule:standalone-quotation") {
                if let Some(s) = recent(prev) {
                    speaker = Some(s);
                    evidence.push("speaker: continues the previous quote".into());
                }
            }
            let q = &mut self.out[qi].0;
            if let Some(e) = embedded.filter(|&e| Some(e) != speaker) {
                q.reported_by = speaker;
                speaker = Some(e);
                evidence.push(format!(
                    "speaker: the quoted words belong to {:?}, reported by the source",
                    ents.get(e as usize).map(|x| x.name.as_str()).unwrap_or("?")
                ));
            }
            q.speaker = speaker;
            q.evidence.extend(evidence);
            if let Some(s) = speaker {
                prev = Some((s, para));
            }
        }
    }
}

/// The cue starting at token `i` (outside quotations).
fn cue_at(v: &View, cues: &Cues, i: usize) -> Option<Cue> {
    if i >= v.toks.len() || v.toks[i].punct || v.quote_at[i].is_some() {
        return None;
    }
    let mut words = [""; 3];
    let n = (v.toks.len() - i).min(3);
    for (j, w) in words.iter_mut().enumerate().take(n) {
        *w = v.toks[i + j].low.as_str();
    }
    cues.at(&words[..n])
}

fn overlap(a: Span, b: Span) -> u32 {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// Trims characters from both ends of a span (and trailing ones in `chars`).
fn trim(text: &str, span: Span, chars: &[char]) -> Span {
    let s = &text[span.start as usize..span.end as usize];
    let t = s.trim_start();
    let start = span.start as usize + (s.len() - t.len());
    let t = t.trim_end_matches(|c: char| chars.contains(&c) || c.is_whitespace());
    Span::new(start, start + t.len())
}
