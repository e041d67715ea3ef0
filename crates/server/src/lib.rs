//! The newsgraph HTTP JSON API.
//!
//! A thin layer over [`newsgraph_store::Store`]: it parses and checks requests, runs the
//! store's blocking calls off the async runtime, and maps every error to one JSON shape
//! (`{"error": {"code", "status", "message"}}`, see [`ApiError`]). The API is documented in
//! `openapi.yaml`, served at `/openapi.yaml`.
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

pub use api::{parse_date, router};
pub use error::{ApiError, ErrorCode};

use newsgraph_store::Store;
use std::sync::Arc;

/// The OpenAPI description of this API.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// Serves the API on `listener` until Ctrl-C / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, store: Arc<dyn Store>) -> std::io::Result<()> {
    axum::serve(listener, router(store)).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
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
