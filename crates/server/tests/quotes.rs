//! The quote routes (`/quotes`, an entity's quotes, the quotes of search hits), against the real
//! server on a loopback port.
mod common;
use newsgraph_model::{
    Document, DocumentBuilder, Entity, EntityType, Metadata, Published, Quote, QuoteKind, Span, TimeBasis,
};
use serde_json::Value;
use std::path::Path;

/// An article whose quotes are `(content, cue, speaker entity index, kind)`, found in text order.
fn article(
    url: &str,
    title: &str,
    text: &str,
    day: Option<&str>,
    entities: Vec<Entity>,
    quotes: &[(&str, &str, Option<u32>, QuoteKind)],
) -> Document {
    let mut d = DocumentBuilder::new(text)
        .meta(Metadata {
            url: Some(url.into()),
            title: Some(title.into()),
            source: Some("Wire".into()),
            language: Some("en".into()),
            published: day.map(|day| Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build();
    let mut at = 0;
    for &(content, cue, speaker, kind) in quotes {
        let find = |s: &str, from: usize| {
            let start = from + d.text()[from..].find(s).unwrap_or_else(|| panic!("{s:?}"));
            Span::new(start, start + s.len())
        };
        let (cue, content) = (find(cue, at), find(content, at));
        at = content.end as usize;
        d.layers.quotes.push(Quote {
            content,
            parts: Vec::new(),
            cue: Some(cue),
            source: None,
            speaker,
            reported_by: None,
            kind,
            confidence: 0.9,
            evidence: Vec::new(),
        });
    }
    d.layers.entities = entities;
    d
}

fn docs() -> Vec<Document> {
    use EntityType::*;
    use QuoteKind::*;
    let trump = || Entity::new("per:donald-trump", "Donald Trump", Person);
    let isw = || Entity::new("org:isw", "Institute for the Study of War", Organization);
    vec![
        article(
            "https://w.example/a",
            "Trump on land",
            "Trump suggested \u{201c}exchanging territories\u{201d}. He said: \u{201c}We will see.\u{201d}",
            Some("2025-08-08"),
            vec![trump()],
            &[
                ("\u{201c}exchanging territories\u{201d}", "suggested", Some(0), Partial),
                ("We will see.", "said", Some(0), Direct),
            ],
        ),
        article(
            "https://w.example/b",
            "Assessment",
            "The ISW said that Russia can outlive Ukraine. The ISW also said Putin is uninterested in peace.",
            Some("2025-08-10"),
            vec![isw(), trump()],
            &[
                ("Russia can outlive Ukraine", "said", Some(0), Indirect),
                ("Putin is uninterested in peace", "said", Some(0), Indirect),
            ],
        ),
        article("https://w.example/c", "No quotes", "Nothing was said about territories here.", None, vec![], &[]),
    ]
}

use common::{get, Server};

/// Serves a read-only handle on a store holding [`docs`]; `prepare` may alter the database first.
fn start(prepare: impl FnOnce(&Path)) -> Server {
    common::start_with(docs(), prepare)
}

fn texts(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|q| q["text"].as_str().unwrap().to_string()).collect()
}

#[test]
fn quote_routes() {
    let s = start(|_| {});
    let (st, page) = get(&s, "/quotes");
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["total"], 4);
    // Newest article first, text order within.
    assert_eq!(
        texts(&page),
        [
            "Russia can outlive Ukraine",
            "Putin is uninterested in peace",
            "\u{201c}exchanging territories\u{201d}",
            "We will see."
        ]
    );
    let first = &page["items"][0];
    assert_eq!(first["speaker"]["id"], "org:isw");
    assert_eq!(first["speaker"]["name"], "Institute for the Study of War");
    assert_eq!(first["cue"], "said");
    assert_eq!(first["article"]["title"], "Assessment");
    assert_eq!(first["article"]["published"], "2025-08-10T10:00:00Z");
    let cases: &[(&str, u64, &[&str])] = &[
        ("/quotes?speaker=org:isw", 2, &["Russia can outlive Ukraine", "Putin is uninterested in peace"]),
        ("/quotes?speaker=org%3Aisw&limit=1&offset=1", 2, &["Putin is uninterested in peace"]),
        ("/quotes?speaker=per:donald-trump&kind=DIRECT", 1, &["We will see."]),
        ("/quotes?q=territory", 1, &["\u{201c}exchanging territories\u{201d}"]),
        ("/quotes?q=%22outlive%20ukraine%22", 1, &["Russia can outlive Ukraine"]),
        ("/quotes?q=putin%20-peace", 0, &[]),
        ("/quotes?q=uninterest*", 1, &["Putin is uninterested in peace"]),
        ("/quotes?q=said", 0, &[]),
        ("/quotes?speaker=per:nobody", 0, &[]),
        ("/quotes?about=per:nobody", 0, &[]),
        ("/quotes?about=org:isw", 0, &[]),
        ("/quotes?limit=0", 4, &[]),
        ("/quotes?q=%20&speaker=&kind=&limit=1", 4, &["Russia can outlive Ukraine"]),
    ];
    for &(target, total, want) in cases {
        let (st, page) = get(&s, target);
        assert_eq!(st, 200, "{target}: {page}");
        assert_eq!(page["total"], total, "{target}: {page}");
        assert_eq!(texts(&page), want, "{target}");
    }
    // What Trump said, in his entity page.
    let (st, d) = get(&s, "/entities/per%3Adonald-trump");
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["quotes"]["total"], 2);
    assert_eq!(texts(&d["quotes"]), ["\u{201c}exchanging territories\u{201d}", "We will see."]);
    // Search hits: the quotes with the query's words, else the first ones; none for articles without.
    let (st, r) = get(&s, "/search?q=territories");
    assert_eq!(st, 200, "{r}");
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{r}");
    for h in hits {
        if h["title"] == "Trump on land" {
            assert_eq!(h["quotes_match"], true);
            assert_eq!(h["quotes_total"], 2);
            assert_eq!(h["quotes"].as_array().unwrap().len(), 1);
            assert_eq!(h["quotes"][0]["kind"], "partial");
        } else {
            assert!(h.get("quotes").is_none() && h.get("quotes_total").is_none(), "{h}");
        }
    }
    let (_, r) = get(&s, "/search?q=assessment");
    assert_eq!(r["hits"][0]["quotes"].as_array().unwrap().len(), 2);
    assert!(r["hits"][0].get("quotes_match").is_none());
    // Hostile words are never an error.
    for target in [
        "/quotes?q=%22",
        "/quotes?q=*",
        "/quotes?q=NEAR(a%20b)%20AND%20OR%20NOT",
        "/quotes?q=content%3A%20%7Bx%7D",
        "/quotes?q=%00%01",
        "/quotes?q=%FF%FE",
        "/quotes?q=%27%3B%20DROP%20TABLE%20quotes%3B--",
        "/search?q=%22%20OR%20*%20NEAR(",
    ] {
        let (st, body) = get(&s, target);
        assert_eq!(st, 200, "{target}: {body}");
    }
    assert_eq!(get(&s, "/quotes").1["total"], 4, "nothing dropped");
}

#[test]
fn quote_routes_reject_bad_requests_with_json_errors() {
    let s = start(|_| {});
    let long_q = format!("/quotes?q={}", "a".repeat(501));
    let long_speaker = format!("/quotes?speaker={}", "x".repeat(300));
    let cases: &[(&str, &str)] = &[
        ("/quotes?kind=sung", "kind"),
        ("/quotes?kind=%00", "kind"),
        ("/quotes?limit=1001", "limit"),
        ("/quotes?limit=-1", "limit"),
        ("/quotes?offset=2000000", "offset"),
        ("/quotes?offset=x", "offset"),
        ("/quotes?speaker=a%01b", "speaker"),
        ("/quotes?about=a%01b", "about"),
        ("/quotes?nope=1", "nope"),
        (&long_q, "q"),
        (&long_speaker, "speaker"),
    ];
    for &(target, name) in cases {
        let (st, body) = get(&s, target);
        assert_eq!(st, 400, "{target}: {body}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{target}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(name), "{target}: {body}");
    }
    assert_eq!(get(&s, &format!("/quotes?q={}", "a+".repeat(250))).0, 200, "500 characters are fine");
}

#[test]
fn a_store_without_the_quote_table_answers_503_for_quotes_only() {
    // A version-2 store (written before quotes were stored), served read-only.
    let s = start(|dir| {
        let conn = rusqlite::Connection::open(dir.join(newsgraph_store::DB_FILE)).unwrap();
        conn.execute_batch(
            "DROP TRIGGER quotes_fts_insert; DROP TRIGGER quotes_fts_delete; DROP TRIGGER quotes_fts_update; \
             DROP TABLE quotes_fts; DROP TABLE quotes; UPDATE meta SET value = '2' WHERE key = 'format_version';",
        )
        .unwrap();
    });
    let (st, body) = get(&s, "/quotes");
    assert_eq!(st, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(body["error"]["message"].as_str().unwrap().contains("open it writable once"), "{body}");
    let (st, d) = get(&s, "/entities/per:donald-trump");
    assert_eq!(st, 200, "{d}");
    assert!(d.get("quotes").is_none(), "{d}");
    let (st, r) = get(&s, "/search?q=territories");
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["total"], 2);
}
