//! Quotes: one row per quote in `quotes` (format version 3, schema in `db`) with an FTS5
//! index over their content (`quotes_fts`), written in the article's transaction, and the
//! queries over them.

use crate::db::{decode_opt_time, Kept};
use crate::error::{Ctx, Result};
use crate::types::{Page, QuoteArticle, QuoteHit, QuoteQuery, QuoteSpeaker, StoredQuote, MAX_PAGE};
use newsgraph_model::Document;
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

/// Quotes matching `query`; a speaker matches any id of its identity (`merges`: the store has
/// the `entity_merges` table).
pub fn quotes(conn: &Connection, query: &QuoteQuery, merges: bool, kept: Kept, ctx: Ctx) -> Result<Page<QuoteHit>> {
    let db = |e| ctx.db(e);
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(s) = query.speaker.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let ids = crate::entities::identity_ids(conn, s, merges, ctx)?;
        clauses.push(format!("q.speaker_id IN ({})", vec!["?"; ids.len()].join(", ")));
        args.extend(ids.into_iter().map(Into::into));
    }
    if let Some(a) = query.about.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let ids = crate::entities::identity_ids(conn, a, merges, ctx)?;
        let marks = vec!["?"; ids.len()].join(", ");
        // A quote names the entity when it holds a form (of at least 3 bytes) that its own
        // article wrote the entity in: kept in `quote_mentions`, else found from the forms
        // (`aliases`: {form: count}) of the quotes of the entity's articles (`doc_id IN`:
        // through the quotes' (doc_id, ordinal) index), not every quote of the store.
        if kept.quote_mentions {
            clauses.push(format!("q.id IN (SELECT quote_id FROM quote_mentions WHERE entity_id IN ({marks}))"));
        } else {
            clauses.push(format!(
                "q.doc_id IN (SELECT doc_id FROM entity_occurrences WHERE entity_id IN ({marks})) \
                 AND EXISTS (SELECT 1 FROM entity_occurrences o, json_each(o.aliases) j WHERE o.doc_id = q.doc_id \
                 AND o.entity_id IN ({marks}) AND length(j.key) >= 3 AND instr(q.content, j.key) > 0)"
            ));
            args.extend(ids.iter().map(|id| id.clone().into()));
        }
        clauses.push(format!("(q.speaker_id IS NULL OR q.speaker_id NOT IN ({marks}))"));
        args.extend(ids.iter().chain(&ids).map(|id| id.clone().into()));
    }
    if let Some(k) = query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        clauses.push("q.kind = ?".into());
        args.push(k.to_ascii_lowercase().into());
    }
    let (pos, neg) = query.q.as_deref().map(fts_query).unwrap_or((None, None));
    if let Some(p) = pos {
        clauses.push("q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)".into());
        args.push(p.into());
    }
    if let Some(n) = neg {
        clauses.push("q.id NOT IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)".into());
        args.push(n.into());
    }
    let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let total: i64 = conn
        .query_row(&format!("SELECT count(*) FROM quotes q{filter}"), params_from_iter(args.iter()), |r| r.get(0))
        .map_err(db)?;
    let limit = query.limit.min(MAX_PAGE);
    let offset = query.offset.min(i64::MAX as u64);
    // Without a speaker, an entity named or words, the newest quotes are read in the order of
    // `quotes_published`: left to itself, SQLite sorts every quote for a page.
    let newest = query.speaker.is_none() && query.about.is_none() && query.q.is_none();
    let by_time = if newest { " INDEXED BY quotes_published" } else { "" };
    // The page's ids are sorted first, narrow rows without their article; then only the
    // page's rows are read in full and joined.
    let sql = format!(
        "SELECT {COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw FROM quotes q \
         JOIN documents d ON d.id = q.doc_id WHERE q.id IN \
         (SELECT q.id FROM quotes q{by_time}{filter} {ORDER} LIMIT {limit} OFFSET {offset}) {ORDER}"
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
