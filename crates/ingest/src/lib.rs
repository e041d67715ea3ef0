//! Ingestion for newsgraph: bytes of every input format → [`newsgraph_model::Document`]s.
//!
//! Formats (detected by extension, then by sniffing the content; `.gz` and gzip magic
//! bytes are decompressed transparently):
//! - **plain text** (`.txt`, or anything that sniffs as text): paragraphs one per line,
//!   short capitalized lines without final punctuation followed by body are section
//!   headings, a heading-like first line is the title, and the last lines may be an image
//!   URL and a publication time (`YYYY-MM-DD HH:MM:SS`, UTC assumed; or ISO 8601 with a zone);
//! - **HTML** pages (`.html`, `<!doctype html`…) through `newsgraph_html::extract`;
//! - **RSS / Atom** feeds (`.xml`, `.rss`, `.atom`, `<rss`, `<feed`): one document per item;
//! - **JSONL** (`.jsonl`, lines starting with `{`): one article per line, see `JSONL.md`;
//! - **WARC** (`.warc`, `.warc.gz`, `WARC/1.`): HTML `response` records;
//! - **folders** (recursive, sorted, hidden files skipped), **stdin** (`-`), and
//!   **http(s) URLs** (a feed or an HTML article).
//!
//! Character encodings are detected by [`decode()`]. Every document carries
//! `meta.input = InputRef { origin, format, record }`. Errors name the input and the
//! place (`data/x.jsonl:17: not JSON: …`), and a bad record does not stop the stream.
//!
//! ```no_run
//! use newsgraph_ingest::{IngestOptions, Source};
//! let opts = IngestOptions::default();
//! for item in Source::open("data/articles", &opts)? {
//!     match item {
//!         Ok(x) => {
//!             for w in &x.warnings { eprintln!("warning: {w}"); }
//!             println!("{} {:?}", x.document.id, x.document.meta.title);
//!         }
//!         Err(e) => eprintln!("error: {e}"),
//!     }
//! }
//! # Ok::<(), newsgraph_ingest::IngestError>(())
//! ```
//!
//! ```
//! use newsgraph_ingest::{IngestOptions, Source};
//! let text = "Trump and Putin will meet in Alaska.\nMore talks\nThey said so.\n2025-08-08 23:04:25\n";
//! let docs: Vec<_> = Source::from_bytes("note.txt", text.into(), None, &IngestOptions::default())
//!     .documents()
//!     .collect::<Result<_, _>>()
//!     .unwrap();
//! assert_eq!(docs[0].meta.sections[0].title, "More talks");
//! assert_eq!(docs[0].meta.published.unwrap().time.to_rfc3339(), "2025-08-08T23:04:25+00:00");
//! ```

mod decode;
mod error;
mod feed;
mod fetch;
mod html;
mod jsonl;
mod source;
mod text;
mod time;
mod warc;

pub use decode::{charset_of_content_type, decode, DecodeError, Decoded, DetectedBy};
pub use error::{ErrorKind, IngestError, Place};
pub use fetch::{fetch, FetchOptions, Fetched};
pub use source::{fetched_format, sniff, Format, Source};

use newsgraph_model::Document;

/// Options for ingestion.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Warnings (e.g. a malformed timestamp) become errors, and the stream ends after
    /// the first error. Default off: bad records are reported and skipped.
    pub strict: bool,
    /// Keep figure captions of HTML pages in the body.
    pub include_captions: bool,
    /// Largest single article (a whole text/HTML/feed file, one JSONL line, one WARC
    /// record). Larger ones are an error naming them (never truncated silently).
    /// JSONL and WARC files themselves may be of any size: they are streamed. Default 32 MiB.
    pub max_record_bytes: u64,
    /// Limits for fetching URLs.
    pub fetch: FetchOptions,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            strict: false,
            include_captions: false,
            max_record_bytes: 32 * 1024 * 1024,
            fetch: FetchOptions::default(),
        }
    }
}

/// A document and the warnings about it (problems that did not stop it, e.g. a
/// malformed publication line; each names the input and place).
#[derive(Debug)]
pub struct Ingested {
    pub document: Document,
    pub warnings: Vec<IngestError>,
}

/// Opens `spec` (path, folder, `-` or URL) and passes every result to `each`.
/// Returns an error only if the input cannot be opened at all.
pub fn ingest_path(
    spec: &str,
    opts: &IngestOptions,
    each: &mut dyn FnMut(Result<Ingested, IngestError>),
) -> Result<(), IngestError> {
    for r in Source::open(spec, opts)? {
        each(r);
    }
    Ok(())
}

#[allow(dead_code)]
fn assert_send() {
    fn send<T: Send>() {}
    send::<Source>();
    send::<IngestError>();
}
