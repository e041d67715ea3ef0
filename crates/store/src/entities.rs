//! Entity occurrences: one row per (entity, article) in `entity_occurrences` (format version 2,
//! schema in `db`), written in the article's transaction, and the queries over them.

use crate::db::{decode_opt_time, Kept};
use crate::error::{Ctx, Result};
use crate::rows::Info;
use crate::types::{EntityArticle, EntityDetail, EntityFacet, EntityQuery, EntitySummary, FormCount, Page, MAX_PAGE};
use newsgraph_model::Document;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use std::collections::{BTreeMap, HashMap};

/// Longest `EntityQuery::q` considered (chars).
pub const MAX_ENTITY_QUERY_CHARS: usize = 200;

/// Replaces the entity rows of a document (called in the transaction that writes it).
pub fn write_entities(tx: &Transaction, doc: &Document) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM entity_occurrences WHERE doc_id = ?1", [&doc.id])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO entity_occurrences(entity_id, doc_id, name, kind, kb_id, country, mentions, aliases, repaired, info) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for o in crate::rows::occurrences(doc) {
        st.execute(params![
            o.entity_id,
            doc.id,
            o.name,
            o.kind,
            o.kb_id,
            o.country,
            o.mentions as i64,
            serde_json::to_string(&o.aliases).expect("map serializes"),
            serde_json::to_string(&o.repaired).expect("map serializes"),
            serde_json::to_string(&o.info).expect("info serializes"),
        ])?;
    }
    Ok(())
}

/// `LIKE` pattern matching `q` anywhere, with `\` escaping.
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.chars().take(MAX_ENTITY_QUERY_CHARS) {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Order of an entity's rows from its most recent article: newest published (undated last:
/// SQLite sorts NULL last in descending order), then most recently stored.
const LATEST: &str = "ORDER BY d.published DESC, d.updated_at DESC, d.id LIMIT 1";

/// The id an entity id answers to: its identity's id when it was merged across articles
/// (`merges`: the store has the `entity_merges` table, format version 6).
fn merged_id(merges: bool) -> &'static str {
    if merges {
        "coalesce((SELECT m.canonical FROM entity_merges m WHERE m.entity_id = o.entity_id), o.entity_id)"
    } else {
        "o.entity_id"
    }
}

/// The identity id for an entity id (itself when it was never merged).
pub fn canonical(conn: &Connection, id: &str, merges: bool, ctx: Ctx) -> Result<String> {
    if !merges {
        return Ok(id.to_string());
    }
    Ok(conn
        .prepare_cached("SELECT canonical FROM entity_merges WHERE entity_id = ?1")
        .map_err(|e| ctx.db(e))?
        .query_row([id], |r| r.get::<_, String>(0))
        .optional()
        .map_err(|e| ctx.db(e))?
        .unwrap_or_else(|| id.to_string()))
}

/// Every id answering to the identity of `id` (any of its ids): the identity id first, then
/// the ids merged into it. Filters by entity use it, so a merged id's rows are found.
pub fn identity_ids(conn: &Connection, id: &str, merges: bool, ctx: Ctx) -> Result<Vec<String>> {
    let id = canonical(conn, id, merges, ctx)?;
    members(conn, &id, merges, ctx)
}

/// The ids answering to an identity id: itself first, then the ids merged into it (sorted).
pub fn members(conn: &Connection, id: &str, merges: bool, ctx: Ctx) -> Result<Vec<String>> {
    if !merges {
        return Ok(vec![id.to_string()]);
    }
    let db = |e| ctx.db(e);
    let mut st = conn
        .prepare_cached("SELECT entity_id FROM entity_merges WHERE canonical = ?1 ORDER BY entity_id")
        .map_err(db)?;
    let mut out = vec![id.to_string()];
    for r in st.query_map([id], |r| r.get::<_, String>(0)).map_err(db)? {
        out.push(r.map_err(db)?);
    }
    Ok(out)
}

/// `?, ?, …` for `n` values.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// A page of entities, most articles first.
pub fn entities(conn: &Connection, q: &EntityQuery, merges: bool, kept: Kept, ctx: Ctx) -> Result<Page<EntitySummary>> {
    let db = |e| ctx.db(e);
    #[allow(non_snake_case)]
    let MERGED = merged_id(merges);
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push("(name LIKE ? ESCAPE '\\' OR entity_id LIKE ? ESCAPE '\\' OR aliases LIKE ? ESCAPE '\\')");
        let p = like_pattern(text);
        args.extend([p.clone().into(), p.clone().into(), p.into()]);
    }
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push("kind = ?");
        args.push(k.to_ascii_lowercase().into());
    }
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    let (total, rows): (u64, Vec<(String, u64, u64)>) = if clauses.is_empty() && kept.counts {
        let all = identity_counts(conn, merges, offset.saturating_add(limit).min(usize::MAX as u64) as usize, ctx)?;
        (all.len() as u64, all.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).collect())
    } else {
        // Entities merged across articles are one row, under their identity's id.
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {MERGED} IN (SELECT {MERGED} FROM entity_occurrences o WHERE {})", clauses.join(" AND "))
        };
        let total: i64 = conn
            .query_row(
                &format!("SELECT count(DISTINCT {MERGED}) FROM entity_occurrences o{filter}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )
            .map_err(db)?;
        let sql = format!(
            "SELECT {MERGED} AS eid, count(DISTINCT o.doc_id) AS n, sum(o.mentions) AS m FROM entity_occurrences o{filter} \
             GROUP BY eid ORDER BY n DESC, m DESC, eid LIMIT {limit} OFFSET {offset}"
        );
        let rows = conn
            .prepare(&sql)
            .map_err(db)?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64, r.get::<_, i64>(2)?.max(0) as u64))
            })
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        (total as u64, rows)
    };
    let mut items = Vec::with_capacity(rows.len());
    for (id, n, m) in rows {
        if let Some((summary, _)) = summary(conn, &id, Some((n, m)), merges, kept, ctx)? {
            items.push(summary);
        }
    }
    Ok(Page { total, offset: q.offset, limit, items })
}

/// Every identity with (articles, mentions), most articles first (then most mentions, then
/// id), exact for the first `exact` rows: from `entity_counts`, summed over the ids of each
/// identity. Such a sum counts an article naming two ids of one identity twice, so it bounds
/// the articles of an identity with merged ids from above; those are recounted, from the
/// largest bound down, until the first `exact` rows are all known (a row below them has a
/// bound, and so a count, that does not reach them).
fn identity_counts(conn: &Connection, merges: bool, exact: usize, ctx: Ctx) -> Result<Vec<(String, u64, u64)>> {
    let db = |e| ctx.db(e);
    let sql = if merges {
        "SELECT coalesce(m.canonical, c.entity_id) AS eid, sum(c.articles), sum(c.mentions), count(m.canonical) \
         FROM entity_counts c LEFT JOIN entity_merges m ON m.entity_id = c.entity_id WHERE c.articles > 0 GROUP BY eid"
    } else {
        "SELECT entity_id, articles, mentions, 0 FROM entity_counts WHERE articles > 0"
    };
    // (id, articles, mentions, still a bound)
    let mut all: Vec<(String, u64, u64, bool)> = conn
        .prepare(sql)
        .map_err(db)?
        .query_map([], |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
            Ok((r.get::<_, String>(0)?, n(1)?, n(2)?, r.get::<_, i64>(3)? > 0))
        })
        .map_err(db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(db)?;
    loop {
        all.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| a.0.cmp(&b.0)));
        let bounds: Vec<usize> = (0..all.len().min(exact)).filter(|&i| all[i].3).collect();
        if bounds.is_empty() {
            break;
        }
        for i in bounds {
            all[i].1 = merged_articles(conn, &all[i].0, ctx)?;
            all[i].3 = false;
        }
    }
    Ok(all.into_iter().map(|(id, a, m, _)| (id, a, m)).collect())
}

/// The articles of identity `id`, whose ids were merged, each counted once though it may name
/// two of its ids: the identity id's own articles (`entity_counts`) plus those of its merged
/// ids that do not name it. Only the merged ids' occurrences are read, which are few next to a
/// frequent identity's own.
fn merged_articles(conn: &Connection, id: &str, ctx: Ctx) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT coalesce((SELECT articles FROM entity_counts WHERE entity_id = ?1), 0) + count(DISTINCT o.doc_id) \
             FROM entity_merges m JOIN entity_occurrences o ON o.entity_id = m.entity_id WHERE m.canonical = ?1 \
             AND NOT EXISTS (SELECT 1 FROM entity_occurrences c WHERE c.entity_id = ?1 AND c.doc_id = o.doc_id)",
        )
        .map_err(|e| ctx.db(e))?
        .query_row([id], |r| r.get(0))
        .map_err(|e| ctx.db(e))?;
    Ok(n.max(0) as u64)
}

/// (articles, mentions) of one identity (`ids`: [`members`] of `id`) from `entity_counts`.
fn identity_count(conn: &Connection, id: &str, ids: &[String], ctx: Ctx) -> Result<(u64, u64)> {
    let (articles, mentions): (i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(articles), 0), coalesce(sum(mentions), 0) FROM entity_counts WHERE entity_id IN ({})",
            marks(ids.len())
        ))
        .map_err(|e| ctx.db(e))?
        .query_row(params_from_iter(ids.iter()), |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| ctx.db(e))?;
    let articles = if ids.len() > 1 { merged_articles(conn, id, ctx)? } else { articles.max(0) as u64 };
    Ok((articles, mentions.max(0) as u64))
}

/// The summary of one entity (an identity id: its merged ids included) and the details of its
/// latest occurrence under its own id (else under any merged id); `counts` are (articles,
/// mentions) when already known.
fn summary(
    conn: &Connection,
    id: &str,
    counts: Option<(u64, u64)>,
    merges: bool,
    kept: Kept,
    ctx: Ctx,
) -> Result<Option<(EntitySummary, Info)>> {
    let db = |e| ctx.db(e);
    let ids = members(conn, id, merges, ctx)?;
    let ids_in = marks(ids.len());
    let details = |r: &rusqlite::Row| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
        ))
    };
    let latest = match latest_doc(conn, id, Walk::Auto, kept, ctx)? {
        Some(doc) => conn
            .prepare_cached(
                "SELECT name, kind, kb_id, country, info FROM entity_occurrences WHERE entity_id = ?1 AND doc_id = ?2",
            )
            .map_err(db)?
            .query_row([id, doc.as_str()], details)
            .optional()
            .map_err(db)?,
        // Not under its own id: the latest occurrence under any of its merged ids.
        None => conn
            .prepare_cached(&format!(
                "SELECT o.name, o.kind, o.kb_id, o.country, o.info FROM entity_occurrences o \
                 JOIN documents d ON d.id = o.doc_id WHERE o.entity_id IN ({ids_in}) {LATEST}"
            ))
            .map_err(db)?
            .query_row(params_from_iter(ids.iter()), details)
            .optional()
            .map_err(db)?,
    };
    let Some((name, kind, kb_id, country, info)) = latest else { return Ok(None) };
    let (aliases, repaired, articles, mentions) = if kept.forms {
        let mut forms: [HashMap<String, u64>; 2] = Default::default();
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT repaired, form, sum(count) FROM entity_forms WHERE entity_id IN ({ids_in}) GROUP BY repaired, form"
            ))
            .map_err(db)?;
        let rows = st
            .query_map(params_from_iter(ids.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .map_err(db)?;
        for row in rows {
            let (rep, form, n) = row.map_err(db)?;
            if n > 0 {
                forms[usize::from(rep != 0)].insert(form, n as u64);
            }
        }
        let (articles, mentions) = match counts {
            Some(c) => c,
            None => identity_count(conn, id, &ids, ctx)?,
        };
        let [aliases, repaired] = forms;
        (aliases, repaired, articles, mentions)
    } else {
        let mut aliases: HashMap<String, u64> = HashMap::new();
        let mut repaired: HashMap<String, u64> = HashMap::new();
        let mut docs: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut mentions = 0u64;
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT doc_id, mentions, aliases, repaired FROM entity_occurrences WHERE entity_id IN ({ids_in})"
            ))
            .map_err(db)?;
        let rows = st
            .query_map(params_from_iter(ids.iter()), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(db)?;
        for row in rows {
            let (doc, m, a, rp) = row.map_err(db)?;
            docs.insert(doc);
            mentions += m.max(0) as u64;
            for (map, json) in [(&mut aliases, a), (&mut repaired, rp)] {
                let forms: BTreeMap<String, u64> = serde_json::from_str(&json).unwrap_or_default();
                for (f, c) in forms {
                    *map.entry(f).or_insert(0) += c;
                }
            }
        }
        let (articles, mentions) = counts.unwrap_or((docs.len() as u64, mentions));
        (aliases, repaired, articles, mentions)
    };
    let sorted = |m: &HashMap<String, u64>| {
        let mut v: Vec<FormCount> = m
            .iter()
            .map(|(form, &count)| FormCount { form: form.clone(), count, repaired: repaired.contains_key(form) })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.form.cmp(&b.form)));
        v
    };
    let summary = EntitySummary {
        id: id.to_string(),
        name,
        kind,
        kb_id,
        country,
        articles,
        mentions,
        aliases: sorted(&aliases),
        repaired: sorted(&repaired),
        merged: ids[1..].to_vec(),
    };
    Ok(Some((summary, serde_json::from_str(&info).unwrap_or_default())))
}

/// One entity by any of its ids (a merged id answers with its identity).
pub fn entity(
    conn: &Connection,
    id: &str,
    offset: u64,
    limit: u64,
    merges: bool,
    kept: Kept,
    ctx: Ctx,
) -> Result<Option<EntityDetail>> {
    let id = canonical(conn, id, merges, ctx)?;
    let id = id.as_str();
    let Some((summary, info)) = summary(conn, id, None, merges, kept, ctx)? else { return Ok(None) };
    // The identity's ids, as the summary found them ([`members`]).
    let ids: Vec<String> = std::iter::once(summary.id.clone()).chain(summary.merged.iter().cloned()).collect();
    let limit = limit.min(MAX_PAGE);
    let items = articles_of(conn, &ids, summary.articles, offset, limit, Walk::Auto, ctx)?;
    let total = summary.articles;
    Ok(Some(EntityDetail {
        summary,
        subtype: info.subtype,
        qid: info.qid,
        roles: info.roles,
        geo: info.geo,
        appears_in: Page { total, offset, limit, items },
        quotes: None,
        quotes_about: None,
        events: None,
    }))
}

/// A page of the articles holding any of `ids` (one identity's, in `articles` articles), newest
/// first (undated last: SQLite sorts NULL last in descending order), with the mentions there.
pub(crate) fn articles_of(
    conn: &Connection,
    ids: &[String],
    articles: u64,
    offset: u64,
    limit: u64,
    walk: Walk,
    ctx: Ctx,
) -> Result<Vec<EntityArticle>> {
    let db = |e| ctx.db(e);
    let ids_in = marks(ids.len());
    let off = offset.min(i64::MAX as u64);
    let which = if walk.pays(conn, articles, offset.saturating_add(limit), ctx)? {
        format!(
            "documents d INDEXED BY documents_published WHERE EXISTS \
             (SELECT 1 FROM entity_occurrences o WHERE o.entity_id IN ({ids_in}) AND o.doc_id = d.id)"
        )
    } else {
        format!("documents d WHERE d.id IN (SELECT doc_id FROM entity_occurrences WHERE entity_id IN ({ids_in}))")
    };
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw, (SELECT sum(o.mentions) FROM entity_occurrences o \
             WHERE o.entity_id IN ({ids_in}) AND o.doc_id = d.id) FROM {which} \
             ORDER BY d.published DESC, d.id LIMIT {limit} OFFSET {off}"
        ))
        .map_err(db)?;
    let items = st
        .query_map(params_from_iter(ids.iter().chain(ids)), |r| {
            Ok(EntityArticle {
                id: r.get(0)?,
                title: r.get(1)?,
                url: r.get(2)?,
                source: r.get(3)?,
                published: decode_opt_time(r.get(4)?),
                mentions: r.get::<_, Option<i64>>(5)?.unwrap_or(0).max(0) as u64,
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db);
    items
}

/// Names and kinds (from each entity's latest article) for facet counts `(id, count)`.
pub fn facets(
    conn: &Connection,
    counts: Vec<(String, u64)>,
    merges: bool,
    kept: Kept,
    ctx: Ctx,
) -> Result<Vec<EntityFacet>> {
    let db = |e| ctx.db(e);
    let counts = crate::fold_identities(counts, |id| canonical(conn, id, merges, ctx))?;
    let mut out = Vec::with_capacity(counts.len());
    for (id, count) in counts {
        // An id the index has but the database no longer has (the index lags): skip it.
        let Some(doc) = latest_doc(conn, &id, Walk::Auto, kept, ctx)? else { continue };
        let nk = conn
            .prepare_cached("SELECT name, kind FROM entity_occurrences WHERE entity_id = ?1 AND doc_id = ?2")
            .map_err(db)?
            .query_row([&id, &doc], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .optional()
            .map_err(db)?;
        if let Some((name, kind)) = nk {
            out.push(EntityFacet { id, name, kind, count });
        }
    }
    Ok(out)
}

/// How a query finds an entity's newest articles: by walking every article from the newest
/// (through `documents_published`) until enough of them hold the entity, or by collecting the
/// entity's own articles and sorting them. The pages a user opens first are those of the most
/// frequent entities, whose tens of thousands of articles cost a lookup each to sort, while a
/// walk from the newest finds the first of them within a few steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Whichever costs fewer steps ([`Walk::pays`]).
    Auto,
    /// (Tests compare both ways.)
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
    #[cfg_attr(not(test), allow(dead_code))]
    Never,
}

impl Walk {
    /// Whether to walk, for the first `rows` newest of an entity's `articles`: a walk takes
    /// about rows × (articles stored) / articles steps, a sort about `articles`.
    fn pays(self, conn: &Connection, articles: u64, rows: u64, ctx: Ctx) -> Result<bool> {
        self.pays_in(conn, "documents", articles, rows, ctx)
    }

    /// The same for the first `rows` of `matching` rows of `table` (`documents` or `quotes`).
    pub(crate) fn pays_in(self, conn: &Connection, table: &str, matching: u64, rows: u64, ctx: Ctx) -> Result<bool> {
        match self {
            Walk::Always => Ok(true),
            Walk::Never => Ok(false),
            Walk::Auto => {
                // The largest rowid bounds the rows stored, without counting them.
                let stored: i64 = conn
                    .prepare_cached(&format!("SELECT coalesce(max(rowid), 0) FROM {table}"))
                    .map_err(|e| ctx.db(e))?
                    .query_row([], |r| r.get(0))
                    .map_err(|e| ctx.db(e))?;
                Ok(u128::from(rows) * (stored.max(0) as u128) < u128::from(matching).pow(2))
            }
        }
    }
}

/// The article in which an entity id occurs that comes first in the order of [`LATEST`]
/// (the newest): entity facets and entity lists show the name an entity has there. A walk
/// ([`Walk`]) finds the latest publication time, then only the entity's articles of that
/// time are sorted. Its articles are counted from `entity_counts` when the store keeps it.
pub(crate) fn latest_doc(conn: &Connection, id: &str, walk: Walk, kept: Kept, ctx: Ctx) -> Result<Option<String>> {
    let db = |e| ctx.db(e);
    let n: i64 = conn
        .prepare_cached(if kept.counts {
            "SELECT coalesce((SELECT articles FROM entity_counts WHERE entity_id = ?1), 0)"
        } else {
            "SELECT count(*) FROM entity_occurrences WHERE entity_id = ?1"
        })
        .map_err(db)?
        .query_row([id], |r| r.get(0))
        .map_err(db)?;
    if n > 0 && walk.pays(conn, n as u64, 1, ctx)? {
        // CROSS JOIN keeps the articles outside, in the order of their publication index.
        let newest: Option<rusqlite::types::Value> = conn
            .prepare_cached(
                "SELECT d.published FROM documents d INDEXED BY documents_published CROSS JOIN entity_occurrences o \
                 ON o.entity_id = ?1 AND o.doc_id = d.id WHERE d.published IS NOT NULL \
                 ORDER BY d.published DESC LIMIT 1",
            )
            .map_err(db)?
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(published) = newest {
            // The rest of the order of LATEST, among the articles of that time.
            return conn
                .prepare_cached(
                    "SELECT d.id FROM documents d INDEXED BY documents_published CROSS JOIN entity_occurrences o \
                     ON o.entity_id = ?1 AND o.doc_id = d.id WHERE d.published = ?2 \
                     ORDER BY d.updated_at DESC, d.id LIMIT 1",
                )
                .map_err(db)?
                .query_row(params![id, published], |r| r.get(0))
                .optional()
                .map_err(db);
        }
    }
    conn.prepare_cached(&format!(
        "SELECT d.id FROM entity_occurrences o JOIN documents d ON d.id = o.doc_id WHERE o.entity_id = ?1 {LATEST}"
    ))
    .map_err(db)?
    .query_row([id], |r| r.get(0))
    .optional()
    .map_err(db)
}
