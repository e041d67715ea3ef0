//! Routes and handlers.
use crate::{ApiError, ErrorCode, OPENAPI_YAML};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use newsgraph_store::{ListQuery, SearchQuery, Store, MAX_PAGE};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

type AppState = Arc<dyn Store>;
type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The API's routes over a store.
pub fn router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(get_article))
        .route("/search", get(search))
        .route("/openapi.yaml", get(openapi))
        .fallback(|| async { ApiError::new(ErrorCode::NoRoute, "no such route; see /openapi.yaml") })
        .layer(axum::middleware::map_response(security_headers))
        .with_state(store)
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// Runs a blocking store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    store: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("worker failed: {e}")))?
}

async fn health(State(store): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let count = blocking(&store, |s| Ok(s.count()?)).await?;
    Ok(Json(json!({"status": "ok", "articles": count, "version": env!("CARGO_PKG_VERSION")})))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML)
}

async fn get_article(State(store): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    if id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::new(ErrorCode::BadParameter, "article id: expected letters, digits, '-' or '_' (at most 128)"));
    }
    let doc = blocking(&store, move |s| Ok(s.get(&id)?)).await?;
    match doc {
        // The stored JSON is the document schema; send it as is.
        Some(d) => Ok(([(header::CONTENT_TYPE, "application/json")], d.to_json()).into_response()),
        None => Err(ApiError::new(ErrorCode::NotFound, "no article with that id")),
    }
}

async fn list_articles(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(params, &["offset", "limit", "source", "language", "from", "to"])?;
    let q = ListQuery {
        offset: p.number("offset", 0, u64::MAX)?,
        limit: p.number("limit", 50, MAX_PAGE)?,
        source: p.text("source"),
        language: p.text("language"),
        published_from: p.date("from", false)?,
        published_to: p.date("to", true)?,
    };
    let page = blocking(&store, move |s| Ok(s.list(&q)?)).await?;
    Ok(Json(page).into_response())
}

async fn search(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(
        params,
        &["q", "offset", "limit", "source", "language", "from", "to", "mentioned_from", "mentioned_to"],
    )?;
    let q = SearchQuery {
        text: p.text("q").unwrap_or_default(),
        offset: p.number("offset", 0, 100_000)? as usize,
        limit: p.number("limit", 10, MAX_PAGE)? as usize,
        source: p.text("source"),
        language: p.text("language"),
        published_from: p.date("from", false)?,
        published_to: p.date("to", true)?,
        mentioned_from: p.date("mentioned_from", false)?,
        mentioned_to: p.date("mentioned_to", true)?,
    };
    let results = blocking(&store, move |s| Ok(s.search(&q)?)).await?;
    Ok(Json(results).into_response())
}

/// Query parameters, checked against the names a route accepts.
struct Checked(HashMap<String, String>);

impl Checked {
    fn new(params: Params, allowed: &[&str]) -> Result<Checked, ApiError> {
        let Query(map) = params.map_err(|e| ApiError::new(ErrorCode::BadParameter, format!("query string: {}", e.body_text())))?;
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            let k: String = k.chars().take(40).collect();
            return Err(ApiError::new(ErrorCode::BadParameter, format!("unknown parameter {k:?}; accepted: {}", allowed.join(", "))));
        }
        Ok(Checked(map))
    }

    fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn number(&self, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .map(|n| n.min(max))
                .map_err(|_| ApiError::new(ErrorCode::BadParameter, format!("{name}: expected a whole number, got {:?}", short(&v)))),
        }
    }

    /// `YYYY-MM-DD` (start of that day UTC; with `end_of_day`, the start of the next) or RFC 3339.
    fn date(&self, name: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(v) = self.text(name) else { return Ok(None) };
        parse_date(&v, end_of_day).map(Some).ok_or_else(|| {
            ApiError::new(ErrorCode::BadParameter, format!("{name}: expected YYYY-MM-DD or an RFC 3339 time, got {:?}", short(&v)))
        })
    }
}

/// Parses a user date bound: `YYYY-MM-DD` or RFC 3339.
pub fn parse_date(v: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let d = if end_of_day { d.succ_opt()? } else { d };
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    DateTime::parse_from_rfc3339(v).ok().map(|t| t.with_timezone(&Utc))
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}
