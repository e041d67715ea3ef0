//! `newsgraph serve`: the HTTP JSON API and the web UI over a store.
use anyhow::{Context, Result};
use newsgraph_engine::Pipeline;
use newsgraph_ingest::{IngestOptions, Source};
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
        eprintln!("newsgraph: serving {} on http://{addr}/ (web UI at /; API: /health /articles /articles/{{id}} /search /entities /entities/{{id}} /quotes /events /stories /stories/{{id}} /articles/{{id}}/duplicates /analyze /openapi.yaml)", super::store_name(store_dir));
        newsgraph_server::serve_with(listener, store, Some(analyzer())).await.context("server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `POST /analyze`: the pasted text read like a file of unknown type (the plain-text article
/// format, or sniffed HTML, a feed, JSONL), its first article run through the standard
/// pipeline (built on first use, so the server starts at once), nothing stored.
fn analyzer() -> newsgraph_server::Analyzer {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    Arc::new(|text: &str| {
        let opts = IngestOptions::default();
        let mut docs = Source::from_bytes("pasted", text.as_bytes().to_vec(), None, &opts).documents();
        let mut doc = match docs.next() {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("no article found in the text".to_string()),
        };
        PIPELINE.get_or_init(Pipeline::standard).annotate(&mut doc);
        Ok(doc)
    })
}
