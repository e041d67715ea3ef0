//! The tantivy full-text index: derived from the document database, rebuildable.
//!
//! The schema is built in [`build_schema`] only, and versioned by [`INDEX_SCHEMA_VERSION`]:
//! an index written with another version is rebuilt from SQLite on the next writable open.

use crate::db::Changed;
use crate::error::{Ctx, ErrorKind, Result};
use crate::types::{EntityFacet, FacetCount, Facets, SearchHit, SearchQuery, SearchResults, Snippet, MAX_PAGE};
use chrono::{DateTime, NaiveDate};
use newsgraph_model::Document;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

/// Version of the index schema and analysis chain. Bump on any change to
/// `build_schema` or `text_analyzer` (module `index`): older indexes are then rebuilt from SQLite.
pub const INDEX_SCHEMA_VERSION: u32 = 4;

/// Directory of the index inside the store directory.
pub const INDEX_DIR: &str = "index";

/// Name under which [`text_analyzer`] is registered.
const TEXT_TOKENIZER: &str = "ng_text_en";

/// Heap of the single indexing thread.
const WRITER_HEAP: usize = 50_000_000;

/// Longest user query text considered (chars); the rest is dropped.
pub const MAX_QUERY_CHARS: usize = 1000;

/// Number of values returned per facet.
pub const FACET_LIMIT: usize = 50;

/// Number of entities returned in [`Facets::entities`].
pub const ENTITY_FACET_LIMIT: usize = 20;

/// Snippet length in chars.
const SNIPPET_CHARS: usize = 240;

/// Fields of the index schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub title: Field,
    pub body: Field,
    pub authors: Field,
    pub source: Field,
    pub language: Field,
    pub published: Field,
    pub published_raw: Field,
    /// Days the text mentions (resolved time expressions), as Unix seconds of their UTC midnight.
    pub mentioned: Field,
    /// Ids of the entities the document mentions (its `entities` layer).
    pub entity: Field,
    /// CAMEO root codes of its events (`rows::event_roots`).
    pub event: Field,
    /// Single days it mentions (`rows::exact_days_of`; fast only): the dates-mentioned facet.
    pub day: Field,
}

/// English text: words split on non-alphanumerics, lower-cased, ASCII-folded, stemmed.
fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(tantivy::tokenizer::Language::English))
        .build()
}

/// The one place where the index schema is defined.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        url: b.add_text_field("url", STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        authors: b.add_text_field("authors", text),
        source: b.add_text_field("source", STRING | STORED | tantivy::schema::FAST),
        language: b.add_text_field("language", STRING | STORED | tantivy::schema::FAST),
        published: b.add_i64_field("published", NumericOptions::default().set_indexed().set_fast().set_stored()),
        published_raw: b.add_text_field("published_raw", STORED),
        mentioned: b.add_i64_field("mentioned", NumericOptions::default().set_indexed().set_fast()),
        entity: b.add_text_field("entity", STRING | tantivy::schema::FAST),
        event: b.add_text_field("event", STRING | tantivy::schema::FAST),
        day: b.add_i64_field("day", NumericOptions::default().set_fast()),
    };
    (b.build(), fields)
}

/// What the index records in each commit's payload.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    /// Highest document `seq` the index covers.
    seq: u64,
    /// [`INDEX_SCHEMA_VERSION`] of the index.
    schema: u32,
}

fn read_payload(index: &Index) -> tantivy::Result<Option<Payload>> {
    Ok(index.load_metas()?.payload.and_then(|p| serde_json::from_str(&p).ok()))
}

pub struct TextIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    parser: QueryParser,
    /// (opstamp the reader was loaded at, indexed seq at that opstamp)
    loaded: Mutex<(u64, u64)>,
    /// Seq covered by the last commit of this writer.
    indexed_seq: u64,
    /// Whether the index has a commit with our payload.
    has_payload: bool,
}

impl TextIndex {
    /// Opens the index for writing (taking tantivy's writer lock), creating it empty when
    /// missing, unreadable, uncommitted or of another schema version (the caller then
    /// re-indexes from the database).
    pub fn open_writer(store_dir: &Path, ctx: Ctx) -> Result<TextIndex> {
        let dir = store_dir.join(INDEX_DIR);
        let existing = if dir.join("meta.json").is_file() {
            match Index::open_in_dir(&dir) {
                Ok(index) => match read_payload(&index) {
                    Ok(Some(p)) if p.schema == INDEX_SCHEMA_VERSION && index.schema() == build_schema().0 => {
                        Some((index, p.seq))
                    }
                    _ => None,
                },
                Err(_) => None,
            }
        } else {
            None
        };
        let (index, seq) = match existing {
            Some(x) => x,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(|e| ctx.io(e))?;
                }
                std::fs::create_dir_all(&dir).map_err(|e| ctx.io(e))?;
                let (schema, _) = build_schema();
                (Index::create_in_dir(&dir, schema).map_err(|e| ctx.index(e))?, 0)
            }
        };
        let mut ti = TextIndex::from_index(dir, index, ctx)?;
        let writer = ti.index.writer_with_num_threads(1, WRITER_HEAP).map_err(|e| ctx.index(e))?;
        ti.writer = Some(Mutex::new(writer));
        ti.indexed_seq = seq;
        Ok(ti)
    }

    /// Opens the index for reading only (no lock). Fails with `IndexUnavailable`
    /// when it is missing or of another schema version.
    pub fn open_reader(store_dir: &Path, ctx: Ctx) -> Result<TextIndex> {
        let dir = store_dir.join(INDEX_DIR);
        if !dir.join("meta.json").is_file() {
            return Err(ctx.err(ErrorKind::IndexUnavailable("no index yet (open the store writable once)".into())));
        }
        let index = Index::open_in_dir(&dir).map_err(|e| ctx.index(e))?;
        match read_payload(&index).map_err(|e| ctx.index(e))? {
            Some(p) if p.schema == INDEX_SCHEMA_VERSION => {}
            Some(p) => {
                return Err(ctx.err(ErrorKind::IndexUnavailable(format!(
                "index schema version {} differs from {INDEX_SCHEMA_VERSION} (open the store writable once to rebuild)",
                p.schema
            ))))
            }
            None => return Err(ctx.err(ErrorKind::IndexUnavailable("index has no commit yet".into()))),
        }
        TextIndex::from_index(dir, index, ctx)
    }

    fn from_index(dir: PathBuf, index: Index, ctx: Ctx) -> Result<TextIndex> {
        index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
        let (expected, _) = build_schema();
        if index.schema() != expected {
            return Err(ctx.err(ErrorKind::IndexUnavailable("index schema does not match its version".into())));
        }
        let fields = fields_of(&index.schema());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(|e| ctx.index(e))?;
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_field_boost(fields.title, 2.0);
        parser.set_conjunction_by_default();
        let metas = index.load_metas().map_err(|e| ctx.index(e))?;
        let seq = metas.payload.as_deref().and_then(|p| serde_json::from_str::<Payload>(p).ok()).map_or(0, |p| p.seq);
        Ok(TextIndex {
            dir,
            index,
            reader,
            writer: None,
            fields,
            parser,
            loaded: Mutex::new((metas.opstamp, seq)),
            indexed_seq: seq,
            has_payload: metas.payload.is_some(),
        })
    }

    /// Seq covered by the index: for a writer, its last commit; for a reader, the latest commit on disk.
    pub fn indexed_seq(&self, ctx: Ctx) -> Result<u64> {
        if self.writer.is_some() {
            return Ok(self.indexed_seq);
        }
        Ok(read_payload(&self.index).map_err(|e| ctx.index(e))?.map_or(0, |p| p.seq))
    }

    pub fn has_payload(&self) -> bool {
        self.has_payload
    }

    pub fn writer_seq(&self) -> u64 {
        self.indexed_seq
    }

    /// Drops every document from the index (before a full rebuild). Takes effect at the next commit.
    pub fn clear(&mut self, ctx: Ctx) -> Result<()> {
        let w = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        w.get_mut().unwrap_or_else(|p| p.into_inner()).delete_all_documents().map_err(|e| ctx.index(e))?;
        self.indexed_seq = 0;
        Ok(())
    }

    /// Adds (or replaces, by id) documents; does not commit.
    pub fn add(&mut self, docs: &[Changed], ctx: Ctx) -> Result<()> {
        let f = self.fields;
        let w = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let w = w.get_mut().unwrap_or_else(|p| p.into_inner());
        for c in docs {
            w.delete_term(Term::from_field_text(f.id, &c.doc.id));
            w.add_document(to_tantivy(&f, &c.doc)).map_err(|e| ctx.index(e))?;
        }
        Ok(())
    }

    /// Commits pending changes, recording `seq` as covered, and reloads the searcher.
    pub fn commit(&mut self, seq: u64, ctx: Ctx) -> Result<()> {
        let w = self.writer.as_mut().ok_or_else(|| ctx.err(ErrorKind::ReadOnly))?;
        let w = w.get_mut().unwrap_or_else(|p| p.into_inner());
        let payload =
            serde_json::to_string(&Payload { seq, schema: INDEX_SCHEMA_VERSION }).expect("payload serializes");
        let result = (|| -> tantivy::Result<u64> {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()
        })();
        match result {
            Ok(opstamp) => {
                self.indexed_seq = seq;
                self.has_payload = true;
                self.reader.reload().map_err(|e| ctx.index(e))?;
                *self.loaded.lock().unwrap_or_else(|p| p.into_inner()) = (opstamp, seq);
                Ok(())
            }
            Err(e) => {
                let _ = w.rollback();
                Err(ctx.index(e))
            }
        }
    }

    /// Discards uncommitted changes.
    pub fn rollback(&mut self) {
        if let Some(w) = self.writer.as_mut() {
            let _ = w.get_mut().unwrap_or_else(|p| p.into_inner()).rollback();
        }
    }

    /// Reloads the searcher if another process committed since the last load.
    fn refresh(&self, ctx: Ctx) -> Result<()> {
        if self.writer.is_some() {
            return Ok(()); // a writer reloads after each of its commits
        }
        let metas = self.index.load_metas().map_err(|e| ctx.index(e))?;
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if metas.opstamp != loaded.0 {
            self.reader.reload().map_err(|e| ctx.index(e))?;
            let seq =
                metas.payload.as_deref().and_then(|p| serde_json::from_str::<Payload>(p).ok()).map_or(0, |p| p.seq);
            *loaded = (metas.opstamp, seq);
        }
        Ok(())
    }

    /// Searches; `entity_groups` replaces `q.entities`: each group is one filter, matched by
    /// any of its ids (an identity's merged ids).
    pub fn search(&self, q: &SearchQuery, entity_groups: &[Vec<String>], ctx: Ctx) -> Result<SearchResults> {
        self.refresh(ctx)?;
        let f = self.fields;
        let (text, mut warnings) = sanitize_query(&q.text);
        let user_query: Box<dyn Query> = if text.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            let (query, errors) = self.parser.parse_query_lenient(&text);
            warnings.extend(errors.iter().map(|e| e.to_string()));
            query
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query.box_clone())];
        let filter =
            |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) { (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))) };
        if let Some(s) = &q.source {
            clauses
                .push(filter(Box::new(TermQuery::new(Term::from_field_text(f.source, s), IndexRecordOption::Basic))));
        }
        if let Some(l) = &q.language {
            clauses
                .push(filter(Box::new(TermQuery::new(Term::from_field_text(f.language, l), IndexRecordOption::Basic))));
        }
        if q.published_from.is_some() || q.published_to.is_some() {
            let lo = q
                .published_from
                .map_or(Bound::Unbounded, |t| Bound::Included(Term::from_field_i64(f.published, t.timestamp())));
            let hi = q
                .published_to
                .map_or(Bound::Unbounded, |t| Bound::Excluded(Term::from_field_i64(f.published, t.timestamp())));
            clauses.push(filter(Box::new(RangeQuery::new(lo, hi))));
        }
        if q.mentioned_from.is_some() || q.mentioned_to.is_some() {
            let lo = q
                .mentioned_from
                .map_or(Bound::Unbounded, |t| Bound::Included(Term::from_field_i64(f.mentioned, t.timestamp())));
            let hi = q
                .mentioned_to
                .map_or(Bound::Unbounded, |t| Bound::Excluded(Term::from_field_i64(f.mentioned, t.timestamp())));
            clauses.push(filter(Box::new(RangeQuery::new(lo, hi))));
        }
        if let Some(root) = q.event.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            let t = TermQuery::new(Term::from_field_text(f.event, root), IndexRecordOption::Basic);
            clauses.push(filter(Box::new(t)));
        }
        for group in entity_groups {
            let any: Vec<(Occur, Box<dyn Query>)> = group
                .iter()
                .map(|id| {
                    let t = TermQuery::new(Term::from_field_text(f.entity, id), IndexRecordOption::Basic);
                    (Occur::Should, Box::new(t) as Box<dyn Query>)
                })
                .collect();
            clauses.push(filter(Box::new(BooleanQuery::new(any))));
        }
        // Nothing asked: every document matches, and the facets count whole columns.
        let every = clauses.len() == 1 && text.trim().is_empty();
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = q.limit.min(MAX_PAGE as usize);
        let offset = q.offset.min(1_000_000);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score();
        let facets = FacetCollector { fields: vec!["source", "language", "entity", "event"], days: "day", every };
        let (top, total, mut facet_counts) =
            searcher.search(&query, &(top, Count, facets)).map_err(|e| ctx.index(e))?;
        let mut hits = Vec::new();
        if limit > 0 && !top.is_empty() {
            let mut snippets = SnippetGenerator::create(&searcher, &*user_query, f.body).map_err(|e| ctx.index(e))?;
            snippets.set_max_num_chars(SNIPPET_CHARS);
            for (score, addr) in top {
                let doc: TantivyDocument = searcher.doc(addr).map_err(|e| ctx.index(e))?;
                let get = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
                let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
                let snippet = make_snippet(&snippets, body);
                hits.push(SearchHit {
                    id: get(f.id).unwrap_or_default(),
                    score,
                    title: get(f.title),
                    url: get(f.url),
                    published: get(f.published_raw).and_then(|p| DateTime::parse_from_rfc3339(&p).ok()),
                    source: get(f.source),
                    language: get(f.language),
                    snippet,
                    quotes: Vec::new(),
                    quotes_match: false,
                    quotes_total: 0,
                });
            }
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets: {
                let mut it = facet_counts.drain(..).map(top_facets);
                let source = it.next().unwrap_or_default();
                let language = it.next().unwrap_or_default();
                // Names and kinds are filled in from the database by the caller.
                let entities = it
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .take(ENTITY_FACET_LIMIT)
                    .map(|c| EntityFacet { id: c.value, name: String::new(), kind: String::new(), count: c.count })
                    .collect();
                let events = it.next().unwrap_or_default();
                let mentioned = it.next().unwrap_or_default();
                Facets { source, language, entities, events, mentioned }
            },
            warnings,
        })
    }

    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn fields_of(schema: &Schema) -> Fields {
    let f = |name: &str| schema.get_field(name).expect("schema checked against build_schema");
    Fields {
        id: f("id"),
        url: f("url"),
        title: f("title"),
        body: f("body"),
        authors: f("authors"),
        source: f("source"),
        language: f("language"),
        published: f("published"),
        published_raw: f("published_raw"),
        mentioned: f("mentioned"),
        entity: f("entity"),
        event: f("event"),
        day: f("day"),
    }
}

fn to_tantivy(f: &Fields, doc: &Document) -> TantivyDocument {
    let m = &doc.meta;
    let mut t = TantivyDocument::new();
    t.add_text(f.id, &doc.id);
    if let Some(u) = m.canonical_url.as_ref().or(m.url.as_ref()) {
        t.add_text(f.url, u);
    }
    if let Some(title) = &m.title {
        t.add_text(f.title, title);
    }
    t.add_text(f.body, doc.text());
    for a in &m.authors {
        t.add_text(f.authors, a);
    }
    if let Some(s) = &m.source {
        t.add_text(f.source, s);
    }
    if let Some(l) = &m.language {
        t.add_text(f.language, l);
    }
    if let Some(p) = &m.published {
        t.add_i64(f.published, p.time.timestamp());
        t.add_text(f.published_raw, p.time.to_rfc3339());
    }
    for d in crate::rows::mentioned_days_of(doc) {
        t.add_i64(f.mentioned, d);
    }
    for r in crate::rows::event_roots(doc) {
        t.add_text(f.event, &r);
    }
    for d in crate::rows::exact_days_of(doc) {
        t.add_i64(f.day, d);
    }
    let mut ids: Vec<&str> = doc.layers.entities.iter().map(|e| e.id.trim()).filter(|id| !id.is_empty()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        t.add_text(f.entity, id);
    }
    t
}

/// The first and last day of a resolved TIMEX3 date value: `2025-08-15` (also with a time
/// or part of day after it), `2025-08`, `2025-W32`, `2025`. Unresolved (`XXXX-…`), vague
/// (`PAST_REF`), seasonal and duration values have none.
pub fn mentioned_days(value: &str) -> Option<(NaiveDate, NaiveDate)> {
    let year: i32 = value.get(..4)?.parse().ok()?;
    let rest = &value[4..];
    if rest.is_empty() {
        return Some((NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?));
    }
    if let Some(w) = rest.strip_prefix("-W") {
        let week: u32 = w.get(..2)?.parse().ok()?;
        let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
        return Some((monday, monday + chrono::Days::new(6)));
    }
    let month: u32 = rest.strip_prefix('-')?.get(..2)?.parse().ok()?;
    let after_month = &rest[3..];
    if after_month.is_empty() {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = first.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
        return Some((first, last));
    }
    let day: u32 = after_month.strip_prefix('-')?.get(..2)?.parse().ok()?;
    let d = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((d, d))
}

/// Makes a user query safe to parse: drops control characters, bounds the length and the
/// nesting depth. Returns the text and warnings about what was changed.
pub fn sanitize_query(text: &str) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if out.chars().count() > MAX_QUERY_CHARS {
        let mut cut = out.char_indices().nth(MAX_QUERY_CHARS).map_or(out.len(), |(i, _)| i);
        // Cut at a space when there is one, so the last word is not mangled.
        if !out[cut..].starts_with(char::is_whitespace) {
            if let Some(sp) = out[..cut].rfind(char::is_whitespace) {
                cut = sp;
            }
        }
        out.truncate(cut);
        warnings.push(format!("query truncated to {MAX_QUERY_CHARS} characters"));
    }
    let (mut depth, mut max_depth) = (0i32, 0i32);
    for c in out.chars() {
        match c {
            '(' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    if max_depth > 8 {
        out = out.replace(['(', ')'], " ");
        warnings.push("parentheses nested too deeply were ignored".into());
    }
    (out, warnings)
}

fn make_snippet(gen: &SnippetGenerator, body: &str) -> Snippet {
    let s = gen.snippet(body);
    if !s.fragment().is_empty() && !s.highlighted().is_empty() {
        return Snippet {
            text: s.fragment().to_string(),
            highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
        };
    }
    // No term of the query in the body (e.g. match-all or title-only match): lead of the body.
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

fn top_facets(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = counts.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(FACET_LIMIT);
    v
}

/// Counts the values of string fast fields, then the days of an i64 fast field (as
/// `YYYY-MM-DD`, the last map of the fruit), over the matched documents.
struct FacetCollector {
    fields: Vec<&'static str>,
    days: &'static str,
    /// The query matches every document: a segment without deletions counts its columns'
    /// values in one pass each (rather than looking up each document's values).
    every: bool,
}

struct FacetSegment {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
    days: Option<(tantivy::columnar::Column<i64>, FxHashMap<i64, u64>)>,
    /// Counted from whole columns at harvest; `collect` has nothing to do.
    whole: bool,
}

/// Calls `each` on every value of a column, in row order, a block at a time.
fn each_value<T: Copy + Default + PartialOrd + std::fmt::Debug + Send + Sync + 'static>(
    col: &tantivy::columnar::Column<T>,
    mut each: impl FnMut(T),
) {
    let mut block = [T::default(); 1024];
    let n = u64::from(col.values.num_vals());
    let mut at = 0;
    while at < n {
        let len = (n - at).min(block.len() as u64) as usize;
        col.values.get_range(at, &mut block[..len]);
        block[..len].iter().for_each(|&v| each(v));
        at += len as u64;
    }
}

impl Collector for FacetCollector {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::new();
        for name in &self.fields {
            let col = segment.fast_fields().str(name)?;
            columns.push(col.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }));
        }
        let days = segment.fast_fields().i64(self.days).ok().map(|c| (c, FxHashMap::default()));
        Ok(FacetSegment { columns, days, whole: self.every && segment.alive_bitset().is_none() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<Self::Fruit> {
        let mut out = vec![HashMap::new(); self.fields.len() + 1];
        for fruit in fruits {
            for (acc, m) in out.iter_mut().zip(fruit) {
                for (k, v) in m {
                    *acc.entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if self.whole {
            return;
        }
        for (col, counts) in self.columns.iter_mut().flatten() {
            for ord in col.term_ords(doc) {
                if let Some(c) = counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
        if let Some((col, counts)) = &mut self.days {
            for d in col.values_for_doc(doc) {
                *counts.entry(d).or_insert(0) += 1;
            }
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        if self.whole {
            for (col, counts) in self.columns.iter_mut().flatten() {
                each_value(col.ords(), |ord| {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                });
            }
            if let Some((col, counts)) = &mut self.days {
                each_value(col, |d| *counts.entry(d).or_insert(0) += 1);
            }
        }
        let days: HashMap<String, u64> = self
            .days
            .map(|(_, m)| m.into_iter().filter_map(|(d, n)| Some((crate::rows::day_value(d)?, n))).collect())
            .unwrap_or_default();
        self.columns
            .into_iter()
            .map(|c| {
                let mut m = HashMap::new();
                if let Some((col, counts)) = c {
                    // The counted terms read in one pass over the dictionary (one lookup per
                    // ordinal would decode its block from the start each time).
                    let ords: Vec<u64> = (0..counts.len() as u64).filter(|&o| counts[o as usize] > 0).collect();
                    let mut at = ords.iter();
                    let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                        if let (Some(&o), Ok(term)) = (at.next(), std::str::from_utf8(term)) {
                            m.insert(term.to_string(), counts[o as usize]);
                        }
                    });
                }
                m
            })
            .chain([days])
            .collect()
    }
}
