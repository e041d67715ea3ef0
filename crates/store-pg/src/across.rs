//! Near-duplicate groups and stories: the same incremental state as the embedded store
//! (`crates/store/src/stories.rs`), written to `duplicates`, `stories` and `story_articles`
//! in the transaction that assigns each article (its insert, or the corpus leader's), and
//! rebuilt before a handle's first assignment from the latest snapshot (`corpus_snapshot`)
//! and the documents assigned after it, replayed in assignment order (`corpus_log.seq`).

use crate::{Ctx, Result};
use newsgraph_corpus::identity::Merges;
use newsgraph_corpus::{Assignment, CorpusState, Duplicate};
use newsgraph_model::Document;
use postgres::{GenericClient, Transaction};

/// Documents decoded per read while replaying.
const REPLAY_CHUNK: i64 = 256;

#[derive(Default)]
pub struct Across {
    /// The highest `corpus_log.seq` observed.
    seen: i64,
    state: CorpusState,
    /// Documents fed since the last snapshot (restored or written).
    since_snapshot: u64,
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Across {
    /// The latest snapshot (when this build reads it) and every document assigned after it,
    /// in assignment order (no writes).
    pub fn rebuild(client: &mut impl GenericClient, ctx: Ctx) -> Result<Across> {
        let row =
            client.query_opt("SELECT upto, data FROM corpus_snapshot WHERE id = 1", &[]).map_err(|e| ctx.db(e))?;
        let mut a = row
            .and_then(|r| {
                let state = CorpusState::restore(r.get(1)).ok()?;
                Some(Across { seen: r.get(0), state, since_snapshot: 0 })
            })
            .unwrap_or_default();
        a.catch_up(client, ctx)?;
        Ok(a)
    }

    /// How a state just rebuilt was made, given the time it took.
    pub fn prepared(&self, seconds: f64) -> newsgraph_store::Prepared {
        let replayed = self.since_snapshot;
        newsgraph_store::Prepared { seconds, restored: self.state.len() as u64 - replayed, replayed }
    }

    /// Replays the documents assigned since this state last saw the database (by other
    /// processes), in assignment order. Called under the corpus lock, so that order is the
    /// order in which every process assigned groups, stories and identities.
    pub fn catch_up(&mut self, client: &mut impl GenericClient, ctx: Ctx) -> Result<()> {
        let db = |e| ctx.db(e);
        loop {
            let rows = client
                .query(
                    "SELECT c.seq, d.id, d.doc FROM corpus_log c JOIN documents d ON d.id = c.doc_id \
                     WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
                    &[&self.seen, &REPLAY_CHUNK],
                )
                .map_err(db)?;
            let n = rows.len() as i64;
            for r in rows {
                let id: String = r.get(1);
                let json: String = r.get(2);
                let doc = crate::read::decode(&id, &json, ctx)?;
                let _ = self.observe(&doc);
                self.seen = r.get(0);
            }
            if n < REPLAY_CHUNK {
                return Ok(());
            }
        }
    }

    fn observe(&mut self, doc: &Document) -> newsgraph_corpus::Observed {
        self.since_snapshot += 1;
        self.state.observe(doc)
    }

    /// Assigns a stored document its duplicate group, story and identities, writes the rows
    /// and logs the assignment (the caller drops this state if the transaction fails).
    pub fn add(&mut self, tx: &mut Transaction, doc: &Document) -> std::result::Result<(), postgres::Error> {
        let o = self.observe(doc);
        self.write(tx, doc, o.duplicate.as_ref(), &o.assignment)?;
        write_merges(tx, &o.merges)?;
        self.seen = tx.query_one("INSERT INTO corpus_log(doc_id) VALUES ($1) RETURNING seq", &[&doc.id])?.get(0);
        Ok(())
    }

    /// Writes a snapshot of the state in `tx` when one is due
    /// ([`CorpusState::snapshot_due`]).
    pub fn snapshot_if_due(&mut self, tx: &mut Transaction) -> std::result::Result<(), postgres::Error> {
        if self.state.snapshot_due(self.since_snapshot) {
            tx.execute(
                "INSERT INTO corpus_snapshot(id, upto, data) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE \
                 SET upto = excluded.upto, data = excluded.data, written = now()",
                &[&self.seen, &self.state.snapshot()],
            )?;
            self.since_snapshot = 0;
        }
        Ok(())
    }

    fn write(
        &self,
        tx: &mut Transaction,
        doc: &Document,
        dup: Option<&Duplicate>,
        asg: &Assignment,
    ) -> std::result::Result<(), postgres::Error> {
        const SELF_ROW: &str = "INSERT INTO duplicates(doc_id, canonical, nearest, similarity) \
                                VALUES ($1, $1, NULL, NULL) ON CONFLICT (doc_id) DO NOTHING";
        if let Some(d) = dup {
            for old in d.joined.iter().filter(|&o| *o != d.canonical) {
                tx.execute(SELF_ROW, &[old])?;
                tx.execute("UPDATE duplicates SET canonical = $1 WHERE canonical = $2", &[&d.canonical, old])?;
            }
            tx.execute(SELF_ROW, &[&d.canonical])?;
            tx.execute(
                "INSERT INTO duplicates(doc_id, canonical, nearest, similarity) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (doc_id) DO UPDATE SET canonical = excluded.canonical, nearest = excluded.nearest, \
                 similarity = excluded.similarity",
                &[&doc.id, &d.canonical, &d.nearest, &(d.similarity as f64)],
            )?;
        }
        let mut touched = vec![asg.story];
        touched.extend(asg.merged.iter().copied());
        touched.extend(asg.split_off);
        if asg.merged.is_empty() && asg.split_off.is_none() {
            self.write_story(tx, asg.story, false)?;
            tx.execute(
                "INSERT INTO story_articles(doc_id, story_id) VALUES ($1, $2) \
                 ON CONFLICT (doc_id) DO UPDATE SET story_id = excluded.story_id",
                &[&doc.id, &(asg.story as i64)],
            )?;
        } else {
            let mut lost = Vec::new();
            {
                let st = tx.prepare("SELECT story_id FROM story_articles WHERE doc_id = $1")?;
                for &s in &touched {
                    for a in self.state.stories.story(s).map(|x| x.articles).unwrap_or_default() {
                        if let Some(row) = tx.query_opt(&st, &[&a])? {
                            lost.push(row.get::<_, i64>(0) as u32);
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
                tx.execute("DELETE FROM stories WHERE id = $1", &[&(s as i64)])?;
                tx.execute("DELETE FROM story_articles WHERE story_id = $1", &[&(s as i64)])?;
            }
            for &s in &touched {
                self.write_story(tx, s, true)?;
            }
        }
        Ok(())
    }

    fn write_story(&self, tx: &mut Transaction, id: u32, members: bool) -> std::result::Result<(), postgres::Error> {
        let Some(s) = self.state.stories.story(id) else { return Ok(()) };
        tx.execute(
            "INSERT INTO stories(id, label, entities, places, keywords, dates, first_published, last_published, \
             articles) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET \
             label = excluded.label, entities = excluded.entities, places = excluded.places, \
             keywords = excluded.keywords, dates = excluded.dates, first_published = excluded.first_published, \
             last_published = excluded.last_published, articles = excluded.articles",
            &[
                &(id as i64),
                &crate::pg_text(&s.label),
                &crate::pg_text(&json_list(&s.entities)),
                &crate::pg_text(&json_list(&s.places)),
                &crate::pg_text(&json_list(&s.keywords)),
                &crate::pg_text(&json_list(&s.dates)),
                &s.first_published,
                &s.last_published,
                &(s.articles.len() as i64),
            ],
        )?;
        if members {
            let st = tx.prepare(
                "INSERT INTO story_articles(doc_id, story_id) VALUES ($1, $2) \
                 ON CONFLICT (doc_id) DO UPDATE SET story_id = excluded.story_id",
            )?;
            for a in &s.articles {
                tx.execute(&st, &[a, &(id as i64)])?;
            }
        }
        Ok(())
    }
}

/// Writes an article's identity merges: renamed identities first (every id that answered to
/// the old one answers to the new one), then newly mapped ids.
fn write_merges(tx: &mut Transaction, m: &Merges) -> std::result::Result<(), postgres::Error> {
    let ev = |id: &str| m.evidence.iter().find(|e| e.0 == id).map(|e| (e.1 as f64, e.2 as f64));
    for (old, new) in &m.renamed {
        tx.execute("UPDATE entity_merges SET canonical = $1 WHERE canonical = $2", &[new, old])?;
        let (s, c) = ev(old).unzip();
        tx.execute(
            "INSERT INTO entity_merges(entity_id, canonical, name_similarity, context) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (entity_id) DO UPDATE SET canonical = excluded.canonical",
            &[old, new, &s, &c],
        )?;
    }
    for (id, canonical) in &m.mapped {
        let (s, c) = ev(id).unzip();
        tx.execute(
            "INSERT INTO entity_merges(entity_id, canonical, name_similarity, context) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (entity_id) DO UPDATE SET canonical = excluded.canonical, \
             name_similarity = excluded.name_similarity, context = excluded.context",
            &[id, canonical, &s, &c],
        )?;
    }
    Ok(())
}
