//! `entities` and `entity`: the entities of a store's articles.
use anyhow::Result;
use newsgraph_store::{EmbeddedStore, EntityQuery, ErrorKind, FormCount, Store, StoreError};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Runs a read on a read-only handle. A store of an older format (no entity or quote table
/// yet) is first upgraded by one writable open when no other writer holds it; when one does,
/// the read runs on the old format (and fails if it needs what the upgrade adds).
pub(super) fn read<T>(dir: &Path, f: impl Fn(&dyn Store) -> Result<T, StoreError>) -> Result<T> {
    if super::pg_url(dir).is_some() {
        // A database's schema is created and upgraded by writable connections only.
        return Ok(f(&*super::open_store_spec(dir, false)?)?);
    }
    let mut store = super::open_store_read(dir)?;
    if store.status()?.format_version < newsgraph_store::FORMAT_VERSION {
        drop(store);
        match EmbeddedStore::open(dir) {
            Ok(w) => {
                eprintln!(
                    "newsgraph: upgraded store {} to format version {}",
                    dir.display(),
                    newsgraph_store::FORMAT_VERSION
                );
                drop(w);
            }
            Err(w) if matches!(w.kind(), ErrorKind::Locked) => {}
            Err(w) => return Err(w.into()),
        }
        store = super::open_store_read(dir)?;
    }
    match f(&store) {
        Err(e) if matches!(e.kind(), ErrorKind::NeedsUpgrade { .. }) => {
            anyhow::bail!("{e} (another process is writing to it now: retry when it is done)")
        }
        r => Ok(r?),
    }
}

/// Forms with their counts: `Vikof (2), Witkof (1)`; `-` when none.
fn forms(v: &[FormCount], max: usize) -> String {
    if v.is_empty() {
        return "-".into();
    }
    let mut s: Vec<String> = v.iter().take(max).map(|f| format!("{} ({})", f.form, f.count)).collect();
    if v.len() > max {
        s.push(format!("… {} more", v.len() - max));
    }
    s.join(", ")
}

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

pub fn list(dir: &Path, q: &EntityQuery, json: bool) -> Result<ExitCode> {
    let page = read(dir, |s| s.entities(q))?;
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
    writeln!(out, "{} {}{shown}", page.total, if page.total == 1 { "entity" } else { "entities" })?;
    if page.items.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let idw = page.items.iter().map(|e| e.id.chars().count()).max().unwrap_or(2).clamp(2, 40);
    let namew = page.items.iter().map(|e| e.name.chars().count()).max().unwrap_or(4).clamp(4, 30);
    writeln!(
        out,
        "{:<idw$}  {:<namew$}  {:<12}  {:>8}  {:>8}  repaired spellings",
        "id", "name", "kind", "articles", "mentions"
    )?;
    for e in &page.items {
        writeln!(
            out,
            "{:<idw$}  {:<namew$}  {:<12}  {:>8}  {:>8}  {}",
            cut(&e.id, idw),
            cut(&e.name, namew),
            e.kind,
            e.articles,
            e.mentions,
            forms(&e.repaired, 5)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(dir: &Path, id: &str, offset: u64, limit: u64, json: bool) -> Result<ExitCode> {
    let Some(d) = read(dir, |s| s.entity(id, offset, limit))? else {
        eprintln!("newsgraph: no entity with id {id:?} (list them with: newsgraph entities --q NAME)");
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&d)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let e = &d.summary;
    writeln!(out, "{}  {}  ({})", e.id, e.name, e.kind)?;
    if let Some(kb) = &e.kb_id {
        writeln!(out, "knowledge base  {kb}")?;
    }
    if let Some(q) = &d.qid {
        writeln!(out, "wikidata        {q}")?;
    }
    if let Some(s) = &d.subtype {
        writeln!(out, "subtype         {s}")?;
    }
    if let Some(c) = &e.country {
        writeln!(out, "country         {c}")?;
    }
    if !d.roles.is_empty() {
        writeln!(out, "roles           {}", d.roles.join("; "))?;
    }
    if let Some(g) = &d.geo {
        writeln!(out, "geo             {:.4}, {:.4} ({}, {})", g.lat, g.lon, g.feature, g.country)?;
    }
    writeln!(out, "articles        {}", e.articles)?;
    writeln!(out, "mentions        {}", e.mentions)?;
    writeln!(out, "written as      {}", forms(&e.aliases, 20))?;
    writeln!(out, "repaired from   {}", forms(&e.repaired, 20))?;
    if !e.merged.is_empty() {
        writeln!(out, "merged ids      {}", e.merged.join(", "))?;
    }
    match &d.quotes {
        Some(said) if said.total > 0 => {
            writeln!(
                out,
                "said            {} {}, newest articles first:",
                said.total,
                if said.total == 1 { "quote" } else { "quotes" }
            )?;
            for h in &said.items {
                writeln!(out, "  {}", super::quotes_cmd::article_line(h))?;
                writeln!(out, "      {}", super::quotes_cmd::quote_line(&h.quote))?;
            }
            if said.total > said.items.len() as u64 {
                writeln!(
                    out,
                    "  … {} more: newsgraph quotes --speaker {}",
                    said.total - said.items.len() as u64,
                    e.id
                )?;
            }
        }
        Some(_) => writeln!(out, "said            no quotes")?,
        None => {}
    }
    if let Some(ev) = &d.events {
        for (label, page, role) in [("did", &ev.as_source, "source"), ("done to it", &ev.as_target, "target")] {
            if page.total == 0 {
                writeln!(out, "{label:<15} no events")?;
                continue;
            }
            let noun = if page.total == 1 { "event" } else { "events" };
            writeln!(out, "{label:<15} {} {noun}, latest first:", page.total)?;
            for h in &page.items {
                super::events_cmd::print_hit(&mut out, h)?;
            }
            if page.total > page.items.len() as u64 {
                let more = page.total - page.items.len() as u64;
                writeln!(out, "  … {more} more: newsgraph events --actor {} --role {role}", e.id)?;
            }
        }
    }
    let p = &d.appears_in;
    if p.items.is_empty() {
        if p.total > 0 {
            writeln!(out, "no articles at offset {} of {}", p.offset, p.total)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "articles {}-{} of {}, newest first:", p.offset + 1, p.offset + p.items.len() as u64, p.total)?;
    for a in &p.items {
        let date = a.published.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "----------".into());
        writeln!(
            out,
            "  {date}  {}  [{}]  {} mention{}  id {}",
            a.title.as_deref().unwrap_or("(untitled)"),
            a.source.as_deref().unwrap_or("-"),
            a.mentions,
            if a.mentions == 1 { "" } else { "s" },
            a.id
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
