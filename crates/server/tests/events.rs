//! The event routes (`/events`, an entity's events as source and target), against the real
//! server on a loopback port, with hostile parameters.
mod common;
use newsgraph_model::{
    Actor, Document, DocumentBuilder, Entity, EntityType, Event, Geo, Metadata, Modality, Published, Span, TimeBasis,
};
use serde_json::Value;
use std::path::Path;

/// An event: trigger word, source and target entity indexes with actor codes, code, place index.
type E<'a> = (&'a str, Option<(u32, &'a str)>, Option<(u32, &'a str)>, &'a str, Option<u32>);

fn article(url: &str, text: &str, day: &str, entities: Vec<Entity>, events: &[E]) -> Document {
    let mut d = DocumentBuilder::new(text)
        .meta(Metadata {
            url: Some(url.into()),
            title: Some(format!("About {url}")),
            source: Some("Wire".into()),
            published: Some(Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build();
    let len = d.text().len();
    for &(trigger, source, target, code, place) in events {
        let start = d.text().find(trigger).unwrap();
        let actor = |a: Option<(u32, &str)>| {
            a.map(|(i, c)| Actor { span: Span::new(0, 1), entity: Some(i), code: Some(c.to_string()) })
        };
        d.layers.events.push(Event {
            span: Span::new(0, len),
            trigger: Span::new(start, start + trigger.len()),
            source: actor(source),
            target: actor(target),
            code: code.into(),
            root: code[..2].into(),
            plover: "X".into(),
            goldstein: -1.0,
            quad_class: 4,
            modality: Modality::Happened,
            place,
            date: None,
            confidence: 0.8,
            evidence: Vec::new(),
        });
    }
    d.layers.entities = entities;
    d
}

fn docs() -> Vec<Document> {
    use EntityType::*;
    let ru = || Entity::new("grp:ru-military", "Russian forces", Group);
    let ua = || Entity::new("grp:ua-military", "Ukrainian forces", Group);
    let mut pokrovsk = Entity::new("loc:pokrovsk", "Pokrovsk", Place);
    pokrovsk.geo = Some(Geo {
        lat: 48.28,
        lon: 37.18,
        country: "UA".into(),
        admin1: None,
        geonameid: Some(704508),
        feature: "city".into(),
    });
    let trump = || Entity::new("per:donald-trump", "Donald Trump", Person);
    let putin = || Entity::new("per:vladimir-putin", "Vladimir Putin", Person);
    vec![
        article(
            "https://w.example/a",
            "Russian forces attacked Ukrainian forces near Pokrovsk.",
            "2025-08-09",
            vec![ru(), ua(), pokrovsk],
            &[("attacked", Some((0, "RUSMIL")), Some((1, "UKRMIL")), "190", Some(2))],
        ),
        article(
            "https://w.example/b",
            "Trump will meet Putin. Trump threatened sanctions.",
            "2025-08-08",
            vec![trump(), putin()],
            &[
                ("meet", Some((0, "USAGOV")), Some((1, "RUSGOV")), "036", None),
                ("threatened", Some((0, "USAGOV")), None, "1312", None),
            ],
        ),
    ]
}

use common::{get, Server};

/// Serves a read-only handle on a store holding [`docs`]; `prepare` may alter the database first.
fn start(prepare: impl FnOnce(&Path)) -> Server {
    common::start_with(docs(), prepare)
}

fn codes(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn event_routes() {
    let s = start(|_| {});
    let (st, page) = get(&s, "/events");
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["total"], 3);
    // The search side: articles by event type, and the event-type facet.
    let (st, r) = get(&s, "/search?event=19");
    assert_eq!((st, r["total"].as_u64()), (200, Some(1)), "{r}");
    let (_, r) = get(&s, "/search");
    let roots: Vec<&str> =
        r["facets"]["events"].as_array().unwrap().iter().map(|f| f["value"].as_str().unwrap()).collect();
    assert_eq!(roots, ["03", "13", "19"], "{r}");
    assert_eq!(codes(&page), ["190", "036", "1312"]);
    let fight = &page["items"][0];
    assert_eq!(fight["source"]["id"], "grp:ru-military");
    assert_eq!(fight["source"]["code"], "RUSMIL");
    assert_eq!(fight["target"]["name"], "Ukrainian forces");
    assert_eq!(fight["place"]["name"], "Pokrovsk");
    assert_eq!(fight["day"], "2025-08-09");
    assert_eq!(fight["trigger"], "attacked");
    assert_eq!(fight["article"]["url"], "https://w.example/a");
    let cases: &[(&str, u64, &[&str])] = &[
        ("/events?actor=per:donald-trump", 2, &["036", "1312"]),
        ("/events?actor=per%3Avladimir-putin&role=target", 1, &["036"]),
        ("/events?actor=per:vladimir-putin&role=SOURCE", 0, &[]),
        ("/events?actor=RUS", 2, &["190", "036"]),
        ("/events?actor=usagov&code=13", 1, &["1312"]),
        ("/events?code=19", 1, &["190"]),
        ("/events?code=0361", 0, &[]),
        ("/events?from=2025-08-09", 1, &["190"]),
        ("/events?to=2025-08-08", 2, &["036", "1312"]),
        ("/events?from=2025-08-08&to=2025-08-08T23:00:00Z", 2, &["036", "1312"]),
        ("/events?near=48.5,37.9,100", 1, &["190"]),
        ("/events?near=48.5,37.9,10", 0, &[]),
        ("/events?near=%2048.5%2C%2037.9%2C%20100", 1, &["190"]),
        ("/events?limit=1&offset=1", 3, &["036"]),
        ("/events?limit=0", 3, &[]),
        ("/events?actor=&code=&near=&limit=1", 3, &["190"]),
        // Hostile values that are well-formed reach SQL only as parameters: no match, no error.
        ("/events?actor=%25", 0, &[]),
        ("/events?actor=_", 0, &[]),
        ("/events?actor=%27%3B%20DROP%20TABLE%20events%3B--", 0, &[]),
        ("/events?actor=per%3A%25", 0, &[]),
        ("/events?actor=%FF%FE", 0, &[]),
    ];
    for &(target, total, want) in cases {
        let (st, page) = get(&s, target);
        assert_eq!(st, 200, "{target}: {page}");
        assert_eq!(page["total"], total, "{target}: {page}");
        assert_eq!(codes(&page), want, "{target}");
    }
    // Entity pages: events as source and as target.
    let (st, d) = get(&s, "/entities/per%3Adonald-trump");
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["events"]["as_source"]["total"], 2);
    assert_eq!(d["events"]["as_target"]["total"], 0);
    let (_, d) = get(&s, "/entities/per%3Avladimir-putin");
    assert_eq!(codes(&d["events"]["as_target"]), ["036"]);
    assert_eq!(get(&s, "/events").1["total"], 3, "nothing dropped");
}

#[test]
fn event_routes_reject_bad_requests_with_json_errors() {
    let s = start(|_| {});
    let long_actor = format!("/events?actor={}", "x".repeat(300));
    let cases: &[(&str, &str)] = &[
        ("/events?code=abc", "code"),
        ("/events?code=1", "code"),
        ("/events?code=12345", "code"),
        ("/events?code=19%25", "code"),
        ("/events?code=%27%20OR%201%3D1", "code"),
        ("/events?from=yesterday", "from"),
        ("/events?to=2025-13-01", "to"),
        ("/events?from=2025-09-01&to=2025-08-01", "from"),
        ("/events?near=1,2", "near"),
        ("/events?near=91,0,10", "near"),
        ("/events?near=0,181,10", "near"),
        ("/events?near=0,0,-1", "near"),
        ("/events?near=0,0,0", "near"),
        ("/events?near=NaN,0,10", "near"),
        ("/events?near=0,inf,10", "near"),
        ("/events?near=0,0,1e400", "near"),
        ("/events?near=a,b,c", "near"),
        ("/events?role=victim&actor=RUS", "role"),
        ("/events?role=source", "role"),
        ("/events?actor=a%01b", "actor"),
        (&long_actor, "actor"),
        ("/events?limit=1001", "limit"),
        ("/events?limit=-1", "limit"),
        ("/events?offset=x", "offset"),
        ("/events?lat=1", "lat"),
    ];
    for &(target, name) in cases {
        let (st, body) = get(&s, target);
        assert_eq!(st, 400, "{target}: {body}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{target}: {body}");
        // The message starts with the parameter's name (an unknown one is quoted).
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(&format!("{name}:")) || msg.contains(&format!("{name:?}")), "{target}: {body}");
    }
}

#[test]
fn a_store_without_the_event_table_answers_503_for_events_only() {
    let s = start(|dir| {
        let conn = rusqlite::Connection::open(dir.join(newsgraph_store::DB_FILE)).unwrap();
        conn.execute_batch("DROP TABLE events; UPDATE meta SET value = '3' WHERE key = 'format_version';").unwrap();
    });
    let (st, body) = get(&s, "/events");
    assert_eq!(st, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    let (st, d) = get(&s, "/entities/per%3Adonald-trump");
    assert_eq!(st, 200, "{d}");
    assert!(d.get("events").is_none(), "{d}");
    assert_eq!(get(&s, "/articles").0, 200);
}
