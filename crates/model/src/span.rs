use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into a document's normalized text.
///
/// Byte offsets (not chars) so that slicing is O(1) and matches what Rust,
/// tantivy and most tokenizers report.  Serialized as `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "[u32; 2]", into = "[u32; 2]")]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Panics if `start > end`: that is a caller bug, never data-dependent.
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "Span::new: start {start} > end {end}");
        Span { start: start as u32, end: end as u32 }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl From<[u32; 2]> for Span {
    fn from(a: [u32; 2]) -> Span {
        Span { start: a[0], end: a[1].max(a[0]) }
    }
}
impl From<Span> for [u32; 2] {
    fn from(s: Span) -> [u32; 2] {
        [s.start, s.end]
    }
}
