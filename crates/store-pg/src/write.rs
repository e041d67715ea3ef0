//! `put_batch`: one transaction per batch, the embedded store's write rules
//! (`crates/store/FORMAT.md`, *Write rules*) over PostgreSQL.

use crate::across::Across;
use crate::{pg_opt, pg_text, rows, Ctx, Result};
use chrono::{Datelike, Utc};
use newsgraph_model::{canonical_key, content_hash, Document};
use newsgraph_store::{CorpusReport, Duplicate, ErrorKind, PutReport};
use postgres::{Client, Transaction};
use std::collections::BTreeSet;

/// Longest part of a body put in the full-text vector (bytes, cut at a character boundary):
/// PostgreSQL refuses a `tsvector` over 1 MB. Longer articles are searchable by their start.
pub const MAX_INDEXED_BODY: usize = 250_000;

/// Month of the undated articles (and of those outside [`FIRST_YEAR`]..=[`LAST_YEAR`]) in
/// the `articles` table: they live in its default partition `articles_other`.
const UNDATED_MONTH: &str = "0001-01-01";
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;

/// The identity key of a document's URL: `canonical_key(canonical_url or url)`.
pub fn url_key(doc: &Document) -> Option<String> {
    let u = doc.meta.canonical_url.as_deref().or(doc.meta.url.as_deref())?;
    let k = canonical_key(u);
    (!k.is_empty()).then(|| pg_text(&k))
}

/// `(year, month)` of the article's publication (UTC) when it has its own partition.
fn partition_month(doc: &Document) -> Option<(i32, u32)> {
    let t = doc.meta.published.as_ref()?.time.with_timezone(&Utc);
    (FIRST_YEAR..=LAST_YEAR).contains(&t.year()).then(|| (t.year(), t.month()))
}

fn month_date(doc: &Document) -> String {
    match doc.meta.published.as_ref().map(|p| p.time.with_timezone(&Utc)) {
        Some(t) if (1..=9999).contains(&t.year()) => format!("{:04}-{:02}-01", t.year(), t.month()),
        _ => UNDATED_MONTH.to_string(),
    }
}

/// Creates the monthly partitions the batch needs, each in its own short transaction (a
/// partition is created once; an empty one left by a failed batch is harmless).
/// Key of the transaction advisory lock taken while creating month partitions.
const PARTITION_LOCK: i64 = 0x6e67_5f70_6172_7473; // "ng_parts"

fn ensure_partitions(client: &mut Client, docs: &[Document], ctx: Ctx) -> Result<()> {
    let months: BTreeSet<(i32, u32)> = docs.iter().filter_map(partition_month).collect();
    if months.is_empty() {
        return Ok(());
    }
    let db = |e| ctx.db(e);
    let existing: BTreeSet<String> = client
        .query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = 'articles'::regclass",
            &[],
        )
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let missing: Vec<(i32, u32)> =
        months.into_iter().filter(|(y, m)| !existing.contains(&format!("articles_p{y:04}{m:02}"))).collect();
    if missing.is_empty() {
        return Ok(());
    }
    // Writers in other processes may create the same month at once: one at a time.
    let mut tx = client.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITION_LOCK]).map_err(db)?;
    for (y, m) in missing {
        let name = format!("articles_p{y:04}{m:02}");
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        // Numbers only: formatted into the statement.
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {name} PARTITION OF articles \
             FOR VALUES FROM ('{y:04}-{m:02}-01') TO ('{ny:04}-{nm:02}-01')"
        ))
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

/// Writes a batch in one transaction. With `across`, each inserted document is also assigned
/// its near-duplicate group, story and identities (the state rebuilt from the database first
/// when `None`; dropped on error, as it may hold documents the rolled-back transaction did not
/// store); without, that work is left to the corpus leader ([`assign_corpus`]).
pub fn put_batch(
    client: &mut Client,
    docs: Vec<Document>,
    ctx: Ctx,
    across: Option<&mut Option<Across>>,
) -> Result<PutReport> {
    ensure_partitions(client, &docs, ctx)?;
    let Some(across) = across else { return put_batch_with(client, docs, ctx, None) };
    if across.is_none() {
        *across = Some(Across::rebuild(client, ctx)?);
    }
    let res = put_batch_with(client, docs, ctx, across.as_mut());
    if res.is_err() {
        *across = None;
    }
    res
}

/// Takes the lock that serializes corpus work (several processes may write), then catches
/// `across` up with what the others assigned, so every assignment happens in one global order.
fn lock_corpus(tx: &mut Transaction, across: &mut Across, ctx: Ctx) -> Result<()> {
    tx.query_one("SELECT value FROM meta WHERE key = 'corpus_lock' FOR UPDATE", &[]).map_err(|e| ctx.db(e))?;
    across.catch_up(tx, ctx)
}

fn put_batch_with(
    client: &mut Client,
    docs: Vec<Document>,
    ctx: Ctx,
    mut across: Option<&mut Across>,
) -> Result<PutReport> {
    let db = |e| ctx.db(e);
    let mut tx = client.transaction().map_err(db)?;
    if let Some(a) = across.as_deref_mut() {
        lock_corpus(&mut tx, a, ctx)?;
    }
    let next_seq = |tx: &mut Transaction| -> Result<i64> {
        Ok(tx.query_one("SELECT nextval('change_seq')", &[]).map_err(db)?.get(0))
    };
    let mut report = PutReport::default();
    let now = Utc::now().timestamp_millis();
    for (i, mut doc) in docs.into_iter().enumerate() {
        if doc.id.is_empty() {
            return Err(ctx.err(ErrorKind::InvalidInput(format!("document #{i} of the batch has an empty id"))));
        }
        if doc.id.contains('\0') {
            return Err(ctx.err(ErrorKind::InvalidInput(format!("document #{i} of the batch has a NUL in its id"))));
        }
        if doc.meta.content_hash.is_empty() {
            doc.meta.content_hash = content_hash(doc.text());
        }
        let key = url_key(&doc);
        let hash = pg_text(&doc.meta.content_hash);
        let by_hash = |tx: &mut Transaction| -> std::result::Result<Option<String>, postgres::Error> {
            Ok(tx.query_opt("SELECT id FROM documents WHERE content_hash = $1", &[&hash])?.map(|r| r.get(0)))
        };
        if let Some(k) = &key {
            let existing = tx
                .query_opt("SELECT id, content_hash FROM documents WHERE url_key = $1", &[k])
                .map_err(db)?
                .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)));
            if let Some((id, old_hash)) = existing {
                if old_hash == hash {
                    report.unchanged += 1;
                    report.ids.push(id);
                    continue;
                }
                if let Some(other) = by_hash(&mut tx).map_err(db)? {
                    add_duplicate(&mut tx, &mut report, &doc, key.as_deref(), other, now).map_err(db)?;
                    continue;
                }
                let seq = next_seq(&mut tx)?;
                doc.id = id.clone();
                update_row(&mut tx, &doc, &hash, seq, now).map_err(db)?;
                write_layers(&mut tx, &doc).map_err(db)?;
                report.updated += 1;
                report.ids.push(id);
                continue;
            }
        }
        if let Some(other) = by_hash(&mut tx).map_err(db)? {
            if other == doc.id {
                report.unchanged += 1;
                report.ids.push(other);
            } else {
                add_duplicate(&mut tx, &mut report, &doc, key.as_deref(), other, now).map_err(db)?;
            }
            continue;
        }
        let taken = tx.query_opt("SELECT 1 FROM documents WHERE id = $1", &[&doc.id]).map_err(db)?.is_some();
        if taken {
            return Err(ctx.err(ErrorKind::InvalidInput(format!(
                "document id {:?} is already used by a document with another URL and content",
                doc.id
            ))));
        }
        let seq = next_seq(&mut tx)?;
        insert_row(&mut tx, &doc, key.as_deref(), &hash, seq, now).map_err(db)?;
        write_layers(&mut tx, &doc).map_err(db)?;
        if let Some(a) = across.as_deref_mut() {
            a.add(&mut tx, &doc).map_err(db)?;
        }
        report.inserted += 1;
        report.ids.push(doc.id.clone());
    }
    if let Some(a) = across {
        a.snapshot_if_due(&mut tx).map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(report)
}

/// Assigns stored documents their corpus work, in the order given, in one transaction under
/// the corpus lock. `across` as in [`put_batch`].
pub fn assign_corpus(
    client: &mut Client,
    ids: &[String],
    ctx: Ctx,
    across: &mut Option<Across>,
) -> Result<CorpusReport> {
    if across.is_none() {
        *across = Some(Across::rebuild(client, ctx)?);
    }
    let a = across.as_mut().expect("built above");
    let res = (|| {
        let db = |e| ctx.db(e);
        let mut tx = client.transaction().map_err(db)?;
        lock_corpus(&mut tx, a, ctx)?;
        let mut report = CorpusReport::default();
        for id in ids {
            if id.contains('\0') {
                report.missing += 1;
                continue;
            }
            if tx.query_opt("SELECT 1 FROM corpus_log WHERE doc_id = $1", &[id]).map_err(db)?.is_some() {
                report.already += 1;
                continue;
            }
            let Some(row) = tx.query_opt("SELECT doc FROM documents WHERE id = $1", &[id]).map_err(db)? else {
                report.missing += 1;
                continue;
            };
            let doc = crate::read::decode(id, row.get(0), ctx)?;
            a.add(&mut tx, &doc).map_err(db)?;
            report.assigned += 1;
        }
        a.snapshot_if_due(&mut tx).map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(report)
    })();
    if res.is_err() {
        *across = None;
    }
    res
}

fn add_duplicate(
    tx: &mut Transaction,
    report: &mut PutReport,
    doc: &Document,
    key: Option<&str>,
    into: String,
    now: i64,
) -> std::result::Result<(), postgres::Error> {
    let url = doc.meta.canonical_url.clone().or_else(|| doc.meta.url.clone());
    if let (Some(k), Some(u)) = (key, &url) {
        tx.execute(
            "INSERT INTO aliases(url_key, url, doc_id, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (url_key) DO NOTHING",
            &[&k, &pg_text(u), &into, &now],
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

fn insert_row(
    tx: &mut Transaction,
    doc: &Document,
    key: Option<&str>,
    hash: &str,
    seq: i64,
    now: i64,
) -> std::result::Result<(), postgres::Error> {
    let (pub_ts, pub_raw) = published(doc);
    let m = &doc.meta;
    tx.execute(
        "INSERT INTO documents(id, url_key, content_hash, url, title, source, language, published, published_raw, \
         ingested_at, updated_at, seq, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)",
        &[
            &doc.id,
            &key,
            &hash,
            &pg_opt(m.canonical_url.as_ref().or(m.url.as_ref())),
            &pg_opt(m.title.as_ref()),
            &pg_opt(m.source.as_ref()),
            &pg_opt(m.language.as_ref()),
            &pub_ts,
            &pub_raw,
            &now,
            &seq,
            &doc.to_json(),
        ],
    )?;
    Ok(())
}

fn update_row(
    tx: &mut Transaction,
    doc: &Document,
    hash: &str,
    seq: i64,
    now: i64,
) -> std::result::Result<(), postgres::Error> {
    let (pub_ts, pub_raw) = published(doc);
    let m = &doc.meta;
    tx.execute(
        "UPDATE documents SET content_hash = $2, url = $3, title = $4, source = $5, language = $6, published = $7, \
         published_raw = $8, updated_at = $9, seq = $10, doc = $11 WHERE id = $1",
        &[
            &doc.id,
            &hash,
            &pg_opt(m.canonical_url.as_ref().or(m.url.as_ref())),
            &pg_opt(m.title.as_ref()),
            &pg_opt(m.source.as_ref()),
            &pg_opt(m.language.as_ref()),
            &pub_ts,
            &pub_raw,
            &now,
            &seq,
            &doc.to_json(),
        ],
    )?;
    Ok(())
}

/// The body as indexed: at most [`MAX_INDEXED_BODY`] bytes, cut at a character boundary.
fn indexed_body(text: &str) -> &str {
    let mut end = text.len().min(MAX_INDEXED_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Replaces the search row, entity occurrences, quotes and events of a document.
fn write_layers(tx: &mut Transaction, doc: &Document) -> std::result::Result<(), postgres::Error> {
    let id = &doc.id;
    // Search row (its month may have changed with an update: delete by id in any partition).
    tx.execute("DELETE FROM articles WHERE id = $1", &[id])?;
    let m = &doc.meta;
    let body = pg_text(doc.text());
    let title = pg_opt(m.title.as_ref());
    tx.execute(
        "INSERT INTO articles(id, month, published, source, language, title, body, mentioned, entities, \
         event_roots, days, tsv) VALUES ($1, $2::text::date, $3, $4, $5, $6, $7, $8, $9, $11, $12, \
         setweight(to_tsvector('english', coalesce($6, '')), 'A') || \
         setweight(to_tsvector('english', $10::text), 'B'))",
        &[
            id,
            &month_date(doc),
            &m.published.as_ref().map(|p| p.time.timestamp()),
            &pg_opt(m.source.as_ref()),
            &pg_opt(m.language.as_ref()),
            &title,
            &body,
            &newsgraph_store::rows::mentioned_days_of(doc),
            &rows::entity_ids(doc),
            &indexed_body(&body),
            &newsgraph_store::rows::event_roots(doc).iter().map(|r| pg_text(r)).collect::<Vec<_>>(),
            &newsgraph_store::rows::exact_days_of(doc),
        ],
    )?;

    tx.execute("DELETE FROM entity_occurrences WHERE doc_id = $1", &[id])?;
    let occurrences = newsgraph_store::rows::occurrences(doc);
    if !occurrences.is_empty() {
        let st = tx.prepare(
            "INSERT INTO entity_occurrences(entity_id, doc_id, name, kind, kb_id, country, mentions, aliases, \
             repaired, info) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )?;
        for o in occurrences {
            tx.execute(
                &st,
                &[
                    &pg_text(&o.entity_id),
                    id,
                    &pg_text(&o.name),
                    &o.kind,
                    &pg_opt(o.kb_id.as_ref()),
                    &pg_opt(o.country.as_ref()),
                    &(o.mentions as i64),
                    &pg_text(&serde_json::to_string(&o.aliases).expect("map serializes")),
                    &pg_text(&serde_json::to_string(&o.repaired).expect("map serializes")),
                    &pg_text(&serde_json::to_string(&o.info).expect("info serializes")),
                ],
            )?;
        }
    }

    tx.execute("DELETE FROM quotes WHERE doc_id = $1", &[id])?;
    let quotes = newsgraph_store::rows::quote_rows(doc);
    if !quotes.is_empty() {
        let published = m.published.as_ref().map(|p| p.time.timestamp());
        let st = tx.prepare(
            "INSERT INTO quotes(doc_id, ordinal, published, kind, content, span_start, span_end, source, cue, \
             speaker_id, speaker_name, speaker_kind, reported_by_id, reported_by_name, reported_by_kind, \
             confidence, tsv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             to_tsvector('english', $5))",
        )?;
        for (i, q) in quotes.iter().enumerate() {
            let sp = q.speaker.as_ref();
            let rb = q.reported_by.as_ref();
            tx.execute(
                &st,
                &[
                    id,
                    &(i as i64),
                    &published,
                    &q.kind,
                    &pg_text(&q.content),
                    &q.span.0,
                    &q.span.1,
                    &pg_opt(q.source.as_ref()),
                    &pg_opt(q.cue.as_ref()),
                    &pg_opt(sp.and_then(|s| s.0.as_ref())),
                    &sp.map(|s| pg_text(&s.1)),
                    &sp.map(|s| s.2.clone()),
                    &pg_opt(rb.and_then(|s| s.0.as_ref())),
                    &rb.map(|s| pg_text(&s.1)),
                    &rb.map(|s| s.2.clone()),
                    &q.confidence,
                ],
            )?;
        }
    }

    tx.execute("DELETE FROM events WHERE doc_id = $1", &[id])?;
    let events = newsgraph_store::rows::event_rows(doc);
    if !events.is_empty() {
        let published = m.published.as_ref().map(|p| p.time.timestamp());
        let st = tx.prepare(
            "INSERT INTO events(doc_id, ordinal, published, day, date_value, code, root, plover, goldstein, \
             quad_class, modality, trigger, content, span_start, span_end, source_id, source_name, source_code, \
             target_id, target_name, target_code, place_id, place_name, place_country, lat, lon, confidence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $25, $26, $27)",
        )?;
        for (i, e) in events.iter().enumerate() {
            tx.execute(
                &st,
                &[
                    id,
                    &(i as i64),
                    &published,
                    &e.day,
                    &pg_opt(e.date_value.as_ref()),
                    &pg_text(&e.code),
                    &pg_text(&e.root),
                    &pg_text(&e.plover),
                    &e.goldstein,
                    &e.quad_class,
                    &e.modality,
                    &pg_text(&e.trigger),
                    &pg_text(&e.content),
                    &e.span.0,
                    &e.span.1,
                    &pg_opt(e.source.0.as_ref()),
                    &pg_opt(e.source.1.as_ref()),
                    &pg_opt(e.source.2.as_ref()),
                    &pg_opt(e.target.0.as_ref()),
                    &pg_opt(e.target.1.as_ref()),
                    &pg_opt(e.target.2.as_ref()),
                    &pg_opt(e.place_id.as_ref()),
                    &pg_opt(e.place_name.as_ref()),
                    &pg_opt(e.place_country.as_ref()),
                    &e.lat,
                    &e.lon,
                    &e.confidence,
                ],
            )?;
        }
    }
    Ok(())
}
