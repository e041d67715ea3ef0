//! Near-duplicate groups and stories (format version 5, schema in `db`): assigned to each
//! inserted article in the transaction that writes it, and the queries over them.
//!
//! The assignment is incremental ([`newsgraph_corpus::CorpusState`]: near-duplicates,
//! stories, identities). A writable handle rebuilds that state before its first write: it
//! restores the latest snapshot (`corpus_snapshot`, written in the transaction of a batch
//! once enough articles have been added since the last one) and replays the documents
//! stored after it in insertion order (`documents.rowid`), which gives the state the writes
//! left; a snapshot that cannot be read is ignored (every document is replayed).

use crate::db::{decode_opt_time, Kept};
use crate::error::{Ctx, Result};
use crate::types::{
    DuplicateGroup, DuplicateMember, Page, QuoteArticle, SearchHit, StoryDetail, StoryEntity, StoryHit, StoryPage,
    StoryQuery, StorySummary, TimelineItem, MAX_PAGE,
};
use chrono::{DateTime, TimeZone, Utc};
use newsgraph_corpus::identity::{Identities, Merges};
use newsgraph_corpus::{identity, Assignment, CorpusState, Duplicate, Observed};
use newsgraph_model::Document;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// Entities a story's detail lists at most.
pub const STORY_ENTITIES: usize = 20;

/// Timeline items a story's detail lists at most.
pub const STORY_TIMELINE: usize = 500;

/// Documents decoded per read while replaying.
const REPLAY_CHUNK: i64 = 256;

/// The incremental state behind the `duplicates`, `stories` and `entity_merges` tables.
#[derive(Default)]
pub struct Across {
    state: CorpusState,
    /// The state holds every document up to this `documents.rowid`.
    upto: i64,
    /// Documents added since the last snapshot.
    since_snapshot: u64,
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Across {
    /// The latest snapshot (when it can be read) and every document stored after it, in
    /// insertion order (no writes).
    pub fn rebuild(conn: &Connection, ctx: Ctx) -> Result<Across> {
        let mut a = Across::restore(conn).map_err(|e| ctx.db(e))?.unwrap_or_default();
        a.catch_up(conn, ctx)?;
        Ok(a)
    }

    /// The state of the snapshot, if there is one this build reads.
    fn restore(conn: &Connection) -> rusqlite::Result<Option<Across>> {
        let row: Option<(i64, Vec<u8>)> = conn
            .query_row("SELECT upto, data FROM corpus_snapshot WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(upto, data)| {
            CorpusState::restore(&data).ok().map(|state| Across { state, upto, since_snapshot: 0 })
        }))
    }

    /// Feeds the documents stored after those this state holds (by other handles, or all of
    /// them when it starts empty).
    pub fn catch_up(&mut self, conn: &Connection, ctx: Ctx) -> Result<()> {
        self.replay(conn, ctx, |_, _, _, _, _| Ok(()))
    }

    /// Feeds the documents stored after those this state holds, in insertion order, calling
    /// `each` after each one.
    pub fn replay(
        &mut self,
        conn: &Connection,
        ctx: Ctx,
        mut each: impl FnMut(&Across, &Document, Option<&Duplicate>, &Assignment, &Merges) -> Result<()>,
    ) -> Result<()> {
        for_each_doc(conn, ctx, self.upto, |rowid, doc| {
            let o = self.observe(rowid, doc);
            each(self, doc, o.duplicate.as_ref(), &o.assignment, &o.merges)
        })
    }

    /// How a state just rebuilt was made, given the time it took.
    pub fn prepared(&self, seconds: f64) -> crate::Prepared {
        let replayed = self.since_snapshot;
        crate::Prepared { seconds, restored: self.state.len() as u64 - replayed, replayed }
    }

    fn observe(&mut self, rowid: i64, doc: &Document) -> Observed {
        self.upto = rowid;
        self.since_snapshot += 1;
        self.state.observe(doc)
    }

    /// Assigns a newly inserted document its duplicate group and story, merges its entities
    /// across articles, and writes the rows (called in the transaction that inserts it).
    pub fn add(&mut self, tx: &Transaction, doc: &Document) -> rusqlite::Result<()> {
        let rowid = tx.query_row("SELECT rowid FROM documents WHERE id = ?1", [&doc.id], |r| r.get(0))?;
        let o = self.observe(rowid, doc);
        self.write(tx, doc, o.duplicate.as_ref(), &o.assignment)?;
        write_merges(tx, &o.merges)
    }

    /// Writes a snapshot of the state in `tx` when one is due
    /// ([`CorpusState::snapshot_due`]).
    pub fn snapshot_if_due(&mut self, tx: &Transaction) -> rusqlite::Result<()> {
        if self.state.snapshot_due(self.since_snapshot) {
            tx.execute(
                "INSERT INTO corpus_snapshot(id, upto, data) VALUES (1, ?1, ?2) \
                 ON CONFLICT(id) DO UPDATE SET upto = excluded.upto, data = excluded.data",
                params![self.upto, self.state.snapshot()],
            )?;
            self.since_snapshot = 0;
        }
        Ok(())
    }

    fn write(
        &self,
        tx: &Transaction,
        doc: &Document,
        dup: Option<&Duplicate>,
        asg: &Assignment,
    ) -> rusqlite::Result<()> {
        if let Some(d) = dup {
            // The groups it joined become one group under the (possibly new) canonical copy.
            for old in d.joined.iter().filter(|&o| *o != d.canonical) {
                tx.execute(
                    "INSERT INTO duplicates(doc_id, canonical, nearest, similarity) VALUES (?1, ?1, NULL, NULL) \
                     ON CONFLICT(doc_id) DO NOTHING",
                    [old],
                )?;
                tx.execute("UPDATE duplicates SET canonical = ?1 WHERE canonical = ?2", [&d.canonical, old])?;
            }
            // The canonical copy's own row (it may have had none, alone until now).
            tx.execute(
                "INSERT INTO duplicates(doc_id, canonical, nearest, similarity) VALUES (?1, ?1, NULL, NULL) \
                 ON CONFLICT(doc_id) DO NOTHING",
                [&d.canonical],
            )?;
            tx.execute(
                "INSERT INTO duplicates(doc_id, canonical, nearest, similarity) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(doc_id) DO UPDATE SET canonical = excluded.canonical, nearest = excluded.nearest, \
                 similarity = excluded.similarity",
                params![doc.id, d.canonical, d.nearest, d.similarity as f64],
            )?;
        }
        // Stories merged into the one the article joined: their rows move over (the cost is
        // the size of the smaller stories, never of the one kept).
        for &gone in &asg.merged {
            tx.execute(
                "UPDATE story_articles SET story_id = ?1 WHERE story_id = ?2",
                params![asg.joined as i64, gone as i64],
            )?;
            tx.execute("DELETE FROM stories WHERE id = ?1", [gone as i64])?;
        }
        // A split-off half (at most every doubling of a story, so linear overall).
        if let Some(off) = asg.split_off {
            let mut st = tx.prepare_cached("UPDATE story_articles SET story_id = ?1 WHERE doc_id = ?2")?;
            for a in self.state.stories.story_articles(off) {
                st.execute(params![off as i64, a])?;
            }
            self.write_story(tx, off)?;
            self.write_story(tx, asg.joined)?;
        }
        self.write_story(tx, asg.story)?;
        tx.execute(
            "INSERT INTO story_articles(doc_id, story_id) VALUES (?1, ?2) \
             ON CONFLICT(doc_id) DO UPDATE SET story_id = excluded.story_id",
            params![doc.id, asg.story as i64],
        )?;
        Ok(())
    }

    /// Writes a story's row (its head only: the cost does not grow with the story).
    fn write_story(&self, tx: &Transaction, id: u32) -> rusqlite::Result<()> {
        let Some(s) = self.state.stories.story_head(id) else { return Ok(()) };
        tx.execute(
            "INSERT INTO stories(id, label, entities, places, keywords, dates, first_published, last_published, \
             articles) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET \
             label = excluded.label, entities = excluded.entities, places = excluded.places, \
             keywords = excluded.keywords, dates = excluded.dates, first_published = excluded.first_published, \
             last_published = excluded.last_published, articles = excluded.articles",
            params![
                id as i64,
                s.label,
                json_list(&s.entities),
                json_list(&s.places),
                json_list(&s.keywords),
                json_list(&s.dates),
                s.first_published,
                s.last_published,
                s.size as i64
            ],
        )?;
        Ok(())
    }
}

/// Fills the (empty) `duplicates`, `stories` and `story_articles` tables from the stored
/// documents (migration to format version 5).
pub fn fill(tx: &Transaction, ctx: Ctx) -> Result<()> {
    let mut across = Across::default();
    across.replay(tx, ctx, |a, d, dup, asg, merges| {
        a.write(tx, d, dup, asg).and_then(|()| write_merges(tx, merges)).map_err(|e| ctx.db(e))
    })
}

/// Fills the (empty) `entity_merges` table from the stored documents (migration to format
/// version 6).
pub fn fill_identities(tx: &Transaction, ctx: Ctx) -> Result<()> {
    let mut ids = Identities::default();
    for_each_doc(tx, ctx, 0, |_, doc| {
        let ents = identity::entities_of(doc);
        write_merges(tx, &ids.add(&ents, &identity::context_of(&ents))).map_err(|e| ctx.db(e))
    })
}

/// Calls `each` on every stored document in insertion order (`documents.rowid`).
/// Feeds `each` every stored document after `after` (a `documents.rowid`), in insertion order.
fn for_each_doc(
    conn: &Connection,
    ctx: Ctx,
    mut after: i64,
    mut each: impl FnMut(i64, &Document) -> Result<()>,
) -> Result<()> {
    let db = |e| ctx.db(e);
    loop {
        let rows: Vec<(i64, String, String)> = {
            let mut st = conn
                .prepare_cached("SELECT rowid, id, doc FROM documents WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
                .map_err(db)?;
            let rows =
                st.query_map(params![after, REPLAY_CHUNK], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db)?;
            rows.collect::<rusqlite::Result<_>>().map_err(db)?
        };
        let n = rows.len() as i64;
        for (rowid, id, json) in rows {
            let doc = crate::db::decode(&id, &json, ctx)?;
            each(rowid, &doc)?;
            after = rowid;
        }
        if n < REPLAY_CHUNK {
            return Ok(());
        }
    }
}

/// Writes an article's identity merges: renamed identities first (every id that answered to
/// the old one answers to the new one), then newly mapped ids.
fn write_merges(tx: &Transaction, m: &Merges) -> rusqlite::Result<()> {
    let ev = |id: &str| m.evidence.iter().find(|e| e.0 == id).map(|e| (e.1 as f64, e.2 as f64));
    for (old, new) in &m.renamed {
        tx.execute("UPDATE entity_merges SET canonical = ?1 WHERE canonical = ?2", [new, old])?;
        let (s, c) = ev(old).unzip();
        tx.execute(
            "INSERT INTO entity_merges(entity_id, canonical, name_similarity, context) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(entity_id) DO UPDATE SET canonical = excluded.canonical",
            params![old, new, s, c],
        )?;
    }
    for (id, canonical) in &m.mapped {
        let (s, c) = ev(id).unzip();
        tx.execute(
            "INSERT INTO entity_merges(entity_id, canonical, name_similarity, context) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(entity_id) DO UPDATE SET canonical = excluded.canonical, \
             name_similarity = excluded.name_similarity, context = excluded.context",
            params![id, canonical, s, c],
        )?;
    }
    Ok(())
}

fn unix(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
}

fn list(json: String) -> Vec<String> {
    serde_json::from_str(&json).unwrap_or_default()
}

const STORY_COLUMNS: &str = "id, label, first_published, last_published, articles";

fn summary(r: &rusqlite::Row) -> rusqlite::Result<StorySummary> {
    Ok(StorySummary {
        id: r.get::<_, i64>(0)? as u64,
        label: r.get(1)?,
        first_published: unix(r.get(2)?),
        last_published: unix(r.get(3)?),
        articles: r.get::<_, i64>(4)? as u64,
    })
}

/// Stories, most articles first, then the latest, then by id.
pub fn stories(conn: &Connection, q: &StoryQuery, ctx: Ctx) -> Result<Page<StorySummary>> {
    let db = |e| ctx.db(e);
    let total: i64 = conn.query_row("SELECT count(*) FROM stories", [], |r| r.get(0)).map_err(db)?;
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    let mut st = conn
        .prepare(&format!(
            "SELECT {STORY_COLUMNS} FROM stories ORDER BY articles DESC, last_published IS NULL, \
             last_published DESC, id LIMIT {limit} OFFSET {offset}"
        ))
        .map_err(db)?;
    let items = st.query_map([], summary).map_err(db)?.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?;
    Ok(Page { total: total as u64, offset: q.offset, limit, items })
}

fn article(r: &rusqlite::Row, at: usize) -> rusqlite::Result<QuoteArticle> {
    Ok(QuoteArticle {
        id: r.get(at)?,
        title: r.get(at + 1)?,
        url: r.get(at + 2)?,
        source: r.get(at + 3)?,
        published: decode_opt_time(r.get(at + 4)?),
    })
}

/// One story: one page of its articles (oldest first), its entities (most articles, then
/// mentions) and one page of the timeline of its events (by the event's day) and quotes (by the
/// article's publication day), whose first [`STORY_TIMELINE`] items are paged, with the totals.
pub fn story(conn: &Connection, id: u64, page: &StoryPage, kept: Kept, ctx: Ctx) -> Result<Option<StoryDetail>> {
    let db = |e| ctx.db(e);
    let Some(id) = i64::try_from(id).ok() else { return Ok(None) };
    let row = conn
        .query_row(
            &format!("SELECT {STORY_COLUMNS}, entities, places, keywords, dates FROM stories WHERE id = ?1"),
            [id],
            |r| Ok((summary(r)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get(8)?)),
        )
        .optional()
        .map_err(db)?;
    let Some((summary, _, places, keywords, dates)) = row else { return Ok(None) };
    let sql_int = |n: u64| n.min(i64::MAX as u64) as i64;
    let count = |sql: &str| {
        conn.prepare_cached(sql)
            .and_then(|mut st| st.query_row([id], |r| r.get::<_, i64>(0)))
            .map(|n| n as u64)
            .map_err(db)
    };
    let articles_total = count("SELECT count(*) FROM story_articles WHERE story_id = ?1")?;
    // The page's ids are sorted from an index holding each article's publication time (from
    // format 12), and only their rows read.
    let by_time = by_publication(kept);
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw FROM documents d WHERE d.id IN \
             (SELECT d.id FROM story_articles s JOIN documents d {by_time} ON d.id = s.doc_id WHERE s.story_id = ?1 \
             {ARTICLE_ORDER} LIMIT ?2 OFFSET ?3) {ARTICLE_ORDER}"
        ))
        .map_err(db)?;
    let articles = st
        .query_map(params![id, sql_int(page.articles_limit), sql_int(page.articles_offset)], |r| article(r, 0))
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    // Kept per story from format 12; before, summed from every occurrence of its articles.
    let mut st = conn
        .prepare_cached(if kept.story_entities {
            "SELECT entity_id, max(name), max(kind), sum(articles) AS n, sum(mentions) AS m FROM story_entities \
             WHERE story_id = ?1 GROUP BY entity_id ORDER BY n DESC, m DESC, entity_id LIMIT ?2"
        } else {
            "SELECT o.entity_id, max(o.name), max(o.kind), count(*) AS n, sum(o.mentions) AS m \
             FROM entity_occurrences o JOIN story_articles s ON s.doc_id = o.doc_id WHERE s.story_id = ?1 \
             GROUP BY o.entity_id ORDER BY n DESC, m DESC, o.entity_id LIMIT ?2"
        })
        .map_err(db)?;
    let entities = st
        .query_map(params![id, STORY_ENTITIES as i64], |r| {
            Ok(StoryEntity {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                articles: r.get::<_, i64>(3)? as u64,
                mentions: r.get::<_, i64>(4)? as u64,
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    // The timeline holds at most STORY_TIMELINE items: each kind is counted that far only.
    let events = count(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM events e JOIN story_articles s ON s.doc_id = e.doc_id \
         WHERE s.story_id = ?1 LIMIT {STORY_TIMELINE})"
    ))?;
    let quotes = count(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM quotes q JOIN story_articles s ON s.doc_id = q.doc_id \
         WHERE s.story_id = ?1 LIMIT {STORY_TIMELINE})"
    ))?;
    let timeline_total = (events + quotes).min(STORY_TIMELINE as u64);
    // The page's items are among the first `offset + limit` of each kind: read those, merge.
    let (skip, end) = page.timeline_window(timeline_total);
    let timeline = if end > skip {
        let mut items = timeline_items(
            conn,
            "JOIN story_articles s ON s.doc_id = e.doc_id WHERE s.story_id = ?1",
            "JOIN story_articles s ON s.doc_id = q.doc_id WHERE s.story_id = ?1",
            None,
            &[&id],
            end,
            ctx,
        )?;
        items.truncate(end);
        items.drain(..skip.min(items.len()));
        items
    } else {
        Vec::new()
    };
    Ok(Some(StoryDetail {
        summary,
        places: list(places),
        keywords: list(keywords),
        dates: list(dates),
        entities,
        articles,
        articles_total,
        articles_offset: page.articles_offset,
        timeline,
        timeline_total,
        timeline_offset: page.timeline_offset,
    }))
}

/// Timeline order of events and of quotes (undated last). Each kind's first `cap` ids are
/// sorted first, from narrow rows; only those rows are then read in full with their article.
const EVENT_ORDER: &str = "ORDER BY e.day IS NULL, e.day, e.published IS NULL, e.published, e.doc_id, e.ordinal";
const QUOTE_ORDER: &str = "ORDER BY q.published IS NULL, q.published, q.doc_id, q.ordinal";
/// Articles, oldest first (undated last).
const ARTICLE_ORDER: &str = "ORDER BY d.published IS NULL, d.published, d.id";

/// The hint that sorts `documents d` by publication from the index holding it with the ids
/// (format 12), without reading the rows; none before.
fn by_publication(kept: Kept) -> &'static str {
    if kept.story_entities {
        "INDEXED BY documents_id_published"
    } else {
        ""
    }
}

/// Timeline items: events (`events e` joined by `event_sql`), quotes (`quotes q` joined by
/// `quote_sql`) and, with `article_sql`, articles (`documents d` followed by it: an index to
/// use, a join, a condition), at most `cap` of each kind, ordered by the date of what
/// happened (an event's day; a quote's or an article's publication day), undated last, then
/// publication, article, position.
pub fn timeline_items(
    conn: &Connection,
    event_sql: &str,
    quote_sql: &str,
    article_sql: Option<&str>,
    args: &[&dyn rusqlite::ToSql],
    cap: usize,
    ctx: Ctx,
) -> Result<Vec<TimelineItem>> {
    let db = |e| ctx.db(e);
    let cap = cap as i64;
    let mut timeline: Vec<TimelineItem> = Vec::new();
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {}, d.id, d.title, d.url, d.source, d.published_raw, e.published FROM events e \
             JOIN documents d ON d.id = e.doc_id WHERE e.id IN (SELECT e.id FROM events e {event_sql} {EVENT_ORDER} \
             LIMIT {cap}) {EVENT_ORDER}",
            crate::events::COLUMNS
        ))
        .map_err(db)?;
    let events = st
        .query_map(args, |r| {
            let event = crate::events::stored(r)?;
            Ok(TimelineItem {
                date: event.day.clone(),
                published: r.get(30)?,
                article: article(r, 25)?,
                event: Some(event),
                quote: None,
            })
        })
        .map_err(db)?;
    for e in events {
        timeline.push(e.map_err(db)?);
    }
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {}, d.id, d.title, d.url, d.source, d.published_raw, q.published FROM quotes q \
             JOIN documents d ON d.id = q.doc_id WHERE q.id IN (SELECT q.id FROM quotes q {quote_sql} {QUOTE_ORDER} \
             LIMIT {cap}) {QUOTE_ORDER}",
            crate::quotes::COLUMNS
        ))
        .map_err(db)?;
    let quotes = st
        .query_map(args, |r| {
            let published: Option<i64> = r.get(19)?;
            Ok(TimelineItem {
                date: unix(published).map(|t| t.format("%Y-%m-%d").to_string()),
                published,
                article: article(r, 14)?,
                event: None,
                quote: Some(crate::quotes::stored(r)?),
            })
        })
        .map_err(db)?;
    for q in quotes {
        timeline.push(q.map_err(db)?);
    }
    if let Some(sql) = article_sql {
        // The first `cap` ids sorted first (`sql` may name an index holding publication
        // times), then only their rows read.
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT d.id, d.title, d.url, d.source, d.published_raw, d.published FROM documents d WHERE d.id IN \
                 (SELECT d.id FROM documents d {sql} {ARTICLE_ORDER} LIMIT {cap}) {ARTICLE_ORDER}"
            ))
            .map_err(db)?;
        let arts = st
            .query_map(args, |r| {
                let published: Option<i64> = r.get(5)?;
                Ok(TimelineItem {
                    date: unix(published).map(|t| t.format("%Y-%m-%d").to_string()),
                    published,
                    article: article(r, 0)?,
                    event: None,
                    quote: None,
                })
            })
            .map_err(db)?;
        for a in arts {
            timeline.push(a.map_err(db)?);
        }
    }
    sort_timeline(&mut timeline);
    Ok(timeline)
}

/// Orders timeline items by the date of what happened (undated last), then publication,
/// article, position (an article before its events, events before quotes).
pub fn sort_timeline(timeline: &mut [TimelineItem]) {
    let ord = |t: &TimelineItem| {
        let at = t.event.as_ref().map(|e| e.ordinal).or(t.quote.as_ref().map(|q| q.ordinal));
        (t.event.is_some() || t.quote.is_some(), t.quote.is_some(), at)
    };
    timeline.sort_by(|a, b| {
        (a.date.is_none(), &a.date, a.published.is_none(), a.published, &a.article.id, ord(a)).cmp(&(
            b.date.is_none(),
            &b.date,
            b.published.is_none(),
            b.published,
            &b.article.id,
            ord(b),
        ))
    });
}

/// Most items of each kind (events, quotes, articles) an entity's timeline is made from.
pub const ENTITY_TIMELINE: usize = 2000;

/// An entity's timeline (any of its ids; a merged id answers with its identity): its events
/// as source or target, its quotes and the articles that mention it, by the date of what
/// happened, one page of it (`None` when no article mentions it).
pub fn entity_timeline(
    conn: &Connection,
    id: &str,
    offset: u64,
    limit: u64,
    merges: bool,
    kept: Kept,
    ctx: Ctx,
) -> Result<Option<Page<TimelineItem>>> {
    let id = crate::entities::canonical(conn, id, merges, ctx)?;
    let ids = crate::entities::members(conn, &id, merges, ctx)?;
    let marks = vec!["?"; ids.len()].join(", ");
    let mentioned: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM entity_occurrences WHERE entity_id IN ({marks})"),
            rusqlite::params_from_iter(ids.iter()),
            |r| r.get(0),
        )
        .map_err(|e| ctx.db(e))?;
    if mentioned == 0 {
        return Ok(None);
    }
    let args: Vec<&dyn rusqlite::ToSql> = ids.iter().map(|s| s as &dyn rusqlite::ToSql).collect();
    let n = ids.len();
    // The same ids are bound once and named by number in each clause.
    let nums = |from: usize| (from..from + n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let events = format!("WHERE e.source_id IN ({}) OR e.target_id IN ({})", nums(1), nums(1));
    let quotes = format!("WHERE q.speaker_id IN ({})", nums(1));
    // Articles sorted by publication from an index holding it (from format 12).
    let by_time = by_publication(kept);
    let articles =
        format!("{by_time} WHERE d.id IN (SELECT doc_id FROM entity_occurrences WHERE entity_id IN ({}))", nums(1));
    // The timeline is the first ENTITY_TIMELINE of each kind, merged: counted that far, and
    // only the first `offset + limit` of each kind read, which hold the page's items.
    let mut total = 0;
    for (table, sql) in [("events e", &events), ("quotes q", &quotes), ("documents d", &articles)] {
        let capped = format!("SELECT count(*) FROM (SELECT 1 FROM {table} {sql} LIMIT {ENTITY_TIMELINE})");
        total += conn.query_row(&capped, args.as_slice(), |r| r.get::<_, i64>(0)).map_err(|e| ctx.db(e))? as u64;
    }
    let limit = limit.min(MAX_PAGE);
    let reach = offset.saturating_add(limit).min(ENTITY_TIMELINE as u64) as usize;
    let items = timeline_items(conn, &events, &quotes, Some(&articles), &args, reach, ctx)?;
    let items = items.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).collect();
    Ok(Some(Page { total, offset, limit, items }))
}

/// Most ranked hits grouped into stories by a story search.
pub const STORY_SEARCH_HITS: usize = 1000;

/// Groups ranked hits by the story of their article (stories in the order of their best hit;
/// articles in no story are left out) and returns one page of the groups.
pub fn group_hits(
    conn: &Connection,
    hits: Vec<SearchHit>,
    offset: u64,
    limit: u64,
    ctx: Ctx,
) -> Result<Page<StoryHit>> {
    let db = |e| ctx.db(e);
    let mut groups: Vec<(u64, u64, SearchHit)> = Vec::new();
    let mut at: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for h in hits {
        let Some(s) = story_of(conn, &h.id, ctx)? else { continue };
        match at.get(&s) {
            Some(&i) => groups[i].1 += 1,
            None => {
                at.insert(s, groups.len());
                groups.push((s, 1, h));
            }
        }
    }
    let limit = limit.min(MAX_PAGE);
    let total = groups.len() as u64;
    let mut items = Vec::new();
    let mut st = conn.prepare_cached(&format!("SELECT {STORY_COLUMNS} FROM stories WHERE id = ?1")).map_err(db)?;
    for (s, n, best) in groups.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize) {
        if let Some(story) = st.query_row([s as i64], summary).optional().map_err(db)? {
            items.push(StoryHit { story, matching: n, best });
        }
    }
    Ok(Page { total, offset, limit, items })
}

/// The story an article is in, if any.
pub fn story_of(conn: &Connection, doc_id: &str, ctx: Ctx) -> Result<Option<u64>> {
    conn.query_row("SELECT story_id FROM story_articles WHERE doc_id = ?1", [doc_id], |r| r.get::<_, i64>(0))
        .optional()
        .map(|o| o.map(|s| s as u64))
        .map_err(|e| ctx.db(e))
}

/// An article's near-duplicate group (`None` when no article has that id). An article with
/// no near-duplicate is a group of one, its own canonical copy.
pub fn duplicates(conn: &Connection, doc_id: &str, ctx: Ctx) -> Result<Option<DuplicateGroup>> {
    let db = |e| ctx.db(e);
    let exists: bool =
        conn.query_row("SELECT count(*) FROM documents WHERE id = ?1", [doc_id], |r| r.get::<_, i64>(0)).map_err(db)?
            > 0;
    if !exists {
        return Ok(None);
    }
    let canonical: String = conn
        .query_row("SELECT canonical FROM duplicates WHERE doc_id = ?1", [doc_id], |r| r.get(0))
        .optional()
        .map_err(db)?
        .unwrap_or_else(|| doc_id.to_string());
    let mut st = conn
        .prepare_cached(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw, x.nearest, x.similarity FROM documents d \
             LEFT JOIN duplicates x ON x.doc_id = d.id \
             WHERE d.id = ?1 OR d.id IN (SELECT doc_id FROM duplicates WHERE canonical = ?1) \
             ORDER BY d.published IS NULL, d.published, d.rowid",
        )
        .map_err(db)?;
    let members = st
        .query_map([&canonical], |r| {
            let article = article(r, 0)?;
            Ok(DuplicateMember {
                canonical: article.id == canonical,
                nearest: r.get(5)?,
                similarity: r.get::<_, Option<f64>>(6)?.map(|x| x as f32),
                article,
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    Ok(Some(DuplicateGroup { article: doc_id.to_string(), canonical, members }))
}
