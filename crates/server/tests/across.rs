//! Across articles: entities merged across articles (`/entities`, `/entities/{id}`), an
//! entity's timeline (`/entities/{id}/timeline`) and search grouped by story
//! (`/search?as=stories`), against the real server on a loopback port.
mod common;
use common::get;
use newsgraph_model::{
    Document, DocumentBuilder, Entity, EntityType, Link, Mention, Metadata, Published, Span, TimeBasis,
};

/// An article naming `names` (entity id, name, kind, KB or not), each once, in this order.
fn article(k: &str, day: u32, text: &str, names: &[(&str, &str, EntityType, bool)]) -> Document {
    let mut d = DocumentBuilder::new(text)
        .meta(Metadata {
            url: Some(format!("https://across.example/{k}")),
            title: Some(text.split(' ').take(6).collect::<Vec<_>>().join(" ")),
            source: Some("Wire".into()),
            published: Some(Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("2025-08-{day:02}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build();
    for (i, &(id, name, kind, kb)) in names.iter().enumerate() {
        let mut e = Entity::new(id, name, kind);
        e.kb_id = kb.then(|| id.to_string());
        d.layers.entities.push(e);
        let at = d.text().find(name).unwrap_or_else(|| panic!("{name} not in {text}"));
        let mut m = Mention::new(Span::new(at, at + name.len()), kind, 0.9, "test");
        m.entity = Some(i as u32);
        m.link = Some(Link {
            confidence: 0.9,
            method: if kb { "exact" } else { "new" }.into(),
            repaired: None,
            evidence: Vec::new(),
        });
        d.layers.mentions.push(m);
    }
    d.layers.mentions.sort_by_key(|m| m.span.start);
    d
}

fn docs() -> Vec<Document> {
    use EntityType::*;
    let putin = ("per:vladimir-putin", "Putin", Person, true);
    let kremlin = ("org:kremlin", "Kremlin", Organization, true);
    let moscow = ("loc:moscow", "Moscow", Place, true);
    vec![
        article(
            "a",
            1,
            "Sergei Markov said in Moscow that Putin and the Kremlin would not yield on the summit.",
            &[("local:person:sergei-markov", "Sergei Markov", Person, false), moscow, putin, kremlin],
        ),
        article(
            "b",
            3,
            "Sergey Markov told reporters in Moscow that Putin had the Kremlin's backing for the summit.",
            &[("local:person:sergey-markov", "Sergey Markov", Person, false), moscow, putin, kremlin],
        ),
        article(
            "c",
            2,
            "The central bank raised interest rates to fight inflation, the governor said on Tuesday.",
            &[],
        ),
    ]
}

#[test]
fn merged_entities_timelines_and_story_search() {
    let s = common::start_with(docs(), |_| {});
    // Listed once, under the first id, the other merged.
    let (st, page) = get(&s, "/entities?q=markov");
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["total"], 1, "{page}");
    let e = &page["items"][0];
    assert_eq!(e["id"], "local:person:sergei-markov", "{page}");
    assert_eq!(e["merged"], serde_json::json!(["local:person:sergey-markov"]), "{page}");
    assert_eq!(e["articles"], 2);
    let forms: Vec<(&str, bool)> = e["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["form"].as_str().unwrap(), f["repaired"].as_bool().unwrap()))
        .collect();
    assert_eq!(forms, [("Sergei Markov", false), ("Sergey Markov", false)]);
    // The merged id answers with the identity.
    let (st, d) = get(&s, "/entities/local:person:sergey-markov");
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["id"], "local:person:sergei-markov");
    assert_eq!(d["appears_in"]["total"], 2);

    // Timeline: the articles that mention it, by date; paged; a merged id works too.
    let (st, t) = get(&s, "/entities/local:person:sergey-markov/timeline");
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["total"], 2, "{t}");
    let dates: Vec<&str> = t["items"].as_array().unwrap().iter().map(|i| i["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2025-08-01", "2025-08-03"]);
    let (_, p) = get(&s, "/entities/per%3Avladimir-putin/timeline?limit=1&offset=1");
    assert_eq!((p["total"].as_u64(), p["items"].as_array().map(Vec::len)), (Some(2), Some(1)), "{p}");
    for (target, status) in [
        ("/entities/per:nobody/timeline", 404),
        ("/entities/per:x/timeline?limit=1001", 400),
        ("/entities/per:x/timeline?bogus=1", 400),
        ("/search?q=summit&as=bogus", 400),
    ] {
        let (st, body) = get(&s, target);
        assert_eq!(st, status, "{target}: {body}");
        assert_eq!(body["error"]["status"], status, "{target}: {body}");
    }

    // Search as stories: both Markov articles in one story, the bank article apart.
    let (st, g) = get(&s, "/search?q=summit&as=stories");
    assert_eq!(st, 200, "{g}");
    assert_eq!(g["total"], 1, "{g}");
    assert_eq!(g["items"][0]["matching"], 2, "{g}");
    assert!(g["items"][0]["best"]["id"].is_string(), "{g}");
    assert!(g["items"][0]["story"]["label"].is_string(), "{g}");
    let (_, g) = get(&s, "/search?q=summit%20OR%20inflation&as=stories&limit=1&offset=1");
    assert_eq!((g["total"].as_u64(), g["items"].as_array().map(Vec::len)), (Some(2), Some(1)), "{g}");
    let (_, plain) = get(&s, "/search?q=summit&as=articles");
    assert_eq!(plain["total"], 2, "{plain}");
}
