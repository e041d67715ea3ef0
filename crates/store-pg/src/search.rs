//! Full-text search over `articles.tsv` (English configuration; title weight A, body B):
//! ranked hits, total, facet counts and snippets, in three statements.

use crate::{read, Args, Ctx, Result};
use chrono::{Datelike, Utc};
use newsgraph_store::{
    sanitize_query, FacetCount, Facets, Page, SearchHit, SearchQuery, SearchResults, Snippet, StoryHit,
    ENTITY_FACET_LIMIT, FACET_LIMIT, HIT_QUOTES, MAX_PAGE, STORY_SEARCH_HITS,
};
use postgres::Client;
use std::collections::HashMap;

/// Snippet length in chars (as the embedded store's).
const SNIPPET_CHARS: usize = 240;

/// Markers `ts_headline` puts around matched words (the model's text has no control
/// characters; any in the body are removed before the markers are read).
const START: char = '\u{1}';
const STOP: char = '\u{2}';

/// The user text as `websearch_to_tsquery` input, and its `title:` words apart. `title:word`
/// (`-title:word` to exclude) matches the title only, as in the embedded store; another
/// `field:word` is read as `word` (PostgreSQL's parser would read the colon as a separator,
/// the field name then becoming a required word).
fn websearch_text(text: &str) -> (String, Vec<(bool, String)>) {
    let mut title = Vec::new();
    let rest = text
        .split_whitespace()
        .filter_map(|t| {
            let (sign, rest) = match t.strip_prefix(['-', '+']) {
                Some(r) => (&t[..1], r),
                None => ("", t),
            };
            match rest.split_once(':') {
                Some((field, word)) if field.eq_ignore_ascii_case("title") => {
                    // Letters and digits only reach `to_tsquery`: no operator can be injected.
                    let w: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
                    if !w.is_empty() {
                        title.push((sign == "-", w));
                    }
                    None
                }
                Some((field, word)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphabetic()) => {
                    Some(format!("{sign}{word}"))
                }
                _ => Some(t.to_string()),
            }
        })
        .map(|t| t.strip_prefix('+').map(str::to_string).unwrap_or(t))
        .collect::<Vec<_>>()
        .join(" ");
    (rest, title)
}

fn month_of(t: chrono::DateTime<Utc>) -> Option<String> {
    (1..=9999).contains(&t.year()).then(|| format!("{:04}-{:02}-01", t.year(), t.month()))
}

pub fn search(c: &mut Client, q: &SearchQuery, ctx: Ctx) -> Result<SearchResults> {
    search_with(c, q, true, ctx)
}

/// Search; `with_quotes`: each hit with its quotes (else left empty, for the caller to fill).
pub fn search_with(c: &mut Client, q: &SearchQuery, with_quotes: bool, ctx: Ctx) -> Result<SearchResults> {
    let db = |e| ctx.db(e);
    let (text, mut warnings) = sanitize_query(&q.text);
    let (text, title_words) = websearch_text(&text);
    let text = crate::pg_text(&text);
    let mut a = Args::default();
    let mut clauses: Vec<String> = Vec::new();
    // Title words: lexemes of weight A (the title's, see write.rs).
    for (not, w) in &title_words {
        let m = format!("a.tsv @@ to_tsquery('english', {}::text)", a.push(format!("{w}:A")));
        clauses.push(if *not { format!("NOT ({m})") } else { m });
    }
    let has_text = !text.trim().is_empty();
    let tsq = if has_text {
        let p = a.push(text.clone());
        let tsq = format!("websearch_to_tsquery('english', {p}::text)");
        let lexemes: i32 =
            c.query_one("SELECT numnode(websearch_to_tsquery('english', $1::text))", &[&text]).map_err(db)?.get(0);
        if lexemes == 0 {
            warnings.push("the query has no searchable words (only stop words or punctuation)".into());
        }
        clauses.push(format!("a.tsv @@ {tsq}"));
        Some(tsq)
    } else {
        None
    };
    if let Some(s) = &q.source {
        clauses.push(format!("a.source = {}", a.push(crate::pg_text(s))));
    }
    if let Some(l) = &q.language {
        clauses.push(format!("a.language = {}", a.push(crate::pg_text(l))));
    }
    if let Some(f) = q.published_from {
        clauses.push(format!("a.published >= {}", a.push(f.timestamp())));
        // Lets the planner skip earlier months' partitions (a date, not user text).
        if let Some(m) = month_of(f) {
            clauses.push(format!("a.month >= '{m}'::date"));
        }
    }
    if let Some(t) = q.published_to {
        clauses.push(format!("a.published < {}", a.push(t.timestamp())));
        if let Some(m) = month_of(t) {
            clauses.push(format!("a.month <= '{m}'::date"));
        }
    }
    if q.mentioned_from.is_some() || q.mentioned_to.is_some() {
        let lo = a.push(q.mentioned_from.map_or(i64::MIN, |t| t.timestamp()));
        let hi = a.push(q.mentioned_to.map_or(i64::MAX, |t| t.timestamp()));
        clauses.push(format!("EXISTS (SELECT 1 FROM unnest(a.mentioned) m WHERE m >= {lo} AND m < {hi})"));
    }
    if let Some(root) = q.event.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        clauses.push(format!("a.event_roots @> ARRAY[{}::text]", a.push(crate::pg_text(root))));
    }
    // Each entity filter matches any id of its identity (merged ids included).
    for e in q.entities.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let ids = read::identity_ids(c, &crate::pg_text(e), ctx)?;
        clauses.push(format!("a.entities && {}::text[]", a.push(ids)));
    }
    let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };

    // Total and facets in one statement over the matched set.
    let row = c
        .query_one(
            &format!(
                "WITH m AS MATERIALIZED (SELECT a.source, a.language, a.entities, a.event_roots, a.days \
                 FROM articles a{filter}) \
                 SELECT (SELECT count(*) FROM m), \
                 (SELECT coalesce(json_agg(json_build_array(v, n)), '[]')::text FROM \
                   (SELECT source AS v, count(*) AS n FROM m WHERE source IS NOT NULL GROUP BY source \
                    ORDER BY n DESC, v LIMIT {FACET_LIMIT}) s), \
                 (SELECT coalesce(json_agg(json_build_array(v, n)), '[]')::text FROM \
                   (SELECT language AS v, count(*) AS n FROM m WHERE language IS NOT NULL GROUP BY language \
                    ORDER BY n DESC, v LIMIT {FACET_LIMIT}) l), \
                 (SELECT coalesce(json_agg(json_build_array(v, n)), '[]')::text FROM \
                   (SELECT e COLLATE \"C\" AS v, count(*) AS n FROM m, unnest(m.entities) e GROUP BY 1 \
                    ORDER BY n DESC, v LIMIT {ENTITY_FACET_LIMIT}) x), \
                 (SELECT coalesce(json_agg(json_build_array(v, n)), '[]')::text FROM \
                   (SELECT r COLLATE \"C\" AS v, count(*) AS n FROM m, unnest(m.event_roots) r GROUP BY 1 \
                    ORDER BY n DESC, v LIMIT {FACET_LIMIT}) ev), \
                 (SELECT coalesce(json_agg(json_build_array(v, n)), '[]')::text FROM \
                   (SELECT to_char(to_timestamp(d) AT TIME ZONE 'UTC', 'YYYY-MM-DD') COLLATE \"C\" AS v, \
                    count(*) AS n FROM m, unnest(m.days) d GROUP BY 1 ORDER BY n DESC, v LIMIT {FACET_LIMIT}) md)"
            ),
            &a.refs(),
        )
        .map_err(db)?;
    let total: i64 = row.get(0);
    let counts = |col: usize| -> Vec<FacetCount> {
        let json: String = row.get(col);
        let pairs: Vec<(String, u64)> = serde_json::from_str(&json).unwrap_or_default();
        pairs.into_iter().map(|(value, count)| FacetCount { value, count }).collect()
    };
    let (source, language) = (counts(1), counts(2));
    let entity_counts: Vec<(String, u64)> = counts(3).into_iter().map(|f| (f.value, f.count)).collect();
    let entities = read::entity_facets(c, entity_counts, ctx)?;
    let (events, mentioned) = (counts(4), counts(5));

    let limit = q.limit.min(MAX_PAGE as usize);
    let offset = q.offset.min(1_000_000);
    let mut hits = Vec::new();
    if limit > 0 && total > 0 {
        let score = match &tsq {
            // Weights of D, C, B, A: the title (A) counts 2.5 times the body (B).
            Some(tsq) => format!("ts_rank('{{0.1, 0.2, 0.4, 1.0}}', a.tsv, {tsq})"),
            None => "1.0::real".to_string(),
        };
        let headline = match &tsq {
            Some(tsq) => format!(
                "ts_headline('english', a.body, {tsq}, \
                 'StartSel=\"{START}\", StopSel=\"{STOP}\", MaxWords=40, MinWords=20, ShortWord=2, MaxFragments=1')"
            ),
            None => "NULL::text".to_string(),
        };
        let rows = c
            .query(
                &format!(
                    "WITH h AS (SELECT a.id, {score} AS score, a.published, {headline} AS headline, \
                     left(a.body, {lead}) AS lead FROM articles a{filter} \
                     ORDER BY score DESC, a.published DESC NULLS LAST, a.id LIMIT {limit} OFFSET {offset}) \
                     SELECT h.id, h.score, d.title, d.url, d.published_raw, d.source, d.language, h.headline, h.lead \
                     FROM h JOIN documents d ON d.id = h.id \
                     ORDER BY h.score DESC, h.published DESC NULLS LAST, h.id",
                    lead = SNIPPET_CHARS * 2
                ),
                &a.refs(),
            )
            .map_err(db)?;
        let words = read::search_words(&text);
        for r in rows {
            let id: String = r.get(0);
            let headline: Option<String> = r.get(7);
            let lead: String = r.get(8);
            let snippet = headline.and_then(|h| parse_headline(&h)).unwrap_or_else(|| lead_snippet(&lead));
            let (quotes, quotes_match, quotes_total) = if with_quotes {
                read::for_hit(c, &id, words.as_deref(), HIT_QUOTES, ctx)?
            } else {
                (Vec::new(), false, 0)
            };
            hits.push(SearchHit {
                id,
                score: r.get::<_, f32>(1),
                title: r.get(2),
                url: r.get(3),
                published: read::decode_opt_time(r.get(4)),
                source: r.get(5),
                language: r.get(6),
                snippet,
                quotes,
                quotes_match,
                quotes_total,
            });
        }
    }
    Ok(SearchResults {
        total: total.max(0) as u64,
        hits,
        facets: Facets { source, language, entities, events, mentioned },
        warnings,
    })
}

/// A `ts_headline` result as a [`Snippet`]: the marked words become highlight ranges.
/// `None` when nothing is marked (the query matched the title only).
fn parse_headline(h: &str) -> Option<Snippet> {
    if !h.contains(START) {
        return None;
    }
    let mut text = String::with_capacity(h.len());
    let mut highlights = Vec::new();
    let mut open: Option<usize> = None;
    for ch in h.chars() {
        match ch {
            START => open = Some(text.len()),
            STOP => {
                if let Some(s) = open.take() {
                    if text.len() > s {
                        highlights.push((s, text.len()));
                    }
                }
            }
            _ => text.push(ch),
        }
    }
    // Trim, shifting the ranges.
    let start = text.len() - text.trim_start().len();
    let text_trimmed = text.trim().to_string();
    let highlights: Vec<(usize, usize)> = highlights
        .into_iter()
        .filter_map(|(s, e)| {
            let (s, e) = (s.checked_sub(start)?, e.checked_sub(start)?);
            (e <= text_trimmed.len()).then_some((s, e))
        })
        .collect();
    (!highlights.is_empty()).then_some(Snippet { text: text_trimmed, highlights })
}

/// The lead of the body, at most [`SNIPPET_CHARS`] bytes cut at a space (as the embedded store).
fn lead_snippet(body: &str) -> Snippet {
    let mut end = body.len().min(SNIPPET_CHARS);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    if end < body.len() {
        if let Some(sp) = body[..end].rfind(char::is_whitespace) {
            end = sp;
        }
    }
    Snippet { text: body[..end].trim_end().to_string(), highlights: Vec::new() }
}

/// Search results grouped by story (the embedded store's `stories::group_hits`): the top
/// [`STORY_SEARCH_HITS`] hits, stories in the order of their best hit (articles in no story
/// left out), one page of them, each best hit with its quotes.
pub fn search_stories(c: &mut Client, q: &SearchQuery, ctx: Ctx) -> Result<Page<StoryHit>> {
    let all = SearchQuery { offset: 0, limit: STORY_SEARCH_HITS, ..q.clone() };
    let hits = search_with(c, &all, false, ctx)?.hits;
    let mut groups: Vec<(u64, u64, SearchHit)> = Vec::new();
    let mut at: HashMap<u64, usize> = HashMap::new();
    for h in hits {
        let Some(s) = read::story_of(c, &h.id, ctx)? else { continue };
        match at.get(&s) {
            Some(&i) => groups[i].1 += 1,
            None => {
                at.insert(s, groups.len());
                groups.push((s, 1, h));
            }
        }
    }
    let (offset, limit) = (q.offset as u64, (q.limit as u64).min(MAX_PAGE));
    let total = groups.len() as u64;
    let words = read::search_words(&q.text);
    let mut items = Vec::new();
    for (s, n, mut best) in groups.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize) {
        if let Some(story) = read::story_summary_of(c, s, ctx)? {
            (best.quotes, best.quotes_match, best.quotes_total) =
                read::for_hit(c, &best.id, words.as_deref(), HIT_QUOTES, ctx)?;
            items.push(StoryHit { story, matching: n, best });
        }
    }
    Ok(Page { total, offset, limit, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_markers_become_ranges() {
        let s = parse_headline(" \u{1}Floods\u{2} hit the \u{1}valley\u{2}").unwrap();
        assert_eq!(s.text, "Floods hit the valley");
        assert_eq!(s.highlights, vec![(0, 6), (15, 21)]);
        assert_eq!(s.to_html(), "<b>Floods</b> hit the <b>valley</b>");
        assert!(parse_headline("no marks").is_none());
    }

    #[test]
    fn field_prefixes_are_dropped() {
        assert_eq!(
            websearch_text("title:Putin -body:war +summit \"a b\" http://x -title:Kyiv' title:&|"),
            ("-war summit \"a b\" //x".to_string(), vec![(false, "Putin".to_string()), (true, "Kyiv".to_string())])
        );
    }
}
