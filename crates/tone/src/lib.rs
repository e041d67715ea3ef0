//! Tone: GDELT GKG's tone fields for a whole document.
//!
//! [`ToneScorer::annotate`] reads a document's tokens (and mentions, whose words are names,
//! not tone) and fills `layers.tone` ([`newsgraph_model::Tone`]) the way the GKG 2.1
//! codebook defines its V1.5 tone: the percentage of words with a positive and with a
//! negative connotation, tone = positive − negative, polarity = the percentage of words in
//! the tonal dictionary, the percentage of active words, the percentage of personal
//! pronouns, and the word count.
//!
//! The tonal dictionary is the VADER lexicon (`data/vader.tsv`, MIT licence, generated from
//! the PyPI package `vaderSentiment` by `scripts/make_vader_lexicon.py`): a word counts as
//! positive when its mean valence is above zero and negative when below. A negator ("not",
//! "no", "never", "n't") flips the next lexicon word within three words. Our own lists
//! (`data/words.tsv`) hold the negators, VADER words that carry no tone in news prose, the
//! pronouns and the active words.
//!
//! ```
//! use newsgraph_model::DocumentBuilder;
//! use newsgraph_tone::ToneScorer;
//! let mut doc = DocumentBuilder::new("The attack killed dozens and left the city in ruins.").build();
//! newsgraph_text::Segmenter::default().annotate(&mut doc);
//! ToneScorer::builtin().annotate(&mut doc);
//! let tone = doc.layers.tone.unwrap();
//! assert!(tone.tone < 0.0 && tone.negative > tone.positive);
//! ```

#[cfg(test)]
mod tests;

use newsgraph_model::{Document, TokenKind, Tone};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Scores tone. Build once ([`ToneScorer::builtin`]) and share.
#[derive(Debug, Default)]
pub struct ToneScorer {
    valence: HashMap<String, f32>,
    negators: HashSet<String>,
    neutral: HashSet<String>,
    pronouns: HashSet<String>,
    active: HashSet<String>,
    /// The lexicon's name, for evidence.
    source: String,
}

/// Words a negator reaches.
const NEGATION_REACH: usize = 3;

impl ToneScorer {
    /// The shipped lexicon and lists (compiled in), built once.
    pub fn builtin() -> &'static ToneScorer {
        static T: OnceLock<ToneScorer> = OnceLock::new();
        T.get_or_init(|| ToneScorer::parse(include_str!("../data/vader.tsv"), include_str!("../data/words.tsv")))
    }

    /// Reads a `word<TAB>valence` lexicon and the `list<TAB>words` lists; `#` comments and
    /// malformed lines are skipped. The lexicon's first comment line names it in evidence.
    pub fn parse(lexicon: &str, lists: &str) -> ToneScorer {
        let mut t = ToneScorer::default();
        for line in lexicon.lines() {
            if line.starts_with('#') {
                continue;
            }
            if let Some((w, v)) = line.split_once('\t') {
                if let Ok(v) = v.trim().parse::<f32>() {
                    t.valence.insert(w.to_lowercase(), v);
                }
            }
        }
        t.source = match lexicon.lines().nth(1).and_then(|l| l.strip_prefix("# From the PyPI package ")) {
            Some(s) => format!("VADER lexicon ({}, {} words)", s.split(" (").next().unwrap_or(s), t.valence.len()),
            None => format!("lexicon of {} words", t.valence.len()),
        };
        for line in lists.lines() {
            let Some((list, words)) = line.split_once('\t') else { continue };
            if line.starts_with('#') {
                continue;
            }
            let set = match list {
                "negator" => &mut t.negators,
                "neutral" => &mut t.neutral,
                "pronoun" => &mut t.pronouns,
                "active" => &mut t.active,
                _ => continue,
            };
            set.extend(words.split('|').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()));
        }
        t
    }

    /// The valence of a word in the lexicon (lower case), if it has one.
    pub fn valence(&self, word: &str) -> Option<f32> {
        self.valence.get(word).copied()
    }

    /// Fills `doc.layers.tone`.
    pub fn annotate(&self, doc: &mut Document) {
        doc.layers.tone = Some(self.score(doc));
    }

    /// Whether a (lower-case) word is an active word, in any regular inflection.
    fn is_active(&self, w: &str) -> bool {
        if self.active.contains(w) {
            return true;
        }
        for suffix in ["s", "es", "ed", "d", "ing"] {
            if let Some(stem) = w.strip_suffix(suffix) {
                if self.active.contains(stem) {
                    return true;
                }
                // "attacking" → "attack", "raided" → "raid"; "striking" → "strike".
                if (suffix == "ing" || suffix == "ed") && stem.len() < 24 {
                    let mut e = [0u8; 24];
                    e[..stem.len()].copy_from_slice(stem.as_bytes());
                    e[stem.len()] = b'e';
                    if std::str::from_utf8(&e[..=stem.len()]).is_ok_and(|x| self.active.contains(x)) {
                        return true;
                    }
                }
                // "hitting" → "hit", "shelled" → "shell" (doubled consonant).
                let b = stem.as_bytes();
                if b.len() > 2 && b[b.len() - 1] == b[b.len() - 2] && self.active.contains(&stem[..stem.len() - 1]) {
                    return true;
                }
            }
        }
        false
    }

    /// The tone of a document.
    pub fn score(&self, doc: &Document) -> Tone {
        let text = doc.text();
        let mentions = &doc.layers.mentions;
        let mut m = 0;
        let (mut words, mut pos, mut neg, mut active, mut pronouns, mut flipped) = (0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
        let mut negation_left = 0usize;
        let mut hits: HashMap<String, (u32, f32)> = HashMap::new();
        let mut buf = String::new();
        let mut sentence = u32::MAX;
        for t in &doc.layers.tokens {
            if !matches!(t.kind, TokenKind::Word | TokenKind::Number) {
                continue;
            }
            words += 1;
            if t.sentence != sentence {
                sentence = t.sentence;
                negation_left = 0;
            }
            if t.kind == TokenKind::Number {
                continue;
            }
            let raw = text.get(t.span.range()).unwrap_or("");
            buf.clear();
            buf.extend(raw.chars().flat_map(char::to_lowercase).map(|c| if c == '’' { '\'' } else { c }));
            let w = buf.as_str();
            if self.negators.contains(w) {
                negation_left = NEGATION_REACH + 1;
                continue;
            }
            negation_left = negation_left.saturating_sub(1);
            if self.pronouns.contains(w) {
                pronouns += 1;
                continue;
            }
            if self.is_active(w) {
                active += 1;
            }
            // Words of names carry no tone ("United States", "Peace Corps").
            while m < mentions.len() && mentions[m].span.end <= t.span.start {
                m += 1;
            }
            if mentions[m..].iter().take_while(|x| x.span.start <= t.span.start).any(|x| x.span.end > t.span.start) {
                continue;
            }
            if self.neutral.contains(w) {
                continue;
            }
            let Some(mut v) = self.valence(w) else { continue };
            if negation_left > 0 {
                v = -v;
                flipped += 1;
                negation_left = 0;
            }
            if v > 0.0 {
                pos += 1;
            } else if v < 0.0 {
                neg += 1;
            }
            match hits.get_mut(w) {
                Some(e) => e.0 += 1,
                None => {
                    hits.insert(w.to_string(), (1, v));
                }
            }
        }
        let pct = |n: u32| if words == 0 { 0.0 } else { 100.0 * n as f32 / words as f32 };
        let round = |x: f32| (x * 1000.0).round() / 1000.0;
        let (positive, negative) = (pct(pos), pct(neg));
        let mut top: Vec<(&String, &(u32, f32))> = hits.iter().collect();
        top.sort_by(|a, b| {
            (b.1 .0 as f32 * b.1 .1.abs()).total_cmp(&(a.1 .0 as f32 * a.1 .1.abs())).then(a.0.cmp(b.0))
        });
        let list = |positive: bool| {
            top.iter()
                .filter(|(_, (_, v))| (*v > 0.0) == positive)
                .take(5)
                .map(|(w, (n, v))| format!("{w} ×{n} ({v:+})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut evidence = vec![
            self.source.clone(),
            format!("{pos} positive and {neg} negative words of {words}; {flipped} flipped by a negator"),
        ];
        if neg > 0 {
            evidence.push(format!("most negative: {}", list(false)));
        }
        if pos > 0 {
            evidence.push(format!("most positive: {}", list(true)));
        }
        Tone {
            tone: round(positive - negative),
            positive: round(positive),
            negative: round(negative),
            polarity: round(positive + negative),
            activity: round(pct(active)),
            self_group: round(pct(pronouns)),
            word_count: words,
            evidence,
        }
    }
}
