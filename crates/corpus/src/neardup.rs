use crate::{MinHasher, Signature, NUM_HASHES};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Estimated Jaccard similarity of word 5-shingles at or above which two texts are
/// near-duplicates.
pub const DEFAULT_THRESHOLD: f32 = 0.6;
const BANDS: usize = 30;
const ROWS: usize = NUM_HASHES / BANDS;
/// Most signatures kept per LSH bucket. A bucket only fills up when many documents share a
/// band, i.e. when they are copies of each other; the ones already there represent the
/// family, so later members are found through them. This keeps a query's cost bounded
/// (at most `BANDS × BUCKET_CAP` candidates) when thousands of articles are one wire story.
pub const BUCKET_CAP: usize = 32;
/// Estimated similarity at or above which a new document is represented by an earlier copy
/// and not indexed itself (it would only add another entry to the same buckets).
pub const REPRESENTED: f32 = 0.9;

/// Band keys are already well-mixed hashes: use them as they are instead of re-hashing.
#[derive(Debug, Default, Clone, Copy)]
struct KeyIsHash(u64);

impl std::hash::Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type BandTable = HashMap<u64, Vec<u32>, std::hash::BuildHasherDefault<KeyIsHash>>;

/// Locality-sensitive hashing over signatures: insert, and query for similar ones.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LshIndex {
    tables: Vec<BandTable>,
    sigs: Vec<Signature>,
}

fn band_key(band: &[u32]) -> u64 {
    let h = band.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &v| (h ^ v as u64).wrapping_mul(0x0000_0100_0000_01b3));
    h ^ (h >> 31)
}

impl LshIndex {
    pub fn new() -> Self {
        LshIndex { tables: (0..BANDS).map(|_| BandTable::default()).collect(), sigs: Vec::new() }
    }

    /// Number of signatures inserted.
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// Inserts a signature; returns its index (insertion order). A bucket already holding
    /// [`BUCKET_CAP`] signatures is left as it is.
    pub fn insert(&mut self, sig: Signature) -> usize {
        self.insert_with(sig, true)
    }

    /// Inserts a signature, into the buckets only when `indexed` (an unindexed one keeps its
    /// index number but is never returned by a query).
    pub fn insert_with(&mut self, sig: Signature, indexed: bool) -> usize {
        if self.tables.is_empty() {
            *self = LshIndex::new();
        }
        let idx = self.sigs.len() as u32;
        if indexed {
            for (b, table) in self.tables.iter_mut().enumerate() {
                let bucket = table.entry(band_key(&sig.0[b * ROWS..(b + 1) * ROWS])).or_default();
                if bucket.len() < BUCKET_CAP {
                    bucket.push(idx);
                }
            }
        }
        self.sigs.push(sig);
        idx as usize
    }

    /// The largest bucket (test hook: bounded by [`BUCKET_CAP`]).
    #[cfg(test)]
    fn largest_bucket(&self) -> usize {
        self.tables.iter().flat_map(|t| t.values().map(Vec::len)).max().unwrap_or(0)
    }

    /// Indexes of inserted signatures with estimated Jaccard ≥ `threshold`, most similar first.
    pub fn query(&self, sig: &Signature, threshold: f32) -> Vec<(usize, f32)> {
        let mut seen: Vec<u32> = Vec::new();
        for (b, table) in self.tables.iter().enumerate() {
            if let Some(ids) = table.get(&band_key(&sig.0[b * ROWS..(b + 1) * ROWS])) {
                seen.extend_from_slice(ids);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let mut out: Vec<(usize, f32)> = seen
            .into_iter()
            .map(|i| (i as usize, self.sigs[i as usize].jaccard(sig)))
            .filter(|&(_, j)| j >= threshold)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// A document found to duplicate earlier ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    /// The canonical copy of its group (earliest published; ties to the first seen).
    pub canonical: String,
    /// The most similar earlier document and the estimated Jaccard similarity to it.
    pub nearest: String,
    pub similarity: f32,
    /// The canonical ids the earlier groups it joined had before (one unless it bridged
    /// several; a lone earlier document is its own canonical).
    pub joined: Vec<String>,
}

/// A group of near-duplicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DupGroup {
    pub canonical: String,
    /// Every member, canonical included, in the order they were added.
    pub members: Vec<String>,
}

/// Incremental near-duplicate detection with duplicate groups (union-find).
#[derive(Debug, Serialize, Deserialize)]
pub struct NearDuplicates {
    hasher: MinHasher,
    index: LshIndex,
    threshold: f32,
    ids: Vec<String>,
    /// Sort key for "earliest": publication time (seconds) if known.
    times: Vec<Option<i64>>,
    parent: Vec<usize>,
}

impl Default for NearDuplicates {
    fn default() -> Self {
        NearDuplicates::with_threshold(DEFAULT_THRESHOLD)
    }
}

impl NearDuplicates {
    pub fn with_threshold(threshold: f32) -> Self {
        NearDuplicates {
            hasher: MinHasher,
            index: LshIndex::new(),
            threshold,
            ids: Vec::new(),
            times: Vec::new(),
            parent: Vec::new(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Whether `a` should be the canonical copy rather than `b`.
    fn earlier(&self, a: usize, b: usize) -> bool {
        match (self.times[a], self.times[b]) {
            (Some(x), Some(y)) if x != y => x < y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            _ => a < b,
        }
    }

    /// Adds a document (`published` as Unix seconds, when known). Returns how it
    /// duplicates earlier documents, or `None` if it is new.
    pub fn add(&mut self, id: impl Into<String>, published: Option<i64>, text: &str) -> Option<Duplicate> {
        let sig = self.hasher.signature(text);
        let hits = self.index.query(&sig, self.threshold);
        // A near-identical copy is found through the copy it matches: not indexed itself.
        let indexed = hits.first().is_none_or(|h| h.1 < REPRESENTED);
        let me = self.index.insert_with(sig, indexed);
        self.ids.push(id.into());
        self.times.push(published);
        self.parent.push(me);
        let &(nearest, similarity) = hits.first()?;
        let mut joined = Vec::new();
        for &(other, _) in &hits {
            let ro = self.find(other);
            if !joined.contains(&ro) {
                joined.push(ro);
            }
        }
        for &(other, _) in &hits {
            let (ra, rb) = (self.find(me), self.find(other));
            if ra != rb {
                // The root of a group is always its canonical (earliest) member.
                let (root, child) = if self.earlier(ra, rb) { (ra, rb) } else { (rb, ra) };
                self.parent[child] = root;
            }
        }
        let canonical = self.find(me);
        let joined = joined.into_iter().map(|r| self.ids[r].clone()).collect();
        Some(Duplicate {
            canonical: self.ids[canonical].clone(),
            nearest: self.ids[nearest].clone(),
            similarity,
            joined,
        })
    }

    /// Groups with more than one member, in order of their first member.
    pub fn groups(&mut self) -> Vec<DupGroup> {
        let mut by_root: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        for i in 0..self.ids.len() {
            let r = self.find(i);
            let k = *slot.entry(r).or_insert_with(|| {
                by_root.push((r, Vec::new()));
                by_root.len() - 1
            });
            by_root[k].1.push(i);
        }
        by_root
            .into_iter()
            .filter(|(_, m)| m.len() > 1)
            .map(|(r, m)| DupGroup {
                canonical: self.ids[r].clone(),
                members: m.iter().map(|&i| self.ids[i].clone()).collect(),
            })
            .collect()
    }

    /// Documents added so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(seed: usize, n: usize) -> String {
        (0..n).map(|i| format!("w{}x{} ", seed, i)).collect()
    }

    #[test]
    fn groups_and_canonical_is_earliest() {
        let mut nd = NearDuplicates::default();
        let base = text(1, 300);
        let copy = base.replacen("w1x10 ", "edited ", 1) + "This story was updated.";
        assert!(nd.add("first-seen", Some(2_000), &base).is_none());
        assert!(nd.add("unrelated", Some(1_000), &text(2, 300)).is_none());
        // An earlier copy arrives later: it becomes the canonical one.
        let d = nd.add("earlier-copy", Some(500), &copy).unwrap();
        assert_eq!(d.canonical, "earlier-copy");
        assert_eq!(d.nearest, "first-seen");
        assert!(d.similarity > 0.8, "{}", d.similarity);
        let groups = nd.groups();
        assert_eq!(
            groups,
            vec![DupGroup {
                canonical: "earlier-copy".into(),
                members: vec!["first-seen".into(), "earlier-copy".into()]
            }]
        );
    }

    #[test]
    fn thousands_of_copies_stay_one_group_with_bounded_buckets() {
        // One wire story republished 3,000 times, each copy with its own small edit (and
        // every 7th an exact copy): all one group, and no bucket grows past the cap, so the
        // cost of a query does not grow with the family.
        let mut nd = NearDuplicates::default();
        let base = text(7, 400);
        assert!(nd.add("0", Some(0), &base).is_none());
        for k in 1..3000usize {
            let copy = if k % 7 == 0 {
                base.clone()
            } else {
                base.replacen(&format!("w7x{} ", k % 400), &format!("edit{k} "), 1) + &format!(" Updated {k}.")
            };
            let d = nd.add(k.to_string(), Some(k as i64), &copy).unwrap_or_else(|| panic!("copy {k} not found"));
            assert_eq!(d.canonical, "0");
        }
        assert!(nd.index.largest_bucket() <= BUCKET_CAP, "{}", nd.index.largest_bucket());
        assert_eq!(nd.groups().len(), 1);
        // An unrelated document is still new.
        assert!(nd.add("other", None, &text(8, 300)).is_none());
    }

    #[test]
    fn different_texts_on_one_topic_are_not_duplicates() {
        let mut nd = NearDuplicates::default();
        let a = "The summit in Anchorage ended without a ceasefire agreement after three hours of talks between the two leaders on Friday evening.";
        let b = "European leaders said on Saturday that any peace deal must include security guarantees for Ukraine and be agreed by Kyiv itself.";
        assert!(nd.add("a", None, a).is_none());
        assert!(nd.add("b", None, b).is_none());
        assert!(nd.groups().is_empty());
    }
}
