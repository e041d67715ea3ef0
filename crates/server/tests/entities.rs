//! The entity routes and the search entity filter, against the real server on a loopback port.
mod common;
use newsgraph_model::{
    Document, DocumentBuilder, Entity, EntityType, Link, Mention, Metadata, Published, Span, TimeBasis,
};
use newsgraph_store::{EmbeddedStore, Store};
use serde_json::Value;

fn entity(id: &str, name: &str, kind: EntityType) -> Entity {
    Entity {
        kb_id: (!id.starts_with("local:")).then(|| id.to_string()),
        confidence: 0.9,
        ..Entity::new(id, name, kind)
    }
}

/// An article whose mentions are `(written form, entity index, repaired)`, found in text order.
fn article(
    url: &str,
    title: &str,
    text: &str,
    day: &str,
    entities: Vec<Entity>,
    mentions: &[(&str, u32, bool)],
) -> Document {
    let mut d = DocumentBuilder::new(text)
        .meta(Metadata {
            url: Some(url.into()),
            title: Some(title.into()),
            source: Some("Wire".into()),
            language: Some("en".into()),
            published: Some(Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build();
    let mut at = 0;
    for &(form, e, repaired) in mentions {
        let start = at + d.text()[at..].find(form).unwrap();
        at = start + form.len();
        let mut m = Mention::new(Span::new(start, at), entities[e as usize].kind, 0.9, "test");
        m.entity = Some(e);
        m.link = Some(Link {
            confidence: 0.9,
            method: "exact".into(),
            repaired: repaired.then(|| entities[e as usize].name.clone()),
            evidence: Vec::new(),
        });
        d.layers.mentions.push(m);
    }
    d.layers.entities = entities;
    d
}

use common::{get, Server};

fn start() -> Server {
    use EntityType::*;
    let dir = tempfile::tempdir().unwrap();
    let mut store = EmbeddedStore::open(dir.path()).unwrap();
    let putin = || entity("per:vladimir-putin", "Vladimir Putin", Person);
    let witkoff = || entity("per:steve-witkoff", "Steve Witkoff", Person);
    store
        .put_batch(vec![
            article(
                "https://w.example/a",
                "Envoy in Moscow",
                "Vladimir Putin met Steve Vikof in Moscow.",
                "2025-08-06",
                vec![putin(), witkoff(), entity("loc:moscow", "Moscow", Place)],
                &[("Vladimir Putin", 0, false), ("Steve Vikof", 1, true), ("Moscow", 2, false)],
            ),
            article(
                "https://w.example/b",
                "Summit planned",
                "Steve Witkoff said a summit with Putin is planned. Sergei Markov doubted it.",
                "2025-08-08",
                vec![witkoff(), putin(), entity("local:person:sergei-markov", "Sergei Markov", Person)],
                &[("Steve Witkoff", 0, false), ("Putin", 1, false), ("Sergei Markov", 2, false)],
            ),
        ])
        .unwrap();
    drop(store);
    common::serve(dir)
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn entity_routes() {
    let s = start();
    let (st, page) = get(&s, "/entities");
    assert_eq!(st, 200);
    assert_eq!(page["total"], 4);
    assert_eq!(ids(&page, "items")[..2], ["per:steve-witkoff", "per:vladimir-putin"]);
    let w = &page["items"][0];
    assert_eq!((w["articles"].as_u64(), w["mentions"].as_u64()), (Some(2), Some(2)));
    assert_eq!(w["repaired"][0]["form"], "Steve Vikof");

    let cases: &[(&str, u64, &[&str])] = &[
        ("/entities?kind=place", 1, &["loc:moscow"]),
        ("/entities?kind=Person&limit=1", 3, &["per:steve-witkoff"]),
        ("/entities?q=markov", 1, &["local:person:sergei-markov"]),
        ("/entities?q=vikof", 1, &["per:steve-witkoff"]),
        ("/entities?q=%25", 0, &[]),
        ("/entities?offset=3", 4, &["local:person:sergei-markov"]),
        ("/entities?limit=0", 4, &[]),
    ];
    for &(target, total, want) in cases {
        let (st, page) = get(&s, target);
        assert_eq!(st, 200, "{target}: {page}");
        assert_eq!(page["total"], total, "{target}");
        assert_eq!(ids(&page, "items"), want, "{target}");
    }

    // Details: ids with ':' raw or percent-encoded.
    for target in
        ["/entities/per:vladimir-putin", "/entities/per%3Avladimir-putin", "/entities/per%3avladimir-putin?limit=5"]
    {
        let (st, d) = get(&s, target);
        assert_eq!(st, 200, "{target}: {d}");
        assert_eq!(d["id"], "per:vladimir-putin");
        assert_eq!(d["articles"], 2);
        let titles: Vec<&str> =
            d["appears_in"]["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Summit planned", "Envoy in Moscow"], "newest first");
    }
    let (st, d) = get(&s, "/entities/local:person:sergei-markov?offset=1");
    assert_eq!(st, 200);
    assert_eq!(d["appears_in"]["items"].as_array().unwrap().len(), 0);
    assert!(d.get("kb_id").is_none());

    // Search: entity filters (AND) and entity facets.
    let (st, r) = get(&s, "/search?entity=per:vladimir-putin&entity=local%3Aperson%3Asergei-markov");
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["total"], 1);
    assert_eq!(r["hits"][0]["title"], "Summit planned");
    let (_, r) = get(&s, "/search?q=moscow");
    assert_eq!(r["total"], 1);
    let facets = r["facets"]["entities"].as_array().unwrap();
    assert_eq!(facets.len(), 3);
    assert!(facets
        .iter()
        .any(|f| f["id"] == "loc:moscow" && f["name"] == "Moscow" && f["kind"] == "place" && f["count"] == 1));
    let (_, r) = get(&s, "/search?entity=per:nobody");
    assert_eq!(r["total"], 0);
}

#[test]
fn entity_routes_reject_bad_requests_with_json_errors() {
    let s = start();
    let cases: &[(&str, u16, &str)] = &[
        ("/entities/per:nobody", 404, "not_found"),
        ("/entities/per%3Anobody", 404, "not_found"),
        ("/entities/%FF%FE", 400, "bad_parameter"),
        ("/entities/a%00b", 400, "bad_parameter"),
        ("/entities/%20", 400, "bad_parameter"),
        ("/entities?limit=1000000", 400, "bad_parameter"),
        ("/entities?limit=99999999999999999999999", 400, "bad_parameter"),
        ("/entities?offset=-1", 400, "bad_parameter"),
        ("/entities?limit=ten", 400, "bad_parameter"),
        ("/entities?kind=planet", 400, "bad_parameter"),
        ("/entities?kind=%00", 400, "bad_parameter"),
        ("/entities?nope=1", 400, "bad_parameter"),
        ("/entities/per:vladimir-putin?limit=-5", 400, "bad_parameter"),
        ("/entities/per:vladimir-putin?offset=2000000", 400, "bad_parameter"),
        ("/entities/per:vladimir-putin?q=x", 400, "bad_parameter"),
        ("/search?entity=a%01b", 400, "bad_parameter"),
        ("/search?event=3", 400, "bad_parameter"),
        ("/search?event=1%27", 400, "bad_parameter"),
        ("/search?event=019", 400, "bad_parameter"),
        ("/entities/per:vladimir-putin/extra", 404, "no_route"),
    ];
    for &(target, status, code) in cases {
        let (st, body) = get(&s, target);
        assert_eq!(st, status, "{target}: {body}");
        assert_eq!(body["error"]["code"], code, "{target}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let long = format!("/entities/{}", "x".repeat(300));
    assert_eq!(get(&s, &long).0, 400);
    let many: String = (0..21).map(|i| format!("entity=e{i}&")).collect();
    assert_eq!(get(&s, &format!("/search?{many}")).0, 400);
    let long_q = format!("/entities?q={}", "a".repeat(500));
    assert_eq!(get(&s, &long_q).0, 400);
}
