//! Typed errors and warnings. Every one names the input and the place in it.
use std::fmt;

/// Where in an input a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    /// The input as a whole.
    Whole,
    /// A 1-based line number (plain text, JSONL).
    Line(u64),
    /// A byte offset in the (decompressed) input.
    Byte(u64),
    /// A 1-based record number (WARC).
    Record(u64),
    /// A 1-based item number (RSS / Atom feeds).
    Item(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Whole => Ok(()),
            Place::Line(n) => write!(f, ":{n}"),
            Place::Byte(n) => write!(f, ": byte {n}"),
            Place::Record(n) => write!(f, ": record {n}"),
            Place::Item(n) => write!(f, ": item {n}"),
        }
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty input")]
    Empty,
    #[error("binary data, not text ({0})")]
    Binary(String),
    #[error("too large: more than {limit} bytes (max_record_bytes)")]
    TooLarge { limit: u64 },
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("JSON line has neither \"text\" nor \"html\"")]
    NoTextField,
    #[error("no article text found{0}")]
    NoText(String),
    #[error("not HTML: {0}")]
    NotHtml(String),
    #[error("malformed timestamp {line:?}: {reason}")]
    BadTimestamp { line: String, reason: String },
    #[error("not a valid RSS/Atom feed: {0}")]
    NotFeed(String),
    #[error("malformed WARC record: {0}")]
    BadWarc(String),
    #[error("record cut short: expected {expected} content bytes, got {got}")]
    Truncated { expected: u64, got: u64 },
    #[error("bad gzip data: {0}")]
    Gzip(String),
    #[error("unsupported URL scheme {0:?} (only http and https)")]
    UnsupportedScheme(String),
    #[error("fetch failed: {0}")]
    Fetch(String),
    #[error("HTTP status {0}")]
    HttpStatus(u16),
}

/// An ingestion error (or warning): the input's name, the place in it, and the kind.
///
/// Displays as `data/x.jsonl:17: not JSON: expected value at line 1 column 3`.
#[derive(Debug, thiserror::Error)]
#[error("{input}{place}: {kind}")]
pub struct IngestError {
    /// File path, URL or `-` (stdin), with the member path for files inside folders.
    pub input: String,
    pub place: Place,
    #[source]
    pub kind: ErrorKind,
}

impl IngestError {
    pub fn new(input: impl Into<String>, place: Place, kind: ErrorKind) -> IngestError {
        IngestError { input: input.into(), place, kind }
    }

    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}
