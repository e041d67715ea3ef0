//! The web UI and `POST /analyze`.
//!
//! The UI is plain HTML, CSS and JavaScript modules under `crates/server/ui/` (no build
//! step), compiled into the binary with `include_str!` and served at `/` and `/ui/{file}`
//! with a strict Content-Security-Policy ([`UI_CSP`]: scripts and styles from this origin
//! only, no inline code, no other hosts). The pages read the JSON API like any client and
//! build their DOM with `textContent`, never `innerHTML`, so article text and user input are
//! never markup.
//!
//! Caching: the index names every asset under a path holding a version of the UI's files
//! (`/ui/v/{version}/{file}`, [`ui_version`]), served `immutable` for a year, so a browser
//! that has seen this build loads the page's scripts and styles without asking; the index
//! itself, and the unversioned `/ui/{file}`, are revalidated each time (`no-cache` with an
//! `ETag`, answered `304` when unchanged). A new build has a new version, so new names.
//!
//! `POST /analyze` runs an [`Analyzer`] on a pasted article and returns the analyzed document
//! without storing it. The analyzer is passed in by the binary (`newsgraph serve` gives the
//! engine's standard pipeline): this crate does not depend on the engine. Without one the
//! route answers 501 `not_implemented`.
//!
//! `POST /analyze/feed` takes `{"url": "https://…"}`, checks the URL (http or https, a host,
//! at most [`MAX_FEED_URL`] bytes) and has a [`FeedReader`] (passed in by the binary, like the
//! analyzer: `newsgraph serve` fetches with `newsgraph-ingest`) fetch the RSS/Atom feed within
//! [`FEED_LIMITS`] and analyze its first items, nothing stored. The server fetches only
//! because the user asked for it; the answer lists each item's title, link, counts and
//! analyzed document.

use crate::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use newsgraph_model::Document;
use std::sync::Arc;
use std::time::Duration;

/// Text in, analyzed document out (or a message saying why the text is not an article).
/// Called on the blocking pool, at most [`ANALYZE_CONCURRENCY`] at a time.
pub type Analyzer = Arc<dyn Fn(&str) -> Result<Document, String> + Send + Sync>;

/// Largest body `POST /analyze` accepts (bytes).
pub const MAX_ANALYZE_BYTES: usize = 2 * 1024 * 1024;

/// Fetches the feed at a URL within the limits and analyzes its first items (at most
/// `max_items`). Called on the blocking pool, holding one of the [`ANALYZE_CONCURRENCY`]
/// analysis slots. Its errors name the URL.
pub type FeedReader = Arc<dyn Fn(&str, &FeedLimits) -> Result<FeedItems, FeedError> + Send + Sync>;

/// Bounds of `POST /analyze/feed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLimits {
    /// Items analyzed at most (the feed's first ones).
    pub max_items: usize,
    /// Largest response accepted (bytes).
    pub max_bytes: u64,
    /// Time to connect, and time for the whole fetch (connecting included).
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

/// The limits `POST /analyze/feed` passes to its [`FeedReader`].
pub const FEED_LIMITS: FeedLimits = FeedLimits {
    max_items: 20,
    max_bytes: 5 * 1024 * 1024,
    connect_timeout: Duration::from_secs(5),
    timeout: Duration::from_secs(20),
};

/// Longest feed URL accepted (bytes).
pub const MAX_FEED_URL: usize = 2048;

/// What a [`FeedReader`] read: the URL after redirects, the first items analyzed (or why an
/// item could not be read), and whether the feed has more items than were analyzed.
#[derive(Debug, Clone)]
pub struct FeedItems {
    pub final_url: String,
    pub items: Vec<Result<Document, String>>,
    pub more: bool,
}

/// Why a feed could not be read; the message names the URL.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// No usable answer: unreachable, an HTTP error status, too slow, too large.
    #[error("{0}")]
    Fetch(String),
    /// An answer, but not an RSS/Atom feed.
    #[error("{0}")]
    NotFeed(String),
}

/// Analyses running at once; more requests wait their turn.
pub const ANALYZE_CONCURRENCY: usize = 2;

/// The Content-Security-Policy of the UI's pages and assets.
pub const UI_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The API's policy, for `/analyze` (JSON only).
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// The UI's files: name under `/ui/`, content type, content.
const ASSETS: &[(&str, &str, &str)] = &[
    ("style.css", CSS, include_str!("../ui/style.css")),
    ("favicon.svg", SVG, include_str!("../ui/favicon.svg")),
    ("boot.js", JS, include_str!("../ui/boot.js")),
    ("app.js", JS, include_str!("../ui/app.js")),
    ("api.js", JS, include_str!("../ui/api.js")),
    ("dom.js", JS, include_str!("../ui/dom.js")),
    ("search.js", JS, include_str!("../ui/search.js")),
    ("story.js", JS, include_str!("../ui/story.js")),
    ("entity.js", JS, include_str!("../ui/entity.js")),
    ("article.js", JS, include_str!("../ui/article.js")),
    ("map.js", JS, include_str!("../ui/map.js")),
    ("ingest.js", JS, include_str!("../ui/ingest.js")),
    ("lists.js", JS, include_str!("../ui/lists.js")),
];

const INDEX: &str = include_str!("../ui/index.html");

/// How long a versioned asset may be kept without asking (a year).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// FNV-1a, 64 bits: a content hash that is the same in every build of the same files.
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The version of the UI's files: a hash of the index and every asset (16 hex digits).
fn ui_version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut parts = vec![INDEX];
        for (name, ct, body) in ASSETS {
            parts.extend([*name, *ct, *body]);
        }
        format!("{:016x}", fnv(&parts))
    });
    &VERSION
}

/// The index, naming the assets under the current version's path.
fn index_html() -> &'static str {
    static HTML: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| INDEX.replace("\"/ui/", &format!("\"/ui/v/{}/", ui_version())));
    &HTML
}

/// The strong ETag of a body.
fn etag(body: &str) -> String {
    format!("\"{:016x}\"", fnv(&[body]))
}

#[derive(Clone)]
struct UiState {
    analyzer: Option<Analyzer>,
    feeds: Option<FeedReader>,
    slots: Arc<tokio::sync::Semaphore>,
}

/// `/`, `/ui/{file}`, `/analyze` and `/analyze/feed`.
pub(crate) fn router(analyzer: Option<Analyzer>, feeds: Option<FeedReader>) -> Router {
    let state = UiState { analyzer, feeds, slots: Arc::new(tokio::sync::Semaphore::new(ANALYZE_CONCURRENCY)) };
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/ui/{file}", get(asset))
        .route("/ui/v/{version}/{file}", get(versioned_asset))
        .route("/analyze", post(analyze).fallback(method_not_allowed).layer(DefaultBodyLimit::max(MAX_ANALYZE_BYTES)))
        .route(
            "/analyze/feed",
            post(analyze_feed).fallback(feed_method_not_allowed).layer(DefaultBodyLimit::max(FEED_BODY_BYTES)),
        )
        .layer(axum::middleware::map_response(headers))
        .with_state(state)
}

/// The API's headers; the UI's own policy where a handler set none.
async fn headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(API_CSP));
    res
}

/// A UI file with the UI's policy: cached for good (`immutable`), or revalidated by its
/// ETag (`304 Not Modified` when the browser has it already).
fn ui_response(content_type: &'static str, body: &'static str, immutable: bool, req: &HeaderMap) -> Response {
    let tag = etag(body);
    let fresh = !immutable
        && req
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let headers = [
        (header::CONTENT_TYPE, content_type.to_string()),
        (header::CONTENT_SECURITY_POLICY, UI_CSP.to_string()),
        (header::CACHE_CONTROL, (if immutable { IMMUTABLE } else { "no-cache" }).to_string()),
        (header::ETAG, tag),
        (header::X_FRAME_OPTIONS, "DENY".to_string()),
    ];
    if fresh {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, body).into_response()
    }
}

async fn index(req: HeaderMap) -> Response {
    ui_response(HTML, index_html(), false, &req)
}

fn find_asset(file: &str) -> Result<(&'static str, &'static str), ApiError> {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, ct, body)) => Ok((ct, body)),
        None => Err(ApiError::new(ErrorCode::NotFound, "no such UI file")),
    }
}

async fn asset(Path(file): Path<String>, req: HeaderMap) -> Result<Response, ApiError> {
    let (ct, body) = find_asset(&file)?;
    Ok(ui_response(ct, body, false, &req))
}

/// `/ui/v/{version}/{file}`: immutable when the version is this build's; a page of an
/// older build gets today's file, revalidated.
async fn versioned_asset(Path((version, file)): Path<(String, String)>, req: HeaderMap) -> Result<Response, ApiError> {
    let (ct, body) = find_asset(&file)?;
    Ok(ui_response(ct, body, version == ui_version(), &req))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "use POST with the article as the body")
}

/// `POST /analyze`: the body is the article in the plain-text article format (any content
/// type but JSON; HTML, a feed or JSONL are sniffed too), or `{"text": "…"}` with
/// `Content-Type: application/json`. Answers the analyzed document (first one, for a feed).
async fn analyze(
    State(st): State<UiState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(analyzer) = st.analyzer.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotImplemented,
            "this server has no analyzer (`newsgraph serve` has one; the API alone does not)",
        ));
    };
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::TooLarge, format!("body: at most {MAX_ANALYZE_BYTES} bytes"))
        } else {
            ApiError::new(ErrorCode::BadBody, format!("body: {}", e.body_text()))
        }
    })?;
    let text = body_text(&headers, &body)?;
    if text.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::BadBody, "body: the article text is empty"));
    }
    let permit =
        st.slots.clone().acquire_owned().await.map_err(|_| ApiError::new(ErrorCode::Internal, "analyzer closed"))?;
    let doc = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        analyzer(&text)
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, format!("analyzer failed: {e}")))?
    .map_err(|m| ApiError::new(ErrorCode::NotAnalyzable, m))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], doc.to_json()).into_response())
}

/// Largest body of `POST /analyze/feed` (a JSON object with a URL).
const FEED_BODY_BYTES: usize = 16 * 1024;

async fn feed_method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "use POST with {\"url\": \"https://…\"} as the body")
}

/// `POST /analyze/feed`: `{"url": "…"}` (JSON) → the feed's first items, analyzed, not stored.
async fn analyze_feed(
    State(st): State<UiState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(reader) = st.feeds.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotImplemented,
            "this server reads no feeds (`newsgraph serve` does; the API alone does not)",
        ));
    };
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::TooLarge, format!("body: at most {FEED_BODY_BYTES} bytes"))
        } else {
            ApiError::new(ErrorCode::BadBody, format!("body: {}", e.body_text()))
        }
    })?;
    let url = feed_url(&headers, &body)?;
    let permit =
        st.slots.clone().acquire_owned().await.map_err(|_| ApiError::new(ErrorCode::Internal, "analyzer closed"))?;
    let asked = url.clone();
    let read = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        reader(&asked, &FEED_LIMITS)
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, format!("feed reader failed: {e}")))?
    .map_err(|e| match e {
        FeedError::Fetch(m) => ApiError::new(ErrorCode::FetchFailed, m),
        FeedError::NotFeed(m) => ApiError::new(ErrorCode::NotAnalyzable, m),
    })?;
    let items: Vec<serde_json::Value> = read
        .items
        .iter()
        .map(|item| match item {
            Err(m) => serde_json::json!({ "error": m }),
            Ok(doc) => {
                let l = &doc.layers;
                serde_json::json!({
                    "title": doc.meta.title,
                    "url": doc.meta.url,
                    "published": doc.meta.published.as_ref().map(|p| p.time.to_rfc3339()),
                    "counts": {
                        "entities": l.entities.len(),
                        "mentions": l.mentions.len(),
                        "timexes": l.timexes.len(),
                        "quotes": l.quotes.len(),
                        "events": l.events.len(),
                    },
                    "document": doc,
                })
            }
        })
        .collect();
    let answer = serde_json::json!({
        "url": url,
        "final_url": read.final_url,
        "items": items,
        "more": read.more,
        "max_items": FEED_LIMITS.max_items,
    });
    Ok(axum::Json(answer).into_response())
}

/// The URL of an `/analyze/feed` body, checked: http or https, a host, no spaces or
/// control characters, at most [`MAX_FEED_URL`] bytes.
fn feed_url(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let bad = |m: String| ApiError::new(ErrorCode::BadBody, m);
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_ascii_lowercase();
    if !(ct.starts_with("application/json") || ct.ends_with("+json")) {
        return Err(bad("body: expected Content-Type: application/json and {\"url\": \"https://…\"}".into()));
    }
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| bad(format!("body: not JSON ({e})")))?;
    let serde_json::Value::Object(map) = v else {
        return Err(bad("body: expected a JSON object {\"url\": \"https://…\"}".into()));
    };
    if let Some(k) = map.keys().find(|k| k.as_str() != "url") {
        let k: String = k.chars().take(40).collect();
        return Err(bad(format!("body: unknown field {k:?}; accepted: url")));
    }
    let url = match map.get("url") {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(_) => return Err(bad("body: \"url\" must be a string".into())),
        None => return Err(bad("body: missing \"url\"".into())),
    };
    let shown: String = url.chars().take(80).collect();
    if url.len() > MAX_FEED_URL {
        return Err(bad(format!("url: at most {MAX_FEED_URL} bytes")));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(format!("url {shown:?}: not a URL; expected http://… or https://…")));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad(format!("url {shown:?}: only http and https URLs are fetched, not {:?}", short(scheme))));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') {
        return Err(bad(format!("url {shown:?}: no host")));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(format!("url {shown:?}: spaces or control characters")));
    }
    Ok(url)
}

fn short(s: &str) -> String {
    s.chars().take(20).collect()
}

/// The article text of an `/analyze` body.
fn body_text(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let bad = |m: String| ApiError::new(ErrorCode::BadBody, m);
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_ascii_lowercase();
    let text = std::str::from_utf8(body).map_err(|e| bad(format!("body: not UTF-8 ({e})")))?;
    if !(ct.starts_with("application/json") || ct.ends_with("+json")) {
        return Ok(text.to_string());
    }
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(format!("body: not JSON ({e})")))?;
    let serde_json::Value::Object(map) = v else {
        return Err(bad("body: expected a JSON object {\"text\": \"…\"}".into()));
    };
    if let Some(k) = map.keys().find(|k| k.as_str() != "text") {
        let k: String = k.chars().take(40).collect();
        return Err(bad(format!("body: unknown field {k:?}; accepted: text")));
    }
    match map.get("text") {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(bad("body: \"text\" must be a string".into())),
        None => Err(bad("body: missing \"text\"".into())),
    }
}
