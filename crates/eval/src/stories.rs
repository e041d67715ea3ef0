//! Story (document) clustering on ECB+: the corpus reader and clustering scores.
//!
//! ECB+ (Cybulska & Vossen 2014) groups news documents into topics (`N/`); each topic holds
//! documents about two similar but different seminal events: the original ECB documents
//! (`N_Mecb.xml`) and the ECB+ additions (`N_Mecbplus.xml`), e.g. two different earthquakes.
//! A gold *sub-topic* is topic + component; a gold *topic* is the folder.
//!
//! The files are in the CROMER format: one `<token t_id=".." sentence=".." number="..">word</token>`
//! per token, followed by mark-ups (ignored here). [`read_ecbplus`] rebuilds each document's
//! text (one line per sentence, detokenized); a first sentence that is a URL becomes
//! [`EcbDoc::url`] instead of text.
//!
//! Scores: B³ precision/recall/F1 (Bagga & Baldwin 1998; per item, averaged over items) and
//! pairwise precision/recall/F1 (over pairs of items put in one cluster).
//!
//! ```
//! use newsgraph_eval::stories::{score_clusters};
//! let gold = ["a", "a", "b", "b"];
//! let sys = [0, 0, 1, 1];
//! let s = score_clusters(&gold, &sys);
//! assert_eq!(s.b3_f1, 1.0);
//! assert_eq!(s.pairwise_f1, 1.0);
//! ```
use crate::EvalError;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};

/// One ECB+ document.
#[derive(Debug, Clone, PartialEq)]
pub struct EcbDoc {
    /// The file name without `.xml`: `1_10ecbplus`.
    pub name: String,
    pub topic: u32,
    /// Document number within the topic (`10` in `1_10ecbplus`).
    pub number: u32,
    /// Whether it is an ECB+ addition (`ecbplus`) rather than an original ECB document.
    pub plus: bool,
    /// The document's URL, when its first sentence is one.
    pub url: Option<String>,
    /// The text: one line per sentence.
    pub text: String,
}

impl EcbDoc {
    /// The gold sub-topic: `1/ecb` or `1/ecbplus`.
    pub fn subtopic(&self) -> String {
        format!("{}/{}", self.topic, if self.plus { "ecbplus" } else { "ecb" })
    }
}

/// Parses a file name `N_Mecb.xml` / `N_Mecbplus.xml` into (topic, number, plus).
pub fn parse_name(file: &str) -> Option<(u32, u32, bool)> {
    let stem = file.strip_suffix(".xml")?;
    let (rest, plus) = match stem.strip_suffix("ecbplus") {
        Some(r) => (r, true),
        None => (stem.strip_suffix("ecb")?, false),
    };
    let (t, n) = rest.split_once('_')?;
    Some((t.parse().ok()?, n.parse().ok()?, plus))
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The tokens of a CROMER file, grouped by sentence (in order).
pub fn cromer_sentences(xml: &str) -> Vec<Vec<String>> {
    let mut out: Vec<(u32, Vec<String>)> = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<token ") {
        rest = &rest[i + 7..];
        let Some(gt) = rest.find('>') else { break };
        let attrs = &rest[..gt];
        let body_start = gt + 1;
        let Some(end) = rest[body_start..].find("</token>") else { break };
        let word = unescape(rest[body_start..body_start + end].trim());
        rest = &rest[body_start + end + 8..];
        let sentence = attrs
            .split_once("sentence=\"")
            .and_then(|(_, v)| v.split('"').next())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        if word.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some((s, words)) if *s == sentence => words.push(word),
            _ => out.push((sentence, vec![word])),
        }
    }
    out.into_iter().map(|(_, w)| w).collect()
}

/// Joins tokens into text: no space before closing punctuation and clitics, none after
/// opening brackets; PTB quotes (`` and '') become straight double quotes.
pub fn detokenize(tokens: &[String]) -> String {
    const NO_SPACE_BEFORE: &[&str] =
        &[".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "'S", "n't", "'re", "'ve", "'ll", "'d", "'m", "’s"];
    let mut s = String::new();
    let mut open_quote = false;
    let mut glue_next = false;
    for t in tokens {
        let (word, closing, opening) = match t.as_str() {
            "``" | "“" => ("\"", false, true),
            "''" | "”" => ("\"", true, false),
            "\"" => {
                open_quote = !open_quote;
                ("\"", !open_quote, open_quote)
            }
            "-LRB-" => ("(", false, true),
            "-RRB-" => (")", true, false),
            w => (w, NO_SPACE_BEFORE.contains(&w), matches!(w, "(" | "[" | "{" | "$")),
        };
        if !s.is_empty() && !closing && !glue_next {
            s.push(' ');
        }
        s.push_str(word);
        glue_next = opening;
    }
    s
}

fn is_url_sentence(tokens: &[String]) -> bool {
    tokens.first().is_some_and(|t| t.starts_with("http") || t.starts_with("www"))
        && tokens.iter().any(|t| t == "/" || t.contains('/'))
}

/// Reads one CROMER file into a document.
pub fn read_doc(path: &Path) -> Result<EcbDoc, EvalError> {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let (topic, number, plus) = parse_name(&file).ok_or_else(|| EvalError::Empty { path: path.to_path_buf() })?;
    let xml = std::fs::read_to_string(path).map_err(|source| EvalError::Io { path: path.to_path_buf(), source })?;
    let mut sentences = cromer_sentences(&xml);
    let url = match sentences.first() {
        Some(first) if is_url_sentence(first) => Some(first.concat()),
        _ => None,
    };
    if url.is_some() {
        sentences.remove(0);
    }
    let text: Vec<String> = sentences.iter().map(|s| detokenize(s)).collect();
    Ok(EcbDoc { name: file.trim_end_matches(".xml").to_string(), topic, number, plus, url, text: text.join("\n") })
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> EvalError + '_ {
    move |source| EvalError::Io { path: path.to_path_buf(), source }
}

/// Every document of an ECB+ folder (topic folders `N/` holding `N_Mecb.xml` and
/// `N_Mecbplus.xml`), optionally only some topics; ordered by topic, number, ECB before ECB+.
pub fn read_ecbplus(dir: &Path, topics: Option<&[u32]>) -> Result<Vec<EcbDoc>, EvalError> {
    let mut paths: Vec<(u32, u32, bool, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let topic_dir = entry.map_err(io(dir))?.path();
        let Some(t) = topic_dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if !topic_dir.is_dir() || topics.is_some_and(|ts| !ts.contains(&t)) {
            continue;
        }
        for f in std::fs::read_dir(&topic_dir).map_err(io(&topic_dir))? {
            let p = f.map_err(io(&topic_dir))?.path();
            let name = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some((topic, number, plus)) = parse_name(&name) {
                paths.push((topic, number, plus, p));
            }
        }
    }
    if paths.is_empty() {
        return Err(EvalError::Empty { path: dir.to_path_buf() });
    }
    paths.sort();
    paths.into_iter().map(|(_, _, _, p)| read_doc(&p)).collect()
}

/// Precision, recall and F1 of one clustering measure.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Prf { precision, recall, f1 }
    }
}

/// Clustering scores of a system clustering against gold clusters.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ClusterScores {
    pub items: usize,
    pub gold_clusters: usize,
    pub system_clusters: usize,
    pub b3_precision: f64,
    pub b3_recall: f64,
    pub b3_f1: f64,
    pub pairwise_precision: f64,
    pub pairwise_recall: f64,
    pub pairwise_f1: f64,
}

/// Dense cluster numbers for labels (first seen first).
fn dense<L: Hash + Eq>(labels: &[L]) -> (Vec<usize>, usize) {
    let mut ids: HashMap<&L, usize> = HashMap::new();
    let v = labels
        .iter()
        .map(|l| {
            let n = ids.len();
            *ids.entry(l).or_insert(n)
        })
        .collect();
    (v, ids.len())
}

/// B³: for each item, the share of its system cluster that is in its gold cluster
/// (precision) and the share of its gold cluster that is in its system cluster (recall),
/// averaged over items.
pub fn b_cubed<G: Hash + Eq, S: Hash + Eq>(gold: &[G], sys: &[S]) -> Prf {
    assert_eq!(gold.len(), sys.len(), "one gold and one system label per item");
    if gold.is_empty() {
        return Prf::default();
    }
    let (g, _) = dense(gold);
    let (s, _) = dense(sys);
    let mut gsize: HashMap<usize, f64> = HashMap::new();
    let mut ssize: HashMap<usize, f64> = HashMap::new();
    let mut both: HashMap<(usize, usize), f64> = HashMap::new();
    for (&a, &b) in g.iter().zip(&s) {
        *gsize.entry(a).or_default() += 1.0;
        *ssize.entry(b).or_default() += 1.0;
        *both.entry((a, b)).or_default() += 1.0;
    }
    let (mut p, mut r) = (0.0, 0.0);
    for (&a, &b) in g.iter().zip(&s) {
        let n = both[&(a, b)];
        p += n / ssize[&b];
        r += n / gsize[&a];
    }
    let n = gold.len() as f64;
    Prf::new(p / n, r / n)
}

fn pairs<K>(counts: &HashMap<K, f64>) -> f64 {
    counts.values().map(|&c| c * (c - 1.0) / 2.0).sum()
}

/// Pairwise: precision = share of system same-cluster pairs that are gold same-cluster
/// pairs; recall the reverse. With no pairs on a side, that side's figure is 1.
pub fn pairwise<G: Hash + Eq, S: Hash + Eq>(gold: &[G], sys: &[S]) -> Prf {
    assert_eq!(gold.len(), sys.len(), "one gold and one system label per item");
    let (g, _) = dense(gold);
    let (s, _) = dense(sys);
    let mut gc: HashMap<usize, f64> = HashMap::new();
    let mut sc: HashMap<usize, f64> = HashMap::new();
    let mut bc: HashMap<(usize, usize), f64> = HashMap::new();
    for (&a, &b) in g.iter().zip(&s) {
        *gc.entry(a).or_default() += 1.0;
        *sc.entry(b).or_default() += 1.0;
        *bc.entry((a, b)).or_default() += 1.0;
    }
    let (gp, sp, tp) = (pairs(&gc), pairs(&sc), pairs(&bc));
    let precision = if sp > 0.0 { tp / sp } else { 1.0 };
    let recall = if gp > 0.0 { tp / gp } else { 1.0 };
    Prf::new(precision, recall)
}

/// B³ and pairwise scores of `sys` against `gold` (one label each per item).
pub fn score_clusters<G: Hash + Eq, S: Hash + Eq>(gold: &[G], sys: &[S]) -> ClusterScores {
    let b3 = b_cubed(gold, sys);
    let pw = pairwise(gold, sys);
    ClusterScores {
        items: gold.len(),
        gold_clusters: dense(gold).1,
        system_clusters: dense(sys).1,
        b3_precision: b3.precision,
        b3_recall: b3.recall,
        b3_f1: b3.f1,
        pairwise_precision: pw.precision,
        pairwise_recall: pw.recall,
        pairwise_f1: pw.f1,
    }
}

/// The figures of `eval stories`: sub-topic level at top level, topic level nested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoriesReport {
    pub documents: usize,
    pub topics: usize,
    /// Sub-topic level (gold cluster = topic + ECB/ECB+).
    #[serde(flatten)]
    pub subtopic: ClusterScores,
    /// Topic level (gold cluster = topic).
    pub topic: ClusterScores,
}

/// Scores a clustering of `docs` (`sys[i]` is the story of `docs[i]`) at both levels.
pub fn score_ecbplus<S: Hash + Eq>(docs: &[EcbDoc], sys: &[S]) -> StoriesReport {
    let sub: Vec<String> = docs.iter().map(EcbDoc::subtopic).collect();
    let top: Vec<u32> = docs.iter().map(|d| d.topic).collect();
    StoriesReport {
        documents: docs.len(),
        topics: dense(&top).1,
        subtopic: score_clusters(&sub, sys),
        topic: score_clusters(&top, sys),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn scores_table() {
        // (gold, system, b3 P, b3 R, pairwise P, pairwise R)
        type Case<'a> = (&'a [u32], &'a [u32], f64, f64, f64, f64);
        let cases: &[Case] = &[
            // perfect
            (&[1, 1, 2, 2], &[7, 7, 9, 9], 1.0, 1.0, 1.0, 1.0),
            // all singletons: precision 1, B³ recall 1/2 per item, no system pairs
            (&[1, 1, 2, 2], &[1, 2, 3, 4], 1.0, 0.5, 1.0, 0.0),
            // one big cluster: B³ precision 1/2, recall 1; pairwise P = 2/6
            (&[1, 1, 2, 2], &[0, 0, 0, 0], 0.5, 1.0, 2.0 / 6.0, 1.0),
            // Bagga & Baldwin-style: gold {a,b,c}{d,e}, system {a,b}{c,d,e}
            // P: a,b 1; c 1/3; d,e 2/3 → (1+1+1/3+2/3+2/3)/5 = 11/15
            // R: a,b 2/3; c 1/3; d,e 1 → (2/3+2/3+1/3+1+1)/5 = 11/15
            // pairs: system {ab, cd, ce, de}: tp ab, de = 2 of 4; gold {ab, ac, bc, de}: 2 of 4
            (&[1, 1, 1, 2, 2], &[5, 5, 6, 6, 6], 11.0 / 15.0, 11.0 / 15.0, 0.5, 0.5),
        ];
        for (i, &(g, s, bp, br, pp, pr)) in cases.iter().enumerate() {
            let r = score_clusters(g, s);
            assert!(close(r.b3_precision, bp), "case {i}: b3 P {}", r.b3_precision);
            assert!(close(r.b3_recall, br), "case {i}: b3 R {}", r.b3_recall);
            assert!(close(r.pairwise_precision, pp), "case {i}: pw P {}", r.pairwise_precision);
            assert!(close(r.pairwise_recall, pr), "case {i}: pw R {}", r.pairwise_recall);
            let f = 2.0 * bp * br / (bp + br);
            assert!(close(r.b3_f1, f), "case {i}: b3 F1 {}", r.b3_f1);
        }
    }

    #[test]
    fn names_and_text() {
        assert_eq!(parse_name("1_10ecbplus.xml"), Some((1, 10, true)));
        assert_eq!(parse_name("22_3ecb.xml"), Some((22, 3, false)));
        assert_eq!(parse_name("notes.txt"), None);
        let xml = r#"<Document doc_name="1_1ecbplus.xml">
<token t_id="1" sentence="0" number="0">http</token><token t_id="2" sentence="0" number="1">:</token>
<token t_id="3" sentence="0" number="2">/</token><token t_id="4" sentence="0" number="3">/</token>
<token t_id="5" sentence="0" number="4">example.com</token>
<token t_id="6" sentence="1" number="0">``</token><token t_id="7" sentence="1" number="1">Tara</token>
<token t_id="8" sentence="1" number="2">Reid</token><token t_id="9" sentence="1" number="3">'s</token>
<token t_id="10" sentence="1" number="4">rehab</token><token t_id="11" sentence="1" number="5">''</token>
<token t_id="12" sentence="1" number="6">(</token><token t_id="13" sentence="1" number="7">AT&amp;T</token>
<token t_id="14" sentence="1" number="8">)</token><token t_id="15" sentence="1" number="9">.</token>
<Markables><ACTION_OCCURRENCE m_id="1"><token_anchor t_id="10"/></ACTION_OCCURRENCE></Markables></Document>"#;
        let s = cromer_sentences(xml);
        assert_eq!(s.len(), 2);
        assert!(is_url_sentence(&s[0]));
        assert_eq!(s[0].concat(), "http://example.com");
        assert_eq!(detokenize(&s[1]), "\"Tara Reid's rehab\" (AT&T).");
    }
}
