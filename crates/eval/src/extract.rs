//! Article-body extraction scoring, compatible with scrapinghub's `evaluate.py`.
//!
//! The metric: tokens are `\w+` runs (Unicode, case-sensitive); a text becomes a multiset
//! of 4-gram "shingles" of consecutive tokens (one shingle of all tokens if there are fewer
//! than four, none if there are no tokens). Per page, true positives are the shingles both
//! texts share (with multiplicity), false positives the surplus in the prediction, false
//! negatives the surplus in the truth; the three are normalized by their sum. Overall
//! precision and recall are means of per-page values (over pages where they are defined),
//! and F1 is the harmonic mean of those means — *not* the mean of per-page F1s.

use regex::Regex;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Why a benchmark run could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot parse ground truth {path}: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("ground truth {path} has no usable entries")]
    Empty { path: PathBuf },
}

/// Normalized per-page counts: `tp + fp + fn == 1` unless all are zero.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PageCounts {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl PageCounts {
    /// Page precision, or `None` when undefined (no predicted shingles and no errors).
    pub fn precision(&self) -> Option<f64> {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            Some(1.0)
        } else if self.tp == 0.0 && self.fp == 0.0 {
            None
        } else {
            Some(self.tp / (self.tp + self.fp))
        }
    }
    /// Page recall, or `None` when undefined.
    pub fn recall(&self) -> Option<f64> {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            Some(1.0)
        } else if self.tp == 0.0 && self.fn_ == 0.0 {
            None
        } else {
            Some(self.tp / (self.tp + self.fn_))
        }
    }
}

/// Aggregated figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub pages: usize,
}

fn word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\w+").expect("static regex"))
}

/// `\w+` tokens of `text` (Unicode word characters, case preserved).
pub fn tokenize(text: &str) -> Vec<&str> {
    word_re().find_iter(text).map(|m| m.as_str()).collect()
}

/// Multiset of 4-gram shingles (joined by a space).
pub fn shingles(text: &str) -> HashMap<String, usize> {
    let toks = tokenize(text);
    let mut out = HashMap::new();
    if toks.is_empty() {
        return out;
    }
    if toks.len() < 4 {
        out.insert(toks.join(" "), 1);
        return out;
    }
    for w in toks.windows(4) {
        *out.entry(w.join(" ")).or_insert(0) += 1;
    }
    out
}

/// Normalized (tp, fp, fn) of one page.
pub fn page_counts(truth: &str, predicted: &str) -> PageCounts {
    let t = shingles(truth);
    let p = shingles(predicted);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (k, &tc) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += tc.min(pc);
        fn_ += tc.saturating_sub(pc);
    }
    for (k, &pc) in &p {
        fp += pc.saturating_sub(t.get(k).copied().unwrap_or(0));
    }
    let sum = (tp + fp + fn_) as f64;
    if sum == 0.0 {
        return PageCounts::default();
    }
    PageCounts { tp: tp as f64 / sum, fp: fp as f64 / sum, fn_: fn_ as f64 / sum }
}

/// Means of the defined per-page precisions and recalls, and F1 of those means.
pub fn aggregate(pages: &[PageCounts]) -> Scores {
    let mean = |v: Vec<f64>| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let precision = mean(pages.iter().filter_map(|c| c.precision()).collect());
    let recall = mean(pages.iter().filter_map(|c| c.recall()).collect());
    let f1 = crate::score::f1(precision, recall);
    Scores { precision, recall, f1, pages: pages.len() }
}

/// One page's result.
#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    pub id: String,
    pub url: Option<String>,
    /// `None`-valued metrics are reported as 0 here: the page had nothing on that side.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub counts: PageCounts,
}

/// A whole benchmark run.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractReport {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub pages: usize,
    /// Per-page figures, in ground-truth id order.
    pub per_page: Vec<PageReport>,
}

impl ExtractReport {
    /// The `n` pages with the lowest F1.
    pub fn worst(&self, n: usize) -> Vec<&PageReport> {
        let mut v: Vec<&PageReport> = self.per_page.iter().collect();
        v.sort_by(|a, b| a.f1.total_cmp(&b.f1));
        v.truncate(n);
        v
    }
}

#[derive(serde::Deserialize)]
struct Truth {
    #[serde(rename = "articleBody")]
    article_body: String,
    url: Option<String>,
}

/// Loads the ground truth of a benchmark directory (id → (body, url)), sorted by id.
pub fn load_ground_truth(dir: &Path) -> Result<Vec<(String, String, Option<String>)>, EvalError> {
    let path = dir.join("ground-truth.json");
    let raw = std::fs::read(&path).map_err(|source| EvalError::Io { path: path.clone(), source })?;
    let map: HashMap<String, Truth> =
        serde_json::from_slice(&raw).map_err(|source| EvalError::Json { path: path.clone(), source })?;
    let mut v: Vec<_> = map.into_iter().map(|(id, t)| (id, t.article_body, t.url)).collect();
    if v.is_empty() {
        return Err(EvalError::Empty { path });
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(v)
}

/// Reads `html/<id>.html.gz` of a benchmark directory.
pub fn read_page(dir: &Path, id: &str) -> Result<Vec<u8>, EvalError> {
    let path = dir.join("html").join(format!("{id}.html.gz"));
    let f = std::fs::File::open(&path).map_err(|source| EvalError::Io { path: path.clone(), source })?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut out)
        .map_err(|source| EvalError::Io { path: path.clone(), source })?;
    Ok(out)
}

/// Runs `extractor` over every page of the benchmark at `dir` (which holds
/// `ground-truth.json` and `html/<id>.html.gz`) and scores it.
pub fn run_benchmark(
    dir: &Path,
    extractor: impl Fn(&[u8], Option<&str>) -> String,
) -> Result<ExtractReport, EvalError> {
    let truth = load_ground_truth(dir)?;
    let mut per_page = Vec::with_capacity(truth.len());
    let mut counts = Vec::with_capacity(truth.len());
    for (id, body, url) in truth {
        let page = read_page(dir, &id)?;
        let predicted = extractor(&page, url.as_deref());
        let c = page_counts(&body, &predicted);
        let p = c.precision().unwrap_or(0.0);
        let r = c.recall().unwrap_or(0.0);
        let f1 = crate::score::f1(p, r);
        counts.push(c);
        per_page.push(PageReport { id, url, precision: p, recall: r, f1, counts: c });
    }
    let s = aggregate(&counts);
    Ok(ExtractReport { precision: s.precision, recall: s.recall, f1: s.f1, pages: s.pages, per_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenization_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("  ...  ", &[]),
            ("Hello, world!", &["Hello", "world"]),
            ("it's", &["it", "s"]),
            ("snake_case 42x", &["snake_case", "42x"]),
            ("Größe über", &["Größe", "über"]),
            ("Case case", &["Case", "case"]),
        ];
        for (text, want) in cases {
            assert_eq!(tokenize(text), *want, "{text:?}");
        }
    }

    #[test]
    fn shingle_cases() {
        assert!(shingles("").is_empty());
        assert_eq!(shingles("a b").get("a b"), Some(&1));
        let s = shingles("a b c d e");
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("b c d e"), Some(&1));
        let s = shingles("a b c d a b c d");
        assert_eq!(s.get("a b c d"), Some(&2));
    }

    #[test]
    fn page_metric_cases() {
        // (truth, predicted, precision, recall)
        let cases: &[(&str, &str, Option<f64>, Option<f64>)] = &[
            ("one two three four five", "one two three four five", Some(1.0), Some(1.0)),
            // Punctuation, whitespace and line breaks do not matter, only \w+ tokens.
            ("one two, three four.", "one\n\ntwo three -- four", Some(1.0), Some(1.0)),
            // Case matters.
            ("one two three four", "One two three four", Some(0.0), Some(0.0)),
            ("a b c d", "w x y z", Some(0.0), Some(0.0)),
            // Both empty: perfect by definition.
            ("", "", Some(1.0), Some(1.0)),
            // Nothing predicted: precision undefined, recall 0.
            ("a b c d", "", None, Some(0.0)),
            // Nothing true: recall undefined.
            ("", "a b c d", Some(0.0), None),
            // Truth plus junk: the 8 predicted tokens give 5 shingles, 1 of them true.
            ("a b c d", "a b c d. x y z w", Some(0.2), Some(1.0)),
        ];
        for (t, p, wp, wr) in cases {
            let c = page_counts(t, p);
            assert_eq!(c.precision(), *wp, "precision {t:?} vs {p:?}");
            assert_eq!(c.recall(), *wr, "recall {t:?} vs {p:?}");
        }
    }

    #[test]
    fn aggregate_means_then_f1() {
        let pages = [page_counts("a b c d", "a b c d"), page_counts("a b c d", ""), page_counts("a b c d", "w x y z")];
        let s = aggregate(&pages);
        // precision over pages 1 and 3 (page 2 undefined): (1 + 0) / 2.
        assert!((s.precision - 0.5).abs() < 1e-12);
        // recall over all three: (1 + 0 + 0) / 3.
        assert!((s.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12);
        assert_eq!(s.pages, 3);
    }

    #[test]
    fn missing_dir_names_path() {
        let err = run_benchmark(Path::new("/nonexistent/bench"), |_, _| String::new()).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/bench/ground-truth.json"), "{err}");
    }
}
