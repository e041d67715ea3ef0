//! [`EmbeddedStore`]: SQLite + tantivy in one directory.

use crate::db::{self, Faults};
use crate::entities;
use crate::error::{Ctx, ErrorKind, Result};
use crate::events;
use crate::index::TextIndex;
use crate::quotes;
use crate::stories;
use crate::types::{
    DocSummary, DuplicateGroup, EntityDetail, EntityEvents, EntityQuery, EntitySummary, EventHit, EventQuery,
    ListQuery, Page, PutReport, QuoteHit, QuoteQuery, SearchQuery, SearchResults, StoreStatus, StoryDetail, StoryHit,
    StoryPage, StoryQuery, StorySummary, TimelineItem,
};
use crate::Store;
use newsgraph_model::Document;
use rusqlite::Connection;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

/// Name of the writer lock file in the store directory.
pub const LOCK_FILE: &str = "writer.lock";

/// Rows re-indexed per tantivy batch when catching up.
const CATCH_UP_CHUNK: usize = 500;

/// Most connections a read-only handle opens (one per core, at least 2).
const MAX_READERS: usize = 8;

/// Documents per SQLite read when streaming an export.
const EXPORT_CHUNK: usize = 256;

/// The embedded store: a directory holding a SQLite document database (the source of truth)
/// and a tantivy full-text index derived from it.
///
/// One process at a time may open a store writable ([`EmbeddedStore::open`]); any number
/// may open it read-only ([`EmbeddedStore::open_read_only`]), also while a writer works.
pub struct EmbeddedStore {
    dir: PathBuf,
    conn: Mutex<Connection>,
    /// A read-only handle's further connections, so that concurrent reads (the server's
    /// requests: a page asks for several at once) run side by side, as SQLite's WAL mode
    /// allows, rather than wait for one connection. Empty for a writable handle.
    readers: Vec<Mutex<Connection>>,
    /// Which connection a read waits for when all are busy (round robin).
    next_reader: AtomicUsize,
    /// `Err` holds why search is unavailable (read-only handle on a missing/outdated index).
    index: std::result::Result<TextIndex, String>,
    read_only: bool,
    /// Format version of the database on disk (older than `FORMAT_VERSION` only for a
    /// read-only handle on a store no writable open has migrated yet).
    format_found: u32,
    /// Held for the life of a writable handle; the OS releases it if the process dies.
    _lock: Option<File>,
    faults: Faults,
    /// Near-duplicate and story state of a writable handle, rebuilt from the database before
    /// its first write (and after a failed one).
    across: Option<stories::Across>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore").field("dir", &self.dir).field("read_only", &self.read_only).finish()
    }
}

impl EmbeddedStore {
    /// Opens the store in `dir` for reading and writing, creating it if needed.
    ///
    /// Takes the writer lock (error kind [`ErrorKind::Locked`] if another handle holds it;
    /// a lock left by a killed process is released by the OS and does not block), checks the
    /// format version, and brings the search index up to date with the database: documents
    /// written but not indexed before a crash are indexed now; an index of another schema
    /// version, or an unreadable one, is rebuilt.
    pub fn open(dir: &Path) -> Result<EmbeddedStore> {
        let ctx = Ctx { path: dir, op: "open" };
        std::fs::create_dir_all(dir).map_err(|e| ctx.io(e))?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| ctx.io(e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(ctx.err(ErrorKind::Locked)),
            Err(std::fs::TryLockError::Error(e)) => return Err(ctx.io(e)),
        }
        let conn = db::open_rw(dir, ctx)?;
        let index = TextIndex::open_writer(dir, ctx)?;
        let mut store = EmbeddedStore {
            dir: dir.to_path_buf(),
            conn: Mutex::new(conn),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            index: Ok(index),
            read_only: false,
            format_found: db::FORMAT_VERSION,
            _lock: Some(lock),
            faults: Faults::default(),
            across: None,
        };
        store.catch_up("open", false)?;
        Ok(store)
    }

    /// Opens an existing store for reading only. Takes no lock and never writes; works while
    /// another process writes (each search sees the writer's latest index commit).
    /// If the index is missing or of another schema version, `get`/`list` still work and
    /// `search` fails with [`ErrorKind::IndexUnavailable`].
    pub fn open_read_only(dir: &Path) -> Result<EmbeddedStore> {
        let ctx = Ctx { path: dir, op: "open_read_only" };
        let (conn, format_found) = db::open_ro(dir, ctx)?;
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, MAX_READERS);
        let readers =
            (1..parallel).map(|_| db::open_ro(dir, ctx).map(|(c, _)| Mutex::new(c))).collect::<Result<Vec<_>>>()?;
        let index = match TextIndex::open_reader(dir, ctx) {
            Ok(i) => Ok(i),
            Err(e) => match e.kind {
                ErrorKind::IndexUnavailable(why) => Err(why),
                _ => return Err(e),
            },
        };
        Ok(EmbeddedStore {
            dir: dir.to_path_buf(),
            conn: Mutex::new(conn),
            readers,
            next_reader: AtomicUsize::new(0),
            index,
            read_only: true,
            format_found,
            _lock: None,
            faults: Faults::default(),
            across: None,
        })
    }

    /// The store directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Deletes and rebuilds the whole search index from the database.
    pub fn rebuild_index(&mut self) -> Result<()> {
        let ctx = Ctx { path: &self.dir, op: "rebuild_index" };
        let index = self.index.as_mut().map_err(|_| ctx.err(ErrorKind::ReadOnly))?;
        index.clear(ctx)?;
        self.catch_up("rebuild_index", true)
    }

    /// Test hook: inject faults into later writes.
    #[cfg(any(test, feature = "test-hooks"))]
    pub fn set_faults(&mut self, fail_at_doc: Option<usize>, skip_index_commit: bool) {
        self.faults = Faults { fail_at_doc, skip_index_commit };
    }

    fn ctx(&self, op: &'static str) -> Ctx<'_> {
        Ctx { path: &self.dir, op }
    }

    /// Fails with [`ErrorKind::NeedsUpgrade`] when the database predates the entity table.
    /// The ids each entity filter of `query` matches: every id of its identity.
    fn entity_groups(&self, query: &SearchQuery, ctx: Ctx) -> Result<Vec<Vec<String>>> {
        let merges = self.format_found >= db::IDENTITY_SINCE;
        let filters = query.entities.iter().map(|e| e.trim()).filter(|e| !e.is_empty());
        if self.need_entities(ctx).is_err() {
            return Ok(filters.map(|e| vec![e.to_string()]).collect());
        }
        let conn = self.conn();
        filters.map(|e| entities::identity_ids(&conn, e, merges, ctx)).collect()
    }

    fn need_entities(&self, ctx: Ctx) -> Result<()> {
        if self.format_found < db::ENTITIES_SINCE {
            return Err(ctx.err(ErrorKind::NeedsUpgrade { found: self.format_found, needed: db::ENTITIES_SINCE }));
        }
        Ok(())
    }

    /// Fails with [`ErrorKind::NeedsUpgrade`] when the database predates the quote table.
    fn need_quotes(&self, ctx: Ctx) -> Result<()> {
        if self.format_found < db::QUOTES_SINCE {
            return Err(ctx.err(ErrorKind::NeedsUpgrade { found: self.format_found, needed: db::QUOTES_SINCE }));
        }
        Ok(())
    }

    /// Fails with [`ErrorKind::NeedsUpgrade`] when the database predates the event table.
    fn need_events(&self, ctx: Ctx) -> Result<()> {
        if self.format_found < db::EVENTS_SINCE {
            return Err(ctx.err(ErrorKind::NeedsUpgrade { found: self.format_found, needed: db::EVENTS_SINCE }));
        }
        Ok(())
    }

    /// Fails with [`ErrorKind::NeedsUpgrade`] when the database predates the story tables.
    fn need_stories(&self, ctx: Ctx) -> Result<()> {
        if self.format_found < db::STORIES_SINCE {
            return Err(ctx.err(ErrorKind::NeedsUpgrade { found: self.format_found, needed: db::STORIES_SINCE }));
        }
        Ok(())
    }

    /// Rebuilds the near-duplicate, story and identity state now (a writable handle otherwise
    /// does it before its first write): the latest snapshot, then the documents stored after it.
    pub fn prepare_assignments(&mut self) -> Result<crate::Prepared> {
        let ctx = Ctx { path: &self.dir, op: "prepare_assignments" };
        if self.read_only {
            return Err(ctx.err(ErrorKind::ReadOnly));
        }
        let started = std::time::Instant::now();
        let conn = self.conn.get_mut().unwrap_or_else(|p| p.into_inner());
        let across = stories::Across::rebuild(conn, ctx)?;
        let prepared = across.prepared(started.elapsed().as_secs_f64());
        self.across = Some(across);
        Ok(prepared)
    }

    /// A connection to read (and, for a writable handle, write) with: a free one if any, else
    /// the next in turn once it is free.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        let all = || std::iter::once(&self.conn).chain(&self.readers);
        for c in all() {
            match c.try_lock() {
                Ok(g) => return g,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let turn = self.next_reader.fetch_add(1, Ordering::Relaxed) % (1 + self.readers.len());
        all().nth(turn).expect("turn is in range").lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Indexes every document whose seq is above what the index covers, then commits.
    /// `force` commits even when nothing was added (after a clear).
    fn catch_up(&mut self, op: &'static str, force: bool) -> Result<()> {
        let EmbeddedStore { dir, conn, index, .. } = self;
        let ctx = Ctx { path: dir, op };
        let conn = conn.get_mut().unwrap_or_else(|p| p.into_inner());
        let index = index.as_mut().map_err(|_| ctx.err(ErrorKind::ReadOnly))?;
        let last = db::last_seq(conn).map_err(|e| ctx.db(e))?;
        // A fresh index has no commit yet: commit once so read-only handles can open it.
        let mut dirty = force || !index.has_payload();
        if index.writer_seq() > last {
            // The index is ahead of the database (e.g. the database was restored from a backup).
            index.clear(ctx)?;
            dirty = true;
        }
        let mut at = index.writer_seq();
        while at < last {
            let chunk = db::changed_since(conn, at, CATCH_UP_CHUNK, ctx)?;
            let Some(end) = chunk.last().map(|c| c.seq) else { break };
            if let Err(e) = index.add(&chunk, ctx) {
                index.rollback();
                return Err(e);
            }
            dirty = true;
            at = end;
        }
        if dirty {
            index.commit(last, ctx)?;
        }
        Ok(())
    }
}

impl Store for EmbeddedStore {
    fn put_batch(&mut self, docs: Vec<Document>) -> Result<PutReport> {
        let ctx = Ctx { path: &self.dir, op: "put_batch" };
        if self.read_only {
            return Err(ctx.err(ErrorKind::ReadOnly));
        }
        let conn = self.conn.get_mut().unwrap_or_else(|p| p.into_inner());
        let before = db::last_seq(conn).map_err(|e| ctx.db(e))?;
        let (report, changed) = db::put_batch(conn, docs, ctx, &self.faults, &mut self.across)?;
        // The documents are committed. If indexing fails below, the error is returned but the
        // documents stay stored; the index catches up at the next batch or the next open.
        if self.faults.skip_index_commit {
            return Ok(report);
        }
        let index = self.index.as_mut().map_err(|_| ctx.err(ErrorKind::ReadOnly))?;
        let after = changed.last().map_or(before, |c| c.seq);
        if index.writer_seq() == before && !changed.is_empty() {
            // The index was in sync: index the batch from memory.
            let res = index.add(&changed, ctx).and_then(|()| index.commit(after, ctx));
            if let Err(e) = res {
                index.rollback();
                return Err(e);
            }
        } else if index.writer_seq() != after {
            // The index lags (an earlier index commit failed): catch up from the database.
            self.catch_up("put_batch", false)?;
        }
        Ok(report)
    }

    fn get(&self, id: &str) -> Result<Option<Document>> {
        db::get(&self.conn(), id, self.ctx("get"))
    }

    fn resolve_url(&self, url: &str) -> Result<Option<String>> {
        db::resolve_url(&self.conn(), url, self.ctx("resolve_url"))
    }

    fn count(&self) -> Result<u64> {
        let ctx = self.ctx("count");
        db::count(&self.conn()).map_err(|e| ctx.db(e))
    }

    fn list(&self, query: &ListQuery) -> Result<Page<DocSummary>> {
        db::list(&self.conn(), query, self.ctx("list"))
    }

    fn iter_all(&self) -> Box<dyn Iterator<Item = Result<Document>> + Send + '_> {
        Box::new(ExportIter { store: self, after: None, buf: VecDeque::new(), done: false })
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let ctx = self.ctx("search");
        let merges = self.format_found >= db::IDENTITY_SINCE;
        let groups = self.entity_groups(query, ctx)?;
        let mut results = match &self.index {
            Ok(index) => index.search(query, &groups, ctx)?,
            Err(why) => return Err(ctx.err(ErrorKind::IndexUnavailable(why.clone()))),
        };
        let counts: Vec<(String, u64)> =
            std::mem::take(&mut results.facets.entities).into_iter().map(|f| (f.id, f.count)).collect();
        if !counts.is_empty() && self.need_entities(ctx).is_ok() {
            results.facets.entities =
                entities::facets(&self.conn(), counts, merges, db::Kept::of(self.format_found), ctx)?;
        }
        if !results.hits.is_empty() && self.need_quotes(ctx).is_ok() {
            let words = quotes::search_words(&query.text);
            let conn = self.conn();
            for hit in &mut results.hits {
                (hit.quotes, hit.quotes_match, hit.quotes_total) =
                    quotes::for_hit(&conn, &hit.id, words.as_deref(), quotes::HIT_QUOTES, ctx)?;
            }
        }
        Ok(results)
    }

    fn entities(&self, query: &EntityQuery) -> Result<Page<EntitySummary>> {
        let ctx = self.ctx("entities");
        self.need_entities(ctx)?;
        let kept = db::Kept::of(self.format_found);
        entities::entities(&self.conn(), query, self.format_found >= db::IDENTITY_SINCE, kept, ctx)
    }

    fn entity(&self, id: &str, offset: u64, limit: u64) -> Result<Option<EntityDetail>> {
        let ctx = self.ctx("entity");
        self.need_entities(ctx)?;
        let conn = self.conn();
        let merges = self.format_found >= db::IDENTITY_SINCE;
        let kept = db::Kept::of(self.format_found);
        let Some(mut detail) = entities::entity(&conn, id, offset, limit, merges, kept, ctx)? else { return Ok(None) };
        // A merged id answers with its identity.
        let id = detail.summary.id.clone();
        let id = id.as_str();
        if self.need_quotes(ctx).is_ok() {
            let q = QuoteQuery { speaker: Some(id.to_string()), limit: quotes::ENTITY_QUOTES, ..QuoteQuery::default() };
            detail.quotes = Some(quotes::quotes(&conn, &q, merges, kept, ctx)?);
            let q = QuoteQuery { about: Some(id.to_string()), limit: quotes::ENTITY_QUOTES, ..QuoteQuery::default() };
            detail.quotes_about = Some(quotes::quotes(&conn, &q, merges, kept, ctx)?);
        }
        if self.need_events(ctx).is_ok() {
            let page = |role: &str| {
                let q = EventQuery {
                    actor: Some(id.to_string()),
                    role: Some(role.to_string()),
                    limit: events::ENTITY_EVENTS,
                    ..EventQuery::default()
                };
                events::events(&conn, &q, merges, ctx)
            };
            detail.events = Some(EntityEvents { as_source: page("source")?, as_target: page("target")? });
        }
        Ok(Some(detail))
    }

    fn quotes(&self, query: &QuoteQuery) -> Result<Page<QuoteHit>> {
        let ctx = self.ctx("quotes");
        self.need_quotes(ctx)?;
        let kept = db::Kept::of(self.format_found);
        quotes::quotes(&self.conn(), query, self.format_found >= db::IDENTITY_SINCE, kept, ctx)
    }

    fn events(&self, query: &EventQuery) -> Result<Page<EventHit>> {
        let ctx = self.ctx("events");
        self.need_events(ctx)?;
        events::events(&self.conn(), query, self.format_found >= db::IDENTITY_SINCE, ctx)
    }

    fn stories(&self, query: &StoryQuery) -> Result<Page<StorySummary>> {
        let ctx = self.ctx("stories");
        self.need_stories(ctx)?;
        stories::stories(&self.conn(), query, ctx)
    }

    fn story(&self, id: u64) -> Result<Option<StoryDetail>> {
        self.story_page(id, &StoryPage::WHOLE)
    }

    fn story_page(&self, id: u64, page: &StoryPage) -> Result<Option<StoryDetail>> {
        let ctx = self.ctx("story");
        self.need_stories(ctx)?;
        stories::story(&self.conn(), id, page, db::Kept::of(self.format_found), ctx)
    }

    fn story_of(&self, article: &str) -> Result<Option<u64>> {
        let ctx = self.ctx("story_of");
        self.need_stories(ctx)?;
        stories::story_of(&self.conn(), article, ctx)
    }

    fn duplicates(&self, article: &str) -> Result<Option<DuplicateGroup>> {
        let ctx = self.ctx("duplicates");
        self.need_stories(ctx)?;
        stories::duplicates(&self.conn(), article, ctx)
    }

    fn entity_timeline(&self, id: &str, offset: u64, limit: u64) -> Result<Option<Page<TimelineItem>>> {
        let ctx = self.ctx("entity_timeline");
        self.need_stories(ctx)?;
        let merges = self.format_found >= db::IDENTITY_SINCE;
        stories::entity_timeline(&self.conn(), id, offset, limit, merges, db::Kept::of(self.format_found), ctx)
    }

    fn search_stories(&self, query: &SearchQuery) -> Result<Page<StoryHit>> {
        let ctx = self.ctx("search_stories");
        self.need_stories(ctx)?;
        let index = self.index.as_ref().map_err(|why| ctx.err(ErrorKind::IndexUnavailable(why.clone())))?;
        let all = SearchQuery { offset: 0, limit: stories::STORY_SEARCH_HITS, ..query.clone() };
        let hits = index.search(&all, &self.entity_groups(query, ctx)?, ctx)?.hits;
        let conn = self.conn();
        let mut page = stories::group_hits(&conn, hits, query.offset as u64, query.limit as u64, ctx)?;
        if self.need_quotes(ctx).is_ok() {
            let words = quotes::search_words(&query.text);
            for g in &mut page.items {
                let hit = &mut g.best;
                (hit.quotes, hit.quotes_match, hit.quotes_total) =
                    quotes::for_hit(&conn, &hit.id, words.as_deref(), quotes::HIT_QUOTES, ctx)?;
            }
        }
        Ok(page)
    }

    fn status(&self) -> Result<StoreStatus> {
        let ctx = self.ctx("status");
        let conn = self.conn();
        let documents = db::count(&conn).map_err(|e| ctx.db(e))?;
        let last_seq = db::last_seq(&conn).map_err(|e| ctx.db(e))?;
        let indexed_seq = match &self.index {
            Ok(i) => i.indexed_seq(ctx)?,
            Err(_) => 0,
        };
        Ok(StoreStatus {
            documents,
            last_seq,
            indexed_seq,
            format_version: self.format_found,
            read_only: self.read_only,
        })
    }
}

/// Streams every document in id order, reading the database in chunks (keyset pagination),
/// so an export never holds a lock or a cursor across items.
struct ExportIter<'a> {
    store: &'a EmbeddedStore,
    after: Option<String>,
    buf: VecDeque<Document>,
    done: bool,
}

impl Iterator for ExportIter<'_> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() && !self.done {
            let ctx = self.store.ctx("iter_all");
            match db::chunk_after(&self.store.conn(), self.after.as_deref(), EXPORT_CHUNK, ctx) {
                Ok(chunk) => {
                    self.done = chunk.len() < EXPORT_CHUNK;
                    self.after = chunk.last().map(|d| d.id.clone()).or(self.after.take());
                    self.buf.extend(chunk);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        self.buf.pop_front().map(Ok)
    }
}
