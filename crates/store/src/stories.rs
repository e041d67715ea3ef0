//! Near-duplicate groups and stories (format version 5, schema in `db`): assigned to each
//! inserted article in the transaction that writes it, and the queries over them.
//!
//! The assignment is incremental ([`newsgraph_corpus::NearDuplicates`] and
//! [`newsgraph_corpus::StoryClusterer`]); their in-memory state ([`Across`]) is not stored:
//! a writable handle rebuilds it before its first write by replaying the stored documents in
//! insertion order (`documents.rowid`), which gives the same state the writes left.

use crate::db::decode_opt_time;
use crate::error::{Ctx, Result};
use crate::types::{
    DuplicateGroup, DuplicateMember, Page, QuoteArticle, StoryDetail, StoryEntity, StoryQuery, StorySummary,
    TimelineItem, MAX_PAGE,
};
use chrono::{DateTime, TimeZone, Utc};
use newsgraph_corpus::{features_from_document, Assignment, Duplicate, NearDuplicates, StoryClusterer};
use newsgraph_model::Document;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// Entities a story's detail lists at most.
pub const STORY_ENTITIES: usize = 20;

/// Timeline items a story's detail lists at most.
pub const STORY_TIMELINE: usize = 500;

/// Documents decoded per read while replaying.
const REPLAY_CHUNK: i64 = 256;

/// The incremental state behind the `duplicates` and `stories` tables.
#[derive(Default)]
pub struct Across {
    dups: NearDuplicates,
    stories: StoryClusterer,
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Across {
    /// Replays every stored document in insertion order (no writes).
    pub fn rebuild(conn: &Connection, ctx: Ctx) -> Result<Across> {
        let mut a = Across::default();
        a.replay(conn, ctx, |_, _, _, _| Ok(()))?;
        Ok(a)
    }

    /// Feeds every stored document in insertion order, calling `each` after each one.
    pub fn replay(
        &mut self,
        conn: &Connection,
        ctx: Ctx,
        mut each: impl FnMut(&Across, &Document, Option<&Duplicate>, &Assignment) -> Result<()>,
    ) -> Result<()> {
        let db = |e| ctx.db(e);
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String, String)> = {
                let mut st = conn
                    .prepare_cached("SELECT rowid, id, doc FROM documents WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
                    .map_err(db)?;
                let rows = st
                    .query_map(params![after, REPLAY_CHUNK], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            };
            let n = rows.len() as i64;
            for (rowid, id, json) in rows {
                let doc = crate::db::decode(&id, &json, ctx)?;
                let (dup, asg) = self.observe(&doc);
                each(self, &doc, dup.as_ref(), &asg)?;
                after = rowid;
            }
            if n < REPLAY_CHUNK {
                return Ok(());
            }
        }
    }

    fn observe(&mut self, doc: &Document) -> (Option<Duplicate>, Assignment) {
        let published = doc.meta.published.as_ref().map(|p| p.time.timestamp());
        let dup = self.dups.add(doc.id.clone(), published, doc.text());
        let asg = self.stories.add(&features_from_document(doc));
        (dup, asg)
    }

    /// Assigns a newly inserted document its duplicate group and story and writes the rows
    /// (called in the transaction that inserts it).
    pub fn add(&mut self, tx: &Transaction, doc: &Document) -> rusqlite::Result<()> {
        let (dup, asg) = self.observe(doc);
        self.write(tx, doc, dup.as_ref(), &asg)
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
        let mut touched = vec![asg.story];
        touched.extend(asg.merged.iter().copied());
        touched.extend(asg.split_off);
        if asg.merged.is_empty() && asg.split_off.is_none() {
            // Only this story changed, by one article.
            self.write_story(tx, asg.story, false)?;
            tx.execute(
                "INSERT INTO story_articles(doc_id, story_id) VALUES (?1, ?2) \
                 ON CONFLICT(doc_id) DO UPDATE SET story_id = excluded.story_id",
                params![doc.id, asg.story as i64],
            )?;
        } else {
            // Stories that lost articles to these (a split may leave this article in the new
            // half, so the story it was split from is not in the assignment).
            let mut lost = Vec::new();
            {
                let mut st = tx.prepare_cached("SELECT story_id FROM story_articles WHERE doc_id = ?1")?;
                for &s in &touched {
                    for a in self.stories.story(s).map(|x| x.articles).unwrap_or_default() {
                        if let Some(old) = st.query_row([&a], |r| r.get::<_, i64>(0)).optional()? {
                            lost.push(old as u32);
                        }
                    }
                }
            }
            for s in lost {
                if !touched.contains(&s) {
                    touched.push(s);
                }
            }
            for &s in &touched {
                tx.execute("DELETE FROM stories WHERE id = ?1", [s as i64])?;
                tx.execute("DELETE FROM story_articles WHERE story_id = ?1", [s as i64])?;
            }
            for &s in &touched {
                self.write_story(tx, s, true)?;
            }
        }
        Ok(())
    }

    /// Writes a story's row (and with `members`, its article rows).
    fn write_story(&self, tx: &Transaction, id: u32, members: bool) -> rusqlite::Result<()> {
        let Some(s) = self.stories.story(id) else { return Ok(()) };
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
                s.articles.len() as i64
            ],
        )?;
        if members {
            let mut st = tx.prepare_cached(
                "INSERT INTO story_articles(doc_id, story_id) VALUES (?1, ?2) \
                 ON CONFLICT(doc_id) DO UPDATE SET story_id = excluded.story_id",
            )?;
            for a in &s.articles {
                st.execute(params![a, id as i64])?;
            }
        }
        Ok(())
    }
}

/// Fills the (empty) `duplicates`, `stories` and `story_articles` tables from the stored
/// documents (migration to format version 5).
pub fn fill(tx: &Transaction, ctx: Ctx) -> Result<()> {
    let mut across = Across::default();
    across.replay(tx, ctx, |a, d, dup, asg| a.write(tx, d, dup, asg).map_err(|e| ctx.db(e)))
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

/// One story: its articles (oldest first), its entities (most articles, then mentions) and
/// the timeline of its events (by the event's day) and quotes (by the article's publication
/// day), at most [`STORY_TIMELINE`] items.
pub fn story(conn: &Connection, id: u64, ctx: Ctx) -> Result<Option<StoryDetail>> {
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
    let mut st = conn
        .prepare_cached(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw FROM story_articles s \
             JOIN documents d ON d.id = s.doc_id WHERE s.story_id = ?1 \
             ORDER BY d.published IS NULL, d.published, d.id",
        )
        .map_err(db)?;
    let articles =
        st.query_map([id], |r| article(r, 0)).map_err(db)?.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?;
    let mut st = conn
        .prepare_cached(
            "SELECT o.entity_id, max(o.name), max(o.kind), count(*) AS n, sum(o.mentions) AS m \
             FROM entity_occurrences o JOIN story_articles s ON s.doc_id = o.doc_id WHERE s.story_id = ?1 \
             GROUP BY o.entity_id ORDER BY n DESC, m DESC, o.entity_id LIMIT ?2",
        )
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
    let mut timeline: Vec<TimelineItem> = Vec::new();
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {}, d.id, d.title, d.url, d.source, d.published_raw, e.published FROM events e \
             JOIN story_articles s ON s.doc_id = e.doc_id JOIN documents d ON d.id = e.doc_id \
             WHERE s.story_id = ?1 ORDER BY e.day IS NULL, e.day, e.published, e.doc_id, e.ordinal LIMIT ?2",
            crate::events::COLUMNS
        ))
        .map_err(db)?;
    let events = st
        .query_map(params![id, STORY_TIMELINE as i64], |r| {
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
             JOIN story_articles s ON s.doc_id = q.doc_id JOIN documents d ON d.id = q.doc_id \
             WHERE s.story_id = ?1 ORDER BY q.published IS NULL, q.published, q.doc_id, q.ordinal LIMIT ?2",
            crate::quotes::COLUMNS
        ))
        .map_err(db)?;
    let quotes = st
        .query_map(params![id, STORY_TIMELINE as i64], |r| {
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
    // By the date of what happened (undated last), then publication, article, position.
    let ord = |t: &TimelineItem| t.event.as_ref().map(|e| e.ordinal).or(t.quote.as_ref().map(|q| q.ordinal));
    timeline.sort_by(|a, b| {
        (a.date.is_none(), &a.date, a.published.is_none(), a.published, &a.article.id, a.quote.is_some(), ord(a)).cmp(
            &(b.date.is_none(), &b.date, b.published.is_none(), b.published, &b.article.id, b.quote.is_some(), ord(b)),
        )
    });
    timeline.truncate(STORY_TIMELINE);
    Ok(Some(StoryDetail {
        summary,
        places: list(places),
        keywords: list(keywords),
        dates: list(dates),
        entities,
        articles,
        timeline,
    }))
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
