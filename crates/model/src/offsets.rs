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

    /// Composes `self` (text → intermediate) with `outer` (intermediate → source).
    pub fn then(&self, outer: &OffsetMap) -> OffsetMap {
        let mut out = OffsetMap::default();
        for &(t, m) in &self.anchors {
            if let Some(s) = outer.to_source(m as usize) {
                out.push(t as usize, s);
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
    fn composes() {
        let mut inner = OffsetMap::default();
        inner.push(0, 2);
        let mut outer = OffsetMap::default();
        outer.push(0, 100);
        assert_eq!(inner.then(&outer).to_source(3), Some(105));
    }
}
