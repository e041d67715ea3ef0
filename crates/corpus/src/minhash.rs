/// Slots per signature.
pub const NUM_HASHES: usize = 120;
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;

/// A MinHash signature: one minimum per slot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// Estimated Jaccard similarity of the two shingle sets (share of equal slots).
    pub fn jaccard(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / self.0.len().max(1) as f32
    }
}

/// Computes signatures by one-permutation hashing with densification (Li, Owen & Zhang
/// 2012; Shrivastava & Li 2014): each shingle is hashed once; the hash picks a slot and
/// the slot keeps its minimum; an empty slot (short texts) borrows from the next non-empty
/// slot, shifted by the distance. Equal slots estimate Jaccard similarity like classic
/// MinHash with `NUM_HASHES` functions, at the cost of one hash per shingle instead of
/// `NUM_HASHES` — which is what makes near-duplicate search cheap enough to run on every
/// article. The hash is fixed, so signatures compare across runs and machines.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MinHasher;

/// FNV-1a over the ASCII-lower-cased bytes of a word, finished with a multiply-xorshift.
fn word_hash(word: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in word.bytes() {
        h ^= b.to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 29;
    h.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// A 64-bit finalizer (from SplitMix64) so that slot and value bits are independent.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MinHasher {
    /// The signature of a text: words are runs of alphanumerics (ASCII case-folded),
    /// shingles are `SHINGLE_WORDS` consecutive words (a shorter text is one shingle).
    pub fn signature(&self, text: &str) -> Signature {
        let words: Vec<u64> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(word_hash).collect();
        let mut mins = [u32::MAX; NUM_HASHES];
        let mut filled = [false; NUM_HASHES];
        let n = SHINGLE_WORDS.min(words.len().max(1));
        for win in words.windows(n) {
            let mut h = 0u64;
            for (i, &w) in win.iter().enumerate() {
                h ^= w.rotate_left(i as u32 * 13);
            }
            let h = mix(h);
            let slot = (((h >> 32) * NUM_HASHES as u64) >> 32) as usize;
            let v = h as u32;
            if v < mins[slot] {
                mins[slot] = v;
            }
            filled[slot] = true;
        }
        // Densify: an empty slot takes the next filled slot's value (circularly), offset
        // by the distance so that borrowed values differ from the originals.
        if filled.iter().any(|f| *f) && !filled.iter().all(|f| *f) {
            let src = mins;
            for i in 0..NUM_HASHES {
                if !filled[i] {
                    let mut d = 1;
                    while !filled[(i + d) % NUM_HASHES] {
                        d += 1;
                    }
                    mins[i] = src[(i + d) % NUM_HASHES].wrapping_add((d as u32).wrapping_mul(0x9E37_79B9));
                }
            }
        }
        Signature(mins.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_texts_have_similar_signatures() {
        let h = MinHasher;
        let base: String = (0..200).map(|i| format!("word{} ", i)).collect();
        let edited = base.replace("word50 ", "changed ").replace("word150 ", "other ");
        let other: String = (0..200).map(|i| format!("term{} ", i)).collect();
        let s = h.signature(&base);
        assert_eq!(s.jaccard(&h.signature(&base.to_uppercase())), 1.0, "case-insensitive");
        let j = s.jaccard(&h.signature(&edited));
        assert!(j > 0.75, "{j}"); // true Jaccard ≈ 186/206 ≈ 0.90
        assert!(s.jaccard(&h.signature(&other)) < 0.05);
        assert_eq!(h.signature("").0.len(), NUM_HASHES);
        // Short texts (fewer shingles than slots) still compare sensibly.
        let short = h.signature("the talks in Anchorage ended without a deal on Friday");
        assert_eq!(short.jaccard(&h.signature("The talks in Anchorage ended without a deal on Friday.")), 1.0);
        assert!(short.jaccard(&h.signature("the talks in Geneva began with a deal on Monday")) < 0.3);
    }

    #[test]
    fn estimates_track_true_jaccard() {
        let h = MinHasher;
        // Two texts sharing a known fraction of their 5-shingles.
        let a: String = (0..1000).map(|i| format!("a{i} ")).collect();
        let b: String = (0..500).map(|i| format!("a{i} ")).chain((0..500).map(|i| format!("b{i} "))).collect();
        // shared shingles ≈ 496, union ≈ 1496 + 496 → J ≈ 0.33
        let j = h.signature(&a).jaccard(&h.signature(&b));
        assert!((0.2..0.46).contains(&j), "{j}");
    }
}
