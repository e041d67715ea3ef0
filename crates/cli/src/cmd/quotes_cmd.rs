//! `quotes`: who said what in a store's articles; also the quote lines of `entity` and `search`.
use anyhow::Result;
use newsgraph_store::{QuoteHit, QuoteQuery, StoredQuote};
use std::path::Path;
use std::process::ExitCode;

/// Longest quote text printed (chars); longer ones are cut with `…`.
const TEXT_CHARS: usize = 240;

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `Donald Trump [per:donald-trump] (direct, "said"): “There will be …”` — who, how, what.
/// Direct quotes are shown in quotation marks; reported speech as it is.
pub(super) fn quote_line(q: &StoredQuote) -> String {
    let who = match (&q.speaker, &q.source) {
        (Some(s), _) => match &s.id {
            Some(id) => format!("{} [{id}]", s.name),
            None => s.name.clone(),
        },
        (None, Some(src)) => format!("{src} (unresolved)"),
        (None, None) => "(unknown speaker)".to_string(),
    };
    let how = match &q.cue {
        Some(c) => format!("{}, \"{c}\"", q.kind),
        None => q.kind.clone(),
    };
    let relayed = match &q.reported_by {
        Some(r) => format!(" via {}", r.id.as_deref().unwrap_or(&r.name)),
        None => String::new(),
    };
    let text = cut(&q.text, TEXT_CHARS);
    let text = if q.kind == "direct" { format!("\u{201c}{text}\u{201d}") } else { text };
    format!("{who} ({how}){relayed}: {text}")
}

/// The article line of a quote: `2025-08-14  Title  [Source]  id X`.
pub(super) fn article_line(h: &QuoteHit) -> String {
    let a = &h.article;
    let date = a.published.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "----------".into());
    format!(
        "{date}  {}  [{}]  id {}",
        a.title.as_deref().unwrap_or("(untitled)"),
        a.source.as_deref().unwrap_or("-"),
        a.id
    )
}

pub fn list(dir: &Path, q: &QuoteQuery, json: bool) -> Result<ExitCode> {
    let page = super::entities::read(dir, |s| s.quotes(q))?;
    super::page::print(&page, json, ("quote", "quotes"), "newest articles first", |out, h| {
        writeln!(out, "  {}", article_line(h))?;
        writeln!(out, "      {}", quote_line(&h.quote))
    })
}
