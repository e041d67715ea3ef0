//! `newsgraph serve`: the HTTP JSON API and the web UI over a store.
use anyhow::{Context, Result};
use newsgraph_engine::Pipeline;
use newsgraph_ingest::{ErrorKind, Format, IngestOptions, Source};
use newsgraph_server::{FeedError, FeedItems, FeedLimits};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

pub fn run(store_dir: &Path, bind: &str, port: u16) -> Result<ExitCode> {
    // Open writable once so a store that crashed mid-ingest gets its index caught up,
    // then serve from a read-only handle so an ingest can run beside the server.
    let store: Arc<dyn newsgraph_store::Store> = Arc::from(super::open_for_serving(store_dir)?);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .with_context(|| format!("cannot listen on {bind}:{port}"))?;
        let addr = listener.local_addr()?;
        eprintln!("newsgraph: serving {} on http://{addr}/ (web UI at /; API: /health /articles /articles/{{id}} /search /entities /entities/{{id}} /quotes /events /stories /stories/{{id}} /articles/{{id}}/duplicates /duplicates /analyze /analyze/feed /openapi.yaml)", super::store_name(store_dir));
        newsgraph_server::serve_with(listener, store, Some(analyzer()), Some(feed_reader())).await.context("server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The engine's standard pipeline, built on first use (so the server starts at once).
fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(Pipeline::standard)
}

/// `POST /analyze/feed`: the feed fetched within the server's limits (`newsgraph-ingest`'s
/// fetch: http(s) only, timeouts, a size limit, few redirects), its first items read as
/// `newsgraph ingest URL` reads them and run through the standard pipeline, nothing stored.
fn feed_reader() -> newsgraph_server::FeedReader {
    Arc::new(|url: &str, limits: &FeedLimits| {
        let mut opts = IngestOptions::default();
        opts.fetch.connect_timeout = limits.connect_timeout;
        opts.fetch.read_timeout = limits.timeout.saturating_sub(limits.connect_timeout);
        opts.fetch.max_body_bytes = limits.max_bytes;
        opts.max_record_bytes = limits.max_bytes;
        let fetched = newsgraph_ingest::fetch(url, &opts.fetch).map_err(|e| match e.kind() {
            ErrorKind::TooLarge { limit } => {
                FeedError::Fetch(format!("{url}: the answer is larger than {limit} bytes"))
            }
            _ => FeedError::Fetch(e.to_string()),
        })?;
        let format = newsgraph_ingest::fetched_format(&fetched);
        if format != Format::Feed {
            let ct = fetched.content_type.as_deref().unwrap_or("no content type");
            return Err(FeedError::NotFeed(format!(
                "{url}: not an RSS or Atom feed (the answer is {} with {ct})",
                match format {
                    Format::Html => "an HTML page",
                    Format::Jsonl => "JSON",
                    _ => "text",
                }
            )));
        }
        let final_url = fetched.final_url.clone();
        let mut docs = Source::from_fetched(url, fetched, &opts).documents();
        let mut items = Vec::new();
        for r in docs.by_ref().take(limits.max_items) {
            match r {
                Ok(mut d) => {
                    pipeline().annotate(&mut d);
                    items.push(Ok(d));
                }
                // The whole feed unreadable (not XML of a feed after all).
                Err(e) if items.is_empty() && matches!(e.kind(), ErrorKind::NotFeed(_)) => {
                    return Err(FeedError::NotFeed(e.to_string()));
                }
                Err(e) => items.push(Err(e.to_string())),
            }
        }
        let more = docs.next().is_some();
        Ok(FeedItems { final_url, items, more })
    })
}

/// `POST /analyze`: the pasted text read like a file of unknown type (the plain-text article
/// format, or sniffed HTML, a feed, JSONL), its first article run through the standard
/// pipeline (built on first use, so the server starts at once), nothing stored.
fn analyzer() -> newsgraph_server::Analyzer {
    Arc::new(|text: &str| {
        let opts = IngestOptions::default();
        let mut docs = Source::from_bytes("pasted", text.as_bytes().to_vec(), None, &opts).documents();
        let mut doc = match docs.next() {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("no article found in the text".to_string()),
        };
        pipeline().annotate(&mut doc);
        Ok(doc)
    })
}
