//! Geoparsing corpora (GeoVirus, LGL, TR-News as shipped by Gritta et al.'s "Pragmatic Guide
//! to Geoparsing Evaluation") and their metrics: accuracy within 161 km, mean and median
//! error, AUC of the log error; toponym recognition P/R/F1 by span overlap.
//!
//! Formats read: `<article><text>…</text><locations><location><name/><start/><end/><lat/><lon/>`
//! (GeoVirus) and `<article><text>…</text><toponyms><toponym><start/><end/><phrase/>
//! <gaztag><lat/><lon/></gaztag>` (LGL, TR-News). Offsets in the files are character offsets,
//! some off by one or a few; each is re-aligned on its name within 20 characters, then turned
//! into byte offsets.
use crate::score::{f1, ratio};
use serde::Serialize;
use std::path::Path;

/// Half the Earth's circumference: the error given to a toponym left unresolved.
pub const MAX_ERROR_KM: f64 = 20_039.0;
/// The literature's "accuracy within 161 km" (100 miles).
pub const ACC_KM: f64 = 161.0;

#[derive(Debug, Clone)]
pub struct GoldToponym {
    /// Byte offsets into the article text.
    pub start: usize,
    pub end: usize,
    pub name: String,
    /// Gold coordinates; `None` for toponyms the corpus left without (LGL streets, …).
    pub coords: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct GoldArticle {
    pub id: String,
    pub text: String,
    pub toponyms: Vec<GoldToponym>,
}

/// A toponym found by the system: byte span in the article text and its coordinates.
#[derive(Debug, Clone)]
pub struct Predicted {
    pub start: usize,
    pub end: usize,
    pub coords: Option<(f64, f64)>,
}

/// Distance metrics over a set of toponyms.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ErrorMetrics {
    /// Toponyms scored (gold toponyms with coordinates).
    pub toponyms: usize,
    /// Of which the system gave coordinates for.
    pub resolved: usize,
    pub acc161: f64,
    pub mean_km: f64,
    pub median_km: f64,
    /// Area under the curve of sorted, normalized log errors (lower is better).
    pub auc: f64,
}

/// One scored gold toponym (for the report's error analysis).
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub article: String,
    pub name: String,
    pub gold: (f64, f64),
    pub predicted: Option<(f64, f64)>,
    pub error_km: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct EndToEnd {
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Errors of the matched gold toponyms that have coordinates.
    pub matched_errors: ErrorMetrics,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeoReport {
    pub corpus: String,
    pub articles: usize,
    /// Gold toponyms (with or without coordinates).
    pub gold_toponyms: usize,
    /// Each gold span resolved by the system.
    pub gold: ErrorMetrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_to_end: Option<EndToEnd>,
    #[serde(skip)]
    pub scored: Vec<Scored>,
}

#[derive(Debug, thiserror::Error)]
pub enum GeoEvalError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: no <article> found")]
    Empty { path: String },
}

/// Great-circle distance in km (haversine, mean radius 6371 km).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dl = (b.1 - a.1).to_radians();
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Accuracy@161, mean, median and AUC of a list of errors (km).
pub fn error_metrics(errors: &[f64], resolved: usize) -> ErrorMetrics {
    if errors.is_empty() {
        return ErrorMetrics::default();
    }
    let mut e = errors.to_vec();
    e.sort_by(f64::total_cmp);
    let n = e.len();
    let median = if n % 2 == 1 { e[n / 2] } else { (e[n / 2 - 1] + e[n / 2]) / 2.0 };
    let k = (MAX_ERROR_KM + 1.0).ln();
    let v: Vec<f64> = e.iter().map(|x| (x + 1.0).ln() / k).collect();
    let auc = if n == 1 { v[0] } else { v.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / (n - 1) as f64 };
    ErrorMetrics {
        toponyms: n,
        resolved,
        acc161: ratio(e.iter().filter(|&&x| x <= ACC_KM).count(), n),
        mean_km: e.iter().sum::<f64>() / n as f64,
        median_km: median,
        auc,
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(j) = rest.find(';').filter(|&j| j < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..j];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32),
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The content of the first `<tag …>…</tag>` in `s`, CDATA unwrapped, entities decoded.
fn element(s: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}");
    let mut from = 0;
    let start = loop {
        let i = from + s[from..].find(&open)?;
        let after = &s[i + open.len()..];
        if after.starts_with('>') || after.starts_with(' ') {
            break i + open.len() + after.find('>')? + 1;
        }
        from = i + open.len();
    };
    let end = start + s[start..].find(&format!("</{tag}>"))?;
    let body = &s[start..end];
    let t = body.trim_start();
    if let Some(x) = t.strip_prefix("<![CDATA[") {
        return Some(x.rfind("]]>").map(|k| &x[..k]).unwrap_or(x).to_string());
    }
    Some(unescape(body))
}

/// Splits `s` into the bodies of successive `<tag>…</tag>` elements.
fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// Parses a corpus file.
pub fn read_corpus(path: &Path) -> Result<Vec<GoldArticle>, GeoEvalError> {
    let p = path.display().to_string();
    let xml = std::fs::read_to_string(path).map_err(|source| GeoEvalError::Io { path: p.clone(), source })?;
    let arts = parse_corpus(&xml);
    if arts.is_empty() {
        return Err(GeoEvalError::Empty { path: p });
    }
    Ok(arts)
}

/// `xml` without its comments (CDATA sections kept as they are).
fn strip_comments(xml: &str) -> std::borrow::Cow<'_, str> {
    if !xml.contains("<!--") {
        return xml.into();
    }
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    loop {
        let (c, d) = (rest.find("<!--"), rest.find("<![CDATA["));
        match (c, d) {
            (Some(c), d) if d.is_none_or(|d| c < d) => {
                out.push_str(&rest[..c]);
                rest = rest[c..].find("-->").map(|e| &rest[c + e + 3..]).unwrap_or("");
            }
            (_, Some(d)) => {
                let e = rest[d..].find("]]>").map(|e| d + e + 3).unwrap_or(rest.len());
                out.push_str(&rest[..e]);
                rest = &rest[e..];
            }
            _ => {
                out.push_str(rest);
                break;
            }
        }
    }
    out.into()
}

/// Parses corpus XML (either format; comments ignored).
pub fn parse_corpus(xml: &str) -> Vec<GoldArticle> {
    let xml = strip_comments(xml);
    let xml = xml.as_ref();
    let mut out = Vec::new();
    for (n, a) in elements(xml, "article").into_iter().enumerate() {
        let Some(text) = element(a, "text") else { continue };
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let byte_at = |c: usize| chars.get(c).map(|x| x.0).unwrap_or(text.len());
        let mut toponyms = Vec::new();
        let items = if a.contains("<location>") { elements(a, "location") } else { elements(a, "toponym") };
        for t in items {
            let name = element(t, "phrase").or_else(|| element(t, "name")).unwrap_or_default();
            let (Some(s), Some(e)) = (
                element(t, "start").and_then(|x| x.trim().parse::<usize>().ok()),
                element(t, "end").and_then(|x| x.trim().parse::<usize>().ok()),
            ) else {
                continue;
            };
            let coords = match (
                element(t, "lat").and_then(|x| x.trim().parse::<f64>().ok()),
                element(t, "lon").and_then(|x| x.trim().parse::<f64>().ok()),
            ) {
                (Some(la), Some(lo)) => Some((la, lo)),
                _ => None,
            };
            let (s, e) = align(&chars, s, e, name.trim());
            toponyms.push(GoldToponym { start: byte_at(s), end: byte_at(e), name, coords });
        }
        toponyms.sort_by_key(|t| (t.start, t.end));
        let id = element(a, "source").or_else(|| element(a, "url")).map(|s| s.trim().to_string());
        let id = a
            .split_once("docid=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(d, _)| d.to_string())
            .or(id)
            .unwrap_or_else(|| format!("#{}", n + 1));
        out.push(GoldArticle { id, text, toponyms });
    }
    out
}

/// Character offsets of `name` nearest to `(s, e)` (within 20 characters), else `(s, e)` clamped.
fn align(chars: &[(usize, char)], s: usize, e: usize, name: &str) -> (usize, usize) {
    let nc: Vec<char> = name.chars().collect();
    let n = chars.len();
    let at = |i: usize| i + nc.len() <= n && chars[i..i + nc.len()].iter().map(|x| x.1).eq(nc.iter().copied());
    if !nc.is_empty() {
        for d in 0..=20usize {
            for i in [s.wrapping_sub(d), s + d] {
                if i <= n && at(i) {
                    return (i, i + nc.len());
                }
            }
        }
    }
    (s.min(n), e.min(n).max(s.min(n)))
}

/// Scores resolving each gold span: `resolve(article)` returns one coordinate (or `None`)
/// per gold toponym, in order.
pub fn score_gold<F>(corpus: &str, articles: &[GoldArticle], mut resolve: F) -> GeoReport
where
    F: FnMut(&GoldArticle) -> Vec<Option<(f64, f64)>>,
{
    let mut scored = Vec::new();
    for a in articles {
        let pred = resolve(a);
        for (i, t) in a.toponyms.iter().enumerate() {
            let Some(gold) = t.coords else { continue };
            let p = pred.get(i).copied().flatten();
            let error_km = p.map(|p| distance_km(gold, p)).unwrap_or(MAX_ERROR_KM);
            scored.push(Scored { article: a.id.clone(), name: t.name.clone(), gold, predicted: p, error_km });
        }
    }
    let errors: Vec<f64> = scored.iter().map(|s| s.error_km).collect();
    let resolved = scored.iter().filter(|s| s.predicted.is_some()).count();
    GeoReport {
        corpus: corpus.to_string(),
        articles: articles.len(),
        gold_toponyms: articles.iter().map(|a| a.toponyms.len()).sum(),
        gold: error_metrics(&errors, resolved),
        end_to_end: None,
        scored,
    }
}

/// Scores recognition + resolution: `recognize(text)` returns the system's toponyms. A
/// prediction matches a gold toponym when their spans overlap (one to one, in text order).
pub fn score_end_to_end<F>(articles: &[GoldArticle], mut recognize: F) -> EndToEnd
where
    F: FnMut(&GoldArticle) -> Vec<Predicted>,
{
    let (mut gold, mut predicted, mut matched) = (0, 0, 0);
    let mut errors = Vec::new();
    let mut resolved = 0;
    for a in articles {
        let mut pred = recognize(a);
        pred.sort_by_key(|p| (p.start, p.end));
        gold += a.toponyms.len();
        predicted += pred.len();
        let mut used = vec![false; pred.len()];
        for t in &a.toponyms {
            let hit =
                pred.iter().enumerate().find(|(j, p)| !used[*j] && p.start < t.end && t.start < p.end).map(|(j, _)| j);
            let Some(j) = hit else { continue };
            used[j] = true;
            matched += 1;
            if let Some(g) = t.coords {
                let e = pred[j].coords.map(|p| distance_km(g, p)).unwrap_or(MAX_ERROR_KM);
                resolved += usize::from(pred[j].coords.is_some());
                errors.push(e);
            }
        }
    }
    let (p, r) = (ratio(matched, predicted), ratio(matched, gold));
    EndToEnd {
        gold,
        predicted,
        matched,
        precision: p,
        recall: r,
        f1: f1(p, r),
        matched_errors: error_metrics(&errors, resolved),
    }
}

impl GeoReport {
    /// Names most often resolved more than 161 km away: (name, misses, occurrences, median error).
    pub fn worst_names(&self, n: usize) -> Vec<(String, usize, usize, f64)> {
        let mut by: std::collections::BTreeMap<&str, (usize, Vec<f64>)> = Default::default();
        for s in &self.scored {
            let e = by.entry(&s.name).or_default();
            e.0 += 1;
            if s.error_km > ACC_KM {
                e.1.push(s.error_km);
            }
        }
        let mut v: Vec<(String, usize, usize, f64)> = by
            .into_iter()
            .filter(|(_, (_, m))| !m.is_empty())
            .map(|(k, (c, mut m))| {
                m.sort_by(f64::total_cmp);
                (k.to_string(), m.len(), c, m[m.len() / 2])
            })
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_formats_and_realigns() {
        let gv = "<articles><article><source>u</source><text>We met in Pandi, Bulacan.</text><locations>\
            <location><name>Pandi</name><start>11</start><end>16</end><lat>14.87</lat><lon>120.95</lon></location>\
            </locations></article></articles>";
        let a = parse_corpus(&format!("<!--<article><text>x</text></article>-->{gv}"));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].toponyms[0].start, 10);
        assert_eq!(&a[0].text[a[0].toponyms[0].start..a[0].toponyms[0].end], "Pandi");
        let lgl = "<articles><article docid=\"7\"><text><![CDATA[Café in Paris & more]]></text><toponyms>\
            <toponym><start>8</start><end>13</end><phrase>Paris</phrase><gaztag geonameid=\"1\"><name>Paris</name>\
            <lat>48.85</lat><lon>2.35</lon></gaztag></toponym><toponym><start>0</start><end>4</end><phrase>Café</phrase></toponym>\
            </toponyms></article></articles>";
        let a = parse_corpus(lgl);
        assert_eq!(a[0].id, "7");
        assert_eq!(a[0].toponyms.len(), 2);
        let paris = &a[0].toponyms[1];
        assert_eq!((&a[0].text[paris.start..paris.end], paris.coords), ("Paris", Some((48.85, 2.35))));
        assert_eq!(a[0].toponyms[0].coords, None);
    }

    #[test]
    fn metrics() {
        let m = error_metrics(&[0.0, 100.0, 200.0, MAX_ERROR_KM], 3);
        assert_eq!(m.acc161, 0.5);
        assert_eq!(m.median_km, 150.0);
        assert!(m.auc > 0.0 && m.auc < 1.0);
        assert!((distance_km((48.8566, 2.3522), (51.5074, -0.1278)) - 343.5).abs() < 2.0);
        let arts = parse_corpus(
            "<article><text>In Paris today</text><locations><location><name>Paris</name>\
            <start>3</start><end>8</end><lat>48.85</lat><lon>2.35</lon></location></locations></article>",
        );
        let e = score_end_to_end(&arts, |_| {
            vec![
                Predicted { start: 3, end: 8, coords: Some((48.8, 2.3)) },
                Predicted { start: 9, end: 14, coords: None },
            ]
        });
        assert_eq!((e.matched, e.precision, e.recall), (1, 0.5, 1.0));
        assert_eq!(e.matched_errors.acc161, 1.0);
    }
}
