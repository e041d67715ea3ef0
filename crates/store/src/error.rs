//! The store's one error type: which store, what operation, and what went wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// Boxed backend error (kept opaque so that no backend's types leak into the API).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with a [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An error raised by a store: names the store location, the operation that failed
/// (`"open"`, `"put_batch"`, `"search"`, ...) and the [`ErrorKind`].
#[derive(Debug)]
pub struct StoreError {
    /// Directory (embedded store) or connection name (other backends).
    pub path: PathBuf,
    /// The operation that failed, e.g. `"put_batch"`.
    pub op: &'static str,
    pub kind: ErrorKind,
}

/// What went wrong. New variants may be added: match with a wildcard arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A filesystem operation failed.
    #[error("I/O: {0}")]
    Io(#[source] std::io::Error),
    /// The document database (SQLite, or another backend) failed.
    #[error("database: {0}")]
    Database(#[source] BoxError),
    /// The full-text index failed.
    #[error("full-text index: {0}")]
    Index(#[source] BoxError),
    /// A stored document could not be decoded.
    #[error("stored document {id:?} is unreadable: {source}")]
    CorruptDocument {
        id: String,
        #[source]
        source: newsgraph_model::ModelError,
    },
    /// The on-disk format was written by a newer program.
    #[error("on-disk format version {found} is newer than the supported version {supported}; upgrade newsgraph")]
    FormatTooNew { found: u32, supported: u32 },
    /// The directory holds something that is not a newsgraph store.
    #[error("not a newsgraph store: {0}")]
    NotAStore(String),
    /// Another writer holds the store (only one writing process at a time).
    #[error("the store is locked by another writer")]
    Locked,
    /// A write was attempted on a handle opened read-only.
    #[error("the store was opened read-only")]
    ReadOnly,
    /// The full-text index is missing or outdated and this handle cannot rebuild it
    /// (open the store writable once to rebuild).
    #[error("full-text index unavailable: {0}")]
    IndexUnavailable(String),
    /// The database has an older format version that lacks what was asked for; a writable
    /// open migrates it.
    #[error("the store has format version {found}, older than {needed} which this needs; open it writable once to upgrade it (newsgraph serve or newsgraph ingest do)")]
    NeedsUpgrade { found: u32, needed: u32 },
    /// The caller passed an invalid argument.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A fault injected by a test hook.
    #[error("injected fault: {0}")]
    Injected(&'static str),
}

impl StoreError {
    pub fn new(path: impl Into<PathBuf>, op: &'static str, kind: ErrorKind) -> StoreError {
        StoreError { path: path.into(), op, kind }
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store {}: {} failed: {}", self.path.display(), self.op, self.kind)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// Builds errors that carry the store path and the operation name.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub path: &'a Path,
    pub op: &'static str,
}

impl Ctx<'_> {
    pub fn err(&self, kind: ErrorKind) -> StoreError {
        StoreError::new(self.path, self.op, kind)
    }
    pub fn db(&self, e: rusqlite::Error) -> StoreError {
        self.err(ErrorKind::Database(Box::new(e)))
    }
    pub fn index(&self, e: tantivy::TantivyError) -> StoreError {
        if let tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _) = e {
            return self.err(ErrorKind::Locked);
        }
        self.err(ErrorKind::Index(Box::new(e)))
    }
    pub fn io(&self, e: std::io::Error) -> StoreError {
        self.err(ErrorKind::Io(e))
    }
}
