//! Feature extraction: every feature is a 64-bit hash of (template, values), later mapped
//! to a row of the hashed weight table. Nothing is allocated per feature.

/// FNV-1a over bytes, then a final mix.
#[inline]
pub fn hash_bytes(seed: u64, b: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// A strong 64-bit finalizer (splitmix64).
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Combines a template id with up to three value hashes.
#[inline]
pub fn feat(template: u64, a: u64, b: u64, c: u64) -> u64 {
    mix(template.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ a ^ b.rotate_left(21) ^ c.rotate_left(42))
}

/// The collapsed word shape: `Putin` → `Xx`, `U.S.` → `X.X.`, `1996-08-22` → `d-d-d`,
/// `McDonald` → `XxXx`; runs of one class collapse to one symbol.
pub fn shape(w: &str) -> String {
    let mut s = String::with_capacity(8);
    let mut last = '\0';
    for ch in w.chars() {
        let c = if ch.is_uppercase() {
            'X'
        } else if ch.is_lowercase() {
            'x'
        } else if ch.is_numeric() {
            'd'
        } else {
            ch
        };
        if c != last {
            s.push(c);
            last = c;
        }
        if s.len() > 12 {
            break;
        }
    }
    s
}

/// Per-token hashes shared by the features of this token and its neighbours.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenInfo {
    pub raw: u64,
    pub lower: u64,
    pub shape: u64,
    pub prefix: [u64; 4],
    pub suffix: [u64; 4],
    /// Capitalization flags: bit 0 title-case, 1 all caps, 2 has digit, 3 has hyphen,
    /// 4 has period, 5 no letter at all.
    pub flags: u8,
    /// Bits of a gazetteer match (see `Gazetteer`), 0 when none.
    pub gaz: u8,
    /// Corpus case class of the word (see `Lexicon`): 0 unknown, 1 mostly lower-case,
    /// 2 mixed, 3 mostly capitalized.
    pub lex: u8,
    /// Word classes from the lexicons (see `gazetteer::word`), 0 when none.
    pub lexb: u16,
    /// Aggregated context of the word's other occurrences in the document.
    pub ctx: CtxInfo,
    /// Sentence flags: bit 0 a table/results line (many tokens with digits).
    pub sent: u8,
    /// Document evidence (see [`mark_document`]): bit 0 the word appears title-case or
    /// capitalized in the middle of a mixed-case sentence of this document, bit 1 it
    /// appears all lower-case; bit 2 set when the evidence was computed.
    pub doc: u8,
}

/// Fills [`TokenInfo::doc`] for the sentences of one document (case evidence from the
/// whole document, no labels involved).
pub fn mark_document(sentences: &mut [(Vec<TokenInfo>, bool)]) {
    use std::collections::HashMap;
    let mut seen: HashMap<u64, u8> = HashMap::new();
    for (toks, caps) in sentences.iter() {
        if *caps {
            continue;
        }
        for (i, t) in toks.iter().enumerate() {
            if t.flags & 32 != 0 {
                continue;
            }
            let bit = if t.flags & 1 != 0 {
                if i == 0 {
                    continue;
                }
                1
            } else {
                2
            };
            *seen.entry(t.lower).or_default() |= bit;
        }
    }
    for (toks, _) in sentences.iter_mut() {
        for t in toks.iter_mut() {
            t.doc = 4 | seen.get(&t.lower).copied().unwrap_or(0);
        }
    }
    aggregate_contexts(sentences);
}

/// Context aggregation (after Ratinov & Roth 2009): for each token, the words around the
/// *other* capitalized occurrences of the same word in mixed-case sentences of the document
/// (up to [`N_CTX`] of them), the word classes of those neighbours, and the shape of the
/// runs of capitalized words those occurrences stand in.
fn aggregate_contexts(sentences: &mut [(Vec<TokenInfo>, bool)]) {
    use std::collections::HashMap;
    let capd = |t: &TokenInfo| t.flags & 1 != 0 && t.flags & 32 == 0;
    let mut occ: HashMap<u64, Vec<(u32, u32)>> = HashMap::new();
    for (si, (toks, caps)) in sentences.iter().enumerate() {
        if *caps {
            continue;
        }
        for (i, t) in toks.iter().enumerate() {
            if capd(t) {
                occ.entry(t.lower).or_default().push((si as u32, i as u32));
            }
        }
    }
    if occ.is_empty() {
        return;
    }
    let mut fill: Vec<(usize, usize, CtxInfo)> = Vec::new();
    for (si, (toks, _)) in sentences.iter().enumerate() {
        for (i, t) in toks.iter().enumerate() {
            if t.flags & 32 != 0 {
                continue;
            }
            let Some(list) = occ.get(&t.lower) else { continue };
            let mut c = CtxInfo::default();
            let (mut np, mut nn) = (0, 0);
            for &(s2, j) in list.iter().take(12) {
                let (s2, j) = (s2 as usize, j as usize);
                if s2 == si && j == i {
                    continue;
                }
                let other = &sentences[s2].0;
                c.count = c.count.saturating_add(1);
                let prev = j.checked_sub(1).map(|k| &other[k]);
                let next = other.get(j + 1);
                if let Some(p) = prev {
                    c.prev_lexb |= p.lexb;
                    if np < N_CTX && !c.prev[..np].contains(&p.lower) {
                        c.prev[np] = p.lower;
                        np += 1;
                    }
                    if capd(p) {
                        c.run |= 1;
                    }
                } else {
                    c.run |= 4;
                }
                if let Some(n) = next {
                    c.next_lexb |= n.lexb;
                    if nn < N_CTX && !c.next[..nn].contains(&n.lower) {
                        c.next[nn] = n.lower;
                        nn += 1;
                    }
                    if capd(n) {
                        c.run |= 2;
                    }
                }
            }
            if c.count > 0 {
                fill.push((si, i, c));
            }
        }
    }
    for (si, i, c) in fill {
        sentences[si].0[i].ctx = c;
    }
}

/// Number of aggregated neighbour words kept on each side.
pub const N_CTX: usize = 3;

/// Aggregated context of the other occurrences of a word in its document.
#[derive(Debug, Clone, Copy, Default)]
pub struct CtxInfo {
    /// Number of other occurrences seen (0 = none).
    pub count: u8,
    /// Bits: 1 some occurrence follows a capitalized word, 2 precedes one, 4 starts a sentence.
    pub run: u8,
    pub prev_lexb: u16,
    pub next_lexb: u16,
    /// Distinct lower-cased neighbours (0 = none).
    pub prev: [u64; N_CTX],
    pub next: [u64; N_CTX],
}

pub const PAD_BOS: u64 = 0x5151_0000_0000_0001;
pub const PAD_EOS: u64 = 0x5151_0000_0000_0002;

impl TokenInfo {
    pub fn new(word: &str) -> TokenInfo {
        let lower = word.to_lowercase();
        let sh = shape(word);
        let mut t = TokenInfo {
            raw: hash_bytes(1, word.as_bytes()),
            lower: hash_bytes(2, lower.as_bytes()),
            shape: hash_bytes(3, sh.as_bytes()),
            ..Default::default()
        };
        let cs: Vec<(usize, char)> = lower.char_indices().collect();
        let n = cs.len();
        for k in 1..=4usize {
            if k <= n {
                let cut = cs.get(k).map_or(lower.len(), |&(i, _)| i);
                t.prefix[k - 1] = hash_bytes(10 + k as u64, &lower.as_bytes()[..cut]);
                let from = cs[n - k].0;
                t.suffix[k - 1] = hash_bytes(20 + k as u64, &lower.as_bytes()[from..]);
            } else {
                t.prefix[k - 1] = PAD_EOS;
                t.suffix[k - 1] = PAD_EOS;
            }
        }
        let mut letters = 0;
        let mut upper = 0;
        for ch in word.chars() {
            if ch.is_alphabetic() {
                letters += 1;
                if ch.is_uppercase() {
                    upper += 1;
                }
            }
            if ch.is_numeric() {
                t.flags |= 4;
            }
            if ch == '-' {
                t.flags |= 8;
            }
            if ch == '.' {
                t.flags |= 16;
            }
        }
        if word.chars().next().is_some_and(char::is_uppercase) {
            t.flags |= 1;
        }
        if letters > 0 && upper == letters {
            t.flags |= 2;
        }
        if letters == 0 {
            t.flags |= 32;
        }
        t
    }
}

/// Whether a sentence is a headline in capitals (most of its letters upper-case).
pub fn is_all_caps(words: &[&str]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for w in words {
        for ch in w.chars() {
            if ch.is_uppercase() {
                up += 1;
            } else if ch.is_lowercase() {
                low += 1;
            }
        }
    }
    up >= 4 && low * 5 < up
}

/// Number of history (tag-dependent) features; they are the last ones of each token.
pub const N_HISTORY: usize = 5;

/// The static (tag-independent) features of token `i`, written into `out`.
pub fn static_features(toks: &[TokenInfo], i: usize, caps: bool, out: &mut Vec<u64>) {
    out.clear();
    let at = |j: isize| -> Option<&TokenInfo> {
        if j < 0 {
            None
        } else {
            toks.get(j as usize)
        }
    };
    let i_ = i as isize;
    let t = &toks[i];
    let lw = |j: isize| at(j).map_or(if j < 0 { PAD_BOS } else { PAD_EOS }, |t| t.lower);
    let sh = |j: isize| at(j).map_or(if j < 0 { PAD_BOS } else { PAD_EOS }, |t| t.shape);
    let rw = |j: isize| at(j).map_or(if j < 0 { PAD_BOS } else { PAD_EOS }, |t| t.raw);
    let capf = caps as u64 + 1;
    out.push(feat(0, 0, 0, 0));
    out.push(feat(1, t.raw, 0, 0));
    out.push(feat(2, t.lower, 0, 0));
    out.push(feat(3, t.shape, capf, 0));
    for k in 0..4 {
        out.push(feat(4 + k as u64, t.prefix[k], 0, 0));
        out.push(feat(8 + k as u64, t.suffix[k], 0, 0));
    }
    out.push(feat(12, lw(i_ - 1), 0, 0));
    out.push(feat(13, lw(i_ - 2), 0, 0));
    out.push(feat(14, lw(i_ + 1), 0, 0));
    out.push(feat(15, lw(i_ + 2), 0, 0));
    out.push(feat(16, sh(i_ - 1), capf, 0));
    out.push(feat(17, sh(i_ + 1), capf, 0));
    out.push(feat(18, lw(i_ - 1), t.lower, 0));
    out.push(feat(19, t.lower, lw(i_ + 1), 0));
    out.push(feat(20, sh(i_ - 1), t.shape, capf));
    out.push(feat(21, t.shape, sh(i_ + 1), capf));
    out.push(feat(22, sh(i_ - 1), t.shape, sh(i_ + 1)));
    out.push(feat(23, (i == 0) as u64, t.flags as u64, capf));
    out.push(feat(24, rw(i_ - 1), 0, 0));
    out.push(feat(25, rw(i_ + 1), 0, 0));
    out.push(feat(26, t.suffix[2], sh(i_ - 1), 0));
    out.push(feat(27, lw(i_ - 1), t.shape, 0));
    out.push(feat(28, t.shape, lw(i_ + 1), 0));
    if t.gaz != 0 {
        out.push(feat(29, t.gaz as u64, 0, 0));
        out.push(feat(30, t.gaz as u64, t.shape, capf));
    }
    if caps {
        out.push(feat(31, t.lower, 0, 0));
    }
    out.push(feat(32, t.doc as u64, t.shape, capf));
    out.push(feat(33, t.doc as u64, (i == 0) as u64, t.flags as u64 & 3));
    out.push(feat(34, lw(i_ - 1), lw(i_ + 1), 0));
    out.push(feat(35, sh(i_ - 2), sh(i_ - 1), t.shape));
    out.push(feat(36, t.shape, sh(i_ + 1), sh(i_ + 2)));
    let lx = |j: isize| at(j).map_or(9, |t| t.lex as u64);
    out.push(feat(37, t.lex as u64, t.shape, capf));
    out.push(feat(38, lx(i_ - 1), t.lex as u64, lx(i_ + 1)));
    out.push(feat(39, t.lex as u64, (i == 0) as u64, t.doc as u64));
    lexicon_features(toks, i, caps, out);
    context_features(&toks[i], caps, out);
}

/// Features from the lexicons (word classes of this and neighbouring words) and from the
/// run of capitalized words the token belongs to (its length, the position of the token in
/// it, the classes of its first and last words, and the words around it).
#[inline]
fn lexicon_features(toks: &[TokenInfo], i: usize, caps: bool, out: &mut Vec<u64>) {
    let t = &toks[i];
    let capf = caps as u64 + 1;
    let cap = t.flags as u64 & 3;
    let lb = |j: usize| toks.get(j).map_or(0, |t| t.lexb as u64);
    let lw = |j: Option<usize>| j.and_then(|j| toks.get(j)).map_or(PAD_EOS, |t| t.lower);
    if t.lexb != 0 {
        out.push(feat(50, t.lexb as u64, cap, capf));
        let mut b = t.lexb;
        while b != 0 {
            let k = b.trailing_zeros() as u64;
            out.push(feat(51, k, cap, (i == 0) as u64));
            b &= b - 1;
        }
    }
    let prev = if i > 0 { lb(i - 1) } else { 1 << 15 };
    if prev != 0 {
        out.push(feat(52, prev, cap, 0));
    }
    let next = lb(i + 1);
    if next != 0 {
        out.push(feat(53, next, cap, 0));
    }
    out.push(feat(60, t.sent as u64, t.shape, capf));
    if let Some(n) = toks.get(i + 1) {
        out.push(feat(61, n.suffix[2], cap, 0));
    }
    // The run of capitalized words around the token (not in all-caps headlines, where every
    // word is capitalized).
    let capd = |t: &TokenInfo| t.flags & 1 != 0 && t.flags & 32 == 0;
    if caps || !capd(t) {
        return;
    }
    let mut s = i;
    while s > 0 && capd(&toks[s - 1]) {
        s -= 1;
    }
    let mut e = i + 1;
    while e < toks.len() && capd(&toks[e]) {
        e += 1;
    }
    let len = (e - s).min(5) as u64;
    let pos = if e - s == 1 {
        0
    } else if i == s {
        1
    } else if i + 1 == e {
        3
    } else {
        2
    };
    let first = &toks[s];
    let last = &toks[e - 1];
    out.push(feat(54, len, pos, (s == 0) as u64));
    out.push(feat(55, last.lexb as u64, pos, len.min(3)));
    out.push(feat(56, first.lexb as u64, pos, len.min(3)));
    out.push(feat(57, last.gaz as u64 >> 2, first.gaz as u64 >> 2, pos));
    out.push(feat(58, lw(s.checked_sub(1)), pos, 0));
    out.push(feat(59, lw(Some(e)), pos, 0));
    out.push(feat(62, last.suffix[2], pos, 0));
}

/// Features of the aggregated document context of the token's word (see [`CtxInfo`]).
#[inline]
fn context_features(t: &TokenInfo, caps: bool, out: &mut Vec<u64>) {
    let c = &t.ctx;
    if c.count == 0 {
        return;
    }
    let cap = t.flags as u64 & 3 | (caps as u64) << 2;
    out.push(feat(70, c.run as u64, cap, c.count.min(3) as u64));
    out.push(feat(71, c.prev_lexb as u64, 0, 0));
    out.push(feat(72, c.next_lexb as u64, 0, 0));
    for &h in c.prev.iter().filter(|&&h| h != 0) {
        out.push(feat(73, h, 0, 0));
    }
    for &h in c.next.iter().filter(|&&h| h != 0) {
        out.push(feat(74, h, 0, 0));
    }
}

/// The features of the prediction memory: `mem` is the type most often predicted for this
/// word earlier in the document (0 = none yet, 1 + type index, or 5 for O).
#[inline]
pub fn memory_features(t: &TokenInfo, mem: u8) -> [u64; 2] {
    [feat(45, mem as u64, 0, 0), feat(46, mem as u64, t.shape, 0)]
}

/// Index of the one history feature that depends on the tag before the previous one.
pub const P2_FEATURE: usize = 1;

/// The history feature of the last two tags.
#[inline]
pub fn p2_feature(p1: u8, p2: u8) -> u64 {
    feat(41, p1 as u64 + 1, p2 as u64 + 1, 0)
}

/// The history features of token `i` given the two previous predicted tags (255 = none).
#[inline]
pub fn history_features(toks: &[TokenInfo], i: usize, p1: u8, p2: u8, out: &mut [u64; N_HISTORY]) {
    let t = &toks[i];
    out[0] = feat(40, p1 as u64 + 1, 0, 0);
    out[P2_FEATURE] = p2_feature(p1, p2);
    out[2] = feat(42, p1 as u64 + 1, t.lower, 0);
    out[3] = feat(43, p1 as u64 + 1, t.shape, 0);
    out[4] = feat(44, p1 as u64 + 1, t.suffix[2], 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for (w, s) in
            [("Putin", "Xx"), ("U.S.", "X.X."), ("1996-08-22", "d-d-d"), ("McDonald", "XxXx"), ("EU", "X"), ("", "")]
        {
            assert_eq!(shape(w), s, "{w}");
        }
    }

    #[test]
    fn token_flags_and_affixes() {
        let a = TokenInfo::new("Putin");
        let b = TokenInfo::new("PUTIN");
        assert_eq!(a.flags & 3, 1);
        assert_eq!(b.flags & 3, 3);
        assert_eq!(a.lower, b.lower, "case-folded forms agree");
        assert_ne!(a.raw, b.raw);
        assert_eq!(a.suffix[2], TokenInfo::new("Austin").suffix[2], "shared suffix -tin");
        assert_eq!(TokenInfo::new("1,000").flags & 4, 4);
        assert_eq!(TokenInfo::new(",").flags & 32, 32);
        // Short words pad their missing affixes; multi-byte letters cut on char boundaries.
        let z = TokenInfo::new("Zürich");
        assert_ne!(z.prefix[1], PAD_EOS);
        assert_eq!(TokenInfo::new("a").prefix[3], PAD_EOS);
    }

    #[test]
    fn features_are_deterministic_and_context_sensitive() {
        let toks: Vec<TokenInfo> = ["Mr", "Smith", "said"].iter().map(|w| TokenInfo::new(w)).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        static_features(&toks, 1, false, &mut a);
        static_features(&toks, 1, false, &mut b);
        assert_eq!(a, b);
        let toks2: Vec<TokenInfo> = ["Dr", "Smith", "said"].iter().map(|w| TokenInfo::new(w)).collect();
        static_features(&toks2, 1, false, &mut b);
        assert_ne!(a, b);
        assert_eq!(a[1], b[1], "the word feature itself is the same");
        assert!(is_all_caps(&["RUSSIA", "SAYS", "TALKS", "FAIL"]));
        assert!(!is_all_caps(&["Russia", "says", "EU", "talks", "fail"]));
    }
}

/// Case statistics of words in running text: whether a word is mostly written in lower
/// case (a common word) or capitalized (a name) when it is neither sentence-initial nor in
/// a headline. Learnt from the training text (labels unused) and stored with the weights.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub classes: std::collections::HashMap<u64, u8>,
}

impl Lexicon {
    /// Counts over sentences of words.
    pub fn learn<'a>(sentences: impl Iterator<Item = &'a [String]>) -> Lexicon {
        use std::collections::HashMap;
        let mut counts: HashMap<u64, (u32, u32)> = HashMap::new();
        for words in sentences {
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            if is_all_caps(&refs) {
                continue;
            }
            for w in refs.iter().skip(1) {
                let t = TokenInfo::new(w);
                if t.flags & 32 != 0 {
                    continue;
                }
                let e = counts.entry(t.lower).or_default();
                if t.flags & 1 != 0 {
                    e.1 += 1;
                } else {
                    e.0 += 1;
                }
            }
        }
        let classes = counts
            .into_iter()
            .filter(|(_, (l, c))| l + c >= 2)
            .map(|(h, (l, c))| {
                let r = c as f64 / (l + c) as f64;
                (
                    h,
                    if r < 0.2 {
                        1
                    } else if r < 0.8 {
                        2
                    } else {
                        3
                    },
                )
            })
            .collect();
        Lexicon { classes }
    }

    #[inline]
    pub fn mark(&self, toks: &mut [TokenInfo]) {
        for t in toks {
            t.lex = self.classes.get(&t.lower).copied().unwrap_or(0);
        }
    }
}
