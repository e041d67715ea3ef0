//! The SQLite document database: the source of truth.
//!
//! Everything about the SQL schema lives in this module (see `FORMAT.md`).

pub use crate::entities::write_entities;
use crate::error::{Ctx, ErrorKind, Result};
pub use crate::events::write_events;
pub use crate::quotes::write_quotes;
use crate::stories::Across;
use crate::types::{DocSummary, Duplicate, ListQuery, Page, PutReport, MAX_PAGE};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use newsgraph_model::{canonical_key, content_hash, Document};
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension, Transaction};
use std::path::Path;

/// Version of the on-disk format (SQL schema + document encoding + directory layout).
/// Bump on any incompatible change and add a migration from the previous one.
pub const FORMAT_VERSION: u32 = 12;

/// File name of the document database inside the store directory.
pub const DB_FILE: &str = "store.sqlite3";

const SCHEMA_V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    url_key       TEXT UNIQUE,
    content_hash  TEXT NOT NULL UNIQUE,
    url           TEXT,
    title         TEXT,
    source        TEXT,
    language      TEXT,
    published     INTEGER,
    published_raw TEXT,
    ingested_at   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    seq           INTEGER NOT NULL UNIQUE,
    doc           TEXT NOT NULL
);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_source    ON documents(source, published);
CREATE INDEX documents_language  ON documents(language, published);

CREATE TABLE aliases (
    url_key   TEXT PRIMARY KEY,
    url       TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    added_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_doc ON aliases(doc_id);
"#;

/// Added in format version 2: one row per (entity, article) — see `FORMAT.md`.
const SCHEMA_V2: &str = r#"
CREATE TABLE entity_occurrences (
    entity_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    kb_id     TEXT,
    country   TEXT,
    mentions  INTEGER NOT NULL,
    aliases   TEXT NOT NULL,
    repaired  TEXT NOT NULL,
    info      TEXT NOT NULL,
    PRIMARY KEY (entity_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX entity_occurrences_doc  ON entity_occurrences(doc_id);
CREATE INDEX entity_occurrences_kind ON entity_occurrences(kind, entity_id);
"#;

/// Format version from which the `entity_occurrences` table exists.
pub const ENTITIES_SINCE: u32 = 2;

/// Added in format version 3: one row per quote, and a full-text index (SQLite FTS5, an
/// external-content table kept in step by triggers) over the quotes' content — see `FORMAT.md`.
const SCHEMA_V3: &str = r#"
CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    doc_id           TEXT NOT NULL,
    ordinal          INTEGER NOT NULL,
    published        INTEGER,
    kind             TEXT NOT NULL,
    content          TEXT NOT NULL,
    span_start       INTEGER NOT NULL,
    span_end         INTEGER NOT NULL,
    source           TEXT,
    cue              TEXT,
    speaker_id       TEXT,
    speaker_name     TEXT,
    speaker_kind     TEXT,
    reported_by_id   TEXT,
    reported_by_name TEXT,
    reported_by_kind TEXT,
    confidence       REAL NOT NULL,
    UNIQUE (doc_id, ordinal)
);
CREATE INDEX quotes_speaker   ON quotes(speaker_id, published);
CREATE INDEX quotes_published ON quotes(published);
CREATE VIRTUAL TABLE quotes_fts USING fts5(
    content, content = 'quotes', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts(quotes_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER quotes_fts_update AFTER UPDATE ON quotes BEGIN
    INSERT INTO quotes_fts(quotes_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO quotes_fts(rowid, content) VALUES (new.id, new.content);
END;
"#;

/// Format version from which the `quotes` and `quotes_fts` tables exist.
pub const QUOTES_SINCE: u32 = 3;

const SCHEMA_V4: &str = r#"
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL,
    ordinal       INTEGER NOT NULL,
    published     INTEGER,
    day           TEXT,
    date_value    TEXT,
    code          TEXT NOT NULL,
    root          TEXT NOT NULL,
    plover        TEXT NOT NULL,
    goldstein     REAL NOT NULL,
    quad_class    INTEGER NOT NULL,
    modality      TEXT NOT NULL,
    trigger       TEXT NOT NULL,
    content       TEXT NOT NULL,
    span_start    INTEGER NOT NULL,
    span_end      INTEGER NOT NULL,
    source_id     TEXT,
    source_name   TEXT,
    source_code   TEXT,
    target_id     TEXT,
    target_name   TEXT,
    target_code   TEXT,
    place_id      TEXT,
    place_name    TEXT,
    place_country TEXT,
    lat           REAL,
    lon           REAL,
    confidence    REAL NOT NULL,
    UNIQUE (doc_id, ordinal)
);
CREATE INDEX events_source_id   ON events(source_id, day);
CREATE INDEX events_target_id   ON events(target_id, day);
CREATE INDEX events_source_code ON events(source_code);
CREATE INDEX events_target_code ON events(target_code);
CREATE INDEX events_code        ON events(code);
CREATE INDEX events_day         ON events(day);
CREATE INDEX events_lat         ON events(lat);
"#;

/// Format version from which the `events` table exists.
pub const EVENTS_SINCE: u32 = 4;

/// Added in format version 5: near-duplicate groups and stories — see `FORMAT.md`.
const SCHEMA_V5: &str = r#"
CREATE TABLE duplicates (
    doc_id     TEXT PRIMARY KEY,
    canonical  TEXT NOT NULL,
    nearest    TEXT,
    similarity REAL
) WITHOUT ROWID;
CREATE INDEX duplicates_canonical ON duplicates(canonical);
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    label           TEXT NOT NULL,
    entities        TEXT NOT NULL,
    places          TEXT NOT NULL,
    keywords        TEXT NOT NULL,
    dates           TEXT NOT NULL,
    first_published INTEGER,
    last_published  INTEGER,
    articles        INTEGER NOT NULL
);
CREATE INDEX stories_articles ON stories(articles, last_published);
CREATE TABLE story_articles (
    doc_id   TEXT PRIMARY KEY,
    story_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX story_articles_story ON story_articles(story_id);
"#;

/// Format version from which the `duplicates`, `stories` and `story_articles` tables exist.
pub const STORIES_SINCE: u32 = 5;

/// Added in format version 6: cross-document identity — see `FORMAT.md`.
const SCHEMA_V6: &str = r#"
CREATE TABLE entity_merges (
    entity_id       TEXT PRIMARY KEY,
    canonical       TEXT NOT NULL,
    name_similarity REAL,
    context         REAL
) WITHOUT ROWID;
CREATE INDEX entity_merges_canonical ON entity_merges(canonical);
"#;

/// Format version from which the `entity_merges` table exists.
pub const IDENTITY_SINCE: u32 = 6;

/// Added in format version 7: the latest snapshot of the corpus state (one row) — see
/// `FORMAT.md`.
const SCHEMA_V7: &str = r#"
CREATE TABLE corpus_snapshot (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL,
    data BLOB NOT NULL
);
"#;

/// Format version from which the `corpus_snapshot` table exists.
pub const SNAPSHOT_SINCE: u32 = 7;

/// Added in format version 8: articles and mentions per entity id, kept by triggers on
/// `entity_occurrences` (so every write path keeps it exact), for the entity list — see
/// `FORMAT.md`. `IF NOT EXISTS`: a migration recreates what a half-downgraded store still has.
const SCHEMA_V8: &str = r#"
CREATE TABLE IF NOT EXISTS entity_counts (
    entity_id TEXT PRIMARY KEY,
    articles  INTEGER NOT NULL,
    mentions  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entity_counts_insert AFTER INSERT ON entity_occurrences BEGIN
    INSERT OR IGNORE INTO entity_counts(entity_id, articles, mentions) VALUES (new.entity_id, 0, 0);
    UPDATE entity_counts SET articles = articles + 1, mentions = mentions + new.mentions
        WHERE entity_id = new.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS entity_counts_delete AFTER DELETE ON entity_occurrences BEGIN
    UPDATE entity_counts SET articles = articles - 1, mentions = mentions - old.mentions
        WHERE entity_id = old.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS entity_counts_update AFTER UPDATE OF entity_id, mentions ON entity_occurrences BEGIN
    UPDATE entity_counts SET articles = articles - 1, mentions = mentions - old.mentions
        WHERE entity_id = old.entity_id;
    INSERT OR IGNORE INTO entity_counts(entity_id, articles, mentions) VALUES (new.entity_id, 0, 0);
    UPDATE entity_counts SET articles = articles + 1, mentions = mentions + new.mentions
        WHERE entity_id = new.entity_id;
END;
"#;

/// Format version from which the `entity_counts` table exists.
pub const COUNTS_SINCE: u32 = 8;

/// Added in format version 9: how often each entity id was written each way (its aliases and
/// repaired spellings summed over its articles), kept by triggers on `entity_occurrences` from
/// their JSON maps, for entity pages and lists — see `FORMAT.md`. A form whose count falls to
/// 0 is deleted.
const SCHEMA_V9: &str = r#"
CREATE TABLE IF NOT EXISTS entity_forms (
    entity_id TEXT NOT NULL,
    repaired  INTEGER NOT NULL,
    form      TEXT NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (entity_id, repaired, form)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entity_forms_insert AFTER INSERT ON entity_occurrences BEGIN
    INSERT INTO entity_forms(entity_id, repaired, form, count)
        SELECT new.entity_id, 0, key, value FROM json_each(new.aliases) WHERE true
        ON CONFLICT DO UPDATE SET count = count + excluded.count;
    INSERT INTO entity_forms(entity_id, repaired, form, count)
        SELECT new.entity_id, 1, key, value FROM json_each(new.repaired) WHERE true
        ON CONFLICT DO UPDATE SET count = count + excluded.count;
END;
CREATE TRIGGER IF NOT EXISTS entity_forms_delete AFTER DELETE ON entity_occurrences BEGIN
    UPDATE entity_forms SET count = count - (SELECT j.value FROM json_each(old.aliases) j WHERE j.key = form)
        WHERE entity_id = old.entity_id AND repaired = 0 AND form IN (SELECT key FROM json_each(old.aliases));
    UPDATE entity_forms SET count = count - (SELECT j.value FROM json_each(old.repaired) j WHERE j.key = form)
        WHERE entity_id = old.entity_id AND repaired = 1 AND form IN (SELECT key FROM json_each(old.repaired));
    DELETE FROM entity_forms WHERE entity_id = old.entity_id AND count <= 0;
END;
CREATE TRIGGER IF NOT EXISTS entity_forms_update AFTER UPDATE OF entity_id, aliases, repaired ON entity_occurrences BEGIN
    UPDATE entity_forms SET count = count - (SELECT j.value FROM json_each(old.aliases) j WHERE j.key = form)
        WHERE entity_id = old.entity_id AND repaired = 0 AND form IN (SELECT key FROM json_each(old.aliases));
    UPDATE entity_forms SET count = count - (SELECT j.value FROM json_each(old.repaired) j WHERE j.key = form)
        WHERE entity_id = old.entity_id AND repaired = 1 AND form IN (SELECT key FROM json_each(old.repaired));
    DELETE FROM entity_forms WHERE entity_id = old.entity_id AND count <= 0;
    INSERT INTO entity_forms(entity_id, repaired, form, count)
        SELECT new.entity_id, 0, key, value FROM json_each(new.aliases) WHERE true
        ON CONFLICT DO UPDATE SET count = count + excluded.count;
    INSERT INTO entity_forms(entity_id, repaired, form, count)
        SELECT new.entity_id, 1, key, value FROM json_each(new.repaired) WHERE true
        ON CONFLICT DO UPDATE SET count = count + excluded.count;
END;
"#;

/// Format version from which the `entity_forms` table exists.
pub const FORMS_SINCE: u32 = 9;

/// Added in format version 10: which quotes name which entity ids (the quote's text holds a
/// form of at least 3 bytes that its own article wrote the entity in), kept by triggers on
/// both `quotes` and `entity_occurrences` (an article's rows may come in either order), for
/// the quotes about an entity — see `FORMAT.md`.
const SCHEMA_V10: &str = r#"
CREATE TABLE IF NOT EXISTS quote_mentions (
    entity_id TEXT NOT NULL,
    quote_id  INTEGER NOT NULL,
    PRIMARY KEY (entity_id, quote_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quote_mentions_quote ON quote_mentions(quote_id);
CREATE TRIGGER IF NOT EXISTS quote_mentions_quote_insert AFTER INSERT ON quotes BEGIN
    INSERT OR IGNORE INTO quote_mentions(entity_id, quote_id)
        SELECT o.entity_id, new.id FROM entity_occurrences o WHERE o.doc_id = new.doc_id AND EXISTS
        (SELECT 1 FROM json_each(o.aliases) j WHERE length(j.key) >= 3 AND instr(new.content, j.key) > 0);
END;
CREATE TRIGGER IF NOT EXISTS quote_mentions_quote_delete AFTER DELETE ON quotes BEGIN
    DELETE FROM quote_mentions WHERE quote_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS quote_mentions_quote_update AFTER UPDATE OF id, doc_id, content ON quotes BEGIN
    DELETE FROM quote_mentions WHERE quote_id = old.id;
    INSERT OR IGNORE INTO quote_mentions(entity_id, quote_id)
        SELECT o.entity_id, new.id FROM entity_occurrences o WHERE o.doc_id = new.doc_id AND EXISTS
        (SELECT 1 FROM json_each(o.aliases) j WHERE length(j.key) >= 3 AND instr(new.content, j.key) > 0);
END;
CREATE TRIGGER IF NOT EXISTS quote_mentions_entity_insert AFTER INSERT ON entity_occurrences BEGIN
    INSERT OR IGNORE INTO quote_mentions(entity_id, quote_id)
        SELECT new.entity_id, q.id FROM quotes q WHERE q.doc_id = new.doc_id AND EXISTS
        (SELECT 1 FROM json_each(new.aliases) j WHERE length(j.key) >= 3 AND instr(q.content, j.key) > 0);
END;
CREATE TRIGGER IF NOT EXISTS quote_mentions_entity_delete AFTER DELETE ON entity_occurrences BEGIN
    DELETE FROM quote_mentions WHERE entity_id = old.entity_id
        AND quote_id IN (SELECT id FROM quotes WHERE doc_id = old.doc_id);
END;
CREATE TRIGGER IF NOT EXISTS quote_mentions_entity_update AFTER UPDATE OF entity_id, doc_id, aliases ON entity_occurrences BEGIN
    DELETE FROM quote_mentions WHERE entity_id = old.entity_id
        AND quote_id IN (SELECT id FROM quotes WHERE doc_id = old.doc_id);
    INSERT OR IGNORE INTO quote_mentions(entity_id, quote_id)
        SELECT new.entity_id, q.id FROM quotes q WHERE q.doc_id = new.doc_id AND EXISTS
        (SELECT 1 FROM json_each(new.aliases) j WHERE length(j.key) >= 3 AND instr(q.content, j.key) > 0);
END;
"#;

/// Format version from which the `quote_mentions` table exists.
pub const QUOTE_MENTIONS_SINCE: u32 = 10;

/// Format version 11: the index of entity occurrences by article also holds the columns a
/// story's entity list sums (`stories::story`), so that it reads the index alone rather than
/// look up every occurrence of a story's articles (tens of thousands in a large story) — see
/// `FORMAT.md`.
const SCHEMA_V11: &str = r#"
CREATE INDEX IF NOT EXISTS entity_occurrences_doc_cover ON entity_occurrences(doc_id, entity_id, mentions, kind, name);
DROP INDEX IF EXISTS entity_occurrences_doc;
"#;

/// Format version from which `entity_occurrences_doc_cover` replaces `entity_occurrences_doc`.
pub const DOC_COVER_SINCE: u32 = 11;

/// Added in format version 12: a story's entities — for each story, entity id and the name
/// and kind its articles wrote it with, how many of the story's articles name it and how
/// often — kept by triggers on both `story_articles` (an article joins, leaves or moves
/// between stories) and `entity_occurrences` (an article's entities change), so that a story's
/// entity list reads a few rows rather than every occurrence of its articles; and indexes that
/// hold what a story's timeline and page of articles sort by, read without the rows — see
/// `FORMAT.md`. A row whose article count falls to 0 is deleted.
static SCHEMA_V12: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    // Adds (`+`) or takes away (`-`) the occurrences `o` (selected by `from`) in the story
    // `story`, then deletes the rows left at 0 among those (`story_in`, `entity_in`).
    let change = |sign: char, story: &str, o: &str, from: &str, story_in: &str, entity_in: &str| {
        let mut sql = format!(
            "    INSERT INTO story_entities(story_id, entity_id, name, kind, articles, mentions)\n        \
             SELECT {story}, {o}.entity_id, {o}.name, {o}.kind, {sign}1, {sign}{o}.mentions {from}\n        \
             ON CONFLICT DO UPDATE SET articles = articles + excluded.articles, mentions = mentions + excluded.mentions;\n"
        );
        if sign == '-' {
            sql += &format!(
                "    DELETE FROM story_entities WHERE articles <= 0 AND story_id {story_in} AND entity_id {entity_in};\n"
            );
        }
        sql
    };
    // An article's occurrences in its story (the story_articles row `r`).
    let article = |sign, r: &str| {
        change(
            sign,
            &format!("{r}.story_id"),
            "o",
            &format!("FROM entity_occurrences o WHERE o.doc_id = {r}.doc_id"),
            &format!("= {r}.story_id"),
            &format!("IN (SELECT entity_id FROM entity_occurrences WHERE doc_id = {r}.doc_id)"),
        )
    };
    // One occurrence (`o`) in the story of its article.
    let occurrence = |sign, o: &str| {
        change(
            sign,
            "s.story_id",
            o,
            &format!("FROM story_articles s WHERE s.doc_id = {o}.doc_id"),
            &format!("IN (SELECT story_id FROM story_articles WHERE doc_id = {o}.doc_id)"),
            &format!("= {o}.entity_id"),
        )
    };
    let trigger = |name: &str, when: &str, body: String| {
        format!("CREATE TRIGGER IF NOT EXISTS story_entities_{name} {when} BEGIN\n{body}END;\n")
    };
    [
        "CREATE TABLE IF NOT EXISTS story_entities (\n    story_id  INTEGER NOT NULL,\n    entity_id TEXT NOT NULL,\n    \
         name      TEXT NOT NULL,\n    kind      TEXT NOT NULL,\n    articles  INTEGER NOT NULL,\n    \
         mentions  INTEGER NOT NULL,\n    PRIMARY KEY (story_id, entity_id, name, kind)\n) WITHOUT ROWID;\n"
            .to_string(),
        trigger("article_insert", "AFTER INSERT ON story_articles", article('+', "new")),
        trigger("article_delete", "AFTER DELETE ON story_articles", article('-', "old")),
        trigger(
            "article_update",
            "AFTER UPDATE OF doc_id, story_id ON story_articles",
            article('-', "old") + &article('+', "new"),
        ),
        trigger("occurrence_insert", "AFTER INSERT ON entity_occurrences", occurrence('+', "new")),
        trigger("occurrence_delete", "AFTER DELETE ON entity_occurrences", occurrence('-', "old")),
        trigger(
            "occurrence_update",
            "AFTER UPDATE OF entity_id, doc_id, name, kind, mentions ON entity_occurrences",
            occurrence('-', "old") + &occurrence('+', "new"),
        ),
        "CREATE INDEX IF NOT EXISTS events_doc_order ON events(doc_id, day, published, ordinal);\n\
         CREATE INDEX IF NOT EXISTS quotes_doc_order ON quotes(doc_id, published, ordinal);\n\
         CREATE INDEX IF NOT EXISTS documents_id_published ON documents(id, published);\n"
            .to_string(),
    ]
    .concat()
});

/// Format version from which `story_entities` and the story order indexes exist.
pub const STORY_ENTITIES_SINCE: u32 = 12;

/// The tables kept by triggers that a store has, by its format version: `entity_counts` (8)
/// answers an unfiltered entity list, `entity_forms` (9) an entity's aliases and repaired
/// spellings, `quote_mentions` (10) the quotes about an entity, `story_entities` (12, with the
/// story order indexes) a story's entities, without reading every occurrence or quote. Without
/// them the same answers come from the occurrences and quotes.
#[derive(Debug, Clone, Copy)]
pub struct Kept {
    pub counts: bool,
    pub forms: bool,
    pub quote_mentions: bool,
    pub story_entities: bool,
}

impl Kept {
    pub fn of(format: u32) -> Kept {
        Kept {
            counts: format >= COUNTS_SINCE,
            forms: format >= FORMS_SINCE,
            quote_mentions: format >= QUOTE_MENTIONS_SINCE,
            story_entities: format >= STORY_ENTITIES_SINCE,
        }
    }
}

/// Opens (creating if needed) the database for writing and checks its format version.
pub fn open_rw(dir: &Path, ctx: Ctx) -> Result<Connection> {
    let mut conn = Connection::open(dir.join(DB_FILE)).map_err(|e| not_a_store(ctx, e))?;
    // WAL: readers in other processes never block the writer and see committed data only.
    // synchronous=NORMAL: in WAL mode a commit survives any process crash (kill -9); after
    // a power loss or OS crash the last transactions may roll back, but the file is never
    // corrupted. Losing the tail of an ingest is harmless because ingest is idempotent.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| not_a_store(ctx, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| ctx.db(e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| ctx.db(e))?;
    let has_meta = table_exists(&conn, "meta").map_err(|e| not_a_store(ctx, e))?;
    if !has_meta {
        let has_any: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(|e| ctx.db(e))?;
        if has_any > 0 {
            return Err(ctx.err(ErrorKind::NotAStore(format!("{DB_FILE} has tables but no meta table"))));
        }
        let now = Utc::now().to_rfc3339();
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{SCHEMA_V1}\n{SCHEMA_V2}\n{SCHEMA_V3}\n{SCHEMA_V4}\n{SCHEMA_V5}\n{SCHEMA_V6}\n{SCHEMA_V7}\n{SCHEMA_V8}\n{SCHEMA_V9}\n{SCHEMA_V10}\n{SCHEMA_V11}\n{v12}\n\
             INSERT INTO meta(key, value) VALUES ('format_version', '{FORMAT_VERSION}'), \
             ('created_at', '{now}'), ('last_seq', '0'), \
             ('created_by', 'newsgraph-store {}');\nCOMMIT;",
            env!("CARGO_PKG_VERSION"),
            v12 = *SCHEMA_V12
        ))
        .map_err(|e| ctx.db(e))?;
    }
    let found = check_format(&conn, ctx)?;
    if found < FORMAT_VERSION {
        migrate(&mut conn, ctx)?;
    }
    Ok(conn)
}

/// Opens an existing database read-only and checks its format version (returned: an older
/// version than [`FORMAT_VERSION`] opens, but lacks the newer tables until a writable open
/// migrates it).
pub fn open_ro(dir: &Path, ctx: Ctx) -> Result<(Connection, u32)> {
    let path = dir.join(DB_FILE);
    if !path.is_file() {
        return Err(ctx.err(ErrorKind::NotAStore(format!("{} does not exist", path.display()))));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(&path, flags).map_err(|e| not_a_store(ctx, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| ctx.db(e))?;
    // Readers (`serve`, `search`) read pages through a memory map (up to 4 GiB of the file)
    // rather than one `pread` per page, and keep 64 MiB of pages in the connection's cache:
    // on a store of 100k articles the per-page reads were most of a search's time. The
    // mapped pages are the file's, shared with the OS cache (they count in the resident set,
    // but are not the process's own memory). The writer keeps SQLite's defaults.
    conn.pragma_update(None, "mmap_size", 4i64 << 30).map_err(|e| ctx.db(e))?;
    conn.pragma_update(None, "cache_size", -65536).map_err(|e| ctx.db(e))?;
    if !table_exists(&conn, "meta").map_err(|e| not_a_store(ctx, e))? {
        return Err(ctx.err(ErrorKind::NotAStore(format!("{DB_FILE} has no meta table"))));
    }
    let found = check_format(&conn, ctx)?;
    Ok((conn, found))
}

fn not_a_store(ctx: Ctx, e: rusqlite::Error) -> crate::StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            ctx.err(ErrorKind::NotAStore(format!("{DB_FILE} is not a SQLite database")))
        }
        _ => ctx.db(e),
    }
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n > 0)
}

/// The format version on disk; an error if it is newer than this program's.
fn check_format(conn: &Connection, ctx: Ctx) -> Result<u32> {
    let v = get_meta(conn, "format_version").map_err(|e| ctx.db(e))?;
    let v = v.ok_or_else(|| ctx.err(ErrorKind::NotAStore("no format_version in meta".into())))?;
    let found: u32 =
        v.trim().parse().map_err(|_| ctx.err(ErrorKind::NotAStore(format!("bad format_version {v:?}"))))?;
    if found > FORMAT_VERSION {
        return Err(ctx.err(ErrorKind::FormatTooNew { found, supported: FORMAT_VERSION }));
    }
    Ok(found)
}

/// Brings an older database up to [`FORMAT_VERSION`] in one transaction (all or nothing).
///
/// * 1 → 2: creates `entity_occurrences` and fills it from every stored document's
///   `entities` and `mentions` layers.
/// * 2 → 3: creates `quotes` (with `quotes_fts` and its triggers) and fills it from every
///   stored document's `quotes` layer.
/// * 3 → 4: creates `events` and fills it from every stored document's `events` layer.
/// * 4 → 5: creates `duplicates`, `stories` and `story_articles` and fills them by assigning
///   every stored document, in insertion order, as a write would have.
/// * 5 → 6: creates `entity_merges` and fills it by replaying every stored document's
///   entities, in insertion order, as writes would have.
/// * 6 → 7: creates the (empty) `corpus_snapshot` table.
/// * 7 → 8: creates `entity_counts` and its triggers, and fills it from `entity_occurrences`
///   (before any occurrences this migration writes, which the triggers then count).
/// * 8 → 9: creates `entity_forms` and its triggers, and fills it the same way.
/// * 9 → 10: creates `quote_mentions` and its triggers, and fills it the same way.
/// * 10 → 11: replaces `entity_occurrences_doc` by the covering `entity_occurrences_doc_cover`.
/// * 11 → 12: creates `story_entities` and its triggers, fills it the same way as 8 → 9, and
///   creates the story order indexes.
fn migrate(conn: &mut Connection, ctx: Ctx) -> Result<()> {
    let db = |e| ctx.db(e);
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db)?;
    let found = check_format(&tx, ctx)?;
    if found < ENTITIES_SINCE {
        tx.execute_batch(SCHEMA_V2).map_err(db)?;
    }
    if found < QUOTES_SINCE {
        tx.execute_batch(SCHEMA_V3).map_err(db)?;
    }
    if found < EVENTS_SINCE {
        tx.execute_batch(SCHEMA_V4).map_err(db)?;
    }
    if found < STORIES_SINCE {
        tx.execute_batch(SCHEMA_V5).map_err(db)?;
    }
    if found < IDENTITY_SINCE {
        tx.execute_batch(SCHEMA_V6).map_err(db)?;
    }
    if found < SNAPSHOT_SINCE {
        tx.execute_batch(SCHEMA_V7).map_err(db)?;
    }
    if found < COUNTS_SINCE {
        tx.execute_batch(SCHEMA_V8).map_err(db)?;
        tx.execute_batch(
            "DELETE FROM entity_counts; INSERT INTO entity_counts(entity_id, articles, mentions) \
             SELECT entity_id, count(*), sum(mentions) FROM entity_occurrences GROUP BY entity_id;",
        )
        .map_err(db)?;
    }
    if found < FORMS_SINCE {
        tx.execute_batch(SCHEMA_V9).map_err(db)?;
        tx.execute_batch(
            "DELETE FROM entity_forms; \
             INSERT INTO entity_forms(entity_id, repaired, form, count) SELECT o.entity_id, 0, j.key, sum(j.value) \
             FROM entity_occurrences o, json_each(o.aliases) j GROUP BY o.entity_id, j.key HAVING sum(j.value) > 0; \
             INSERT INTO entity_forms(entity_id, repaired, form, count) SELECT o.entity_id, 1, j.key, sum(j.value) \
             FROM entity_occurrences o, json_each(o.repaired) j GROUP BY o.entity_id, j.key HAVING sum(j.value) > 0;",
        )
        .map_err(db)?;
    }
    if found < QUOTE_MENTIONS_SINCE {
        tx.execute_batch(SCHEMA_V10).map_err(db)?;
        tx.execute_batch(
            "DELETE FROM quote_mentions; INSERT OR IGNORE INTO quote_mentions(entity_id, quote_id) \
             SELECT o.entity_id, q.id FROM quotes q JOIN entity_occurrences o ON o.doc_id = q.doc_id WHERE EXISTS \
             (SELECT 1 FROM json_each(o.aliases) j WHERE length(j.key) >= 3 AND instr(q.content, j.key) > 0);",
        )
        .map_err(db)?;
    }
    if found < DOC_COVER_SINCE {
        tx.execute_batch(SCHEMA_V11).map_err(db)?;
    }
    if found < STORY_ENTITIES_SINCE {
        tx.execute_batch(&SCHEMA_V12).map_err(db)?;
        tx.execute_batch(
            "DELETE FROM story_entities; \
             INSERT INTO story_entities(story_id, entity_id, name, kind, articles, mentions) \
             SELECT s.story_id, o.entity_id, o.name, o.kind, count(*), sum(o.mentions) \
             FROM story_articles s JOIN entity_occurrences o ON o.doc_id = s.doc_id GROUP BY 1, 2, 3, 4;",
        )
        .map_err(db)?;
    }
    if found < EVENTS_SINCE {
        let mut after: Option<String> = None;
        loop {
            let chunk = chunk_after(&tx, after.as_deref(), 256, ctx)?;
            for doc in &chunk {
                if found < ENTITIES_SINCE {
                    write_entities(&tx, doc).map_err(db)?;
                }
                if found < QUOTES_SINCE {
                    write_quotes(&tx, doc).map_err(db)?;
                }
                if found < EVENTS_SINCE {
                    write_events(&tx, doc).map_err(db)?;
                }
            }
            match chunk.last() {
                Some(d) if chunk.len() == 256 => after = Some(d.id.clone()),
                _ => break,
            }
        }
    }
    if found < STORIES_SINCE {
        // Fills the identity table too (the same replay).
        crate::stories::fill(&tx, ctx)?;
    } else if found < IDENTITY_SINCE {
        crate::stories::fill_identities(&tx, ctx)?;
    }
    set_meta(&tx, "format_version", &FORMAT_VERSION.to_string()).map_err(db)?;
    tx.commit().map_err(db)
}

pub fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn set_meta(tx: &Transaction, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

pub fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(get_meta(conn, "last_seq")?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0)).map(|n| n as u64)
}

/// The identity key of a document's URL: `canonical_key(canonical_url or url)`.
pub fn url_key(doc: &Document) -> Option<String> {
    let u = doc.meta.canonical_url.as_deref().or(doc.meta.url.as_deref())?;
    let k = canonical_key(u);
    (!k.is_empty()).then_some(k)
}

/// A document written by a batch, to be indexed.
pub struct Changed {
    pub seq: u64,
    pub doc: Document,
}

/// Test hooks for fault injection.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Fail the batch (after writing to SQLite, before commit) when reaching this input index.
    pub fail_at_doc: Option<usize>,
    /// Commit SQLite but do not touch the search index (simulates a crash in between).
    pub skip_index_commit: bool,
}

/// Writes a batch in one transaction. Returns the report and the changed documents.
///
/// Each inserted document is assigned its near-duplicate group and story through `across`
/// (rebuilt from the database first when `None`). On error `across` is left `None`: its
/// state may hold documents the rolled-back transaction did not store.
pub fn put_batch(
    conn: &mut Connection,
    docs: Vec<Document>,
    ctx: Ctx,
    faults: &Faults,
    across: &mut Option<Across>,
) -> Result<(PutReport, Vec<Changed>)> {
    if across.is_none() {
        *across = Some(Across::rebuild(conn, ctx)?);
    }
    let res = put_batch_with(conn, docs, ctx, faults, across.as_mut().expect("built above"));
    if res.is_err() {
        *across = None;
    }
    res
}

fn put_batch_with(
    conn: &mut Connection,
    docs: Vec<Document>,
    ctx: Ctx,
    faults: &Faults,
    across: &mut Across,
) -> Result<(PutReport, Vec<Changed>)> {
    let db = |e| ctx.db(e);
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db)?;
    // Documents another handle stored since this state last saw the database.
    across.catch_up(&tx, ctx)?;
    let mut seq = last_seq(&tx).map_err(db)?;
    let mut report = PutReport::default();
    let mut changed = Vec::new();
    let now = Utc::now().timestamp_millis();
    for (i, mut doc) in docs.into_iter().enumerate() {
        if faults.fail_at_doc == Some(i) {
            return Err(ctx.err(ErrorKind::Injected("put_batch fail_at_doc")));
        }
        if doc.id.is_empty() {
            return Err(ctx.err(ErrorKind::InvalidInput(format!("document #{i} of the batch has an empty id"))));
        }
        if doc.meta.content_hash.is_empty() {
            doc.meta.content_hash = content_hash(doc.text());
        }
        let key = url_key(&doc);
        let hash = doc.meta.content_hash.clone();
        let by_hash = |tx: &Transaction| -> rusqlite::Result<Option<String>> {
            tx.query_row("SELECT id FROM documents WHERE content_hash = ?1", [&hash], |r| r.get(0)).optional()
        };
        if let Some(k) = &key {
            let existing: Option<(String, String)> = tx
                .query_row("SELECT id, content_hash FROM documents WHERE url_key = ?1", [k], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(db)?;
            if let Some((id, old_hash)) = existing {
                if old_hash == hash {
                    report.unchanged += 1;
                    report.ids.push(id);
                    continue;
                }
                if let Some(other) = by_hash(&tx).map_err(db)? {
                    // The new content is already stored under another URL: keep both rows as they are.
                    add_duplicate(&tx, &mut report, &doc, key.as_deref(), other, now).map_err(db)?;
                    continue;
                }
                seq += 1;
                doc.id = id.clone();
                update_row(&tx, &doc, seq, now).map_err(db)?;
                write_entities(&tx, &doc).map_err(db)?;
                write_quotes(&tx, &doc).map_err(db)?;
                write_events(&tx, &doc).map_err(db)?;
                report.updated += 1;
                report.ids.push(id);
                changed.push(Changed { seq, doc });
                continue;
            }
        }
        if let Some(other) = by_hash(&tx).map_err(db)? {
            if other == doc.id {
                // Stored before under the same id (a document without URL): nothing new.
                report.unchanged += 1;
                report.ids.push(other);
            } else {
                add_duplicate(&tx, &mut report, &doc, key.as_deref(), other, now).map_err(db)?;
            }
            continue;
        }
        let taken: bool = tx
            .query_row("SELECT count(*) FROM documents WHERE id = ?1", [&doc.id], |r| r.get::<_, i64>(0))
            .map_err(db)?
            > 0;
        if taken {
            return Err(ctx.err(ErrorKind::InvalidInput(format!(
                "document id {:?} is already used by a document with another URL and content",
                doc.id
            ))));
        }
        seq += 1;
        insert_row(&tx, &doc, key.as_deref(), seq, now).map_err(db)?;
        write_entities(&tx, &doc).map_err(db)?;
        write_quotes(&tx, &doc).map_err(db)?;
        write_events(&tx, &doc).map_err(db)?;
        across.add(&tx, &doc).map_err(db)?;
        report.inserted += 1;
        report.ids.push(doc.id.clone());
        changed.push(Changed { seq, doc });
    }
    across.snapshot_if_due(&tx).map_err(db)?;
    set_meta(&tx, "last_seq", &seq.to_string()).map_err(db)?;
    tx.commit().map_err(db)?;
    Ok((report, changed))
}

fn add_duplicate(
    tx: &Transaction,
    report: &mut PutReport,
    doc: &Document,
    key: Option<&str>,
    into: String,
    now: i64,
) -> rusqlite::Result<()> {
    let url = doc.meta.canonical_url.clone().or_else(|| doc.meta.url.clone());
    if let (Some(k), Some(u)) = (key, &url) {
        tx.execute(
            "INSERT INTO aliases(url_key, url, doc_id, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(url_key) DO NOTHING",
            params![k, u, into, now],
        )?;
    }
    report.ids.push(into.clone());
    report.duplicates.push(Duplicate { input_id: doc.id.clone(), url, into });
    Ok(())
}

fn published(doc: &Document) -> (Option<i64>, Option<String>) {
    match &doc.meta.published {
        Some(p) => (Some(p.time.timestamp()), Some(p.time.to_rfc3339())),
        None => (None, None),
    }
}

fn insert_row(tx: &Transaction, doc: &Document, key: Option<&str>, seq: u64, now: i64) -> rusqlite::Result<()> {
    let (pub_ts, pub_raw) = published(doc);
    let m = &doc.meta;
    tx.execute(
        "INSERT INTO documents(id, url_key, content_hash, url, title, source, language, published, published_raw, \
         ingested_at, updated_at, seq, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)",
        params![
            doc.id,
            key,
            m.content_hash,
            m.canonical_url.as_ref().or(m.url.as_ref()),
            m.title,
            m.source,
            m.language,
            pub_ts,
            pub_raw,
            now,
            seq as i64,
            doc.to_json()
        ],
    )?;
    Ok(())
}

fn update_row(tx: &Transaction, doc: &Document, seq: u64, now: i64) -> rusqlite::Result<()> {
    let (pub_ts, pub_raw) = published(doc);
    let m = &doc.meta;
    tx.execute(
        "UPDATE documents SET content_hash = ?2, url = ?3, title = ?4, source = ?5, language = ?6, published = ?7, \
         published_raw = ?8, updated_at = ?9, seq = ?10, doc = ?11 WHERE id = ?1",
        params![
            doc.id,
            m.content_hash,
            m.canonical_url.as_ref().or(m.url.as_ref()),
            m.title,
            m.source,
            m.language,
            pub_ts,
            pub_raw,
            now,
            seq as i64,
            doc.to_json()
        ],
    )?;
    Ok(())
}

pub fn decode(id: &str, json: &str, ctx: Ctx) -> Result<Document> {
    Document::from_json(json).map_err(|source| ctx.err(ErrorKind::CorruptDocument { id: id.to_string(), source }))
}

pub fn get(conn: &Connection, id: &str, ctx: Ctx) -> Result<Option<Document>> {
    let json: Option<String> = conn
        .query_row("SELECT doc FROM documents WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .map_err(|e| ctx.db(e))?;
    json.map(|j| decode(id, &j, ctx)).transpose()
}

/// The id stored for a URL: by canonical key, else by alias.
pub fn resolve_url(conn: &Connection, url: &str, ctx: Ctx) -> Result<Option<String>> {
    let k = canonical_key(url);
    conn.query_row(
        "SELECT id FROM documents WHERE url_key = ?1 UNION ALL SELECT doc_id FROM aliases WHERE url_key = ?1 LIMIT 1",
        [&k],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| ctx.db(e))
}

/// Documents with `seq > after`, in seq order, at most `limit`.
pub fn changed_since(conn: &Connection, after: u64, limit: usize, ctx: Ctx) -> Result<Vec<Changed>> {
    let mut st = conn
        .prepare_cached("SELECT id, seq, doc FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        .map_err(|e| ctx.db(e))?;
    let rows = st
        .query_map(params![after as i64, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
        })
        .map_err(|e| ctx.db(e))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, seq, json) = row.map_err(|e| ctx.db(e))?;
        out.push(Changed { seq: seq as u64, doc: decode(&id, &json, ctx)? });
    }
    Ok(out)
}

/// Up to `limit` documents with id > `after`, in id order (for streaming export).
pub fn chunk_after(conn: &Connection, after: Option<&str>, limit: usize, ctx: Ctx) -> Result<Vec<Document>> {
    let mut st = conn
        .prepare_cached("SELECT id, doc FROM documents WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2")
        .map_err(|e| ctx.db(e))?;
    let rows = st
        .query_map(params![after, limit as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| ctx.db(e))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, json) = row.map_err(|e| ctx.db(e))?;
        out.push(decode(&id, &json, ctx)?);
    }
    Ok(out)
}

/// A stored RFC 3339 time (`published_raw`), if any and well-formed.
pub fn decode_opt_time(raw: Option<String>) -> Option<DateTime<FixedOffset>> {
    raw.and_then(|p| DateTime::<FixedOffset>::parse_from_rfc3339(&p).ok())
}

fn ms_to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn list(conn: &Connection, q: &ListQuery, ctx: Ctx) -> Result<Page<DocSummary>> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(s) = &q.source {
        clauses.push("source = ?");
        args.push(s.clone().into());
    }
    if let Some(l) = &q.language {
        clauses.push("language = ?");
        args.push(l.clone().into());
    }
    if let Some(f) = q.published_from {
        clauses.push("published >= ?");
        args.push(f.timestamp().into());
    }
    if let Some(t) = q.published_to {
        clauses.push("published < ?");
        args.push(t.timestamp().into());
    }
    let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let db = |e| ctx.db(e);
    let total: i64 = conn
        .query_row(&format!("SELECT count(*) FROM documents{filter}"), params_from_iter(args.iter()), |r| r.get(0))
        .map_err(db)?;
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    // Undated last: SQLite sorts NULL last in descending order (the `documents_published` index serves it).
    let sql = format!(
        "SELECT id, url, title, source, language, published_raw, content_hash, ingested_at, updated_at, seq \
         FROM documents{filter} ORDER BY published DESC, id LIMIT {limit} OFFSET {offset}"
    );
    let mut st = conn.prepare(&sql).map_err(db)?;
    let rows = st
        .query_map(params_from_iter(args.iter()), |r| {
            let published: Option<String> = r.get(5)?;
            Ok(DocSummary {
                id: r.get(0)?,
                url: r.get(1)?,
                title: r.get(2)?,
                source: r.get(3)?,
                language: r.get(4)?,
                published: published.and_then(|p| DateTime::<FixedOffset>::parse_from_rfc3339(&p).ok()),
                content_hash: r.get(6)?,
                ingested_at: ms_to_utc(r.get(7)?),
                updated_at: ms_to_utc(r.get(8)?),
                seq: r.get::<_, i64>(9)? as u64,
            })
        })
        .map_err(db)?;
    let items = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?;
    Ok(Page { total: total as u64, offset: q.offset, limit, items })
}
