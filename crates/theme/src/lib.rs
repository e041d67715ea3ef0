//! Themes: which topics of our taxonomy an article is about, and where.
//!
//! The taxonomy is data (`data/themes.tsv`, our own writing): each theme has an id, the
//! GDELT GKG theme it corresponds to (when one does), a description and trigger words and
//! phrases. [`ThemeTagger::annotate`] matches the triggers over a document's tokens (outside
//! entity mentions) and fills its `themes` layer ([`newsgraph_model::Theme`]): one record per
//! theme found, with every trigger's span, a confidence and the triggers as evidence.
//!
//! ```
//! use newsgraph_model::DocumentBuilder;
//! use newsgraph_theme::ThemeTagger;
//! let mut doc = DocumentBuilder::new("The talks on a ceasefire resumed as sanctions bite.").build();
//! newsgraph_text::Segmenter::default().annotate(&mut doc);
//! ThemeTagger::builtin().annotate(&mut doc);
//! let ids: Vec<&str> = doc.layers.themes.iter().map(|t| t.id.as_str()).collect();
//! assert_eq!(ids, ["negotiations", "ceasefire", "sanctions"]);
//! assert_eq!(doc.layers.themes[2].gkg.as_deref(), Some("SANCTIONS"));
//! ```

#[cfg(test)]
mod tests;

use newsgraph_model::{Document, Span, Theme};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One theme of the taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeDef {
    pub id: String,
    /// GDELT GKG theme name, when one corresponds.
    pub gkg: Option<String>,
    pub description: String,
    /// The triggers as written in the file.
    pub triggers: Vec<String>,
    /// 1-based line in the data file.
    pub line: usize,
}

/// One word of a trigger: exact, or a prefix (`negotiat*`).
#[derive(Debug, Clone, PartialEq)]
enum Word {
    Exact(String),
    Prefix(String),
}

impl Word {
    fn matches(&self, w: &str) -> bool {
        match self {
            Word::Exact(x) => x == w,
            Word::Prefix(p) => w.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
struct Trigger {
    words: Vec<Word>,
    theme: usize,
    /// Index into the theme's `triggers`.
    which: usize,
}

/// The compiled taxonomy. Build once ([`ThemeTagger::builtin`]) and share.
#[derive(Debug, Default)]
pub struct ThemeTagger {
    themes: Vec<ThemeDef>,
    triggers: Vec<Trigger>,
    /// First word (exact) → triggers.
    exact: HashMap<String, Vec<u32>>,
    /// First word (prefix) → triggers; `prefix_lens` lists the lengths present.
    prefix: HashMap<String, Vec<u32>>,
    prefix_lens: Vec<usize>,
}

impl ThemeTagger {
    /// The shipped taxonomy (`data/themes.tsv`, compiled in), built once.
    pub fn builtin() -> &'static ThemeTagger {
        static T: OnceLock<ThemeTagger> = OnceLock::new();
        T.get_or_init(|| ThemeTagger::parse(include_str!("../data/themes.tsv")))
    }

    /// Reads `id<TAB>gkg<TAB>description<TAB>triggers` lines; `#` comments and malformed
    /// lines are skipped.
    pub fn parse(src: &str) -> ThemeTagger {
        let mut t = ThemeTagger::default();
        for (n, line) in src.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            if line.starts_with('#') || f.len() != 4 || f[0].is_empty() {
                continue;
            }
            let theme = t.themes.len();
            let triggers: Vec<String> =
                f[3].split('|').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
            for (which, trig) in triggers.iter().enumerate() {
                let words: Vec<Word> = trig
                    .split_whitespace()
                    .map(|w| match w.strip_suffix('*') {
                        Some(p) => Word::Prefix(p.to_string()),
                        None => Word::Exact(w.to_string()),
                    })
                    .collect();
                let i = t.triggers.len() as u32;
                match &words[0] {
                    Word::Exact(w) => t.exact.entry(w.clone()).or_default().push(i),
                    Word::Prefix(p) => {
                        if !t.prefix_lens.contains(&p.len()) {
                            t.prefix_lens.push(p.len());
                        }
                        t.prefix.entry(p.clone()).or_default().push(i)
                    }
                }
                t.triggers.push(Trigger { words, theme, which });
            }
            t.themes.push(ThemeDef {
                id: f[0].to_string(),
                gkg: (f[1] != "-" && !f[1].is_empty()).then(|| f[1].to_string()),
                description: f[2].to_string(),
                triggers,
                line: n + 1,
            });
        }
        t.prefix_lens.sort_unstable();
        t
    }

    /// The taxonomy, in file order.
    pub fn themes(&self) -> &[ThemeDef] {
        &self.themes
    }

    /// Fills `doc.layers.themes` (themes in order of first mention).
    pub fn annotate(&self, doc: &mut Document) {
        doc.layers.themes = self.find(doc);
    }

    /// The themes of a document, in order of first mention.
    pub fn find(&self, doc: &Document) -> Vec<Theme> {
        let text = doc.text();
        let toks = &doc.layers.tokens;
        let lower: Vec<Cow<str>> = toks
            .iter()
            .map(|t| {
                let s = text.get(t.span.range()).unwrap_or("");
                if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
                    Cow::Owned(s.to_lowercase().replace('’', "'"))
                } else {
                    Cow::Borrowed(s)
                }
            })
            .collect();
        let mentions = &doc.layers.mentions;
        let mut m = 0;
        // Per theme: (theme, mention spans, (trigger, hits)).
        type Found = (usize, Vec<Span>, Vec<(usize, u32)>);
        let mut found: Vec<Found> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        let mut cands: Vec<u32> = Vec::new();
        for i in 0..toks.len() {
            let w: &str = &lower[i];
            if w.is_empty() || !w.as_bytes()[0].is_ascii_alphabetic() {
                continue;
            }
            cands.clear();
            if let Some(v) = self.exact.get(w) {
                cands.extend(v);
            }
            for &n in &self.prefix_lens {
                if n > w.len() {
                    break;
                }
                if let Some(v) = w.get(..n).and_then(|p| self.prefix.get(p)) {
                    cands.extend(v);
                }
            }
            if cands.is_empty() {
                continue;
            }
            // Names are not topics: skip words inside entity mentions.
            let start = toks[i].span.start;
            while m < mentions.len() && mentions[m].span.end <= start {
                m += 1;
            }
            if mentions[m..].iter().take_while(|x| x.span.start <= start).any(|x| x.span.end > start) {
                continue;
            }
            // The longest trigger of each theme at this token.
            let mut best: Vec<(usize, usize, usize)> = Vec::new(); // (theme, which, len)
            for &c in &cands {
                let tr = &self.triggers[c as usize];
                let n = tr.words.len();
                let ok = (0..n).all(|k| {
                    i + k < toks.len() && toks[i + k].sentence == toks[i].sentence && tr.words[k].matches(&lower[i + k])
                });
                if !ok {
                    continue;
                }
                match best.iter_mut().find(|b| b.0 == tr.theme) {
                    Some(b) if b.2 >= n => {}
                    Some(b) => *b = (tr.theme, tr.which, n),
                    None => best.push((tr.theme, tr.which, n)),
                }
            }
            for (theme, which, n) in best {
                let span = Span { start, end: toks[i + n - 1].span.end };
                let k = *slot.entry(theme).or_insert_with(|| {
                    found.push((theme, Vec::new(), Vec::new()));
                    found.len() - 1
                });
                let (_, spans, hits) = &mut found[k];
                // A longer trigger of the same theme already covers this word.
                if spans.last().is_some_and(|s: &Span| s.end > span.start) {
                    continue;
                }
                spans.push(span);
                match hits.iter_mut().find(|h| h.0 == which) {
                    Some(h) => h.1 += 1,
                    None => hits.push((which, 1)),
                }
            }
        }
        found
            .into_iter()
            .map(|(theme, mentions, hits)| {
                let def = &self.themes[theme];
                let n = mentions.len() as f32;
                let distinct = hits.len() as f32;
                let confidence = (1.0 - 0.5f32.powf(n) * 0.8f32.powf(distinct - 1.0)).clamp(0.3, 0.99);
                let evidence = hits
                    .iter()
                    .map(|(which, count)| format!("`{}` ×{count} (themes.tsv:{})", def.triggers[*which], def.line))
                    .collect();
                Theme { id: def.id.clone(), gkg: def.gkg.clone(), mentions, confidence, evidence }
            })
            .collect()
    }
}
