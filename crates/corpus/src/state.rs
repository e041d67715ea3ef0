//! The whole incremental corpus state — near-duplicates, stories, cross-document identity —
//! fed one document at a time, and its snapshot.
//!
//! A store assigns each article its duplicate group, story and identities by feeding it to
//! one [`CorpusState`] in a fixed order. A process that opens the store (or takes over the
//! corpus work) must hold the state those assignments left: it restores the latest snapshot
//! and replays only the documents assigned after it, instead of every stored document.
//! A snapshot that cannot be read (another format, damage) is an error the caller answers
//! with a full replay, which gives the same state.

use crate::identity::{self, Identities, Merges};
use crate::{features_from_document, Assignment, Duplicate, NearDuplicates, StoryClusterer};
use newsgraph_model::Document;
use serde::{Deserialize, Serialize};

/// Bumped whenever a stored type changes shape: an older snapshot is then not read.
pub const SNAPSHOT_FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"NGCORPUS";

/// Articles assigned since the last snapshot at which a new one is due, at least.
pub const SNAPSHOT_MIN_ARTICLES: u64 = 500;

/// Why a snapshot was not restored.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a corpus snapshot")]
    NotASnapshot,
    #[error("snapshot format {found}, this build reads {SNAPSHOT_FORMAT}")]
    Format { found: u32 },
    #[error("damaged snapshot: {0}")]
    Damaged(String),
}

/// Near-duplicates, stories and identities, fed the same documents in the same order.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CorpusState {
    pub dups: NearDuplicates,
    pub stories: StoryClusterer,
    pub ids: Identities,
}

/// What one document changed.
pub struct Observed {
    pub duplicate: Option<Duplicate>,
    pub assignment: Assignment,
    pub merges: Merges,
}

impl CorpusState {
    /// Feeds one document: its near-duplicate group, story and identities.
    pub fn observe(&mut self, doc: &Document) -> Observed {
        let published = doc.meta.published.as_ref().map(|p| p.time.timestamp());
        let duplicate = self.dups.add(doc.id.clone(), published, doc.text());
        let assignment = self.stories.add(&features_from_document(doc));
        let ents = identity::entities_of(doc);
        let merges = self.ids.add(&ents, &identity::context_of(&ents));
        Observed { duplicate, assignment, merges }
    }

    /// Documents fed so far.
    pub fn len(&self) -> usize {
        self.dups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The state as bytes: a tag, the format number, then the fields (postcard).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&SNAPSHOT_FORMAT.to_le_bytes());
        // Serializing plain maps, vectors and numbers into a vector cannot fail.
        postcard::to_io(self, &mut out).expect("corpus state serializes");
        out
    }

    /// Reads a [`CorpusState::snapshot`].
    pub fn restore(bytes: &[u8]) -> Result<CorpusState, SnapshotError> {
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(SnapshotError::NotASnapshot)?;
        let (format, body) = rest.split_at_checked(4).ok_or(SnapshotError::NotASnapshot)?;
        let found = u32::from_le_bytes(format.try_into().expect("4 bytes"));
        if found != SNAPSHOT_FORMAT {
            return Err(SnapshotError::Format { found });
        }
        postcard::from_bytes(body).map_err(|e| SnapshotError::Damaged(e.to_string()))
    }

    /// Whether a new snapshot is due, `since` articles after the last one: after
    /// [`SNAPSHOT_MIN_ARTICLES`] and a tenth of the corpus, so that writing snapshots costs
    /// a constant amount per article however large the corpus grows.
    pub fn snapshot_due(&self, since: u64) -> bool {
        since >= SNAPSHOT_MIN_ARTICLES.max(self.len() as u64 / 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsgraph_model::DocumentBuilder;

    fn doc(id: &str, text: &str) -> Document {
        let mut d = DocumentBuilder::new(text).build();
        d.id = id.into();
        d
    }

    const TEXTS: [(&str, &str); 3] = [
        ("a", "Donald Trump says he will meet Vladimir Putin in Alaska next Friday to discuss the war in Ukraine, the White House said."),
        ("b", "An earthquake of magnitude 6.1 struck northern Chile on Tuesday, cutting power to thousands of homes in the region."),
        ("c", "Donald Trump says he will meet Vladimir Putin in Alaska next Friday to discuss the war in Ukraine, the White House said on Saturday."),
    ];

    /// A restored state continues exactly as the original does.
    #[test]
    fn a_restored_state_continues_as_the_original() {
        let mut whole = CorpusState::default();
        let mut first = CorpusState::default();
        for (id, t) in &TEXTS[..2] {
            whole.observe(&doc(id, t));
            first.observe(&doc(id, t));
        }
        let mut restored = CorpusState::restore(&first.snapshot()).unwrap();
        assert_eq!(restored.len(), 2);
        let (id, t) = TEXTS[2];
        let a = whole.observe(&doc(id, t));
        let b = restored.observe(&doc(id, t));
        assert_eq!(a.duplicate, b.duplicate);
        assert_eq!(a.duplicate.map(|d| d.canonical).as_deref(), Some("a"));
        assert_eq!(a.assignment, b.assignment);
        assert_eq!(a.merges, b.merges);
        assert_eq!(whole.stories.story(a.assignment.story), restored.stories.story(b.assignment.story));
    }

    #[test]
    fn other_bytes_are_refused() {
        let snap = CorpusState::default().snapshot();
        let cases: [(&[u8], &str); 4] = [
            (b"", "not a corpus snapshot"),
            (b"NGCORPUS\x01", "not a corpus snapshot"),
            (b"NGCORPUS\x63\0\0\0", "snapshot format 99"),
            (&snap[..snap.len() - 1], "damaged snapshot"),
        ];
        for (bytes, want) in cases {
            let e = CorpusState::restore(bytes).unwrap_err().to_string();
            assert!(e.starts_with(want), "{bytes:?}: {e}");
        }
    }

    #[test]
    fn snapshots_fall_due_at_a_tenth_of_the_corpus() {
        let s = CorpusState::default();
        assert!(!s.snapshot_due(SNAPSHOT_MIN_ARTICLES - 1));
        assert!(s.snapshot_due(SNAPSHOT_MIN_ARTICLES));
    }
}
