//! Stories: incremental clustering of articles into stories as they arrive.
//!
//! Each article is reduced to [`ArticleFeatures`] — weighted entity ids, place ids, dates it
//! mentions, event keys (when an events layer supplies them) and content words — by
//! [`features_from_document`] (or by the caller). [`StoryClusterer::add`] then:
//!
//! 1. weighs every feature by its inverse document frequency over the articles seen so far
//!    (content words by `1 + ln tf`), keeps the strongest of each kind and L2-normalizes
//!    each kind;
//! 2. finds candidate stories through an inverted index (feature → stories), probing only
//!    the article's strongest words and all its entities, places and dates, and only the
//!    most recent postings of each (bounded per-article cost at any corpus size);
//! 3. drops candidates outside the time window (only when both the article and the story
//!    have publication times: articles without dates are clustered by content alone);
//! 4. scores each candidate: a weighted mean of per-kind cosines between the article and
//!    the story's centroid (kinds that one side lacks are left out of the mean, except
//!    words); joins the best story at or above `threshold`, else starts a new story;
//! 5. merges the story it joined with any other candidate it also matches when the two
//!    stories' centroids are similar (`merge_threshold`): the article bridged them;
//! 6. when a story has doubled in size since its last check, bisects it (2-means over its
//!    articles) and splits it when the halves' centroids fall under `split_threshold`.
//!
//! Cheap signals only (no embeddings). The defaults were chosen on ECB+ topics 1–11 and
//! checked on topics 12–22 (`eval/reports/stories-ecbplus.md`).
//!
//! ```
//! use newsgraph_corpus::story::{ArticleFeatures, Named, StoryClusterer};
//! let quake = |id: &str, place: &str, day: &str, words: &[&str]| ArticleFeatures {
//!     id: id.into(),
//!     places: vec![Named::new(place, place, 2.0)],
//!     dates: vec![(day.into(), 1.0)],
//!     terms: words.iter().map(|w| (w.to_string(), 2.0)).collect(),
//!     ..Default::default()
//! };
//! let mut sc = StoryClusterer::default();
//! let a = sc.add(&quake("a", "loc:peru", "2025-03-02", &["earthquake", "arequipa", "collapsed", "houses"])).story;
//! let b = sc.add(&quake("b", "loc:peru", "2025-03-02", &["earthquake", "arequipa", "toll", "rose"])).story;
//! let c = sc.add(&quake("c", "loc:nepal", "2025-03-20", &["earthquake", "landslides", "villages", "himalayan"])).story;
//! assert_eq!(a, b);
//! assert_ne!(a, c);
//! ```
use newsgraph_model::{Document, EntityType, TimexType};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A weighted feature with a display name (entities and places).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    /// A stable id (`per:vladimir-putin`, `loc:gn-5879400`).
    pub id: String,
    pub name: String,
    pub weight: f32,
}

impl Named {
    pub fn new(id: impl Into<String>, name: impl Into<String>, weight: f32) -> Named {
        Named { id: id.into(), name: name.into(), weight }
    }
}

/// What the clusterer knows of one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArticleFeatures {
    pub id: String,
    /// Publication time, Unix seconds.
    pub published: Option<i64>,
    pub title: Option<String>,
    /// People, organizations, groups and other named things, weighted by prominence.
    pub entities: Vec<Named>,
    pub places: Vec<Named>,
    /// Dates mentioned (`2025-08-15`, `2025-08`), weighted.
    pub dates: Vec<(String, f32)>,
    /// Event keys (e.g. an event code with its place), weighted; empty when no events layer.
    pub events: Vec<(String, f32)>,
    /// Content words (lower-cased, lightly stemmed) with their counts.
    pub terms: Vec<(String, f32)>,
}

/// Parameters of [`StoryClusterer`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryConfig {
    /// Similarity at or above which an article joins a story.
    pub threshold: f32,
    /// Centroid similarity at or above which two stories an article matches are merged.
    pub merge_threshold: f32,
    /// Centroid similarity under which the two halves of a bisected story are split.
    pub split_threshold: f32,
    /// Largest gap (days) between an article's publication time and a story's time span.
    /// Two weeks: a story about a scheduled event runs from its announcement (often a week
    /// ahead) through the day to its aftermath, and articles do not arrive in date order.
    pub window_days: f32,
    /// Weights of the kinds in the similarity: words, entities, places, dates, events.
    pub weights: [f32; KINDS],
    /// How much entity disagreement scales the similarity down: when both sides name
    /// entities, the similarity is multiplied by `1 - gate + gate × entity cosine`.
    pub entity_gate: f32,
    /// Strongest words kept per article.
    pub article_terms: usize,
    /// Strongest words probed in the inverted index per article.
    pub probe_terms: usize,
    /// Features kept per story centroid and kind (words; other kinds a quarter of it).
    pub story_features: usize,
    /// Most recent postings scanned per probed feature.
    pub scan: usize,
    /// Candidate stories scored in full per article.
    pub candidates: usize,
}

impl Default for StoryConfig {
    fn default() -> Self {
        StoryConfig {
            threshold: 0.12,
            merge_threshold: 0.5,
            split_threshold: 0.3,
            window_days: 14.0,
            weights: [0.5, 0.3, 0.05, 0.1, 0.1],
            entity_gate: 0.0,
            article_terms: 60,
            probe_terms: 12,
            story_features: 240,
            scan: 256,
            candidates: 24,
        }
    }
}

/// Number of feature kinds.
pub const KINDS: usize = 5;
const TERM: usize = 0;
const ENTITY: usize = 1;
const PLACE: usize = 2;
const DATE: usize = 3;
const EVENT: usize = 4;

/// What [`StoryClusterer::add`] did with an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// The story the article is now in.
    pub story: u32,
    /// Whether the article started a new story.
    pub new_story: bool,
    /// Similarity to the story it joined (0 for a new story).
    pub similarity: f32,
    /// Stories merged into `story` because the article bridged them.
    pub merged: Vec<u32>,
    /// A story split off the story the article joined (a bisection check found two
    /// different stories); the article may be in either half.
    pub split_off: Option<u32>,
    /// The story the article joined or started, after any merges and before any split
    /// (`story` unless the article went to the split-off half).
    pub joined: u32,
}

/// A story as seen from outside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    pub id: u32,
    /// Key entities, key words and place: "Donald Trump, Vladimir Putin — summit — Alaska".
    pub label: String,
    pub entities: Vec<String>,
    pub places: Vec<String>,
    pub keywords: Vec<String>,
    /// Dates its articles mention most.
    pub dates: Vec<String>,
    /// Time span of its articles' publication times (Unix seconds), when known.
    pub first_published: Option<i64>,
    pub last_published: Option<i64>,
    /// Number of member articles.
    pub size: usize,
    /// Member article ids, in the order they were added (empty from [`StoryClusterer::story_head`]).
    pub articles: Vec<String>,
}

type Sparse = Vec<(u32, f32)>;

/// A story centroid for one kind: summed article vectors, and where each feature was last
/// posted in the inverted index.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Centroid {
    w: HashMap<u32, (f32, u64)>,
    norm2: f32,
}

impl Centroid {
    fn add(&mut self, v: &[(u32, f32)], scale: f32) -> Vec<u32> {
        let mut fresh = Vec::new();
        for &(f, x) in v {
            let e = self.w.entry(f).or_insert_with(|| {
                fresh.push(f);
                (0.0, 0)
            });
            let old = e.0;
            e.0 += x * scale;
            self.norm2 += e.0 * e.0 - old * old;
        }
        fresh
    }

    fn norm(&self) -> f32 {
        self.norm2.max(0.0).sqrt()
    }

    /// Cosine with a unit vector.
    fn cos(&self, v: &[(u32, f32)]) -> f32 {
        let n = self.norm();
        if n <= 0.0 || v.is_empty() {
            return 0.0;
        }
        v.iter().map(|(f, x)| self.w.get(f).map_or(0.0, |e| e.0 * x)).sum::<f32>() / n
    }

    fn cos_c(&self, o: &Centroid) -> f32 {
        let (a, b) = if self.w.len() <= o.w.len() { (self, o) } else { (o, self) };
        let d = a.norm() * b.norm();
        if d <= 0.0 {
            return 0.0;
        }
        a.w.iter().map(|(f, x)| b.w.get(f).map_or(0.0, |y| x.0 * y.0)).sum::<f32>() / d
    }

    fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// Keeps the `keep` strongest features once there are twice as many.
    fn prune(&mut self, keep: usize) {
        if self.w.len() <= 2 * keep.max(1) {
            return;
        }
        let mut v: Vec<(u32, (f32, u64))> = self.w.drain().collect();
        v.sort_unstable_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        v.truncate(keep);
        self.norm2 = v.iter().map(|(_, (x, _))| x * x).sum();
        self.w = v.into_iter().collect();
    }

    fn top(&self, n: usize) -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = self.w.iter().map(|(&f, &(x, _))| (f, x)).collect();
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoryState {
    members: Vec<u32>,
    c: [Centroid; KINDS],
    first: Option<i64>,
    last: Option<i64>,
    alive: bool,
    /// Member count at the last split check.
    checked: usize,
}

impl StoryState {
    fn new() -> StoryState {
        StoryState { members: Vec::new(), c: Default::default(), first: None, last: None, alive: true, checked: 1 }
    }

    fn stretch(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Article {
    id: String,
    published: Option<i64>,
    /// Per kind: unit vector sorted by feature id.
    vecs: [Sparse; KINDS],
}

/// A postings list with its absolute start (old entries are dropped from the front).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Postings {
    offset: u64,
    stories: Vec<u32>,
}

impl Postings {
    fn end(&self) -> u64 {
        self.offset + self.stories.len() as u64
    }
}

/// Incremental story clustering. See the module documentation.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoryClusterer {
    cfg: StoryConfig,
    keys: HashMap<String, u32>,
    /// Per feature: its key (kind prefix dropped) or display name, and kind.
    names: Vec<String>,
    df: Vec<u32>,
    docs: u32,
    postings: Vec<Postings>,
    stories: Vec<StoryState>,
    /// Union-find over stories: a merged story points at the one it went into.
    parent: Vec<u32>,
    articles: Vec<Article>,
    article_story: Vec<u32>,
}

impl Default for StoryClusterer {
    fn default() -> Self {
        StoryClusterer::new(StoryConfig::default())
    }
}

fn unit_sparse(mut v: Sparse, keep: usize) -> Sparse {
    if v.len() > keep {
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(keep);
    }
    let n = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        for e in &mut v {
            e.1 /= n;
        }
    } else {
        v.clear();
    }
    v.sort_unstable_by_key(|e| e.0);
    v
}

fn sparse_dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

impl StoryClusterer {
    pub fn new(cfg: StoryConfig) -> StoryClusterer {
        StoryClusterer {
            cfg,
            keys: HashMap::new(),
            names: Vec::new(),
            df: Vec::new(),
            docs: 0,
            postings: Vec::new(),
            stories: Vec::new(),
            parent: Vec::new(),
            articles: Vec::new(),
            article_story: Vec::new(),
        }
    }

    pub fn config(&self) -> &StoryConfig {
        &self.cfg
    }

    /// Articles added so far.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    fn intern(&mut self, kind: usize, key: &str, name: &str) -> u32 {
        let k = format!("{kind}\u{1f}{key}");
        if let Some(&id) = self.keys.get(&k) {
            return id;
        }
        let id = self.names.len() as u32;
        self.keys.insert(k, id);
        self.names.push(name.to_string());
        self.df.push(0);
        self.postings.push(Postings::default());
        id
    }

    fn idf(&self, f: u32) -> f32 {
        (1.0 + self.docs as f32 / self.df[f as usize].max(1) as f32).ln()
    }

    /// Counts an article's features in the document frequencies without clustering it
    /// (to warm the weights up on a background corpus before the first `add`).
    pub fn observe(&mut self, a: &ArticleFeatures) {
        let ids = self.raw(a);
        self.count(&ids);
    }

    fn count(&mut self, raw: &[Vec<(u32, f32)>; KINDS]) {
        self.docs += 1;
        for v in raw {
            for &(f, _) in v {
                self.df[f as usize] += 1;
            }
        }
    }

    /// Interned features with raw weights, one entry per feature.
    fn raw(&mut self, a: &ArticleFeatures) -> [Vec<(u32, f32)>; KINDS] {
        let mut out: [HashMap<u32, f32>; KINDS] = Default::default();
        for (w, c) in &a.terms {
            let id = self.intern(TERM, w, w);
            *out[TERM].entry(id).or_default() += c;
        }
        for e in &a.entities {
            let id = self.intern(ENTITY, &e.id, &e.name);
            *out[ENTITY].entry(id).or_default() += e.weight;
        }
        for e in &a.places {
            let id = self.intern(PLACE, &e.id, &e.name);
            *out[PLACE].entry(id).or_default() += e.weight;
        }
        for (d, w) in &a.dates {
            let id = self.intern(DATE, d, d);
            *out[DATE].entry(id).or_default() += w;
        }
        for (k, w) in &a.events {
            let id = self.intern(EVENT, k, k);
            *out[EVENT].entry(id).or_default() += w;
        }
        out.map(|m| {
            let mut v: Vec<(u32, f32)> = m.into_iter().filter(|e| e.1 > 0.0).collect();
            v.sort_unstable_by_key(|e| e.0);
            v
        })
    }

    fn vectors(&self, raw: [Vec<(u32, f32)>; KINDS]) -> [Sparse; KINDS] {
        let keep = [self.cfg.article_terms, 24, 12, 12, 12];
        let mut k = 0;
        raw.map(|v| {
            let kind = k;
            k += 1;
            let v = v
                .into_iter()
                .map(|(f, x)| (f, if kind == TERM { 1.0 + x.ln().max(0.0) } else { x } * self.idf(f)))
                .collect();
            unit_sparse(v, keep[kind])
        })
    }

    fn find(&mut self, mut s: u32) -> u32 {
        while self.parent[s as usize] != s {
            let p = self.parent[self.parent[s as usize] as usize];
            self.parent[s as usize] = p;
            s = p;
        }
        s
    }

    fn find_ro(&self, mut s: u32) -> u32 {
        while self.parent[s as usize] != s {
            s = self.parent[s as usize];
        }
        s
    }

    fn in_window(&self, s: &StoryState, t: Option<i64>) -> bool {
        match (t, s.first, s.last) {
            (Some(t), Some(f), Some(l)) => {
                let gap = (f - t).max(t - l).max(0);
                gap as f32 <= self.cfg.window_days * 86_400.0
            }
            _ => true,
        }
    }

    /// Weighted mean of per-kind cosines; a kind that one side lacks is left out (words never are).
    fn combine(&self, cos: impl Fn(usize) -> Option<f32>) -> f32 {
        let (mut num, mut den) = (0.0, 0.0);
        for k in 0..KINDS {
            let w = self.cfg.weights[k];
            if w <= 0.0 {
                continue;
            }
            match cos(k) {
                Some(c) => {
                    num += w * c;
                    den += w;
                }
                None if k == TERM => den += w,
                None => {}
            }
        }
        if den <= 0.0 {
            return 0.0;
        }
        let gate = match cos(ENTITY) {
            Some(c) => 1.0 - self.cfg.entity_gate + self.cfg.entity_gate * c,
            None => 1.0,
        };
        num / den * gate
    }

    fn sim_article(&self, v: &[Sparse; KINDS], s: &StoryState) -> f32 {
        self.combine(|k| (!v[k].is_empty() && !s.c[k].is_empty()).then(|| s.c[k].cos(&v[k])))
    }

    fn sim_stories(&self, a: &StoryState, b: &StoryState) -> f32 {
        self.combine(|k| (!a.c[k].is_empty() && !b.c[k].is_empty()).then(|| a.c[k].cos_c(&b.c[k])))
    }

    fn sim_articles(&self, a: &[Sparse; KINDS], b: &[Sparse; KINDS]) -> f32 {
        self.combine(|k| (!a[k].is_empty() && !b[k].is_empty()).then(|| sparse_dot(&a[k], &b[k])))
    }

    /// Features to probe in the index: the strongest words, and every other feature.
    fn probes(&self, v: &[Sparse; KINDS]) -> Vec<(usize, u32, f32)> {
        let mut out = Vec::new();
        for (k, vk) in v.iter().enumerate() {
            let mut fs: Vec<(usize, u32, f32)> = vk.iter().map(|&(f, x)| (k, f, x)).collect();
            if k == TERM && fs.len() > self.cfg.probe_terms {
                fs.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
                fs.truncate(self.cfg.probe_terms);
            }
            out.extend(fs);
        }
        out
    }

    fn candidates(&mut self, v: &[Sparse; KINDS], t: Option<i64>) -> Vec<u32> {
        let mut acc: HashMap<u32, (f32, u32)> = HashMap::new();
        for (i, (k, f, x)) in self.probes(v).into_iter().enumerate() {
            let p = &self.postings[f as usize].stories;
            let from = p.len().saturating_sub(self.cfg.scan);
            let recent: Vec<u32> = p[from..].to_vec();
            for s in recent {
                let r = self.find(s);
                let e = acc.entry(r).or_insert((0.0, u32::MAX));
                if e.1 != i as u32 {
                    e.0 += self.cfg.weights[k] * x;
                    e.1 = i as u32;
                }
            }
        }
        let mut c: Vec<(u32, f32)> = acc
            .into_iter()
            .filter(|(s, _)| self.in_window(&self.stories[*s as usize], t))
            .map(|(s, (p, _))| (s, p))
            .collect();
        c.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(self.cfg.candidates);
        c.into_iter().map(|(s, _)| s).collect()
    }

    /// Adds an article's vectors to a story's centroids and posts new or stale features.
    fn absorb(&mut self, s: u32, vecs: &[Sparse; KINDS], scale: f32) {
        let keep = self.cfg.story_features;
        let scan = self.cfg.scan as u64;
        for (k, v) in vecs.iter().enumerate() {
            self.stories[s as usize].c[k].add(v, scale);
            for &(f, _) in v {
                let end = self.postings[f as usize].end();
                let pos = self.stories[s as usize].c[k].w.get(&f).map(|e| e.1).unwrap_or(0);
                // Post when the feature is new to the story or its posting has aged out of
                // the scanned window.
                if pos == 0 || end - pos >= scan / 2 {
                    let p = &mut self.postings[f as usize];
                    p.stories.push(s);
                    let at = p.end();
                    if p.stories.len() > 4 * self.cfg.scan {
                        let drop = p.stories.len() - 2 * self.cfg.scan;
                        p.stories.drain(..drop);
                        p.offset += drop as u64;
                    }
                    if let Some(e) = self.stories[s as usize].c[k].w.get_mut(&f) {
                        e.1 = at;
                    }
                }
            }
            self.stories[s as usize].c[k].prune(if k == TERM { keep } else { keep / 4 });
        }
    }

    fn new_story(&mut self) -> u32 {
        let s = self.stories.len() as u32;
        self.stories.push(StoryState::new());
        self.parent.push(s);
        s
    }

    /// Adds an article; returns the story it went to.
    pub fn add(&mut self, a: &ArticleFeatures) -> Assignment {
        let raw = self.raw(a);
        self.count(&raw);
        let vecs = self.vectors(raw);
        let cands = self.candidates(&vecs, a.published);
        let mut scored: Vec<(u32, f32)> =
            cands.into_iter().map(|s| (s, self.sim_article(&vecs, &self.stories[s as usize]))).collect();
        scored.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let me = self.articles.len() as u32;
        let (story, new_story, similarity) = match scored.first() {
            Some(&(s, sim)) if sim >= self.cfg.threshold => (s, false, sim),
            _ => (self.new_story(), true, 0.0),
        };
        self.absorb(story, &vecs, 1.0);
        let st = &mut self.stories[story as usize];
        st.members.push(me);
        st.stretch(a.published);
        self.articles.push(Article { id: a.id.clone(), published: a.published, vecs });
        self.article_story.push(story);
        // Bridging: other stories the article also matches, if they are alike.
        let mut merged = Vec::new();
        let mut story = story;
        for &(other, sim) in scored.iter().skip(1) {
            if sim < self.cfg.threshold {
                break;
            }
            let other = self.find(other);
            if other == story {
                continue;
            }
            let ss = self.sim_stories(&self.stories[story as usize], &self.stories[other as usize]);
            if ss >= self.cfg.merge_threshold {
                let kept = self.merge(story, other);
                merged.push(if kept == story { other } else { story });
                story = kept;
            }
        }
        let joined = story;
        let split_off = self.maybe_split(story);
        let story = self.find(self.article_story[me as usize]);
        Assignment { story, new_story, similarity, merged, split_off, joined }
    }

    /// Merges two stories (the smaller into the larger); returns the one kept.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        let (keep, gone) = if self.stories[a as usize].members.len() >= self.stories[b as usize].members.len() {
            (a, b)
        } else {
            (b, a)
        };
        let g = std::mem::replace(&mut self.stories[gone as usize], StoryState::new());
        self.stories[gone as usize].alive = false;
        self.parent[gone as usize] = keep;
        for k in 0..KINDS {
            let v: Sparse = g.c[k].w.iter().map(|(&f, &(x, _))| (f, x)).collect();
            let mut vecs: [Sparse; KINDS] = Default::default();
            vecs[k] = v;
            self.absorb(keep, &vecs, 1.0);
        }
        let st = &mut self.stories[keep as usize];
        // Member order does not matter (views sort): no re-sort of a large story per merge.
        st.members.extend(g.members);
        st.stretch(g.first);
        st.stretch(g.last);
        keep
    }

    fn centroid_of(&self, members: &[u32]) -> StoryState {
        let mut s = StoryState::new();
        for &m in members {
            let a = &self.articles[m as usize];
            for k in 0..KINDS {
                s.c[k].add(&a.vecs[k], 1.0);
            }
            s.stretch(a.published);
        }
        s.members = members.to_vec();
        s
    }

    /// Bisects a story that has doubled since its last check; splits it if the halves differ.
    fn maybe_split(&mut self, s: u32) -> Option<u32> {
        let n = self.stories[s as usize].members.len();
        if n < 6 || n < 2 * self.stories[s as usize].checked {
            return None;
        }
        self.stories[s as usize].checked = n;
        let members = self.stories[s as usize].members.clone();
        // Seeds: the member least like the story, and the member least like that one.
        let whole = &self.stories[s as usize];
        let far = |from: &dyn Fn(u32) -> f32| {
            members.iter().copied().min_by(|&x, &y| from(x).total_cmp(&from(y)).then(x.cmp(&y))).unwrap_or(members[0])
        };
        let a0 = far(&|m| self.sim_article(&self.articles[m as usize].vecs, whole));
        let b0 = far(&|m| self.sim_articles(&self.articles[m as usize].vecs, &self.articles[a0 as usize].vecs));
        if a0 == b0 {
            return None;
        }
        let (mut ca, mut cb) = (self.centroid_of(&[a0]), self.centroid_of(&[b0]));
        for _ in 0..4 {
            let (mut pa, mut pb) = (Vec::new(), Vec::new());
            for &m in &members {
                let v = &self.articles[m as usize].vecs;
                if self.sim_article(v, &cb) > self.sim_article(v, &ca) {
                    pb.push(m);
                } else {
                    pa.push(m);
                }
            }
            if pa.is_empty() || pb.is_empty() {
                return None;
            }
            ca = self.centroid_of(&pa);
            cb = self.centroid_of(&pb);
        }
        let min_part = 2.max(n / 8);
        if ca.members.len() < min_part || cb.members.len() < min_part {
            return None;
        }
        if self.sim_stories(&ca, &cb) >= self.cfg.split_threshold {
            return None;
        }
        // The larger half keeps the story; the smaller becomes a new one.
        let (keep, off) = if ca.members.len() >= cb.members.len() { (ca, cb) } else { (cb, ca) };
        let new = self.new_story();
        let keep_members = keep.members.clone();
        let off_members = off.members.clone();
        self.rebuild(s, &keep_members);
        self.rebuild(new, &off_members);
        for &m in &off_members {
            self.article_story[m as usize] = new;
        }
        for &m in &keep_members {
            self.article_story[m as usize] = s;
        }
        self.stories[new as usize].checked = off_members.len();
        self.stories[s as usize].checked = keep_members.len();
        Some(new)
    }

    fn rebuild(&mut self, s: u32, members: &[u32]) {
        let mut st = StoryState::new();
        st.members = members.to_vec();
        self.stories[s as usize] = st;
        for &m in members {
            let vecs = self.articles[m as usize].vecs.clone();
            self.absorb(s, &vecs, 1.0);
            let t = self.articles[m as usize].published;
            self.stories[s as usize].stretch(t);
        }
    }

    /// The story an article is in.
    pub fn story_of(&self, article: usize) -> Option<u32> {
        self.article_story.get(article).map(|&s| self.find_ro(s))
    }

    /// The story of every article, in the order they were added.
    pub fn assignments(&self) -> Vec<u32> {
        self.article_story.iter().map(|&s| self.find_ro(s)).collect()
    }

    fn names_of(&self, c: &Centroid, n: usize) -> Vec<String> {
        c.top(n).into_iter().map(|(f, _)| self.names[f as usize].clone()).collect()
    }

    /// Every story, in the order of its first article.
    pub fn stories(&self) -> Vec<Story> {
        let mut out: Vec<Story> = self
            .stories
            .iter()
            .enumerate()
            .filter(|(_, s)| s.alive && !s.members.is_empty())
            .map(|(i, s)| self.story_view(i as u32, s))
            .collect();
        out.sort_by_key(|s| {
            let first = self.stories[s.id as usize].members.iter().min().copied().unwrap_or(u32::MAX);
            first
        });
        out
    }

    /// One story by id; `None` when there is no such story or it was merged into another.
    pub fn story(&self, id: u32) -> Option<Story> {
        let s = self.stories.get(id as usize)?;
        (s.alive && !s.members.is_empty()).then(|| self.story_view(id, s))
    }

    /// One story without its article list (`articles` empty, `size` set): its cost does not
    /// grow with the story.
    pub fn story_head(&self, id: u32) -> Option<Story> {
        let s = self.stories.get(id as usize)?;
        (s.alive && !s.members.is_empty()).then(|| self.story_view_with(id, s, false))
    }

    /// The ids of a story's articles (any order); empty for no such story.
    pub fn story_articles(&self, id: u32) -> Vec<&str> {
        match self.stories.get(id as usize) {
            Some(s) if s.alive => s.members.iter().map(|&m| self.articles[m as usize].id.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn story_view(&self, id: u32, s: &StoryState) -> Story {
        self.story_view_with(id, s, true)
    }

    fn story_view_with(&self, id: u32, s: &StoryState, with_articles: bool) -> Story {
        let entities = self.names_of(&s.c[ENTITY], 3);
        let places = self.names_of(&s.c[PLACE], 2);
        // Key words exclude the words of the story's names (they say who and where already).
        let name_words: Vec<String> = self
            .names_of(&s.c[ENTITY], 12)
            .iter()
            .chain(&self.names_of(&s.c[PLACE], 12))
            .flat_map(|n| n.split_whitespace().map(|w| stem(&w.to_lowercase())))
            .collect();
        let keywords: Vec<String> = s.c[TERM]
            .top(12)
            .into_iter()
            .map(|(f, _)| self.names[f as usize].clone())
            .filter(|w| !name_words.contains(w))
            .take(3)
            .collect();
        let mut members = if with_articles { s.members.clone() } else { Vec::new() };
        members.sort_unstable();
        let mut label = entities.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
        for part in [keywords.first().cloned(), places.first().cloned()].into_iter().flatten() {
            if !label.is_empty() {
                label.push_str(" — ");
            }
            label.push_str(&part);
        }
        Story {
            id,
            label,
            entities,
            places,
            keywords,
            dates: self.names_of(&s.c[DATE], 3),
            first_published: s.first,
            last_published: s.last,
            size: s.members.len(),
            articles: members.iter().map(|&m| self.articles[m as usize].id.clone()).collect(),
        }
    }
}

/// Light English stemming for matching: plural and possessive endings.
pub fn stem(w: &str) -> String {
    let w = w.trim_end_matches("'s").trim_end_matches("’s");
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    if n > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..n - 1].to_string();
    }
    w.to_string()
}

const STOPWORDS: &str = "a about above according across after afterwards again against ago all almost alone along already also although always am among amongst an and another any anyone anything are around as at back be became because become been before being below beside besides between both but by can cannot could did do does doing done down during each either else enough etc even ever every few first for former from further get gets getting go going got had has have having he her here hers herself him himself his how however i if in including into is it its itself just last later least less like made make many may me meanwhile might mine more moreover most mostly mr mrs ms much must my myself near neither never nevertheless new next no nobody none nor not nothing now of off often on once one only onto or other others otherwise our ours ourselves out over own per perhaps please put rather re same say said says saying see seem seemed seems several she should since so some someone something sometime still such than that the their theirs them themselves then there thereafter thereby therefore these they this those though three through throughout thus to together too told toward towards two under until up upon us very via was we well were what whatever when whenever where whereas whether which while who whoever whole whom whose why will with within without would year years yet you your yours yourself yourselves day days time week weeks today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday reported report reports according news http https www com html";

fn is_stopword(w: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.split_whitespace().collect()).contains(w)
}

/// A content word of `w`, if it is one: lower-cased, stemmed, at least three letters, not
/// a stop word.
pub fn content_word(w: &str) -> Option<String> {
    if w.chars().count() < 3 || !w.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’') {
        return None;
    }
    let l = w.to_lowercase();
    if is_stopword(&l) {
        return None;
    }
    let s = stem(&l);
    (s.chars().count() >= 3 && !is_stopword(&s)).then_some(s)
}

/// Features of an annotated document (layers: tokens, mentions, entities, timexes).
///
/// Entities and places are weighted `1 + ln(mentions)`, doubled when named in the first
/// paragraph or the title; groups (nationalities) count half. Dates: every resolved DATE
/// value adds its day (weight 1), month (0.5) and year (0.25), as far as it has them. Words: counts of
/// content words of the text and the title (title words count twice).
pub fn features_from_document(doc: &Document) -> ArticleFeatures {
    let lead_end = doc.layers.paragraphs.first().map_or(0, |p| p.span.end);
    let mut counts: Vec<(f32, bool)> = vec![(0.0, false); doc.layers.entities.len()];
    for m in &doc.layers.mentions {
        if let Some(e) = m.entity.and_then(|e| counts.get_mut(e as usize)) {
            e.0 += 1.0;
            e.1 |= m.span.start < lead_end;
        }
    }
    let title = doc.meta.title.as_deref().unwrap_or("").to_lowercase();
    let (mut entities, mut places) = (Vec::new(), Vec::new());
    for (e, &(n, lead)) in doc.layers.entities.iter().zip(&counts) {
        if n == 0.0 {
            continue;
        }
        let in_title = !title.is_empty() && title.contains(&e.name.to_lowercase());
        let mut w = 1.0 + n.ln();
        if lead || in_title {
            w *= 2.0;
        }
        // A document-local id carries the tagger's type (`local:person:x`, `local:organization:x`),
        // which may differ between articles for one name: match on the name alone.
        let id = match e.id.strip_prefix("local:") {
            Some(rest) => format!("local:{}", rest.rsplit(':').next().unwrap_or(rest)),
            None => e.id.clone(),
        };
        match e.kind {
            EntityType::Place => places.push(Named::new(id, e.name.clone(), w)),
            EntityType::Group => entities.push(Named::new(id, e.name.clone(), w * 0.5)),
            _ => entities.push(Named::new(id, e.name.clone(), w)),
        }
    }
    let mut dates: HashMap<String, f32> = HashMap::new();
    for t in &doc.layers.timexes {
        if t.kind != TimexType::Date {
            continue;
        }
        let v = t.value.as_str();
        let b = v.as_bytes();
        let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
        if !digits(0..4) {
            continue;
        }
        *dates.entry(v[..4].to_string()).or_default() += 0.25;
        if !(b.get(4) == Some(&b'-') && digits(5..7)) {
            continue;
        }
        *dates.entry(v[..7].to_string()).or_default() += 0.5;
        if b.len() >= 10 && b[7] == b'-' && digits(8..10) {
            *dates.entry(v[..10].to_string()).or_default() += 1.0;
        }
    }
    let mut terms: HashMap<String, f32> = HashMap::new();
    for tok in &doc.layers.tokens {
        if let Some(w) = content_word(doc.slice(tok.span)) {
            *terms.entry(w).or_default() += 1.0;
        }
    }
    for w in title.split(|c: char| !(c.is_alphabetic() || c == '-' || c == '\'')) {
        if let Some(w) = content_word(w) {
            *terms.entry(w).or_default() += 2.0;
        }
    }
    let mut dates: Vec<(String, f32)> = dates.into_iter().collect();
    dates.sort_by(|a, b| a.0.cmp(&b.0));
    let mut terms: Vec<(String, f32)> = terms.into_iter().collect();
    terms.sort_by(|a, b| a.0.cmp(&b.0));
    ArticleFeatures {
        id: doc.id.clone(),
        published: doc.meta.published.as_ref().map(|p| p.time.timestamp()),
        title: doc.meta.title.clone(),
        entities,
        places,
        dates,
        events: Vec::new(),
        terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written article: entities, places, one date, words, publication day (0 = none).
    struct Fx {
        id: &'static str,
        day: i64,
        entities: &'static [&'static str],
        places: &'static [&'static str],
        date: &'static str,
        text: &'static str,
    }

    fn feats(f: &Fx) -> ArticleFeatures {
        let mut terms: HashMap<String, f32> = HashMap::new();
        for w in f.text.split(|c: char| !c.is_alphabetic()) {
            if let Some(w) = content_word(w) {
                *terms.entry(w).or_default() += 1.0;
            }
        }
        let mut terms: Vec<_> = terms.into_iter().collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        ArticleFeatures {
            id: f.id.into(),
            published: (f.day > 0).then(|| 1_750_000_000 + f.day * 86_400),
            title: None,
            entities: f.entities.iter().map(|e| Named::new(*e, *e, 2.0)).collect(),
            places: f.places.iter().map(|e| Named::new(*e, *e, 2.0)).collect(),
            dates: if f.date.is_empty() {
                vec![]
            } else {
                vec![(f.date.to_string(), 1.0), (f.date[..7].to_string(), 0.5)]
            },
            events: vec![],
            terms,
        }
    }

    /// Background articles on unrelated stories, so that word weights mean something.
    fn background() -> Vec<Fx> {
        let t: [(&str, &str); 6] = [
            ("bg1", "The central bank raised interest rates by a quarter point on Wednesday to fight inflation, the governor told reporters."),
            ("bg2", "The football club signed a new striker for a record fee after a long transfer saga, the manager confirmed."),
            ("bg3", "Parliament passed the budget after a long debate over taxes and spending on schools and hospitals."),
            ("bg4", "The film won the top prize at the festival, and its director thanked the cast in an emotional speech."),
            ("bg5", "Shares fell sharply after the technology company reported weaker sales and cut its forecast for the year."),
            ("bg6", "Police arrested two men after a robbery at a jewellery store in the city centre late on Tuesday night."),
        ];
        t.iter().map(|(id, text)| Fx { id, day: 0, entities: &[], places: &[], date: "", text }).collect()
    }

    fn cluster(articles: &[Fx]) -> HashMap<&'static str, u32> {
        let mut sc = StoryClusterer::default();
        let mut out = HashMap::new();
        for f in background().iter().chain(articles) {
            sc.add(&feats(f));
        }
        for (i, f) in background().iter().chain(articles).enumerate() {
            out.insert(f.id, sc.story_of(i).unwrap());
        }
        out
    }

    #[test]
    fn stories_table() {
        let quake_peru_1 = Fx {
            id: "peru1",
            day: 2,
            entities: &["org:red-cross"],
            places: &["loc:peru", "loc:arequipa"],
            date: "2025-03-02",
            text: "A magnitude 6.8 earthquake struck southern Peru near Arequipa on Sunday, killing at least 12 people and collapsing houses; rescue teams searched the rubble.",
        };
        let quake_peru_2 = Fx {
            id: "peru2",
            day: 3,
            entities: &["per:peru-president"],
            places: &["loc:peru", "loc:arequipa"],
            date: "2025-03-02",
            text: "The death toll from Sunday's earthquake near Arequipa in Peru rose to 19 as rescue workers pulled survivors from collapsed houses; the president declared an emergency.",
        };
        let quake_nepal = Fx {
            id: "nepal",
            day: 20,
            entities: &["org:red-cross"],
            places: &["loc:nepal", "loc:kathmandu"],
            date: "2025-03-19",
            text: "A strong earthquake of magnitude 6.1 shook western Nepal on Wednesday, killing 8 people in remote villages, with landslides blocking roads for rescue teams from Kathmandu.",
        };
        let summit_moscow = Fx {
            id: "moscow",
            day: 9,
            entities: &["per:vladimir-putin", "per:donald-trump", "per:yuri-ushakov", "org:kremlin"],
            places: &["loc:us-alaska", "loc:moscow"],
            date: "2025-08-15",
            text: "Kremlin aide Yuri Ushakov said Putin and Trump agreed to meet in Alaska on August 15 for a summit on the war in Ukraine, calling the choice of venue logical.",
        };
        let summit_washington = Fx {
            id: "washington",
            day: 9,
            entities: &["per:donald-trump", "per:vladimir-putin", "org:white-house"],
            places: &["loc:us-alaska", "loc:washington"],
            date: "2025-08-15",
            text: "Trump announced he will meet Putin in Alaska next Friday, August 15, for a summit on ending the war in Ukraine, the White House said, as Zelenskyy warned against a deal without Kyiv.",
        };
        let summit_late = Fx {
            id: "late",
            day: 80,
            entities: &["per:donald-trump", "per:vladimir-putin"],
            places: &["loc:us-alaska"],
            date: "2025-10-20",
            text: "Trump said he might meet Putin again after the Alaska summit failed to end the war in Ukraine.",
        };
        let rehab_reid = Fx {
            id: "reid",
            day: 0,
            entities: &["per:tara-reid", "org:promises-treatment-center"],
            places: &["loc:malibu"],
            date: "",
            text: "Actress Tara Reid has checked into the Promises Treatment Center rehab facility in Malibu, her publicist Jack Ketsoyan confirmed. Reid, 33, starred in American Pie; Ketsoyan asked for privacy for Reid and her family. Reid, the Taradise host and a fixture of Hollywood nightlife, once described herself as a social drinker.",
        };
        let rehab_reid_2 = Fx {
            id: "reid2",
            day: 0,
            entities: &["per:tara-reid", "per:jack-ketsoyan"],
            places: &["loc:malibu"],
            date: "",
            text: "Tara Reid, the American Pie actress, entered rehab at Promises in Malibu, publicist Jack Ketsoyan said. Ketsoyan did not say what Reid is being treated for; Reid recently started a clothing line, Mantra, and her last notable acting gig was a guest arc on Scrubs; producer Matthew O'Connor said Reid was professional on Vipers.",
        };
        let rehab_lohan = Fx {
            id: "lohan",
            day: 0,
            entities: &["per:lindsay-lohan", "org:betty-ford-center"],
            places: &["loc:malibu"],
            date: "",
            text: "Lindsay Lohan left the Betty Ford Center and moved to the Cliffside rehab facility in Malibu, her attorney Shawn Holley said. A judge allowed the transfer; Lohan will finish her court-ordered 90-day stay, Holley said. Lohan, 26, was sentenced after her Santa Monica car accident case and lying to police.",
        };
        let rehab_lohan_2 = Fx {
            id: "lohan2",
            day: 0,
            entities: &["per:lindsay-lohan", "per:shawn-holley"],
            places: &["loc:malibu"],
            date: "",
            text: "Actress Lindsay Lohan checked out of Betty Ford and into Cliffside rehab in Malibu to continue her court-ordered treatment, attorney Shawn Holley said. Lohan entered Betty Ford under a plea deal in her car accident case; the Los Angeles Superior Court judge signed the order, and Lohan thanked the Betty Ford staff.",
        };
        // (name, articles, groups that must be one story each, pairs that must be apart)
        type Case<'a> = (&'a str, Vec<&'a Fx>, Vec<Vec<&'static str>>, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                "two earthquakes in one month are two stories",
                vec![&quake_peru_1, &quake_nepal, &quake_peru_2],
                vec![vec!["peru1", "peru2"]],
                vec![("peru1", "nepal"), ("peru2", "nepal")],
            ),
            (
                "one summit from Moscow and Washington is one story",
                vec![&summit_moscow, &summit_washington],
                vec![vec!["moscow", "washington"]],
                vec![],
            ),
            (
                "same actors months later, outside the time window, is another story",
                vec![&summit_moscow, &summit_washington, &summit_late],
                vec![vec!["moscow", "washington"]],
                vec![("moscow", "late")],
            ),
            (
                "two rehab stories without dates are told apart by who",
                vec![&rehab_reid, &rehab_lohan, &rehab_reid_2, &rehab_lohan_2],
                vec![vec!["reid", "reid2"], vec!["lohan", "lohan2"]],
                vec![("reid", "lohan")],
            ),
            (
                "everything at once",
                vec![
                    &rehab_reid,
                    &quake_peru_1,
                    &summit_moscow,
                    &rehab_lohan,
                    &quake_nepal,
                    &summit_washington,
                    &rehab_reid_2,
                    &quake_peru_2,
                    &rehab_lohan_2,
                ],
                vec![
                    vec!["peru1", "peru2"],
                    vec!["moscow", "washington"],
                    vec!["reid", "reid2"],
                    vec!["lohan", "lohan2"],
                ],
                vec![("peru1", "nepal"), ("reid", "lohan"), ("moscow", "peru1"), ("reid", "peru1")],
            ),
        ];
        for (name, arts, together, apart) in cases {
            let owned: Vec<Fx> = arts
                .iter()
                .map(|f| Fx {
                    id: f.id,
                    day: f.day,
                    entities: f.entities,
                    places: f.places,
                    date: f.date,
                    text: f.text,
                })
                .collect();
            let got = cluster(&owned);
            for g in &together {
                for w in g {
                    assert_eq!(got[w], got[g[0]], "{name}: {w} and {} should be one story: {got:?}", g[0]);
                }
            }
            for (a, b) in &apart {
                assert_ne!(got[a], got[b], "{name}: {a} and {b} should be different stories: {got:?}");
            }
        }
    }

    #[test]
    fn bridging_article_merges_and_labels() {
        // Two halves of one story that share nothing until a third article names both; a
        // merge threshold low enough for such disjoint halves.
        let mut sc = StoryClusterer::new(StoryConfig { merge_threshold: 0.2, ..StoryConfig::default() });
        let mk = |id: &str, ents: &[&str], words: &[&str]| ArticleFeatures {
            id: id.into(),
            entities: ents.iter().map(|e| Named::new(*e, e.to_uppercase(), 2.0)).collect(),
            terms: words.iter().map(|w| (w.to_string(), 2.0)).collect(),
            ..Default::default()
        };
        for i in 0..6 {
            sc.add(&mk(&format!("bg{i}"), &[], &[&format!("filler{i}"), "market", "price"]));
        }
        let a = sc.add(&mk("a", &["per:x", "per:y"], &["summit", "ceasefire", "talks", "anchorage"]));
        let b = sc.add(&mk("b", &["per:z", "org:w"], &["sanctions", "tariffs", "oil", "exports"]));
        assert_ne!(a.story, b.story);
        let c = sc.add(&mk(
            "c",
            &["per:x", "per:y", "per:z", "org:w"],
            &["summit", "ceasefire", "talks", "anchorage", "sanctions", "tariffs", "oil", "exports"],
        ));
        assert!(!c.new_story);
        assert_eq!(c.merged.len(), 1, "{c:?}");
        assert_eq!(sc.story_of(6), sc.story_of(7), "{c:?}");
        assert_eq!(sc.story_of(7), sc.story_of(8));
        let st = sc.stories();
        let s = st.iter().find(|s| s.articles.contains(&"c".to_string())).unwrap();
        assert_eq!(s.articles, vec!["a", "b", "c"]);
        assert!(s.label.contains("PER:X") || s.label.contains("PER:Y"), "{}", s.label);
    }

    #[test]
    fn splits_a_story_that_turns_out_to_be_two() {
        // A loose threshold lets two stories chain into one; the bisection check splits them.
        let cfg = StoryConfig { threshold: 0.05, merge_threshold: 2.0, split_threshold: 0.3, ..StoryConfig::default() };
        let mut sc = StoryClusterer::new(cfg);
        let mk = |id: String, ents: &[&str], words: &[&str]| ArticleFeatures {
            id,
            entities: ents.iter().map(|e| Named::new(*e, *e, 2.0)).collect(),
            terms: words.iter().map(|w| (w.to_string(), 2.0)).chain([("shared".to_string(), 1.0)]).collect(),
            ..Default::default()
        };
        for i in 0..8 {
            sc.add(&mk(format!("a{i}"), &["per:a"], &["flood", "river", "dam", "evacuated"]));
            sc.add(&mk(format!("b{i}"), &["per:b"], &["election", "ballot", "vote", "candidate"]));
        }
        let s = sc.assignments();
        let a: Vec<u32> = (0..8).map(|i| s[2 * i]).collect();
        let b: Vec<u32> = (0..8).map(|i| s[2 * i + 1]).collect();
        assert!(a.iter().all(|&x| x == a[0]), "{s:?}");
        assert!(b.iter().all(|&x| x == b[0]), "{s:?}");
        assert_ne!(a[0], b[0], "{s:?}");
    }

    #[test]
    fn content_words() {
        let cases = [
            ("Earthquakes", Some("earthquake")),
            ("the", None),
            ("said", None),
            ("agencies", Some("agency")),
            ("Putin's", Some("putin")),
            ("42", None),
            ("process", Some("process")),
            ("us", None),
        ];
        for (w, want) in cases {
            assert_eq!(content_word(w).as_deref(), want, "{w}");
        }
    }

    /// Flat per-article cost: time per article at 10k and 100k synthetic articles.
    /// `cargo test -p newsgraph-corpus --release -- --ignored --nocapture scales`
    #[test]
    #[ignore]
    fn scales_flat() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut sc = StoryClusterer::default();
        let t0 = std::time::Instant::now();
        let mut marks = Vec::new();
        for i in 0..100_000u64 {
            // ~20k stories over 100 days; each article: 6 story words, 60 Zipf-ish words.
            let story = next() % 20_000;
            let day = (story * 100 / 20_000) as i64;
            let mut terms: Vec<(String, f32)> = (0..6).map(|k| (format!("s{story}w{k}"), 2.0)).collect();
            for _ in 0..60 {
                let r = next() % 1_000_000;
                let w = (1_000_000 / (r + 1)).min(50_000);
                terms.push((format!("v{w}"), 1.0));
            }
            let a = ArticleFeatures {
                id: format!("a{i}"),
                published: Some(1_700_000_000 + day * 86_400 + (next() % 86_400) as i64),
                entities: vec![
                    Named::new(format!("e{}", story % 5000), "e", 2.0),
                    Named::new(format!("e{}", next() % 5000), "e", 1.0),
                ],
                places: vec![Named::new(format!("p{}", story % 300), "p", 2.0)],
                terms,
                ..Default::default()
            };
            sc.add(&a);
            if i + 1 == 10_000 || i + 1 == 100_000 {
                marks.push((i + 1, t0.elapsed().as_secs_f64()));
            }
        }
        let (n1, t1) = marks[0];
        let (n2, t2) = marks[1];
        let first = t1 / n1 as f64 * 1e6;
        let rest = (t2 - t1) / (n2 - n1) as f64 * 1e6;
        eprintln!(
            "first {n1}: {first:.1} µs/article; next {}: {rest:.1} µs/article; {} stories",
            n2 - n1,
            sc.stories().len()
        );
        assert!(rest < first * 3.0, "per-article cost grew: {first:.1} → {rest:.1} µs");
    }
}
