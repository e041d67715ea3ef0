//! Printing a page of store results (`quotes`, `events`): JSON, or a count line, one block
//! per item and a hint for the next page.
use anyhow::Result;
use newsgraph_store::Page;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// `noun` is (singular, plural); `order` says how items are sorted ("latest first").
pub fn print<T: Serialize>(
    page: &Page<T>,
    json: bool,
    noun: (&str, &str),
    order: &str,
    mut item: impl FnMut(&mut dyn Write, &T) -> std::io::Result<()>,
) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(page)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let next = page.offset + page.items.len() as u64;
    let shown = if page.items.is_empty() { String::new() } else { format!(", showing {}-{next}", page.offset + 1) };
    writeln!(out, "{} {}{shown}, {order}", page.total, if page.total == 1 { noun.0 } else { noun.1 })?;
    for h in &page.items {
        item(&mut out, h)?;
    }
    if page.total > next && !page.items.is_empty() {
        writeln!(out, "more with --offset {next}")?;
    }
    Ok(ExitCode::SUCCESS)
}
