//! The newsgraph HTTP JSON API and web UI.
//!
//! A thin layer over [`newsgraph_store::Store`]: it parses and checks requests, runs the
//! store's blocking calls off the async runtime, and maps every error to one JSON shape
//! (`{"error": {"code", "status", "message"}}`, see [`ApiError`]). The API is documented in
//! `openapi.yaml`, served at `/openapi.yaml`. The web UI (`ui.rs`, files under `ui/`) is
//! served at `/` from the same router; [`router_with`] adds the analyzer behind
//! `POST /analyze`, [`router_with_feeds`] a feed reader behind `POST /analyze/feed`.
//!
//! `lib.rs` is public so that tests start the real server in-process on a loopback port:
//!
//! ```no_run
//! # async fn run(store: std::sync::Arc<dyn newsgraph_store::Store>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! newsgraph_server::serve(listener, store).await
//! # }
//! ```

mod api;
mod error;
mod ui;

pub use api::parse_date;
pub use error::{ApiError, ErrorCode};
pub use ui::{
    Analyzer, FeedError, FeedItems, FeedLimits, FeedReader, FEED_LIMITS, MAX_ANALYZE_BYTES, MAX_FEED_URL, UI_CSP,
};

use newsgraph_store::Store;
use std::sync::Arc;

/// The OpenAPI description of this API.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// The API's routes and the web UI over a store; `POST /analyze` answers 501 (no analyzer).
pub fn router(store: Arc<dyn Store>) -> axum::Router {
    router_with(store, None)
}

/// The API's routes and the web UI, with `analyzer` behind `POST /analyze`.
pub fn router_with(store: Arc<dyn Store>, analyzer: Option<Analyzer>) -> axum::Router {
    router_with_feeds(store, analyzer, None)
}

/// [`router_with`], and `feeds` behind `POST /analyze/feed` (without one it answers 501).
pub fn router_with_feeds(store: Arc<dyn Store>, analyzer: Option<Analyzer>, feeds: Option<FeedReader>) -> axum::Router {
    api::router(store).merge(ui::router(analyzer, feeds))
}

/// Serves the API and UI on `listener` until Ctrl-C / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, store: Arc<dyn Store>) -> std::io::Result<()> {
    serve_with(listener, store, None, None).await
}

/// [`serve`] with an analyzer behind `POST /analyze` and a feed reader behind
/// `POST /analyze/feed`.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    analyzer: Option<Analyzer>,
    feeds: Option<FeedReader>,
) -> std::io::Result<()> {
    axum::serve(listener, router_with_feeds(store, analyzer, feeds)).with_graceful_shutdown(shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM (also used by `newsgraph worker` to stop after its batch).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
