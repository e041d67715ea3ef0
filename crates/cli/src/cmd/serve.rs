//! `newsgraph serve`: the HTTP JSON API over a store.
use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(store_dir: &Path, bind: &str, port: u16) -> Result<ExitCode> {
    // Open writable once so a store that crashed mid-ingest gets its index caught up,
    // then serve from a read-only handle so an ingest can run beside the server.
    if !store_dir.exists() {
        std::fs::create_dir_all(store_dir).with_context(|| format!("cannot create {}", store_dir.display()))?;
    }
    drop(super::open_store(store_dir));
    let store = Arc::new(super::open_store_read(store_dir)?);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .with_context(|| format!("cannot listen on {bind}:{port}"))?;
        let addr = listener.local_addr()?;
        eprintln!("newsgraph: serving {} on http://{addr}/ (API: /health /articles /articles/{{id}} /search /entities /entities/{{id}} /quotes /events /stories /stories/{{id}} /articles/{{id}}/duplicates /openapi.yaml)", store_dir.display());
        newsgraph_server::serve(listener, store).await.context("server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}
