//! Trigger patterns (`data/verbs.tsv`) and the lemma readings they match against.
use std::collections::HashMap;

/// One element of a pattern: the lemmas it accepts and how far it may be from the previous.
#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    pub alts: Vec<String>,
    /// `*` before it: up to [`WIDE_GAP`] tokens may come between, else [`GAP`].
    pub wide: bool,
}

/// Tokens allowed between two pattern elements.
pub const GAP: usize = 3;
/// Tokens allowed before an element written after `*`.
pub const WIDE_GAP: usize = 10;

/// A pattern: trigger head and complements → CAMEO code.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub elems: Vec<Elem>,
    pub code: String,
    pub note: String,
    /// 1-based line in the data file (for evidence).
    pub line: usize,
    /// The pattern as written.
    pub text: String,
}

/// All patterns, indexed by the lemmas of their heads.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    pub list: Vec<Pattern>,
    by_head: HashMap<String, Vec<u32>>,
}

impl Patterns {
    pub fn builtin() -> Patterns {
        Patterns::parse(include_str!("../data/verbs.tsv"))
    }

    /// Reads `pattern<TAB>code<TAB>note` lines; `#` comments; malformed lines are skipped.
    pub fn parse(src: &str) -> Patterns {
        let mut p = Patterns::default();
        for (n, line) in src.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 2 || f[1].is_empty() || !f[1].bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let mut elems = Vec::new();
            let mut wide = false;
            for w in f[0].split_whitespace() {
                if w == "*" {
                    wide = true;
                    continue;
                }
                elems.push(Elem { alts: w.split('|').map(|a| a.to_lowercase()).collect(), wide });
                wide = false;
            }
            if elems.is_empty() {
                continue;
            }
            let i = p.list.len() as u32;
            for a in &elems[0].alts {
                let v = p.by_head.entry(a.clone()).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            p.list.push(Pattern {
                elems,
                code: f[1].to_string(),
                note: f.get(2).unwrap_or(&"").to_string(),
                line: n + 1,
                text: f[0].to_string(),
            });
        }
        p
    }

    /// Patterns whose head accepts one of `readings`.
    pub fn heads<'a>(&'a self, readings: &'a [String]) -> impl Iterator<Item = u32> + 'a {
        let mut seen: Vec<u32> = Vec::new();
        readings.iter().filter_map(|r| self.by_head.get(r)).flatten().copied().filter(move |i| {
            if seen.contains(i) {
                false
            } else {
                seen.push(*i);
                true
            }
        })
    }
}

/// Irregular forms → lemma (`data/irregular.tsv`).
pub fn irregular() -> HashMap<&'static str, &'static str> {
    include_str!("../data/irregular.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

/// The possible lemmas of a lower-case word: itself, its irregular lemma, and what stripping
/// the regular endings (-s, -es, -ies, -ed, -ied, -ing, doubled consonants) leaves. Over-
/// generating is harmless: a reading only matters when a pattern lists it.
pub fn readings(w: &str, irregular: &HashMap<&'static str, &'static str>) -> Vec<String> {
    let mut out = vec![w.to_string()];
    let mut push = |s: String| {
        if s.len() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(l) = irregular.get(w) {
        push(l.to_string());
    }
    let undouble = |s: &str| -> Option<String> {
        let b = s.as_bytes();
        let n = b.len();
        (n >= 3 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b's' | b'e')).then(|| s[..n - 1].to_string())
    };
    if let Some(s) = w.strip_suffix("ies").or_else(|| w.strip_suffix("ied")) {
        push(format!("{s}y"));
    }
    if let Some(s) = w.strip_suffix("es") {
        push(s.to_string());
    }
    if let Some(s) = w.strip_suffix('s') {
        if !s.ends_with('s') {
            push(s.to_string());
        }
    }
    if let Some(s) = w.strip_suffix("ed") {
        push(s.to_string());
        push(format!("{s}e"));
        if let Some(u) = undouble(s) {
            push(u);
        }
    }
    if let Some(s) = w.strip_suffix("ing") {
        push(s.to_string());
        push(format!("{s}e"));
        if let Some(u) = undouble(s) {
            push(u);
        }
    }
    out
}

/// Sub-code refinements (`data/refine.tsv`): (parent, child, words).
pub fn refinements() -> Vec<(String, String, Vec<String>)> {
    include_str!("../data/refine.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 3).then(|| (f[0].to_string(), f[1].to_string(), f[2].split('|').map(String::from).collect()))
        })
        .collect()
}
