//! Event coding against gold records: the PLOVER gold-standard records drawn from the CAMEO
//! manual (`PLOVER_GSR_CAMEO.json`) or gold sentences in our JSONL form.
//!
//! **PLOVER records** (a JSON array): `text`, `date`, `event` (the PLOVER category),
//! `source` / `target` (arrays of `{actorText, code}` or an empty string). The records carry
//! no CAMEO code; the root is implied by the PLOVER category (AGREE → 03, CONSULT → 04, …,
//! ASSAULT → 18 or 20, FIGHT → 19), and the full code is recovered, where possible, from the
//! CAMEO manual the records were drawn from: the code under which the record's sentence is an
//! example in the codebook's verb chapter (`py-gdelt__chapter_2_verb_codebook.md`, read at
//! run time), kept only when its root agrees with the category.
//!
//! **JSONL gold** (one object per line):
//! `{"id": "…", "text": "…", "date": "2025-08-08", "events": [{"source": "USAGOV",
//! "target": "RUSGOV", "code": "036"}]}`; `source` and `target` are CAMEO actor codes (or
//! null), `code` a full CAMEO event code; `date` (optional) is the publication date.
//!
//! **Metrics.** Event precision and recall: a predicted event matches a gold event of the
//! same record when its root is one the gold event allows (each used once). Accuracies are
//! over gold records with an event for which the coder returned an event, judged on the
//! coder's most confident event (no oracle choice): root, full code (records whose full
//! code is known), source and target (actor codes compared on their first three letters:
//! country or `IGO`; records whose gold actor is given). The `*_all` variants divide by every
//! gold record with an event (a record without a prediction counts as wrong).
use crate::score::{f1, ratio};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A gold event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldEvent {
    /// CAMEO actor codes of the source(s) (compound actors give several).
    pub source: Vec<String>,
    pub target: Vec<String>,
    /// The CAMEO roots that count as right (`["18", "20"]` for PLOVER ASSAULT).
    pub roots: Vec<String>,
    /// The full CAMEO code, when known.
    pub code: Option<String>,
    /// The gold PLOVER category (PLOVER records).
    pub plover: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldRecord {
    pub id: String,
    pub text: String,
    /// Publication date `YYYY-MM-DD`, if given.
    pub date: Option<String>,
    pub events: Vec<GoldEvent>,
}

/// An event the system coded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predicted {
    pub code: String,
    pub root: String,
    pub source: Option<String>,
    pub target: Option<String>,
    pub confidence: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

/// The CAMEO roots of a PLOVER category (the GSR's version of PLOVER).
pub fn plover_roots(category: &str) -> Vec<String> {
    let r: &[&str] = match category {
        "AGREE" => &["03"],
        "CONSULT" => &["04"],
        "SUPPORT" => &["05"],
        "COOPERATE" => &["06"],
        "AID" => &["07"],
        "CONCEDE" | "RETREAT" | "YIELD" => &["08"],
        "INVESTIGATE" => &["09"],
        "DEMAND" => &["10"],
        "DISAPPROVE" => &["11"],
        "REJECT" => &["12"],
        "THREATEN" => &["13"],
        "PROTEST" => &["14"],
        "MOBILIZE" => &["15"],
        "SANCTION" => &["16"],
        "COERCE" => &["17"],
        "ASSAULT" => &["18", "20"],
        "FIGHT" => &["19"],
        _ => &[],
    };
    r.iter().map(|s| s.to_string()).collect()
}

fn read(path: &Path) -> Result<String, EventsError> {
    std::fs::read_to_string(path).map_err(|source| EventsError::Io { path: path.display().to_string(), source })
}

/// Reads a gold file: a JSON array is PLOVER records, anything else JSONL. `codebook` is the
/// CAMEO manual's verb chapter (Markdown) used to recover the PLOVER records' full codes;
/// `lookup` the CAMEO code → name table that names its unnumbered entries.
pub fn read_gold(path: &Path, codebook: Option<(&Path, &Path)>) -> Result<Vec<GoldRecord>, EventsError> {
    let text = read(path)?;
    if text.trim_start().starts_with('[') {
        let book = match codebook {
            Some((b, l)) => Some(Codebook::parse(&read(b)?, &read(l)?)),
            None => None,
        };
        parse_plover(&text, book.as_ref())
            .map_err(|message| EventsError::Format { path: path.display().to_string(), message })
    } else {
        parse_jsonl(&text).map_err(|message| EventsError::Format { path: path.display().to_string(), message })
    }
}

fn actors(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.get("code").and_then(|c| c.as_str()).or_else(|| x.as_str()))
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect(),
        serde_json::Value::String(s) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// PLOVER gold-standard records (the `DOCUMENT` record and records without text skipped).
pub fn parse_plover(text: &str, book: Option<&Codebook>) -> Result<Vec<GoldRecord>, String> {
    let v: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for r in v {
        let (Some(t), Some(cat)) = (r.get("text").and_then(|t| t.as_str()), r.get("event").and_then(|e| e.as_str()))
        else {
            continue;
        };
        let mut roots = plover_roots(cat);
        let code = book.and_then(|b| b.code_of(t)).filter(|c| roots.iter().any(|r| c.starts_with(r.as_str())));
        if let Some(c) = &code {
            roots = vec![c[..2].to_string()];
        }
        let events = if roots.is_empty() {
            Vec::new()
        } else {
            vec![GoldEvent {
                source: r.get("source").map(actors).unwrap_or_default(),
                target: r.get("target").map(actors).unwrap_or_default(),
                roots,
                code,
                plover: Some(cat.to_string()),
            }]
        };
        out.push(GoldRecord {
            id: r.get("id").and_then(|i| i.as_str()).unwrap_or_default().to_string(),
            text: t.to_string(),
            date: r.get("date").and_then(|d| d.as_str()).map(String::from),
            events,
        });
    }
    Ok(out)
}

/// JSONL gold sentences (blank lines skipped; a bad line is an error naming it).
pub fn parse_jsonl(text: &str) -> Result<Vec<GoldRecord>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let text = v.get("text").and_then(|t| t.as_str()).ok_or(format!("line {}: no `text`", n + 1))?;
        let mut events = Vec::new();
        for e in v.get("events").and_then(|e| e.as_array()).into_iter().flatten() {
            let code = e.get("code").and_then(|c| c.as_str()).unwrap_or_default();
            if code.len() < 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("line {}: event without a CAMEO `code`", n + 1));
            }
            events.push(GoldEvent {
                source: e.get("source").map(actors).unwrap_or_default(),
                target: e.get("target").map(actors).unwrap_or_default(),
                roots: vec![code[..2].to_string()],
                code: Some(code.to_string()),
                plover: None,
            });
        }
        out.push(GoldRecord {
            id: v.get("id").and_then(|i| i.as_str()).map(String::from).unwrap_or_else(|| format!("line-{}", n + 1)),
            text: text.to_string(),
            date: v.get("date").and_then(|d| d.as_str()).map(String::from),
            events,
        });
    }
    Ok(out)
}

/// The CAMEO manual's verb chapter: which code each example sentence illustrates.
pub struct Codebook {
    /// (normalized row text, code in force at that row)
    rows: Vec<(String, String)>,
}

fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

impl Codebook {
    /// `chapter`: Markdown tables whose rows are `| CAMEO | 036 |`, `| Name | … |`,
    /// `| Example | … |`; `lookup`: `code<TAB>name` lines, to recognize entries whose number
    /// the conversion lost (a `Name` row naming a code).
    pub fn parse(chapter: &str, lookup: &str) -> Codebook {
        let names: std::collections::HashMap<String, String> = lookup
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(c, _)| c.len() >= 2 && c.bytes().all(|b| b.is_ascii_digit()))
            .map(|(c, n)| (norm(n), c.to_string()))
            .collect();
        let mut rows = Vec::new();
        let mut cur = String::new();
        for line in chapter.lines() {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            if cells.len() >= 2 {
                let v = cells[1];
                if (2..=4).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
                    cur = v.to_string();
                } else if cells[0].eq_ignore_ascii_case("name") {
                    if let Some(c) = names.get(&norm(v)) {
                        cur = c.clone();
                    }
                }
            }
            if !cur.is_empty() {
                rows.push((norm(line), cur.clone()));
            }
        }
        Codebook { rows }
    }

    /// The code under which `sentence` is given as an example, if it is.
    pub fn code_of(&self, sentence: &str) -> Option<String> {
        let s = norm(sentence);
        if s.len() < 20 {
            return None;
        }
        self.rows.iter().find(|(row, _)| row.contains(&s)).map(|(_, c)| c.clone())
    }
}

/// Figures for one set of records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EventScores {
    pub records: usize,
    /// Gold records with an event.
    pub with_event: usize,
    /// Of which the coder returned at least one event.
    pub coded: usize,
    pub gold_events: usize,
    pub predicted_events: usize,
    pub matched_events: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub root_accuracy: f64,
    pub code_accuracy: f64,
    /// Records scored for the full code (gold full code known, an event coded).
    pub code_scored: usize,
    pub source_accuracy: f64,
    pub source_scored: usize,
    pub target_accuracy: f64,
    pub target_scored: usize,
    pub root_accuracy_all: f64,
    pub code_accuracy_all: f64,
}

/// One scored record (for the report's error analysis).
#[derive(Debug, Clone, Serialize)]
pub struct RecordResult {
    pub id: String,
    pub gold_roots: Vec<String>,
    pub gold_code: Option<String>,
    pub plover: Option<String>,
    pub predicted: Option<String>,
    pub root_ok: bool,
    pub code_ok: Option<bool>,
    pub source_ok: Option<bool>,
    pub target_ok: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventsReport {
    #[serde(flatten)]
    pub all: EventScores,
    /// The half used while writing the patterns (even record positions) and the held-out half.
    pub development: EventScores,
    pub held_out: EventScores,
    /// Per gold PLOVER category (or CAMEO root): records, coded, root right.
    pub by_category: BTreeMap<String, (usize, usize, usize)>,
    /// Every scored record.
    pub results: Vec<RecordResult>,
}

fn country(code: &str) -> &str {
    code.get(..3).unwrap_or(code)
}

fn score_set(records: &[(&GoldRecord, &Vec<Predicted>)], results: &mut Vec<RecordResult>) -> EventScores {
    let mut s = EventScores { records: records.len(), ..Default::default() };
    let (mut root_ok, mut code_ok, mut src_ok, mut tgt_ok) = (0, 0, 0, 0);
    let mut code_all = 0;
    for (g, preds) in records {
        s.gold_events += g.events.len();
        s.predicted_events += preds.len();
        let mut used = vec![false; preds.len()];
        for ge in &g.events {
            if let Some(i) = (0..preds.len()).find(|&i| !used[i] && ge.roots.contains(&preds[i].root)) {
                used[i] = true;
                s.matched_events += 1;
            }
        }
        let Some(ge) = g.events.first() else { continue };
        s.with_event += 1;
        if ge.code.is_some() {
            code_all += 1;
        }
        let best = preds.iter().enumerate().max_by(|(i, a), (j, b)| {
            a.confidence.partial_cmp(&b.confidence).unwrap_or(std::cmp::Ordering::Equal).then(j.cmp(i))
        });
        let mut r = RecordResult {
            id: g.id.clone(),
            gold_roots: ge.roots.clone(),
            gold_code: ge.code.clone(),
            plover: ge.plover.clone(),
            predicted: None,
            root_ok: false,
            code_ok: None,
            source_ok: None,
            target_ok: None,
        };
        if let Some((_, p)) = best {
            s.coded += 1;
            r.predicted = Some(p.code.clone());
            r.root_ok = ge.roots.contains(&p.root);
            root_ok += r.root_ok as usize;
            if let Some(c) = &ge.code {
                s.code_scored += 1;
                let ok = *c == p.code;
                code_ok += ok as usize;
                r.code_ok = Some(ok);
            }
            let side = |gold: &[String], pred: &Option<String>| -> Option<bool> {
                (!gold.is_empty())
                    .then(|| pred.as_deref().is_some_and(|p| gold.iter().any(|g| country(g) == country(p))))
            };
            r.source_ok = side(&ge.source, &p.source);
            r.target_ok = side(&ge.target, &p.target);
            if let Some(ok) = r.source_ok {
                s.source_scored += 1;
                src_ok += ok as usize;
            }
            if let Some(ok) = r.target_ok {
                s.target_scored += 1;
                tgt_ok += ok as usize;
            }
        }
        results.push(r);
    }
    s.precision = ratio(s.matched_events, s.predicted_events);
    s.recall = ratio(s.matched_events, s.gold_events);
    s.f1 = f1(s.precision, s.recall);
    s.root_accuracy = ratio(root_ok, s.coded);
    s.code_accuracy = ratio(code_ok, s.code_scored);
    s.source_accuracy = ratio(src_ok, s.source_scored);
    s.target_accuracy = ratio(tgt_ok, s.target_scored);
    s.root_accuracy_all = ratio(root_ok, s.with_event);
    s.code_accuracy_all = ratio(code_ok, code_all);
    s
}

/// Scores `predict` (the system run on one record) on every record; the development half is
/// the records at even positions, the held-out half those at odd positions.
pub fn score(records: &[GoldRecord], mut predict: impl FnMut(&GoldRecord) -> Vec<Predicted>) -> EventsReport {
    let preds: Vec<Vec<Predicted>> = records.iter().map(&mut predict).collect();
    let pairs: Vec<(&GoldRecord, &Vec<Predicted>)> = records.iter().zip(&preds).collect();
    let mut results = Vec::new();
    let all = score_set(&pairs, &mut results);
    let dev: Vec<_> = pairs.iter().step_by(2).copied().collect();
    let held: Vec<_> = pairs.iter().skip(1).step_by(2).copied().collect();
    let development = score_set(&dev, &mut Vec::new());
    let held_out = score_set(&held, &mut Vec::new());
    let mut by_category: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for r in &results {
        let key = r.plover.clone().unwrap_or_else(|| r.gold_roots.join("/"));
        let e = by_category.entry(key).or_default();
        e.0 += 1;
        e.1 += r.predicted.is_some() as usize;
        e.2 += r.root_ok as usize;
    }
    EventsReport { all, development, held_out, by_category, results }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_and_scores() {
        let gold = parse_jsonl(
            r#"{"id":"a","text":"X met Y.","events":[{"source":"USAGOV","target":"RUSGOV","code":"040"}]}
{"id":"b","text":"Nothing.","events":[]}
{"id":"c","text":"X attacked Y.","events":[{"source":"RUSMIL","target":"UKR","code":"190"}]}"#,
        )
        .unwrap();
        assert_eq!(gold.len(), 3);
        let r = score(&gold, |g| match g.id.as_str() {
            "a" => vec![Predicted {
                code: "036".into(),
                root: "03".into(),
                source: Some("USAGOV".into()),
                target: Some("RUS".into()),
                confidence: 0.9,
            }],
            "c" => vec![Predicted {
                code: "190".into(),
                root: "19".into(),
                source: Some("RUSGOV".into()),
                target: None,
                confidence: 0.5,
            }],
            _ => vec![],
        });
        assert_eq!((r.all.with_event, r.all.coded, r.all.matched_events), (2, 2, 1));
        assert_eq!(r.all.root_accuracy, 0.5);
        assert_eq!(r.all.code_accuracy, 0.5);
        assert_eq!(r.all.source_accuracy, 1.0);
        assert_eq!(r.all.target_accuracy, 0.5);
        assert!(parse_jsonl(r#"{"text":"x","events":[{"code":"ab"}]}"#).is_err());
    }

    #[test]
    fn plover_records_and_codebook() {
        let book = Codebook::parse(
            "| CAMEO | 036 |\n| Example | Iran offered on Monday to hold talks with Iraq about the border. |\n| Name | Make a visit |\n| Example | The king visited Paris on a three-day trip to France. |",
            "036\tExpress intent to meet or negotiate\n042\tMake a visit\n",
        );
        let recs = parse_plover(
            r#"[{"id":"d","event":"DOCUMENT"},
               {"id":"1","event":"AGREE","text":"Iran offered on Monday to hold talks with Iraq about the border.","source":[{"actorText":"Iran","code":"IRN"}],"target":""},
               {"id":"2","event":"CONSULT","text":"The king visited Paris on a three-day trip to France.","source":[],"target":[{"code":"FRA"}]},
               {"id":"3","event":"ASSAULT","text":"Gunmen abducted two aid workers near the town on Sunday night."}]"#,
            Some(&book),
        )
        .unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].events[0].code.as_deref(), Some("036"));
        assert_eq!(recs[0].events[0].source, vec!["IRN"]);
        assert!(recs[0].events[0].target.is_empty());
        assert_eq!(recs[1].events[0].code.as_deref(), Some("042"));
        assert_eq!(recs[2].events[0].roots, vec!["18", "20"]);
        assert_eq!(recs[2].events[0].code, None);
    }
}
