//! Storage and search of newsgraph [`Document`]s.
//!
//! The rest of the program sees only the [`Store`] trait and the backend-neutral types of
//! this crate; [`EmbeddedStore`] is the embedded backend: one directory holding a SQLite
//! database (WAL mode; the source of truth, documents kept as the model's JSON plus indexed
//! columns) and a tantivy full-text index derived from it. The on-disk layout and its
//! version are described in `FORMAT.md`.
//!
//! * **Idempotent writes.** A document is identified by the canonical key of its URL
//!   ([`newsgraph_model::canonical_key`]) and by its content hash. The same article stored
//!   again is a no-op; the same URL with new content replaces the stored one (same id); the
//!   same content under another URL is reported as a [`Duplicate`] and its URL recorded as an
//!   alias. Each [`Store::put_batch`] is one transaction.
//! * **Crash safety.** SQLite commits first; the index records in each commit the highest
//!   change sequence number (`seq`) it covers, and opening a store writable indexes whatever
//!   a crash left unindexed.
//! * **Concurrency.** One writing process (a lock file, released by the OS if the process
//!   dies); any number of read-only handles, also while the writer works.
//! * **Search.** BM25 over title (boosted) and body with English stemming, phrase queries,
//!   filters on source, language and publication time, facet counts, snippets with
//!   highlight ranges. User query text never causes an error.
//! * **Entities.** Each article's `entities` layer is kept as rows of an occurrence table
//!   (written in the article's transaction) and as a multi-valued `entity` index field:
//!   [`Store::entities`], [`Store::entity`], [`SearchQuery::entities`] filters and
//!   [`Facets::entities`].
//!
//! ```
//! use newsgraph_model::{DocumentBuilder, Metadata};
//! use newsgraph_store::{EmbeddedStore, SearchQuery, Store};
//!
//! # fn main() -> Result<(), newsgraph_store::StoreError> {
//! # let tmp = std::env::temp_dir().join(format!("ng-store-doctest-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&tmp);
//! let mut store = EmbeddedStore::open(&tmp)?;
//! let doc = DocumentBuilder::new("Floods hit the valley after record rain.")
//!     .meta(Metadata {
//!         url: Some("https://news.example/floods".into()),
//!         title: Some("Valley floods".into()),
//!         source: Some("Example News".into()),
//!         ..Metadata::default()
//!     })
//!     .build();
//! let report = store.put_batch(vec![doc.clone()])?;
//! assert_eq!(report.inserted, 1);
//! assert_eq!(store.put_batch(vec![doc])?.inserted, 0); // idempotent
//!
//! let results = store.search(&SearchQuery::text("flooding"))?; // stemmed
//! assert_eq!(results.total, 1);
//! println!("{}", results.hits[0].snippet.to_html()); // "… <b>Floods</b> hit the valley …"
//! # drop(store);
//! # std::fs::remove_dir_all(&tmp).ok();
//! # Ok(())
//! # }
//! ```

mod db;
mod embedded;
mod entities;
mod error;
mod index;
mod types;

#[cfg(test)]
mod tests;

pub use db::{DB_FILE, ENTITIES_SINCE, FORMAT_VERSION};
pub use embedded::{EmbeddedStore, LOCK_FILE};
pub use entities::MAX_ENTITY_QUERY_CHARS;
pub use error::{BoxError, ErrorKind, Result, StoreError};
pub use index::{
    mentioned_days, sanitize_query, ENTITY_FACET_LIMIT, FACET_LIMIT, INDEX_DIR, INDEX_SCHEMA_VERSION, MAX_QUERY_CHARS,
};
pub use types::{
    DocSummary, Duplicate, EntityArticle, EntityDetail, EntityFacet, EntityQuery, EntitySummary, FacetCount, Facets,
    FormCount, ListQuery, Page, PutReport, SearchHit, SearchQuery, SearchResults, Snippet, StoreStatus, ENTITY_KINDS,
    MAX_PAGE,
};

use newsgraph_model::Document;

/// A document store with full-text search. Backends: [`EmbeddedStore`] (SQLite + tantivy).
///
/// Reads take `&self` and may run concurrently from several threads; writes take `&mut self`.
pub trait Store: Send + Sync {
    /// Stores a batch in one transaction (all or nothing) and indexes it.
    /// Idempotent: see the crate documentation for how duplicates are folded.
    fn put_batch(&mut self, docs: Vec<Document>) -> Result<PutReport>;

    /// The document stored under `id`.
    fn get(&self, id: &str) -> Result<Option<Document>>;

    /// The id stored for a URL: matched by canonical key, or as a recorded duplicate's alias.
    fn resolve_url(&self, url: &str) -> Result<Option<String>>;

    /// Number of stored documents.
    fn count(&self) -> Result<u64>;

    /// Document summaries matching the filters, newest published first (undated last), then by id.
    fn list(&self, query: &ListQuery) -> Result<Page<DocSummary>>;

    /// Every document, in id order (stable across runs and independent of ingestion order),
    /// streamed in chunks. Documents written during the iteration may or may not appear.
    fn iter_all(&self) -> Box<dyn Iterator<Item = Result<Document>> + Send + '_>;

    /// Full-text search with filters, ranked hits, total count and facet counts.
    fn search(&self, query: &SearchQuery) -> Result<SearchResults>;

    /// Entities mentioned in stored articles, most articles first (then most mentions, then id).
    fn entities(&self, query: &EntityQuery) -> Result<Page<EntitySummary>>;

    /// One entity (by id, e.g. `per:vladimir-putin` or `local:person:sergei-markov`) with the
    /// forms it was written in, its latest knowledge-base details and one page (`offset`,
    /// `limit` capped at [`MAX_PAGE`]) of the articles that mention it, newest first.
    fn entity(&self, id: &str, offset: u64, limit: u64) -> Result<Option<EntityDetail>>;

    /// Document count and how far the search index has caught up.
    fn status(&self) -> Result<StoreStatus>;
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<EmbeddedStore>();
    is::<StoreError>();
    is::<Box<dyn Store>>();
}
