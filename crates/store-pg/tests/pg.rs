//! `PgStore` against a real PostgreSQL server (`NEWSGRAPH_TEST_PG`, see
//! `scripts/ci/postgres.sh`); each test uses its own fresh database. Without the variable the
//! tests print why they are skipped (and fail when `CI` is set).
//!
//! * `idempotent_writes` — same article twice, same URL with new content, same content under
//!   another URL (alias), a document without URL.
//! * `any_query_text_is_accepted` — hostile search, quote and entity query text.
//! * `search_ranks_filters_facets_and_snippets` — stemming, title above body, filters, facets,
//!   highlight ranges, mentioned days, entity filters.
//! * `a_failed_batch_changes_nothing` — an invalid document mid-batch rolls back the batch,
//!   its stories and duplicate groups included; the next batch assigns as if it never ran.
//! * `reads_run_concurrently_beside_a_writer` — threads reading one handle while another
//!   handle writes.
//! * `several_writers_assign_in_one_order` — two writable handles writing from two threads:
//!   a copy stored by one joins the original stored by the other, in one group and one story.
//! * `same_answers_as_the_embedded_store` — the examples through the standard pipeline into
//!   both backends: every read answers the same.
//! * `corpus_work_deferred_to_an_elected_leader` — writers that defer the corpus work, one
//!   leader at a time (a standby takes over when the leader goes), redeliveries skipped; the
//!   groups, stories and entities equal the embedded store's.
//! * `a_new_leader_restores_the_corpus_snapshot` — a leader taking over restores the latest
//!   snapshot and replays only what was assigned after it (a damaged one: everything), and
//!   goes on as one process would.
//! * `a_version_1_database_is_migrated` — the migrations bring an old schema up to date.
//! * `a_version_2_database_gets_event_and_day_facets` — migration 3 fills the new search
//!   columns from what is stored.
//! * `filters_by_entity_find_every_id_of_its_identity` — quotes by speaker, events by actor and
//!   search filters by entity reach the ids merged into an identity, as in the embedded store.

use newsgraph_model::{Document, DocumentBuilder, Entity, EntityType, Metadata, Published, TimeBasis};
use newsgraph_store::{
    EmbeddedStore, EntityQuery, ErrorKind, EventQuery, ListQuery, QuoteQuery, SearchQuery, Store, StoryQuery,
};
use newsgraph_store_pg::testing::{test_url, TestDb};
use newsgraph_store_pg::PgStore;
use std::sync::Arc;

/// A fresh database for `test`, or `None` (skip) without a test server.
fn db(test: &str) -> Option<TestDb> {
    test_url(test).map(|u| TestDb::create(&u, test))
}

fn doc(url: Option<&str>, title: &str, text: &str, day: Option<&str>, source: &str) -> Document {
    DocumentBuilder::new(text)
        .meta(Metadata {
            url: url.map(Into::into),
            title: Some(title.into()),
            source: Some(source.into()),
            language: Some("en".into()),
            published: day.map(|d| Published {
                time: chrono::DateTime::parse_from_rfc3339(&format!("{d}T10:00:00+00:00")).unwrap(),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build()
}

#[test]
fn idempotent_writes() {
    let Some(t) = db("idempotent_writes") else { return };
    let mut s = PgStore::connect(&t.url).unwrap();
    let a = doc(Some("https://n.example/a?utm_source=x"), "Floods", "Floods hit the valley.", Some("2025-08-08"), "N");
    let r = s.put_batch(vec![a.clone()]).unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged), (1, 0, 0));
    let id = r.ids[0].clone();
    let r = s.put_batch(vec![a.clone()]).unwrap();
    assert_eq!((r.inserted, r.unchanged), (0, 1), "{r:?}");
    assert_eq!(r.ids, std::slice::from_ref(&id));
    // Same URL, new content: replaced in place.
    let a2 = doc(Some("https://n.example/a"), "Floods", "Floods hit the valley twice.", Some("2025-09-08"), "N");
    let r = s.put_batch(vec![a2]).unwrap();
    assert_eq!((r.inserted, r.updated), (0, 1), "{r:?}");
    assert_eq!(r.ids, std::slice::from_ref(&id));
    assert!(s.get(&id).unwrap().unwrap().text().ends_with("twice."));
    assert_eq!(s.search(&SearchQuery::text("twice")).unwrap().total, 1, "search row replaced");
    assert_eq!(s.search(&SearchQuery::text("valley")).unwrap().total, 1, "old search row gone");
    // Same content under another URL: a duplicate, its URL an alias.
    let b = doc(Some("https://m.example/b"), "Floods", "Floods hit the valley twice.", Some("2025-09-08"), "M");
    let r = s.put_batch(vec![b]).unwrap();
    assert_eq!(r.inserted, 0);
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(r.duplicates[0].into, id);
    assert_eq!(s.resolve_url("https://m.example/b").unwrap(), Some(id.clone()));
    assert_eq!(s.resolve_url("https://n.example/a#top").unwrap(), Some(id.clone()));
    assert_eq!(s.resolve_url("https://n.example/zzz").unwrap(), None);
    // Without URL: by content.
    let c = doc(None, "Quiet", "Nothing happened today.", None, "N");
    assert_eq!(s.put_batch(vec![c.clone()]).unwrap().inserted, 1);
    assert_eq!(s.put_batch(vec![c]).unwrap().unchanged, 1);
    assert_eq!(s.count().unwrap(), 2);
    let st = s.status().unwrap();
    assert_eq!((st.documents, st.last_seq, st.indexed_seq), (2, 3, 3), "{st:?}");
    // A read-only handle sees it all and refuses writes.
    let ro = PgStore::connect_read_only(&t.url).unwrap();
    assert_eq!(ro.count().unwrap(), 2);
    let ids: Vec<String> = ro.iter_all().map(|d| d.unwrap().id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let mut ro = ro;
    assert!(matches!(ro.put_batch(vec![]).unwrap_err().kind(), ErrorKind::ReadOnly));
}

#[test]
fn any_query_text_is_accepted() {
    let Some(t) = db("any_query_text_is_accepted") else { return };
    let mut s = PgStore::connect(&t.url).unwrap();
    s.put_batch(vec![doc(Some("https://n.example/a"), "Putin", "Putin met Trump in Alaska.", Some("2025-08-15"), "N")])
        .unwrap();
    let long = "x ".repeat(3000);
    let nasty = [
        "\"unbalanced",
        "(((((((((((a)))))))))))",
        "a:b:c",
        "title:",
        "-",
        "--x",
        "OR OR AND NOT",
        "!!",
        "'",
        "'; DROP TABLE documents; --",
        "a <-> b",
        ":*",
        "a & | ! b",
        "\0 nul \u{1}",
        "\\",
        "%_%",
        "😀 Путин",
        "the",
        long.as_str(),
    ];
    for q in nasty {
        let r = s.search(&SearchQuery::text(q)).unwrap_or_else(|e| panic!("search {q:?}: {e}"));
        assert!(r.total <= 1, "{q:?}");
        s.quotes(&QuoteQuery { q: Some(q.into()), ..QuoteQuery::default() })
            .unwrap_or_else(|e| panic!("quotes {q:?}: {e}"));
        s.entities(&EntityQuery { q: Some(q.into()), ..EntityQuery::default() })
            .unwrap_or_else(|e| panic!("entities {q:?}: {e}"));
        s.get(q).unwrap_or_else(|e| panic!("get {q:?}: {e}"));
        s.resolve_url(q).unwrap_or_else(|e| panic!("resolve_url {q:?}: {e}"));
        s.events(&EventQuery { actor: Some(q.into()), ..EventQuery::default() })
            .unwrap_or_else(|e| panic!("events {q:?}: {e}"));
    }
    let r = s.search(&SearchQuery::text("title:putin \"met trump\" -moscow")).unwrap();
    assert_eq!(r.total, 1, "{r:?}");
    assert_eq!(s.search(&SearchQuery::text("putin -alaska")).unwrap().total, 0);
    assert_eq!(s.search(&SearchQuery::text("moscow or alaska")).unwrap().total, 1);
    assert!(!s.search(&SearchQuery::text("the")).unwrap().warnings.is_empty());
}

#[test]
fn search_ranks_filters_facets_and_snippets() {
    let Some(t) = db("search_ranks_filters_facets_and_snippets") else { return };
    let mut s = PgStore::connect(&t.url).unwrap();
    let mut a = doc(
        Some("https://n.example/a"),
        "Valley news",
        "Record rain fell overnight. Floods hit the valley after the storm, and roads closed.",
        Some("2025-08-08"),
        "North",
    );
    a.layers.entities = vec![Entity::new("loc:valley", "Valley", EntityType::Place)];
    let b = doc(Some("https://n.example/b"), "Flooding in the valley", "Water rose.", Some("2025-09-01"), "South");
    let c = doc(Some("https://n.example/c"), "Markets", "Shares rose on Monday.", None, "North");
    s.put_batch(vec![a, b, c]).unwrap();

    let r = s.search(&SearchQuery::text("flooding")).unwrap();
    assert_eq!(r.total, 2, "stemmed: {r:?}");
    assert_eq!(r.hits[0].title.as_deref(), Some("Flooding in the valley"), "title weighs more: {r:?}");
    let sn = &r.hits[1].snippet;
    assert!(sn.to_html().contains("<b>Floods</b>"), "{sn:?}");
    for &(s0, e0) in &sn.highlights {
        assert_eq!(sn.text[s0..e0].to_lowercase(), "floods");
    }
    assert_eq!(
        r.facets.source.iter().map(|f| (f.value.as_str(), f.count)).collect::<Vec<_>>(),
        [("North", 1), ("South", 1)]
    );
    assert_eq!(r.facets.language[0].count, 2);
    assert_eq!(r.facets.entities.len(), 1);
    assert_eq!((r.facets.entities[0].id.as_str(), r.facets.entities[0].name.as_str()), ("loc:valley", "Valley"));

    // `title:` restricts a word to the title, as in the embedded store.
    let titles = |text: &str| {
        let r = s.search(&SearchQuery::text(text)).unwrap();
        let mut t: Vec<String> = r.hits.iter().filter_map(|h| h.title.clone()).collect();
        t.sort();
        t
    };
    assert_eq!(titles("title:flooding"), ["Flooding in the valley"]);
    assert_eq!(titles("valley -title:flooding"), ["Valley news"]);
    assert_eq!(titles("title:rain"), Vec::<String>::new(), "rain is in a body only");
    assert_eq!(titles("title:'|&!"), titles(""), "no word left: no title filter");

    let all = s.search(&SearchQuery::default()).unwrap();
    assert_eq!(all.total, 3);
    assert!(all.hits.iter().all(|h| h.snippet.highlights.is_empty() && !h.snippet.text.is_empty()));
    let q = |f: fn(&mut SearchQuery)| {
        let mut q = SearchQuery::text("valley");
        f(&mut q);
        s.search(&q).unwrap().total
    };
    assert_eq!(q(|q| q.source = Some("South".into())), 1);
    assert_eq!(q(|q| q.language = Some("fr".into())), 0);
    assert_eq!(q(|q| q.published_from = Some("2025-08-09T00:00:00Z".parse().unwrap())), 1);
    assert_eq!(q(|q| q.published_to = Some("2025-08-09T00:00:00Z".parse().unwrap())), 1);
    assert_eq!(q(|q| q.entities = vec!["loc:valley".into()]), 1);
    assert_eq!(q(|q| q.entities = vec!["loc:valley".into(), "loc:none".into()]), 0);
    let mut page = SearchQuery::text("valley");
    page.limit = 0;
    let r = s.search(&page).unwrap();
    assert_eq!((r.total, r.hits.len()), (2, 0));
    page.limit = 1;
    page.offset = 1;
    assert_eq!(s.search(&page).unwrap().hits.len(), 1);

    // Articles are partitioned by month; undated ones land in the default partition.
    let mut c = postgres::Client::connect(&t.url, postgres::NoTls).unwrap();
    let parts: Vec<(String, i64)> = c
        .query("SELECT tableoid::regclass::text, count(*) FROM articles GROUP BY 1 ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(parts, [("articles_other".into(), 1), ("articles_p202508".into(), 1), ("articles_p202509".into(), 1)]);
}

#[test]
fn a_failed_batch_changes_nothing() {
    let Some(t) = db("a_failed_batch_changes_nothing") else { return };
    let mut s = PgStore::connect(&t.url).unwrap();
    let text = "The central bank raised interest rates by a quarter point to fight inflation, the governor said \
                on Tuesday in the capital, where markets fell.";
    let a = doc(Some("https://n.example/a"), "Rates", text, Some("2025-08-08"), "N");
    s.put_batch(vec![a.clone()]).unwrap();
    let before = (s.count().unwrap(), s.stories(&StoryQuery::default()).unwrap(), s.status().unwrap());

    let copy = doc(Some("https://m.example/copy"), "Rates", &format!("{text} Updated."), Some("2025-08-09"), "M");
    let mut clash = doc(Some("https://n.example/other"), "Other", "Different words entirely.", None, "N");
    clash.id = a.id.clone(); // an id already used by another URL and content
    let err = s.put_batch(vec![copy.clone(), clash]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidInput(_)), "{err}");
    assert_eq!(s.count().unwrap(), before.0);
    assert_eq!(s.stories(&StoryQuery::default()).unwrap(), before.1);
    assert_eq!(s.status().unwrap(), before.2);
    assert_eq!(s.search(&SearchQuery::text("updated")).unwrap().total, 0);
    assert!(s.get(&copy.id).unwrap().is_none());
    assert_eq!(s.duplicates(&a.id).unwrap().unwrap().members.len(), 1);

    // The copy alone goes in, as if the failed batch never ran: one story, one group of two.
    let r = s.put_batch(vec![copy.clone()]).unwrap();
    assert_eq!(r.inserted, 1);
    let stories = s.stories(&StoryQuery::default()).unwrap();
    assert_eq!((stories.total, stories.items[0].articles), (1, 2), "{stories:?}");
    let g = s.duplicates(&copy.id).unwrap().unwrap();
    assert_eq!(g.canonical, a.id);
    assert_eq!(g.members.len(), 2);
    assert_eq!(s.story_of(&copy.id).unwrap(), s.story_of(&a.id).unwrap());
}

#[test]
fn reads_run_concurrently_beside_a_writer() {
    let Some(t) = db("reads_run_concurrently_beside_a_writer") else { return };
    let mut w = PgStore::connect(&t.url).unwrap();
    w.put_batch(vec![doc(Some("https://n.example/0"), "Start", "Storm warning issued.", Some("2025-08-01"), "N")])
        .unwrap();
    let r = Arc::new(PgStore::connect_read_only(&t.url).unwrap());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..6)
        .map(|i| {
            let (r, stop) = (r.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut last = 0;
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 5 {
                    let total = r.search(&SearchQuery::text("storm")).unwrap().total;
                    assert!(total >= last, "reader {i}: {total} < {last}");
                    last = total;
                    let page = r.list(&ListQuery::default()).unwrap();
                    assert!(page.total >= total);
                    n += 1;
                }
                (n, last)
            })
        })
        .collect();
    for i in 1..=20 {
        let d = doc(
            Some(&format!("https://n.example/{i}")),
            "Storm",
            &format!("Storm report number {i} from district {i}."),
            Some("2025-08-02"),
            "N",
        );
        w.put_batch(vec![d]).unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for h in readers {
        let (n, last) = h.join().unwrap();
        assert!(n >= 5);
        assert!(last <= 21);
    }
    assert_eq!(r.search(&SearchQuery::text("storm")).unwrap().total, 21);
    drop(w);
    // The lock went with the writer.
    PgStore::connect(&t.url).unwrap();
}

/// Every example article through the standard pipeline, in file order.
fn examples() -> Vec<Document> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x != "md"))
        .collect();
    files.sort();
    let opts = newsgraph_ingest::IngestOptions::default();
    let mut docs = Vec::new();
    for f in files {
        for item in newsgraph_ingest::Source::open(f.to_str().unwrap(), &opts).unwrap() {
            docs.push(item.unwrap().document);
        }
    }
    newsgraph_engine::Pipeline::standard().process_batch(docs)
}

#[test]
fn same_answers_as_the_embedded_store() {
    let Some(t) = db("same_answers_as_the_embedded_store") else { return };
    let docs = examples();
    assert!(docs.len() >= 8, "{}", docs.len());
    let dir = tempfile::tempdir().unwrap();
    let mut e = EmbeddedStore::open(dir.path()).unwrap();
    let mut p = PgStore::connect(&t.url).unwrap();
    // In two batches, the second repeating one article.
    let (first, second) = docs.split_at(docs.len() / 2);
    let mut second = second.to_vec();
    second.push(first[0].clone());
    for batch in [first.to_vec(), second] {
        let (re, rp) = (e.put_batch(batch.clone()).unwrap(), p.put_batch(batch).unwrap());
        assert_eq!(re, rp);
    }
    let strip = |mut l: newsgraph_store::Page<newsgraph_store::DocSummary>| {
        for d in &mut l.items {
            (d.ingested_at, d.updated_at) = (Default::default(), Default::default());
        }
        l
    };
    let lq = ListQuery { limit: 1000, ..ListQuery::default() };
    assert_eq!(strip(e.list(&lq).unwrap()), strip(p.list(&lq).unwrap()));
    let ids: Vec<String> = e.iter_all().map(|d| d.unwrap().id).collect();
    assert_eq!(ids, p.iter_all().map(|d| d.unwrap().id).collect::<Vec<_>>());
    for id in &ids {
        assert_eq!(e.get(id).unwrap(), p.get(id).unwrap(), "{id}");
        assert_eq!(e.duplicates(id).unwrap(), p.duplicates(id).unwrap(), "{id}");
        assert_eq!(e.story_of(id).unwrap(), p.story_of(id).unwrap(), "{id}");
    }
    let eq = EntityQuery { limit: 1000, ..EntityQuery::default() };
    let ents = e.entities(&eq).unwrap();
    assert!(ents.total > 10);
    assert_eq!(ents, p.entities(&eq).unwrap());
    for kind in ["person", "place"] {
        let q = EntityQuery { kind: Some(kind.into()), q: Some("a".into()), ..eq.clone() };
        assert_eq!(e.entities(&q).unwrap(), p.entities(&q).unwrap(), "{kind}");
    }
    for ent in ents.items.iter().take(15) {
        assert_eq!(e.entity(&ent.id, 0, 50).unwrap(), p.entity(&ent.id, 0, 50).unwrap(), "{}", ent.id);
        assert_eq!(e.entity_timeline(&ent.id, 0, 100).unwrap(), p.entity_timeline(&ent.id, 0, 100).unwrap());
        // A merged id answers with its identity on both.
        for m in &ent.merged {
            assert_eq!(e.entity(m, 0, 5).unwrap(), p.entity(m, 0, 5).unwrap(), "{m}");
        }
    }
    assert_eq!(e.entity_timeline("per:nobody", 0, 10).unwrap(), None);
    assert_eq!(p.entity_timeline("per:nobody", 0, 10).unwrap(), None);
    let qq = QuoteQuery { limit: 1000, ..QuoteQuery::default() };
    let quotes = e.quotes(&qq).unwrap();
    assert!(quotes.total > 5);
    assert_eq!(quotes, p.quotes(&qq).unwrap());
    for words in ["Putin", "peace talks", "\"security guarantees\"", "war -Ukraine", "Russia OR Europe"] {
        let q = QuoteQuery { q: Some(words.into()), ..qq.clone() };
        let (a, b) = (e.quotes(&q).unwrap(), p.quotes(&q).unwrap());
        assert_eq!(a.total, b.total, "{words}");
    }
    let evq = EventQuery { limit: 1000, ..EventQuery::default() };
    let events = e.events(&evq).unwrap();
    assert!(events.total > 5);
    assert_eq!(events, p.events(&evq).unwrap());
    for q in [
        EventQuery { code: Some("04".into()), ..evq.clone() },
        EventQuery { actor: Some("USA".into()), ..evq.clone() },
        EventQuery { near: Some(newsgraph_store::Near { lat: 61.2, lon: -149.9, km: 500.0 }), ..evq.clone() },
        EventQuery { from: "2025-08-15".parse().ok(), to: "2025-08-20".parse().ok(), ..evq.clone() },
    ] {
        assert_eq!(e.events(&q).unwrap(), p.events(&q).unwrap(), "{q:?}");
    }
    let sq = StoryQuery { limit: 1000, ..StoryQuery::default() };
    let stories = e.stories(&sq).unwrap();
    assert_eq!(stories, p.stories(&sq).unwrap());
    for st in &stories.items {
        assert_eq!(e.story(st.id).unwrap(), p.story(st.id).unwrap(), "story {}", st.id);
    }
    // Search: the same matches for plain words (ranking and snippets differ by engine).
    for words in ["Putin", "summit Alaska", "Zelensky", "ceasefire", "\"White House\""] {
        let mut q = SearchQuery::text(words);
        q.limit = 100;
        let (a, b) = (e.search(&q).unwrap(), p.search(&q).unwrap());
        assert_eq!(a.total, b.total, "{words}");
        let set = |r: &newsgraph_store::SearchResults| {
            let mut v: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
            v.sort();
            v.into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(set(&a), set(&b), "{words}");
        assert_eq!(a.facets.source, b.facets.source, "{words}");
        assert_eq!(a.facets.entities, b.facets.entities, "{words}");
        assert_eq!(a.facets.events, b.facets.events, "{words}");
        assert_eq!(a.facets.mentioned, b.facets.mentioned, "{words}");
        for (x, y) in a.hits.iter().zip(&b.hits) {
            let y = b.hits.iter().find(|h| h.id == x.id).unwrap_or(y);
            assert_eq!((x.quotes_total, x.quotes_match), (y.quotes_total, y.quotes_match), "{words} {}", x.id);
        }
    }
    // Search by story: the same stories with the same number of matching articles.
    for words in ["Putin", "ceasefire"] {
        let q = SearchQuery::text(words);
        let key = |p: newsgraph_store::Page<newsgraph_store::StoryHit>| {
            let mut v: Vec<(u64, u64)> = p.items.iter().map(|h| (h.story.id, h.matching)).collect();
            v.sort();
            (p.total, v)
        };
        assert_eq!(key(e.search_stories(&q).unwrap()), key(p.search_stories(&q).unwrap()), "{words}");
    }
    // A reopened writer replays the same state: the next article is assigned alike.
    drop(p);
    let mut p = PgStore::connect(&t.url).unwrap();
    let extra = doc(
        Some("https://x.example/late"),
        "Summit",
        "Putin and Trump met in Alaska to talk about Ukraine.",
        Some("2025-08-16"),
        "X",
    );
    assert_eq!(e.put_batch(vec![extra.clone()]).unwrap(), p.put_batch(vec![extra.clone()]).unwrap());
    assert_eq!(e.story_of(&extra.id).unwrap(), p.story_of(&extra.id).unwrap());
    assert_eq!(e.stories(&sq).unwrap(), p.stories(&sq).unwrap());
}

#[test]
fn several_writers_assign_in_one_order() {
    let Some(t) = db("several_writers_assign_in_one_order") else { return };
    let mut w1 = PgStore::connect(&t.url).unwrap();
    let mut w2 = PgStore::connect(&t.url).unwrap();
    let text = "The central bank raised interest rates by a quarter point to fight inflation, the governor said \
                on Tuesday in the capital, where markets fell.";
    let x = doc(
        Some("https://n.example/x"),
        "Storm",
        "A storm cut power to thousands of homes on the coast.",
        Some("2025-08-01"),
        "N",
    );
    let a = doc(Some("https://n.example/a"), "Rates", text, Some("2025-08-08"), "N");
    let copy = doc(Some("https://m.example/copy"), "Rates", &format!("{text} Updated."), Some("2025-08-09"), "M");
    w2.put_batch(vec![x]).unwrap(); // w2's corpus state exists before a is stored
    w1.put_batch(vec![a.clone()]).unwrap();
    // w2 never saw `a` itself: it catches up under the writers' lock before assigning the copy.
    w2.put_batch(vec![copy.clone()]).unwrap();
    let g = w1.duplicates(&copy.id).unwrap().unwrap();
    assert_eq!((g.canonical.as_str(), g.members.len()), (a.id.as_str(), 2), "{g:?}");
    assert_eq!(w1.story_of(&copy.id).unwrap(), w1.story_of(&a.id).unwrap());

    // Both at once from two threads: every article stored once, every one in exactly one story.
    let batch = |w: &str, n: usize| -> Vec<Document> {
        (0..n)
            .map(|i| {
                let body = format!(
                    "Council {w} report {i}: the bridge over the river {i} reopened after repairs, the mayor said."
                );
                doc(Some(&format!("https://{w}.example/{i}")), "Bridge", &body, Some("2025-08-10"), w)
            })
            .collect()
    };
    let (b1, b2) = (batch("one", 20), batch("two", 20));
    let h1 = std::thread::spawn(move || {
        for d in b1 {
            w1.put_batch(vec![d]).unwrap();
        }
        w1
    });
    let h2 = std::thread::spawn(move || {
        for d in b2 {
            w2.put_batch(vec![d]).unwrap();
        }
        w2
    });
    let (w1, _w2) = (h1.join().unwrap(), h2.join().unwrap());
    assert_eq!(w1.count().unwrap(), 43);
    let stories = w1.stories(&StoryQuery { limit: 100, ..StoryQuery::default() }).unwrap();
    let in_stories: u64 = stories.items.iter().map(|s| s.articles).sum();
    assert_eq!(in_stories, 43, "{stories:?}");
}

#[test]
fn corpus_work_deferred_to_an_elected_leader() {
    use newsgraph_store::CorpusWork;
    let Some(t) = db("corpus_work_deferred_to_an_elected_leader") else { return };
    let docs = examples();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    // Two writers store the articles and their layers only.
    let (first, second) = docs.split_at(docs.len() / 2);
    let mut writers = [PgStore::connect(&t.url).unwrap(), PgStore::connect(&t.url).unwrap()];
    for (w, batch) in writers.iter_mut().zip([first, second]) {
        w.defer_corpus().unwrap();
        w.put_batch(batch.to_vec()).unwrap();
    }
    let w = &writers[0];
    assert_eq!(w.count().unwrap(), docs.len() as u64);
    assert_eq!(w.corpus_backlog().unwrap(), docs.len() as u64);
    assert_eq!(w.stories(&StoryQuery::default()).unwrap().total, 0);

    // One leader at a time; a standby takes over when the leader's connection goes.
    let mut leader = PgStore::connect(&t.url).unwrap();
    let mut standby = PgStore::connect(&t.url).unwrap();
    assert!(leader.try_lead_corpus().unwrap());
    assert!(!standby.try_lead_corpus().unwrap());
    assert!(matches!(standby.assign_corpus(&ids).unwrap_err().kind(), ErrorKind::InvalidInput(_)));
    let half = &ids[..ids.len() / 2];
    let r = leader.assign_corpus(half).unwrap();
    assert_eq!((r.assigned, r.already, r.missing), (half.len() as u64, 0, 0));
    assert_eq!(leader.assign_corpus(half).unwrap().already, half.len() as u64, "a redelivery is a no-op");
    drop(leader);
    assert!(standby.try_lead_corpus().unwrap(), "the standby leads once the leader is gone");
    let mut again = ids.clone();
    again.push("no-such-article".into());
    let r = standby.assign_corpus(&again).unwrap();
    assert_eq!((r.assigned, r.already, r.missing), ((ids.len() - half.len()) as u64, half.len() as u64, 1));
    assert_eq!(w.corpus_backlog().unwrap(), 0);

    // The same groups, stories and identities as one process storing in the same order.
    let dir = tempfile::tempdir().unwrap();
    let mut e = EmbeddedStore::open(dir.path()).unwrap();
    e.put_batch(docs.clone()).unwrap();
    let sq = StoryQuery { limit: 100, ..StoryQuery::default() };
    assert_eq!(e.stories(&sq).unwrap(), w.stories(&sq).unwrap());
    for id in &ids {
        assert_eq!(e.duplicates(id).unwrap(), w.duplicates(id).unwrap(), "{id}");
    }
    let eq = EntityQuery { limit: 1000, ..EntityQuery::default() };
    assert_eq!(e.entities(&eq).unwrap(), w.entities(&eq).unwrap());
}

#[test]
fn a_new_leader_restores_the_corpus_snapshot() {
    use newsgraph_store::testing::generated_article;
    use newsgraph_store::CorpusWork;
    let Some(t) = db("a_new_leader_restores_the_corpus_snapshot") else { return };
    let docs: Vec<Document> = (0..560).map(generated_article).collect();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let mut w = PgStore::connect(&t.url).unwrap();
    w.defer_corpus().unwrap();
    w.put_batch(docs.clone()).unwrap();
    let mut leader = PgStore::connect(&t.url).unwrap();
    assert!(leader.try_lead_corpus().unwrap());
    let p = leader.prepare_corpus().unwrap();
    assert_eq!((p.restored, p.replayed), (0, 0));
    leader.assign_corpus(&ids[..520]).unwrap();
    drop(leader);
    let mut c = postgres::Client::connect(&t.url, postgres::NoTls).unwrap();
    let upto: i64 = c.query_one("SELECT upto FROM corpus_snapshot", &[]).unwrap().get(0);
    assert_eq!(upto, 520, "a snapshot is written once 500 articles were assigned");
    // Ten more assigned after the snapshot by another leader (written inline).
    let mut inline = PgStore::connect(&t.url).unwrap();
    assert!(inline.try_lead_corpus().unwrap());
    inline.assign_corpus(&ids[520..530]).unwrap();
    drop(inline);

    let mut next = PgStore::connect(&t.url).unwrap();
    assert!(next.try_lead_corpus().unwrap());
    let p = next.prepare_corpus().unwrap();
    assert_eq!((p.restored, p.replayed), (520, 10));
    next.assign_corpus(&ids[530..]).unwrap();
    drop(next);
    // A damaged snapshot is not used: every assignment is replayed.
    c.execute("UPDATE corpus_snapshot SET data = '\\x4e47434f52505553010000000102'", &[]).unwrap();
    let mut last = PgStore::connect(&t.url).unwrap();
    assert!(last.try_lead_corpus().unwrap());
    let p = last.prepare_corpus().unwrap();
    assert_eq!((p.restored, p.replayed), (0, 560));

    // The same groups and stories as one process storing them in the same order.
    let dir = tempfile::tempdir().unwrap();
    let mut e = EmbeddedStore::open(dir.path()).unwrap();
    e.put_batch(docs).unwrap();
    for id in &ids {
        assert_eq!(e.duplicates(id).unwrap(), w.duplicates(id).unwrap(), "{id}");
        assert_eq!(e.story_of(id).unwrap(), w.story_of(id).unwrap(), "{id}");
    }
}

#[test]
fn a_version_1_database_is_migrated() {
    let Some(t) = db("a_version_1_database_is_migrated") else { return };
    let mut c = postgres::Client::connect(&t.url, postgres::NoTls).unwrap();
    c.batch_execute(newsgraph_store_pg::SCHEMA_SQL).unwrap();
    c.batch_execute("INSERT INTO meta(key, value) VALUES ('format_version', '1'), ('last_seq', '0')").unwrap();
    let mut p = PgStore::connect(&t.url).unwrap();
    assert_eq!(p.status().unwrap().format_version, newsgraph_store_pg::PG_SCHEMA_VERSION);
    let d = doc(Some("https://n.example/m"), "Storm", "A storm cut power on the coast.", Some("2025-08-01"), "N");
    assert_eq!(p.put_batch(vec![d.clone()]).unwrap().inserted, 1);
    assert!(p.story_of(&d.id).unwrap().is_some());
    assert_eq!(p.status().unwrap().last_seq, 1);
    let v: String = c.query_one("SELECT value FROM meta WHERE key = 'format_version'", &[]).unwrap().get(0);
    assert_eq!(v, newsgraph_store_pg::PG_SCHEMA_VERSION.to_string());
}

#[test]
fn filters_by_entity_find_every_id_of_its_identity() {
    let Some(t) = db("filters_by_entity_find_every_id_of_its_identity") else { return };
    let docs = examples();
    let dir = tempfile::tempdir().unwrap();
    let mut e = EmbeddedStore::open(dir.path()).unwrap();
    let mut p = PgStore::connect(&t.url).unwrap();
    e.put_batch(docs.clone()).unwrap();
    p.put_batch(docs).unwrap();
    let listed = p.entities(&EntityQuery { limit: 1000, ..EntityQuery::default() }).unwrap();
    let merged: Vec<_> = listed.items.iter().filter(|x| !x.merged.is_empty()).collect();
    assert!(!merged.is_empty(), "the examples merge some entities across articles");
    for identity in merged {
        let ids = std::iter::once(&identity.id).chain(&identity.merged);
        for id in ids {
            let q = QuoteQuery { speaker: Some(id.clone()), limit: 100, ..QuoteQuery::default() };
            let (pq, eq) = (p.quotes(&q).unwrap(), e.quotes(&q).unwrap());
            assert_eq!(pq, eq, "quotes by {id}");
            let by_identity = QuoteQuery { speaker: Some(identity.id.clone()), ..q };
            assert_eq!(pq.total, p.quotes(&by_identity).unwrap().total, "{id} answers as {}", identity.id);
            let ev = EventQuery { actor: Some(id.clone()), limit: 100, ..EventQuery::default() };
            assert_eq!(p.events(&ev).unwrap(), e.events(&ev).unwrap(), "events of {id}");
            let s = SearchQuery { entities: vec![id.clone()], limit: 100, ..SearchQuery::default() };
            let (ps, es) = (p.search(&s).unwrap(), e.search(&s).unwrap());
            assert_eq!(ps.total, identity.articles, "articles mentioning {id}");
            assert_eq!(ps.total, es.total, "{id}");
        }
    }
    // Quotes about the most mentioned entities: the same in both backends, and some found.
    let mut found = 0;
    for x in listed.items.iter().take(30) {
        let q = QuoteQuery { about: Some(x.id.clone()), limit: 100, ..QuoteQuery::default() };
        let pq = p.quotes(&q).unwrap();
        assert_eq!(pq, e.quotes(&q).unwrap(), "quotes about {}", x.id);
        assert!(pq.items.iter().all(|h| h.quote.speaker.as_ref().and_then(|s| s.id.as_deref()) != Some(&x.id)));
        found += pq.total;
    }
    assert!(found > 0, "the examples quote people about others");
}

#[test]
fn a_version_2_database_gets_event_and_day_facets() {
    let Some(t) = db("a_version_2_database_gets_event_and_day_facets") else { return };
    let mut p = PgStore::connect(&t.url).unwrap();
    p.put_batch(examples()).unwrap();
    let q = SearchQuery { limit: 0, ..SearchQuery::default() };
    let before = p.search(&q).unwrap().facets;
    assert!(!before.events.is_empty() && !before.mentioned.is_empty(), "{before:?}");
    drop(p);
    // Back to version 2: without the columns migration 3 added (and what 4 added).
    let mut c = postgres::Client::connect(&t.url, postgres::NoTls).unwrap();
    c.batch_execute(
        "ALTER TABLE articles DROP COLUMN event_roots; ALTER TABLE articles DROP COLUMN days; \
         DROP TABLE corpus_snapshot; UPDATE meta SET value = '2' WHERE key = 'format_version'",
    )
    .unwrap();
    let p = PgStore::connect(&t.url).unwrap();
    assert_eq!(p.search(&q).unwrap().facets, before, "the migration fills both from the stored articles");
}
