//! Every read but search: the embedded store's queries (`crates/store/src/*.rs`) in
//! PostgreSQL's dialect. SQLite sorts NULL first in ascending order; every `ORDER BY` here
//! says `NULLS FIRST`/`NULLS LAST` so that both backends order alike.

use crate::{Args, Ctx, Result};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use newsgraph_model::{canonical_key, Document};
use newsgraph_store::{
    DocSummary, DuplicateGroup, DuplicateMember, EntityArticle, EntityDetail, EntityQuery, EntitySummary, ErrorKind,
    EventActor, EventHit, EventPlace, EventQuery, FormCount, ListQuery, Page, QuoteArticle, QuoteHit, QuoteQuery,
    QuoteSpeaker, StoredEvent, StoredQuote, StoryDetail, StoryEntity, StoryPage, StoryQuery, StorySummary,
    TimelineItem, MAX_ENTITY_QUERY_CHARS, MAX_PAGE, MAX_QUOTE_QUERY_CHARS, STORY_ENTITIES, STORY_TIMELINE,
};
use postgres::{Client, Row};
use std::collections::{BTreeMap, HashMap};

/// Kilometres per degree of latitude (mean earth radius 6,371 km), as the embedded store.
const KM_PER_DEGREE: f64 = 111.195;

/// Most terms of a quote query (or words of a search) used; the rest are ignored.
pub(crate) const MAX_TERMS: usize = 32;

pub fn decode(id: &str, json: &str, ctx: Ctx) -> Result<Document> {
    Document::from_json(json).map_err(|source| ctx.err(ErrorKind::CorruptDocument { id: id.to_string(), source }))
}

pub fn decode_opt_time(raw: Option<String>) -> Option<DateTime<FixedOffset>> {
    raw.and_then(|p| DateTime::<FixedOffset>::parse_from_rfc3339(&p).ok())
}

fn ms_to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn unix(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
}

fn u(n: i64) -> u64 {
    n.max(0) as u64
}

pub fn get(c: &mut Client, id: &str, ctx: Ctx) -> Result<Option<Document>> {
    let row = c.query_opt("SELECT doc FROM documents WHERE id = $1", &[&id]).map_err(|e| ctx.db(e))?;
    row.map(|r| decode(id, r.get(0), ctx)).transpose()
}

pub fn resolve_url(c: &mut Client, url: &str, ctx: Ctx) -> Result<Option<String>> {
    let k = crate::pg_text(&canonical_key(url));
    let row = c
        .query_opt(
            "SELECT id FROM documents WHERE url_key = $1 UNION ALL SELECT doc_id FROM aliases WHERE url_key = $1 LIMIT 1",
            &[&k],
        )
        .map_err(|e| ctx.db(e))?;
    Ok(row.map(|r| r.get(0)))
}

pub fn count(c: &mut Client, ctx: Ctx) -> Result<u64> {
    Ok(u(c.query_one("SELECT count(*) FROM documents", &[]).map_err(|e| ctx.db(e))?.get(0)))
}

/// The highest change sequence number (each insert or update takes the next one).
pub fn last_seq(c: &mut Client, ctx: Ctx) -> Result<u64> {
    Ok(u(c.query_one("SELECT coalesce(max(seq), 0) FROM documents", &[]).map_err(|e| ctx.db(e))?.get(0)))
}

/// Stored documents not yet assigned their corpus work (no `corpus_log` row).
pub fn corpus_backlog(c: &mut Client, ctx: Ctx) -> Result<u64> {
    let sql = "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM corpus_log c WHERE c.doc_id = d.id)";
    Ok(u(c.query_one(sql, &[]).map_err(|e| ctx.db(e))?.get(0)))
}

pub fn chunk_after(c: &mut Client, after: Option<&str>, limit: i64, ctx: Ctx) -> Result<Vec<Document>> {
    let rows = c
        .query(
            "SELECT id, doc FROM documents WHERE $1::text IS NULL OR id > $1::text ORDER BY id LIMIT $2",
            &[&after, &limit],
        )
        .map_err(|e| ctx.db(e))?;
    rows.iter().map(|r| decode(r.get(0), r.get(1), ctx)).collect()
}

fn where_clause(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    }
}

pub fn list(c: &mut Client, q: &ListQuery, ctx: Ctx) -> Result<Page<DocSummary>> {
    let db = |e| ctx.db(e);
    let mut a = Args::default();
    let mut clauses = Vec::new();
    if let Some(s) = &q.source {
        clauses.push(format!("source = {}", a.push(crate::pg_text(s))));
    }
    if let Some(l) = &q.language {
        clauses.push(format!("language = {}", a.push(crate::pg_text(l))));
    }
    if let Some(f) = q.published_from {
        clauses.push(format!("published >= {}", a.push(f.timestamp())));
    }
    if let Some(t) = q.published_to {
        clauses.push(format!("published < {}", a.push(t.timestamp())));
    }
    let filter = where_clause(&clauses);
    let total: i64 = c.query_one(&format!("SELECT count(*) FROM documents{filter}"), &a.refs()).map_err(db)?.get(0);
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    let rows = c
        .query(
            &format!(
                "SELECT id, url, title, source, language, published_raw, content_hash, ingested_at, updated_at, seq \
                 FROM documents{filter} ORDER BY published DESC NULLS LAST, id LIMIT {limit} OFFSET {offset}"
            ),
            &a.refs(),
        )
        .map_err(db)?;
    let items = rows
        .iter()
        .map(|r| DocSummary {
            id: r.get(0),
            url: r.get(1),
            title: r.get(2),
            source: r.get(3),
            language: r.get(4),
            published: decode_opt_time(r.get(5)),
            content_hash: r.get(6),
            ingested_at: ms_to_utc(r.get(7)),
            updated_at: ms_to_utc(r.get(8)),
            seq: u(r.get(9)),
        })
        .collect();
    Ok(Page { total: u(total), offset: q.offset, limit, items })
}

// ---------------------------------------------------------------------------------------------
// Entities

/// `ILIKE` pattern matching `q` anywhere, with `\` escaping.
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for ch in q.chars().take(MAX_ENTITY_QUERY_CHARS) {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    crate::pg_text(&p)
}

/// Order of an entity's rows from its most recent article.
const LATEST: &str = "ORDER BY d.published DESC NULLS LAST, d.updated_at DESC, d.id LIMIT 1";

/// The id an occurrence answers to: its identity's id when it was merged across articles.
const MERGED: &str = "coalesce((SELECT m.canonical FROM entity_merges m WHERE m.entity_id = o.entity_id), o.entity_id)";

/// The identity id for an entity id (itself when it was never merged).
pub fn canonical(c: &mut Client, id: &str, ctx: Ctx) -> Result<String> {
    let row = c.query_opt("SELECT canonical FROM entity_merges WHERE entity_id = $1", &[&id]).map_err(|e| ctx.db(e))?;
    Ok(row.map(|r| r.get(0)).unwrap_or_else(|| id.to_string()))
}

/// Every id answering to the identity of `id` (any of its ids): the identity id first, then
/// the ids merged into it. Filters by entity use it, so a merged id's rows are found.
pub fn identity_ids(c: &mut Client, id: &str, ctx: Ctx) -> Result<Vec<String>> {
    let id = canonical(c, id, ctx)?;
    members(c, &id, ctx)
}

/// The ids answering to an identity id: itself first, then the ids merged into it (sorted).
pub fn members(c: &mut Client, id: &str, ctx: Ctx) -> Result<Vec<String>> {
    let rows = c
        .query("SELECT entity_id FROM entity_merges WHERE canonical = $1 ORDER BY entity_id", &[&id])
        .map_err(|e| ctx.db(e))?;
    let mut out = vec![id.to_string()];
    out.extend(rows.iter().map(|r| r.get::<_, String>(0)));
    Ok(out)
}

pub fn entities(c: &mut Client, q: &EntityQuery, ctx: Ctx) -> Result<Page<EntitySummary>> {
    let db = |e| ctx.db(e);
    let mut a = Args::default();
    let mut clauses = Vec::new();
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // SQLite's LIKE folds ASCII case; ILIKE folds every case.
        let p = a.push(like_pattern(text));
        clauses.push(format!("(name ILIKE {p} OR entity_id ILIKE {p} OR aliases ILIKE {p})"));
    }
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push(format!("kind = {}", a.push(crate::pg_text(&k.to_ascii_lowercase()))));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {MERGED} IN (SELECT {MERGED} FROM entity_occurrences o WHERE {})", clauses.join(" AND "))
    };
    let total: i64 = c
        .query_one(&format!("SELECT count(DISTINCT {MERGED}) FROM entity_occurrences o{filter}"), &a.refs())
        .map_err(db)?
        .get(0);
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    let rows = c
        .query(
            &format!(
                "SELECT {MERGED} AS eid, count(DISTINCT o.doc_id) AS n, sum(o.mentions)::bigint AS m \
                 FROM entity_occurrences o{filter} \
                 GROUP BY eid ORDER BY n DESC, m DESC, eid LIMIT {limit} OFFSET {offset}"
            ),
            &a.refs(),
        )
        .map_err(db)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.get(0);
        if let Some((s, _)) = summary(c, &id, Some((u(r.get(1)), u(r.get(2)))), ctx)? {
            items.push(s);
        }
    }
    Ok(Page { total: u(total), offset: q.offset, limit, items })
}

fn summary(
    c: &mut Client,
    id: &str,
    counts: Option<(u64, u64)>,
    ctx: Ctx,
) -> Result<Option<(EntitySummary, newsgraph_store::rows::Info)>> {
    let db = |e| ctx.db(e);
    let ids = members(c, id, ctx)?;
    // Its latest occurrence under its own id, else under any merged id.
    let latest = c
        .query_opt(
            "SELECT o.name, o.kind, o.kb_id, o.country, o.info FROM entity_occurrences o \
             JOIN documents d ON d.id = o.doc_id WHERE o.entity_id = ANY($1) \
             ORDER BY o.entity_id <> $2, d.published DESC NULLS LAST, d.updated_at DESC, d.id LIMIT 1",
            &[&ids, &id],
        )
        .map_err(db)?;
    let Some(latest) = latest else { return Ok(None) };
    let mut aliases: HashMap<String, u64> = HashMap::new();
    let mut repaired: HashMap<String, u64> = HashMap::new();
    let mut docs: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut mentions = 0u64;
    for r in c
        .query("SELECT doc_id, mentions, aliases, repaired FROM entity_occurrences WHERE entity_id = ANY($1)", &[&ids])
        .map_err(db)?
    {
        docs.insert(r.get(0));
        mentions += u(r.get(1));
        for (map, col) in [(&mut aliases, 2), (&mut repaired, 3)] {
            let json: String = r.get(col);
            let forms: BTreeMap<String, u64> = serde_json::from_str(&json).unwrap_or_default();
            for (f, n) in forms {
                *map.entry(f).or_insert(0) += n;
            }
        }
    }
    let mut articles = docs.len() as u64;
    if let Some((a, m)) = counts {
        (articles, mentions) = (a, m);
    }
    let sorted = |m: &HashMap<String, u64>| {
        let mut v: Vec<FormCount> = m
            .iter()
            .map(|(form, &count)| FormCount { form: form.clone(), count, repaired: repaired.contains_key(form) })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.form.cmp(&b.form)));
        v
    };
    let info: String = latest.get(4);
    let s = EntitySummary {
        id: id.to_string(),
        name: latest.get(0),
        kind: latest.get(1),
        kb_id: latest.get(2),
        country: latest.get(3),
        articles,
        mentions,
        aliases: sorted(&aliases),
        repaired: sorted(&repaired),
        merged: ids[1..].to_vec(),
    };
    Ok(Some((s, serde_json::from_str(&info).unwrap_or_default())))
}

pub fn entity(c: &mut Client, id: &str, offset: u64, limit: u64, ctx: Ctx) -> Result<Option<EntityDetail>> {
    let db = |e| ctx.db(e);
    // A merged id answers with its identity.
    let id = canonical(c, id, ctx)?;
    let id = id.as_str();
    let Some((summary, info)) = summary(c, id, None, ctx)? else { return Ok(None) };
    let ids = members(c, id, ctx)?;
    let limit = limit.min(MAX_PAGE);
    let off = offset.min(i64::MAX as u64);
    let rows = c
        .query(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw, sum(o.mentions)::bigint FROM entity_occurrences o \
             JOIN documents d ON d.id = o.doc_id WHERE o.entity_id = ANY($1) GROUP BY d.id \
             ORDER BY d.published DESC NULLS LAST, d.id LIMIT $2 OFFSET $3",
            &[&ids, &(limit as i64), &(off as i64)],
        )
        .map_err(db)?;
    let items = rows
        .iter()
        .map(|r| EntityArticle {
            id: r.get(0),
            title: r.get(1),
            url: r.get(2),
            source: r.get(3),
            published: decode_opt_time(r.get(4)),
            mentions: u(r.get(5)),
        })
        .collect();
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

/// Names and kinds (from each entity's latest article) for facet counts `(id, count)`.
pub fn entity_facets(
    c: &mut Client,
    counts: Vec<(String, u64)>,
    ctx: Ctx,
) -> Result<Vec<newsgraph_store::EntityFacet>> {
    let db = |e| ctx.db(e);
    let st = c
        .prepare(&format!(
            "SELECT o.name, o.kind FROM entity_occurrences o JOIN documents d ON d.id = o.doc_id \
             WHERE o.entity_id = $1 {LATEST}"
        ))
        .map_err(db)?;
    let mut out: Vec<newsgraph_store::EntityFacet> = Vec::with_capacity(counts.len());
    for (id, count) in newsgraph_store::fold_identities(counts, |id| canonical(c, id, ctx))? {
        if let Some(r) = c.query_opt(&st, &[&id]).map_err(db)? {
            out.push(newsgraph_store::EntityFacet { id, name: r.get(0), kind: r.get(1), count });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Quotes

/// One term of a quote query.
#[derive(Debug, PartialEq)]
enum Term {
    /// Words to find (one word, or a phrase): letters and digits separated by spaces.
    Words {
        text: String,
        prefix: bool,
        not: bool,
    },
    Or,
}

/// Reads user text as quote-query terms: words, `"phrases"`, `word*`, `-word`, `OR` (the
/// embedded store's reading, `crates/store/src/quotes.rs`). Everything that is not a letter
/// or digit separates words, so no input reaches `to_tsquery` as syntax.
fn terms(text: &str) -> Vec<Term> {
    let text: String = text.chars().take(MAX_QUOTE_QUERY_CHARS).collect();
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut words = 0;
    while let Some(&ch) = chars.peek() {
        if words >= MAX_TERMS {
            break;
        }
        if ch.is_whitespace() || ch.is_control() {
            chars.next();
            continue;
        }
        let not = ch == '-';
        if not || ch == '+' {
            chars.next();
        }
        let (raw, quoted) = if chars.peek() == Some(&'"') {
            chars.next();
            let mut s = String::new();
            for ch in chars.by_ref() {
                if ch == '"' {
                    break;
                }
                s.push(ch);
            }
            (s, true)
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() || ch == '"' {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            (s, false)
        };
        if !quoted && !not && raw == "OR" {
            out.push(Term::Or);
            continue;
        }
        let raw = if quoted { raw.as_str() } else { raw.rsplit(':').next().unwrap_or("") };
        let prefix = !quoted && raw.ends_with('*');
        let cleaned: String = raw.chars().map(|ch| if ch.is_alphanumeric() { ch } else { ' ' }).collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if cleaned.is_empty() || (!quoted && matches!(raw, "AND" | "NOT")) {
            continue;
        }
        words += 1;
        out.push(Term::Words { text: cleaned, prefix, not });
    }
    out
}

/// The SQL `tsquery` expression of one term, its text bound as a parameter.
fn term_sql(a: &mut Args, text: &str, prefix: bool) -> String {
    if prefix {
        // Letters and digits only: the words in sequence, the last one as a prefix.
        let q = text.split(' ').collect::<Vec<_>>().join(" <-> ") + ":*";
        format!("to_tsquery('english', {})", a.push(q))
    } else {
        format!("phraseto_tsquery('english', {})", a.push(text.to_string()))
    }
}

/// The `tsquery` SQL expressions of a user quote query: what must match (`None`: anything)
/// and what must not (`None`: nothing). Adjacent terms must all match; `OR` separates
/// alternatives (FTS5's precedence in the embedded store: AND binds tighter than OR).
fn quote_query(a: &mut Args, text: &str) -> (Option<String>, Option<String>) {
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    let mut neg: Vec<String> = Vec::new();
    for t in terms(text) {
        match t {
            Term::Or => {
                if groups.last().is_some_and(|g| !g.is_empty()) {
                    groups.push(Vec::new());
                }
            }
            Term::Words { text, prefix, not: true } => neg.push(term_sql(a, &text, prefix)),
            Term::Words { text, prefix, not: false } => {
                let s = term_sql(a, &text, prefix);
                groups.last_mut().expect("one group").push(s);
            }
        }
    }
    let groups: Vec<String> =
        groups.into_iter().filter(|g| !g.is_empty()).map(|g| format!("({})", g.join(" && "))).collect();
    let pos = (!groups.is_empty()).then(|| format!("({})", groups.join(" || ")));
    let neg = (!neg.is_empty()).then(|| format!("({})", neg.join(" || ")));
    (pos, neg)
}

/// The words of a search query (operators, field names and excluded words left out), as a
/// `to_tsquery` text matching any of them (letters and digits only).
pub fn search_words(text: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        if token.starts_with('-') || matches!(token, "AND" | "OR" | "NOT") {
            continue;
        }
        let token = token.rsplit(':').next().unwrap_or(token);
        for w in token.split(|ch: char| !ch.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let w = w.to_lowercase();
            if !words.contains(&w) && words.len() < MAX_TERMS {
                words.push(w);
            }
        }
    }
    (!words.is_empty()).then(|| words.join(" | "))
}

pub(crate) const QUOTE_COLUMNS: &str =
    "q.ordinal, q.kind, q.content, q.span_start, q.span_end, q.source, q.cue, q.speaker_id, q.speaker_name, \
     q.speaker_kind, q.reported_by_id, q.reported_by_name, q.reported_by_kind, q.confidence";

pub(crate) fn stored_quote(r: &Row) -> StoredQuote {
    let person = |at: usize| -> Option<QuoteSpeaker> {
        let name: Option<String> = r.get(at + 1);
        name.map(|name| QuoteSpeaker {
            id: r.get(at),
            name,
            kind: r.get::<_, Option<String>>(at + 2).unwrap_or_else(|| "misc".into()),
        })
    };
    StoredQuote {
        ordinal: r.get::<_, i64>(0).clamp(0, u32::MAX as i64) as u32,
        kind: r.get(1),
        text: r.get(2),
        span: (u(r.get(3)) as usize, u(r.get(4)) as usize),
        source: r.get(5),
        cue: r.get(6),
        speaker: person(7),
        reported_by: person(10),
        confidence: r.get::<_, f64>(13) as f32,
    }
}

fn article(r: &Row, at: usize) -> QuoteArticle {
    QuoteArticle {
        id: r.get(at),
        title: r.get(at + 1),
        url: r.get(at + 2),
        source: r.get(at + 3),
        published: decode_opt_time(r.get(at + 4)),
    }
}

pub fn quotes(c: &mut Client, query: &QuoteQuery, ctx: Ctx) -> Result<Page<QuoteHit>> {
    let db = |e| ctx.db(e);
    let mut a = Args::default();
    let mut clauses = Vec::new();
    if let Some(s) = query.speaker.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let ids = identity_ids(c, &crate::pg_text(s), ctx)?;
        clauses.push(format!("q.speaker_id = ANY({}::text[])", a.push(ids)));
    }
    if let Some(s) = query.about.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let ids = a.push(identity_ids(c, &crate::pg_text(s), ctx)?);
        // The forms the quote's own article wrote the entity in (`aliases`: {form: count}).
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM entity_occurrences o, jsonb_object_keys(o.aliases::jsonb) k \
             WHERE o.doc_id = q.doc_id AND o.entity_id = ANY({ids}::text[]) AND length(k) >= 3 \
             AND strpos(q.content, k) > 0) AND (q.speaker_id IS NULL OR NOT q.speaker_id = ANY({ids}::text[]))"
        ));
    }
    if let Some(k) = query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        clauses.push(format!("q.kind = {}", a.push(crate::pg_text(&k.to_ascii_lowercase()))));
    }
    let (pos, neg) = match query.q.as_deref() {
        Some(text) => quote_query(&mut a, text),
        None => (None, None),
    };
    if let Some(p) = pos {
        clauses.push(format!("q.tsv @@ {p}"));
    }
    if let Some(n) = neg {
        clauses.push(format!("NOT (q.tsv @@ {n})"));
    }
    let filter = where_clause(&clauses);
    let total: i64 = c.query_one(&format!("SELECT count(*) FROM quotes q{filter}"), &a.refs()).map_err(db)?.get(0);
    let limit = query.limit.min(MAX_PAGE);
    let offset = query.offset.min(i64::MAX as u64);
    let rows = c
        .query(
            &format!(
                "SELECT {QUOTE_COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw FROM quotes q \
                 JOIN documents d ON d.id = q.doc_id{filter} \
                 ORDER BY q.published DESC NULLS LAST, q.doc_id, q.ordinal LIMIT {limit} OFFSET {offset}"
            ),
            &a.refs(),
        )
        .map_err(db)?;
    let items = rows.iter().map(|r| QuoteHit { quote: stored_quote(r), article: article(r, 14) }).collect();
    Ok(Page { total: u(total), offset: query.offset, limit, items })
}

/// The quotes a search hit carries: up to `max` of the article's quotes that contain a word
/// of `words` (from [`search_words`]), else its first `max`; whether they matched; the
/// article's number of quotes.
pub fn for_hit(
    c: &mut Client,
    doc_id: &str,
    words: Option<&str>,
    max: usize,
    ctx: Ctx,
) -> Result<(Vec<StoredQuote>, bool, u64)> {
    let db = |e| ctx.db(e);
    let total: i64 = c.query_one("SELECT count(*) FROM quotes WHERE doc_id = $1", &[&doc_id]).map_err(db)?.get(0);
    if total == 0 {
        return Ok((Vec::new(), false, 0));
    }
    if let Some(w) = words {
        let rows = c
            .query(
                &format!(
                    "SELECT {QUOTE_COLUMNS} FROM quotes q WHERE q.doc_id = $1 \
                     AND q.tsv @@ to_tsquery('english', $2) ORDER BY q.ordinal LIMIT $3"
                ),
                &[&doc_id, &w, &(max as i64)],
            )
            .map_err(db)?;
        if !rows.is_empty() {
            return Ok((rows.iter().map(stored_quote).collect(), true, u(total)));
        }
    }
    let rows = c
        .query(
            &format!("SELECT {QUOTE_COLUMNS} FROM quotes q WHERE q.doc_id = $1 ORDER BY q.ordinal LIMIT $2"),
            &[&doc_id, &(max as i64)],
        )
        .map_err(db)?;
    Ok((rows.iter().map(stored_quote).collect(), false, u(total)))
}

// ---------------------------------------------------------------------------------------------
// Events

pub(crate) const EVENT_COLUMNS: &str =
    "e.ordinal, e.code, e.root, e.plover, e.goldstein, e.quad_class, e.modality, e.trigger, \
     e.content, e.span_start, e.span_end, e.source_id, e.source_name, e.source_code, e.target_id, e.target_name, \
     e.target_code, e.place_id, e.place_name, e.place_country, e.lat, e.lon, e.day, e.date_value, e.confidence";

pub(crate) fn stored_event(r: &Row) -> StoredEvent {
    let who = |at: usize| -> Option<EventActor> {
        let name: Option<String> = r.get(at + 1);
        name.map(|name| EventActor { id: r.get(at), name, code: r.get(at + 2) })
    };
    let place_name: Option<String> = r.get(18);
    StoredEvent {
        ordinal: r.get::<_, i64>(0).clamp(0, u32::MAX as i64) as u32,
        code: r.get(1),
        root: r.get(2),
        plover: r.get(3),
        goldstein: r.get::<_, f64>(4) as f32,
        quad_class: r.get::<_, i64>(5).clamp(0, 255) as u8,
        modality: r.get(6),
        trigger: r.get(7),
        text: r.get(8),
        span: (u(r.get(9)) as usize, u(r.get(10)) as usize),
        source: who(11),
        target: who(14),
        place: place_name.map(|name| EventPlace {
            id: r.get(17),
            name,
            country: r.get(19),
            lat: r.get(20),
            lon: r.get(21),
        }),
        day: r.get(22),
        date: r.get(23),
        confidence: r.get::<_, f64>(24) as f32,
    }
}

/// `LIKE` pattern of a prefix, wildcards escaped.
fn like_prefix(p: &str) -> String {
    let mut s = String::with_capacity(p.len() + 1);
    for ch in p.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    crate::pg_text(&s)
}

pub fn events(c: &mut Client, query: &EventQuery, ctx: Ctx) -> Result<Page<EventHit>> {
    let db = |e| ctx.db(e);
    let mut a = Args::default();
    let mut clauses: Vec<String> = Vec::new();
    if let Some(actor) = query.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let roles: &[&str] = match query.role.as_deref() {
            Some("source") => &["source"],
            Some("target") => &["target"],
            _ => &["source", "target"],
        };
        let is_code = actor.len() <= 15 && actor.bytes().all(|b| b.is_ascii_alphabetic());
        let ids = a.push(identity_ids(c, &crate::pg_text(actor), ctx)?);
        let code = is_code.then(|| a.push(like_prefix(&actor.to_ascii_uppercase())));
        let mut ors = Vec::new();
        for role in roles {
            ors.push(format!("e.{role}_id = ANY({ids}::text[])"));
            if let Some(code) = &code {
                ors.push(format!("e.{role}_code LIKE {code}"));
            }
        }
        clauses.push(format!("({})", ors.join(" OR ")));
    }
    if let Some(code) = query.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        clauses.push(format!("e.code LIKE {}", a.push(like_prefix(code))));
    }
    if let Some(f) = query.from {
        clauses.push(format!("e.day >= {}", a.push(f.format("%Y-%m-%d").to_string())));
    }
    if let Some(t) = query.to {
        clauses.push(format!("e.day <= {}", a.push(t.format("%Y-%m-%d").to_string())));
    }
    if let Some(n) = query.near {
        // The embedded store's distance: a latitude band, then the equirectangular distance
        // at the centre's latitude (longitude difference wrapped to ±180°). The numbers are
        // checked finite f64 formatted into the statement, never user text.
        let dlat = n.km / KM_PER_DEGREE;
        let (lo, hi) = (a.push(n.lat - dlat), a.push(n.lat + dlat));
        clauses.push(format!("e.lat IS NOT NULL AND e.lon IS NOT NULL AND e.lat BETWEEN {lo} AND {hi}"));
        let lon0 = format!("({:.9}::float8)", n.lon);
        let dlon = format!(
            "(CASE WHEN e.lon - {lon0} > 180 THEN e.lon - {lon0} - 360 \
             WHEN e.lon - {lon0} < -180 THEN e.lon - {lon0} + 360 ELSE e.lon - {lon0} END)"
        );
        let cos = n.lat.to_radians().cos().clamp(0.0, 1.0);
        clauses.push(format!(
            "({dlon} * {cos:.9}) * ({dlon} * {cos:.9}) + (e.lat - ({lat:.9})) * (e.lat - ({lat:.9})) <= {r2:.9}",
            lat = n.lat,
            r2 = dlat * dlat
        ));
    }
    let filter = where_clause(&clauses);
    let total: i64 = c.query_one(&format!("SELECT count(*) FROM events e{filter}"), &a.refs()).map_err(db)?.get(0);
    let limit = query.limit.min(MAX_PAGE);
    let offset = query.offset.min(i64::MAX as u64);
    let rows = c
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw FROM events e \
                 JOIN documents d ON d.id = e.doc_id{filter} \
                 ORDER BY e.day DESC NULLS LAST, e.published DESC NULLS LAST, e.doc_id, e.ordinal \
                 LIMIT {limit} OFFSET {offset}"
            ),
            &a.refs(),
        )
        .map_err(db)?;
    let items = rows.iter().map(|r| EventHit { event: stored_event(r), article: article(r, 25) }).collect();
    Ok(Page { total: u(total), offset: query.offset, limit, items })
}

// ---------------------------------------------------------------------------------------------
// Stories and near-duplicates

const STORY_COLUMNS: &str = "id, label, first_published, last_published, articles";

fn story_summary(r: &Row) -> StorySummary {
    StorySummary {
        id: u(r.get(0)),
        label: r.get(1),
        first_published: unix(r.get(2)),
        last_published: unix(r.get(3)),
        articles: u(r.get(4)),
    }
}

fn list_of(json: String) -> Vec<String> {
    serde_json::from_str(&json).unwrap_or_default()
}

pub fn stories(c: &mut Client, q: &StoryQuery, ctx: Ctx) -> Result<Page<StorySummary>> {
    let db = |e| ctx.db(e);
    let total: i64 = c.query_one("SELECT count(*) FROM stories", &[]).map_err(db)?.get(0);
    let limit = q.limit.min(MAX_PAGE);
    let offset = q.offset.min(i64::MAX as u64);
    let rows = c
        .query(
            &format!(
                "SELECT {STORY_COLUMNS} FROM stories ORDER BY articles DESC, last_published DESC NULLS LAST, id \
                 LIMIT {limit} OFFSET {offset}"
            ),
            &[],
        )
        .map_err(db)?;
    Ok(Page { total: u(total), offset: q.offset, limit, items: rows.iter().map(story_summary).collect() })
}

/// One story with all its articles and the first [`STORY_TIMELINE`] items of its timeline.
pub fn story(c: &mut Client, id: u64, ctx: Ctx) -> Result<Option<StoryDetail>> {
    story_page(c, id, &StoryPage::WHOLE, ctx)
}

/// One story with one page of its articles and of its timeline, and their totals (the
/// embedded store's `stories::story`).
pub fn story_page(c: &mut Client, id: u64, page: &StoryPage, ctx: Ctx) -> Result<Option<StoryDetail>> {
    let db = |e| ctx.db(e);
    let Ok(id) = i64::try_from(id) else { return Ok(None) };
    let Some(row) = c
        .query_opt(&format!("SELECT {STORY_COLUMNS}, places, keywords, dates FROM stories WHERE id = $1"), &[&id])
        .map_err(db)?
    else {
        return Ok(None);
    };
    let summary = story_summary(&row);
    let sql_int = |n: u64| n.min(i64::MAX as u64) as i64;
    let articles_total: i64 =
        c.query_one("SELECT count(*) FROM story_articles WHERE story_id = $1", &[&id]).map_err(db)?.get(0);
    let articles = c
        .query(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw FROM story_articles s \
             JOIN documents d ON d.id = s.doc_id WHERE s.story_id = $1 \
             ORDER BY d.published ASC NULLS LAST, d.id LIMIT $2 OFFSET $3",
            &[&id, &sql_int(page.articles_limit), &sql_int(page.articles_offset)],
        )
        .map_err(db)?
        .iter()
        .map(|r| article(r, 0))
        .collect();
    let entities = c
        .query(
            "SELECT o.entity_id, max(o.name), max(o.kind), count(*) AS n, sum(o.mentions)::bigint AS m \
             FROM entity_occurrences o JOIN story_articles s ON s.doc_id = o.doc_id WHERE s.story_id = $1 \
             GROUP BY o.entity_id ORDER BY n DESC, m DESC, o.entity_id LIMIT $2",
            &[&id, &(STORY_ENTITIES as i64)],
        )
        .map_err(db)?
        .iter()
        .map(|r| StoryEntity {
            id: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            articles: u(r.get(3)),
            mentions: u(r.get(4)),
        })
        .collect();
    let items: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM events e JOIN story_articles s ON s.doc_id = e.doc_id \
             WHERE s.story_id = $1) + (SELECT count(*) FROM quotes q JOIN story_articles s ON s.doc_id = q.doc_id \
             WHERE s.story_id = $1)",
            &[&id],
        )
        .map_err(db)?
        .get(0);
    let timeline_total = u(items).min(STORY_TIMELINE as u64);
    // The page's items are among the first `offset + limit` of each kind: read those, merge.
    let (skip, end) = page.timeline_window(timeline_total);
    let timeline = if end > skip {
        let mut items = timeline_items(
            c,
            "JOIN story_articles s ON s.doc_id = e.doc_id WHERE s.story_id = $1",
            "JOIN story_articles s ON s.doc_id = q.doc_id WHERE s.story_id = $1",
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
        places: list_of(row.get(5)),
        keywords: list_of(row.get(6)),
        dates: list_of(row.get(7)),
        entities,
        articles,
        articles_total: u(articles_total),
        articles_offset: page.articles_offset,
        timeline,
        timeline_total,
        timeline_offset: page.timeline_offset,
    }))
}

/// One story's summary.
pub fn story_summary_of(c: &mut Client, id: u64, ctx: Ctx) -> Result<Option<StorySummary>> {
    let Ok(id) = i64::try_from(id) else { return Ok(None) };
    let row =
        c.query_opt(&format!("SELECT {STORY_COLUMNS} FROM stories WHERE id = $1"), &[&id]).map_err(|e| ctx.db(e))?;
    Ok(row.as_ref().map(story_summary))
}

/// Timeline items (the embedded store's `stories::timeline_items`): events (`events e`
/// joined by `event_sql`), quotes (`quotes q` joined by `quote_sql`) and, with
/// `article_sql`, articles (`documents d` joined by it), at most `cap` of each kind, ordered
/// by the date of what happened (an event's day; a quote's or an article's publication day),
/// undated last, then publication, article, position (the article before its items).
pub fn timeline_items(
    c: &mut Client,
    event_sql: &str,
    quote_sql: &str,
    article_sql: Option<&str>,
    args: &[&(dyn postgres::types::ToSql + Sync)],
    cap: usize,
    ctx: Ctx,
) -> Result<Vec<TimelineItem>> {
    let db = |e| ctx.db(e);
    let mut timeline: Vec<TimelineItem> = Vec::new();
    let rows = c
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw, e.published FROM events e \
                 JOIN documents d ON d.id = e.doc_id {event_sql} \
                 ORDER BY e.day ASC NULLS LAST, e.published ASC NULLS LAST, e.doc_id, e.ordinal LIMIT {cap}"
            ),
            args,
        )
        .map_err(db)?;
    for r in &rows {
        let event = stored_event(r);
        timeline.push(TimelineItem {
            date: event.day.clone(),
            published: r.get(30),
            article: article(r, 25),
            event: Some(event),
            quote: None,
        });
    }
    let rows = c
        .query(
            &format!(
                "SELECT {QUOTE_COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw, q.published FROM quotes q \
                 JOIN documents d ON d.id = q.doc_id {quote_sql} \
                 ORDER BY q.published ASC NULLS LAST, q.doc_id, q.ordinal LIMIT {cap}"
            ),
            args,
        )
        .map_err(db)?;
    for r in &rows {
        let published: Option<i64> = r.get(19);
        timeline.push(TimelineItem {
            date: unix(published).map(|t| t.format("%Y-%m-%d").to_string()),
            published,
            article: article(r, 14),
            event: None,
            quote: Some(stored_quote(r)),
        });
    }
    if let Some(sql) = article_sql {
        let rows = c
            .query(
                &format!(
                    "SELECT d.id, d.title, d.url, d.source, d.published_raw, d.published FROM documents d {sql} \
                     ORDER BY d.published ASC NULLS LAST, d.id LIMIT {cap}"
                ),
                args,
            )
            .map_err(db)?;
        for r in &rows {
            let published: Option<i64> = r.get(5);
            timeline.push(TimelineItem {
                date: unix(published).map(|t| t.format("%Y-%m-%d").to_string()),
                published,
                article: article(r, 0),
                event: None,
                quote: None,
            });
        }
    }
    let ord = |t: &TimelineItem| {
        (
            t.event.is_some() || t.quote.is_some(),
            t.quote.is_some(),
            t.event.as_ref().map(|e| e.ordinal).or(t.quote.as_ref().map(|q| q.ordinal)),
        )
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
    Ok(timeline)
}

/// An entity's timeline: its events as source or target, its quotes and the articles that
/// mention it, by the date of what happened, one page of it (`None` when no article mentions
/// it). Any of its ids: a merged id answers with its identity.
pub fn entity_timeline(
    c: &mut Client,
    id: &str,
    offset: u64,
    limit: u64,
    ctx: Ctx,
) -> Result<Option<Page<TimelineItem>>> {
    let id = canonical(c, id, ctx)?;
    let ids = members(c, &id, ctx)?;
    let mentioned = c
        .query_opt("SELECT 1 FROM entity_occurrences WHERE entity_id = ANY($1) LIMIT 1", &[&ids])
        .map_err(|e| ctx.db(e))?;
    if mentioned.is_none() {
        return Ok(None);
    }
    let items = timeline_items(
        c,
        "WHERE e.source_id = ANY($1) OR e.target_id = ANY($1)",
        "WHERE q.speaker_id = ANY($1)",
        Some("WHERE d.id IN (SELECT doc_id FROM entity_occurrences WHERE entity_id = ANY($1))"),
        &[&ids],
        newsgraph_store::ENTITY_TIMELINE,
        ctx,
    )?;
    let limit = limit.min(MAX_PAGE);
    let total = items.len() as u64;
    let items = items.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).collect();
    Ok(Some(Page { total, offset, limit, items }))
}

pub fn story_of(c: &mut Client, doc_id: &str, ctx: Ctx) -> Result<Option<u64>> {
    let row =
        c.query_opt("SELECT story_id FROM story_articles WHERE doc_id = $1", &[&doc_id]).map_err(|e| ctx.db(e))?;
    Ok(row.map(|r| u(r.get(0))))
}

pub fn duplicates(c: &mut Client, doc_id: &str, ctx: Ctx) -> Result<Option<DuplicateGroup>> {
    let db = |e| ctx.db(e);
    if c.query_opt("SELECT 1 FROM documents WHERE id = $1", &[&doc_id]).map_err(db)?.is_none() {
        return Ok(None);
    }
    let canonical: String = c
        .query_opt("SELECT canonical FROM duplicates WHERE doc_id = $1", &[&doc_id])
        .map_err(db)?
        .map(|r| r.get(0))
        .unwrap_or_else(|| doc_id.to_string());
    let rows = c
        .query(
            "SELECT d.id, d.title, d.url, d.source, d.published_raw, x.nearest, x.similarity FROM documents d \
             LEFT JOIN duplicates x ON x.doc_id = d.id \
             WHERE d.id = $1 OR d.id IN (SELECT doc_id FROM duplicates WHERE canonical = $1) \
             ORDER BY d.published ASC NULLS LAST, d.ord",
            &[&canonical],
        )
        .map_err(db)?;
    let members = rows
        .iter()
        .map(|r| {
            let article = article(r, 0);
            DuplicateMember {
                canonical: article.id == canonical,
                nearest: r.get(5),
                similarity: r.get::<_, Option<f64>>(6).map(|x| x as f32),
                article,
            }
        })
        .collect();
    Ok(Some(DuplicateGroup { article: doc_id.to_string(), canonical, members }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_terms_never_carry_syntax() {
        let mut a = Args::default();
        let (pos, neg) = quote_query(&mut a, "war* \"peace talks\" OR -no (x:y) & | ! <-> 'z'");
        assert_eq!(
            pos.as_deref(),
            Some(
                "((to_tsquery('english', $1) && phraseto_tsquery('english', $2)) || \
                 (phraseto_tsquery('english', $4) && phraseto_tsquery('english', $5)))"
            )
        );
        assert_eq!(neg.as_deref(), Some("(phraseto_tsquery('english', $3))"));
        assert_eq!(a.vals.len(), 5);
        assert_eq!(search_words("title:Putin -war a&b OR"), Some("putin | a | b".into()));
    }
}
