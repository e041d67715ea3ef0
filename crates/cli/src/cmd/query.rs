//! `search`, `show`, `export`, `stats`: reading a store.
use crate::cli::ExportFormat;
use anyhow::{Context, Result};
use newsgraph_server::parse_date;
use newsgraph_store::{SearchQuery, Store};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

#[allow(clippy::too_many_arguments)]
pub fn search_query(
    text: String,
    source: Option<String>,
    language: Option<String>,
    [from, to]: [Option<String>; 2],
    [mentioned_from, mentioned_to]: [Option<String>; 2],
    limit: usize,
    offset: usize,
) -> Result<SearchQuery> {
    let date = |v: Option<String>, name: &str, end: bool| -> Result<_> {
        v.map(|v| parse_date(&v, end).with_context(|| format!("--{name}: expected YYYY-MM-DD or RFC 3339, got {v:?}")))
            .transpose()
    };
    Ok(SearchQuery {
        text,
        source,
        language,
        published_from: date(from, "from", false)?,
        published_to: date(to, "to", true)?,
        mentioned_from: date(mentioned_from, "mentioned-from", false)?,
        mentioned_to: date(mentioned_to, "mentioned-to", true)?,
        event: None,
        entities: Vec::new(),
        limit,
        offset,
    })
}

pub fn search(store: &dyn Store, q: &SearchQuery, json: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let r = store.search(q)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for w in &r.warnings {
        eprintln!("newsgraph: query: {w}");
    }
    writeln!(out, "{} matching articles ({ms:.1} ms)", r.total)?;
    for (i, h) in r.hits.iter().enumerate() {
        let date = h.published.map(|p| p.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "----------".into());
        writeln!(
            out,
            "{:>3}. {date}  {}  [{}]  score {:.2}  id {}",
            q.offset + i + 1,
            h.title.as_deref().unwrap_or("(untitled)"),
            h.source.as_deref().unwrap_or("-"),
            h.score,
            h.id
        )?;
        writeln!(out, "     {}", marked(&h.snippet.text, &h.snippet.highlights))?;
        // Quotes containing a word of the query, else the article's first ones.
        let label = if h.quotes_match || q.text.trim().is_empty() { "quote" } else { "quote (first)" };
        for quote in &h.quotes {
            writeln!(out, "     {label}: {}", super::quotes_cmd::quote_line(quote))?;
        }
        if h.quotes_total > h.quotes.len() as u64 {
            let more = h.quotes_total - h.quotes.len() as u64;
            writeln!(out, "     … {more} more {}", if more == 1 { "quote" } else { "quotes" })?;
        }
    }
    if !r.facets.source.is_empty() {
        let f: Vec<String> = r.facets.source.iter().map(|f| format!("{} ({})", f.value, f.count)).collect();
        writeln!(out, "sources: {}", f.join(", "))?;
    }
    if !r.facets.entities.is_empty() {
        let f: Vec<String> =
            r.facets.entities.iter().take(10).map(|f| format!("{} [{}] ({})", f.name, f.id, f.count)).collect();
        writeln!(out, "entities: {}", f.join(", "))?;
    }
    for (label, facet) in [("event types (CAMEO root)", &r.facets.events), ("dates mentioned", &r.facets.mentioned)] {
        if !facet.is_empty() {
            let f: Vec<String> = facet.iter().take(10).map(|f| format!("{} ({})", f.value, f.count)).collect();
            writeln!(out, "{label}: {}", f.join(", "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The snippet with highlights in «guillemets» (readable without colour).
fn marked(text: &str, highlights: &[(usize, usize)]) -> String {
    let mut s = String::with_capacity(text.len() + highlights.len() * 4);
    let mut at = 0;
    for &(a, b) in highlights {
        if a < at || b > text.len() {
            continue;
        }
        s.push_str(&text[at..a]);
        s.push('«');
        s.push_str(&text[a..b]);
        s.push('»');
        at = b;
    }
    s.push_str(&text[at..]);
    s.replace('\n', " ")
}

pub fn show(store: &dyn Store, id: &str, json: bool) -> Result<ExitCode> {
    let Some(doc) = store.get(id)? else {
        eprintln!("newsgraph: no article with id {id:?}");
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", doc.to_json_pretty())?;
    } else {
        super::analyze::write_readable(&mut out, &doc)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(store: &dyn Store, format: ExportFormat, header: bool, output: Option<&Path>) -> Result<ExitCode> {
    if format == ExportFormat::Parquet {
        return super::parquet_export::export(store, output);
    }
    let sink: Box<dyn Write> = match output {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let table = match format {
        ExportFormat::Jsonl => None,
        ExportFormat::GdeltEvents => Some(super::gdelt::Table::Events),
        ExportFormat::GdeltMentions => Some(super::gdelt::Table::Mentions),
        ExportFormat::GdeltGkg => Some(super::gdelt::Table::Gkg),
        ExportFormat::Parquet => unreachable!("handled above"),
    };
    if let Some(table) = table {
        let docs = store.iter_all().map(|d| d.map_err(anyhow::Error::from));
        let w = super::gdelt::write(docs, table, header, &mut out)?;
        out.flush()?;
        if output.is_some() || w.undated > 0 {
            eprintln!(
                "newsgraph: exported {} rows from {} articles{}",
                w.rows,
                w.articles,
                if w.undated > 0 { format!(" ({} events without any date skipped)", w.undated) } else { String::new() }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut n = 0u64;
    for doc in store.iter_all() {
        writeln!(out, "{}", doc?.to_json())?;
        n += 1;
    }
    out.flush()?;
    if output.is_some() {
        eprintln!("newsgraph: exported {n} articles");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(store: &dyn Store, json: bool) -> Result<ExitCode> {
    let s = store.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("articles        {}", s.documents);
        println!("last change     {}", s.last_seq);
        println!(
            "indexed through {}{}",
            s.indexed_seq,
            if s.indexed_seq < s.last_seq { " (index behind: open for writing to catch up)" } else { "" }
        );
        println!("format version  {}", s.format_version);
    }
    Ok(ExitCode::SUCCESS)
}
