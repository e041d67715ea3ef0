//! Events: one row per coded event in `events` (format version 4, schema in `db`), written in
//! the article's transaction, and the queries over them (actor, code, days, place).

use crate::db::decode_opt_time;
use crate::error::{Ctx, Result};
use crate::filter::{Filter, Order};
use crate::types::{
    EventActor, EventHit, EventPlace, EventQuery, Near, Page, QuoteArticle, StoredEvent, EVENT_ROLES, MAX_PAGE,
};
use newsgraph_model::Document;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row, Transaction};

/// Events an entity's detail carries at most per role (its newest).
pub const ENTITY_EVENTS: u64 = 10;

/// Longest `EventQuery::actor` accepted (bytes).
pub const MAX_EVENT_ACTOR: usize = 256;

/// Largest `near` radius accepted (km): half the earth's circumference.
pub const MAX_NEAR_KM: f64 = 20_037.5;

/// Kilometres per degree of latitude (mean earth radius 6,371 km).
const KM_PER_DEGREE: f64 = 111.195;

/// Replaces the event rows of a document (called in the transaction that writes it).
pub fn write_events(tx: &Transaction, doc: &Document) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM events WHERE doc_id = ?1", [&doc.id])?;
    if doc.layers.events.is_empty() {
        return Ok(());
    }
    let published = doc.meta.published.as_ref().map(|p| p.time.timestamp());
    let mut st = tx.prepare_cached(
        "INSERT INTO events(doc_id, ordinal, published, day, date_value, code, root, plover, goldstein, quad_class, \
         modality, trigger, content, span_start, span_end, source_id, source_name, source_code, target_id, \
         target_name, target_code, place_id, place_name, place_country, lat, lon, confidence) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, \
         ?22, ?23, ?24, ?25, ?26, ?27)",
    )?;
    for (i, e) in crate::rows::event_rows(doc).into_iter().enumerate() {
        st.execute(params![
            doc.id,
            i as i64,
            published,
            e.day,
            e.date_value,
            e.code,
            e.root,
            e.plover,
            e.goldstein,
            e.quad_class,
            e.modality,
            e.trigger,
            e.content,
            e.span.0,
            e.span.1,
            e.source.0,
            e.source.1,
            e.source.2,
            e.target.0,
            e.target.1,
            e.target.2,
            e.place_id,
            e.place_name,
            e.place_country,
            e.lat,
            e.lon,
            e.confidence,
        ])?;
    }
    Ok(())
}

/// Why a user value cannot be an [`EventQuery`] filter: `(parameter, message)`.
pub type QueryError = (&'static str, String);

impl EventQuery {
    /// Checks the user-given filters; the error names the parameter.
    pub fn check(&self) -> std::result::Result<(), QueryError> {
        if let Some(a) = &self.actor {
            if a.trim().is_empty() || a.len() > MAX_EVENT_ACTOR || a.chars().any(char::is_control) {
                return Err((
                    "actor",
                    format!("expected an entity id (per:vladimir-putin) or a CAMEO actor code (RUSGOV), at most {MAX_EVENT_ACTOR} bytes"),
                ));
            }
        }
        if let Some(r) = &self.role {
            if !EVENT_ROLES.contains(&r.as_str()) {
                return Err(("role", format!("expected source or target, got {:?}", short(r))));
            }
            if self.actor.is_none() {
                return Err(("role", "needs an actor".into()));
            }
        }
        if let Some(c) = &self.code {
            if !(2..=4).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err((
                    "code",
                    format!("expected a CAMEO event code of 2 to 4 digits (19, 036, 1312), got {:?}", short(c)),
                ));
            }
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(("from", format!("{f} is after to ({t})")));
            }
        }
        if let Some(n) = &self.near {
            check_near(n).map_err(|m| ("near", m))?;
        }
        Ok(())
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

fn check_near(n: &Near) -> std::result::Result<(), String> {
    if !(n.lat.is_finite() && (-90.0..=90.0).contains(&n.lat)) {
        return Err(format!("latitude must be within -90..90, got {}", n.lat));
    }
    if !(n.lon.is_finite() && (-180.0..=180.0).contains(&n.lon)) {
        return Err(format!("longitude must be within -180..180, got {}", n.lon));
    }
    if !(n.km.is_finite() && n.km > 0.0 && n.km <= MAX_NEAR_KM) {
        return Err(format!("radius must be a number of km above 0 and at most {MAX_NEAR_KM}, got {}", n.km));
    }
    Ok(())
}

/// Parses `lat,lon,km` (`48.5,37.9,50`).
pub fn parse_near(s: &str) -> std::result::Result<Near, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let bad = || format!("expected lat,lon,km (e.g. 48.5,37.9,50), got {:?}", short(s));
    let [lat, lon, km] = parts.as_slice() else { return Err(bad()) };
    let num = |v: &str| v.parse::<f64>().ok().filter(|x| x.is_finite());
    let n = Near { lat: num(lat).ok_or_else(bad)?, lon: num(lon).ok_or_else(bad)?, km: num(km).ok_or_else(bad)? };
    check_near(&n)?;
    Ok(n)
}

pub(crate) const COLUMNS: &str =
    "e.ordinal, e.code, e.root, e.plover, e.goldstein, e.quad_class, e.modality, e.trigger, \
     e.content, e.span_start, e.span_end, e.source_id, e.source_name, e.source_code, e.target_id, e.target_name, \
     e.target_code, e.place_id, e.place_name, e.place_country, e.lat, e.lon, e.day, e.date_value, e.confidence";

pub(crate) fn stored(r: &Row) -> rusqlite::Result<StoredEvent> {
    let who = |i: usize| -> rusqlite::Result<Option<EventActor>> {
        let name: Option<String> = r.get(i + 1)?;
        let id: Option<String> = r.get(i)?;
        let code: Option<String> = r.get(i + 2)?;
        Ok(name.map(|name| EventActor { id, name, code }))
    };
    let place_name: Option<String> = r.get(18)?;
    Ok(StoredEvent {
        ordinal: r.get::<_, i64>(0)?.clamp(0, u32::MAX as i64) as u32,
        code: r.get(1)?,
        root: r.get(2)?,
        plover: r.get(3)?,
        goldstein: r.get::<_, f64>(4)? as f32,
        quad_class: r.get::<_, i64>(5)?.clamp(0, 255) as u8,
        modality: r.get(6)?,
        trigger: r.get(7)?,
        text: r.get(8)?,
        span: (r.get::<_, i64>(9)?.max(0) as usize, r.get::<_, i64>(10)?.max(0) as usize),
        source: who(11)?,
        target: who(14)?,
        place: match place_name {
            Some(name) => {
                Some(EventPlace { id: r.get(17)?, name, country: r.get(19)?, lat: r.get(20)?, lon: r.get(21)? })
            }
            None => None,
        },
        day: r.get(22)?,
        date: r.get(23)?,
        confidence: r.get::<_, f64>(24)? as f32,
    })
}

/// Latest day first (undated last), then newest article, article id and position. SQLite sorts
/// NULL last in descending order, so the order needs no `IS NULL` term and the `events_day`
/// index serves it: a page of the newest events reads a page, not every event.
const ORDER: &str = "ORDER BY e.day DESC, e.published DESC, e.doc_id, e.ordinal";
const PAGE_ORDER: Order = Order { alias: "e", columns: &["day", "published", "doc_id", "ordinal"], sql: ORDER };

/// SQL `LIKE` pattern of a prefix (no wildcards inside: codes are checked to be letters or
/// digits, ids are escaped).
fn like_prefix(p: &str) -> String {
    let mut s = String::with_capacity(p.len() + 1);
    for c in p.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// Events matching `query`; an actor id matches any id of its identity (`merges`: the store
/// has the `entity_merges` table).
pub fn events(conn: &Connection, query: &EventQuery, merges: bool, ctx: Ctx) -> Result<Page<EventHit>> {
    let db = |e| ctx.db(e);
    let mut filter = Filter::default();
    if let Some(a) = query.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let roles: &[&str] = match query.role.as_deref() {
            Some("source") => &["source"],
            Some("target") => &["target"],
            _ => &["source", "target"],
        };
        // An id has a kind prefix (`per:`); a CAMEO actor code is letters only.
        let is_code = a.len() <= 15 && a.bytes().all(|b| b.is_ascii_alphabetic());
        let ids = crate::entities::identity_ids(conn, a, merges, ctx)?;
        // One alternative per role and id of the identity (and code): a page walks each in order.
        let mut alternatives = Vec::new();
        for role in roles {
            alternatives.extend(ids.iter().map(|id| (format!("e.{role}_id = ?"), vec![Value::from(id.clone())])));
            if is_code {
                alternatives.push((
                    format!("e.{role}_code LIKE ? ESCAPE '\\'"),
                    vec![Value::from(like_prefix(&a.to_ascii_uppercase()))],
                ));
            }
        }
        filter.any(alternatives);
    }
    if let Some(c) = query.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        filter.all("e.code LIKE ? ESCAPE '\\'", [Value::from(like_prefix(c))]);
    }
    if let Some(f) = query.from {
        filter.all("e.day >= ?", [Value::from(f.format("%Y-%m-%d").to_string())]);
    }
    if let Some(t) = query.to {
        filter.all("e.day <= ?", [Value::from(t.format("%Y-%m-%d").to_string())]);
    }
    if let Some(n) = query.near {
        // Latitude band on the indexed column, then the equirectangular distance at the
        // centre's latitude (longitude difference wrapped to -180..180). Numbers are
        // formatted into the SQL: they are checked finite f64, never user text.
        let dlat = n.km / KM_PER_DEGREE;
        filter.all(
            "e.lat IS NOT NULL AND e.lon IS NOT NULL AND e.lat BETWEEN ? AND ?",
            [Value::from(n.lat - dlat), Value::from(n.lat + dlat)],
        );
        let lon0 = format!("({:.9})", n.lon);
        let dlon = format!(
            "(CASE WHEN e.lon - {lon0} > 180 THEN e.lon - {lon0} - 360 \
             WHEN e.lon - {lon0} < -180 THEN e.lon - {lon0} + 360 ELSE e.lon - {lon0} END)"
        );
        let cos = n.lat.to_radians().cos().clamp(0.0, 1.0);
        filter.all(
            format!(
                "({dlon} * {cos:.9}) * ({dlon} * {cos:.9}) + (e.lat - ({lat:.9})) * (e.lat - ({lat:.9})) <= {r2:.9}",
                lat = n.lat,
                r2 = dlat * dlat
            ),
            [],
        );
    }
    let (where_sql, args) = filter.sql();
    let total: i64 = conn
        .query_row(&format!("SELECT count(*) FROM events e{where_sql}"), params_from_iter(args.iter()), |r| r.get(0))
        .map_err(db)?;
    let limit = query.limit.min(MAX_PAGE);
    let offset = query.offset.min(i64::MAX as u64);
    // Without an actor or a place, the newest events are read in the order of `events_day`
    // (which a day range narrows): left to itself, SQLite sorts every event for a page.
    let from =
        if query.actor.is_none() && query.near.is_none() { "events e INDEXED BY events_day" } else { "events e" };
    // The page's ids are sorted first, narrow rows without their article; then only the
    // page's rows are read in full and joined.
    let (page, args) = filter.page_ids(from, &PAGE_ORDER, limit, offset, true);
    let sql = format!(
        "SELECT {COLUMNS}, d.id, d.title, d.url, d.source, d.published_raw FROM events e \
         JOIN documents d ON d.id = e.doc_id WHERE e.id IN ({page}) {ORDER}"
    );
    let mut st = conn.prepare(&sql).map_err(db)?;
    let items = st
        .query_map(params_from_iter(args.iter()), |r| {
            Ok(EventHit {
                event: stored(r)?,
                article: QuoteArticle {
                    id: r.get(25)?,
                    title: r.get(26)?,
                    url: r.get(27)?,
                    source: r.get(28)?,
                    published: decode_opt_time(r.get(29)?),
                },
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    Ok(Page { total: total as u64, offset: query.offset, limit, items })
}
