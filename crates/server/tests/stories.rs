//! The story and duplicate routes (`/stories`, `/stories/{id}`, `/articles/{id}/duplicates`),
//! against the real server on a loopback port, with hostile parameters.
mod common;
use newsgraph_model::{
    Actor, Document, DocumentBuilder, Entity, EntityType, Event, Metadata, Modality, Published, Span, TimeBasis, Timex,
    TimexType,
};
use newsgraph_store::{EmbeddedStore, Store};
use std::sync::Arc;

const TEXT: &str = "Donald Trump said he will meet Vladimir Putin in Alaska next Friday to discuss ending the war in \
    Ukraine, a potential breakthrough after weeks of frustration. The Kremlin has not yet confirmed the details Trump \
    announced on social media, but both countries said they expected a meeting soon after next week. Analysts said \
    any agreement would probably include exchanging territories, although Moscow and Kyiv remain far apart.";

/// An article with one event (`meet`, Trump → Putin), dated by a timex when `date` is given.
fn article(url: &str, text: &str, published: &str, date: Option<&str>) -> Document {
    let mut d = DocumentBuilder::new(text)
        .meta(Metadata {
            url: Some(url.into()),
            title: Some(
                if text.contains("Alaska") { "Trump and Putin to meet in Alaska" } else { "Bank raises rates" }.into(),
            ),
            source: Some("Wire".into()),
            published: Some(Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("{published}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build();
    let Some(start) = d.text().find("meet") else { return d };
    if let Some(v) = date {
        let at = d.text().find("next Friday").unwrap();
        d.layers.timexes.push(Timex {
            span: Span::new(at, at + 11),
            kind: TimexType::Date,
            value: v.into(),
            modifier: None,
            anchor: None,
            confidence: 0.9,
            rule: "test".into(),
        });
    }
    let actor = |i: u32, c: &str| Some(Actor { span: Span::new(0, 1), entity: Some(i), code: Some(c.into()) });
    d.layers.events.push(Event {
        span: Span::new(0, 20),
        trigger: Span::new(start, start + 4),
        source: actor(0, "USAGOV"),
        target: actor(1, "RUSGOV"),
        code: "036".into(),
        root: "03".into(),
        plover: "CONSULT".into(),
        goldstein: 4.0,
        quad_class: 1,
        modality: Modality::Announced,
        place: None,
        date: date.map(|_| 0),
        confidence: 0.8,
        evidence: Vec::new(),
    });
    d.layers.entities = vec![
        Entity::new("per:donald-trump", "Donald Trump", EntityType::Person),
        Entity::new("per:vladimir-putin", "Vladimir Putin", EntityType::Person),
    ];
    d
}

fn docs() -> Vec<Document> {
    vec![
        // Published second, its event undated: on the day it was published (08-09).
        article("https://w.example/copy", &format!("{TEXT} This story was updated."), "2025-08-09", None),
        // Published first (canonical), its event stated for 08-15.
        article("https://w.example/first", TEXT, "2025-08-08", Some("2025-08-15")),
        article(
            "https://w.example/bank",
            "The central bank raised interest rates by a quarter point to fight inflation, the governor said.",
            "2025-08-09",
            None,
        ),
    ]
}

use common::{get, Server};

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut store = EmbeddedStore::open(dir.path()).unwrap();
    let docs = docs();
    let ids = docs.iter().map(|d| d.id.clone()).collect();
    store.put_batch(docs).unwrap();
    drop(store);
    let mut s = common::serve(dir);
    s.ids = ids;
    s
}

#[test]
fn stories_story_and_duplicates() {
    let s = start();
    let (st, page) = get(&s, "/stories");
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["total"], 2, "{page}");
    let top = &page["items"][0];
    assert_eq!(top["articles"], 2, "{page}");
    assert!(!top["label"].as_str().unwrap().is_empty());
    assert_eq!(top["first_published"], "2025-08-08T10:00:00Z");
    assert_eq!(top["last_published"], "2025-08-09T10:00:00Z");

    let (st, story) = get(&s, &format!("/stories/{}", top["id"]));
    assert_eq!(st, 200, "{story}");
    let arts: Vec<&str> = story["articles"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(arts, [s.ids[1].as_str(), s.ids[0].as_str()], "oldest first");
    let ents: Vec<&str> = story["entities"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ents.contains(&"per:donald-trump") && ents.contains(&"per:vladimir-putin"), "{story}");
    // By the date of what happened: the copy's undated event (its publication day, 08-09)
    // comes before the first article's event stated for 08-15.
    let tl: Vec<(&str, &str)> = story["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["date"].as_str().unwrap(), t["article"]["id"].as_str().unwrap()))
        .collect();
    assert_eq!(tl, [("2025-08-09", s.ids[0].as_str()), ("2025-08-15", s.ids[1].as_str())], "{story}");
    assert_eq!(story["timeline"][1]["event"]["date"], "2025-08-15");

    // The earlier published copy is canonical, whichever was stored first.
    let (st, g) = get(&s, &format!("/articles/{}/duplicates", s.ids[0]));
    assert_eq!(st, 200, "{g}");
    assert_eq!(g["canonical"], s.ids[1].as_str(), "{g}");
    let members: Vec<(&str, bool)> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m["canonical"].as_bool().unwrap()))
        .collect();
    assert_eq!(members, [(s.ids[1].as_str(), true), (s.ids[0].as_str(), false)]);
    let (st, g) = get(&s, &format!("/articles/{}/duplicates", s.ids[2]));
    assert_eq!(st, 200, "{g}");
    assert_eq!(g["members"].as_array().unwrap().len(), 1);

    // Several articles' groups at once, in the order asked, as each one's own route answers
    // them; an unknown id has none.
    let (st, batch) = get(&s, &format!("/duplicates?id={}&id=nosuch&id={}&id={}", s.ids[2], s.ids[0], s.ids[1]));
    assert_eq!(st, 200, "{batch}");
    let items = batch["items"].as_array().unwrap();
    let asked = [s.ids[2].as_str(), "nosuch", s.ids[0].as_str(), s.ids[1].as_str()];
    assert_eq!(items.iter().map(|i| i["id"].as_str().unwrap()).collect::<Vec<_>>(), asked);
    for (item, id) in items.iter().zip(asked) {
        let (st, one) = get(&s, &format!("/articles/{id}/duplicates"));
        if st == 404 {
            assert!(item["group"].is_null(), "{item}");
        } else {
            assert_eq!(item["group"], one, "{id}");
        }
    }
}

/// The ids of a story's articles and timeline items, and its totals and offsets.
fn story_page(s: &Server, target: &str) -> (Vec<String>, Vec<String>, [u64; 4]) {
    let (st, story) = get(s, target);
    assert_eq!(st, 200, "{target}: {story}");
    let ids = |k: &str, f: fn(&serde_json::Value) -> &serde_json::Value| -> Vec<String> {
        story[k].as_array().unwrap().iter().map(|x| f(x).as_str().unwrap().to_string()).collect()
    };
    let n = |k: &str| story[k].as_u64().unwrap_or_else(|| panic!("{target}: no {k}: {story}"));
    (
        ids("articles", |a| &a["id"]),
        ids("timeline", |t| &t["article"]["id"]),
        [n("articles_total"), n("articles_offset"), n("timeline_total"), n("timeline_offset")],
    )
}

#[test]
fn story_articles_and_timeline_are_paged() {
    let s = start();
    let (_, page) = get(&s, "/stories");
    let id = page["items"][0]["id"].as_u64().unwrap();
    let at = |q: &str| story_page(&s, &format!("/stories/{id}{q}"));
    let (first, copy) = (s.ids[1].clone(), s.ids[0].clone());
    // The default page holds both lists whole here (2 articles, 2 timeline items).
    let whole = at("");
    assert_eq!(whole, (vec![first.clone(), copy.clone()], vec![copy.clone(), first.clone()], [2, 0, 2, 0]));
    // One of each at a time, in the order of the whole.
    assert_eq!(at("?articles_limit=1&timeline_limit=1"), (vec![first.clone()], vec![copy.clone()], [2, 0, 2, 0]));
    assert_eq!(
        at("?articles_offset=1&articles_limit=1&timeline_offset=1&timeline_limit=1"),
        (vec![copy.clone()], vec![first.clone()], [2, 1, 2, 1])
    );
    // Limits of 0: the totals only; offsets past the end: empty lists, the same totals.
    assert_eq!(at("?articles_limit=0&timeline_limit=0"), (vec![], vec![], [2, 0, 2, 0]));
    assert_eq!(at("?articles_offset=5&timeline_offset=500"), (vec![], vec![], [2, 5, 2, 500]));
    // The entities are the story's whatever the page.
    let (_, a) = get(&s, &format!("/stories/{id}?articles_limit=0&timeline_limit=0"));
    let (_, b) = get(&s, &format!("/stories/{id}"));
    assert_eq!(a["entities"], b["entities"]);
    // Hostile paging parameters: a 400 naming the parameter.
    for q in [
        "articles_limit=-1",
        "articles_limit=abc",
        "articles_limit=1001",
        "articles_limit=99999999999999999999999",
        "articles_offset=1000001",
        "articles_offset=1e3",
        "timeline_limit=501",
        "timeline_offset=501",
        "timeline_offset=-5",
        "timeline_limit=0x10",
        "limit=10",
    ] {
        let (st, body) = get(&s, &format!("/stories/{id}?{q}"));
        assert_eq!(st, 400, "{q}: {body}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{q}: {body}");
        let name = q.split('=').next().unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains(name), "{q}: {body}");
    }
}

#[test]
fn bad_and_unknown_ids_are_json_errors() {
    let s = start();
    let many = format!("/duplicates?{}", vec!["id=a"; 101].join("&"));
    for (target, status) in [
        (many.as_str(), 400),
        ("/stories/abc", 400),
        ("/stories/-1", 400),
        ("/stories/99999999999999999999999", 400),
        ("/stories/424242", 404),
        ("/stories?limit=1001", 400),
        ("/stories?offset=x", 400),
        ("/stories?bogus=1", 400),
        ("/stories/0?bogus=1", 400),
        ("/articles/no%20such/duplicates", 400),
        ("/articles/nosuch/duplicates", 404),
        ("/articles/nosuch/duplicates?x=1", 400),
        ("/duplicates", 400),
        ("/duplicates?id=", 400),
        ("/duplicates?id=no%20such", 400),
        ("/duplicates?id=a&ids=b", 400),
        ("/duplicates?id=%27%3B%20DROP%20TABLE%20duplicates%3B--", 400),
    ] {
        let (st, body) = get(&s, target);
        assert_eq!(st, status, "{target}: {body}");
        assert_eq!(body["error"]["status"], status, "{target}: {body}");
    }
}

#[test]
fn a_store_without_the_story_tables_answers_503() {
    let s = start();
    let conn = rusqlite::Connection::open(s.dir.path().join(newsgraph_store::DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TABLE duplicates; DROP TABLE stories; DROP TABLE story_articles; \
         UPDATE meta SET value = '4' WHERE key = 'format_version';",
    )
    .unwrap();
    drop(conn);
    // A fresh read-only handle sees version 4.
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open_read_only(s.dir.path()).unwrap());
    let err = store.stories(&Default::default()).unwrap_err();
    assert!(matches!(err.kind(), newsgraph_store::ErrorKind::NeedsUpgrade { found: 4, needed: 5 }), "{err}");
    let api: newsgraph_server::ApiError = err.into();
    assert_eq!(api.code.status(), 503);
}
