//! `events`: who did what to whom in a store's articles; also the event lines of `entity`.
use anyhow::{bail, Result};
use newsgraph_store::{EventHit, EventQuery, StoredEvent};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Builds and checks an event query from the command line; an error names the option.
#[allow(clippy::too_many_arguments)]
pub fn query(
    actor: Option<String>,
    role: Option<String>,
    code: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
    near: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<EventQuery> {
    let day = |name: &str, v: Option<&str>| -> Result<Option<chrono::NaiveDate>> {
        match v {
            None => Ok(None),
            Some(v) => match newsgraph_server::parse_date(v.trim(), false) {
                Some(t) => Ok(Some(t.date_naive())),
                None => bail!("--{name}: expected YYYY-MM-DD, got {v:?}"),
            },
        }
    };
    let near = match near {
        None => None,
        Some(n) => Some(newsgraph_store::parse_near(n).map_err(|m| anyhow::anyhow!("--near: {m}"))?),
    };
    let q = EventQuery {
        actor: actor.map(|a| a.trim().to_string()),
        role,
        code: code.map(|c| c.trim().to_string()),
        from: day("from", from)?,
        to: day("to", to)?,
        near,
        limit,
        offset,
    };
    if let Err((param, msg)) = q.check() {
        bail!("--{param}: {msg}");
    }
    Ok(q)
}

/// `2025-08-15  036 CONSULT  Donald Trump [USAGOV] → Vladimir Putin [RUSGOV]  "meet"  @ Alaska  (announced)`.
pub(super) fn event_line(e: &StoredEvent) -> String {
    let who = |a: &Option<newsgraph_store::EventActor>| match a {
        Some(a) => match &a.code {
            Some(c) => format!("{} [{c}]", a.name),
            None => a.name.clone(),
        },
        None => "-".to_string(),
    };
    let place = e.place.as_ref().map(|p| format!("  @ {}", p.name)).unwrap_or_default();
    format!(
        "{}  {} {}  {} → {}  \"{}\"{place}  ({})",
        e.day.as_deref().unwrap_or("----------"),
        e.code,
        e.plover,
        who(&e.source),
        who(&e.target),
        e.trigger,
        e.modality
    )
}

pub fn list(dir: &Path, q: &EventQuery, json: bool) -> Result<ExitCode> {
    let page = super::entities::read(dir, |s| s.events(q))?;
    super::page::print(&page, json, ("event", "events"), "latest first", |out, h| print_hit(out, h))
}

pub(super) fn print_hit(out: &mut (impl Write + ?Sized), h: &EventHit) -> std::io::Result<()> {
    writeln!(out, "  {}", event_line(&h.event))?;
    let a = &h.article;
    writeln!(
        out,
        "      {}  [{}]  id {}",
        a.title.as_deref().unwrap_or("(untitled)"),
        a.source.as_deref().unwrap_or("-"),
        a.id
    )
}
