//! TimeML reading and TempEval-3 time-expression scoring.
//!
//! [`parse_tml`] turns a TimeML `.tml` file into plain text (the `<TEXT>` element with
//! its tags removed and entities decoded), the gold `TIMEX3`s of the body as byte spans of
//! that text, and the document creation time (the `TIMEX3` with
//! `functionInDocument="CREATION_TIME"`). [`score`] computes TempEval-3's measures:
//! strict and relaxed (any overlap) extent P/R/F1, type and value accuracy over the
//! relaxed-matched pairs, and attribute F1 = relaxed F1 × attribute accuracy.
//!
//! ```
//! use newsgraph_eval::timex::{parse_tml, score, Predicted};
//! let doc = parse_tml(r#"<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1998-02-06" functionInDocument="CREATION_TIME">02/06/1998</TIMEX3></DCT>
//! <TEXT>He left <TIMEX3 tid="t1" type="DATE" value="1998-02-05">yesterday</TIMEX3>.</TEXT></TimeML>"#).unwrap();
//! assert_eq!(doc.dct.as_deref(), Some("1998-02-06"));
//! assert_eq!(&doc.text[doc.timexes[0].start..doc.timexes[0].end], "yesterday");
//! let p = Predicted { start: doc.timexes[0].start, end: doc.timexes[0].end, kind: "DATE".into(), value: "1998-02-05".into() };
//! let r = score(&[(doc.timexes.clone(), vec![p])]);
//! assert_eq!((r.strict_f1, r.value_f1), (1.0, 1.0));
//! ```
use crate::score::{f1, ratio};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One gold TIMEX3 of a TimeML body; offsets are bytes of [`TmlDoc::text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldTimex {
    pub start: usize,
    pub end: usize,
    pub tid: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    pub modifier: Option<String>,
}

/// A parsed TimeML document.
#[derive(Debug, Clone)]
pub struct TmlDoc {
    /// The body text: `<TEXT>` with markup removed and entities decoded.
    pub text: String,
    /// The document creation time's value (e.g. `1998-02-06`), when present.
    pub dct: Option<String>,
    pub timexes: Vec<GoldTimex>,
}

/// A system time expression, in the same coordinates as the gold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicted {
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub value: String,
}

/// A TimeML file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TmlError {
    #[error("no <TEXT> element")]
    NoText,
    #[error("unbalanced TIMEX3 tags")]
    Unbalanced,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&pat) {
        let at = from + i;
        // A whole attribute name, not the tail of another one.
        if at == 0 || tag.as_bytes()[at - 1].is_ascii_whitespace() {
            let rest = &tag[at + pat.len()..];
            return rest.find('"').map(|j| decode(&rest[..j]));
        }
        from = at + pat.len();
    }
    None
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Parses a TimeML document.
pub fn parse_tml(src: &str) -> Result<TmlDoc, TmlError> {
    let dct = src.find("<DCT>").and_then(|i| {
        let rest = &src[i..];
        let end = rest.find("</DCT>").unwrap_or(rest.len());
        let t = rest[..end].find("<TIMEX3")?;
        let tag_end = rest[t..].find('>')? + t;
        attr(&rest[t..tag_end], "value")
    });
    let dct = dct.or_else(|| {
        let i = src.find("functionInDocument=\"CREATION_TIME\"")?;
        let t = src[..i].rfind("<TIMEX3")?;
        let tag_end = src[t..].find('>')? + t;
        attr(&src[t..tag_end], "value")
    });
    let open = src.find("<TEXT>").ok_or(TmlError::NoText)? + "<TEXT>".len();
    let close = src[open..].find("</TEXT>").map_or(src.len(), |j| open + j);
    let body = &src[open..close];
    let mut text = String::with_capacity(body.len());
    let mut timexes = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        match rest.find(['<', '&']) {
            None => {
                text.push_str(rest);
                break;
            }
            Some(i) => {
                text.push_str(&rest[..i]);
                rest = &rest[i..];
                if rest.starts_with('&') {
                    let end = rest.find(';').filter(|&j| j < 8);
                    match end {
                        Some(j) => {
                            text.push_str(&decode(&rest[..=j]));
                            rest = &rest[j + 1..];
                        }
                        None => {
                            text.push('&');
                            rest = &rest[1..];
                        }
                    }
                    continue;
                }
                let Some(j) = rest.find('>') else {
                    text.push_str(rest);
                    break;
                };
                let tag = &rest[..=j];
                if tag.starts_with("<TIMEX3") {
                    stack.push((text.len(), tag.to_string()));
                } else if tag.starts_with("</TIMEX3") {
                    let (start, open_tag) = stack.pop().ok_or(TmlError::Unbalanced)?;
                    timexes.push(GoldTimex {
                        start,
                        end: text.len(),
                        tid: attr(&open_tag, "tid").unwrap_or_default(),
                        kind: attr(&open_tag, "type").unwrap_or_default(),
                        value: attr(&open_tag, "value").unwrap_or_default(),
                        modifier: attr(&open_tag, "mod"),
                    });
                }
                rest = &rest[j + 1..];
            }
        }
    }
    timexes.sort_by_key(|t| (t.start, t.end));
    Ok(TmlDoc { text, dct, timexes })
}

/// Every `.tml` file under `dir`, recursively, sorted.
pub fn find_tml(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "tml") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// TempEval-3 time-expression scores over a corpus.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TimexReport {
    pub documents: usize,
    pub gold: usize,
    pub predicted: usize,
    pub strict_matches: usize,
    pub relaxed_matches: usize,
    pub strict_precision: f64,
    pub strict_recall: f64,
    pub strict_f1: f64,
    pub relaxed_precision: f64,
    pub relaxed_recall: f64,
    pub relaxed_f1: f64,
    /// Share of relaxed-matched pairs whose type agrees.
    pub type_accuracy: f64,
    /// Share of relaxed-matched pairs whose value agrees.
    pub value_accuracy: f64,
    /// relaxed F1 × type accuracy.
    pub type_f1: f64,
    /// relaxed F1 × value accuracy.
    pub value_f1: f64,
    pub value_precision: f64,
    pub value_recall: f64,
}

/// One relaxed-matched pair whose value differs (for error reports).
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub gold: GoldTimex,
    pub predicted: Predicted,
}

/// Pairs each gold expression with at most one overlapping prediction (the first free one).
pub fn align(gold: &[GoldTimex], pred: &[Predicted]) -> Vec<(usize, usize)> {
    let mut used = vec![false; pred.len()];
    let mut pairs = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        // Prefer an exact match, then any overlap.
        let exact = pred.iter().enumerate().find(|(pi, p)| !used[*pi] && p.start == g.start && p.end == g.end);
        let any = || pred.iter().enumerate().find(|(pi, p)| !used[*pi] && p.start < g.end && g.start < p.end);
        if let Some((pi, _)) = exact.or_else(any) {
            used[pi] = true;
            pairs.push((gi, pi));
        }
    }
    pairs
}

/// Scores documents given as (gold, predicted) pairs.
pub fn score(docs: &[(Vec<GoldTimex>, Vec<Predicted>)]) -> TimexReport {
    score_with_errors(docs).0
}

/// [`score`], plus the value mismatches, the missed gold and the spurious predictions.
pub fn score_with_errors(
    docs: &[(Vec<GoldTimex>, Vec<Predicted>)],
) -> (TimexReport, Vec<Mismatch>, Vec<GoldTimex>, Vec<Predicted>) {
    let mut r = TimexReport { documents: docs.len(), ..TimexReport::default() };
    let (mut type_ok, mut value_ok) = (0, 0);
    let (mut mismatches, mut missed, mut spurious) = (Vec::new(), Vec::new(), Vec::new());
    for (gold, pred) in docs {
        r.gold += gold.len();
        r.predicted += pred.len();
        let pairs = align(gold, pred);
        r.relaxed_matches += pairs.len();
        for &(gi, pi) in &pairs {
            let (g, p) = (&gold[gi], &pred[pi]);
            r.strict_matches += usize::from(g.start == p.start && g.end == p.end);
            type_ok += usize::from(g.kind == p.kind);
            if g.value == p.value {
                value_ok += 1;
            } else {
                mismatches.push(Mismatch { gold: g.clone(), predicted: p.clone() });
            }
        }
        let gm: Vec<usize> = pairs.iter().map(|p| p.0).collect();
        let pm: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        missed.extend(gold.iter().enumerate().filter(|(i, _)| !gm.contains(i)).map(|(_, g)| g.clone()));
        spurious.extend(pred.iter().enumerate().filter(|(i, _)| !pm.contains(i)).map(|(_, p)| p.clone()));
    }
    r.strict_precision = ratio(r.strict_matches, r.predicted);
    r.strict_recall = ratio(r.strict_matches, r.gold);
    r.strict_f1 = f1(r.strict_precision, r.strict_recall);
    r.relaxed_precision = ratio(r.relaxed_matches, r.predicted);
    r.relaxed_recall = ratio(r.relaxed_matches, r.gold);
    r.relaxed_f1 = f1(r.relaxed_precision, r.relaxed_recall);
    r.type_accuracy = ratio(type_ok, r.relaxed_matches);
    r.value_accuracy = ratio(value_ok, r.relaxed_matches);
    r.type_f1 = r.relaxed_f1 * r.type_accuracy;
    r.value_f1 = r.relaxed_f1 * r.value_accuracy;
    r.value_precision = r.relaxed_precision * r.value_accuracy;
    r.value_recall = r.relaxed_recall * r.value_accuracy;
    (r, mismatches, missed, spurious)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entities_nested_tags_and_dct() {
        let d = parse_tml(
            "<DCT><TIMEX3 tid=\"t0\" type=\"DATE\" value=\"1989-10-30\" functionInDocument=\"CREATION_TIME\">10/30/89</TIMEX3></DCT>\
             <TEXT>A &amp; B <EVENT eid=\"e1\">said</EVENT> <TIMEX3 tid=\"t1\" type=\"DURATION\" value=\"P3Y\" mod=\"MORE_THAN\">more than three years</TIMEX3>.</TEXT>",
        )
        .unwrap();
        assert_eq!(d.text, "A & B said more than three years.");
        assert_eq!(d.dct.as_deref(), Some("1989-10-30"));
        let t = &d.timexes[0];
        assert_eq!(&d.text[t.start..t.end], "more than three years");
        assert_eq!((t.kind.as_str(), t.value.as_str(), t.modifier.as_deref()), ("DURATION", "P3Y", Some("MORE_THAN")));
    }

    #[test]
    fn tempeval_measures() {
        let g = |s, e, v: &str| GoldTimex {
            start: s,
            end: e,
            tid: String::new(),
            kind: "DATE".into(),
            value: v.into(),
            modifier: None,
        };
        let p = |s, e, v: &str| Predicted { start: s, end: e, kind: "DATE".into(), value: v.into() };
        // Gold: two; predicted: one exact, one overlapping with a wrong value, one spurious.
        let docs = vec![(vec![g(0, 5, "A"), g(10, 20, "B")], vec![p(0, 5, "A"), p(12, 20, "X"), p(30, 31, "C")])];
        let r = score(&docs);
        assert_eq!((r.strict_matches, r.relaxed_matches), (1, 2));
        assert!((r.relaxed_precision - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.relaxed_recall, 1.0);
        assert_eq!(r.value_accuracy, 0.5);
        assert!((r.value_f1 - r.relaxed_f1 * 0.5).abs() < 1e-12);
    }
}
