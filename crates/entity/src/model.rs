//! The tagger: hashed-feature averaged structured perceptron over BILOU tags with beam-search
//! decoding over valid transitions; its training (early update); and its compact binary
//! weight format.
use crate::conll::chunks;
use crate::features::{
    history_features, is_all_caps, mark_document, memory_features, p2_feature, static_features, Lexicon, TokenInfo,
    N_HISTORY, P2_FEATURE,
};
use crate::gazetteer::Gazetteer;
use newsgraph_model::EntityType;

/// The entity types the model predicts, in tag order (CoNLL names).
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
/// O, then B, I, L, U for each type.
pub const NTAGS: usize = 1 + 4 * TYPES.len();
/// Version of the feature set; a weights file made for another version is refused.
pub const FEATURE_VERSION: u32 = 7;
const MAGIC: &[u8; 6] = b"NGNER\x01";

/// Our type for a CoNLL type name.
pub fn entity_type(conll: &str) -> Option<EntityType> {
    match conll {
        "PER" => Some(EntityType::Person),
        "ORG" => Some(EntityType::Organization),
        "LOC" => Some(EntityType::Place),
        "MISC" => Some(EntityType::Misc),
        _ => None,
    }
}

/// BILOU prefix (`B`, `I`, `L`, `U`, or `O`) and type index of a tag id.
#[inline]
pub fn tag_parts(tag: u8) -> (char, usize) {
    if tag == 0 {
        return ('O', 0);
    }
    let k = (tag as usize - 1) / 4;
    (['B', 'I', 'L', 'U'][(tag as usize - 1) % 4], k)
}

fn tag_id(prefix: char, k: usize) -> u8 {
    1 + 4 * k as u8
        + match prefix {
            'B' => 0,
            'I' => 1,
            'L' => 2,
            _ => 3,
        }
}

/// The label string of a tag id (`O`, `B-PER`, …).
pub fn tag_label(tag: u8) -> String {
    let (p, k) = tag_parts(tag);
    if p == 'O' {
        "O".into()
    } else {
        format!("{p}-{}", TYPES[k])
    }
}

/// Whether `cur` may follow `prev` (`None` = sentence start); `last` = final token.
#[inline]
fn allowed(prev: Option<u8>, cur: u8, last: bool) -> bool {
    let (pp, pk) = prev.map_or(('O', 0), tag_parts);
    let (cp, ck) = tag_parts(cur);
    let inside = matches!(pp, 'B' | 'I');
    let ok = if inside { matches!(cp, 'I' | 'L') && ck == pk } else { matches!(cp, 'O' | 'B' | 'U') };
    ok && !(last && matches!(cp, 'B' | 'I'))
}

/// Gold BILOU tag ids for a sentence's labels (any IOB scheme); types not in [`TYPES`] are O.
pub fn gold_tags<S: AsRef<str>>(labels: &[S]) -> Vec<u8> {
    let mut tags = vec![0u8; labels.len()];
    for c in chunks(labels) {
        let Some(k) = TYPES.iter().position(|t| *t == c.kind) else { continue };
        if c.end - c.start == 1 {
            tags[c.start] = tag_id('U', k);
        } else {
            tags[c.start] = tag_id('B', k);
            for t in &mut tags[c.start + 1..c.end - 1] {
                *t = tag_id('I', k);
            }
            tags[c.end - 1] = tag_id('L', k);
        }
    }
    tags
}

/// A weight table that can add a feature's row of tag scores.
trait Weights {
    fn add(&self, row: usize, scores: &mut [f32; NTAGS]);
}

struct Quantized<'a>(&'a [i16]);
impl Weights for Quantized<'_> {
    #[inline]
    fn add(&self, row: usize, scores: &mut [f32; NTAGS]) {
        let r = &self.0[row * NTAGS..row * NTAGS + NTAGS];
        for (s, &w) in scores.iter_mut().zip(r) {
            *s += w as f32;
        }
    }
}

struct Float<'a>(&'a [f32]);
impl Weights for Float<'_> {
    #[inline]
    fn add(&self, row: usize, scores: &mut [f32; NTAGS]) {
        let r = &self.0[row * NTAGS..row * NTAGS + NTAGS];
        for (s, &w) in scores.iter_mut().zip(r) {
            *s += w;
        }
    }
}

#[inline]
fn row_of(h: u64, bits: u32) -> usize {
    (h >> (64 - bits)) as usize
}

/// Per-document memory of the types predicted for each (capitalized) word so far.
#[derive(Default)]
struct Memory(std::collections::HashMap<u64, [u16; 5]>);

impl Memory {
    #[inline]
    fn get(&self, t: &TokenInfo) -> u8 {
        if t.flags & 3 == 0 {
            return 0;
        }
        match self.0.get(&t.lower) {
            None => 0,
            Some(c) => {
                let mut best = 0;
                for k in 1..5 {
                    if c[k] > c[best] {
                        best = k;
                    }
                }
                best as u8 + 1
            }
        }
    }

    #[inline]
    fn put(&mut self, t: &TokenInfo, tag: u8) {
        if t.flags & 3 == 0 {
            return;
        }
        let (p, k) = tag_parts(tag);
        let idx = if p == 'O' { 4 } else { k };
        self.0.entry(t.lower).or_default()[idx] += 1;
    }
}

/// Default beam width of the decoder (1 = greedy).
pub const BEAM: usize = 4;

/// One hypothesis of the beam after token `i`: its tag, the previous one, its score and the
/// index of its predecessor in the previous step.
#[derive(Debug, Clone, Copy)]
struct Hyp {
    score: f32,
    back: u16,
    tag: u8,
    p1: u8,
    gold: bool,
}

/// The static (history-independent) features of every token of a sentence, flat, with the
/// prediction-memory features; `offs[i]..offs[i + 1]` are token `i`'s.
#[derive(Default)]
struct SentenceFeatures {
    fs: Vec<u64>,
    offs: Vec<usize>,
    stat: Vec<[f32; NTAGS]>,
    tmp: Vec<u64>,
}

impl SentenceFeatures {
    fn compute<W: Weights>(&mut self, w: &W, bits: u32, toks: &[TokenInfo], caps: bool, mem: &[u8]) {
        self.fs.clear();
        self.offs.clear();
        self.stat.clear();
        self.offs.push(0);
        for i in 0..toks.len() {
            static_features(toks, i, caps, &mut self.tmp);
            self.tmp.extend_from_slice(&memory_features(&toks[i], mem[i]));
            let mut sc = [0f32; NTAGS];
            for &f in &self.tmp {
                w.add(row_of(f, bits), &mut sc);
            }
            self.fs.extend_from_slice(&self.tmp);
            self.offs.push(self.fs.len());
            self.stat.push(sc);
        }
    }

    fn of(&self, i: usize) -> &[u64] {
        &self.fs[self.offs[i]..self.offs[i + 1]]
    }
}

/// Scores of every tag for token `i` after the tags `p1`, `p2` (255 = none).
#[inline]
fn local_scores<W: Weights>(
    w: &W,
    bits: u32,
    toks: &[TokenInfo],
    sf: &SentenceFeatures,
    i: usize,
    p1: u8,
    p2: u8,
) -> [f32; NTAGS] {
    let mut sc = sf.stat[i];
    let mut hs = [0u64; N_HISTORY];
    history_features(toks, i, p1, p2, &mut hs);
    for &f in &hs {
        w.add(row_of(f, bits), &mut sc);
    }
    sc
}

/// The hypotheses of every step of a beam search, flat: step `i` holds
/// `hyps[i * k..i * k + len[i]]`.
#[derive(Default)]
struct Steps {
    k: usize,
    hyps: Vec<Hyp>,
    len: Vec<u8>,
}

impl Steps {
    fn at(&self, i: usize) -> &[Hyp] {
        &self.hyps[i * self.k..i * self.k + self.len[i] as usize]
    }
}

/// Beam search over valid BILOU sequences (hypotheses with the same last two tags are
/// recombined: the features only see two tags back, so with a beam of 17² it would be exact
/// second-order Viterbi). Fills `steps`; with `gold`, returns the first token at which the
/// gold prefix fell out of the beam (for early update).
fn beam_search<W: Weights>(
    w: &W,
    bits: u32,
    toks: &[TokenInfo],
    sf: &SentenceFeatures,
    k: usize,
    gold: Option<&[u8]>,
    steps: &mut Steps,
) -> Option<usize> {
    let n = toks.len();
    steps.k = k;
    steps.hyps.clear();
    steps.len.clear();
    let mut fell = None;
    let start = [Hyp { score: 0.0, back: 0, tag: 255, p1: 255, gold: true }];
    let mut top: Vec<Hyp> = Vec::with_capacity(k + 1);
    for i in 0..n {
        top.clear();
        {
            let prev: &[Hyp] = if i == 0 { &start } else { steps.at(i - 1) };
            // Scores of the features that depend on the previous tag only, shared by the
            // hypotheses that end in the same tag.
            let mut p1_scores: [Option<[f32; NTAGS]>; NTAGS + 1] = [None; NTAGS + 1];
            for (hi, h) in prev.iter().enumerate() {
                let slot = if h.tag == 255 { NTAGS } else { h.tag as usize };
                let base = *p1_scores[slot].get_or_insert_with(|| {
                    let mut sc = sf.stat[i];
                    let mut hs = [0u64; N_HISTORY];
                    history_features(toks, i, h.tag, 255, &mut hs);
                    for (j, &f) in hs.iter().enumerate() {
                        if j != P2_FEATURE {
                            w.add(row_of(f, bits), &mut sc);
                        }
                    }
                    sc
                });
                let mut sc = base;
                w.add(row_of(p2_feature(h.tag, h.p1), bits), &mut sc);
                let pt = (i > 0).then_some(h.tag);
                for t in 0..NTAGS as u8 {
                    if !allowed(pt, t, i + 1 == n) {
                        continue;
                    }
                    let score = h.score + sc[t as usize];
                    if top.len() == k && score <= top[k - 1].score {
                        continue;
                    }
                    // Recombination: one hypothesis per (previous tag, tag), the best.
                    if let Some(pos) = top.iter().position(|c| c.tag == t && c.p1 == h.tag) {
                        if top[pos].score >= score {
                            continue;
                        }
                        top.remove(pos);
                    }
                    let g = h.gold && gold.is_some_and(|g| g[i] == t);
                    let at = top.iter().position(|c| c.score < score).unwrap_or(top.len());
                    top.insert(at, Hyp { score, back: hi as u16, tag: t, p1: h.tag, gold: g });
                    top.truncate(k);
                }
            }
        }
        if fell.is_none() && gold.is_some() && !top.iter().any(|h| h.gold) {
            fell = Some(i);
        }
        steps.len.push(top.len() as u8);
        steps.hyps.extend_from_slice(&top);
        steps.hyps.resize((i + 1) * k, top[0]);
    }
    fell
}

/// The tags of the best hypothesis at step `i` (tokens `0..=i`), written into `out`.
fn backtrack(steps: &Steps, i: usize, out: &mut Vec<u8>) {
    out.clear();
    let mut j = 0usize;
    for s in (0..=i).rev() {
        let h = steps.at(s)[j];
        out.push(h.tag);
        j = h.back as usize;
    }
    out.reverse();
}

/// Beam decoding of one sentence; returns tags and each tag's probability (softmax of the
/// allowed local scores given the previous tags, `temp` = weight units per nat).
#[allow(clippy::too_many_arguments)]
fn decode<W: Weights>(
    w: &W,
    bits: u32,
    toks: &[TokenInfo],
    caps: bool,
    temp: f32,
    beam: usize,
    memory: &mut Memory,
    sf: &mut SentenceFeatures,
    steps: &mut Steps,
) -> (Vec<u8>, Vec<f32>) {
    let n = toks.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let mem: Vec<u8> = toks.iter().map(|t| memory.get(t)).collect();
    sf.compute(w, bits, toks, caps, &mem);
    beam_search(w, bits, toks, sf, beam, None, steps);
    let sf = &*sf;
    let mut tags = Vec::with_capacity(n);
    backtrack(steps, n - 1, &mut tags);
    let mut probs = Vec::with_capacity(n);
    for i in 0..n {
        let p1 = if i > 0 { tags[i - 1] } else { 255 };
        let p2 = if i > 1 { tags[i - 2] } else { 255 };
        let sc = local_scores(w, bits, toks, sf, i, p1, p2);
        let prev = (i > 0).then_some(p1);
        let best = sc[tags[i] as usize];
        let mut z = 0f32;
        for t in 0..NTAGS as u8 {
            if allowed(prev, t, i + 1 == n) {
                z += ((sc[t as usize] - best) / temp).exp();
            }
        }
        probs.push((1.0 / z).min(1.0));
    }
    for (t, &tag) in toks.iter().zip(&tags) {
        memory.put(t, tag);
    }
    (tags, probs)
}

/// Token infos of a document's sentences, with gazetteer and document-case evidence.
fn prepare(sentences: &[Vec<&str>], gazetteer: Option<&Gazetteer>, lexicon: &Lexicon) -> Vec<(Vec<TokenInfo>, bool)> {
    let mut out: Vec<(Vec<TokenInfo>, bool)> = sentences
        .iter()
        .map(|words| {
            let mut toks: Vec<TokenInfo> = words.iter().map(|w| TokenInfo::new(w)).collect();
            if let Some(g) = gazetteer {
                g.mark(words, &mut toks);
            }
            lexicon.mark(&mut toks);
            let digits = toks.iter().filter(|t| t.flags & 4 != 0).count();
            if toks.len() > 2 && digits * 3 >= toks.len() {
                for t in &mut toks {
                    t.sent |= 1;
                }
            }
            (toks, is_all_caps(words))
        })
        .collect();
    mark_document(&mut out);
    out
}

/// The order in which a document's sentences are decoded: mixed-case sentences first, then
/// all-caps ones (headlines), so that the prediction memory of the body informs them.
fn decoding_order(prepared: &[(Vec<TokenInfo>, bool)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..prepared.len()).filter(|&i| !prepared[i].1).collect();
    order.extend((0..prepared.len()).filter(|&i| prepared[i].1));
    order
}

/// Entities from a valid BILOU tag sequence.
fn spans(tags: &[u8], probs: &[f32]) -> Vec<Tagged> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        let (p, k) = tag_parts(tags[i]);
        if p == 'O' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if p == 'B' {
            while i < tags.len() && tag_parts(tags[i]).0 == 'I' {
                i += 1;
            }
            if i < tags.len() && tag_parts(tags[i]).0 == 'L' {
                i += 1;
            }
        }
        let conf = probs[start..i].iter().sum::<f32>() / (i - start) as f32;
        out.push(Tagged {
            start,
            end: i,
            kind: entity_type(TYPES[k]).expect("known type"),
            label: TYPES[k],
            confidence: conf,
        });
    }
    out
}

/// A recognized entity: tokens `start..end` of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
    /// CoNLL name of the type (`PER`, `ORG`, `LOC`, `MISC`).
    pub label: &'static str,
    /// Mean probability of the tokens' tags (a calibrated-ish score in 0..1).
    pub confidence: f32,
}

/// The named-entity tagger (quantized weights).
pub struct Tagger {
    bits: u32,
    scale: f32,
    weights: Vec<i16>,
    gazetteer: Option<Gazetteer>,
    lexicon: Lexicon,
    temperature: f32,
    beam: usize,
}

/// Softmax temperature of the confidences, in perceptron update units (fitted on eng.testa:
/// see `examples/experiment.rs`).
pub const TEMPERATURE: f32 = 16.0;

/// Errors reading a weights file.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadError {
    NotAModel,
    Version(u32),
    Truncated,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotAModel => f.write_str("not a newsgraph NER weights file"),
            LoadError::Version(v) => {
                write!(f, "weights made for feature version {v}, this program has {FEATURE_VERSION}")
            }
            LoadError::Truncated => f.write_str("weights file is truncated or corrupt"),
        }
    }
}
impl std::error::Error for LoadError {}

impl Tagger {
    /// Sets the gazetteer whose matches become features (must be the one used in training).
    pub fn with_gazetteer(mut self, g: Option<Gazetteer>) -> Tagger {
        self.gazetteer = g;
        self
    }

    /// Sets the softmax temperature of the confidences (default [`TEMPERATURE`]).
    pub fn with_temperature(mut self, t: f32) -> Tagger {
        self.temperature = t.max(1e-3);
        self
    }

    /// Sets the beam width of the decoder (default [`BEAM`]; 1 = greedy).
    pub fn with_beam(mut self, k: usize) -> Tagger {
        self.beam = k.max(1);
        self
    }

    /// Hash-table size in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Number of non-zero weights.
    pub fn nonzero(&self) -> usize {
        self.weights.iter().filter(|&&w| w != 0).count()
    }

    fn prepare(&self, sentences: &[Vec<&str>]) -> Vec<(Vec<TokenInfo>, bool)> {
        prepare(sentences, self.gazetteer.as_ref(), &self.lexicon)
    }

    /// BILOU tag ids and their probabilities for the sentences of one document (in order:
    /// the document's case evidence and earlier predictions are features).
    pub fn tag_ids_document(&self, sentences: &[Vec<&str>]) -> Vec<(Vec<u8>, Vec<f32>)> {
        let prepared = self.prepare(sentences);
        let temp = (self.temperature / self.scale.max(1e-12)).max(1e-6);
        let mut memory = Memory::default();
        let (mut sf, mut steps) = (SentenceFeatures::default(), Steps::default());
        let mut out = vec![(Vec::new(), Vec::new()); prepared.len()];
        for i in decoding_order(&prepared) {
            let (toks, caps) = &prepared[i];
            let w = Quantized(&self.weights);
            out[i] = decode(&w, self.bits, toks, *caps, temp, self.beam, &mut memory, &mut sf, &mut steps);
        }
        out
    }

    /// BILOU tag ids and their probabilities for one sentence's words (a one-sentence document).
    pub fn tag_ids(&self, words: &[&str]) -> (Vec<u8>, Vec<f32>) {
        self.tag_ids_document(&[words.to_vec()]).pop().unwrap_or_default()
    }

    /// Tag labels (`O`, `B-PER`, `L-PER`, …) for one sentence.
    pub fn labels(&self, words: &[&str]) -> Vec<String> {
        self.tag_ids(words).0.into_iter().map(tag_label).collect()
    }

    /// The entities of one sentence (tagged as a document of its own).
    pub fn entities(&self, words: &[&str]) -> Vec<Tagged> {
        let (tags, probs) = self.tag_ids(words);
        spans(&tags, &probs)
    }

    /// The entities of each sentence of one document.
    pub fn entities_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<Tagged>> {
        self.tag_ids_document(sentences).iter().map(|(t, p)| spans(t, p)).collect()
    }

    /// Serializes the weights: header, then (gap, value) pairs of the non-zero weights as
    /// LEB128 varints (values zig-zag coded).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.push(self.bits as u8);
        out.push(NTAGS as u8);
        out.extend_from_slice(&self.scale.to_le_bytes());
        let nz = self.nonzero() as u64;
        out.extend_from_slice(&nz.to_le_bytes());
        let mut last = 0usize;
        for (i, &w) in self.weights.iter().enumerate() {
            if w != 0 {
                put_varint(&mut out, (i - last) as u64);
                put_varint(&mut out, ((w as i32) << 1 ^ ((w as i32) >> 31)) as u32 as u64);
                last = i;
            }
        }
        let mut lex: Vec<(&u64, &u8)> = self.lexicon.classes.iter().collect();
        lex.sort();
        put_varint(&mut out, lex.len() as u64);
        for (h, c) in lex {
            out.extend_from_slice(&h.to_le_bytes());
            out.push(*c);
        }
        out
    }

    /// Reads weights written by [`Tagger::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Tagger, LoadError> {
        if b.len() < 24 || &b[..6] != MAGIC {
            return Err(LoadError::NotAModel);
        }
        let version = u32::from_le_bytes(b[6..10].try_into().expect("4 bytes"));
        if version != FEATURE_VERSION {
            return Err(LoadError::Version(version));
        }
        let bits = b[10] as u32;
        if b[11] as usize != NTAGS || !(8..=26).contains(&bits) {
            return Err(LoadError::NotAModel);
        }
        let scale = f32::from_le_bytes(b[12..16].try_into().expect("4 bytes"));
        let nz = u64::from_le_bytes(b[16..24].try_into().expect("8 bytes"));
        let mut weights = vec![0i16; (1usize << bits) * NTAGS];
        let mut pos = 24;
        let mut idx = 0usize;
        for _ in 0..nz {
            let gap = get_varint(b, &mut pos).ok_or(LoadError::Truncated)?;
            let z = get_varint(b, &mut pos).ok_or(LoadError::Truncated)? as u32;
            idx += gap as usize;
            let v = ((z >> 1) as i32) ^ -((z & 1) as i32);
            *weights.get_mut(idx).ok_or(LoadError::Truncated)? = v as i16;
        }
        let n = get_varint(b, &mut pos).ok_or(LoadError::Truncated)? as usize;
        let mut classes = std::collections::HashMap::with_capacity(n);
        for _ in 0..n {
            let h = b.get(pos..pos + 8).ok_or(LoadError::Truncated)?;
            let c = *b.get(pos + 8).ok_or(LoadError::Truncated)?;
            classes.insert(u64::from_le_bytes(h.try_into().expect("8 bytes")), c);
            pos += 9;
        }
        Ok(Tagger {
            bits,
            scale,
            weights,
            gazetteer: None,
            lexicon: Lexicon { classes },
            temperature: TEMPERATURE,
            beam: BEAM,
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let x = *b.get(*pos)?;
        *pos += 1;
        v |= ((x & 0x7f) as u64) << shift;
        if x < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub epochs: usize,
    pub bits: u32,
    pub seed: u64,
    /// Quantized weights with |w| below this are dropped (smaller file).
    pub prune: i16,
    /// Unused since the beam trainer (feature version 7); kept so that configurations
    /// written for earlier versions still compile.
    pub word_dropout: f64,
    /// Every n-th document is added again in upper case and another in lower case (0 = none).
    pub augment_case: usize,
    /// Learn and use the case lexicon (off: it cost ≈ 0.5 F1 on eng.testb while helping
    /// all-caps and lower-case text by ≈ 2–3 points).
    pub case_lexicon: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 12,
            bits: 20,
            seed: 42,
            prune: 0,
            word_dropout: 0.0,
            augment_case: 10,
            case_lexicon: false,
        }
    }
}

/// One training sentence: words and labels in any IOB scheme with CoNLL type names.
pub struct TrainSentence {
    pub words: Vec<String>,
    pub labels: Vec<String>,
}

/// Trains an averaged perceptron on documents (lists of sentences, kept in order; the
/// document order is shuffled each epoch). After each epoch the averaged, quantized model
/// is passed to `on_epoch` (which returns a dev score, e.g. F1); the best-scoring epoch's
/// model is returned. Deterministic for a given seed and input.
pub fn train(
    docs: &[Vec<TrainSentence>],
    gazetteer: Option<&Gazetteer>,
    cfg: &TrainConfig,
    on_epoch: impl FnMut(usize, &Tagger) -> f64,
) -> Tagger {
    train_beam(docs, gazetteer, cfg, BEAM, on_epoch)
}

/// [`train`] with another beam width (the tagger decodes with the same).
pub fn train_beam(
    docs: &[Vec<TrainSentence>],
    gazetteer: Option<&Gazetteer>,
    cfg: &TrainConfig,
    beam: usize,
    mut on_epoch: impl FnMut(usize, &Tagger) -> f64,
) -> Tagger {
    let beam = beam.max(1);
    let bits = cfg.bits;
    let learn = |it: &mut dyn Iterator<Item = &TrainSentence>| {
        if cfg.case_lexicon {
            Lexicon::learn(it.map(|s| &s.words[..]))
        } else {
            Lexicon::default()
        }
    };
    let lexicon = learn(&mut docs.iter().flatten());
    // Case augmentation: every n-th document once more in upper case, and another in lower
    // case, so that headlines and lower-case text are tagged too.
    let mut extra: Vec<Vec<TrainSentence>> = Vec::new();
    if cfg.augment_case > 0 && !docs.is_empty() {
        let n = cfg.augment_case;
        let recased = |d: &Vec<TrainSentence>, f: fn(&str) -> String| -> Vec<TrainSentence> {
            d.iter()
                .map(|s| TrainSentence { words: s.words.iter().map(|w| f(w)).collect(), labels: s.labels.clone() })
                .collect()
        };
        for i in (0..docs.len()).step_by(n) {
            extra.push(recased(&docs[i], str::to_uppercase));
            extra.push(recased(&docs[(i + n / 2) % docs.len()], str::to_lowercase));
        }
    }
    // Per document: (token infos, caps) and gold tags per sentence.
    // The case lexicon seen by a training document is learnt from the other half of the
    // documents (as for unseen text), not from the document itself.
    let half =
        |odd: bool| learn(&mut docs.iter().enumerate().filter(|(i, _)| (i % 2 == 1) == odd).flat_map(|(_, d)| d));
    let (lex_even, lex_odd) = (half(true), half(false));
    type PreparedDoc = (Vec<(Vec<TokenInfo>, bool)>, Vec<Vec<u8>>);
    let prepared: Vec<PreparedDoc> = docs
        .iter()
        .chain(&extra)
        .enumerate()
        .map(|(i, d)| {
            let d: Vec<&TrainSentence> = d.iter().filter(|s| !s.words.is_empty()).collect();
            let words: Vec<Vec<&str>> = d.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
            let lex = if i % 2 == 0 { &lex_even } else { &lex_odd };
            (prepare(&words, gazetteer, lex), d.iter().map(|s| gold_tags(&s.labels)).collect())
        })
        .collect();
    let size = (1usize << bits) * NTAGS;
    let mut w = vec![0f32; size];
    let mut u = vec![0f32; size];
    let mut c: f32 = 1.0;
    let mut order: Vec<usize> = (0..prepared.len()).collect();
    let mut rng = cfg.seed.max(1);
    let mut best: Option<(f64, Tagger)> = None;
    let mut sf = SentenceFeatures::default();
    let mut steps = Steps::default();
    let (mut pred, mut pre) = (Vec::new(), Vec::new());
    for epoch in 1..=cfg.epochs {
        // Fisher-Yates with xorshift64: a fixed order per seed.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &di in &order {
            let (sents, golds) = &prepared[di];
            let mut memory = Memory::default();
            for si in decoding_order(sents) {
                let ((toks, caps), gold) = (&sents[si], &golds[si]);
                let n = toks.len();
                if n == 0 {
                    continue;
                }
                let mem: Vec<u8> = toks.iter().map(|t| memory.get(t)).collect();
                sf.compute(&Float(&w), bits, toks, *caps, &mem);
                let fell = beam_search(&Float(&w), bits, toks, &sf, beam, Some(gold), &mut steps);
                backtrack(&steps, n - 1, &mut pred);
                // Early update (Collins & Roark 2004): when the gold prefix falls out of the
                // beam, update on the prefixes up to there; else on the whole sentence.
                let end = match fell {
                    Some(i) => {
                        backtrack(&steps, i, &mut pre);
                        Some(i)
                    }
                    None if pred != *gold => {
                        pre.clone_from(&pred);
                        Some(n - 1)
                    }
                    None => None,
                };
                if let Some(end) = end {
                    let mut hs = [0u64; N_HISTORY];
                    for j in 0..=end {
                        let (g, p) = (gold[j], pre[j]);
                        let gp = |t: &[u8], back: usize| if j >= back { t[j - back] } else { 255 };
                        let (g1, g2, q1, q2) = (gp(gold, 1), gp(gold, 2), gp(&pre, 1), gp(&pre, 2));
                        if g == p && g1 == q1 && g2 == q2 {
                            continue;
                        }
                        let mut bump = |f: u64, t: u8, d: f32| {
                            let r = row_of(f, bits) * NTAGS + t as usize;
                            w[r] += d;
                            u[r] += d * c;
                        };
                        if g != p {
                            for &f in sf.of(j) {
                                bump(f, g, 1.0);
                                bump(f, p, -1.0);
                            }
                        }
                        history_features(toks, j, g1, g2, &mut hs);
                        for &f in &hs {
                            bump(f, g, 1.0);
                        }
                        history_features(toks, j, q1, q2, &mut hs);
                        for &f in &hs {
                            bump(f, p, -1.0);
                        }
                    }
                }
                for (t, &tag) in toks.iter().zip(&pred) {
                    memory.put(t, tag);
                }
                c += n as f32;
            }
        }
        let tagger = quantize(&w, &u, c, bits, cfg.prune, gazetteer.cloned(), &lexicon).with_beam(beam);
        let score = on_epoch(epoch, &tagger);
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, tagger));
        }
    }
    best.map(|(_, t)| t)
        .unwrap_or_else(|| quantize(&w, &u, c, bits, cfg.prune, gazetteer.cloned(), &lexicon).with_beam(beam))
}

fn quantize(
    w: &[f32],
    u: &[f32],
    c: f32,
    bits: u32,
    prune: i16,
    gazetteer: Option<Gazetteer>,
    lexicon: &Lexicon,
) -> Tagger {
    let avg: Vec<f32> = w.iter().zip(u).map(|(&w, &u)| w - u / c).collect();
    let max = avg.iter().fold(0f32, |m, &x| m.max(x.abs())).max(1e-9);
    let scale = max / 32767.0;
    let weights = avg
        .iter()
        .map(|&x| {
            let q = (x / scale).round() as i16;
            if q.abs() < prune {
                0
            } else {
                q
            }
        })
        .collect();
    Tagger { bits, scale, weights, gazetteer, lexicon: lexicon.clone(), temperature: TEMPERATURE, beam: BEAM }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_tags_are_bilou() {
        let labels = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG", "I-ORG", "I-ORG", "I-Weapon"];
        let got: Vec<String> = gold_tags(&labels).into_iter().map(tag_label).collect();
        assert_eq!(got, ["B-PER", "L-PER", "O", "U-LOC", "U-LOC", "B-ORG", "I-ORG", "L-ORG", "O"]);
    }

    #[test]
    fn transitions() {
        let b_per = tag_id('B', 0);
        assert!(allowed(None, b_per, false));
        assert!(!allowed(None, b_per, true), "B cannot end a sentence");
        assert!(!allowed(Some(b_per), 0, false), "B must be closed");
        assert!(allowed(Some(b_per), tag_id('L', 0), true));
        assert!(!allowed(Some(b_per), tag_id('L', 1), true), "types agree inside a chunk");
        assert!(!allowed(None, tag_id('I', 2), false));
    }

    fn sents(lines: &[&str]) -> Vec<TrainSentence> {
        lines
            .iter()
            .map(|l| {
                let (mut words, mut labels) = (Vec::new(), Vec::new());
                for wl in l.split(' ') {
                    let (w, lab) = wl.split_once('/').unwrap_or((wl, "O"));
                    words.push(w.to_string());
                    labels.push(lab.to_string());
                }
                TrainSentence { words, labels }
            })
            .collect()
    }

    #[test]
    fn trains_a_tiny_model_and_round_trips() {
        let data = sents(&[
            "John/B-PER Smith/I-PER visited/O Paris/B-LOC ./O",
            "Mary/B-PER Jones/I-PER visited/O London/B-LOC ./O",
            "Peter/B-PER Brown/I-PER works/O for/O Acme/B-ORG Corp/I-ORG ./O",
            "Anna/B-PER Lee/I-PER works/O for/O Globex/B-ORG Corp/I-ORG in/O Berlin/B-LOC ./O",
            "He/O visited/O Rome/B-LOC and/O Madrid/B-LOC ./O",
            "She/O works/O for/O Initech/B-ORG Corp/I-ORG ./O",
        ]);
        let cfg = TrainConfig { epochs: 10, bits: 14, seed: 7, augment_case: 0, ..Default::default() };
        let mut epochs = 0;
        let docs: Vec<Vec<TrainSentence>> = data.into_iter().map(|s| vec![s]).collect();
        let t = train(&docs, None, &cfg, |_, _| {
            epochs += 1;
            0.0
        });
        assert_eq!(epochs, 10);
        let words = ["Susan", "Smith", "works", "for", "Umbrella", "Corp", "in", "Paris", "."];
        let ents = t.entities(&words);
        let got: Vec<(usize, usize, &str)> = ents.iter().map(|e| (e.start, e.end, e.label)).collect();
        assert_eq!(got, [(0, 2, "PER"), (4, 6, "ORG"), (7, 8, "LOC")]);
        assert!(ents.iter().all(|e| e.confidence > 0.0 && e.confidence <= 1.0));
        let bytes = t.to_bytes();
        let back = Tagger::from_bytes(&bytes).unwrap();
        assert_eq!(back.labels(&words), t.labels(&words));
        assert_eq!(Tagger::from_bytes(b"nonsense, not a model").err(), Some(LoadError::NotAModel));
        assert!(t.entities(&[]).is_empty());
    }
}
