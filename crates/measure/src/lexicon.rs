//! The word data: count types (`data/counts.tsv`) and amount words (`data/words.tsv`).
use crate::Tok;
use std::collections::{HashMap, HashSet};

/// Where a count-type form stands relative to the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The counted words themselves: "deaths", "protesters".
    Object,
    /// A verb after the counted words: "were killed".
    After,
    /// Words before the number: "killing", "death toll".
    Before,
    /// The counted words say what kind of thing is counted ("troops"); weakest.
    Class,
}

impl Position {
    pub fn name(self) -> &'static str {
        match self {
            Position::Object => "object",
            Position::After => "after",
            Position::Before => "before",
            Position::Class => "class",
        }
    }
}

/// One line of `counts.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRule {
    /// GKG count type: `KILL`, `WOUND`, …
    pub kind: String,
    pub position: Position,
    /// 1-based line in the data file.
    pub line: usize,
}

type Forms = HashMap<String, Vec<(Vec<String>, usize)>>;

/// Count types and amount words, compiled for lookup.
#[derive(Debug, Default)]
pub struct Lexicon {
    rules: Vec<CountRule>,
    /// Per position: first word → (all words, rule index), in file order.
    forms: [Forms; 4],
    currency_signs: HashMap<String, String>,
    currency_words: Forms,
    currency_codes: Vec<String>,
    units: HashSet<String>,
    heads: HashSet<String>,
    stop: HashSet<String>,
    skip: HashSet<String>,
}

fn slot(p: Position) -> usize {
    match p {
        Position::Object => 0,
        Position::After => 1,
        Position::Before => 2,
        Position::Class => 3,
    }
}

impl Lexicon {
    /// The shipped data files.
    pub fn builtin() -> Lexicon {
        Lexicon::parse(include_str!("../data/counts.tsv"), include_str!("../data/words.tsv"))
    }

    /// Reads both files; `#` comments and malformed lines are skipped.
    pub fn parse(counts: &str, words: &str) -> Lexicon {
        let mut lex = Lexicon::default();
        for (n, line) in counts.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            if line.starts_with('#') || f.len() < 3 {
                continue;
            }
            let position = match f[1] {
                "object" => Position::Object,
                "after" => Position::After,
                "before" => Position::Before,
                "class" => Position::Class,
                _ => continue,
            };
            let r = lex.rules.len();
            lex.rules.push(CountRule { kind: f[0].to_string(), position, line: n + 1 });
            for form in f[2].split('|') {
                let ws: Vec<String> = form.split_whitespace().map(str::to_lowercase).collect();
                if let Some(first) = ws.first() {
                    lex.forms[slot(position)].entry(first.clone()).or_default().push((ws, r));
                }
            }
        }
        for line in words.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if line.starts_with('#') || f.len() < 3 {
                continue;
            }
            for form in f[2].split('|').map(str::to_lowercase) {
                match f[0] {
                    "currency" => {
                        let ws: Vec<String> = form.split_whitespace().map(String::from).collect();
                        if form.chars().any(|c| c.is_alphabetic()) && !form.ends_with('$') {
                            let code = lex.currency_codes.len();
                            if let Some(first) = ws.first() {
                                lex.currency_words.entry(first.clone()).or_default().push((ws, code));
                                lex.currency_codes.push(f[1].to_string());
                            }
                        } else {
                            lex.currency_signs.insert(form, f[1].to_string());
                        }
                    }
                    "unit" => {
                        if let Some(first) = form.split_whitespace().next() {
                            lex.units.insert(first.to_string());
                        }
                    }
                    "head" => {
                        lex.heads.insert(form);
                    }
                    "stop" => {
                        lex.stop.insert(form);
                    }
                    "skip" => {
                        lex.skip.insert(form);
                    }
                    _ => {}
                }
            }
        }
        lex
    }

    pub fn rules(&self) -> &[CountRule] {
        &self.rules
    }

    pub(crate) fn currency_sign(&self, s: &str) -> Option<&str> {
        self.currency_signs.get(s).map(String::as_str)
    }

    /// A currency word at token `k` ("dollars", "U.S. dollars"): its code and length.
    pub(crate) fn currency_word(&self, toks: &[Tok], k: usize, sent: u32) -> Option<(&str, usize)> {
        let cands = self.currency_words.get(&*toks.get(k)?.lower)?;
        cands
            .iter()
            .filter(|(ws, _)| matches(toks, k, ws, sent))
            .max_by_key(|(ws, _)| ws.len())
            .map(|(ws, code)| (self.currency_codes[*code].as_str(), ws.len()))
    }

    pub(crate) fn is_unit(&self, w: &str) -> bool {
        self.units.contains(w)
    }
    pub(crate) fn is_head(&self, w: &str) -> bool {
        self.heads.contains(w)
    }
    pub(crate) fn is_stop(&self, w: &str) -> bool {
        self.stop.contains(w)
    }
    pub(crate) fn is_skip(&self, w: &str) -> bool {
        self.skip.contains(w)
    }

    /// The first rule (file order) of `position` with a form starting at a token in
    /// `from..to`; returns the rule and the tokens it covers.
    pub(crate) fn find(
        &self,
        position: Position,
        toks: &[Tok],
        from: usize,
        to: usize,
        sent: u32,
    ) -> Option<(&CountRule, usize, usize)> {
        let mut best: Option<(usize, usize, usize)> = None;
        for k in from..to.min(toks.len()) {
            let Some(cands) = self.forms[slot(position)].get(&*toks[k].lower) else { continue };
            for (ws, r) in cands {
                if matches(toks, k, ws, sent) && best.is_none_or(|(b, _, _)| *r < b) {
                    best = Some((*r, k, k + ws.len()));
                }
            }
        }
        best.map(|(r, s, e)| (&self.rules[r], s, e))
    }

    /// A `before` form in `from..to` that ends by `to`, the one nearest `to` first.
    pub(crate) fn find_ending(
        &self,
        toks: &[Tok],
        from: usize,
        to: usize,
        sent: u32,
    ) -> Option<(&CountRule, usize, usize)> {
        for k in (from..to).rev() {
            let Some(cands) = self.forms[slot(Position::Before)].get(&*toks[k].lower) else { continue };
            if let Some((ws, r)) = cands
                .iter()
                .filter(|(ws, _)| k + ws.len() <= to && matches(toks, k, ws, sent))
                .max_by_key(|(ws, _)| ws.len())
            {
                return Some((&self.rules[*r], k, k + ws.len()));
            }
        }
        None
    }
}

/// Whether the words `ws` stand at tokens `k..` of one sentence.
fn matches(toks: &[Tok], k: usize, ws: &[String], sent: u32) -> bool {
    ws.iter().enumerate().all(|(n, w)| toks.get(k + n).is_some_and(|t| t.sentence == sent && t.lower == w.as_str()))
}
