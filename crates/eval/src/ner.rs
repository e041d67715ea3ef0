//! Named-entity scoring with `conlleval` semantics: exact-span chunks, precision, recall
//! and F1 per type and overall (micro-averaged over chunks).
//!
//! Chunks are `(start, end, type)` triples per sentence; a predicted chunk is correct when
//! a gold chunk of the same sentence has the same start, end and type.
//!
//! ```
//! use newsgraph_eval::ner::{NerScorer, Span};
//! let mut s = NerScorer::default();
//! s.add(&[Span::new(0, 2, "PER")], &[Span::new(0, 2, "PER"), Span::new(3, 4, "LOC")]);
//! let r = s.report();
//! assert_eq!((r.overall.precision, r.overall.recall), (0.5, 1.0));
//! ```
use crate::score::{f1, ratio};
use serde::Serialize;
use std::collections::BTreeMap;

/// A chunk: tokens `start..end` of one sentence, of type `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

impl Span {
    pub fn new(start: usize, end: usize, kind: &str) -> Span {
        Span { start, end, kind: kind.to_string() }
    }
}

/// Counts of one type (or of all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

/// Accumulates counts sentence by sentence.
#[derive(Debug, Clone, Default)]
pub struct NerScorer {
    per_type: BTreeMap<String, Counts>,
    total: Counts,
    sentences: usize,
    tokens: usize,
}

/// Scores of one type.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypeScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl From<Counts> for TypeScores {
    fn from(c: Counts) -> Self {
        TypeScores {
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
            gold: c.gold,
            predicted: c.predicted,
            correct: c.correct,
        }
    }
}

/// The result: overall figures at the top level, per type nested.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NerReport {
    /// Overall figures (serialized at the top level: `precision`, `recall`, `f1`, …).
    #[serde(flatten)]
    pub overall: TypeScores,
    pub sentences: usize,
    pub tokens: usize,
    pub types: BTreeMap<String, TypeScores>,
}

impl NerScorer {
    /// Adds one sentence's gold and predicted chunks (duplicates count once).
    pub fn add(&mut self, gold: &[Span], pred: &[Span]) {
        self.add_tokens(gold, pred, 0);
    }

    /// As [`NerScorer::add`], also counting the sentence's tokens.
    pub fn add_tokens(&mut self, gold: &[Span], pred: &[Span], tokens: usize) {
        let mut g: Vec<&Span> = gold.iter().collect();
        g.sort();
        g.dedup();
        let mut p: Vec<&Span> = pred.iter().collect();
        p.sort();
        p.dedup();
        for s in &g {
            self.per_type.entry(s.kind.clone()).or_default().gold += 1;
            self.total.gold += 1;
        }
        for s in &p {
            self.per_type.entry(s.kind.clone()).or_default().predicted += 1;
            self.total.predicted += 1;
            if g.binary_search(s).is_ok() {
                self.per_type.entry(s.kind.clone()).or_default().correct += 1;
                self.total.correct += 1;
            }
        }
        self.sentences += 1;
        self.tokens += tokens;
    }

    pub fn report(&self) -> NerReport {
        let t = self.total;
        NerReport {
            overall: t.into(),
            sentences: self.sentences,
            tokens: self.tokens,
            types: self.per_type.iter().map(|(k, c)| (k.clone(), TypeScores::from(*c))).collect(),
        }
    }
}

impl NerReport {
    /// A plain-text table (one row per type, then the overall row).
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<10} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
            "type", "precision", "recall", "F1", "gold", "pred", "correct"
        );
        let rows = self.types.iter().map(|(k, t)| (k.as_str(), t)).chain([("overall", &self.overall)]);
        for (k, t) in rows {
            let _ = writeln!(
                s,
                "{:<10} {:>9.4} {:>9.4} {:>9.4} {:>7} {:>7} {:>7}",
                k, t.precision, t.recall, t.f1, t.gold, t.predicted, t.correct
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(v: &[(usize, usize, &str)]) -> Vec<Span> {
        v.iter().map(|&(a, b, k)| Span::new(a, b, k)).collect()
    }

    #[test]
    fn scorer_table() {
        // (gold, predicted, expected correct, precision, recall)
        type Case<'a> = (&'a [(usize, usize, &'a str)], &'a [(usize, usize, &'a str)], usize, f64, f64);
        let cases: &[Case] = &[
            (&[(0, 2, "PER")], &[(0, 2, "PER")], 1, 1.0, 1.0),
            // Boundary error: no partial credit.
            (&[(0, 2, "PER")], &[(0, 1, "PER")], 0, 0.0, 0.0),
            // Type error: no credit.
            (&[(0, 2, "PER")], &[(0, 2, "ORG")], 0, 0.0, 0.0),
            // Nothing predicted: precision is 0 by convention (conlleval prints 0.00).
            (&[(0, 2, "PER")], &[], 0, 0.0, 0.0),
            // Nothing to find, nothing found.
            (&[], &[], 0, 0.0, 0.0),
            (&[(0, 1, "LOC"), (2, 3, "LOC")], &[(0, 1, "LOC")], 1, 1.0, 0.5),
            // Duplicates count once.
            (&[(0, 1, "LOC")], &[(0, 1, "LOC"), (0, 1, "LOC")], 1, 1.0, 1.0),
        ];
        for (g, p, correct, prec, rec) in cases {
            let mut s = NerScorer::default();
            s.add(&sp(g), &sp(p));
            let r = s.report().overall;
            assert_eq!(r.correct, *correct, "{g:?} {p:?}");
            assert_eq!((r.precision, r.recall), (*prec, *rec), "{g:?} {p:?}");
        }
    }

    #[test]
    fn sentences_are_separate_and_types_split() {
        let mut s = NerScorer::default();
        s.add(&sp(&[(0, 1, "PER")]), &sp(&[]));
        s.add(&sp(&[]), &sp(&[(0, 1, "PER")]));
        s.add(&sp(&[(1, 3, "ORG")]), &sp(&[(1, 3, "ORG")]));
        let r = s.report();
        let o = &r.overall;
        assert_eq!((o.gold, o.predicted, o.correct), (2, 2, 1));
        assert_eq!(o.f1, 0.5);
        assert_eq!(r.types["PER"].f1, 0.0);
        assert_eq!(r.types["ORG"].f1, 1.0);
        assert_eq!(r.sentences, 3);
        assert!(r.table().contains("overall"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["f1"], 0.5);
        assert_eq!(json["types"]["ORG"]["precision"], 1.0);
    }
}
