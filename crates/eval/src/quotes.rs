//! Attribution (quote) scoring on PolNeAR's brat layout.
//!
//! PolNeAR (`data/{train,dev}/`) holds `text/NAME.txt` and one or more
//! `attributions/NAME_ANNOTATOR.ann` per article (two dev articles were annotated by all six
//! annotators; [`read_polnear`] keeps the first `.ann` in sorted order, so each article counts
//! once). An `.ann` file holds text-bound annotations `T1<TAB>Source 89 106<TAB>text`
//! (types `Source`, `Cue`, `Content`, `Attribution`; also `Discard`/`Discuss`, ignored;
//! fragments of a discontinuous span are `a b;c d`) and events
//! `E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1` linking them (`Attribution-no-source`
//! lacks the source; `Content2` is a second content piece, merged into the content). Offsets
//! are Unicode characters of the `.txt` file; every span here is a list of half-open
//! character ranges of that text.
//!
//! **Direct or indirect** (PolNeAR does not say): an attribution is *direct* when at least
//! 99 % of the letters and digits of its content lie inside quotation marks (“…”, "…",
//! «…», „…“, ''…'', and ‘…’ / '…' when they open before a word and close after one; a
//! double quote left open at the end of a paragraph runs to its end, as multi-paragraph
//! quotes do), otherwise *indirect* (partial and mixed quotes — `said that Trump “lashed
//! out…”` — are indirect). Predicted kinds: `Direct` → direct; `Partial`, `Indirect`,
//! `Mixed` → indirect.
//!
//! **Matching** ([`score`]): one predicted content is matched to one gold content, greedily
//! by the largest overlap, counted in letters and digits (so sharing only a space or a quote
//! mark is no match); *exact* when both are equal after [`trim_span`] (whitespace, quote
//! marks and punctuation at both ends of every fragment, a leading "that"). The matching is
//! done once over all attributions of a document; the per-kind figures then count recall
//! over the gold attributions of that kind and precision over the predicted ones of that
//! kind, so a direct quote predicted as indirect still counts as found (see the kind
//! confusion). Sources and cues are matched the same way (by overlap), over the distinct
//! source (cue) spans of all attributions, independently of the contents. *Speaker
//! accuracy*: among matched content pairs whose gold has a source, the share whose
//! predicted source overlaps the gold source.
//!
//! ```
//! use newsgraph_eval::quotes::{parse_ann, score, Attribution, Kind};
//! let text = "“We will win,” he said.";
//! let gold = parse_ann("T1\tContent 0 14\t“We will win,”\nT2\tSource 15 17\the\nT3\tCue 18 22\tsaid\n\
//!                       T4\tAttribution 18 22\tsaid\nE1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n").unwrap();
//! let gold: Vec<Attribution> = gold.into_iter().map(|g| g.classify(text)).collect();
//! assert_eq!(gold[0].kind, Kind::Direct);
//! let pred = vec![Attribution { content: vec![(1, 12)], source: Some(vec![(15, 17)]), cue: Some(vec![(18, 22)]), kind: Kind::Direct, speaker_mentions: vec![] }];
//! let (r, _) = score(&[(text, &gold[..], &pred[..])]);
//! assert_eq!((r.all.content_f1, r.all.content_exact_f1, r.all.speaker_accuracy), (1.0, 1.0, 1.0));
//! assert_eq!(r.direct.content_f1, 1.0);
//! ```
use crate::score::{f1, ratio};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Half-open character ranges of one (possibly discontinuous) span, sorted.
pub type Spans = Vec<(usize, usize)>;

/// Direct (the content is the speaker's quoted words) or indirect (reported speech,
/// partial and mixed quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Direct,
    Indirect,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Indirect => "indirect",
        }
    }
}

/// One attribution, gold or predicted, in character offsets of the article text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub content: Spans,
    pub source: Option<Spans>,
    pub cue: Option<Spans>,
    pub kind: Kind,
    /// Predictions only: the mentions of the resolved speaker entity (empty for gold).
    pub speaker_mentions: Vec<Spans>,
}

/// A gold relation as read from an `.ann` file, before its kind is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BratRelation {
    /// The event id (`E1`).
    pub id: String,
    pub content: Spans,
    pub source: Option<Spans>,
    pub cue: Option<Spans>,
}

impl BratRelation {
    /// Decides direct/indirect from the text (see the module docs).
    pub fn classify(self, text: &str) -> Attribution {
        let chars: Vec<char> = text.chars().collect();
        let inside = quoted(&chars);
        let kind = kind_of(&chars, &inside, &self.content);
        Attribution { content: self.content, source: self.source, cue: self.cue, kind, speaker_mentions: Vec::new() }
    }
}

/// A malformed `.ann` line.
#[derive(Debug, thiserror::Error)]
pub enum BratError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Ann { path: String, source: Box<BratError> },
    #[error("no .ann file pairs with a text under {0}")]
    Empty(String),
}

fn parse_fragments(s: &str) -> Option<Spans> {
    let mut out = Vec::new();
    for frag in s.split(';') {
        let mut it = frag.split_whitespace();
        let a: usize = it.next()?.parse().ok()?;
        let b: usize = it.next()?.parse().ok()?;
        if it.next().is_some() || b < a {
            return None;
        }
        out.push((a, b));
    }
    out.sort_unstable();
    Some(out)
}

/// Reads the attribution relations of one `.ann` file. Relations without a content are
/// dropped; text-bound annotations of other types (`Discard`, `Discuss`) are ignored.
pub fn parse_ann(ann: &str) -> Result<Vec<BratRelation>, BratError> {
    let mut spans: HashMap<&str, (&str, Spans)> = HashMap::new();
    let mut events: Vec<(usize, &str, &str)> = Vec::new();
    for (i, line) in ann.lines().enumerate() {
        let line_no = i + 1;
        let bad = |reason: &str| BratError::Line { line: line_no, reason: reason.to_string() };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let id = cols.next().unwrap_or("");
        let body = cols.next().ok_or_else(|| bad("no tab after the id"))?;
        if id.starts_with('T') {
            let (typ, offsets) = body.split_once(' ').ok_or_else(|| bad("no offsets"))?;
            let frags = parse_fragments(offsets).ok_or_else(|| bad("bad offsets"))?;
            spans.insert(id, (typ, frags));
        } else if id.starts_with('E') {
            events.push((line_no, id, body));
        }
        // Relations (R), attributes (A), notes (#) and others carry nothing we score.
    }
    let mut out = Vec::new();
    for (line_no, id, body) in events {
        let mut content: Spans = Vec::new();
        let (mut source, mut cue) = (None, None);
        for arg in body.split_whitespace() {
            let Some((role, tid)) = arg.split_once(':') else { continue };
            let role = role.trim_end_matches(|c: char| c.is_ascii_digit());
            let Some((_, frags)) = spans.get(tid) else {
                if role.starts_with("Attribution") {
                    continue;
                }
                return Err(BratError::Line { line: line_no, reason: format!("{id} names unknown {tid}") });
            };
            match role {
                "Content" => content.extend(frags.iter().copied()),
                "Source" => source = Some(frags.clone()),
                "Cue" => cue = Some(frags.clone()),
                _ => {}
            }
        }
        if content.is_empty() {
            continue;
        }
        content.sort_unstable();
        content.dedup();
        out.push(BratRelation { id: id.to_string(), content, source, cue });
    }
    Ok(out)
}

/// One PolNeAR article: its text and gold attributions.
#[derive(Debug, Clone)]
pub struct Article {
    /// The file stem of the text (`breitbart_2016-09-12_stealth-over-health-hillary-clin`).
    pub name: String,
    pub text_path: PathBuf,
    pub ann_path: PathBuf,
    pub text: String,
    pub gold: Vec<Attribution>,
}

/// Reads a PolNeAR compartment (`DIR/text/*.txt`, `DIR/attributions/*.ann`), articles in
/// sorted order; an `.ann` file `X_abcd.ann` pairs with `X.txt` (the suffix names the
/// annotator); when several annotators did an article, the first file in sorted order is used.
pub fn read_polnear(dir: &Path) -> Result<Vec<Article>, BratError> {
    fn io(p: &Path) -> impl Fn(std::io::Error) -> BratError + '_ {
        move |source| BratError::Io { path: p.display().to_string(), source }
    }
    let ann_dir = dir.join("attributions");
    let text_dir = dir.join("text");
    let mut anns: Vec<PathBuf> = std::fs::read_dir(&ann_dir)
        .map_err(io(&ann_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .collect();
    anns.sort();
    let mut out: Vec<Article> = Vec::new();
    for ann_path in anns {
        let stem = ann_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = match stem.rsplit_once('_') {
            Some((n, _)) if text_dir.join(format!("{n}.txt")).exists() => n.to_string(),
            _ if text_dir.join(format!("{stem}.txt")).exists() => stem.clone(),
            _ => continue,
        };
        if out.last().is_some_and(|a| a.name == name) {
            continue;
        }
        let text_path = text_dir.join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&text_path).map_err(io(&text_path))?;
        let ann = std::fs::read_to_string(&ann_path).map_err(io(&ann_path))?;
        let rels = parse_ann(&ann)
            .map_err(|e| BratError::Ann { path: ann_path.display().to_string(), source: Box::new(e) })?;
        let chars: Vec<char> = text.chars().collect();
        let inside = quoted(&chars);
        let n = chars.len();
        let gold = rels
            .into_iter()
            .map(|r| {
                let clip = |s: Spans| -> Spans { s.into_iter().map(|(a, b)| (a.min(n), b.min(n))).collect() };
                let content = clip(r.content);
                let kind = kind_of(&chars, &inside, &content);
                Attribution {
                    content,
                    source: r.source.map(clip),
                    cue: r.cue.map(clip),
                    kind,
                    speaker_mentions: Vec::new(),
                }
            })
            .collect();
        out.push(Article { name, text_path, ann_path, text, gold });
    }
    if out.is_empty() {
        return Err(BratError::Empty(dir.display().to_string()));
    }
    Ok(out)
}

/// Maps UTF-8 byte offsets of a text to character offsets.
#[derive(Debug, Clone)]
pub struct CharIndex {
    starts: Vec<usize>,
    len: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        CharIndex { starts: text.char_indices().map(|(i, _)| i).collect(), len: text.len() }
    }

    /// The character offset of byte offset `byte` (a byte inside a character maps to that
    /// character; past the end maps to the character count).
    pub fn char_of(&self, byte: usize) -> usize {
        if byte >= self.len {
            return self.starts.len();
        }
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

fn is_open_double(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}

/// Marks the characters inside quotation marks (the marks included).
pub fn quoted(chars: &[char]) -> Vec<bool> {
    let n = chars.len();
    let mut inside = vec![false; n];
    let mut start = 0;
    while start < n {
        let end = (start..n).find(|&i| chars[i] == '\n').unwrap_or(n);
        let mut dq: Option<usize> = None;
        let mut sq: Option<usize> = None;
        let mut i = start;
        while i < end {
            let c = chars[i];
            let prev = if i > start { chars[i - 1] } else { ' ' };
            let next = if i + 1 < end { chars[i + 1] } else { ' ' };
            // Two apostrophes (or backticks) stand for a straight double quote.
            let twin = (c == '\'' && next == '\'') || (c == '`' && next == '`');
            let width = if twin { 2 } else { 1 };
            let straight = c == '"' || twin;
            if is_open_double(c) || (straight && dq.is_none()) {
                if dq.is_none() {
                    dq = Some(i);
                    sq = None;
                }
            } else if c == '”' || c == '»' || (straight && dq.is_some()) {
                if let Some(o) = dq.take() {
                    inside[o..(i + width).min(end)].iter_mut().for_each(|x| *x = true);
                }
            } else if dq.is_none() {
                if sq.is_none()
                    && matches!(c, '‘' | '\'')
                    && !prev.is_alphanumeric()
                    && (next.is_alphanumeric() || matches!(next, '"' | '“'))
                {
                    sq = Some(i);
                } else if matches!(c, '’' | '\'') && !prev.is_whitespace() && !next.is_alphanumeric() {
                    if let Some(o) = sq.take() {
                        inside[o..=i].iter_mut().for_each(|x| *x = true);
                    }
                }
            }
            i += width;
        }
        if let Some(o) = dq {
            inside[o..end].iter_mut().for_each(|x| *x = true);
        }
        start = end + 1;
    }
    inside
}

fn kind_of(chars: &[char], inside: &[bool], content: &Spans) -> Kind {
    let (mut total, mut quoted) = (0usize, 0usize);
    for &(a, b) in content {
        for i in a..b.min(chars.len()) {
            if chars[i].is_alphanumeric() {
                total += 1;
                quoted += usize::from(inside[i]);
            }
        }
    }
    if total > 0 && quoted as f64 >= 0.99 * total as f64 {
        Kind::Direct
    } else {
        Kind::Indirect
    }
}

fn is_quote_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»' | '‘' | '’' | '\'' | '`' | '‹' | '›')
}

fn is_trim(c: char) -> bool {
    c.is_whitespace() || is_quote_mark(c) || matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '…' | '—' | '–' | '-')
}

/// A span with whitespace, quote marks and punctuation trimmed from both ends of every
/// fragment and a leading "that" (any case) dropped; empty fragments vanish. Used for the
/// exact content match.
pub fn trim_span(chars: &[char], span: &Spans) -> Spans {
    let mut out = Vec::new();
    for (k, &(a, b)) in span.iter().enumerate() {
        let (mut a, mut b) = (a.min(chars.len()), b.min(chars.len()));
        loop {
            while a < b && is_trim(chars[a]) {
                a += 1;
            }
            let that = k == 0
                && out.is_empty()
                && b >= a + 5
                && chars[a..a + 4].iter().collect::<String>().eq_ignore_ascii_case("that")
                && !chars[a + 4].is_alphanumeric();
            if !that {
                break;
            }
            a += 4;
        }
        while b > a && is_trim(chars[b - 1]) {
            b -= 1;
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Prf {
    pub gold: usize,
    pub predicted: usize,
    /// Gold items matched (recall numerator).
    pub gold_matched: usize,
    /// Predicted items matched (precision numerator).
    pub predicted_matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(gold: usize, predicted: usize, gold_matched: usize, predicted_matched: usize) -> Prf {
        let (p, r) = (ratio(predicted_matched, predicted), ratio(gold_matched, gold));
        Prf { gold, predicted, gold_matched, predicted_matched, precision: p, recall: r, f1: f1(p, r) }
    }
}

/// The figures for one kind of attribution (or all).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindReport {
    /// Content F1, overlap match (the headline figure).
    pub content_f1: f64,
    pub content_exact_f1: f64,
    pub source_f1: f64,
    pub cue_f1: f64,
    pub speaker_accuracy: f64,
    pub gold_attributions: usize,
    pub predicted_attributions: usize,
    pub content_overlap: Prf,
    pub content_exact: Prf,
    pub source: Prf,
    pub cue: Prf,
    /// Matched contents whose gold has a source.
    pub speaker_total: usize,
    /// … of which the predicted source overlaps the gold source.
    pub speaker_correct: usize,
    /// Like `speaker_accuracy`, but a prediction whose resolved speaker entity has a mention
    /// overlapping the gold source also counts (a speaker carried over without a source span).
    pub speaker_entity_accuracy: f64,
    pub speaker_entity_correct: usize,
}

/// The whole report: the all-attributions figures at the top level.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuotesReport {
    pub documents: usize,
    #[serde(flatten)]
    pub all: KindReport,
    pub direct: KindReport,
    pub indirect: KindReport,
    /// Matched content pairs by `gold kind → predicted kind` (`direct->indirect`, …).
    pub kind_confusion: BTreeMap<String, usize>,
}

/// One attribution shown in an error list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shown {
    pub doc: usize,
    pub kind: Kind,
    pub content: String,
    pub source: Option<String>,
    pub cue: Option<String>,
    /// The content's start, in characters (for ordering and finding it).
    pub at: usize,
}

/// A matched content whose predicted source misses the gold source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrongSpeaker {
    pub gold: Shown,
    pub predicted_source: Option<String>,
}

/// Error lists for tuning, in document order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuoteErrors {
    pub missed: Vec<Shown>,
    pub spurious: Vec<Shown>,
    pub wrong_speaker: Vec<WrongSpeaker>,
    /// Matched contents whose boundaries differ (overlap but not exact): (gold, predicted).
    pub boundary: Vec<(Shown, Shown)>,
}

impl QuoteErrors {
    /// The lower-cased cues of missed gold attributions, most frequent first.
    pub fn missed_cues(&self) -> Vec<(String, usize)> {
        count(self.missed.iter().map(|s| s.cue.as_deref().unwrap_or("(none)").to_lowercase()))
    }

    /// The lower-cased cues of spurious predictions, most frequent first.
    pub fn spurious_cues(&self) -> Vec<(String, usize)> {
        count(self.spurious.iter().map(|s| s.cue.as_deref().unwrap_or("(none)").to_lowercase()))
    }
}

fn count(items: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *m.entry(i).or_default() += 1;
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Letters and digits shared by two spans, through a prefix count of letters and digits.
fn overlap(alnum: &[usize], a: &Spans, b: &Spans) -> usize {
    let mut n = 0;
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (s, e) = (a0.max(b0), a1.min(b1));
            if s < e {
                n += alnum[e.min(alnum.len() - 1)] - alnum[s.min(alnum.len() - 1)];
            }
        }
    }
    n
}

/// Greedy one-to-one matching by largest overlap (ties: earlier gold, then earlier
/// prediction). Returns (gold index, predicted index) pairs.
fn match_overlap(alnum: &[usize], gold: &[&Spans], pred: &[&Spans]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (g, gs) in gold.iter().enumerate() {
        for (p, ps) in pred.iter().enumerate() {
            let o = overlap(alnum, gs, ps);
            if o > 0 {
                pairs.push((o, g, p));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut gu, mut pu) = (vec![false; gold.len()], vec![false; pred.len()]);
    let mut out = Vec::new();
    for (_, g, p) in pairs {
        if !gu[g] && !pu[p] {
            gu[g] = true;
            pu[p] = true;
            out.push((g, p));
        }
    }
    out.sort_unstable();
    out
}

/// Per-kind tallies: [all, direct, indirect].
#[derive(Default, Clone, Copy)]
struct Tally {
    gold: usize,
    pred: usize,
    gold_matched: usize,
    pred_matched: usize,
}

fn slot(k: Kind) -> usize {
    match k {
        Kind::Direct => 1,
        Kind::Indirect => 2,
    }
}

fn add(t: &mut [Tally; 3], kinds: &[Kind], f: impl Fn(&mut Tally)) {
    f(&mut t[0]);
    let mut seen = [false; 3];
    for &k in kinds {
        if !seen[slot(k)] {
            seen[slot(k)] = true;
            f(&mut t[slot(k)]);
        }
    }
}

/// Distinct spans with the kinds of the attributions holding them.
fn distinct<'a>(
    atts: &'a [Attribution],
    get: impl Fn(&'a Attribution) -> Option<&'a Spans>,
) -> Vec<(&'a Spans, Vec<Kind>)> {
    let mut out: Vec<(&Spans, Vec<Kind>)> = Vec::new();
    for a in atts {
        let Some(s) = get(a).filter(|s| !s.is_empty()) else { continue };
        match out.iter_mut().find(|(x, _)| *x == s) {
            Some((_, ks)) => ks.push(a.kind),
            None => out.push((s, vec![a.kind])),
        }
    }
    out
}

fn render(chars: &[char], s: &Spans) -> String {
    s.iter()
        .map(|&(a, b)| chars[a.min(chars.len())..b.min(chars.len())].iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" … ")
        .replace('\n', " ")
}

fn show(doc: usize, chars: &[char], a: &Attribution) -> Shown {
    Shown {
        doc,
        kind: a.kind,
        content: render(chars, &a.content),
        source: a.source.as_ref().map(|s| render(chars, s)),
        cue: a.cue.as_ref().map(|s| render(chars, s)),
        at: a.content.first().map_or(0, |x| x.0),
    }
}

/// Scores predicted attributions against gold, per document `(text, gold, predicted)`,
/// all in character offsets of `text`. See the module docs for the rules.
pub fn score(docs: &[(&str, &[Attribution], &[Attribution])]) -> (QuotesReport, QuoteErrors) {
    let mut content = [Tally::default(); 3];
    let mut exact = [Tally::default(); 3];
    let mut source = [Tally::default(); 3];
    let mut cue = [Tally::default(); 3];
    let mut speaker = [(0usize, 0usize, 0usize); 3];
    let mut confusion: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = QuoteErrors::default();
    for (d, &(text, gold, pred)) in docs.iter().enumerate() {
        let chars: Vec<char> = text.chars().collect();
        let mut alnum = Vec::with_capacity(chars.len() + 2);
        alnum.push(0);
        for c in &chars {
            alnum.push(alnum.last().unwrap() + usize::from(c.is_alphanumeric()));
        }
        alnum.push(*alnum.last().unwrap());
        let gc: Vec<&Spans> = gold.iter().map(|a| &a.content).collect();
        let pc: Vec<&Spans> = pred.iter().map(|a| &a.content).collect();
        let m = match_overlap(&alnum, &gc, &pc);
        let (mut gm, mut pm) = (vec![None; gold.len()], vec![None; pred.len()]);
        for &(g, p) in &m {
            gm[g] = Some(p);
            pm[p] = Some(g);
        }
        for (g, a) in gold.iter().enumerate() {
            add(&mut content, &[a.kind], |t| {
                t.gold += 1;
                t.gold_matched += usize::from(gm[g].is_some());
            });
            if gm[g].is_none() {
                errors.missed.push(show(d, &chars, a));
            }
        }
        for (p, a) in pred.iter().enumerate() {
            add(&mut content, &[a.kind], |t| {
                t.pred += 1;
                t.pred_matched += usize::from(pm[p].is_some());
            });
            if pm[p].is_none() {
                errors.spurious.push(show(d, &chars, a));
            }
        }
        // Exact: one-to-one among equal trimmed spans.
        let gt: Vec<Spans> = gold.iter().map(|a| trim_span(&chars, &a.content)).collect();
        let pt: Vec<Spans> = pred.iter().map(|a| trim_span(&chars, &a.content)).collect();
        let mut pe = vec![false; pred.len()];
        let mut ge = vec![false; gold.len()];
        // Prefer the overlap partner when it is exact, then any free equal prediction.
        for &(g, p) in &m {
            if !gt[g].is_empty() && gt[g] == pt[p] {
                ge[g] = true;
                pe[p] = true;
            }
        }
        for g in 0..gold.len() {
            if ge[g] || gt[g].is_empty() {
                continue;
            }
            if let Some(p) = (0..pred.len()).find(|&p| !pe[p] && pt[p] == gt[g]) {
                ge[g] = true;
                pe[p] = true;
            }
        }
        for (g, a) in gold.iter().enumerate() {
            add(&mut exact, &[a.kind], |t| {
                t.gold += 1;
                t.gold_matched += usize::from(ge[g]);
            });
        }
        for (p, a) in pred.iter().enumerate() {
            add(&mut exact, &[a.kind], |t| {
                t.pred += 1;
                t.pred_matched += usize::from(pe[p]);
            });
        }
        for &(g, p) in &m {
            let key = format!("{}->{}", gold[g].kind.name(), pred[p].kind.name());
            *confusion.entry(key).or_default() += 1;
            if !ge[g] {
                errors.boundary.push((show(d, &chars, &gold[g]), show(d, &chars, &pred[p])));
            }
            if let Some(gs) = &gold[g].source {
                let ok = pred[p].source.as_ref().is_some_and(|ps| overlap(&alnum, gs, ps) > 0);
                let entity_ok = ok || pred[p].speaker_mentions.iter().any(|m| overlap(&alnum, gs, m) > 0);
                for i in [0, slot(gold[g].kind)] {
                    speaker[i].0 += 1;
                    speaker[i].1 += usize::from(ok);
                    speaker[i].2 += usize::from(entity_ok);
                }
                if !ok {
                    errors.wrong_speaker.push(WrongSpeaker {
                        gold: show(d, &chars, &gold[g]),
                        predicted_source: pred[p].source.as_ref().map(|s| render(&chars, s)),
                    });
                }
            }
        }
        // Sources and cues: distinct spans, matched by overlap.
        for (tally, gs, ps) in [
            (&mut source, distinct(gold, |a| a.source.as_ref()), distinct(pred, |a| a.source.as_ref())),
            (&mut cue, distinct(gold, |a| a.cue.as_ref()), distinct(pred, |a| a.cue.as_ref())),
        ] {
            let gspans: Vec<&Spans> = gs.iter().map(|x| x.0).collect();
            let pspans: Vec<&Spans> = ps.iter().map(|x| x.0).collect();
            let mm = match_overlap(&alnum, &gspans, &pspans);
            for (i, (_, kinds)) in gs.iter().enumerate() {
                let hit = mm.iter().any(|x| x.0 == i);
                add(tally, kinds, |t| {
                    t.gold += 1;
                    t.gold_matched += usize::from(hit);
                });
            }
            for (i, (_, kinds)) in ps.iter().enumerate() {
                let hit = mm.iter().any(|x| x.1 == i);
                add(tally, kinds, |t| {
                    t.pred += 1;
                    t.pred_matched += usize::from(hit);
                });
            }
        }
    }
    let prf = |t: Tally| Prf::new(t.gold, t.pred, t.gold_matched, t.pred_matched);
    let kind = |i: usize| {
        let (c, e, s, q) = (prf(content[i]), prf(exact[i]), prf(source[i]), prf(cue[i]));
        KindReport {
            content_f1: c.f1,
            content_exact_f1: e.f1,
            source_f1: s.f1,
            cue_f1: q.f1,
            speaker_accuracy: ratio(speaker[i].1, speaker[i].0),
            gold_attributions: c.gold,
            predicted_attributions: c.predicted,
            content_overlap: c,
            content_exact: e,
            source: s,
            cue: q,
            speaker_total: speaker[i].0,
            speaker_correct: speaker[i].1,
            speaker_entity_accuracy: ratio(speaker[i].2, speaker[i].0),
            speaker_entity_correct: speaker[i].2,
        }
    };
    let report = QuotesReport {
        documents: docs.len(),
        all: kind(0),
        direct: kind(1),
        indirect: kind(2),
        kind_confusion: confusion,
    };
    (report, errors)
}

/// What the gold annotation looks like: the conventions an extractor must follow.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GoldConventions {
    pub attributions: usize,
    pub direct: usize,
    pub indirect: usize,
    /// Direct contents whose span starts with a quotation mark (marks included in the span).
    pub direct_starting_with_mark: usize,
    /// Direct contents whose span ends with a quotation mark.
    pub direct_ending_with_mark: usize,
    /// Direct contents ending `,”` / `,"` (the comma before the cue kept inside).
    pub direct_ending_comma_mark: usize,
    /// Direct contents ending `.”` / `."`.
    pub direct_ending_period_mark: usize,
    /// Indirect contents starting with "that".
    pub indirect_starting_that: usize,
    /// Indirect contents whose next character outside is "that " immediately before (the
    /// complementizer left out of the span).
    pub indirect_after_that: usize,
    /// Indirect contents ending with `.`, `!` or `?` (sentence punctuation kept).
    pub indirect_ending_punct: usize,
    /// Indirect contents followed directly by `.` (sentence punctuation left out).
    pub indirect_followed_by_period: usize,
    /// Contents in several fragments (interrupted by the cue or source).
    pub discontinuous: usize,
    /// Contents spanning more than one sentence (a `.`, `?` or `!` then a space or line
    /// break followed by more content).
    pub multi_sentence: usize,
    /// Direct contents spanning more than one sentence.
    pub direct_multi_sentence: usize,
    /// Contents spanning more than one paragraph.
    pub multi_paragraph: usize,
    /// Cues that end before the content starts ("said that …", "said: “…”").
    pub cue_before_content: usize,
    pub without_source: usize,
    pub without_cue: usize,
    /// Sources that are a personal pronoun (he, she, they, …).
    pub pronoun_sources: usize,
    /// Sources that start after the content ends ("…,” he said).
    pub source_after_content: usize,
    /// Direct attributions, by the same measures.
    pub direct_without_source: usize,
    pub direct_pronoun_sources: usize,
    pub direct_source_after_content: usize,
    /// The most frequent cues (lower-cased), all kinds.
    pub top_cues: Vec<(String, usize)>,
    /// The most frequent cues of direct attributions.
    pub top_direct_cues: Vec<(String, usize)>,
    /// The most frequent sources (lower-cased).
    pub top_sources: Vec<(String, usize)>,
}

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "i", "we", "you", "him", "her", "them", "his", "its", "their"];

/// Counts the gold conventions over articles.
pub fn gold_conventions(articles: &[Article]) -> GoldConventions {
    let mut g = GoldConventions::default();
    let (mut cues, mut dcues, mut sources) = (Vec::new(), Vec::new(), Vec::new());
    for art in articles {
        let chars: Vec<char> = art.text.chars().collect();
        let at = |i: usize| chars.get(i).copied().unwrap_or(' ');
        for a in &art.gold {
            g.attributions += 1;
            let (s, e) = (a.content.first().map_or(0, |x| x.0), a.content.last().map_or(0, |x| x.1));
            let first = at(s);
            let last = at(e.saturating_sub(1));
            let before_last = at(e.saturating_sub(2));
            let direct = a.kind == Kind::Direct;
            if direct {
                g.direct += 1;
                g.direct_starting_with_mark += usize::from(is_quote_mark(first));
                g.direct_ending_with_mark += usize::from(is_quote_mark(last));
                g.direct_ending_comma_mark += usize::from(is_quote_mark(last) && before_last == ',');
                g.direct_ending_period_mark += usize::from(is_quote_mark(last) && before_last == '.');
            } else {
                g.indirect += 1;
                let head: String = chars[s.min(chars.len())..(s + 5).min(chars.len())].iter().collect();
                g.indirect_starting_that +=
                    usize::from(head.to_lowercase().starts_with("that") && !at(s + 4).is_alphanumeric());
                let pre: String = chars[s.saturating_sub(5)..s.min(chars.len())].iter().collect();
                g.indirect_after_that +=
                    usize::from(pre.to_lowercase() == "that " && (s < 6 || !at(s - 6).is_alphanumeric()));
                g.indirect_ending_punct += usize::from(matches!(last, '.' | '!' | '?'));
                g.indirect_followed_by_period += usize::from(at(e) == '.');
            }
            g.discontinuous += usize::from(a.content.len() > 1);
            let mut multi = false;
            let mut para = false;
            for &(x, y) in &a.content {
                for i in x..y.min(chars.len()) {
                    if chars[i] == '\n' {
                        para = true;
                    }
                    if matches!(chars[i], '.' | '?' | '!') && i + 2 < y {
                        let mut j = i + 1;
                        while j < y && is_quote_mark(chars[j]) {
                            j += 1;
                        }
                        if j < y && chars[j].is_whitespace() && (j + 1..y).any(|k| chars[k].is_alphanumeric()) {
                            let nxt = (j..y).find(|&k| !chars[k].is_whitespace()).map(|k| chars[k]);
                            if nxt.is_some_and(|c| c.is_uppercase() || is_quote_mark(c)) {
                                multi = true;
                            }
                        }
                    }
                }
            }
            g.multi_sentence += usize::from(multi);
            g.direct_multi_sentence += usize::from(multi && direct);
            g.cue_before_content += usize::from(a.cue.as_ref().and_then(|c| c.last()).is_some_and(|c| c.1 <= s));
            g.multi_paragraph += usize::from(para);
            match &a.source {
                None => {
                    g.without_source += 1;
                    g.direct_without_source += usize::from(direct);
                }
                Some(src) => {
                    let t = render(&chars, src).trim().to_lowercase();
                    let pron = PRONOUNS.contains(&t.as_str());
                    g.pronoun_sources += usize::from(pron);
                    g.direct_pronoun_sources += usize::from(pron && direct);
                    let after = src.first().is_some_and(|x| x.0 >= e);
                    g.source_after_content += usize::from(after);
                    g.direct_source_after_content += usize::from(after && direct);
                    sources.push(t);
                }
            }
            match &a.cue {
                None => g.without_cue += 1,
                Some(c) => {
                    let t = render(&chars, c).trim().to_lowercase();
                    if direct {
                        dcues.push(t.clone());
                    }
                    cues.push(t);
                }
            }
        }
    }
    g.top_cues = count(cues.into_iter()).into_iter().take(30).collect();
    g.top_direct_cues = count(dcues.into_iter()).into_iter().take(20).collect();
    g.top_sources = count(sources.into_iter()).into_iter().take(20).collect();
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(content: Spans, source: Option<Spans>, cue: Option<Spans>, kind: Kind) -> Attribution {
        Attribution { content, source, cue, kind, speaker_mentions: Vec::new() }
    }

    #[test]
    fn parses_brat_lines() {
        let ann = "T1\tSource 89 106\tThe New York Post\n\
                   T2\tCue 107 114\treports\n\
                   T3\tContent 115 120;130 140\tthat x y\n\
                   T4\tAttribution 107 114\treports\n\
                   E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
                   T5\tCue 200 204\tsaid\n\
                   T6\tContent 150 160\tabc\n\
                   T7\tContent 170 175\tdef\n\
                   T8\tAttribution-no-source 200 204\tsaid\n\
                   E2\tAttribution-no-source:T8 Content:T6 Cue:T5 Content2:T7\n\
                   E3\tAttribution-no-source:T9 \n\
                   T10\tDiscard 0 5\tRead\n";
        let r = parse_ann(ann).unwrap();
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].content, vec![(115, 120), (130, 140)]);
        assert_eq!(r[0].source, Some(vec![(89, 106)]));
        assert_eq!(r[0].cue, Some(vec![(107, 114)]));
        assert_eq!(r[1].content, vec![(150, 160), (170, 175)]);
        assert_eq!(r[1].source, None);
        assert_eq!(r[1].id, "E2");
    }

    #[test]
    fn rejects_bad_lines() {
        for bad in ["T1\tSource x y\tz\n", "T1\tSource 5 3\tz\n", "E1\tAttribution:T1 Content:T7\nT1\tCue 1 2\ta\n"] {
            assert!(parse_ann(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn direct_or_indirect() {
        // (text, content substring, expected kind)
        let cases: &[(&str, &str, Kind)] = &[
            ("“We will win,” he said.", "“We will win,”", Kind::Direct),
            ("\"We will win,\" he said.", "\"We will win,\"", Kind::Direct),
            ("He said that “we will win.”", "that “we will win.”", Kind::Indirect),
            ("He said they would win.", "they would win", Kind::Indirect),
            ("He called it ‘a disgrace’ today.", "it ‘a disgrace’", Kind::Indirect),
            ("He said: ''We will win.''", "''We will win.''", Kind::Direct),
            ("Clinton’s aide said: ‘We will win.’", "‘We will win.’", Kind::Direct),
            // An unclosed quote at the end of a paragraph runs to its end.
            ("He said: “We will win.\n“And soon.”", "“We will win.", Kind::Direct),
            ("It's the voters' choice, they said.", "It's the voters' choice", Kind::Indirect),
        ];
        for &(text, content, want) in cases {
            let b = text.find(content).unwrap();
            let s = text[..b].chars().count();
            let e = s + content.chars().count();
            let rel = BratRelation { id: "E1".into(), content: vec![(s, e)], source: None, cue: None };
            assert_eq!(rel.classify(text).kind, want, "{text:?} / {content:?}");
        }
    }

    #[test]
    fn trims_for_exact_match() {
        let text = "He said that “we will win,” and left.";
        let chars: Vec<char> = text.chars().collect();
        let s = text[..text.find("that").unwrap()].chars().count();
        let e = s + "that “we will win,”".chars().count();
        let w = s + "that “".chars().count();
        assert_eq!(trim_span(&chars, &vec![(s, e)]), vec![(w, w + "we will win".len())]);
        // "thatcher" is not "that".
        let text = "Thatcher won.";
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(trim_span(&chars, &vec![(0, 13)]), vec![(0, 12)]);
    }

    #[test]
    fn char_index_maps_bytes() {
        let t = "a“b”c";
        let ix = CharIndex::new(t);
        assert_eq!(ix.char_of(0), 0);
        assert_eq!(ix.char_of(1), 1);
        assert_eq!(ix.char_of(4), 2);
        assert_eq!(ix.char_of(t.len()), 5);
    }

    #[test]
    fn scores_table() {
        //           0         1         2         3         4         5         6
        //           0123456789012345678901234567890123456789012345678901234567890123
        let text = "“We will win,” he said. Smith said taxes would rise. Jones left.";
        let d = Kind::Direct;
        let i = Kind::Indirect;
        let gold = [
            att(vec![(0, 14)], Some(vec![(15, 17)]), Some(vec![(18, 22)]), d),
            att(vec![(35, 52)], Some(vec![(24, 29)]), Some(vec![(30, 34)]), i),
        ];
        struct Case {
            name: &'static str,
            pred: Vec<Attribution>,
            // all: content overlap F1, exact F1, source F1, cue F1, speaker accuracy; direct content F1
            want: (f64, f64, f64, f64, f64, f64),
        }
        let cases = vec![
            Case { name: "nothing", pred: vec![], want: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0) },
            Case {
                name: "perfect, marks and punctuation trimmed",
                pred: vec![
                    att(vec![(1, 12)], Some(vec![(15, 17)]), Some(vec![(18, 22)]), d),
                    att(vec![(35, 51)], Some(vec![(24, 29)]), Some(vec![(30, 34)]), i),
                ],
                want: (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
            },
            Case {
                name: "short content, wrong speaker",
                pred: vec![att(vec![(1, 8)], Some(vec![(24, 29)]), Some(vec![(18, 22)]), d)],
                // content: P 1/1, R 1/2 → 2/3; exact 0; source: P 1/1 R 1/2 (Smith matches gold
                // Smith); cue: P 1 R 1/2; speaker 0/1.
                want: (2.0 / 3.0, 0.0, 2.0 / 3.0, 2.0 / 3.0, 0.0, 1.0),
            },
            Case {
                name: "one spurious, overlap on a space is no match",
                pred: vec![att(vec![(22, 24)], None, None, i)],
                want: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            },
        ];
        for c in cases {
            let (r, e) = score(&[(text, &gold[..], &c.pred[..])]);
            let got = (
                r.all.content_f1,
                r.all.content_exact_f1,
                r.all.source_f1,
                r.all.cue_f1,
                r.all.speaker_accuracy,
                r.direct.content_f1,
            );
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
            assert!(
                close(got.0, c.want.0)
                    && close(got.1, c.want.1)
                    && close(got.2, c.want.2)
                    && close(got.3, c.want.3)
                    && close(got.4, c.want.4)
                    && close(got.5, c.want.5),
                "{}: got {got:?}, want {:?}",
                c.name,
                c.want
            );
            assert_eq!(e.missed.len() + r.all.content_overlap.gold_matched, 2, "{}", c.name);
        }
    }

    #[test]
    fn kind_split_counts_each_side() {
        // A direct gold quote predicted as indirect: found (content), but precision of
        // indirect and recall of direct both count it.
        let text = "“We will win,” he said.";
        let gold = [att(vec![(0, 14)], Some(vec![(15, 17)]), None, Kind::Direct)];
        let pred = [att(vec![(0, 14)], Some(vec![(15, 17)]), None, Kind::Indirect)];
        let (r, _) = score(&[(text, &gold[..], &pred[..])]);
        assert_eq!(r.direct.content_overlap.recall, 1.0);
        assert_eq!(r.direct.content_overlap.predicted, 0);
        assert_eq!(r.indirect.content_overlap.precision, 1.0);
        assert_eq!(r.indirect.content_overlap.gold, 0);
        assert_eq!(r.kind_confusion.get("direct->indirect"), Some(&1));
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["content_f1"].is_f64() && json["direct"]["speaker_accuracy"].is_f64(), "{json}");
    }

    #[test]
    fn speaker_entity_without_source_span() {
        let text = "Smith spoke. “We will win,” he said.";
        let gold = [att(vec![(13, 27)], Some(vec![(28, 30)]), Some(vec![(31, 35)]), Kind::Direct)];
        let mut p = att(vec![(14, 25)], None, None, Kind::Direct);
        let (r, _) = score(&[(text, &gold[..], std::slice::from_ref(&p))]);
        assert_eq!((r.direct.speaker_accuracy, r.direct.speaker_entity_accuracy), (0.0, 0.0));
        // The speaker entity's mentions: "Smith" (no), then "he" resolved to it (yes).
        p.speaker_mentions = vec![vec![(0, 5)]];
        let (r, _) = score(&[(text, &gold[..], std::slice::from_ref(&p))]);
        assert_eq!(r.direct.speaker_entity_accuracy, 0.0);
        p.speaker_mentions.push(vec![(28, 30)]);
        let (r, _) = score(&[(text, &gold[..], std::slice::from_ref(&p))]);
        assert_eq!((r.direct.speaker_accuracy, r.direct.speaker_entity_accuracy), (0.0, 1.0));
        assert_eq!(r.all.speaker_entity_correct, 1);
    }

    #[test]
    fn shared_sources_count_once() {
        let text = "Smith said A and said B.";
        let gold = [
            att(vec![(11, 12)], Some(vec![(0, 5)]), Some(vec![(6, 10)]), Kind::Indirect),
            att(vec![(22, 23)], Some(vec![(0, 5)]), Some(vec![(17, 21)]), Kind::Indirect),
        ];
        let (r, _) = score(&[(text, &gold[..], &gold[..])]);
        assert_eq!(r.all.source.gold, 1);
        assert_eq!(r.all.cue.gold, 2);
        assert_eq!(r.all.source_f1, 1.0);
    }

    #[test]
    fn reads_polnear_layout() {
        let dir = std::env::temp_dir().join(format!("newsgraph-polnear-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("text")).unwrap();
        std::fs::create_dir_all(dir.join("attributions")).unwrap();
        // Characters, not bytes: “ and ’ are three bytes each.
        let text = "Clinton’s aide said: “We’ll win.”\n\nHe said that taxes would rise.\n";
        std::fs::write(dir.join("text/a_x.txt"), text).unwrap();
        let first = "T1\tSource 0 14\tClinton’s aide\nT2\tCue 15 19\tsaid\nT3\tContent 21 33\t“We’ll win.”\n\
                     T4\tAttribution 15 19\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
                     T5\tSource 35 37\tHe\nT6\tCue 38 42\tsaid\nT7\tContent 43 64\tthat taxes would rise\n\
                     T8\tAttribution 38 42\tsaid\nE2\tAttribution:T8 Content:T7 Cue:T6 Source:T5\n";
        std::fs::write(dir.join("attributions/a_x_1111.ann"), first).unwrap();
        std::fs::write(dir.join("attributions/a_x_2222.ann"), "").unwrap();
        std::fs::write(dir.join("attributions/orphan_1111.ann"), first).unwrap();
        let arts = read_polnear(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(arts.len(), 1);
        assert_eq!(arts[0].name, "a_x");
        assert!(arts[0].ann_path.ends_with("a_x_1111.ann"));
        let kinds: Vec<Kind> = arts[0].gold.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [Kind::Direct, Kind::Indirect]);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(render(&chars, &arts[0].gold[0].content), "“We’ll win.”");
        let g = gold_conventions(&arts);
        let got =
            (g.direct, g.direct_starting_with_mark, g.indirect_starting_that, g.pronoun_sources, g.cue_before_content);
        assert_eq!(got, (1, 1, 1, 1, 2));
        assert_eq!(g.top_cues, [("said".to_string(), 2)]);
    }
}
