//! Routes and handlers.
use crate::{ApiError, ErrorCode, OPENAPI_YAML};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use newsgraph_store::{
    EntityQuery, EventQuery, ListQuery, QuoteQuery, SearchQuery, Store, StoryPage, StoryQuery, ENTITY_KINDS,
    MAX_ENTITY_QUERY_CHARS, MAX_PAGE, MAX_QUOTE_QUERY_CHARS, QUOTE_KINDS, STORY_ARTICLES_PAGE, STORY_TIMELINE,
    STORY_TIMELINE_PAGE,
};
use serde_json::json;
use std::sync::Arc;

type AppState = Arc<dyn Store>;
type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Longest entity id accepted (bytes).
const MAX_ENTITY_ID: usize = 256;

/// Most `entity` filters one search accepts.
const MAX_ENTITY_FILTERS: usize = 20;

/// The API's routes over a store.
pub fn router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(get_article))
        .route("/search", get(search))
        .route("/entities", get(list_entities))
        .route("/entities/{id}", get(get_entity))
        .route("/entities/{id}/timeline", get(get_entity_timeline))
        .route("/quotes", get(list_quotes))
        .route("/events", get(list_events))
        .route("/stories", get(list_stories))
        .route("/stories/{id}", get(get_story))
        .route("/articles/{id}/duplicates", get(get_duplicates))
        .route("/duplicates", get(list_duplicates))
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

/// Article ids: letters, digits, `-`, `_`, at most 128.
fn check_article_id(id: &str) -> Result<(), ApiError> {
    if id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::new(
            ErrorCode::BadParameter,
            "article id: expected letters, digits, '-' or '_' (at most 128)",
        ));
    }
    Ok(())
}

async fn get_article(State(store): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    check_article_id(&id)?;
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
        &[
            "q",
            "offset",
            "limit",
            "source",
            "language",
            "from",
            "to",
            "mentioned_from",
            "mentioned_to",
            "entity",
            "event",
            "as",
        ],
    )?;
    // `as=stories`: the hits grouped by story; `as=articles` (the default): the hits.
    let as_stories = match p.text("as").as_deref() {
        None | Some("articles") => false,
        Some("stories") => true,
        Some(_) => return Err(ApiError::new(ErrorCode::BadParameter, "as: expected articles or stories")),
    };
    let entities = p.all("entity");
    if entities.len() > MAX_ENTITY_FILTERS {
        return Err(ApiError::new(ErrorCode::BadParameter, format!("entity: at most {MAX_ENTITY_FILTERS} filters")));
    }
    for e in &entities {
        check_entity_id("entity", e)?;
    }
    // A CAMEO root code: two digits (01–20).
    let event = p.text("event");
    if let Some(e) = &event {
        if e.len() != 2 || !e.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::new(
                ErrorCode::BadParameter,
                "event: expected a CAMEO root code, two digits (03, 19)",
            ));
        }
    }
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
        event,
        entities,
    };
    if as_stories {
        let page = blocking(&store, move |s| Ok(s.search_stories(&q)?)).await?;
        return Ok(Json(page).into_response());
    }
    let results = blocking(&store, move |s| Ok(s.search(&q)?)).await?;
    Ok(Json(results).into_response())
}

async fn list_entities(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(params, &["q", "kind", "offset", "limit"])?;
    let kind = p.text("kind").map(|k| k.to_ascii_lowercase());
    if let Some(k) = &kind {
        if !ENTITY_KINDS.contains(&k.as_str()) {
            return Err(ApiError::new(
                ErrorCode::BadParameter,
                format!("kind: expected one of {}, got {:?}", ENTITY_KINDS.join(", "), short(k)),
            ));
        }
    }
    let q = p.text("q");
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_ENTITY_QUERY_CHARS) {
        return Err(ApiError::new(ErrorCode::BadParameter, format!("q: at most {MAX_ENTITY_QUERY_CHARS} characters")));
    }
    let query = EntityQuery {
        q,
        kind,
        offset: p.number_strict("offset", 0, 1_000_000)?,
        limit: p.number_strict("limit", 50, MAX_PAGE)?,
    };
    let page = blocking(&store, move |s| Ok(s.entities(&query)?)).await?;
    Ok(Json(page).into_response())
}

/// One page of an entity's timeline: its events, quotes and the articles that mention it, by
/// the date of what happened.
async fn get_entity_timeline(
    State(store): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Params,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(ErrorCode::BadParameter, format!("entity id: {}", e.body_text())))?;
    check_entity_id("entity id", &id)?;
    let p = Checked::new(params, &["offset", "limit"])?;
    let offset = p.number_strict("offset", 0, 1_000_000)?;
    let limit = p.number_strict("limit", 50, MAX_PAGE)?;
    match blocking(&store, move |s| Ok(s.entity_timeline(&id, offset, limit)?)).await? {
        Some(page) => Ok(Json(page).into_response()),
        None => Err(ApiError::new(ErrorCode::NotFound, "no entity with that id; see /entities")),
    }
}

async fn get_entity(
    State(store): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Params,
) -> Result<Response, ApiError> {
    // The path segment is percent-decoded (`per%3Avladimir-putin` = `per:vladimir-putin`).
    let Path(id) = id.map_err(|e| ApiError::new(ErrorCode::BadParameter, format!("entity id: {}", e.body_text())))?;
    check_entity_id("entity id", &id)?;
    let p = Checked::new(params, &["offset", "limit"])?;
    let offset = p.number_strict("offset", 0, 1_000_000)?;
    let limit = p.number_strict("limit", 50, MAX_PAGE)?;
    let detail = blocking(&store, move |s| Ok(s.entity(&id, offset, limit)?)).await?;
    match detail {
        Some(d) => Ok(Json(d).into_response()),
        None => Err(ApiError::new(ErrorCode::NotFound, "no entity with that id; see /entities")),
    }
}

async fn list_quotes(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(params, &["speaker", "about", "q", "kind", "offset", "limit"])?;
    let speaker = p.text("speaker");
    if let Some(s) = &speaker {
        check_entity_id("speaker", s)?;
    }
    let about = p.text("about");
    if let Some(s) = &about {
        check_entity_id("about", s)?;
    }
    let kind = p.text("kind").map(|k| k.to_ascii_lowercase());
    if let Some(k) = &kind {
        if !QUOTE_KINDS.contains(&k.as_str()) {
            return Err(ApiError::new(
                ErrorCode::BadParameter,
                format!("kind: expected one of {}, got {:?}", QUOTE_KINDS.join(", "), short(k)),
            ));
        }
    }
    let q = p.text("q");
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_QUOTE_QUERY_CHARS) {
        return Err(ApiError::new(ErrorCode::BadParameter, format!("q: at most {MAX_QUOTE_QUERY_CHARS} characters")));
    }
    let query = QuoteQuery {
        speaker,
        about,
        q,
        kind,
        offset: p.number_strict("offset", 0, 1_000_000)?,
        limit: p.number_strict("limit", 50, MAX_PAGE)?,
    };
    let page = blocking(&store, move |s| Ok(s.quotes(&query)?)).await?;
    Ok(Json(page).into_response())
}

async fn list_events(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(params, &["actor", "role", "code", "from", "to", "near", "offset", "limit"])?;
    let bad = |name: &str, msg: String| ApiError::new(ErrorCode::BadParameter, format!("{name}: {msg}"));
    let near = match p.text("near") {
        Some(n) => Some(newsgraph_store::parse_near(&n).map_err(|m| bad("near", m))?),
        None => None,
    };
    let query = EventQuery {
        actor: p.text("actor"),
        role: p.text("role").map(|r| r.to_ascii_lowercase()),
        code: p.text("code"),
        from: p.date("from", false)?.map(|t| t.date_naive()),
        to: p.date("to", false)?.map(|t| t.date_naive()),
        near,
        offset: p.number_strict("offset", 0, 1_000_000)?,
        limit: p.number_strict("limit", 50, MAX_PAGE)?,
    };
    query.check().map_err(|(name, msg)| bad(name, msg))?;
    let page = blocking(&store, move |s| Ok(s.events(&query)?)).await?;
    Ok(Json(page).into_response())
}

async fn get_duplicates(
    State(store): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    check_article_id(&id)?;
    Checked::new(params, &[])?;
    match blocking(&store, move |s| Ok(s.duplicates(&id)?)).await? {
        Some(g) => Ok(Json(g).into_response()),
        None => Err(ApiError::new(ErrorCode::NotFound, "no article with that id")),
    }
}

/// Most article ids `GET /duplicates` takes at once.
const MAX_DUPLICATE_IDS: usize = 100;

/// `GET /duplicates?id=…&id=…`: the near-duplicate groups of several articles in one request
/// (a page of a story's articles), in the order asked; an unknown id has none.
async fn list_duplicates(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let ids = Checked::new(params, &["id"])?.all("id");
    if ids.is_empty() || ids.len() > MAX_DUPLICATE_IDS {
        return Err(ApiError::new(
            ErrorCode::BadParameter,
            format!("id: give 1 to {MAX_DUPLICATE_IDS} article ids, got {}", ids.len()),
        ));
    }
    ids.iter().try_for_each(|id| check_article_id(id))?;
    /// One id's answer (typed, so that a group reads as `/articles/{id}/duplicates` writes it).
    #[derive(serde::Serialize)]
    struct Item {
        id: String,
        group: Option<newsgraph_store::DuplicateGroup>,
    }
    #[derive(serde::Serialize)]
    struct Items {
        items: Vec<Item>,
    }
    let items = blocking(&store, move |s| {
        ids.into_iter().map(|id| Ok(Item { group: s.duplicates(&id)?, id })).collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    Ok(Json(Items { items }).into_response())
}

async fn list_stories(State(store): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let p = Checked::new(params, &["offset", "limit"])?;
    let query =
        StoryQuery { offset: p.number_strict("offset", 0, 1_000_000)?, limit: p.number_strict("limit", 50, MAX_PAGE)? };
    let page = blocking(&store, move |s| Ok(s.stories(&query)?)).await?;
    Ok(Json(page).into_response())
}

async fn get_story(
    State(store): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Params,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(ErrorCode::BadParameter, format!("story id: {}", e.body_text())))?;
    let id: u64 = id.trim().parse().map_err(|_| {
        ApiError::new(ErrorCode::BadParameter, format!("story id: expected a whole number, got {:?}", short(&id)))
    })?;
    let p = Checked::new(params, &["articles_offset", "articles_limit", "timeline_offset", "timeline_limit"])?;
    let page = StoryPage {
        articles_offset: p.number_strict("articles_offset", 0, 1_000_000)?,
        articles_limit: p.number_strict("articles_limit", STORY_ARTICLES_PAGE, MAX_PAGE)?,
        timeline_offset: p.number_strict("timeline_offset", 0, STORY_TIMELINE as u64)?,
        timeline_limit: p.number_strict("timeline_limit", STORY_TIMELINE_PAGE, STORY_TIMELINE as u64)?,
    };
    match blocking(&store, move |s| Ok(s.story_page(id, &page)?)).await? {
        Some(d) => Ok(Json(d).into_response()),
        None => Err(ApiError::new(ErrorCode::NotFound, "no story with that id; see /stories")),
    }
}

/// Entity ids: `per:vladimir-putin`, `local:person:sergei-markov` — printable, not too long.
fn check_entity_id(what: &str, id: &str) -> Result<(), ApiError> {
    if id.trim().is_empty() || id.len() > MAX_ENTITY_ID || id.chars().any(char::is_control) {
        return Err(ApiError::new(
            ErrorCode::BadParameter,
            format!("{what}: expected an entity id such as per:vladimir-putin (at most {MAX_ENTITY_ID} bytes)"),
        ));
    }
    Ok(())
}

/// Query parameters, checked against the names a route accepts. A name given twice keeps its
/// last value, except for repeatable parameters read with [`Checked::all`].
struct Checked(Vec<(String, String)>);

impl Checked {
    fn new(params: Params, allowed: &[&str]) -> Result<Checked, ApiError> {
        let Query(pairs) =
            params.map_err(|e| ApiError::new(ErrorCode::BadParameter, format!("query string: {}", e.body_text())))?;
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            let k: String = k.chars().take(40).collect();
            return Err(ApiError::new(
                ErrorCode::BadParameter,
                format!(
                    "unknown parameter {k:?}; accepted: {}",
                    if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
                ),
            ));
        }
        Ok(Checked(pairs))
    }

    fn text(&self, name: &str) -> Option<String> {
        let last = self.0.iter().rev().find(|(k, _)| k == name)?;
        Some(last.1.trim().to_string()).filter(|s| !s.is_empty())
    }

    /// Every non-blank value of a repeatable parameter, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
    }

    /// A whole number in `0..=max`; anything else (negative, too large, not a number) is a 400.
    fn number_strict(&self, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
        let n = self.number(name, default, u64::MAX)?;
        if n > max {
            return Err(ApiError::new(ErrorCode::BadParameter, format!("{name}: at most {max}, got {n}")));
        }
        Ok(n)
    }

    fn number(&self, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => v.parse::<u64>().map(|n| n.min(max)).map_err(|_| {
                ApiError::new(ErrorCode::BadParameter, format!("{name}: expected a whole number, got {:?}", short(&v)))
            }),
        }
    }

    /// `YYYY-MM-DD` (start of that day UTC; with `end_of_day`, the start of the next) or RFC 3339.
    fn date(&self, name: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(v) = self.text(name) else { return Ok(None) };
        parse_date(&v, end_of_day).map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadParameter,
                format!("{name}: expected YYYY-MM-DD or an RFC 3339 time, got {:?}", short(&v)),
            )
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
