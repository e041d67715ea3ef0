use serde::{Deserialize, Serialize};

/// Maps byte offsets of a document's normalized text back to byte offsets of the
/// original input (the decoded-then-re-encoded file, the HTML page, the WARC record body).
///
/// Stored as sorted anchors `(text_offset, source_offset)`: from an anchor on, offsets
/// advance one for one until the next anchor.  Normalization that changes lengths
/// (entity decoding, whitespace folding, NFC, dropped markup) starts a new anchor.
/// Offsets inside a replaced run map to the run's start: exact where text was copied,
/// conservative where it was rewritten.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    anchors: Vec<(u32, u32)>,
}

impl OffsetMap {
    /// The identity map (text == source).
    pub fn identity() -> OffsetMap {
        OffsetMap { anchors: vec![(0, 0)] }
    }

    /// Records that text offset `text` corresponds to source offset `source`.
    /// Anchors must be pushed in non-decreasing text order; redundant ones are dropped.
    pub fn push(&mut self, text: usize, source: usize) {
        let (t, s) = (text as u32, source as u32);
        if let Some(&(lt, ls)) = self.anchors.last() {
            debug_assert!(t >= lt, "OffsetMap::push out of order");
            if s.wrapping_sub(ls) == t - lt {
                return; // continues the current run
            }
            if lt == t {
                self.anchors.pop();
            }
        }
        self.anchors.push((t, s));
    }

    /// Source offset of a text offset (`None` for an empty map).
    pub fn to_source(&self, text: usize) -> Option<usize> {
        let t = text as u32;
        let i = self.anchors.partition_point(|&(at, _)| at <= t);
        if i == 0 {
            return None;
        }
        let (at, s) = self.anchors[i - 1];
        // Inside a run: one for one, but never past the next anchor's source start.
        let mapped = s as u64 + (t - at) as u64;
        Some(match self.anchors.get(i) {
            Some(&(_, ns)) if ns > s && mapped > ns as u64 => ns as usize,
            _ => mapped as usize,
        })
    }

    /// Composes `self` (text → intermediate) with `outer` (intermediate → source): the
    /// result keeps the anchors of both, so a run of `self` that crosses an anchor of
    /// `outer` (an escape, a dropped tag) is split there.
    pub fn then(&self, outer: &OffsetMap) -> OffsetMap {
        let mut out = OffsetMap::default();
        for (i, &(t, m)) in self.anchors.iter().enumerate() {
            if let Some(s) = outer.to_source(m as usize) {
                out.push(t as usize, s);
            }
            // Where this run ends in intermediate offsets (unbounded for the last run).
            let end = self.anchors.get(i + 1).map(|&(nt, _)| m as u64 + (nt - t) as u64);
            let from = outer.anchors.partition_point(|&(om, _)| om <= m);
            for &(om, os) in &outer.anchors[from..] {
                if end.is_some_and(|e| om as u64 >= e) {
                    break;
                }
                out.push((t + (om - m)) as usize, os as usize);
            }
        }
        out
    }

    pub fn anchors(&self) -> &[(u32, u32)] {
        &self.anchors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_runs_and_gaps() {
        let mut m = OffsetMap::default();
        m.push(0, 10);
        m.push(5, 15); // same run, dropped
        m.push(6, 30);
        assert_eq!(m.anchors().len(), 2);
        assert_eq!(m.to_source(0), Some(10));
        assert_eq!(m.to_source(4), Some(14));
        assert_eq!(m.to_source(7), Some(31));
    }

    #[test]
    fn composition_keeps_outer_anchors_inside_inner_runs() {
        // inner: identity over 0..; outer: an escape at intermediate 3 (two source bytes
        // for one intermediate byte).
        let inner = OffsetMap::identity();
        let mut outer = OffsetMap::default();
        outer.push(0, 10);
        outer.push(3, 13);
        outer.push(4, 15);
        let c = inner.then(&outer);
        assert_eq!(c.to_source(2), Some(12));
        assert_eq!(c.to_source(5), Some(16));
    }

    #[test]
    fn composes() {
        let mut inner = OffsetMap::default();
        inner.push(0, 2);
        let mut outer = OffsetMap::default();
        outer.push(0, 100);
        assert_eq!(inner.then(&outer).to_source(3), Some(105));
    }
}
