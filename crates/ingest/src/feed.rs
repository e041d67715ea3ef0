//! RSS 0.9x/1.0/2.0, Atom (and JSON Feed) via `feed-rs`: one document per item.
use crate::error::{ErrorKind, IngestError, Place};
use crate::html::{html_article, url_host};
use crate::{IngestOptions, Ingested};
use feed_rs::model::{Entry, Feed, FeedType};
use newsgraph_model::{InputRef, Published, TimeBasis};

/// Parses a feed; returns its format name (`rss`, `atom`, `jsonfeed`) and items.
pub(crate) fn parse_feed(
    bytes: &[u8],
    origin: &str,
    base_url: Option<&str>,
) -> Result<(String, Vec<Entry>, Feed), IngestError> {
    let parser = feed_rs::parser::Builder::new().base_uri(base_url).build();
    let first = match parser.parse(bytes) {
        Ok(f) => return Ok(split(f)),
        Err(e) => e,
    };
    // A lying or missing encoding declaration: decode ourselves and retry as UTF-8.
    if let Ok(d) = crate::decode::decode(bytes, None) {
        let mut text = d.text;
        if text.starts_with("<?xml") {
            if let Some(end) = text.find("?>") {
                text.replace_range(..end + 2, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            }
        }
        let parser = feed_rs::parser::Builder::new().base_uri(base_url).build();
        if let Ok(f) = parser.parse(text.as_bytes()) {
            return Ok(split(f));
        }
    }
    Err(IngestError::new(origin, Place::Whole, ErrorKind::NotFeed(first.to_string())))
}

fn split(mut f: Feed) -> (String, Vec<Entry>, Feed) {
    let kind = match f.feed_type {
        FeedType::Atom => "atom",
        FeedType::JSON => "jsonfeed",
        _ => "rss",
    };
    let entries = std::mem::take(&mut f.entries);
    (kind.to_string(), entries, f)
}

/// One feed item → a document. `n` is the 1-based item number.
pub(crate) fn feed_item(
    e: &Entry,
    feed: &Feed,
    format: &str,
    n: u64,
    origin: &str,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let place = Place::Item(n);
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| l.href.clone());
    let html = e
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .filter(|b| !b.trim().is_empty())
        .or_else(|| e.summary.as_ref().map(|s| s.content.clone()).filter(|s| !s.trim().is_empty()))
        .ok_or_else(|| {
            IngestError::new(origin, place, ErrorKind::NoText(" (item has no content or summary)".into()))
        })?;
    // Feed content is the article already: fall back to plain HTML-to-text.
    let mut b = html_article(&html, 0, link.as_deref(), opts, true, origin, place)?;
    let m = b.meta_mut();
    m.url = link.clone();
    if let Some(t) = &e.title {
        m.title = Some(crate::html::decode_entities(&t.content).into_owned());
    }
    if let Some(p) = e.published.or(e.updated) {
        m.published = Some(Published { time: p.fixed_offset(), basis: TimeBasis::Stated });
    }
    let authors: Vec<String> =
        e.authors.iter().filter_map(|p| p.name.clone()).filter(|a| !a.trim().is_empty()).collect();
    if !authors.is_empty() {
        m.authors = authors;
    }
    let image = e.media.iter().find_map(|mo| {
        mo.content
            .iter()
            .find(|c| c.content_type.as_ref().is_none_or(|t| t.ty() == "image"))
            .and_then(|c| c.url.as_ref().map(|u| u.to_string()))
            .or_else(|| mo.thumbnails.first().map(|t| t.image.uri.clone()))
    });
    if image.is_some() {
        m.image_url = image;
    }
    m.language = e.language.clone().or_else(|| feed.language.clone()).or(m.language.take());
    m.source = feed
        .title
        .as_ref()
        .map(|t| t.content.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| link.as_deref().and_then(url_host))
        .or(m.source.take());
    m.input = Some(InputRef { origin: origin.to_string(), format: format.to_string(), record: Some(n) });
    Ok(Ingested { document: b.build(), warnings: Vec::new() })
}
