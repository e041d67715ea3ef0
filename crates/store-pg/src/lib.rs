//! The PostgreSQL backend of the newsgraph [`Store`]: [`PgStore`].
//!
//! One PostgreSQL 15 database (or schema) holds what the embedded store keeps in SQLite and
//! tantivy: documents as the model's JSON plus indexed columns, URL aliases, entity
//! occurrences, quotes, events, near-duplicate groups, stories, and the full-text index
//! (`tsvector` + GIN, English configuration, title weighted above body, in a table
//! partitioned by month of publication). The tables are described in `FORMAT.md`; the schema
//! is created by the first writable [`PgStore::connect`] (`schema.sql`, versioned in `meta`).
//!
//! Same semantics as [`newsgraph_store::EmbeddedStore`]:
//!
//! * **Idempotent writes** by canonical URL key and content hash; duplicates' URLs recorded
//!   as aliases; each [`Store::put_batch`] is one transaction, its articles' search rows,
//!   entity occurrences, quotes, events, duplicate groups and stories included (the search
//!   index is never behind: `indexed_seq == last_seq`).
//! * **Several writers**: any number of processes may hold writable handles (the scale-out
//!   workers). The corpus work (near-duplicate groups, stories, identity: `newsgraph_corpus`
//!   state, rebuilt by replaying the assignment log `corpus_log`) is serialized by a row lock
//!   under which each process first replays what the others assigned, so every article is
//!   assigned in one global order. By default each writer does it in its batch transaction;
//!   after [`CorpusWork::defer_corpus`] writers store articles and layers only, in parallel,
//!   and one elected process ([`CorpusWork::try_lead_corpus`], a session advisory lock) does
//!   it ([`CorpusWork::assign_corpus`]).
//! * **Concurrent reads**: `&self` methods take a connection from a small pool, so several
//!   threads (the HTTP server's) query at once, and any number of processes read while the
//!   writer works.
//! * **Search**: any user text is accepted (`websearch_to_tsquery` over the sanitized text:
//!   words, `"phrases"`, `-not`, `or`, `title:word`; another `field:word` is read as `word`), filters on source,
//!   language, publication and mentioned days and entities, facet counts in SQL, snippets
//!   from `ts_headline` with highlight ranges, total count.
//!
//! ```no_run
//! use newsgraph_store::{SearchQuery, Store};
//! use newsgraph_store_pg::PgStore;
//! # fn main() -> Result<(), newsgraph_store::StoreError> {
//! let store = PgStore::connect("postgres://newsgraph@127.0.0.1:55432/news")?;
//! let results = store.search(&SearchQuery::text("flooding"))?;
//! println!("{} articles", results.total);
//! # Ok(())
//! # }
//! ```

mod across;
mod read;
mod rows;
mod search;
pub mod testing;
mod write;

use newsgraph_model::Document;
use newsgraph_store::{
    CorpusReport, CorpusWork, DocSummary, DuplicateGroup, EntityDetail, EntityEvents, EntityQuery, EntitySummary,
    ErrorKind, EventHit, EventQuery, ListQuery, Page, Prepared, PutReport, QuoteHit, QuoteQuery, Result, SearchQuery,
    SearchResults, Store, StoreError, StoreStatus, StoryDetail, StoryHit, StoryPage, StoryQuery, StorySummary,
    TimelineItem,
};
use postgres::{Client, Config, NoTls};
use std::collections::VecDeque;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// Version of the PostgreSQL schema, stored in `meta.format_version`: `schema.sql` is
/// version 1, and each entry of [`MIGRATIONS`] makes the next one.
pub const PG_SCHEMA_VERSION: u32 = 1 + MIGRATIONS.len() as u32;

/// The version-1 schema, run once on an empty database (then every migration).
pub const SCHEMA_SQL: &str = include_str!("schema.sql");

/// The migrations, in order: entry `i` takes the schema from version `i + 1` to `i + 2`.
/// A writable [`PgStore::connect`] applies the missing ones, in one transaction.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/002_corpus_log.sql"),
    include_str!("migrations/003_event_facets.sql"),
    include_str!("migrations/004_corpus_snapshot.sql"),
];

/// Key of the session advisory lock held by the process that leads corpus work.
const CORPUS_LEADER_LOCK: i64 = 0x6e67_5f63_6f72_7075; // "ng_corpu"

/// Key of the transaction advisory lock taken while creating the schema.
const SCHEMA_LOCK: i64 = 0x6e67_5f73_6368_656d; // "ng_schem"

/// Idle connections kept for reuse by readers.
const MAX_IDLE: usize = 8;

/// Documents read per chunk by `iter_all`.
const EXPORT_CHUNK: i64 = 256;

/// Does `spec` name a PostgreSQL database (`postgres://…` or `postgresql://…`)?
pub fn is_postgres_url(spec: &str) -> bool {
    let s = spec.trim_start();
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL with its password (if any) replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..auth_end].rfind('@') else { return url.to_string() };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme_end], &rest[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

/// Builds errors naming the store (redacted URL) and the operation.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub name: &'a str,
    pub op: &'static str,
}

impl Ctx<'_> {
    pub fn err(&self, kind: ErrorKind) -> StoreError {
        StoreError::new(self.name, self.op, kind)
    }
    pub fn db(&self, e: postgres::Error) -> StoreError {
        self.err(ErrorKind::Database(Box::new(PgError(e))))
    }
}

/// A PostgreSQL error whose message is the server's (`postgres::Error` shows "db error").
#[derive(Debug)]
pub struct PgError(pub postgres::Error);

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

/// The message already holds the server's text: no source, so that chains print it once.
impl std::error::Error for PgError {}

/// A PostgreSQL error with the server's message (its `Display` says only "db error").
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{}: {}", d.severity(), d.message()),
        None => e.to_string(),
    }
}

/// Text as PostgreSQL accepts it (no NUL characters).
pub(crate) fn pg_text(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', " ")
    } else {
        s.to_string()
    }
}

pub(crate) fn pg_opt(s: Option<&String>) -> Option<String> {
    s.map(|s| pg_text(s))
}

/// Bound parameters of a statement built at run time: `push` returns the placeholder.
#[derive(Default)]
pub(crate) struct Args {
    vals: Vec<Box<dyn postgres::types::ToSql + Sync + Send>>,
}

impl Args {
    pub fn push(&mut self, v: impl postgres::types::ToSql + Sync + Send + 'static) -> String {
        self.vals.push(Box::new(v));
        format!("${}", self.vals.len())
    }
    pub fn refs(&self) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
        self.vals.iter().map(|b| b.as_ref() as &(dyn postgres::types::ToSql + Sync)).collect()
    }
}

/// A small pool of connections for readers.
struct Pool {
    config: Config,
    idle: Mutex<Vec<Client>>,
}

/// A pooled connection, returned to the pool when dropped (unless it is broken).
pub(crate) struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until drop")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            if !c.is_closed() {
                let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push(c);
                }
            }
        }
    }
}

impl Pool {
    fn get(&self, ctx: Ctx) -> Result<Conn<'_>> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let client = match pooled {
            Some(c) if !c.is_closed() => c,
            _ => self.config.connect(NoTls).map_err(|e| ctx.db(e))?,
        };
        Ok(Conn { pool: self, client: Some(client) })
    }
}

/// A newsgraph store in a PostgreSQL database. See the crate documentation.
pub struct PgStore {
    /// The URL with its password redacted (errors and messages).
    name: String,
    pool: Pool,
    /// The writer's own connection; `None` for a read-only handle.
    writer: Option<Mutex<Client>>,
    /// Near-duplicate and story state of a writable handle, rebuilt before its first write
    /// (and after a failed one).
    across: Option<across::Across>,
    /// `put_batch` leaves corpus work to the leader ([`CorpusWork::defer_corpus`]).
    deferred: bool,
    /// This handle holds the corpus leader's advisory lock.
    leading: bool,
    format_found: u32,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("name", &self.name).field("read_only", &self.writer.is_none()).finish()
    }
}

fn config(url: &str, ctx: Ctx) -> Result<Config> {
    let mut config = Config::from_str(url.trim())
        .map_err(|e| ctx.err(ErrorKind::InvalidInput(format!("not a PostgreSQL URL: {e}"))))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("newsgraph");
    }
    Ok(config)
}

impl PgStore {
    /// Connects for reading and writing, creating the schema when the database has none.
    ///
    /// Other writable handles (in this or other processes) may write at the same time: see
    /// the crate documentation.
    /// A database whose schema version is newer than this program's is refused with
    /// [`ErrorKind::FormatTooNew`].
    pub fn connect(url: &str) -> Result<PgStore> {
        let name = redact(url.trim());
        let ctx = Ctx { name: &name, op: "open" };
        let config = config(url, ctx)?;
        let mut writer = config.connect(NoTls).map_err(|e| ctx.db(e))?;
        create_schema(&mut writer, ctx)?;
        let format_found = check_format(&mut writer, ctx)?;
        let pool = Pool { config, idle: Mutex::new(Vec::new()) };
        Ok(PgStore {
            name,
            pool,
            writer: Some(Mutex::new(writer)),
            across: None,
            deferred: false,
            leading: false,
            format_found,
        })
    }

    /// Connects for reading only: never writes, takes no lock, works while a writer works.
    /// Fails with [`ErrorKind::NotAStore`] when the database has no newsgraph schema.
    pub fn connect_read_only(url: &str) -> Result<PgStore> {
        let name = redact(url.trim());
        let ctx = Ctx { name: &name, op: "open_read_only" };
        let config = config(url, ctx)?;
        let pool = Pool { config, idle: Mutex::new(Vec::new()) };
        let format_found = {
            let mut c = pool.get(ctx)?;
            check_format(&mut *c, ctx)?
        };
        Ok(PgStore { name, pool, writer: None, across: None, deferred: false, leading: false, format_found })
    }

    /// The database URL, password redacted.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Rebuilds the near-duplicate, story and identity state now (a writable handle otherwise
    /// does it before its first assignment): the latest snapshot, then the articles assigned
    /// after it.
    pub fn prepare_assignments(&mut self) -> Result<Prepared> {
        let ctx = Ctx { name: &self.name, op: "prepare_assignments" };
        let writer = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let writer = writer.get_mut().unwrap_or_else(|p| p.into_inner());
        let started = std::time::Instant::now();
        let across = across::Across::rebuild(writer, ctx)?;
        let prepared = across.prepared(started.elapsed().as_secs_f64());
        self.across = Some(across);
        Ok(prepared)
    }

    fn ctx(&self, op: &'static str) -> Ctx<'_> {
        Ctx { name: &self.name, op }
    }

    fn conn(&self, ctx: Ctx) -> Result<Conn<'_>> {
        self.pool.get(ctx)
    }
}

/// Creates the schema when the database has none, and applies the migrations it lacks, in
/// one transaction under an advisory lock (several processes may connect at once).
fn create_schema(client: &mut Client, ctx: Ctx) -> Result<()> {
    let db = |e| ctx.db(e);
    let mut tx = client.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(db)?;
    let has_meta: bool = tx.query_one("SELECT to_regclass('meta') IS NOT NULL", &[]).map_err(db)?.get(0);
    if !has_meta {
        let has_documents: bool = tx.query_one("SELECT to_regclass('documents') IS NOT NULL", &[]).map_err(db)?.get(0);
        if has_documents {
            return Err(ctx.err(ErrorKind::NotAStore("the database has a documents table but no meta table".into())));
        }
        tx.batch_execute(SCHEMA_SQL).map_err(db)?;
        let now = chrono::Utc::now().to_rfc3339();
        let by = format!("newsgraph-store-pg {}", env!("CARGO_PKG_VERSION"));
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('format_version', '1'), ('created_at', $1), ('last_seq', '0'), \
             ('created_by', $2)",
            &[&now, &by],
        )
        .map_err(db)?;
    }
    let found = check_format(&mut tx, ctx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip((found as usize).saturating_sub(1)) {
        tx.batch_execute(sql).map_err(db)?;
        let version = (i + 2).to_string();
        tx.execute("UPDATE meta SET value = $1 WHERE key = 'format_version'", &[&version]).map_err(db)?;
        if i + 2 == 3 {
            backfill_days(&mut tx, ctx)?;
        }
    }
    tx.commit().map_err(db)
}

/// Fills `articles.days` (migration 3) from the stored documents' time layers.
fn backfill_days(tx: &mut postgres::Transaction, ctx: Ctx) -> Result<()> {
    let db = |e| ctx.db(e);
    let mut after = String::new();
    loop {
        let rows = tx
            .query("SELECT id, doc FROM documents WHERE id > $1 ORDER BY id LIMIT $2", &[&after, &EXPORT_CHUNK])
            .map_err(db)?;
        for r in &rows {
            let id: String = r.get(0);
            let doc = read::decode(&id, r.get(1), ctx)?;
            let days = newsgraph_store::rows::exact_days_of(&doc);
            tx.execute("UPDATE articles SET days = $2 WHERE id = $1", &[&id, &days]).map_err(db)?;
            after = id;
        }
        if (rows.len() as i64) < EXPORT_CHUNK {
            return Ok(());
        }
    }
}

/// The schema version in `meta`; an error when missing or newer than this program's.
fn check_format(client: &mut impl postgres::GenericClient, ctx: Ctx) -> Result<u32> {
    let db = |e| ctx.db(e);
    let has_meta: bool = client.query_one("SELECT to_regclass('meta') IS NOT NULL", &[]).map_err(db)?.get(0);
    if !has_meta {
        return Err(ctx.err(ErrorKind::NotAStore(
            "the database has no newsgraph schema (connect writable once, e.g. newsgraph ingest)".into(),
        )));
    }
    let v: Option<String> =
        client.query_opt("SELECT value FROM meta WHERE key = 'format_version'", &[]).map_err(db)?.map(|r| r.get(0));
    let v = v.ok_or_else(|| ctx.err(ErrorKind::NotAStore("no format_version in meta".into())))?;
    let found: u32 =
        v.trim().parse().map_err(|_| ctx.err(ErrorKind::NotAStore(format!("bad format_version {v:?}"))))?;
    if found > PG_SCHEMA_VERSION {
        return Err(ctx.err(ErrorKind::FormatTooNew { found, supported: PG_SCHEMA_VERSION }));
    }
    Ok(found)
}

impl Store for PgStore {
    fn put_batch(&mut self, docs: Vec<Document>) -> Result<PutReport> {
        let ctx = Ctx { name: &self.name, op: "put_batch" };
        let writer = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let writer = writer.get_mut().unwrap_or_else(|p| p.into_inner());
        let across = if self.deferred { None } else { Some(&mut self.across) };
        write::put_batch(writer, docs, ctx, across)
    }

    fn get(&self, id: &str) -> Result<Option<Document>> {
        let ctx = self.ctx("get");
        if id.contains('\0') {
            return Ok(None); // no stored id has one (PostgreSQL text cannot)
        }
        read::get(&mut *self.conn(ctx)?, id, ctx)
    }

    fn resolve_url(&self, url: &str) -> Result<Option<String>> {
        let ctx = self.ctx("resolve_url");
        read::resolve_url(&mut *self.conn(ctx)?, url, ctx)
    }

    fn count(&self) -> Result<u64> {
        let ctx = self.ctx("count");
        read::count(&mut *self.conn(ctx)?, ctx)
    }

    fn list(&self, query: &ListQuery) -> Result<Page<DocSummary>> {
        let ctx = self.ctx("list");
        read::list(&mut *self.conn(ctx)?, query, ctx)
    }

    fn iter_all(&self) -> Box<dyn Iterator<Item = Result<Document>> + Send + '_> {
        Box::new(ExportIter { store: self, after: None, buf: VecDeque::new(), done: false })
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let ctx = self.ctx("search");
        search::search(&mut *self.conn(ctx)?, query, ctx)
    }

    fn entities(&self, query: &EntityQuery) -> Result<Page<EntitySummary>> {
        let ctx = self.ctx("entities");
        read::entities(&mut *self.conn(ctx)?, query, ctx)
    }

    fn entity(&self, id: &str, offset: u64, limit: u64) -> Result<Option<EntityDetail>> {
        let ctx = self.ctx("entity");
        if id.contains('\0') {
            return Ok(None);
        }
        let mut conn = self.conn(ctx)?;
        let conn = &mut *conn;
        let Some(mut detail) = read::entity(conn, id, offset, limit, ctx)? else { return Ok(None) };
        // A merged id answers with its identity.
        let id = detail.summary.id.clone();
        let id = id.as_str();
        let q = QuoteQuery {
            speaker: Some(id.to_string()),
            limit: newsgraph_store::ENTITY_QUOTES,
            ..QuoteQuery::default()
        };
        detail.quotes = Some(read::quotes(conn, &q, ctx)?);
        let q = QuoteQuery { speaker: None, about: Some(id.to_string()), ..q };
        detail.quotes_about = Some(read::quotes(conn, &q, ctx)?);
        let mut page = |role: &str| {
            let q = EventQuery {
                actor: Some(id.to_string()),
                role: Some(role.to_string()),
                limit: newsgraph_store::ENTITY_EVENTS,
                ..EventQuery::default()
            };
            read::events(conn, &q, ctx)
        };
        let as_source = page("source")?;
        let as_target = page("target")?;
        detail.events = Some(EntityEvents { as_source, as_target });
        Ok(Some(detail))
    }

    fn quotes(&self, query: &QuoteQuery) -> Result<Page<QuoteHit>> {
        let ctx = self.ctx("quotes");
        read::quotes(&mut *self.conn(ctx)?, query, ctx)
    }

    fn events(&self, query: &EventQuery) -> Result<Page<EventHit>> {
        let ctx = self.ctx("events");
        read::events(&mut *self.conn(ctx)?, query, ctx)
    }

    fn stories(&self, query: &StoryQuery) -> Result<Page<StorySummary>> {
        let ctx = self.ctx("stories");
        read::stories(&mut *self.conn(ctx)?, query, ctx)
    }

    fn story(&self, id: u64) -> Result<Option<StoryDetail>> {
        let ctx = self.ctx("story");
        read::story(&mut *self.conn(ctx)?, id, ctx)
    }

    fn story_page(&self, id: u64, page: &StoryPage) -> Result<Option<StoryDetail>> {
        let ctx = self.ctx("story");
        read::story_page(&mut *self.conn(ctx)?, id, page, ctx)
    }

    fn story_of(&self, article: &str) -> Result<Option<u64>> {
        let ctx = self.ctx("story_of");
        if article.contains('\0') {
            return Ok(None);
        }
        read::story_of(&mut *self.conn(ctx)?, article, ctx)
    }

    fn duplicates(&self, article: &str) -> Result<Option<DuplicateGroup>> {
        let ctx = self.ctx("duplicates");
        if article.contains('\0') {
            return Ok(None);
        }
        read::duplicates(&mut *self.conn(ctx)?, article, ctx)
    }

    fn entity_timeline(&self, id: &str, offset: u64, limit: u64) -> Result<Option<Page<TimelineItem>>> {
        let ctx = self.ctx("entity_timeline");
        if id.contains('\0') {
            return Ok(None);
        }
        read::entity_timeline(&mut *self.conn(ctx)?, id, offset, limit, ctx)
    }

    fn search_stories(&self, query: &SearchQuery) -> Result<Page<StoryHit>> {
        let ctx = self.ctx("search_stories");
        search::search_stories(&mut *self.conn(ctx)?, query, ctx)
    }

    fn status(&self) -> Result<StoreStatus> {
        let ctx = self.ctx("status");
        let mut conn = self.conn(ctx)?;
        let documents = read::count(&mut conn, ctx)?;
        let last_seq = read::last_seq(&mut conn, ctx)?;
        // The search rows are written in the same transaction as the documents.
        Ok(StoreStatus {
            documents,
            last_seq,
            indexed_seq: last_seq,
            format_version: self.format_found,
            read_only: self.writer.is_none(),
        })
    }
}

impl CorpusWork for PgStore {
    fn defer_corpus(&mut self) -> Result<()> {
        let ctx = self.ctx("defer_corpus");
        if self.writer.is_none() {
            return Err(ctx.err(ErrorKind::ReadOnly));
        }
        self.deferred = true;
        Ok(())
    }

    /// A session advisory lock on the writer's connection: PostgreSQL releases it when the
    /// process dies or its connection drops, and a standby's next try takes it.
    fn try_lead_corpus(&mut self) -> Result<bool> {
        let ctx = Ctx { name: &self.name, op: "try_lead_corpus" };
        let writer = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let writer = writer.get_mut().unwrap_or_else(|p| p.into_inner());
        if !self.leading {
            let got: bool = writer
                .query_one("SELECT pg_try_advisory_lock($1)", &[&CORPUS_LEADER_LOCK])
                .map_err(|e| ctx.db(e))?
                .get(0);
            self.leading = got;
        }
        Ok(self.leading)
    }

    fn assign_corpus(&mut self, ids: &[String]) -> Result<CorpusReport> {
        let ctx = Ctx { name: &self.name, op: "assign_corpus" };
        if !self.leading {
            return Err(ctx.err(ErrorKind::InvalidInput("this handle does not lead corpus work".into())));
        }
        let writer = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let writer = writer.get_mut().unwrap_or_else(|p| p.into_inner());
        write::assign_corpus(writer, ids, ctx, &mut self.across)
    }

    fn prepare_corpus(&mut self) -> Result<Prepared> {
        self.prepare_assignments()
    }

    fn corpus_backlog(&self) -> Result<u64> {
        let ctx = self.ctx("corpus_backlog");
        read::corpus_backlog(&mut *self.conn(ctx)?, ctx)
    }
}

/// Streams every document in id order in chunks (keyset pagination).
struct ExportIter<'a> {
    store: &'a PgStore,
    after: Option<String>,
    buf: VecDeque<Document>,
    done: bool,
}

impl Iterator for ExportIter<'_> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() && !self.done {
            let ctx = self.store.ctx("iter_all");
            let chunk = self
                .store
                .conn(ctx)
                .and_then(|mut c| read::chunk_after(&mut c, self.after.as_deref(), EXPORT_CHUNK, ctx));
            match chunk {
                Ok(chunk) => {
                    self.done = (chunk.len() as i64) < EXPORT_CHUNK;
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

impl Drop for PgStore {
    /// `postgres::Client` closes its connection with a blocking call, which panics inside an
    /// async runtime (a server shutting down drops its store there): the connections are
    /// closed on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.pool.idle.lock().unwrap_or_else(|p| p.into_inner()));
        let writer = self.writer.take();
        let _ = std::thread::spawn(move || drop((idle, writer))).join();
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<PgStore>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognized_and_redacted() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://h/db"));
        assert!(!is_postgres_url("./postgres"));
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db?user=u"), "postgres://h/db?user=u");
    }
}
