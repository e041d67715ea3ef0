//! `stories` and `story`: the stories of a store's articles, with their timelines.
use anyhow::Result;
use chrono::{DateTime, Utc};
use newsgraph_store::{SearchQuery, Store, StoryQuery, StorySummary, TimelineItem};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "----------".into())
}

/// `2025-08-08 … 2025-08-16` (one day when both ends are the same).
fn span(s: &StorySummary) -> String {
    let (a, b) = (day(s.first_published), day(s.last_published));
    if a == b {
        a
    } else {
        format!("{a} … {b}")
    }
}

pub fn list(dir: &Path, q: &StoryQuery, json: bool) -> Result<ExitCode> {
    let page = super::entities::read(dir, |s| s.stories(q))?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&page)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let shown = if page.items.is_empty() {
        String::new()
    } else {
        format!(", showing {}-{}", q.offset + 1, q.offset + page.items.len() as u64)
    };
    writeln!(out, "{} {}{shown}, most articles first", page.total, if page.total == 1 { "story" } else { "stories" })?;
    if !page.items.is_empty() {
        writeln!(out, "{:>5}  {:>8}  {:<23}  label", "id", "articles", "published")?;
    }
    for s in &page.items {
        writeln!(out, "{:>5}  {:>8}  {:<23}  {}", s.id, s.articles, span(s), s.label)?;
    }
    if page.total > q.offset + page.items.len() as u64 && !page.items.is_empty() {
        writeln!(out, "more with --offset {}", q.offset + page.items.len() as u64)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(dir: &Path, id: u64, json: bool) -> Result<ExitCode> {
    let (detail, dups) = super::entities::read(dir, |s| {
        let Some(d) = s.story(id)? else { return Ok((None, Vec::new())) };
        let mut dups = Vec::new();
        for a in &d.articles {
            dups.push(s.duplicates(&a.id)?);
        }
        Ok((Some(d), dups))
    })?;
    let Some(d) = detail else {
        eprintln!("newsgraph: no story {id} (see `newsgraph stories`)");
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&d)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &d.summary;
    writeln!(out, "story {}: {}", s.id, s.label)?;
    writeln!(out, "published {}; {} {}", span(s), s.articles, if s.articles == 1 { "article" } else { "articles" })?;
    if !d.places.is_empty() {
        writeln!(out, "places: {}", d.places.join(", "))?;
    }
    if !d.keywords.is_empty() {
        writeln!(out, "keywords: {}", d.keywords.join(", "))?;
    }
    if !d.dates.is_empty() {
        writeln!(out, "dates mentioned: {}", d.dates.join(", "))?;
    }
    writeln!(out, "articles:")?;
    for (a, g) in d.articles.iter().zip(&dups) {
        let date = a.published.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "----------".into());
        let copy = match g {
            Some(g) if g.canonical != a.id => format!("  (near-duplicate of {})", g.canonical),
            Some(g) if g.members.len() > 1 => format!("  (canonical of {} copies)", g.members.len()),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {date}  {}  [{}]  id {}{copy}",
            a.title.as_deref().unwrap_or("(untitled)"),
            a.source.as_deref().unwrap_or("-"),
            a.id
        )?;
    }
    if !d.entities.is_empty() {
        writeln!(out, "entities:")?;
        for e in &d.entities {
            writeln!(out, "  {:<32}  {:<28}  {} articles, {} mentions", e.id, e.name, e.articles, e.mentions)?;
        }
    }
    writeln!(out, "timeline ({} items, by the date of what happened):", d.timeline.len())?;
    print_timeline(&mut out, &d.timeline)?;
    Ok(ExitCode::SUCCESS)
}

/// Timeline items, one a line: events, quotes and (for an entity) the articles mentioning it.
pub fn print_timeline(out: &mut impl Write, items: &[TimelineItem]) -> Result<()> {
    for t in items {
        let date = t.date.as_deref().unwrap_or("----------");
        if let Some(e) = &t.event {
            writeln!(out, "  {}", super::events_cmd::event_line(e))?;
        } else if let Some(q) = &t.quote {
            writeln!(out, "  {date}  {}", super::quotes_cmd::quote_line(q))?;
        } else {
            let a = &t.article;
            writeln!(
                out,
                "  {date}  article: {}  [{}]  id {}",
                a.title.as_deref().unwrap_or("(untitled)"),
                a.source.as_deref().unwrap_or("-"),
                a.id
            )?;
        }
    }
    Ok(())
}

/// `newsgraph entity ID --timeline`: one page of an entity's timeline.
pub fn entity_timeline(dir: &Path, id: &str, offset: u64, limit: u64, json: bool) -> Result<ExitCode> {
    let Some(page) = super::entities::read(dir, |s| s.entity_timeline(id, offset, limit))? else {
        eprintln!("newsgraph: no entity with id {id:?} (list them with: newsgraph entities --q NAME)");
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&page)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "timeline of {id}: {} items (events, quotes, articles) by the date of what happened, showing {}-{}",
        page.total,
        (offset + 1).min(page.total),
        offset + page.items.len() as u64
    )?;
    print_timeline(&mut out, &page.items)?;
    if page.total > offset + page.items.len() as u64 && !page.items.is_empty() {
        writeln!(out, "more with --offset {}", offset + page.items.len() as u64)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `newsgraph search … --stories`: the hits grouped by story.
pub fn search(store: &dyn Store, q: &SearchQuery, json: bool) -> Result<ExitCode> {
    let page = store.search_stories(q)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&page)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} {} with matching articles", page.total, if page.total == 1 { "story" } else { "stories" })?;
    for g in &page.items {
        let s = &g.story;
        writeln!(out, "{:>5}  {}  ({} matching of {} articles, {})", s.id, s.label, g.matching, s.articles, span(s))?;
        writeln!(
            out,
            "       best: {}  [{}]  id {}",
            g.best.title.as_deref().unwrap_or("(untitled)"),
            g.best.source.as_deref().unwrap_or("-"),
            g.best.id
        )?;
    }
    if page.total > q.offset as u64 + page.items.len() as u64 && !page.items.is_empty() {
        writeln!(out, "more with --offset {}", q.offset + page.items.len())?;
    }
    Ok(ExitCode::SUCCESS)
}
