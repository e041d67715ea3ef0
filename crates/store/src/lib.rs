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
//! * **Quotes.** Each article's `quotes` layer is kept as rows of a quote table with a
//!   full-text index over what was said (SQLite FTS5), written in the article's transaction:
//!   [`Store::quotes`] (by speaker, words, kind), an entity's newest quotes in
//!   [`EntityDetail::quotes`], and each search hit's quotes in [`SearchHit::quotes`].
//! * **Events.** Each article's `events` layer is kept as rows of an event table (actors with
//!   entity ids and CAMEO codes, code, day, place with coordinates), written in the article's
//!   transaction: [`Store::events`] (actor, code, days, distance) and an entity's events as
//!   source and target in [`EntityDetail::events`].
//! * **Duplicates and stories.** Each inserted article is assigned its near-duplicate group
//!   (MinHash + LSH; canonical = earliest published copy) and its story (incremental
//!   clustering, `newsgraph_corpus`), written in its transaction: [`Store::duplicates`],
//!   [`Store::stories`], [`Store::story`] (articles, entities, timeline).
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
mod events;
mod filter;
mod index;
mod quotes;
pub mod rows;
mod stories;
mod types;

#[cfg(any(test, feature = "test-hooks"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use db::{DB_FILE, ENTITIES_SINCE, EVENTS_SINCE, FORMAT_VERSION, IDENTITY_SINCE, QUOTES_SINCE, STORIES_SINCE};
pub use embedded::{EmbeddedStore, LOCK_FILE};
pub use entities::MAX_ENTITY_QUERY_CHARS;
pub use error::{BoxError, ErrorKind, Result, StoreError};
pub use events::{parse_near, QueryError, ENTITY_EVENTS, MAX_EVENT_ACTOR, MAX_NEAR_KM};
pub use index::{
    mentioned_days, sanitize_query, ENTITY_FACET_LIMIT, FACET_LIMIT, INDEX_DIR, INDEX_SCHEMA_VERSION, MAX_QUERY_CHARS,
};
pub use quotes::{ENTITY_QUOTES, HIT_QUOTES, MAX_QUOTE_QUERY_CHARS};
pub use stories::{ENTITY_TIMELINE, STORY_ENTITIES, STORY_SEARCH_HITS, STORY_TIMELINE};
pub use types::{
    DocSummary, Duplicate, DuplicateGroup, DuplicateMember, EntityArticle, EntityDetail, EntityEvents, EntityFacet,
    EntityQuery, EntitySummary, EventActor, EventHit, EventPlace, EventQuery, FacetCount, Facets, FormCount, ListQuery,
    Near, Page, PutReport, QuoteArticle, QuoteHit, QuoteQuery, QuoteSpeaker, SearchHit, SearchQuery, SearchResults,
    Snippet, StoreStatus, StoredEvent, StoredQuote, StoryDetail, StoryEntity, StoryHit, StoryPage, StoryQuery,
    StorySummary, TimelineItem, ENTITY_KINDS, EVENT_ROLES, MAX_PAGE, QUOTE_KINDS, STORY_ARTICLES_PAGE,
    STORY_TIMELINE_PAGE,
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
    /// forms it was written in, its latest knowledge-base details, one page (`offset`,
    /// `limit` capped at [`MAX_PAGE`]) of the articles that mention it, newest first, and its
    /// newest quotes (at most [`ENTITY_QUOTES`], with their count).
    fn entity(&self, id: &str, offset: u64, limit: u64) -> Result<Option<EntityDetail>>;

    /// Quotes of the stored articles (by speaker, words of the content, kind), newest article
    /// first (undated last), each article's quotes in text order. Any `q` text is accepted.
    fn quotes(&self, query: &QuoteQuery) -> Result<Page<QuoteHit>>;

    /// Coded events of the stored articles (by actor as source or target, CAMEO code prefix,
    /// day range, distance of the place), the latest day first (undated last). Check user
    /// filters with [`EventQuery::check`]; unchecked odd values match nothing.
    fn events(&self, query: &EventQuery) -> Result<Page<EventHit>>;

    /// Stories (articles clustered as they were stored), most articles first, then the latest.
    fn stories(&self, query: &StoryQuery) -> Result<Page<StorySummary>>;

    /// One story with all its articles, its entities and its timeline of events and quotes
    /// (the first [`STORY_TIMELINE`] by date).
    fn story(&self, id: u64) -> Result<Option<StoryDetail>>;

    /// One story with one page of its articles and one of its timeline, and how many of each
    /// there are (`articles_total`, `timeline_total`).
    ///
    /// The provided implementation pages [`Store::story`] ([`StoryDetail::page`]); backends
    /// page in their queries.
    fn story_page(&self, id: u64, page: &StoryPage) -> Result<Option<StoryDetail>> {
        Ok(self.story(id)?.map(|d| d.page(page)))
    }

    /// The story of an article (`None` when there is no such article).
    fn story_of(&self, article: &str) -> Result<Option<u64>>;

    /// An article's near-duplicate group (`None` when there is no such article).
    fn duplicates(&self, article: &str) -> Result<Option<DuplicateGroup>>;

    /// One page of an entity's timeline (any of its ids; a merged id answers with its
    /// identity): its events as source or target, its quotes and the articles that mention
    /// it, ordered by the date of what happened (an event's stated day, else publication),
    /// undated last. `None` when no stored article mentions it.
    ///
    /// The provided implementation composes [`Store::entity`], [`Store::events`] and
    /// [`Store::quotes`] (at most [`ENTITY_TIMELINE`] items of each kind); backends may do better.
    fn entity_timeline(&self, id: &str, offset: u64, limit: u64) -> Result<Option<Page<TimelineItem>>> {
        let Some(d) = self.entity(id, 0, MAX_PAGE)? else { return Ok(None) };
        let id = d.summary.id.clone();
        let day = |t: Option<chrono::DateTime<chrono::FixedOffset>>| {
            t.map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string())
        };
        let mut items: Vec<TimelineItem> = d
            .appears_in
            .items
            .into_iter()
            .map(|a| TimelineItem {
                date: day(a.published),
                published: a.published.map(|t| t.timestamp()),
                article: QuoteArticle {
                    id: a.id,
                    title: a.title,
                    url: a.url,
                    source: a.source,
                    published: a.published,
                },
                event: None,
                quote: None,
            })
            .collect();
        let mut offset_at = 0;
        while offset_at < ENTITY_TIMELINE as u64 {
            let q = EventQuery { actor: Some(id.clone()), limit: MAX_PAGE, offset: offset_at, ..EventQuery::default() };
            let page = self.events(&q)?;
            let n = page.items.len() as u64;
            for h in page.items {
                items.push(TimelineItem {
                    date: h.event.day.clone(),
                    published: h.article.published.map(|t| t.timestamp()),
                    article: h.article,
                    event: Some(h.event),
                    quote: None,
                });
            }
            offset_at += n;
            if n < MAX_PAGE {
                break;
            }
        }
        let mut offset_at = 0;
        while offset_at < ENTITY_TIMELINE as u64 {
            let q =
                QuoteQuery { speaker: Some(id.clone()), limit: MAX_PAGE, offset: offset_at, ..QuoteQuery::default() };
            let page = self.quotes(&q)?;
            let n = page.items.len() as u64;
            for h in page.items {
                items.push(TimelineItem {
                    date: day(h.article.published),
                    published: h.article.published.map(|t| t.timestamp()),
                    article: h.article,
                    event: None,
                    quote: Some(h.quote),
                });
            }
            offset_at += n;
            if n < MAX_PAGE {
                break;
            }
        }
        stories::sort_timeline(&mut items);
        let limit = limit.min(MAX_PAGE);
        let total = items.len() as u64;
        let items = items.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).collect();
        Ok(Some(Page { total, offset, limit, items }))
    }

    /// Search results grouped by story: each story with its summary, how many of the top
    /// [`STORY_SEARCH_HITS`] hits are its articles, and its best hit; stories ordered by their
    /// best hit; `query.offset`/`limit` page the stories.
    ///
    /// The provided implementation composes [`Store::search`], [`Store::story_of`] and
    /// [`Store::story`]; backends may do better.
    fn search_stories(&self, query: &SearchQuery) -> Result<Page<StoryHit>> {
        let all = SearchQuery { offset: 0, limit: STORY_SEARCH_HITS, ..query.clone() };
        let mut groups: Vec<(u64, u64, SearchHit)> = Vec::new();
        for h in self.search(&all)?.hits {
            let Some(st) = self.story_of(&h.id)? else { continue };
            match groups.iter_mut().find(|g| g.0 == st) {
                Some(g) => g.1 += 1,
                None => groups.push((st, 1, h)),
            }
        }
        let limit = (query.limit as u64).min(MAX_PAGE);
        let total = groups.len() as u64;
        let mut items = Vec::new();
        for (st, n, best) in groups.into_iter().skip(query.offset).take(limit as usize) {
            if let Some(d) = self.story_page(st, &StoryPage::HEAD)? {
                items.push(StoryHit { story: d.summary, matching: n, best });
            }
        }
        Ok(Page { total, offset: query.offset as u64, limit, items })
    }

    /// Document count and how far the search index has caught up.
    fn status(&self) -> Result<StoreStatus>;
}

/// Entity facet counts folded under their identities (`canonical` maps an id to its
/// identity's id), most first then by id. An article mentioning two ids of one identity counts
/// twice (rare: within an article one entity has one id).
pub fn fold_identities<E>(
    counts: Vec<(String, u64)>,
    mut canonical: impl FnMut(&str) -> std::result::Result<String, E>,
) -> std::result::Result<Vec<(String, u64)>, E> {
    let mut out: Vec<(String, u64)> = Vec::with_capacity(counts.len());
    for (id, n) in counts {
        let id = canonical(&id)?;
        match out.iter_mut().find(|(o, _)| *o == id) {
            Some(o) => o.1 += n,
            None => out.push((id, n)),
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// Corpus-level work (near-duplicate groups, stories, cross-document identity) handed to one
/// elected process, so that many writers can store extracted articles in parallel (the
/// scale-out path; see `newsgraph_cluster`). Implemented by stores that several processes
/// share; the embedded store, with its one writer, does this work in [`Store::put_batch`].
///
/// The assignment order is durable: a process taking over replays it and continues exactly
/// where the last one stopped.
pub trait CorpusWork: Store {
    /// From now on [`Store::put_batch`] stores articles and their layers only; their corpus
    /// work waits for [`CorpusWork::assign_corpus`].
    fn defer_corpus(&mut self) -> Result<()>;

    /// Tries to become the one process that assigns corpus work. True once it leads, for as
    /// long as this handle lives; false while another handle leads (stand by and try again).
    fn try_lead_corpus(&mut self) -> Result<bool>;

    /// Assigns duplicate groups, stories and identities to the stored articles `ids`, in that
    /// order, in one transaction. Articles already assigned (a redelivery) or not stored are
    /// skipped and counted. Only the leader may call it ([`ErrorKind::InvalidInput`] otherwise).
    fn assign_corpus(&mut self, ids: &[String]) -> Result<CorpusReport>;

    /// Stored articles whose corpus work has not been done yet.
    fn corpus_backlog(&self) -> Result<u64>;

    /// Rebuilds the corpus state now (it is otherwise rebuilt before the first assignment):
    /// the latest snapshot, then the articles assigned after it.
    fn prepare_corpus(&mut self) -> Result<Prepared>;
}

/// What rebuilding the corpus state (near-duplicates, stories, identities) took.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Prepared {
    pub seconds: f64,
    /// Articles the restored snapshot held (0 without one).
    pub restored: u64,
    /// Articles replayed after it.
    pub replayed: u64,
}

/// What one [`CorpusWork::assign_corpus`] call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CorpusReport {
    /// Articles assigned their group, story and identities now.
    pub assigned: u64,
    /// Articles that had been assigned before (their work was done once already).
    pub already: u64,
    /// Ids of no stored article.
    pub missing: u64,
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<EmbeddedStore>();
    is::<StoreError>();
    is::<Box<dyn Store>>();
}
