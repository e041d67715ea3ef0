//! `newsgraph export --format parquet --out DIR`: one Parquet file per table (articles,
//! entities, quotes, events, timexes), written with the `parquet` crate's low-level column
//! writers (no Arrow), Snappy-compressed, in row groups while streaming over the store.
//! The schema is documented in `crates/cli/EXPORT.md` and defined once, below, in `TABLES`.
//!
//! Files are written under temporary names (`.NAME.parquet.tmp-PID`) in the folder and
//! renamed only when all five are complete; on any error the temporary files are removed,
//! so a folder never holds a half-written file under its final name.
use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use newsgraph_model::{canonical_key, Document, Entity, EntityType, Modality, QuoteKind, Span, TimexType};
use newsgraph_store::{ErrorKind, Store};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Version of this export's schema, written in every file's key-value metadata
/// (`newsgraph.schema_version`). Adding a column keeps it; removing or changing one bumps it.
pub const SCHEMA_VERSION: &str = "1";

/// A row group is written when a table has buffered this many rows…
const GROUP_ROWS: usize = 64 * 1024;
/// …or about this many bytes of values (article texts make rows large).
const GROUP_BYTES: usize = 16 << 20;

/// Column types, each with its Parquet physical and logical type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// BYTE_ARRAY, logical STRING (UTF-8).
    Str,
    /// INT64 (signed, no logical annotation).
    I64,
    /// DOUBLE.
    F64,
    /// BOOLEAN.
    Bool,
    /// INT64, logical TIMESTAMP(MICROS, adjusted to UTC).
    Ts,
    /// INT32, logical DATE (days since 1970-01-01).
    Date,
}

/// One column: name, type, and whether it may be null (OPTIONAL) or never is (REQUIRED).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub ty: Ty,
    pub nullable: bool,
}

const fn req(name: &'static str, ty: Ty) -> Col {
    Col { name, ty, nullable: false }
}
const fn opt(name: &'static str, ty: Ty) -> Col {
    Col { name, ty, nullable: true }
}

use Ty::{Bool, Date, Str, Ts, F64, I64};

pub const ARTICLES: &[Col] = &[
    req("id", Str),
    opt("url", Str),
    opt("canonical_url", Str),
    opt("canonical_key", Str),
    opt("title", Str),
    opt("source", Str),
    opt("language", Str),
    opt("authors", Str),
    opt("published", Ts),
    opt("published_date", Date),
    opt("published_basis", Str),
    req("word_count", I64),
    req("char_count", I64),
    req("content_hash", Str),
    opt("story_id", I64),
    opt("duplicate_canonical", Str),
    opt("is_canonical", Bool),
    opt("duplicate_group_size", I64),
    opt("input_origin", Str),
    opt("input_format", Str),
    opt("input_record", I64),
    req("text", Str),
];

pub const ENTITIES: &[Col] = &[
    req("article_id", Str),
    req("mention", I64),
    req("start", I64),
    req("end", I64),
    req("text", Str),
    req("kind", Str),
    req("mention_confidence", F64),
    req("mention_evidence", Str),
    opt("entity_id", Str),
    opt("entity_name", Str),
    opt("kb_id", Str),
    opt("qid", Str),
    opt("subtype", Str),
    opt("country", Str),
    opt("entity_confidence", F64),
    opt("link_method", Str),
    opt("link_confidence", F64),
    opt("repaired", Str),
    opt("role", Str),
    opt("lat", F64),
    opt("lon", F64),
    opt("geo_country", Str),
    opt("geonameid", I64),
    opt("geo_feature", Str),
];

pub const QUOTES: &[Col] = &[
    req("article_id", Str),
    req("quote", I64),
    req("kind", Str),
    req("content", Str),
    req("content_start", I64),
    req("content_end", I64),
    req("parts", I64),
    opt("speaker_entity_id", Str),
    opt("speaker_name", Str),
    opt("reported_by_entity_id", Str),
    opt("source_text", Str),
    opt("source_start", I64),
    opt("source_end", I64),
    opt("cue", Str),
    opt("cue_start", I64),
    opt("cue_end", I64),
    req("confidence", F64),
    req("evidence", Str),
];

pub const EVENTS: &[Col] = &[
    req("article_id", Str),
    req("event", I64),
    opt("date", Date),
    opt("date_value", Str),
    opt("source_entity_id", Str),
    opt("source_name", Str),
    opt("source_text", Str),
    opt("source_code", Str),
    opt("target_entity_id", Str),
    opt("target_name", Str),
    opt("target_text", Str),
    opt("target_code", Str),
    req("event_code", Str),
    req("event_base_code", Str),
    req("event_root_code", Str),
    req("plover", Str),
    req("goldstein", F64),
    req("quad_class", I64),
    req("modality", Str),
    opt("place_entity_id", Str),
    opt("place_name", Str),
    opt("place_lat", F64),
    opt("place_lon", F64),
    opt("place_country", Str),
    opt("place_geonameid", I64),
    req("trigger", Str),
    req("trigger_start", I64),
    req("trigger_end", I64),
    req("evidence_text", Str),
    req("evidence_start", I64),
    req("evidence_end", I64),
    req("confidence", F64),
    req("rules", Str),
];

pub const TIMEXES: &[Col] = &[
    req("article_id", Str),
    req("timex", I64),
    req("text", Str),
    req("type", Str),
    req("value", Str),
    opt("modifier", Str),
    opt("anchor", Str),
    req("start", I64),
    req("end", I64),
    req("confidence", F64),
    req("rule", Str),
];

/// Every table: file stem and columns, in the order the files are written.
pub const TABLES: &[(&str, &[Col])] =
    &[("articles", ARTICLES), ("entities", ENTITIES), ("quotes", QUOTES), ("events", EVENTS), ("timexes", TIMEXES)];

/// One cell. `Null` only in nullable columns.
#[derive(Debug, Clone)]
enum V {
    Null,
    S(String),
    I(i64),
    F(f64),
    B(bool),
}

fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}
fn os<T: Into<String>>(x: Option<T>) -> V {
    x.map_or(V::Null, |x| V::S(x.into()))
}
fn i(x: impl Into<i64>) -> V {
    V::I(x.into())
}
fn oi<T: Into<i64>>(x: Option<T>) -> V {
    x.map_or(V::Null, |x| V::I(x.into()))
}
/// An `f32` as the `f64` of its shortest decimal form (0.85, not 0.8500000238418579).
fn f32v(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}
fn f(x: f32) -> V {
    V::F(f32v(x))
}
fn of(x: Option<f32>) -> V {
    x.map_or(V::Null, f)
}
fn od(x: Option<f64>) -> V {
    x.map_or(V::Null, V::F)
}

/// Buffered values of one column (nulls are only in `defs`).
enum Values {
    Bytes(Vec<ByteArray>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

struct Column {
    col: Col,
    values: Values,
    defs: Vec<i16>,
}

/// One output file being written.
struct Table {
    name: &'static str,
    /// The final name (for messages; the file is written under a temporary name).
    path: PathBuf,
    columns: Vec<Column>,
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    buffered_rows: usize,
    buffered_bytes: usize,
    rows: u64,
}

fn schema(name: &str, cols: &[Col]) -> Result<Type> {
    let mut fields = Vec::with_capacity(cols.len());
    for c in cols {
        let (physical, logical) = match c.ty {
            Ty::Str => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            Ty::I64 => (Physical::INT64, None),
            Ty::F64 => (Physical::DOUBLE, None),
            Ty::Bool => (Physical::BOOLEAN, None),
            Ty::Ts => (Physical::INT64, Some(LogicalType::timestamp(true, TimeUnit::MICROS))),
            Ty::Date => (Physical::INT32, Some(LogicalType::Date)),
        };
        let rep = if c.nullable { Repetition::OPTIONAL } else { Repetition::REQUIRED };
        let t = Type::primitive_type_builder(c.name, physical)
            .with_repetition(rep)
            .with_logical_type(logical)
            .build()
            .with_context(|| format!("schema of {name}.{}", c.name))?;
        fields.push(Arc::new(t));
    }
    Ok(Type::group_type_builder(name).with_fields(fields).build()?)
}

impl Table {
    fn create(name: &'static str, cols: &'static [Col], path: &Path, final_path: PathBuf) -> Result<Table> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("newsgraph {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![
                KeyValue::new("newsgraph.table".to_string(), name.to_string()),
                KeyValue::new("newsgraph.schema_version".to_string(), SCHEMA_VERSION.to_string()),
            ]))
            .build();
        let writer = SerializedFileWriter::new(BufWriter::new(file), Arc::new(schema(name, cols)?), Arc::new(props))?;
        let columns = cols
            .iter()
            .map(|&col| Column {
                col,
                values: match col.ty {
                    Ty::Str => Values::Bytes(Vec::new()),
                    Ty::I64 | Ty::Ts => Values::I64(Vec::new()),
                    Ty::Date => Values::I32(Vec::new()),
                    Ty::F64 => Values::F64(Vec::new()),
                    Ty::Bool => Values::Bool(Vec::new()),
                },
                defs: Vec::new(),
            })
            .collect();
        Ok(Table {
            name,
            path: final_path,
            columns,
            writer: Some(writer),
            buffered_rows: 0,
            buffered_bytes: 0,
            rows: 0,
        })
    }

    fn push(&mut self, row: Vec<V>) -> Result<()> {
        if row.len() != self.columns.len() {
            bail!("internal: {} row has {} values for {} columns", self.name, row.len(), self.columns.len());
        }
        // Check the whole row first, so a bad row leaves the buffers untouched.
        for (c, v) in self.columns.iter().zip(&row) {
            let fits = match (c.col.ty, v) {
                (_, V::Null) => c.col.nullable,
                (Ty::Str, V::S(_)) | (Ty::F64, V::F(_)) | (Ty::Bool, V::B(_)) => true,
                (Ty::I64 | Ty::Ts, V::I(_)) => true,
                (Ty::Date, V::I(x)) => i32::try_from(*x).is_ok(),
                _ => false,
            };
            if !fits {
                bail!("internal: {v:?} does not fit column {}.{} ({:?})", self.name, c.col.name, c.col.ty);
            }
        }
        for (c, v) in self.columns.iter_mut().zip(row) {
            let name = c.col.name;
            let bytes = match (&mut c.values, v) {
                (_, V::Null) if c.col.nullable => {
                    c.defs.push(0);
                    continue;
                }
                (_, V::Null) => bail!("internal: null in required column {}.{name}", self.name),
                (Values::Bytes(b), V::S(x)) => {
                    let n = x.len();
                    b.push(ByteArray::from(x.into_bytes()));
                    n + 16
                }
                (Values::I64(b), V::I(x)) => {
                    b.push(x);
                    8
                }
                (Values::I32(b), V::I(x)) => {
                    b.push(x as i32); // checked above
                    4
                }
                (Values::F64(b), V::F(x)) => {
                    b.push(x);
                    8
                }
                (Values::Bool(b), V::B(x)) => {
                    b.push(x);
                    1
                }
                (_, v) => bail!("internal: {v:?} does not fit column {}.{name} ({:?})", self.name, c.col.ty),
            };
            if c.col.nullable {
                c.defs.push(1);
            }
            self.buffered_bytes += bytes;
        }
        self.buffered_rows += 1;
        self.rows += 1;
        if self.buffered_rows >= GROUP_ROWS || self.buffered_bytes >= GROUP_BYTES {
            self.flush().with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.buffered_rows == 0 {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else { bail!("internal: {} already closed", self.name) };
        let mut group = writer.next_row_group()?;
        for c in &mut self.columns {
            let Some(mut w) = group.next_column()? else {
                bail!("internal: {} has fewer columns than {}", self.name, c.col.name)
            };
            let defs = c.col.nullable.then_some(c.defs.as_slice());
            match &mut c.values {
                Values::Bytes(v) => {
                    w.typed::<ByteArrayType>().write_batch(v, defs, None)?;
                    v.clear();
                }
                Values::I64(v) => {
                    w.typed::<Int64Type>().write_batch(v, defs, None)?;
                    v.clear();
                }
                Values::I32(v) => {
                    w.typed::<Int32Type>().write_batch(v, defs, None)?;
                    v.clear();
                }
                Values::F64(v) => {
                    w.typed::<DoubleType>().write_batch(v, defs, None)?;
                    v.clear();
                }
                Values::Bool(v) => {
                    w.typed::<BoolType>().write_batch(v, defs, None)?;
                    v.clear();
                }
            }
            c.defs.clear();
            w.close()?;
        }
        group.close()?;
        self.buffered_rows = 0;
        self.buffered_bytes = 0;
        Ok(())
    }

    /// Writes the last row group and the footer, and syncs the file.
    fn finish(&mut self) -> Result<()> {
        self.flush()?;
        let Some(writer) = self.writer.take() else { return Ok(()) };
        let file = writer.into_inner()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    }
}

/// Temporary files not yet renamed: removed on drop (an error on the way).
struct Pending(Vec<PathBuf>);

impl Drop for Pending {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What was exported.
#[derive(Debug, Default)]
pub struct Written {
    pub rows: Vec<(&'static str, u64)>,
}

/// Prepares `dir` as an export folder: created when missing; an existing path must be a folder.
fn prepare_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => bail!("cannot export Parquet to {}: it exists and is not a folder", dir.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create the export folder {}", dir.display()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot use the export folder {}", dir.display())),
    }
}

/// Exports every stored article to `dir` (see the module documentation).
pub fn export(store: &dyn Store, dir: Option<&Path>) -> Result<ExitCode> {
    let Some(dir) = dir else {
        bail!("the parquet export writes a folder of files: give it with --out DIR (-o DIR)");
    };
    prepare_dir(dir)?;
    let w = write_dir(store, dir)?;
    let parts: Vec<String> = w.rows.iter().map(|(n, r)| format!("{r} {n}")).collect();
    eprintln!("newsgraph: exported {} to {}", parts.join(", "), dir.display());
    Ok(ExitCode::SUCCESS)
}

fn write_dir(store: &dyn Store, dir: &Path) -> Result<Written> {
    let pid = std::process::id();
    let mut pending = Pending(Vec::new());
    let mut tables = Vec::new();
    for &(name, cols) in TABLES {
        let tmp = dir.join(format!(".{name}.parquet.tmp-{pid}"));
        pending.0.push(tmp.clone());
        tables.push(Table::create(name, cols, &tmp, dir.join(format!("{name}.parquet")))?);
    }
    let [articles, entities, quotes, events, timexes] = &mut tables[..] else { unreachable!("five tables") };
    for doc in store.iter_all() {
        let doc = doc?;
        let (story, group) = corpus_of(store, &doc.id)?;
        articles.push(article_row(&doc, story, group))?;
        for (n, m) in doc.layers.mentions.iter().enumerate() {
            let e = m.entity.and_then(|i| doc.layers.entities.get(i as usize));
            let geo = e.and_then(|e| e.geo.as_ref());
            let link = m.link.as_ref();
            entities.push(vec![
                s(&*doc.id),
                i(n as i64),
                i(m.span.start),
                i(m.span.end),
                s(slice(&doc, m.span)),
                s(entity_type(m.kind)),
                f(m.confidence),
                s(&*m.evidence),
                os(e.map(|e| e.id.as_str())),
                os(e.map(|e| e.name.as_str())),
                os(e.and_then(|e| e.kb_id.as_deref())),
                os(e.and_then(|e| e.qid.as_deref())),
                os(e.and_then(|e| e.subtype.as_deref())),
                os(e.and_then(|e| e.country.as_deref())),
                of(e.map(|e| e.confidence)),
                os(link.map(|l| l.method.as_str())),
                of(link.map(|l| l.confidence)),
                os(link.and_then(|l| l.repaired.as_deref())),
                os(m.role.map(|r| slice(&doc, r))),
                od(geo.map(|g| g.lat)),
                od(geo.map(|g| g.lon)),
                os(geo.map(|g| g.country.as_str())),
                oi(geo.and_then(|g| g.geonameid)),
                os(geo.map(|g| g.feature.as_str())),
            ])?;
        }
        for (n, q) in doc.layers.quotes.iter().enumerate() {
            let speaker = q.speaker.and_then(|i| doc.layers.entities.get(i as usize));
            let relay = q.reported_by.and_then(|i| doc.layers.entities.get(i as usize));
            quotes.push(vec![
                s(&*doc.id),
                i(n as i64),
                s(quote_kind(q.kind)),
                s(slice(&doc, q.content)),
                i(q.content.start),
                i(q.content.end),
                i(q.parts.len().max(1) as i64),
                os(speaker.map(|e| e.id.as_str())),
                os(speaker.map(|e| e.name.as_str())),
                os(relay.map(|e| e.id.as_str())),
                os(q.source.map(|sp| slice(&doc, sp))),
                oi(q.source.map(|sp| sp.start)),
                oi(q.source.map(|sp| sp.end)),
                os(q.cue.map(|sp| slice(&doc, sp))),
                oi(q.cue.map(|sp| sp.start)),
                oi(q.cue.map(|sp| sp.end)),
                f(q.confidence),
                s(q.evidence.join(" | ")),
            ])?;
        }
        for (n, ev) in doc.layers.events.iter().enumerate() {
            events.push(event_row(&doc, n, ev))?;
        }
        for (n, t) in doc.layers.timexes.iter().enumerate() {
            timexes.push(vec![
                s(&*doc.id),
                i(n as i64),
                s(slice(&doc, t.span)),
                s(timex_type(t.kind)),
                s(&*t.value),
                os(t.modifier.as_deref()),
                os(t.anchor.as_deref()),
                i(t.span.start),
                i(t.span.end),
                f(t.confidence),
                s(&*t.rule),
            ])?;
        }
    }
    for t in tables.iter_mut() {
        t.finish().with_context(|| format!("cannot write {}", t.path.display()))?;
    }
    let mut written = Written::default();
    for (t, tmp) in tables.iter().zip(&pending.0) {
        let to = &t.path;
        std::fs::rename(tmp, to).with_context(|| format!("cannot rename {} to {}", tmp.display(), to.display()))?;
        written.rows.push((t.name, t.rows));
    }
    pending.0.clear();
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(written)
}

/// (story id, (canonical copy, is canonical, group size)) of an article; `None`s for a store
/// written before stories existed (read-only here, so it cannot be upgraded).
type Group = Option<(String, bool, i64)>;

fn corpus_of(store: &dyn Store, id: &str) -> Result<(Option<u64>, Group)> {
    let old = |e: &newsgraph_store::StoreError| matches!(e.kind(), ErrorKind::NeedsUpgrade { .. });
    let story = match store.story_of(id) {
        Ok(s) => s,
        Err(e) if old(&e) => None,
        Err(e) => return Err(e.into()),
    };
    let group = match store.duplicates(id) {
        Ok(g) => g.map(|g| {
            let canonical = g.canonical == id;
            (g.canonical, canonical, g.members.len() as i64)
        }),
        Err(e) if old(&e) => None,
        Err(e) => return Err(e.into()),
    };
    Ok((story, group))
}

fn slice(doc: &Document, span: Span) -> &str {
    doc.text().get(span.range()).unwrap_or("")
}

fn article_row(doc: &Document, story: Option<u64>, group: Group) -> Vec<V> {
    let m = &doc.meta;
    let key = m.canonical_url.as_deref().or(m.url.as_deref()).map(canonical_key).filter(|k| !k.is_empty());
    let published = m.published.as_ref().map(|p| p.time.with_timezone(&Utc));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let input = m.input.as_ref();
    let (canonical, is_canonical, size) = match group {
        Some((c, b, n)) => (V::S(c), V::B(b), V::I(n)),
        None => (V::Null, V::Null, V::Null),
    };
    vec![
        s(&*doc.id),
        os(m.url.as_deref()),
        os(m.canonical_url.as_deref()),
        os(key),
        os(m.title.as_deref()),
        os(m.source.as_deref()),
        os(m.language.as_deref()),
        if m.authors.is_empty() { V::Null } else { s(m.authors.join("; ")) },
        oi(published.map(|t| t.timestamp_micros())),
        oi(published.map(|t| (t.date_naive() - epoch).num_days())),
        os(m.published.as_ref().map(|p| match p.basis {
            newsgraph_model::TimeBasis::Stated => "stated",
            newsgraph_model::TimeBasis::AssumedUtc => "assumed_utc",
        })),
        i(doc.word_count() as i64),
        i(doc.text().chars().count() as i64),
        s(&*m.content_hash),
        story.map_or(V::Null, |s| V::I(s as i64)),
        canonical,
        is_canonical,
        size,
        os(input.map(|r| r.origin.as_str())),
        os(input.map(|r| r.format.as_str())),
        oi(input.and_then(|r| r.record).map(|r| r as i64)),
        s(doc.text()),
    ]
}

fn entity_of(doc: &Document, i: Option<u32>) -> Option<&Entity> {
    i.and_then(|i| doc.layers.entities.get(i as usize))
}

fn event_row(doc: &Document, n: usize, ev: &newsgraph_model::Event) -> Vec<V> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let timex = ev.date.and_then(|i| doc.layers.timexes.get(i as usize));
    let day = timex
        .and_then(|t| t.value.get(..10))
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .map(|d| (d - epoch).num_days());
    // As in the GDELT export: a bare root code `04` is written `040`.
    let code = if ev.code.len() == 2 { format!("{}0", ev.code) } else { ev.code.clone() };
    let base = code.get(..3).unwrap_or(&code).to_string();
    let actor = |a: Option<&newsgraph_model::Actor>| {
        let e = a.and_then(|a| entity_of(doc, a.entity));
        [
            os(e.map(|e| e.id.as_str())),
            os(e.map(|e| e.name.as_str())),
            os(a.map(|a| slice(doc, a.span))),
            os(a.and_then(|a| a.code.as_deref())),
        ]
    };
    let place = entity_of(doc, ev.place);
    let geo = place.and_then(|p| p.geo.as_ref());
    let mut row = vec![s(&*doc.id), i(n as i64), oi(day), os(timex.map(|t| t.value.as_str()))];
    row.extend(actor(ev.source.as_ref()));
    row.extend(actor(ev.target.as_ref()));
    row.extend([
        s(code),
        s(base),
        s(&*ev.root),
        s(&*ev.plover),
        f(ev.goldstein),
        i(i64::from(ev.quad_class)),
        s(modality(ev.modality)),
        os(place.map(|p| p.id.as_str())),
        os(place.map(|p| p.name.as_str())),
        od(geo.map(|g| g.lat)),
        od(geo.map(|g| g.lon)),
        os(geo.map(|g| g.country.as_str())),
        oi(geo.and_then(|g| g.geonameid)),
        s(slice(doc, ev.trigger)),
        i(ev.trigger.start),
        i(ev.trigger.end),
        s(slice(doc, ev.span)),
        i(ev.span.start),
        i(ev.span.end),
        f(ev.confidence),
        s(ev.evidence.join(" | ")),
    ]);
    row
}

fn entity_type(t: EntityType) -> &'static str {
    match t {
        EntityType::Person => "person",
        EntityType::Organization => "organization",
        EntityType::Place => "place",
        EntityType::Group => "group",
        EntityType::Misc => "misc",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

fn quote_kind(k: QuoteKind) -> &'static str {
    match k {
        QuoteKind::Direct => "direct",
        QuoteKind::Partial => "partial",
        QuoteKind::Indirect => "indirect",
        QuoteKind::Mixed => "mixed",
    }
}

fn modality(m: Modality) -> &'static str {
    match m {
        Modality::Happened => "happened",
        Modality::Announced => "announced",
        Modality::Hypothetical => "hypothetical",
        Modality::Negated => "negated",
    }
}

fn timex_type(t: TimexType) -> &'static str {
    match t {
        TimexType::Date => "DATE",
        TimexType::Time => "TIME",
        TimexType::Duration => "DURATION",
        TimexType::Set => "SET",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_build_and_names_are_unique() {
        for &(name, cols) in TABLES {
            let t = schema(name, cols).unwrap();
            assert_eq!(t.get_fields().len(), cols.len());
            let mut seen = std::collections::HashSet::new();
            for c in cols {
                assert!(seen.insert(c.name), "{name}.{} twice", c.name);
            }
        }
    }

    #[test]
    fn floats_keep_their_short_form() {
        assert_eq!(f32v(0.85), 0.85);
        assert_eq!(f32v(-2.0), -2.0);
    }

    #[test]
    fn a_non_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x");
        std::fs::write(&file, b"x").unwrap();
        let e = prepare_dir(&file).unwrap_err().to_string();
        assert!(e.contains(&file.display().to_string()) && e.contains("not a folder"), "{e}");
    }

    #[test]
    fn rows_are_written_in_bounded_row_groups() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::Field;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("timexes.parquet");
        let mut t = Table::create("timexes", TIMEXES, &path, path.clone()).unwrap();
        let n = GROUP_ROWS + 10;
        for k in 0..n {
            let modifier = if k % 2 == 0 { V::Null } else { s("APPROX") };
            let row = vec![s(format!("a{k}")), i(k as i64), s("t"), s("DATE"), s("2025"), modifier, V::Null];
            t.push([row, vec![i(0), i(1), V::F(0.5), s("r")]].concat()).unwrap();
            assert!(t.buffered_rows <= GROUP_ROWS);
        }
        t.finish().unwrap();
        let r = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        assert_eq!(r.metadata().num_row_groups(), 2);
        assert_eq!(r.metadata().file_metadata().num_rows() as usize, n);
        let last = r.get_row_iter(None).unwrap().last().unwrap().unwrap();
        let cols: Vec<(String, Field)> = last.into_columns();
        assert_eq!(cols[0], ("article_id".to_string(), Field::Str(format!("a{}", n - 1))));
        assert_eq!(cols[5].1, Field::Str("APPROX".into()));
    }

    #[test]
    fn unfinished_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".events.parquet.tmp-1");
        {
            let _t = Table::create("events", EVENTS, &tmp, dir.path().join("events.parquet")).unwrap();
            let _pending = Pending(vec![tmp.clone()]);
            assert!(tmp.exists());
        } // an error on the way drops the guard before any rename
        assert!(!tmp.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut t =
            Table::create("timexes", TIMEXES, &dir.path().join("t.parquet"), dir.path().join("t.parquet")).unwrap();
        assert!(t.push(vec![s("x")]).is_err());
        let mut row: Vec<V> = TIMEXES.iter().map(|_| V::Null).collect();
        assert!(t.push(row.clone()).is_err(), "null in a required column");
        row = vec![s("a"), i(0), s("t"), s("DATE"), s("2025"), V::Null, V::Null, i(0), i(1), V::F(1.0), s("r")];
        t.push(row).unwrap();
        t.finish().unwrap();
        assert_eq!(t.rows, 1);
    }
}
