//! Quotes: one row per quote in `quotes` (format version 3, schema in `db`) with an FTS5
//! index over their content (`quotes_fts`), written in the article's transaction, and the
//! queries over them.

use crate::db::{decode_opt_time, Kept};
use crate::entities::Walk;
use crate::error::{Ctx, Result};
use crate::filter::{Filter, Order};
use crate::types::{Page, QuoteArticle, QuoteHit, QuoteQuery, QuoteSpeaker, StoredQuote, MAX_PAGE};
use newsgraph_model::Document;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row, Transaction};

/// Longest [`QuoteQuery::q`] considered (chars); the rest is ignored.
pub const MAX_QUOTE_QUERY_CHARS: usize = 500;

/// Most terms of a quote query (or words of a search) used; the rest are ignored.
const MAX_TERMS: usize = 32;

/// Quotes each search hit carries at most.
pub const HIT_QUOTES: usize = 3;

/// Quotes an entity's detail carries at most (its newest).
pub const ENTITY_QUOTES: u64 = 10;

/// Replaces the quote rows of a document (called in the transaction that writes it). The
/// triggers of `quotes` keep `quotes_fts` in step.
pub fn write_quotes(tx: &Transaction, doc: &Document) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM quotes WHERE doc_id = ?1", [&doc.id])?;
    if doc.layers.quotes.is_empty() {
        return Ok(());
    }
    let published = doc.meta.published.as_ref().map(|p| p.time.timestamp());
    let mut st = tx.prepare_cached(
        "INSERT INTO quotes(doc_id, ordinal, published, kind, content, span_start, span_end, source, cue, \
         speaker_id, speaker_name, speaker_kind, reported_by_id, reported_by_name, reported_by_kind, confidence) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for (i, q) in crate::rows::quote_rows(doc).into_iter().enumerate() {
        let (speaker, reporter) = (q.speaker, q.reported_by);
        st.execute(params![
            doc.id,
            i as i64,
            published,
            q.kind,
            q.content,
            q.span.0,
            q.span.1,
            q.source,
            q.cue,
            speaker.as_ref().and_then(|s| s.0.clone()),
            speaker.as_ref().map(|s| s.1.clone()),
            speaker.as_ref().map(|s| s.2.clone()),
            reporter.as_ref().and_then(|s| s.0.clone()),
            reporter.as_ref().map(|s| s.1.clone()),
            reporter.as_ref().map(|s| s.2.clone()),
            q.confidence,
        ])?;
    }
    Ok(())
}

/// One term of a quote query.
#[derive(Debug, PartialEq)]
enum Term {
    /// Words to find (one word, or a phrase), as an FTS5 string; `prefix` adds `*`.
    Words {
        text: String,
        prefix: bool,
        not: bool,
    },
    Or,
}

/// Reads user text as quote-query terms: words, `"phrases"`, `word*`, `-word`, `OR`.
/// Everything else (FTS5 operators, column filters, brackets, control characters) is read as
/// word separators, so no input reaches FTS5 as syntax.
fn terms(text: &str) -> Vec<Term> {
    let text: String = text.chars().take(MAX_QUOTE_QUERY_CHARS).collect();
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut words = 0;
    while let Some(&c) = chars.peek() {
        if words >= MAX_TERMS {
            break;
        }
        if c.is_whitespace() || c.is_control() {
            chars.next();
            continue;
        }
        let not = c == '-';
        if not || c == '+' {
            chars.next();
        }
        let (raw, quoted) = if chars.peek() == Some(&'"') {
            chars.next();
            let mut s = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                s.push(c);
            }
            (s, true)
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                s.push(c);
                chars.next();
            }
            (s, false)
        };
        if !quoted && !not && raw == "OR" {
            out.push(Term::Or);
            continue;
        }
        // `field:word` (search syntax): the word.
        let raw = if quoted { raw.as_str() } else { raw.rsplit(':').next().unwrap_or("") };
        // Keep letters and digits; anything else separates words (as the tokenizer does).
        let prefix = !quoted && raw.ends_with('*');
        let cleaned: String = raw.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if cleaned.is_empty() || (!quoted && matches!(raw, "AND" | "NOT")) {
            continue;
        }
        words += 1;
        out.push(Term::Words { text: cleaned, prefix, not });
    }
    out
}

/// An FTS5 string literal.
fn fts_string(words: &str, prefix: bool) -> String {
    format!("\"{}\"{}", words.replace('"', "\"\""), if prefix { "*" } else { "" })
}

/// The FTS5 expressions of a user quote query: what must match (`None`: anything) and what
/// must not (`None`: nothing).
pub fn fts_query(text: &str) -> (Option<String>, Option<String>) {
    let mut pos: Vec<String> = Vec::new();
    let mut neg: Vec<String> = Vec::new();
    let mut or_pending = false;
    for t in terms(text) {
        match t {
            Term::Or => or_pending = !pos.is_empty(),
            Term::Words { text, prefix, not: true } => neg.push(fts_string(&text, prefix)),
            Term::Words { text, prefix, not: false } => {
                let s = fts_string(&text, prefix);
                if or_pending {
                    pos.push(format!("OR {s}"));
                } else {
                    pos.push(s);
                }
                or_pending = false;
            }
        }
    }
    let pos = (!pos.is_empty()).then(|| pos.join(" "));
    let neg = (!neg.is_empty()).then(|| neg.join(" OR "));
    (pos, neg)
}

/// The words of a search query (operators, field names and excluded words left out), as an
/// FTS5 expression matching any of them.
pub fn search_words(text: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        if token.starts_with('-') || matches!(token, "AND" | "OR" | "NOT") {
            continue;
        }
        let token = token.rsplit(':').next().unwrap_or(token);
        for w in token.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let w = w.to_lowercase();
            if !words.contains(&w) && words.len() < MAX_TERMS {
                words.push(w);
            }
        }
    }
    (!words.is_empty()).then(|| words.iter().map(|w| fts_string(w, false)).collect::<Vec<_>>().join(" OR "))
}

pub(crate) const COLUMNS: &str =
    "q.ordinal, q.kind, q.content, q.span_start, q.span_end, q.source, q.cue, q.speaker_id, q.speaker_name, \
     q.speaker_kind, q.reported_by_id, q.reported_by_name, q.reported_by_kind, q.confidence";

/// Reads [`COLUMNS`] (from column 0).
pub(crate) fn stored(r: &Row) -> rusqlite::Result<StoredQuote> {
    let person = |id: usize| -> rusqlite::Result<Option<QuoteSpeaker>> {
        let name: Option<String> = r.get(id + 1)?;
        Ok(name.map(|name| QuoteSpeaker {
            id: r.get::<_, Option<String>>(id).ok().flatten(),
            name,
            kind: r.get::<_, Option<String>>(id + 2).ok().flatten().unwrap_or_else(|| "misc".into()),
        }))
    };
    Ok(StoredQuote {
        ordinal: r.get::<_, i64>(0)?.clamp(0, u32::MAX as i64) as u32,
        kind: r.get(1)?,
        text: r.get(2)?,
        span: (r.get::<_, i64>(3)?.max(0) as usize, r.get::<_, i64>(4)?.max(0) as usize),
        source: r.get(5)?,
        cue: r.get(6)?,
        speaker: person(7)?,
        reported_by: person(10)?,
        confidence: r.get::<_, f64>(13)? as f32,
    })
}

/// Newest article first (undated last: SQLite sorts NULL last in descending order, so the
/// `quotes_published` index serves the order), then by article id and position.
const ORDER: &str = "ORDER BY q.published DESC, q.doc_id, q.ordinal";
const PAGE_ORDER: Order = Order { alias: "q", columns: &["published", "doc_id", "ordinal"], sql: ORDER };

/// Quotes matching `query`; a speaker matches any id of its identity (`merges`: the store has
/// the `entity_merges` table).
pub fn quotes(conn: &Connection, query: &QuoteQuery, merges: bool, kept: Kept, ctx: Ctx) -> Result<Page<QuoteHit>> {
    quotes_by(conn, query, merges, kept, Walk::Auto, ctx)
}

/// [`quotes`], where the quotes about an entity (and nothing else asked) may be found by
/// walking every quote from the newest ([`Walk`]): for a frequent entity, thousands of quotes
/// name it, and sorting them costs a row read each, while a walk finds a page within a few
/// hundred steps. The quotes of a speaker with several ids are walked id by id
/// ([`Filter::page_ids`]); [`Walk::Never`] sorts every matching quote instead (tests compare).
pub(crate) fn quotes_by(
    conn: &Connection,
    query: &QuoteQuery,
    merges: bool,
    kept: Kept,
    walk: Walk,
    ctx: Ctx,
) -> Result<Page<QuoteHit>> {
    let db = |e| ctx.db(e);
    let limit = query.limit.min(MAX_PAGE);
    let offset = query.offset.min(i64::MAX as u64);
    let given = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let (speaker, about, kind, words) =
        (given(&query.speaker), given(&query.about), given(&query.kind), given(&query.q));
    let mut filter = Filter::default();
    let mut total: Option<i64> = None;
    let mut walked = false;
    if let Some(s) = &speaker {
        // One alternative per id of the identity: a page walks each id's quotes in order.
        let ids = crate::entities::identity_ids(conn, s, merges, ctx)?;
        filter.any(ids.into_iter().map(|id| ("q.speaker_id = ?".to_string(), vec![id.into()])).collect());
    }
    if let Some(a) = &about {
        let ids = crate::entities::identity_ids(conn, a, merges, ctx)?;
        let marks = vec!["?"; ids.len()].join(", ");
        let id_args = || ids.iter().map(|id| Value::from(id.clone()));
        // A quote names the entity when it holds a form (of at least 3 bytes) that its own
        // article wrote the entity in: kept in `quote_mentions`, else found from the forms
        // (`aliases`: {form: count}) of the quotes of the entity's articles (`doc_id IN`:
        // through the quotes' (doc_id, ordinal) index), not every quote of the store.
        if kept.quote_mentions {
            if speaker.is_none() && kind.is_none() && words.is_none() {
                // Counted from the kept rows: those naming the identity, less those it said
                // itself (through the speaker index), without reading every quote's row.
                let n: i64 = conn
                    .prepare_cached(&format!(
                        "SELECT (SELECT count(DISTINCT quote_id) FROM quote_mentions WHERE entity_id IN ({marks})) - \
                         (SELECT count(*) FROM quotes q WHERE q.speaker_id IN ({marks}) AND q.id IN \
                         (SELECT quote_id FROM quote_mentions WHERE entity_id IN ({marks})))"
                    ))
                    .map_err(db)?
                    .query_row(params_from_iter(id_args().chain(id_args()).chain(id_args())), |r| r.get(0))
                    .map_err(db)?;
                total = Some(n);
                walked = walk.pays_in(conn, "quotes", n.max(0) as u64, offset.saturating_add(limit), ctx)?;
            }
            let sql = if walked {
                format!("EXISTS (SELECT 1 FROM quote_mentions m WHERE m.entity_id IN ({marks}) AND m.quote_id = q.id)")
            } else {
                format!("q.id IN (SELECT quote_id FROM quote_mentions WHERE entity_id IN ({marks}))")
            };
            filter.all(sql, id_args());
        } else {
            filter.all(
                format!(
                    "q.doc_id IN (SELECT doc_id FROM entity_occurrences WHERE entity_id IN ({marks})) \
                     AND EXISTS (SELECT 1 FROM entity_occurrences o, json_each(o.aliases) j WHERE o.doc_id = q.doc_id \
                     AND o.entity_id IN ({marks}) AND length(j.key) >= 3 AND instr(q.content, j.key) > 0)"
                ),
                id_args().chain(id_args()),
            );
        }
        filter.all(format!("(q.speaker_id IS NULL OR q.speaker_id NOT IN ({marks}))"), id_args());
    }
    if let Some(k) = &kind {
        filter.all("q.kind = ?", [Value::from(k.to_ascii_lowercase())]);
    }
    let (pos, neg) = words.as_deref().map(fts_query).unwrap_or((None, None));
    if let Some(p) = pos {
        filter.all("q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)", [Value::from(p)]);
    }
    if let Some(n) = neg {
        filter.all("q.id NOT IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)", [Value::from(n)]);
    }
    let total = match total {
        Some(n) => n,
        None => {
            let (sql, args) = filter.sql();
            conn.query_row(&format!("SELECT count(*) FROM quotes q{sql}"), params_from_iter(args.iter()), |r| r.get(0))
                .map_err(db)?
        }
    };
    // The newest quotes (nothing asked, or a walk) are read in the order of
    // `quotes_published`: left to itself, SQLite sorts every matching quote for a page.
    let newest = walked || (speaker.is_none() && about.is_none() && words.is_none());
    let from = if newest { "quotes q INDEXED BY quotes_published" } else { "quotes q" };
    // The page's ids are sorted first, narrow rows without their article; then only the
    // page's rows are read in full and joined.
    let (page, args) = filter.page_ids(from, &PAGE_ORDER, limit, offset, walk != Walk::Never);
    let sql = format!(
        "SELECT {COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw FROM quotes q \
         JOIN documents d ON d.id = q.doc_id WHERE q.id IN ({page}) {ORDER}"
    );
    let mut st = conn.prepare(&sql).map_err(db)?;
    let items = st
        .query_map(params_from_iter(args.iter()), |r| {
            Ok(QuoteHit {
                quote: stored(r)?,
                article: QuoteArticle {
                    id: r.get(14)?,
                    title: r.get(15)?,
                    url: r.get(16)?,
                    source: r.get(17)?,
                    published: decode_opt_time(r.get(18)?),
                },
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    Ok(Page { total: total as u64, offset: query.offset, limit, items })
}

/// The quotes a search hit carries: up to `max` of the article's quotes that contain a word
/// of `words` (an expression from [`search_words`]), else its first `max` quotes. Returns
/// them, whether they matched, and the article's number of quotes.
pub fn for_hit(
    conn: &Connection,
    doc_id: &str,
    words: Option<&str>,
    max: usize,
    ctx: Ctx,
) -> Result<(Vec<StoredQuote>, bool, u64)> {
    let db = |e| ctx.db(e);
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM quotes WHERE doc_id = ?1")
        .map_err(db)?
        .query_row([doc_id], |r| r.get(0))
        .map_err(db)?;
    if total == 0 {
        return Ok((Vec::new(), false, 0));
    }
    if let Some(w) = words {
        // The rowid constraint lets FTS5 check only this article's quotes.
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM quotes q WHERE q.doc_id = ?1 AND EXISTS \
                 (SELECT 1 FROM quotes_fts f WHERE quotes_fts MATCH ?2 AND f.rowid = q.id) \
                 ORDER BY q.ordinal LIMIT ?3"
            ))
            .map_err(db)?;
        let matched = st
            .query_map(params![doc_id, w, max as i64], stored)
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        if !matched.is_empty() {
            return Ok((matched, true, total as u64));
        }
    }
    let mut st = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM quotes q WHERE q.doc_id = ?1 ORDER BY q.ordinal LIMIT ?2"))
        .map_err(db)?;
    let first = st
        .query_map(params![doc_id, max as i64], stored)
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    Ok((first, false, total as u64))
}
