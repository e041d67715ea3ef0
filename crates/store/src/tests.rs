use crate::entities::Walk;
use crate::*;
use chrono::{DateTime, TimeZone, Utc};
use newsgraph_model::{Document, DocumentBuilder, Metadata, Published, TimeBasis};
use std::path::Path;

fn doc(url: Option<&str>, title: &str, text: &str, source: &str, lang: &str, published: Option<&str>) -> Document {
    DocumentBuilder::new(text)
        .meta(Metadata {
            url: url.map(str::to_string),
            title: Some(title.to_string()),
            source: Some(source.to_string()),
            language: Some(lang.to_string()),
            authors: vec!["Jane Reporter".into()],
            published: published
                .map(|p| Published { time: DateTime::parse_from_rfc3339(p).unwrap(), basis: TimeBasis::Stated }),
            ..Metadata::default()
        })
        .build()
}

fn corpus() -> Vec<Document> {
    vec![
        doc(
            Some("https://www.cbc.ca/news/floods-1?utm_source=rss"),
            "Floods sweep through the valley",
            "Heavy rain caused severe flooding in the valley.\nResidents were evacuated as rivers flooded farms.",
            "CBC",
            "en",
            Some("2025-03-01T10:00:00-05:00"),
        ),
        doc(
            Some("https://bbc.co.uk/news/election-2"),
            "Election results announced",
            "The election commission announced results on Monday.\nTurnout was high despite the rain.",
            "BBC",
            "en",
            Some("2025-03-05T09:00:00+00:00"),
        ),
        doc(
            Some("https://lemonde.fr/article-3"),
            "Inondations dans la vallée",
            "Les inondations ont touché la vallée après de fortes pluies.",
            "Le Monde",
            "fr",
            Some("2025-02-20T08:00:00+01:00"),
        ),
        doc(
            Some("https://www.cbc.ca/news/budget-4"),
            "Budget debate continues",
            "Parliament debated the budget. The minister mentioned flood relief funding in passing.",
            "CBC",
            "en",
            Some("2025-03-10T12:00:00-04:00"),
        ),
        doc(
            None,
            "Undated wire story",
            "A wire story about the central bank raising interest rates.",
            "Wire",
            "en",
            None,
        ),
    ]
}

fn open(dir: &Path) -> EmbeddedStore {
    EmbeddedStore::open(dir).unwrap()
}

#[test]
fn insert_get_count_list_export() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let docs = corpus();
    let r = s.put_batch(docs.clone()).unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged, r.duplicates.len()), (5, 0, 0, 0));
    assert_eq!(r.ids, docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>());
    assert_eq!(s.count().unwrap(), 5);
    for d in &docs {
        assert_eq!(s.get(&d.id).unwrap().as_ref(), Some(d));
    }
    assert_eq!(s.get("nope").unwrap(), None);

    let page = s.list(&ListQuery::default()).unwrap();
    assert_eq!(page.total, 5);
    let titles: Vec<_> = page.items.iter().map(|i| i.title.clone().unwrap()).collect();
    assert_eq!(titles[0], "Budget debate continues"); // newest first
    assert_eq!(titles[4], "Undated wire story"); // undated last
    let cbc = s.list(&ListQuery { source: Some("CBC".into()), ..ListQuery::default() }).unwrap();
    assert_eq!(cbc.total, 2);
    let march = s
        .list(&ListQuery {
            published_from: Some(Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()),
            published_to: Some(Utc.with_ymd_and_hms(2025, 3, 6, 0, 0, 0).unwrap()),
            limit: 1,
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!((march.total, march.items.len()), (2, 1));
    let item = &march.items[0];
    assert_eq!(item.published.unwrap().to_rfc3339(), "2025-03-05T09:00:00+00:00");
    assert!(item.seq >= 1 && item.url.as_deref() == Some("https://bbc.co.uk/news/election-2"));

    let exported: Vec<Document> = s.iter_all().collect::<Result<_>>().unwrap();
    let mut ids: Vec<_> = docs.iter().map(|d| d.id.clone()).collect();
    ids.sort();
    assert_eq!(exported.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), ids);
    let st = s.status().unwrap();
    assert_eq!((st.documents, st.last_seq, st.indexed_seq), (5, 5, 5));
}

#[test]
fn export_streams_in_chunks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let docs: Vec<_> = (0..600)
        .map(|i| doc(Some(&format!("https://x.test/{i}")), "t", &format!("story number {i} words"), "X", "en", None))
        .collect();
    s.put_batch(docs).unwrap();
    let ids: Vec<String> = s.iter_all().map(|d| d.unwrap().id).collect();
    assert_eq!(ids.len(), 600);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn same_doc_twice_is_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let d = corpus().remove(0);
    let r = s.put_batch(vec![d.clone(), d.clone()]).unwrap();
    assert_eq!((r.inserted, r.unchanged), (1, 1));
    let r = s.put_batch(corpus()).unwrap();
    assert_eq!((r.inserted, r.unchanged), (4, 1));
    // Re-ingesting everything inserts nothing.
    let r = s.put_batch(corpus()).unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged, r.duplicates.len()), (0, 0, 5, 0));
    assert_eq!(s.count().unwrap(), 5);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
    // The same URL with tracking parameters / www / http is the same article.
    let mut variant = corpus().remove(0);
    variant.meta.url = Some("http://cbc.ca/news/floods-1/".into());
    assert_eq!(s.put_batch(vec![variant]).unwrap().unchanged, 1);
}

#[test]
fn same_content_other_url_is_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let original = corpus().remove(0);
    s.put_batch(vec![original.clone()]).unwrap();
    // Same words, different case and punctuation: same content hash.
    let copy = doc(
        Some("https://syndicator.example/copy"),
        "Copy",
        "heavy rain caused severe flooding in the valley!\nresidents were evacuated, as rivers flooded farms",
        "Syndicator",
        "en",
        None,
    );
    let r = s.put_batch(vec![copy.clone()]).unwrap();
    assert_eq!((r.inserted, r.duplicates.len()), (0, 1));
    assert_eq!(r.duplicates[0].into, original.id);
    assert_eq!(r.duplicates[0].input_id, copy.id);
    assert_eq!(r.duplicates[0].url.as_deref(), Some("https://syndicator.example/copy"));
    assert_eq!(r.ids, vec![original.id.clone()]);
    assert_eq!(s.count().unwrap(), 1);
    assert_eq!(s.resolve_url("https://syndicator.example/copy").unwrap(), Some(original.id.clone()));
    assert_eq!(s.resolve_url("https://cbc.ca/news/floods-1").unwrap(), Some(original.id.clone()));
    // Again: still a duplicate, still one article.
    let r = s.put_batch(vec![copy]).unwrap();
    assert_eq!((r.inserted, r.duplicates.len()), (0, 1));
    // No URL at all, same content: duplicate too.
    let bare = DocumentBuilder::new(original.text()).build();
    assert_eq!(s.put_batch(vec![bare]).unwrap().duplicates[0].into, original.id);
    assert_eq!(s.count().unwrap(), 1);
}

#[test]
fn same_url_new_content_updates_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let v1 = corpus().remove(0);
    s.put_batch(vec![v1.clone()]).unwrap();
    let v2 = doc(
        Some("https://cbc.ca/news/floods-1"),
        "Floods sweep through the valley (updated)",
        "Heavy rain caused severe flooding. A dam collapsed overnight.",
        "CBC",
        "en",
        Some("2025-03-01T10:00:00-05:00"),
    );
    let r = s.put_batch(vec![v2.clone()]).unwrap();
    assert_eq!((r.inserted, r.updated), (0, 1));
    assert_eq!(r.ids, vec![v1.id.clone()]);
    assert_eq!(s.count().unwrap(), 1);
    let got = s.get(&v1.id).unwrap().unwrap();
    assert_eq!(got.text(), v2.text());
    // The index follows: the new word is found, the old text is gone.
    assert_eq!(s.search(&SearchQuery::text("dam")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::text("evacuated")).unwrap().total, 0);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 1);
    let summary = &s.list(&ListQuery::default()).unwrap().items[0];
    assert_eq!(summary.seq, 2);
    assert!(summary.updated_at >= summary.ingested_at);
}

#[test]
fn search_ranking_snippets_filters_facets() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(corpus()).unwrap();

    // Stemming: "flood" matches flooding/flooded/Floods; the title match ranks first.
    let r = s.search(&SearchQuery::text("flood")).unwrap();
    assert_eq!(r.total, 2, "{r:?}");
    assert_eq!(r.hits[0].title.as_deref(), Some("Floods sweep through the valley"));
    assert_eq!(r.hits[1].title.as_deref(), Some("Budget debate continues"));
    assert!(r.hits[0].score > r.hits[1].score);
    let hit = &r.hits[0];
    assert_eq!(hit.source.as_deref(), Some("CBC"));
    assert_eq!(hit.url.as_deref(), Some("https://www.cbc.ca/news/floods-1?utm_source=rss"));
    assert_eq!(hit.published.unwrap().to_rfc3339(), "2025-03-01T10:00:00-05:00");
    let sn = &hit.snippet;
    assert!(!sn.highlights.is_empty());
    for &(a, b) in &sn.highlights {
        assert!(sn.text[a..b].to_lowercase().starts_with("flood"), "{:?}", &sn.text[a..b]);
    }
    assert!(sn.to_html().contains("<b>flooding</b>"), "{}", sn.to_html());
    assert_eq!(r.facets.source, vec![FacetCount { value: "CBC".into(), count: 2 }]);
    assert_eq!(r.facets.language, vec![FacetCount { value: "en".into(), count: 2 }]);

    // Phrase query needs adjacency.
    assert_eq!(s.search(&SearchQuery::text("\"severe flooding\"")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::text("\"flooding severe\"")).unwrap().total, 0);
    // Conjunction by default.
    assert_eq!(s.search(&SearchQuery::text("rain election")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::text("rain OR budget")).unwrap().total, 3);
    // Field query and authors.
    assert_eq!(s.search(&SearchQuery::text("title:election")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::text("authors:reporter")).unwrap().total, 5);

    // Empty query: everything, with facets over all.
    let all = s.search(&SearchQuery::default()).unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(all.facets.source[0], FacetCount { value: "CBC".into(), count: 2 });
    assert_eq!(all.facets.source.len(), 4);
    assert_eq!(
        all.facets.language,
        vec![FacetCount { value: "en".into(), count: 4 }, FacetCount { value: "fr".into(), count: 1 }]
    );
    assert!(all.hits.iter().all(|h| !h.snippet.text.is_empty()));

    // Filters.
    let q = |f: &dyn Fn(&mut SearchQuery)| {
        let mut q = SearchQuery::text("rain");
        f(&mut q);
        s.search(&q).unwrap().total
    };
    assert_eq!(q(&|_| {}), 2);
    assert_eq!(q(&|q| q.source = Some("BBC".into())), 1);
    assert_eq!(q(&|q| q.source = Some("bbc".into())), 0); // exact value
    assert_eq!(q(&|q| q.language = Some("fr".into())), 0);
    assert_eq!(q(&|q| q.published_from = Some(Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap())), 1);
    assert_eq!(q(&|q| q.published_to = Some(Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap())), 1);
    // Exclusive upper bound on the exact instant (2025-03-01T15:00:00Z).
    assert_eq!(q(&|q| q.published_to = Some(Utc.with_ymd_and_hms(2025, 3, 1, 15, 0, 0).unwrap())), 0);
    assert_eq!(q(&|q| q.published_from = Some(Utc.with_ymd_and_hms(2025, 3, 1, 15, 0, 0).unwrap())), 2);
    let fr = s.search(&SearchQuery { language: Some("fr".into()), ..SearchQuery::default() }).unwrap();
    assert_eq!(fr.total, 1);
    assert_eq!(fr.facets.source, vec![FacetCount { value: "Le Monde".into(), count: 1 }]);
    // Accents fold: "vallee" finds "vallée".
    assert_eq!(s.search(&SearchQuery::text("vallee")).unwrap().total, 1);

    // Paging: total stays, hits move.
    let p1 = s.search(&SearchQuery { limit: 2, ..SearchQuery::default() }).unwrap();
    let p2 = s.search(&SearchQuery { limit: 2, offset: 2, ..SearchQuery::default() }).unwrap();
    let p3 = s.search(&SearchQuery { limit: 2, offset: 4, ..SearchQuery::default() }).unwrap();
    assert_eq!((p1.hits.len(), p2.hits.len(), p3.hits.len()), (2, 2, 1));
    assert_eq!(p3.total, 5);
    let mut seen: Vec<_> = p1.hits.iter().chain(&p2.hits).chain(&p3.hits).map(|h| h.id.clone()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
    let counts_only = s.search(&SearchQuery { limit: 0, ..SearchQuery::text("rain") }).unwrap();
    assert_eq!((counts_only.total, counts_only.hits.len()), (2, 0));
    // JSON form of results.
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["hits"][0]["snippet"]["highlights"][0].is_array());
}

#[test]
fn hostile_queries_never_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(corpus()).unwrap();
    let long = "flood ".repeat(5000);
    let deep = format!("{}flood{}", "(".repeat(5000), ")".repeat(5000));
    let many_terms: String = (0..2000).map(|i| format!("w{i} ")).collect();
    let cases: Vec<&str> = vec![
        "",
        "   ",
        "\"unbalanced quote",
        "\"",
        "\"\"",
        "unknown:field",
        "nosuchfield:flood",
        "title:",
        ":",
        "*",
        "**",
        "*flood*",
        "fl*",
        "?",
        "flood AND",
        "AND OR NOT",
        "-flood",
        "-",
        "+",
        "+-+-",
        "((((",
        "))))",
        "(flood",
        "flood)",
        "[1 TO",
        "published:[2020 TO 2030]",
        "published:>abc",
        "published:[a TO *]",
        "title:[a TO z]",
        "id:",
        "source:CBC",
        "flood^",
        "flood^abc",
        "flood~",
        "flood~99",
        "\\",
        "\\\"",
        "a\u{0}b\u{7}c\u{1b}[31m",
        "\u{feff}\u{200b}",
        "日本語のクエリ",
        "🌊 flood 🌊",
        "title:\"unclosed phrase",
        "IN [a b c]",
        "body:IN [",
        "<script>alert(1)</script>",
        "'; DROP TABLE documents; --",
        "%s%n%x",
        "/regex.*/",
        &long,
        &deep,
        &many_terms,
    ];
    for c in cases {
        let r = s.search(&SearchQuery::text(c));
        let r = r.unwrap_or_else(|e| panic!("query {:?} failed: {e}", c.chars().take(40).collect::<String>()));
        assert!(r.total <= 5);
    }
    // The sanitizer reports what it did.
    let r = s.search(&SearchQuery::text(long)).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("truncated")));
    assert!(r.total >= 1);
}

#[test]
fn reopen_after_write() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = open(tmp.path());
        s.put_batch(corpus()).unwrap();
    }
    let mut s = open(tmp.path());
    assert_eq!(s.count().unwrap(), 5);
    assert_eq!(s.search(&SearchQuery::text("election")).unwrap().total, 1);
    let r = s.put_batch(corpus()).unwrap();
    assert_eq!(r.inserted, 0);
    let st = s.status().unwrap();
    assert_eq!((st.last_seq, st.indexed_seq), (5, 5));
    drop(s);
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.count().unwrap(), 5);
    assert_eq!(ro.search(&SearchQuery::text("flood")).unwrap().total, 2);
}

#[test]
fn crash_between_sqlite_and_index_is_repaired_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = corpus();
    let late = docs.split_off(3);
    {
        let mut s = open(tmp.path());
        s.put_batch(docs).unwrap();
        s.set_faults(None, true); // SQLite commits, the index never does
        s.put_batch(late).unwrap();
        assert_eq!(s.count().unwrap(), 5);
        assert_eq!(s.search(&SearchQuery::text("budget")).unwrap().total, 0);
        let st = s.status().unwrap();
        assert_eq!((st.last_seq, st.indexed_seq), (5, 3));
        // A read-only handle sees the lag too.
        let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
        assert_eq!(ro.status().unwrap().indexed_seq, 3);
    } // "crash": the writer is dropped with the index behind
    let s = open(tmp.path());
    let st = s.status().unwrap();
    assert_eq!((st.last_seq, st.indexed_seq), (5, 5));
    assert_eq!(s.search(&SearchQuery::text("budget")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::text("wire")).unwrap().total, 1);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
    drop(s);
    // Re-indexing is idempotent: opening again changes nothing.
    let s = open(tmp.path());
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
}

#[test]
fn lag_is_caught_up_by_next_batch_in_same_process() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = corpus();
    let rest = docs.split_off(2);
    let mut s = open(tmp.path());
    s.set_faults(None, true);
    s.put_batch(docs.clone()).unwrap();
    s.set_faults(None, false);
    // A batch that changes nothing still brings the index up to date.
    let r = s.put_batch(docs).unwrap();
    assert_eq!(r.unchanged, 2);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 2);
    s.set_faults(None, true);
    s.put_batch(rest).unwrap();
    s.set_faults(None, false);
    s.put_batch(vec![]).unwrap();
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
    assert_eq!(s.status().unwrap().indexed_seq, 5);
}

#[test]
fn failed_batch_rolls_back_and_keeps_earlier_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = corpus();
    let rest = docs.split_off(2);
    let mut s = open(tmp.path());
    s.put_batch(docs.clone()).unwrap();
    s.set_faults(Some(2), false); // fails at the third document of the next batch
    let err = s.put_batch(rest.clone()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Injected(_)), "{err}");
    assert!(err.to_string().contains("put_batch"), "{err}");
    assert!(err.to_string().contains(&tmp.path().display().to_string()), "{err}");
    assert_eq!(s.count().unwrap(), 2);
    for d in &docs {
        assert_eq!(s.get(&d.id).unwrap().as_ref(), Some(d));
    }
    assert!(s.get(&rest[0].id).unwrap().is_none(), "the failed batch is all or nothing");
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 2);
    assert_eq!(s.status().unwrap().last_seq, 2);
    s.set_faults(None, false);
    assert_eq!(s.put_batch(rest).unwrap().inserted, 3);
    drop(s);
    let s = open(tmp.path());
    assert_eq!(s.count().unwrap(), 5);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
}

#[test]
fn read_only_handle_searches_while_writer_is_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = open(tmp.path());
    let mut docs = corpus();
    let rest = docs.split_off(2);
    w.put_batch(docs).unwrap();
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.search(&SearchQuery::default()).unwrap().total, 2);
    assert_eq!(ro.count().unwrap(), 2);
    w.put_batch(rest).unwrap();
    // The reader sees the writer's new commit without reopening.
    assert_eq!(ro.search(&SearchQuery::default()).unwrap().total, 5);
    assert_eq!(ro.count().unwrap(), 5);
    assert_eq!(ro.list(&ListQuery::default()).unwrap().total, 5);
    let err = {
        let mut ro = ro;
        ro.put_batch(corpus()).unwrap_err()
    };
    assert!(matches!(err.kind(), ErrorKind::ReadOnly));
    // Readers from several threads at once.
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    std::thread::scope(|sc| {
        for _ in 0..4 {
            sc.spawn(|| assert_eq!(ro.search(&SearchQuery::text("rain")).unwrap().total, 2));
        }
    });
}

#[test]
fn second_writer_is_locked_out_and_lock_is_released_on_drop() {
    let tmp = tempfile::tempdir().unwrap();
    let w = open(tmp.path());
    let err = EmbeddedStore::open(tmp.path()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Locked), "{err}");
    drop(w);
    // The lock file stays on disk but no longer blocks (the same holds after kill -9:
    // the OS releases the lock with the process).
    assert!(tmp.path().join(LOCK_FILE).exists());
    open(tmp.path());
}

#[test]
fn format_version_mismatch_is_a_typed_error() {
    let tmp = tempfile::tempdir().unwrap();
    drop(open(tmp.path()));
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'", []).unwrap();
    drop(conn);
    for err in [EmbeddedStore::open(tmp.path()).unwrap_err(), EmbeddedStore::open_read_only(tmp.path()).unwrap_err()] {
        match err.kind() {
            ErrorKind::FormatTooNew { found, supported } => assert_eq!((*found, *supported), (99, FORMAT_VERSION)),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("newer"), "{err}");
    }
}

#[test]
fn not_a_store_and_missing_store() {
    let tmp = tempfile::tempdir().unwrap();
    let err = EmbeddedStore::open_read_only(tmp.path()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAStore(_)), "{err}");
    std::fs::write(
        tmp.path().join(DB_FILE),
        b"this is not sqlite, just some bytes to fill a header...............................................",
    )
    .unwrap();
    let err = EmbeddedStore::open(tmp.path()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAStore(_)), "{err}");
}

#[test]
fn outdated_or_missing_index_is_rebuilt_by_writer() {
    let tmp = tempfile::tempdir().unwrap();
    drop({
        let mut s = open(tmp.path());
        s.put_batch(corpus()).unwrap();
        s
    });
    // An index of an older schema version is rebuilt too.
    {
        let index = tantivy::Index::open_in_dir(tmp.path().join(INDEX_DIR)).unwrap();
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        w.delete_all_documents().unwrap();
        let mut p = w.prepare_commit().unwrap();
        p.set_payload(r#"{"seq":5,"schema":0}"#);
        p.commit().unwrap();
    }
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert!(matches!(ro.search(&SearchQuery::default()).unwrap_err().kind(), ErrorKind::IndexUnavailable(_)));
    drop(ro);
    let s = open(tmp.path());
    assert_eq!(s.search(&SearchQuery::text("flood")).unwrap().total, 2);
    drop(s);
    std::fs::remove_dir_all(tmp.path().join(INDEX_DIR)).unwrap();
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.count().unwrap(), 5);
    assert!(matches!(ro.search(&SearchQuery::default()).unwrap_err().kind(), ErrorKind::IndexUnavailable(_)));
    let mut s = open(tmp.path());
    assert_eq!(s.search(&SearchQuery::text("flood")).unwrap().total, 2);
    s.rebuild_index().unwrap();
    assert_eq!(s.search(&SearchQuery::text("flood")).unwrap().total, 2);
    assert_eq!(s.status().unwrap().indexed_seq, 5);
}

#[test]
fn store_is_usable_as_trait_object() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s: Box<dyn Store> = Box::new(open(tmp.path()));
    s.put_batch(corpus()).unwrap();
    assert_eq!(s.count().unwrap(), 5);
}

#[test]
fn search_is_fast_on_a_few_thousand_docs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let words = ["flood", "election", "budget", "rain", "minister", "court", "storm", "market", "bank", "strike"];
    let sources = ["CBC", "BBC", "Reuters", "AP"];
    let start = std::time::Instant::now();
    for batch in 0..15 {
        let docs: Vec<_> = (0..200)
            .map(|i| {
                let n = batch * 200 + i;
                let body: String = (0..120).map(|k| words[(n * 7 + k * 3) % words.len()]).collect::<Vec<_>>().join(" ");
                doc(
                    Some(&format!("https://perf.test/{n}")),
                    &format!("Story {n} {}", words[n % 10]),
                    &format!("{body} unique{n}."),
                    sources[n % 4],
                    "en",
                    Some("2025-01-01T00:00:00Z"),
                )
            })
            .collect();
        s.put_batch(docs).unwrap();
    }
    let ingest = start.elapsed();
    let t = std::time::Instant::now();
    let n = 20;
    for i in 0..n {
        let r = s
            .search(&SearchQuery {
                text: format!("{} {}", words[i % 10], words[(i + 3) % 10]),
                ..SearchQuery::default()
            })
            .unwrap();
        assert!(r.total > 0);
        assert_eq!(r.facets.source.len(), 4);
    }
    let per_query = t.elapsed() / n as u32;
    eprintln!("ingest 3000 docs: {ingest:?}; search: {per_query:?} per query");
    assert!(per_query < std::time::Duration::from_millis(50), "{per_query:?}");
}

#[test]
fn sanitize_query_bounds_input() {
    let (q, w) = sanitize_query("a\u{0}b");
    assert_eq!((q.as_str(), w.len()), ("a b", 0));
    let (q, w) = sanitize_query(&"é".repeat(5000));
    assert_eq!(q.chars().count(), MAX_QUERY_CHARS);
    let (q, _) = sanitize_query(&"flood ".repeat(1000));
    assert!(q.ends_with("flood") && q.len() <= MAX_QUERY_CHARS);
    assert_eq!(w.len(), 1);
}

/// Child half of `killed_writer_process_leaves_no_blocking_lock`: does nothing unless
/// started by that test.
#[test]
fn child_writer_process() {
    let Some(dir) = std::env::var_os("NG_STORE_CHILD_DIR") else { return };
    let mut s = EmbeddedStore::open(Path::new(&dir)).unwrap();
    let mut docs = corpus();
    let late = docs.split_off(3);
    s.put_batch(docs).unwrap();
    s.set_faults(None, true);
    s.put_batch(late).unwrap(); // in SQLite, not in the index
    println!("CHILD-READY");
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[test]
fn killed_writer_process_leaves_no_blocking_lock() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tests::child_writer_process", "--nocapture", "--test-threads=1"])
        .env("NG_STORE_CHILD_DIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.by_ref().map_while(|l| l.ok()).any(|l| l.contains("CHILD-READY"));
    assert!(ready, "child writer did not start");

    // While the other process writes: a second writer is refused, readers work.
    let err = EmbeddedStore::open(tmp.path()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Locked), "{err}");
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.count().unwrap(), 5);
    assert_eq!(ro.search(&SearchQuery::default()).unwrap().total, 3);
    drop(ro);

    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();

    let s = EmbeddedStore::open(tmp.path()).unwrap();
    assert_eq!(s.count().unwrap(), 5);
    assert_eq!(s.search(&SearchQuery::default()).unwrap().total, 5);
    assert_eq!(s.search(&SearchQuery::text("budget")).unwrap().total, 1);
}

#[test]
fn mentioned_day_ranges_table() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let cases = [
        ("2025-08-15", Some((d("2025-08-15"), d("2025-08-15")))),
        ("2025-08-08TEV", Some((d("2025-08-08"), d("2025-08-08")))),
        ("2025-09", Some((d("2025-09-01"), d("2025-09-30")))),
        ("2024-02", Some((d("2024-02-01"), d("2024-02-29")))),
        ("2025-W32", Some((d("2025-08-04"), d("2025-08-10")))),
        ("2014", Some((d("2014-01-01"), d("2014-12-31")))),
        ("PAST_REF", None),
        ("P3Y", None),
        ("XXXX-WXX-5", None),
        ("2014-SU", None),
        ("2025-13-01", None),
    ];
    for (value, want) in cases {
        assert_eq!(mentioned_days(value), want, "{value}");
    }
}

#[test]
fn search_filters_by_mentioned_dates() {
    use newsgraph_model::{Span, Timex, TimexType};
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let with_dates = |url: &str, text: &str, values: &[&str]| {
        let mut d = doc(Some(url), "Talks", text, "Wire", "en", Some("2025-08-08T23:00:00+00:00"));
        for v in values {
            d.layers.timexes.push(Timex {
                span: Span::new(0, 5),
                kind: TimexType::Date,
                value: v.to_string(),
                modifier: None,
                anchor: None,
                confidence: 1.0,
                rule: "test".into(),
            });
        }
        d
    };
    s.put_batch(vec![
        with_dates("https://w.example/a", "Leaders will meet next Friday in Anchorage.", &["2025-08-15"]),
        with_dates("https://w.example/b", "The war began more than three years ago.", &["2022", "PAST_REF"]),
        with_dates("https://w.example/c", "Talks resume next month.", &["2025-09"]),
    ])
    .unwrap();
    let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
    let ids = |from, to| -> Vec<String> {
        let r = s.search(&SearchQuery { mentioned_from: from, mentioned_to: to, ..SearchQuery::default() }).unwrap();
        let mut v: Vec<String> = r.hits.into_iter().filter_map(|h| h.url).collect();
        v.sort();
        v
    };
    assert_eq!(ids(Some(day(2025, 8, 15)), Some(day(2025, 8, 16))), ["https://w.example/a"]);
    assert_eq!(ids(Some(day(2022, 12, 31)), Some(day(2023, 1, 1))), ["https://w.example/b"], "a year's last day");
    assert_eq!(ids(Some(day(2025, 9, 1)), None), ["https://w.example/c"]);
    assert_eq!(ids(None, Some(day(2025, 1, 1))), ["https://w.example/b"]);
    assert!(ids(Some(day(1990, 1, 1)), Some(day(1991, 1, 1))).is_empty());
}

// ---- entities -------------------------------------------------------------------------

/// A mention to add by hand: its written form (found in the text after the previous one),
/// the index of its entity, and whether its link repaired a misspelling.
type M<'a> = (&'a str, u32, bool);

fn entity(id: &str, name: &str, kind: newsgraph_model::EntityType, kb: bool) -> newsgraph_model::Entity {
    newsgraph_model::Entity {
        kb_id: kb.then(|| id.to_string()),
        confidence: 0.9,
        ..newsgraph_model::Entity::new(id, name, kind)
    }
}

fn with_entities(mut d: Document, entities: Vec<newsgraph_model::Entity>, mentions: &[M]) -> Document {
    use newsgraph_model::{Link, Mention, Span};
    let mut at = 0;
    for &(form, e, repaired) in mentions {
        let start = at + d.text()[at..].find(form).unwrap_or_else(|| panic!("{form:?} not in the text after {at}"));
        at = start + form.len();
        let mut m = Mention::new(Span::new(start, at), entities[e as usize].kind, 0.9, "test");
        m.entity = Some(e);
        m.link = Some(Link {
            confidence: 0.9,
            method: if repaired { "fuzzy" } else { "exact" }.into(),
            repaired: repaired.then(|| entities[e as usize].name.clone()),
            evidence: Vec::new(),
        });
        d.layers.mentions.push(m);
    }
    d.layers.entities = entities;
    d
}

/// Three articles: Putin in all, Witkoff (once misspelled "Vikof") in two, a local analyst in one.
fn entity_corpus() -> Vec<Document> {
    use newsgraph_model::EntityType::*;
    let putin = || {
        let mut e = entity("per:vladimir-putin", "Vladimir Putin", Person, true);
        e.country = Some("RU".into());
        e.qid = Some("Q7747".into());
        e.subtype = Some("head_of_state".into());
        e.roles = vec!["President (RU)".into()];
        e
    };
    let witkoff = || entity("per:steve-witkoff", "Steve Witkoff", Person, true);
    let mut moscow = entity("loc:moscow", "Moscow", Place, true);
    moscow.geo = Some(newsgraph_model::Geo {
        lat: 55.75,
        lon: 37.62,
        country: "RU".into(),
        admin1: None,
        geonameid: Some(524901),
        feature: "city".into(),
    });
    let a = with_entities(
        doc(
            Some("https://w.example/a"),
            "Envoy in Moscow",
            "Vladimir Putin met Steve Vikof in Moscow. Putin said the talks were useful.",
            "Wire",
            "en",
            Some("2025-08-06T10:00:00+00:00"),
        ),
        vec![putin(), witkoff(), moscow],
        &[("Vladimir Putin", 0, false), ("Steve Vikof", 1, true), ("Moscow", 2, false), ("Putin", 0, false)],
    );
    let b = with_entities(
        doc(
            Some("https://w.example/b"),
            "Summit planned",
            "Steve Witkoff said a summit with Putin is planned. Sergei Markov doubted it.",
            "Wire",
            "en",
            Some("2025-08-08T10:00:00+00:00"),
        ),
        vec![witkoff(), putin(), entity("local:person:sergei-markov", "Sergei Markov", Person, false)],
        &[("Steve Witkoff", 0, false), ("Putin", 1, false), ("Sergei Markov", 2, false)],
    );
    let c = with_entities(
        doc(
            Some("https://w.example/c"),
            "Kremlin statement",
            "The Kremlin said President Putin would not travel.",
            "Other",
            "en",
            Some("2025-08-01T10:00:00+00:00"),
        ),
        vec![entity("org:kremlin", "Kremlin", Organization, true), putin()],
        &[("Kremlin", 0, false), ("Putin", 1, false)],
    );
    vec![a, b, c]
}

#[test]
fn an_entitys_latest_article_and_pages_of_articles_are_the_same_found_by_walking_the_articles_or_by_sorting_its_own() {
    use newsgraph_model::EntityType::Person;
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    // (published, the name this article gives per:ann-lee, whether it also has per:only-undated):
    // per:ann-lee's latest article is the newest, "Article 1"; per:only-undated is only in the
    // undated "Article 2".
    let articles = [
        (Some("2025-08-01T10:00:00+00:00"), "Ann Lee", false),
        (Some("2025-08-09T10:00:00+00:00"), "Anne Lee", false),
        (None, "A. Lee", true),
        (Some("2025-08-05T10:00:00+00:00"), "Ann Li", false),
        (Some("2025-08-01T10:00:00+00:00"), "Ann Lee", false),
        (None, "Ann", false),
    ];
    let docs: Vec<Document> = articles
        .iter()
        .enumerate()
        .map(|(i, &(published, name, undated))| {
            let url = format!("https://w.example/{i}");
            let text = format!("{name} spoke in article {i}. Bo Dee listened.");
            let mut entities = vec![entity("per:ann-lee", name, Person, false)];
            let mut mentions = vec![(name, 0, false)];
            if undated {
                entities.push(entity("per:only-undated", "Bo Dee", Person, false));
                mentions.push(("Bo Dee", 1, false));
            }
            with_entities(doc(Some(&url), &format!("Article {i}"), &text, "Wire", "en", published), entities, &mentions)
        })
        .collect();
    s.put_batch(docs).unwrap();
    let stored = s.list(&ListQuery { limit: 10, ..ListQuery::default() }).unwrap();
    let conn = s.conn();
    let ctx = crate::error::Ctx { path: tmp.path(), op: "test" };
    let id_of = |title: &str| stored.items.iter().find(|d| d.title.as_deref() == Some(title)).map(|d| d.id.clone());
    for (id, want) in
        [("per:ann-lee", id_of("Article 1")), ("per:only-undated", id_of("Article 2")), ("per:nobody", None)]
    {
        for kept in [crate::db::Kept::of(crate::db::FORMAT_VERSION), crate::db::Kept::of(7)] {
            let walked = entities::latest_doc(&conn, id, entities::Walk::Always, kept, ctx).unwrap();
            let sorted = entities::latest_doc(&conn, id, entities::Walk::Never, kept, ctx).unwrap();
            assert_eq!(walked, sorted, "{id}");
            assert_eq!(walked, want, "{id}");
        }
    }
    // Pages of an entity's articles (newest first, ties by id, undated last), and of two ids as one.
    let titles = |ids: &[&str], offset: u64, limit: u64, walk: entities::Walk| {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let page = entities::articles_of(&conn, &ids, 6, offset, limit, walk, ctx).unwrap();
        page.into_iter().map(|a| (a.title.unwrap(), a.mentions)).collect::<Vec<_>>()
    };
    let all = titles(&["per:ann-lee"], 0, 10, entities::Walk::Never);
    let order: Vec<&str> = all.iter().map(|(t, _)| t.as_str()).collect();
    let (first, second) =
        if id_of("Article 0") < id_of("Article 4") { ("Article 0", "Article 4") } else { ("Article 4", "Article 0") };
    assert_eq!(order[..4], ["Article 1", "Article 3", first, second]);
    assert_eq!(order[4..].len(), 2, "the two undated last: {order:?}");
    for ids in [&["per:ann-lee"][..], &["per:ann-lee", "per:only-undated"], &["per:only-undated"], &["per:nobody"]] {
        for (offset, limit) in [(0, 10), (0, 2), (1, 3), (4, 2), (5, 5), (9, 1)] {
            assert_eq!(
                titles(ids, offset, limit, entities::Walk::Always),
                titles(ids, offset, limit, entities::Walk::Never),
                "{ids:?} {offset} {limit}"
            );
        }
    }
    let both = titles(&["per:ann-lee", "per:only-undated"], 0, 10, entities::Walk::Always);
    let mentions: Vec<(&str, u64)> = both.iter().map(|(t, m)| (t.as_str(), *m)).filter(|(_, m)| *m > 1).collect();
    assert_eq!(mentions, [("Article 2", 2)], "mentions of both ids summed per article: {both:?}");
}

fn ids_of(page: &Page<EntitySummary>) -> Vec<&str> {
    page.items.iter().map(|e| e.id.as_str()).collect()
}

#[test]
fn entities_are_listed_filtered_and_paged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    let q = |q: Option<&str>, kind: Option<&str>, limit: u64, offset: u64| EntityQuery {
        q: q.map(str::to_string),
        kind: kind.map(str::to_string),
        limit,
        offset,
    };
    let all = ["per:vladimir-putin", "per:steve-witkoff", "loc:moscow", "local:person:sergei-markov", "org:kremlin"];
    let cases: Vec<(&str, EntityQuery, u64, Vec<&str>)> = vec![
        // name, query, total, ids in order (articles desc, mentions desc, id)
        ("everything", q(None, None, 50, 0), 5, all.to_vec()),
        ("first page", q(None, None, 2, 0), 5, all[..2].to_vec()),
        ("second page", q(None, None, 2, 2), 5, all[2..4].to_vec()),
        ("past the end", q(None, None, 2, 99), 5, vec![]),
        ("limit 0", q(None, None, 0, 0), 5, vec![]),
        ("persons", q(None, Some("person"), 50, 0), 3, vec![all[0], all[1], all[3]]),
        ("places, upper case", q(None, Some("PLACE"), 50, 0), 1, vec!["loc:moscow"]),
        ("unknown kind", q(None, Some("planet"), 50, 0), 0, vec![]),
        ("name substring, any case", q(Some("PUT"), None, 50, 0), 1, vec!["per:vladimir-putin"]),
        ("a misspelled form seen", q(Some("vikof"), None, 50, 0), 1, vec!["per:steve-witkoff"]),
        ("id", q(Some("org:"), None, 50, 0), 1, vec!["org:kremlin"]),
        ("LIKE wildcards are literal", q(Some("%"), None, 50, 0), 0, vec![]),
        ("underscore literal", q(Some("_"), None, 50, 0), 0, vec![]),
        ("blank q = everything", q(Some("  "), None, 50, 0), 5, all.to_vec()),
        ("q and kind", q(Some("s"), Some("organization"), 50, 0), 0, vec![]),
    ];
    for (name, query, total, want) in cases {
        let page = s.entities(&query).unwrap();
        assert_eq!(page.total, total, "{name}");
        assert_eq!(ids_of(&page), want, "{name}");
    }
    // Counts and forms.
    let page = s.entities(&EntityQuery::default()).unwrap();
    let putin = &page.items[0];
    assert_eq!((putin.articles, putin.mentions), (3, 4));
    assert_eq!((putin.name.as_str(), putin.kind.as_str()), ("Vladimir Putin", "person"));
    assert_eq!((putin.kb_id.as_deref(), putin.country.as_deref()), (Some("per:vladimir-putin"), Some("RU")));
    assert_eq!(
        putin.aliases,
        [
            FormCount { form: "Putin".into(), count: 3, repaired: false },
            FormCount { form: "Vladimir Putin".into(), count: 1, repaired: false }
        ]
    );
    assert!(putin.repaired.is_empty());
    let witkoff = &page.items[1];
    assert_eq!((witkoff.articles, witkoff.mentions), (2, 2));
    assert_eq!(witkoff.repaired, [FormCount { form: "Steve Vikof".into(), count: 1, repaired: true }]);
    assert!(witkoff.aliases.iter().any(|f| f.form == "Steve Vikof" && f.repaired), "{:?}", witkoff.aliases);
    assert!(witkoff.aliases.iter().any(|f| f.form != "Steve Vikof" && !f.repaired), "{:?}", witkoff.aliases);
    assert_eq!(witkoff.aliases.len(), 2);
    let markov = &page.items[3];
    assert_eq!((markov.kb_id.as_deref(), markov.articles), (None, 1));
}

#[test]
fn entity_detail_pages_articles_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    let d = s.entity("per:vladimir-putin", 0, 50).unwrap().unwrap();
    assert_eq!(d.summary.articles, 3);
    assert_eq!((d.subtype.as_deref(), d.qid.as_deref()), (Some("head_of_state"), Some("Q7747")));
    assert_eq!(d.roles, ["President (RU)"]);
    let titles: Vec<_> = d.appears_in.items.iter().map(|a| a.title.clone().unwrap()).collect();
    assert_eq!(titles, ["Summit planned", "Envoy in Moscow", "Kremlin statement"]);
    assert_eq!(d.appears_in.items[1].mentions, 2);
    assert_eq!(d.appears_in.total, 3);
    let p2 = s.entity("per:vladimir-putin", 1, 1).unwrap().unwrap();
    assert_eq!(p2.appears_in.items.len(), 1);
    assert_eq!(p2.appears_in.items[0].title.as_deref(), Some("Envoy in Moscow"));
    let moscow = s.entity("loc:moscow", 0, 10).unwrap().unwrap();
    assert_eq!(moscow.geo.as_ref().map(|g| g.geonameid), Some(Some(524901)));
    // The JSON keeps the summary's fields at the top level.
    let json = serde_json::to_value(&moscow).unwrap();
    assert_eq!(json["id"], "loc:moscow");
    assert_eq!(json["articles"], 1);
    assert_eq!(json["appears_in"]["items"][0]["title"], "Envoy in Moscow");
    for unknown in ["per:nobody", "", "local:person:", "'; DROP TABLE documents; --"] {
        assert!(s.entity(unknown, 0, 10).unwrap().is_none(), "{unknown:?}");
    }
    assert!(s.entity("per:vladimir-putin", u64::MAX, u64::MAX).unwrap().unwrap().appears_in.items.is_empty());
}

#[test]
fn entity_rows_follow_reingest_and_updates() {
    use newsgraph_model::EntityType::*;
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    // Re-ingest: unchanged, same counts.
    assert_eq!(s.put_batch(entity_corpus()).unwrap().unchanged, 3);
    let putin = |s: &EmbeddedStore| {
        s.entity("per:vladimir-putin", 0, 10).unwrap().map(|d| (d.summary.articles, d.summary.mentions))
    };
    assert_eq!(putin(&s), Some((3, 4)));
    // An updated article (same URL, new text) replaces its rows.
    let c2 = with_entities(
        doc(
            Some("https://w.example/c"),
            "Kremlin statement",
            "The Kremlin declined to comment.",
            "Other",
            "en",
            Some("2025-08-01T10:00:00+00:00"),
        ),
        vec![entity("org:kremlin", "Kremlin", Organization, true)],
        &[("Kremlin", 0, false)],
    );
    assert_eq!(s.put_batch(vec![c2]).unwrap().updated, 1);
    assert_eq!(putin(&s), Some((2, 3)));
    let hits =
        s.search(&SearchQuery { entities: vec!["per:vladimir-putin".into()], ..SearchQuery::default() }).unwrap();
    assert_eq!(hits.total, 2, "the index follows the update");
    // A duplicate under another URL adds nothing.
    let mut dup = entity_corpus().remove(0);
    dup.meta.url = Some("https://mirror.example/a".into());
    dup.id = "mirror".into();
    assert_eq!(s.put_batch(vec![dup]).unwrap().duplicates.len(), 1);
    assert_eq!(putin(&s), Some((2, 3)));
    // A reopened store sees the same.
    drop(s);
    let s = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(putin(&s), Some((2, 3)));
}

#[test]
fn search_filters_by_entities_and_counts_entity_facets() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    s.put_batch(corpus()).unwrap(); // articles without entities
    let search = |text: &str, entities: &[&str]| {
        s.search(&SearchQuery { entities: entities.iter().map(|e| e.to_string()).collect(), ..SearchQuery::text(text) })
            .unwrap()
    };
    let titles = |r: &SearchResults| {
        let mut v: Vec<String> = r.hits.iter().filter_map(|h| h.title.clone()).collect();
        v.sort();
        v
    };
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("", vec!["per:vladimir-putin"], vec!["Envoy in Moscow", "Kremlin statement", "Summit planned"]),
        ("", vec!["per:vladimir-putin", "per:steve-witkoff"], vec!["Envoy in Moscow", "Summit planned"]),
        ("", vec!["per:steve-witkoff", "org:kremlin"], vec![]),
        ("summit", vec!["per:vladimir-putin"], vec!["Summit planned"]),
        ("", vec!["local:person:sergei-markov"], vec!["Summit planned"]),
        ("", vec!["per:nobody"], vec![]),
        ("", vec![" per:vladimir-putin "], vec!["Envoy in Moscow", "Kremlin statement", "Summit planned"]),
    ];
    for (text, entities, want) in cases {
        assert_eq!(titles(&search(text, &entities)), want, "{text:?} {entities:?}");
    }
    // Facets: over the whole matched set, most articles first, with names and kinds.
    let r = search("", &[]);
    let f: Vec<(&str, &str, &str, u64)> =
        r.facets.entities.iter().map(|f| (f.id.as_str(), f.name.as_str(), f.kind.as_str(), f.count)).collect();
    assert_eq!(f[0], ("per:vladimir-putin", "Vladimir Putin", "person", 3));
    assert_eq!(f[1], ("per:steve-witkoff", "Steve Witkoff", "person", 2));
    assert_eq!(f.len(), 5);
    let r = search("kremlin", &[]);
    let f: Vec<(&str, u64)> = r.facets.entities.iter().map(|f| (f.id.as_str(), f.count)).collect();
    assert_eq!(f, [("org:kremlin", 1), ("per:vladimir-putin", 1)]);
    assert!(search("rain", &[]).facets.entities.is_empty());
    assert_eq!(search("", &[" ", ""]).total, search("", &[]).total, "blank ids are no filter");
}

#[test]
fn format_1_store_is_migrated_by_a_writable_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    drop(s);
    // Turn it into a version-1 store: no entity table, old index schema.
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!(
        "DROP TABLE entity_occurrences; {DROP_QUOTES} UPDATE meta SET value = '1' WHERE key = 'format_version';"
    ))
    .unwrap();
    drop(conn);
    // Read-only: documents readable, entities refused with a clear error.
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.count().unwrap(), 3);
    assert_eq!(ro.status().unwrap().format_version, 1);
    let err = ro.entities(&EntityQuery::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NeedsUpgrade { found: 1, needed: 2 }), "{err}");
    assert!(err.to_string().contains("open it writable once"), "{err}");
    assert!(ro.entity("per:vladimir-putin", 0, 10).is_err());
    drop(ro);
    // A writable open migrates (the read-only handle above is gone; one could stay open).
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    let page = s.entities(&EntityQuery::default()).unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(page.items[0].mentions, 4);
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |r| r.get(0)).unwrap();
    assert_eq!(v, FORMAT_VERSION.to_string());
}

#[test]
fn occurrences_tolerate_odd_layers() {
    use newsgraph_model::{EntityType::*, Mention, Span};
    let mut d = doc(Some("https://w.example/odd"), "Odd", "Putin and Putin.", "Wire", "en", None);
    let mut e0 = entity("per:vladimir-putin", "Vladimir Putin", Person, true);
    e0.aliases = vec!["Putin".into(), "V. Putin".into(), " ".into()];
    e0.repaired = vec!["Poutine".into()];
    let e1 = entity("per:vladimir-putin", "Vladimir Putin", Person, true); // same id twice
    let blank = entity("  ", "Nobody", Misc, false);
    d.layers.entities = vec![e0, e1, blank];
    for (start, ent) in [(0, Some(0)), (10, Some(1)), (0, Some(7)), (0, None), (0, Some(2))] {
        let mut m = Mention::new(Span::new(start, start + 5), Person, 0.5, "t");
        m.entity = ent;
        d.layers.mentions.push(m);
    }
    let mut m = Mention::new(Span::new(200, 205), Person, 0.5, "t"); // out of range: ignored form
    m.entity = Some(0);
    d.layers.mentions.push(m);
    let mut m = Mention::new(Span::new(6, 9), Person, 0.5, "t"); // a pronoun link: a mention, not a form
    m.entity = Some(0);
    m.link =
        Some(newsgraph_model::Link { confidence: 0.5, method: "pronoun".into(), repaired: None, evidence: vec![] });
    d.layers.mentions.push(m);
    let occ = crate::rows::occurrences(&d);
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].mentions, 4);
    let forms: Vec<(&str, u64)> = occ[0].aliases.iter().map(|(f, c)| (f.as_str(), *c)).collect();
    assert_eq!(forms, [("Putin", 2), ("V. Putin", 1)]);
    assert_eq!(occ[0].repaired.get("Poutine"), Some(&1));
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(vec![d]).unwrap();
    assert_eq!(s.entities(&EntityQuery::default()).unwrap().total, 1);
}

/// Turns a store into a version-2 one (what formats 3 and 4 added removed).
const DROP_QUOTES: &str = "DROP TRIGGER quotes_fts_insert; DROP TRIGGER quotes_fts_delete; \
    DROP TRIGGER quotes_fts_update; DROP TABLE quotes_fts; DROP TABLE quotes; DROP TABLE events; DROP TABLE duplicates; \
    DROP TABLE stories; DROP TABLE story_articles; DROP TABLE entity_merges; DROP TABLE corpus_snapshot;";

/// Turns a version-5 store into a version-4 one.
const DROP_STORIES: &str = "DROP TABLE duplicates; DROP TABLE stories; DROP TABLE story_articles; \
    DROP TABLE entity_merges; DROP TABLE corpus_snapshot;";

/// A quote to add by hand: content, source and cue (each found in the text after the previous
/// one; "" for none), speaker entity index, kind.
type Q<'a> = (&'a str, &'a str, &'a str, Option<u32>, newsgraph_model::QuoteKind);

fn with_quotes(mut d: Document, quotes: &[Q]) -> Document {
    use newsgraph_model::{Quote, Span};
    let text = d.text().to_string();
    let find = |form: &str, from: usize| -> Option<Span> {
        if form.is_empty() {
            return None;
        }
        let start = from + text[from..].find(form).unwrap_or_else(|| panic!("{form:?} not in the text after {from}"));
        Some(Span::new(start, start + form.len()))
    };
    let mut at = 0;
    for &(content, source, cue, speaker, kind) in quotes {
        // Source and cue are looked for from the end of the previous quote (they may come first).
        let (source, cue) = (find(source, at), find(cue, at));
        let content = find(content, at).unwrap();
        at = content.end as usize;
        d.layers.quotes.push(Quote {
            content,
            parts: Vec::new(),
            cue,
            source,
            speaker,
            reported_by: None,
            kind,
            confidence: 0.8,
            evidence: vec!["test".into()],
        });
    }
    d
}

/// The entity corpus with quotes: Putin (a), Witkoff (b), the Kremlin (c), plus an undated
/// article of direct quotes by Trump (one interrupted) and an unresolved speaker.
fn quote_corpus() -> Vec<Document> {
    use newsgraph_model::{EntityType::*, QuoteKind::*, Span};
    let mut docs = entity_corpus();
    let q = |d: Document, quotes: &[Q]| with_quotes(d, quotes);
    let c = docs.pop().unwrap();
    let b = docs.pop().unwrap();
    let a = docs.pop().unwrap();
    let a = q(a, &[("the talks were useful", "Putin", "said", Some(0), Indirect)]);
    let b = q(b, &[("a summit with Putin is planned", "Steve Witkoff", "said", Some(0), Indirect)]);
    let c = q(c, &[("President Putin would not travel", "The Kremlin", "said", Some(0), Indirect)]);
    let text = "\u{201c}There will be some exchanging of territories,\u{201d} Donald Trump said, \u{201c}but it is complicated.\u{201d} \
                Officials said they were travelling. Trump told reporters he wanted \u{201c}a deal\u{201d}.";
    let d = with_entities(
        doc(Some("https://w.example/d"), "Trump on territories", text, "Wire", "en", None),
        vec![entity("per:donald-trump", "Donald Trump", Person, true), entity(" ", "Officials", Group, false)],
        &[("Donald Trump", 0, false), ("Officials", 1, false), ("Trump", 0, false)],
    );
    let mut d = q(
        d,
        &[
            (
                "There will be some exchanging of territories,\u{201d} Donald Trump said, \u{201c}but it is complicated.",
                "Donald Trump",
                "said",
                Some(0),
                Direct,
            ),
            ("they were travelling", "Officials", "said", Some(1), Indirect),
            ("he wanted \u{201c}a deal\u{201d}", "Trump", "told", Some(0), Partial),
        ],
    );
    // The first quote is interrupted by its cue: two pieces.
    let t = d.text().to_string();
    let p1 = t.find("There").unwrap();
    let p1e = t.find("territories,").unwrap() + "territories,".len();
    let p2 = t.find("but it").unwrap();
    let p2e = t.find("complicated.").unwrap() + "complicated.".len();
    d.layers.quotes[0].parts = vec![Span::new(p1, p1e), Span::new(p2, p2e)];
    // The partial quote's part is its quoted words: the stored text stays the whole clause.
    let deal = t.find("a deal").unwrap();
    d.layers.quotes[2].parts = vec![Span::new(deal, deal + "a deal".len())];
    vec![a, b, c, d]
}

fn quote_texts(page: &Page<QuoteHit>) -> Vec<&str> {
    page.items.iter().map(|h| h.quote.text.as_str()).collect()
}

fn qq(speaker: Option<&str>, q: Option<&str>, kind: Option<&str>, limit: u64, offset: u64) -> QuoteQuery {
    QuoteQuery {
        speaker: speaker.map(str::to_string),
        about: None,
        q: q.map(str::to_string),
        kind: kind.map(str::to_string),
        limit,
        offset,
    }
}

const TRUMP_1: &str = "There will be some exchanging of territories, … but it is complicated.";
const TRUMP_2: &str = "he wanted \u{201c}a deal\u{201d}";
const OFFICIALS: &str = "they were travelling";
const WITKOFF: &str = "a summit with Putin is planned";
const PUTIN: &str = "the talks were useful";
const KREMLIN: &str = "President Putin would not travel";

#[test]
fn quotes_are_stored_listed_and_filtered() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    let all = [WITKOFF, PUTIN, KREMLIN, TRUMP_1, OFFICIALS, TRUMP_2];
    let cases: Vec<(&str, QuoteQuery, u64, Vec<&str>)> = vec![
        // Newest article first (b 08-08, a 08-06, c 08-01, then the undated d), text order within.
        ("everything", qq(None, None, None, 50, 0), 6, all.to_vec()),
        ("page 2", qq(None, None, None, 2, 2), 6, all[2..4].to_vec()),
        ("past the end", qq(None, None, None, 2, 60), 6, vec![]),
        ("limit 0", qq(None, None, None, 0, 0), 6, vec![]),
        ("speaker", qq(Some("per:donald-trump"), None, None, 50, 0), 2, vec![TRUMP_1, TRUMP_2]),
        ("speaker, padded", qq(Some(" per:vladimir-putin "), None, None, 50, 0), 1, vec![PUTIN]),
        ("speaker unknown", qq(Some("per:nobody"), None, None, 50, 0), 0, vec![]),
        ("kind", qq(None, None, Some("direct"), 50, 0), 1, vec![TRUMP_1]),
        ("kind, upper case", qq(None, None, Some("PARTIAL"), 50, 0), 1, vec![TRUMP_2]),
        ("kind unknown", qq(None, None, Some("sung"), 50, 0), 0, vec![]),
        ("word", qq(None, Some("territories"), None, 50, 0), 1, vec![TRUMP_1]),
        ("stemmed, any case", qq(None, Some("TERRITORY"), None, 50, 0), 1, vec![TRUMP_1]),
        ("stemming both ways", qq(None, Some("travel"), None, 50, 0), 2, vec![KREMLIN, OFFICIALS]),
        ("second piece of an interrupted quote", qq(None, Some("complicated"), None, 50, 0), 1, vec![TRUMP_1]),
        ("all words", qq(None, Some("Putin summit"), None, 50, 0), 1, vec![WITKOFF]),
        ("OR", qq(None, Some("summit OR talks"), None, 50, 0), 2, vec![WITKOFF, PUTIN]),
        ("phrase", qq(None, Some("\"not travel\""), None, 50, 0), 1, vec![KREMLIN]),
        ("phrase not found", qq(None, Some("\"travel not\""), None, 50, 0), 0, vec![]),
        ("prefix", qq(None, Some("summ*"), None, 50, 0), 1, vec![WITKOFF]),
        ("not", qq(None, Some("putin -summit"), None, 50, 0), 1, vec![KREMLIN]),
        ("only not", qq(None, Some("-putin"), None, 50, 0), 4, vec![PUTIN, TRUMP_1, OFFICIALS, TRUMP_2]),
        ("diacritics folded", qq(None, Some("térritories"), None, 50, 0), 1, vec![TRUMP_1]),
        ("words of the cue are not content", qq(None, Some("said"), None, 50, 0), 0, vec![]),
        ("speaker and words", qq(Some("per:donald-trump"), Some("deal"), None, 50, 0), 1, vec![TRUMP_2]),
        ("speaker and kind", qq(Some("per:donald-trump"), None, Some("indirect"), 50, 0), 0, vec![]),
        ("blank filters = everything", qq(Some(" "), Some("  "), Some(""), 50, 0), 6, all.to_vec()),
    ];
    for (name, query, total, want) in cases {
        let page = s.quotes(&query).unwrap();
        assert_eq!(page.total, total, "{name}");
        assert_eq!(quote_texts(&page), want, "{name}");
    }
    // The fields of one quote.
    let page = s.quotes(&qq(Some("per:donald-trump"), None, None, 1, 0)).unwrap();
    let h = &page.items[0];
    assert_eq!((h.quote.ordinal, h.quote.kind.as_str()), (0, "direct"));
    assert_eq!((h.quote.source.as_deref(), h.quote.cue.as_deref()), (Some("Donald Trump"), Some("said")));
    let sp = h.quote.speaker.as_ref().unwrap();
    assert_eq!(
        (sp.id.as_deref(), sp.name.as_str(), sp.kind.as_str()),
        (Some("per:donald-trump"), "Donald Trump", "person")
    );
    assert!(h.quote.reported_by.is_none());
    assert!((h.quote.confidence - 0.8).abs() < 1e-6);
    assert_eq!(
        (h.article.title.as_deref(), h.article.url.as_deref()),
        (Some("Trump on territories"), Some("https://w.example/d"))
    );
    assert!(h.article.published.is_none());
    let doc = s.get(&h.article.id).unwrap().unwrap();
    assert!(doc.text()[h.quote.span.0..h.quote.span.1].starts_with("There will be"));
    // A speaker entity without an id keeps its name.
    let officials = &s.quotes(&qq(None, Some("travelling"), Some("indirect"), 5, 0)).unwrap().items;
    let officials = officials.iter().find(|h| h.quote.text == OFFICIALS).unwrap();
    let sp = officials.quote.speaker.as_ref().unwrap();
    assert_eq!((sp.id.as_deref(), sp.name.as_str(), sp.kind.as_str()), (None, "Officials", "group"));
    let putin = &s.quotes(&qq(Some("per:vladimir-putin"), None, None, 5, 0)).unwrap().items[0];
    assert_eq!(putin.article.published.map(|p| p.to_rfc3339()).as_deref(), Some("2025-08-06T10:00:00+00:00"));
    // JSON: the quote's fields at the top level, the article nested.
    let json = serde_json::to_value(putin).unwrap();
    assert_eq!(json["text"], PUTIN);
    assert_eq!(json["speaker"]["id"], "per:vladimir-putin");
    assert_eq!(json["article"]["title"], "Envoy in Moscow");
}

#[test]
fn entity_detail_and_search_hits_carry_quotes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    let d = s.entity("per:donald-trump", 0, 10).unwrap().unwrap();
    let said = d.quotes.as_ref().unwrap();
    assert_eq!(said.total, 2);
    assert_eq!(quote_texts(said), [TRUMP_1, TRUMP_2]);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["quotes"]["total"], 2);
    assert_eq!(json["quotes"]["items"][1]["kind"], "partial");
    // Someone who said nothing: an empty page, not an absent one.
    let m = s.entity("loc:moscow", 0, 10).unwrap().unwrap();
    assert_eq!(m.quotes.as_ref().map(|p| p.total), Some(0));

    let hit = |s: &EmbeddedStore, text: &str, id_url: &str| {
        let r = s.search(&SearchQuery::text(text)).unwrap();
        let want = s.resolve_url(id_url).unwrap().unwrap();
        r.hits.into_iter().find(|h| h.id == want).unwrap_or_else(|| panic!("{text:?}: no hit {id_url}"))
    };
    // The quotes containing a word of the query (stemmed), in text order, with the total.
    let h = hit(&s, "territory deal", "https://w.example/d");
    assert!(h.quotes_match);
    assert_eq!(h.quotes_total, 3);
    assert_eq!(h.quotes.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(), [TRUMP_1, TRUMP_2]);
    // None matches: the first quotes.
    let h = hit(&s, "Moscow", "https://w.example/a");
    assert!(!h.quotes_match);
    assert_eq!(h.quotes.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(), [PUTIN]);
    // Field names, operators and excluded words are not looked for.
    let h = hit(&s, "title:territories AND -budget OR nothing", "https://w.example/d");
    assert!(h.quotes_match);
    assert_eq!(h.quotes.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(), [TRUMP_1]);
    // At most HIT_QUOTES per hit; articles without quotes carry none (and no JSON field).
    let mut many =
        doc(Some("https://w.example/many"), "Many", "x said a. y said b. z said c. w said d.", "Wire", "en", None);
    many = with_quotes(
        many,
        &[
            ("a", "x", "said", None, newsgraph_model::QuoteKind::Indirect),
            ("b", "y", "said", None, newsgraph_model::QuoteKind::Indirect),
            ("c", "z", "said", None, newsgraph_model::QuoteKind::Indirect),
            ("d", "w", "said", None, newsgraph_model::QuoteKind::Indirect),
        ],
    );
    s.put_batch(vec![many]).unwrap();
    s.put_batch(corpus()).unwrap();
    let h = hit(&s, "said", "https://w.example/many");
    assert_eq!((h.quotes.len(), h.quotes_total, h.quotes_match), (HIT_QUOTES, 4, false));
    let r = s.search(&SearchQuery::text("rain")).unwrap();
    assert!(r.total > 0 && r.hits.iter().all(|h| h.quotes.is_empty() && h.quotes_total == 0));
    let json = serde_json::to_value(&r.hits[0]).unwrap();
    assert!(json.get("quotes").is_none() && json.get("quotes_total").is_none(), "{json}");
    // Hostile search text still finds quotes safely.
    for text in ["\"unbalanced", "*", "title:(((", "NOT", "\u{0}\u{1}", "quotes_fts MATCH 'x'", "\"\"\"\""] {
        s.search(&SearchQuery::text(text)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn quote_rows_follow_reingest_and_updates() {
    use newsgraph_model::{EntityType::*, QuoteKind::*};
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    let count = |s: &EmbeddedStore, q: Option<&str>| s.quotes(&qq(None, q, None, 0, 0)).unwrap().total;
    assert_eq!(count(&s, None), 6);
    // Re-ingest: unchanged, no duplicates.
    assert_eq!(s.put_batch(quote_corpus()).unwrap().unchanged, 4);
    assert_eq!(count(&s, None), 6);
    assert_eq!(count(&s, Some("travel")), 2);
    // An updated article (same URL, new text) replaces its quotes, in the index too.
    let c2 = with_quotes(
        with_entities(
            doc(
                Some("https://w.example/c"),
                "Kremlin statement",
                "The Kremlin said the visit was postponed.",
                "Other",
                "en",
                Some("2025-08-01T10:00:00+00:00"),
            ),
            vec![entity("org:kremlin", "Kremlin", Organization, true)],
            &[("Kremlin", 0, false)],
        ),
        &[("the visit was postponed", "The Kremlin", "said", Some(0), Indirect)],
    );
    assert_eq!(s.put_batch(vec![c2]).unwrap().updated, 1);
    assert_eq!(count(&s, None), 6);
    assert_eq!(count(&s, Some("travel")), 1, "the old quote left the full-text index");
    assert_eq!(count(&s, Some("postponed")), 1);
    assert_eq!(
        quote_texts(&s.quotes(&qq(Some("org:kremlin"), None, None, 5, 0)).unwrap()),
        ["the visit was postponed"]
    );
    // Updated again without quotes: its rows go.
    let c3 = doc(Some("https://w.example/c"), "Kremlin statement", "No comment.", "Other", "en", None);
    assert_eq!(s.put_batch(vec![c3]).unwrap().updated, 1);
    assert_eq!(count(&s, None), 5);
    assert_eq!(count(&s, Some("postponed")), 0);
    // A duplicate under another URL adds nothing.
    let mut dup = quote_corpus().remove(0);
    dup.meta.url = Some("https://mirror.example/a".into());
    dup.id = "mirror".into();
    assert_eq!(s.put_batch(vec![dup]).unwrap().duplicates.len(), 1);
    assert_eq!(count(&s, None), 5);
    // A failed batch leaves no quote rows behind.
    s.set_faults(Some(1), false);
    let mut fresh = quote_corpus().remove(3);
    fresh.meta.url = Some("https://w.example/e".into());
    fresh.id = "e".into();
    fresh.meta.content_hash.clear();
    let fresh = DocumentBuilder::new(&format!("{} Again.", fresh.text())).meta(fresh.meta.clone()).build();
    assert!(s.put_batch(vec![fresh.clone(), fresh]).is_err());
    s.set_faults(None, false);
    assert_eq!(count(&s, None), 5);
    // The full-text index is consistent with its table.
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute("INSERT INTO quotes_fts(quotes_fts, rank) VALUES ('integrity-check', 1)", []).unwrap();
    drop(conn);
    let s = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(count(&s, None), 5);
}

#[test]
fn hostile_quote_queries_never_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    let long = "territories ".repeat(500);
    let many_or = "a OR ".repeat(300);
    let hostile = [
        "\"unbalanced",
        "\"",
        "\"\"",
        "*",
        "**",
        "-",
        "--",
        "- -",
        "OR",
        "OR OR",
        "AND",
        "NOT",
        "NOT putin",
        "putin NOT",
        "putin OR",
        "OR putin",
        "putin AND OR NOT summit",
        "NEAR(putin summit, 2)",
        "content:putin",
        "{content}: putin",
        "quotes_fts:putin",
        "^putin",
        "putin^",
        "(putin",
        "putin)",
        "((((((((((((((((((((putin))))))))))))))))))))",
        "\u{0}\u{1}\u{7f}",
        "'; DROP TABLE quotes; --",
        "\" OR 1=1 --",
        "rank MATCH 'bm25'",
        "%_\\",
        "\u{0345}",
        "\u{301}\u{301}",
        "\"\u{0345}\"",
        "\u{200b}",
        "\u{ff10}\u{ff11}",
        "日本語",
        "🙂",
        "a\u{0}b",
        "territories*",
        "*territories",
        "terr*tories",
        "-\"travel\"",
        "+putin",
        &long,
        &many_or,
    ];
    for q in hostile {
        for speaker in [None, Some("per:donald-trump"), Some("'; --")] {
            let r = s.quotes(&qq(speaker, Some(q), None, 10, 0));
            let page = r.unwrap_or_else(|e| panic!("{q:?}: {e}"));
            assert!(page.items.len() as u64 <= page.total);
        }
    }
    // Those that name a word still find it.
    for (q, want) in [
        ("(putin", 2),
        ("content:territories", 1),
        ("+putin", 2),
        ("NOT putin", 2),
        ("'; DROP TABLE quotes; --", 0),
        ("\"unbalanced", 0),
        ("territories*", 1),
        ("terr*tories", 0),
        (&*long, 1),
    ] {
        assert_eq!(s.quotes(&qq(None, Some(q), None, 10, 0)).unwrap().total, want, "{q:?}");
    }
    assert_eq!(s.count().unwrap(), 4, "nothing dropped");
}

#[test]
fn quote_query_terms_are_fts_literals() {
    let cases: [(&str, Option<&str>, Option<&str>); 12] = [
        ("putin summit", Some("\"putin\" \"summit\""), None),
        ("a OR b", Some("\"a\" OR \"b\""), None),
        ("OR a OR OR b OR", Some("\"a\" OR \"b\""), None),
        ("\"not travel\" x*", Some("\"not travel\" \"x\"*"), None),
        ("-a -\"b c\" d", Some("\"d\""), Some("\"a\" OR \"b c\"")),
        ("content:x", Some("\"x\""), None),
        ("NEAR(a b)", Some("\"NEAR a\" \"b\""), None),
        ("AND NOT", None, None),
        ("\"", None, None),
        ("x\"y z\"", Some("\"x\" \"y z\""), None),
        ("*", None, None),
        ("a\u{0}b", Some("\"a b\""), None),
    ];
    for (text, pos, neg) in cases {
        let (p, n) = quotes::fts_query(text);
        assert_eq!((p.as_deref(), n.as_deref()), (pos, neg), "{text:?}");
    }
    assert_eq!(
        quotes::search_words("title:Putin AND -summit \"Talks\" OR talks").as_deref(),
        Some("\"putin\" OR \"talks\"")
    );
    assert_eq!(quotes::search_words("-x AND OR"), None);
}

#[test]
fn format_2_store_is_migrated_by_a_writable_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    drop(s);
    // Turn it into a version-2 store: no quote tables.
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("{DROP_QUOTES} UPDATE meta SET value = '2' WHERE key = 'format_version';")).unwrap();
    drop(conn);
    // Read-only: documents, entities and search work; quotes are refused with a clear error.
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.status().unwrap().format_version, 2);
    assert_eq!(ro.count().unwrap(), 4);
    let err = ro.quotes(&QuoteQuery::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NeedsUpgrade { found: 2, needed: 3 }), "{err}");
    assert!(err.to_string().contains("open it writable once"), "{err}");
    let d = ro.entity("per:donald-trump", 0, 10).unwrap().unwrap();
    assert_eq!(d.summary.articles, 1);
    assert!(d.quotes.is_none(), "no quote table yet: no quotes, no error");
    let r = ro.search(&SearchQuery::text("territories")).unwrap();
    assert_eq!(r.total, 1);
    assert!(r.hits[0].quotes.is_empty());
    // A writable open migrates, while the read-only handle stays open.
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    assert_eq!(s.quotes(&QuoteQuery::default()).unwrap().total, 6);
    assert_eq!(s.quotes(&qq(None, Some("territories"), None, 5, 0)).unwrap().total, 1);
    assert_eq!(s.entity("per:donald-trump", 0, 10).unwrap().unwrap().quotes.unwrap().total, 2);
    drop(ro);
    drop(s);
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.quotes(&qq(Some("per:donald-trump"), None, None, 5, 0)).unwrap().total, 2);
    let r = ro.search(&SearchQuery::text("territories")).unwrap();
    assert_eq!(r.hits[0].quotes.len(), 1);
    // A version-1 store goes to 3 in one step (covered with entities above; quotes too).
    drop(ro);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!(
        "DROP TABLE entity_occurrences; {DROP_QUOTES} UPDATE meta SET value = '1' WHERE key = 'format_version';"
    ))
    .unwrap();
    drop(conn);
    let s = open(tmp.path());
    assert_eq!(s.quotes(&QuoteQuery::default()).unwrap().total, 6);
    assert_eq!(s.entities(&EntityQuery::default()).unwrap().total, 6);
}

#[test]
fn failed_migration_leaves_the_store_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("{DROP_QUOTES} UPDATE meta SET value = '2' WHERE key = 'format_version';")).unwrap();
    // A corrupt document makes the migration fail half-way.
    conn.execute("UPDATE documents SET doc = '{not json' WHERE url = 'https://w.example/d'", []).unwrap();
    drop(conn);
    let err = EmbeddedStore::open(tmp.path()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CorruptDocument { .. }), "{err}");
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |r| r.get(0)).unwrap();
    assert_eq!(v, "2");
    let n: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name LIKE 'quotes%'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "all or nothing");
}

/// An event to add by hand: trigger (found in the text), source and target entity indexes,
/// code, place entity index, date value (a DATE timex added to the document).
type E<'a> = (&'a str, Option<u32>, Option<u32>, &'a str, Option<u32>, Option<&'a str>);

fn with_events(mut d: Document, events: &[E]) -> Document {
    use newsgraph_model::{Actor, Event, Modality, Span, Timex, TimexType};
    let text = d.text().to_string();
    for &(trigger, source, target, code, place, date) in events {
        let start = text.find(trigger).unwrap_or_else(|| panic!("{trigger:?} not in the text"));
        let trigger = Span::new(start, start + trigger.len());
        let actor = |e: Option<u32>| {
            e.map(|i| {
                let name = d.layers.entities[i as usize].name.clone();
                let at = text.find(name.split(' ').next_back().unwrap()).unwrap_or(0);
                let code = match d.layers.entities[i as usize].id.as_str() {
                    "per:vladimir-putin" | "org:kremlin" => Some("RUSGOV".to_string()),
                    "per:steve-witkoff" => Some("USAGOV".to_string()),
                    _ => None,
                };
                Actor { span: Span::new(at, at + 1), entity: Some(i), code }
            })
        };
        let date = date.map(|v| {
            d.layers.timexes.push(Timex {
                span: trigger,
                kind: TimexType::Date,
                value: v.to_string(),
                modifier: None,
                anchor: None,
                confidence: 0.9,
                rule: "test".into(),
            });
            (d.layers.timexes.len() - 1) as u32
        });
        let ev = Event {
            span: Span::new(0, text.len()),
            trigger,
            source: actor(source),
            target: actor(target),
            code: code.to_string(),
            root: code[..2].to_string(),
            plover: "CONSULT".into(),
            goldstein: 1.0,
            quad_class: 1,
            modality: Modality::Happened,
            place,
            date,
            confidence: 0.7,
            evidence: vec!["test".into()],
        };
        d.layers.events.push(ev);
    }
    d
}

/// The entity corpus with events: (a) Putin met Witkoff in Moscow (040, dated 2025-08-05),
/// (b) Witkoff's planned summit with Putin (036, no date: publication day 2025-08-08),
/// (c) the Kremlin rejects travel (120, undated article's day 2025-08-01), Putin without target (190).
fn event_corpus() -> Vec<Document> {
    let mut docs = entity_corpus();
    let c = docs.pop().unwrap();
    let b = docs.pop().unwrap();
    let a = docs.pop().unwrap();
    let a = with_events(a, &[("met", Some(0), Some(1), "040", Some(2), Some("2025-08-05"))]);
    let b = with_events(b, &[("summit", Some(0), Some(1), "036", None, None)]);
    let c = with_events(
        c,
        &[("said", Some(0), Some(1), "120", None, None), ("travel", Some(1), None, "190", None, Some("2015"))],
    );
    vec![a, b, c]
}

fn eq(actor: Option<&str>, role: Option<&str>, code: Option<&str>) -> EventQuery {
    EventQuery {
        actor: actor.map(str::to_string),
        role: role.map(str::to_string),
        code: code.map(str::to_string),
        ..EventQuery::default()
    }
}

fn codes(page: &Page<EventHit>) -> Vec<&str> {
    page.items.iter().map(|h| h.event.code.as_str()).collect()
}

#[test]
fn events_are_stored_listed_and_filtered() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    let all = s.events(&EventQuery::default()).unwrap();
    assert_eq!(all.total, 4);
    // Latest day first: 2025-08-08 (b), 2025-08-05 (a), then c's two on its publication day 2025-08-01.
    assert_eq!(codes(&all), ["036", "040", "120", "190"]);
    let met = &all.items[1];
    assert_eq!(met.event.day.as_deref(), Some("2025-08-05"));
    assert_eq!(met.event.date.as_deref(), Some("2025-08-05"));
    assert_eq!(met.event.trigger, "met");
    assert_eq!(met.event.source.as_ref().unwrap().id.as_deref(), Some("per:vladimir-putin"));
    assert_eq!(met.event.source.as_ref().unwrap().code.as_deref(), Some("RUSGOV"));
    assert_eq!(met.event.target.as_ref().unwrap().name, "Steve Witkoff");
    let place = met.event.place.as_ref().unwrap();
    assert_eq!((place.name.as_str(), place.lat, place.country.as_deref()), ("Moscow", Some(55.75), Some("RU")));
    assert_eq!(met.article.url.as_deref(), Some("https://w.example/a"));
    assert_eq!(
        all.items[3].event.day.as_deref(),
        Some("2025-08-01"),
        "a year-only date falls back to the article's day"
    );
    assert_eq!(all.items[3].event.date.as_deref(), Some("2015"));
    assert!(all.items[3].event.target.is_none());

    // Actor by entity id, as source or target, and by role.
    assert_eq!(s.events(&eq(Some("per:vladimir-putin"), None, None)).unwrap().total, 4);
    assert_eq!(codes(&s.events(&eq(Some("per:vladimir-putin"), Some("source"), None)).unwrap()), ["040", "190"]);
    assert_eq!(codes(&s.events(&eq(Some("per:vladimir-putin"), Some("target"), None)).unwrap()), ["036", "120"]);
    // Actor by CAMEO code or its start (any case).
    assert_eq!(s.events(&eq(Some("USAGOV"), None, None)).unwrap().total, 2);
    assert_eq!(s.events(&eq(Some("rus"), Some("source"), None)).unwrap().total, 3);
    assert_eq!(s.events(&eq(Some("per:nobody"), None, None)).unwrap().total, 0);
    // Code prefix.
    assert_eq!(codes(&s.events(&eq(None, None, Some("04"))).unwrap()), ["040"]);
    assert_eq!(codes(&s.events(&eq(None, None, Some("036"))).unwrap()), ["036"]);
    assert_eq!(s.events(&eq(None, None, Some("19"))).unwrap().total, 1);
    // Days, inclusive.
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let q = EventQuery { from: day(2025, 8, 5), to: day(2025, 8, 8), ..EventQuery::default() };
    assert_eq!(codes(&s.events(&q).unwrap()), ["036", "040"]);
    let q = EventQuery { to: day(2025, 8, 1), ..EventQuery::default() };
    assert_eq!(s.events(&q).unwrap().total, 2);
    // Near: Moscow within 50 km of the Kremlin's coordinates; not within 50 km of Kyiv.
    let near = |lat, lon, km| EventQuery { near: Some(Near { lat, lon, km }), ..EventQuery::default() };
    assert_eq!(codes(&s.events(&near(55.7520, 37.6175, 50.0)).unwrap()), ["040"]);
    assert_eq!(s.events(&near(50.45, 30.52, 50.0)).unwrap().total, 0);
    assert_eq!(s.events(&near(50.45, 30.52, 800.0)).unwrap().total, 1, "Kyiv–Moscow is about 760 km");
    assert_eq!(s.events(&near(50.45, 30.52, 700.0)).unwrap().total, 0);
    // Paging.
    let q = EventQuery { limit: 2, offset: 1, ..EventQuery::default() };
    let p = s.events(&q).unwrap();
    assert_eq!((p.total, codes(&p)), (4, vec!["040", "120"]));
    // Entity pages carry events as source and target.
    let d = s.entity("per:vladimir-putin", 0, 10).unwrap().unwrap();
    let ev = d.events.unwrap();
    assert_eq!((ev.as_source.total, ev.as_target.total), (2, 2));
    let d = s.entity("per:sergei-markov", 0, 10).unwrap();
    assert!(d.is_none() || d.unwrap().events.unwrap().as_source.total == 0);
    // Re-ingesting the same articles changes nothing; an update replaces the article's rows.
    s.put_batch(event_corpus()).unwrap();
    assert_eq!(s.events(&EventQuery::default()).unwrap().total, 4);
    let mut docs = event_corpus();
    let c = docs.pop().unwrap();
    let c2 = doc(Some("https://w.example/c"), "Kremlin statement", "The Kremlin said nothing.", "Other", "en", None);
    assert_ne!(c.meta.content_hash, c2.meta.content_hash);
    s.put_batch(vec![c2]).unwrap();
    assert_eq!(codes(&s.events(&EventQuery::default()).unwrap()), ["036", "040"]);
    // Read-only handles see the same.
    drop(s);
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.events(&eq(Some("USAGOV"), None, None)).unwrap().total, 2);
}

#[test]
fn event_queries_are_checked_and_hostile_values_never_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    let bad = |q: EventQuery| q.check().unwrap_err().0;
    assert_eq!(bad(eq(Some(" "), None, None)), "actor");
    assert_eq!(bad(eq(Some(&"x".repeat(300)), None, None)), "actor");
    assert_eq!(bad(eq(Some("a\u{0}b"), None, None)), "actor");
    assert_eq!(bad(eq(Some("RUS"), Some("victim"), None)), "role");
    assert_eq!(bad(eq(None, Some("source"), None)), "role");
    for c in ["1", "12345", "1a", "19%", "' OR 1=1 --", "\u{663}\u{666}"] {
        assert_eq!(bad(eq(None, None, Some(c))), "code", "{c}");
    }
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(bad(EventQuery { from: day(2025, 9, 1), to: day(2025, 8, 1), ..EventQuery::default() }), "from");
    for n in
        ["", "1,2", "1,2,3,4", "91,0,10", "0,181,10", "0,0,0", "0,0,-5", "0,0,30000", "NaN,0,10", "0,inf,10", "a,b,c"]
    {
        assert!(parse_near(n).is_err(), "{n}");
    }
    let n = parse_near(" 48.5, 37.9 ,50").unwrap();
    assert_eq!((n.lat, n.lon, n.km), (48.5, 37.9, 50.0));
    assert_eq!(
        bad(EventQuery { near: Some(Near { lat: f64::NAN, lon: 0.0, km: 1.0 }), ..EventQuery::default() }),
        "near"
    );
    // Unchecked odd values reach SQL only as parameters or checked numbers: no error, no match.
    for a in ["%", "_", "\\", "'; DROP TABLE events; --", "per:%", "\"\"", "\u{0}"] {
        assert_eq!(s.events(&eq(Some(a), None, None)).unwrap().total, 0, "{a}");
    }
    for c in ["%", "_", "'", "0%"] {
        assert_eq!(s.events(&eq(None, None, Some(c))).unwrap().total, 0, "{c}");
    }
    let q = EventQuery { limit: u64::MAX, offset: u64::MAX, ..EventQuery::default() };
    let p = s.events(&q).unwrap();
    assert_eq!((p.total, p.items.len(), p.limit), (4, 0, MAX_PAGE));
    // Near the antimeridian and the poles.
    let near = |lat, lon, km| EventQuery { near: Some(Near { lat, lon, km }), ..EventQuery::default() };
    assert_eq!(s.events(&near(90.0, 180.0, 20_000.0)).unwrap().total, 1);
    assert_eq!(s.events(&near(-90.0, -180.0, 1.0)).unwrap().total, 0);
    assert_eq!(s.events(&eq(None, None, None)).unwrap().total, 4);
}

#[test]
fn format_3_store_is_migrated_by_a_writable_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!(
        "DROP TABLE events; {DROP_STORIES} UPDATE meta SET value = '3' WHERE key = 'format_version';"
    ))
    .unwrap();
    drop(conn);
    // Read-only: entities work without events; events are refused with a clear error.
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.status().unwrap().format_version, 3);
    let err = ro.events(&EventQuery::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NeedsUpgrade { found: 3, needed: 4 }), "{err}");
    let d = ro.entity("per:vladimir-putin", 0, 10).unwrap().unwrap();
    assert!(d.events.is_none() && d.quotes.is_some());
    // A writable open migrates, while the read-only handle stays open.
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    assert_eq!(s.events(&EventQuery::default()).unwrap().total, 4);
    drop(s);
    drop(ro);
    // A version-2 store goes to 4 in one step.
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("{DROP_QUOTES} UPDATE meta SET value = '2' WHERE key = 'format_version';")).unwrap();
    drop(conn);
    let s = open(tmp.path());
    assert_eq!(s.events(&eq(Some("per:steve-witkoff"), None, None)).unwrap().total, 2);
}

// ---- near-duplicates and stories (format version 5) ----

const WIRE: &str = "The finance ministers of the group met in Brussels on Tuesday to discuss a common budget for \
    defence spending, and agreed to raise the shared fund by ten billion euros over five years, officials said. \
    The plan still needs the approval of national parliaments, several of which have voiced doubts about the cost. \
    Critics said the fund would take money from schools and hospitals, while supporters called it overdue.";

fn story_corpus() -> Vec<Document> {
    let copy = format!("{WIRE} This story was updated.");
    vec![
        doc(Some("https://a.example/wire"), "Ministers agree defence fund", WIRE, "A", "en", Some("2025-03-04T10:00:00+00:00")),
        doc(
            Some("https://b.example/quake"),
            "Earthquake shakes the coast",
            "A strong earthquake shook the northern coast on Monday, damaging houses and cutting power to thousands.",
            "B",
            "en",
            Some("2025-03-03T08:00:00+00:00"),
        ),
        // A republished copy, published earlier than the first one stored: it becomes canonical.
        doc(Some("https://c.example/copy"), "Ministers agree defence fund", &copy, "C", "en", Some("2025-03-04T07:00:00+00:00")),
        doc(
            Some("https://d.example/fund"),
            "Defence fund doubts in parliaments",
            "Several parliaments voiced doubts on Wednesday about the defence fund the finance ministers agreed in Brussels.",
            "D",
            "en",
            Some("2025-03-05T09:00:00+00:00"),
        ),
    ]
}

/// Every story with its articles, and every article's duplicate group, as one comparable value.
type AcrossState = (Vec<(StorySummary, Vec<String>)>, Vec<(String, String, Vec<String>)>);

/// Pages of a story's articles and timeline, read one after another, are the whole lists.
fn check_story_pages(s: &EmbeddedStore, whole: &StoryDetail) {
    assert_eq!(whole.articles_total, whole.articles.len() as u64);
    assert_eq!(whole.timeline_total, whole.timeline.len() as u64);
    for size in [1, 2, 3] {
        let (mut articles, mut timeline) = (Vec::new(), Vec::new());
        let mut at = 0;
        while at < whole.articles_total.max(whole.timeline_total) + size {
            let page =
                StoryPage { articles_offset: at, articles_limit: size, timeline_offset: at, timeline_limit: size };
            let d = s.story_page(whole.summary.id, &page).unwrap().unwrap();
            assert_eq!((d.articles_total, d.timeline_total), (whole.articles_total, whole.timeline_total));
            assert_eq!((d.articles_offset, d.timeline_offset), (at, at));
            assert!(d.articles.len() as u64 <= size && d.timeline.len() as u64 <= size);
            assert_eq!(d.entities, whole.entities);
            articles.extend(d.articles);
            timeline.extend(d.timeline);
            at += size;
        }
        assert_eq!(articles, whole.articles, "articles in pages of {size}");
        assert_eq!(timeline, whole.timeline, "timeline in pages of {size}");
    }
    // The provided implementation (slicing the whole story) pages alike.
    let page = StoryPage { articles_offset: 1, articles_limit: 1, timeline_offset: 1, timeline_limit: 2 };
    assert_eq!(whole.clone().page(&page), s.story_page(whole.summary.id, &page).unwrap().unwrap());
}

fn across_state(s: &EmbeddedStore) -> AcrossState {
    let page = s.stories(&StoryQuery::default()).unwrap();
    let stories = page
        .items
        .into_iter()
        .map(|st| {
            let d = s.story(st.id).unwrap().unwrap();
            check_story_pages(s, &d);
            (st, d.articles.into_iter().map(|a| a.id).collect())
        })
        .collect();
    let mut dups = Vec::new();
    for d in s.iter_all() {
        let d = d.unwrap();
        let g = s.duplicates(&d.id).unwrap().unwrap();
        dups.push((d.id.clone(), g.canonical, g.members.into_iter().map(|m| m.article.id).collect()));
    }
    (stories, dups)
}

#[test]
fn inserted_articles_get_duplicate_groups_and_stories() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let docs = story_corpus();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    s.put_batch(docs.clone()).unwrap();
    // The copy published earlier is canonical; both are members, oldest first.
    let g = s.duplicates(&ids[0]).unwrap().unwrap();
    assert_eq!(g.canonical, ids[2]);
    let members: Vec<&str> = g.members.iter().map(|m| m.article.id.as_str()).collect();
    assert_eq!(members, [ids[2].as_str(), ids[0].as_str()]);
    assert!(g.members[0].canonical && !g.members[1].canonical);
    assert_eq!(s.duplicates(&ids[2]).unwrap().unwrap().canonical, ids[2]);
    // No near-duplicate: a group of one. Unknown article: None.
    let lone = s.duplicates(&ids[1]).unwrap().unwrap();
    assert_eq!((lone.canonical.as_str(), lone.members.len()), (ids[1].as_str(), 1));
    assert!(s.duplicates("nope").unwrap().is_none());
    // Every article is in exactly one story; the copies are in one story.
    let page = s.stories(&StoryQuery::default()).unwrap();
    assert_eq!(page.items.iter().map(|x| x.articles).sum::<u64>(), 4, "{page:?}");
    assert_eq!(s.story_of(&ids[0]).unwrap(), s.story_of(&ids[2]).unwrap());
    assert_ne!(s.story_of(&ids[0]).unwrap(), s.story_of(&ids[1]).unwrap());
    let st = s.story(s.story_of(&ids[0]).unwrap().unwrap()).unwrap().unwrap();
    assert!(!st.summary.label.is_empty());
    assert!(st.articles.iter().any(|a| a.id == ids[2]));
    assert!(s.story(9_999).unwrap().is_none());

    // Idempotent: the same batch again changes nothing.
    let before = across_state(&s);
    s.put_batch(docs.clone()).unwrap();
    assert_eq!(across_state(&s), before);
    drop(s);
    // Reopened, the state is rebuilt: re-ingesting changes nothing, and a new article is
    // assigned as it would have been in one run.
    let mut s = open(tmp.path());
    s.put_batch(docs.clone()).unwrap();
    assert_eq!(across_state(&s), before);
    let extra = doc(
        Some("https://e.example/aftershock"),
        "Aftershock hits the coast",
        "An aftershock shook the northern coast on Tuesday, a day after the earthquake damaged houses.",
        "E",
        "en",
        Some("2025-03-04T08:00:00+00:00"),
    );
    s.put_batch(vec![extra.clone()]).unwrap();
    let reopened = across_state(&s);
    drop(s);
    let tmp2 = tempfile::tempdir().unwrap();
    let mut one = open(tmp2.path());
    one.put_batch(docs).unwrap();
    one.put_batch(vec![extra]).unwrap();
    assert_eq!(across_state(&one), reopened);
}

#[test]
fn failed_batch_leaves_no_assignment_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let docs = story_corpus();
    s.put_batch(docs[..1].to_vec()).unwrap();
    s.set_faults(Some(2), false);
    assert!(s.put_batch(docs[1..].to_vec()).is_err());
    s.set_faults(None, false);
    s.put_batch(docs[1..].to_vec()).unwrap();
    let tmp2 = tempfile::tempdir().unwrap();
    let mut one = open(tmp2.path());
    one.put_batch(docs).unwrap();
    assert_eq!(across_state(&s), across_state(&one));
}

#[test]
fn format_4_store_is_migrated_to_5_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(story_corpus()).unwrap();
    let want = across_state(&s);
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("{DROP_STORIES} UPDATE meta SET value = '4' WHERE key = 'format_version';")).unwrap();
    drop(conn);
    // Read-only: events work; stories and duplicates are refused with a clear error.
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.status().unwrap().format_version, 4);
    let err = ro.stories(&StoryQuery::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NeedsUpgrade { found: 4, needed: 5 }), "{err}");
    assert!(ro.duplicates("x").is_err());
    assert!(ro.events(&EventQuery::default()).is_ok());
    drop(ro);
    // A corrupt document makes the migration fail: nothing changes.
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    let (id, json): (String, String) = conn
        .query_row("SELECT id, doc FROM documents ORDER BY rowid DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    conn.execute("UPDATE documents SET doc = 'not json' WHERE id = ?1", [&id]).unwrap();
    drop(conn);
    assert!(EmbeddedStore::open(tmp.path()).is_err());
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |r| r.get(0)).unwrap();
    assert_eq!(v, "4");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('duplicates', 'stories', 'story_articles')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
    conn.execute("UPDATE documents SET doc = ?2 WHERE id = ?1", [&id, &json]).unwrap();
    drop(conn);
    // A writable open migrates: the same groups and stories as a fresh store computed.
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    assert_eq!(across_state(&s), want);
}

#[test]
fn stored_groups_and_stories_are_the_clusterers() {
    // Many documents in few stories with near-copies, in batches: the tables must hold what
    // the clusterer and the near-duplicate finder hold after the same documents in order.
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let topics = ["flood river dam evacuated", "election ballot vote candidate", "budget tax spending minister"];
    let mut docs = Vec::new();
    for n in 0..60usize {
        let t = topics[n % 3];
        let body = if n % 7 == 6 {
            // A near-copy of an earlier document, published a day before it.
            format!("{} Updated.", docs.iter().map(|d: &Document| d.text().to_string()).nth(n - 6).unwrap())
        } else {
            format!("Report {n} on the {t} story, with words {} {} and more.", n * 31 % 97, n * 17 % 89)
        };
        let day = if n % 7 == 6 { 1 + (n - 6) % 20 } else { 2 + n % 20 };
        docs.push(doc(
            Some(&format!("https://x.example/{n}")),
            &format!("{t} {n}"),
            &body,
            "X",
            "en",
            Some(&format!("2025-05-{day:02}T10:00:00+00:00")),
        ));
    }
    for chunk in docs.chunks(9) {
        s.put_batch(chunk.to_vec()).unwrap();
    }
    let mut nd = newsgraph_corpus::NearDuplicates::default();
    let mut sc = newsgraph_corpus::StoryClusterer::default();
    for d in &docs {
        nd.add(d.id.clone(), d.meta.published.as_ref().map(|p| p.time.timestamp()), d.text());
        sc.add(&newsgraph_corpus::features_from_document(d));
    }
    let mut want: Vec<(u64, Vec<String>)> = sc
        .stories()
        .into_iter()
        .map(|st| {
            let mut a = st.articles;
            a.sort();
            (st.id as u64, a)
        })
        .collect();
    want.sort();
    let page = s.stories(&StoryQuery { limit: 1000, offset: 0 }).unwrap();
    let mut got: Vec<(u64, Vec<String>)> = page
        .items
        .iter()
        .map(|st| {
            let d = s.story(st.id).unwrap().unwrap();
            assert_eq!(st.articles, d.articles.len() as u64);
            let mut a: Vec<String> = d.articles.into_iter().map(|a| a.id).collect();
            a.sort();
            (st.id, a)
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
    let groups = nd.groups();
    assert!(!groups.is_empty());
    for g in groups {
        for m in &g.members {
            let sg = s.duplicates(m).unwrap().unwrap();
            assert_eq!(sg.canonical, g.canonical, "{m}");
            let mut a: Vec<String> = sg.members.into_iter().map(|x| x.article.id).collect();
            let mut b = g.members.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b);
        }
    }
}

/// The cost of rebuilding the near-duplicate and story state when a store is reopened:
/// `NEWSGRAPH_REOPEN_STORE=DIR cargo test -p newsgraph-store --lib reopen_cost -- --ignored --nocapture`
/// (opens DIR writable: an older format is migrated first).
#[test]
#[ignore]
fn reopen_cost() {
    let Some(dir) = std::env::var_os("NEWSGRAPH_REOPEN_STORE") else { return };
    let t = std::time::Instant::now();
    let mut s = EmbeddedStore::open(Path::new(&dir)).unwrap();
    let open = t.elapsed();
    let t = std::time::Instant::now();
    let docs: Vec<Document> = s.iter_all().map(|d| d.unwrap()).collect();
    let decode = t.elapsed();
    let t = std::time::Instant::now();
    let feats: Vec<_> = docs.iter().map(newsgraph_corpus::features_from_document).collect();
    let features = t.elapsed();
    let rebuild = s.prepare_assignments().unwrap();
    let rebuild = format!(
        "{:.2} s, {} restored from the snapshot, {} replayed",
        rebuild.seconds, rebuild.restored, rebuild.replayed
    );
    eprintln!(
        "{} documents: open (incl. any migration) {open:?}; rebuild {rebuild} (without a snapshot: reading and \
         decoding every document ≈ {decode:?}, then features ≈ {features:?}, {} feature sets)",
        docs.len(),
        feats.len()
    );
}

// ---- cross-document identity, entity timelines, story search (format version 6) ----

/// Articles on two Markovs and a Peskov: (a) Sergei Markov in Moscow with Putin and the
/// Kremlin, (b) "Sergey Markov" in the same context, (c) Ivan Markov in Montreal (another
/// man), (d) "Sergei Markoff" on ice hockey in Montreal (another man, close name, unrelated
/// context), (e) "Dmitry S. Peskov" unknown to the KB, (f) Dmitry Peskov linked to the KB.
fn identity_corpus() -> Vec<Document> {
    use newsgraph_model::EntityType::*;
    let putin = || entity("per:vladimir-putin", "Vladimir Putin", Person, true);
    let kremlin = || entity("org:kremlin", "Kremlin", Organization, true);
    let moscow = || entity("loc:moscow", "Moscow", Place, true);
    let montreal = || entity("loc:montreal", "Montreal", Place, true);
    let nhl = || entity("org:nhl", "NHL", Organization, true);
    let day = |d: u32| format!("2025-08-{d:02}T10:00:00+00:00");
    let mk = |k: &str, d: u32, text: &str, ents: Vec<newsgraph_model::Entity>, ms: &[M]| {
        with_entities(doc(Some(&format!("https://id.example/{k}")), k, text, "Wire", "en", Some(&day(d))), ents, ms)
    };
    vec![
        mk(
            "a",
            1,
            "Sergei Markov said in Moscow that Putin and the Kremlin would not yield.",
            vec![entity("local:person:sergei-markov", "Sergei Markov", Person, false), moscow(), putin(), kremlin()],
            &[("Sergei Markov", 0, false), ("Moscow", 1, false), ("Putin", 2, false), ("Kremlin", 3, false)],
        ),
        mk(
            "b",
            2,
            "Sergey Markov told reporters in Moscow that Putin had the Kremlin's backing.",
            vec![entity("local:person:sergey-markov", "Sergey Markov", Person, false), moscow(), putin(), kremlin()],
            &[("Sergey Markov", 0, false), ("Moscow", 1, false), ("Putin", 2, false), ("Kremlin", 3, false)],
        ),
        mk(
            "c",
            3,
            "Ivan Markov scored twice as Montreal won in the NHL.",
            vec![entity("local:person:ivan-markov", "Ivan Markov", Person, false), montreal(), nhl()],
            &[("Ivan Markov", 0, false), ("Montreal", 1, false), ("NHL", 2, false)],
        ),
        mk(
            "d",
            4,
            "Sergei Markoff signed with Montreal for the new NHL season.",
            vec![entity("local:person:sergei-markoff", "Sergei Markoff", Person, false), montreal(), nhl()],
            &[("Sergei Markoff", 0, false), ("Montreal", 1, false), ("NHL", 2, false)],
        ),
        mk(
            "e",
            5,
            "Dmitry S. Peskov said Putin spoke for the Kremlin in Moscow.",
            vec![
                entity("local:person:dmitry-s-peskov", "Dmitry S. Peskov", Person, false),
                putin(),
                kremlin(),
                moscow(),
            ],
            &[("Dmitry S. Peskov", 0, false), ("Putin", 1, false), ("Kremlin", 2, false), ("Moscow", 3, false)],
        ),
        mk(
            "f",
            6,
            "Dmitry Peskov, the Kremlin spokesman, said Putin was in Moscow.",
            vec![entity("per:dmitry-peskov", "Dmitry Peskov", Person, true), kremlin(), putin(), moscow()],
            &[("Dmitry Peskov", 0, false), ("Kremlin", 1, false), ("Putin", 2, false), ("Moscow", 3, false)],
        ),
    ]
}

/// Every listed entity id with its merged ids.
#[test]
fn the_entity_list_and_pages_from_kept_counts_and_forms_equal_those_from_every_occurrence() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    s.put_batch(identity_corpus()).unwrap();
    // An article updated in place (same URL, new text and entities): its old rows leave the counts.
    let again = with_entities(
        doc(
            Some("https://w.example/b"),
            "Summit planned",
            "Steve Witkoff and Steve Witkoff again.",
            "Wire",
            "en",
            Some("2025-08-08T10:00:00+00:00"),
        ),
        vec![entity("per:steve-witkoff", "Steve Witkoff", newsgraph_model::EntityType::Person, true)],
        &[("Steve Witkoff", 0, false)],
    );
    let report = s.put_batch(vec![again]).unwrap();
    assert_eq!(report.updated, 1, "{report:?}");
    let ctx = crate::error::Ctx { path: tmp.path(), op: "test" };
    let (kept, scan) = (crate::db::Kept::of(crate::db::FORMAT_VERSION), crate::db::Kept::of(7));
    assert!(kept.counts && kept.forms && !scan.counts && !scan.forms);
    let list = |kept: crate::db::Kept, offset: u64, limit: u64| {
        let q = EntityQuery { offset, limit, ..EntityQuery::default() };
        let page = entities::entities(&s.conn(), &q, true, kept, ctx).unwrap();
        (page.total, page.items)
    };
    let (total, all) = list(kept, 0, 100);
    assert!(total > 5 && all.len() as u64 == total, "{total} {all:?}");
    assert!(all.iter().any(|e| e.id == "local:person:sergei-markov"), "a merged identity is listed: {all:?}");
    assert!(all.iter().any(|e| !e.repaired.is_empty()), "some spelling was repaired: {all:?}");
    for (offset, limit) in [(0, 100), (0, 3), (2, 4), (total - 1, 10), (total, 10)] {
        assert_eq!(list(kept, offset, limit), list(scan, offset, limit), "offset {offset}, limit {limit}");
    }
    // An article naming two ids of one identity counts once, in the list and on the page.
    let added = s
        .conn()
        .execute(
            "INSERT INTO entity_occurrences(entity_id, doc_id, name, kind, kb_id, country, mentions, aliases, repaired, info) \
             SELECT m.entity_id, o.doc_id, o.name, o.kind, NULL, NULL, 1, '{\"S. Markov\": 1}', '{}', o.info \
             FROM entity_merges m JOIN entity_occurrences o ON o.entity_id = m.canonical WHERE NOT EXISTS \
             (SELECT 1 FROM entity_occurrences x WHERE x.entity_id = m.entity_id AND x.doc_id = o.doc_id) LIMIT 1",
            [],
        )
        .unwrap();
    assert_eq!(added, 1);
    assert_eq!(list(kept, 0, 100), list(scan, 0, 100));
    // Every article of a merged id also names its identity's own id.
    let gone = s
        .conn()
        .execute(
            "DELETE FROM entity_occurrences WHERE entity_id IN (SELECT entity_id FROM entity_merges) AND NOT EXISTS \
             (SELECT 1 FROM entity_occurrences c JOIN entity_merges m ON m.canonical = c.entity_id \
             WHERE m.entity_id = entity_occurrences.entity_id AND c.doc_id = entity_occurrences.doc_id)",
            [],
        )
        .unwrap();
    assert!(gone > 0);
    let (total, all) = list(kept, 0, 100);
    assert_eq!((total, &all), (list(scan, 0, 100).0, &list(scan, 0, 100).1));
    // An entity's page (its counts not given) agrees too, aliases and repaired spellings included.
    for e in &all {
        let one = |kept| entities::entity(&s.conn(), &e.id, 0, 10, true, kept, ctx).unwrap().unwrap();
        let (a, b) = (one(kept), one(scan));
        assert_eq!((&a.summary, &a.appears_in.items), (&b.summary, &b.appears_in.items), "{}", e.id);
        assert_eq!(&a.summary, e, "the page and the list agree on {}", e.id);
    }
}

fn identities(s: &EmbeddedStore) -> Vec<(String, Vec<String>)> {
    let page = s.entities(&EntityQuery { limit: 100, ..EntityQuery::default() }).unwrap();
    page.items.iter().map(|e| (e.id.clone(), e.merged.clone())).collect()
}

#[test]
fn search_facets_event_types_and_days_mentioned_and_filters_by_event_type() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    let all = s.search(&SearchQuery::default()).unwrap();
    let pairs = |f: &[FacetCount]| f.iter().map(|f| (f.value.clone(), f.count)).collect::<Vec<_>>();
    // Roots by articles (the third article has a 12 and a 19), most first then by code.
    let want: Vec<(String, u64)> = [("03", 1), ("04", 1), ("12", 1), ("19", 1)].map(|(v, n)| (v.to_string(), n)).into();
    assert_eq!(pairs(&all.facets.events), want);
    // A single day counts; a year ("2015") does not.
    assert_eq!(pairs(&all.facets.mentioned), [("2025-08-05".to_string(), 1)]);
    let by = |root: &str| {
        let q = SearchQuery { event: Some(root.into()), ..SearchQuery::default() };
        s.search(&q).unwrap().total
    };
    assert_eq!((by("19"), by("04"), by("20"), by("x\"'")), (1, 1, 0, 0));
}

#[test]
fn filters_by_entity_find_every_id_of_its_identity() {
    use newsgraph_model::QuoteKind::Indirect;
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    let mut docs = identity_corpus();
    // Article b (Sergey Markov, merged into Sergei Markov): a quote and an event of his.
    docs[1] = with_quotes(
        docs[1].clone(),
        &[("Putin had the Kremlin's backing", "Sergey Markov", "told", Some(0), Indirect)],
    );
    docs[1] = with_events(docs[1].clone(), &[("told", Some(0), Some(2), "010", None, None)]);
    s.put_batch(docs).unwrap();
    for id in ["local:person:sergei-markov", "local:person:sergey-markov"] {
        let q = QuoteQuery { speaker: Some(id.into()), ..QuoteQuery::default() };
        assert_eq!(s.quotes(&q).unwrap().total, 1, "quotes by {id}");
        let e = EventQuery { actor: Some(id.into()), ..EventQuery::default() };
        assert_eq!(s.events(&e).unwrap().total, 1, "events of {id}");
        let hits = s.search(&SearchQuery { entities: vec![id.into()], ..SearchQuery::text("Putin") }).unwrap();
        assert_eq!(hits.total, 2, "articles mentioning {id}");
    }
    let d = s.entity("local:person:sergei-markov", 0, 10).unwrap().unwrap();
    assert_eq!(d.quotes.unwrap().total, 1, "the identity's quotes include the merged id's");
    assert_eq!(d.events.unwrap().as_source.total, 1);
    // Facets list the identity once, with both articles.
    let all = s.search(&SearchQuery::text("Markov")).unwrap();
    let markov: Vec<(&str, u64)> = all
        .facets
        .entities
        .iter()
        .filter(|f| f.id.contains("markov") && f.id.contains("serge"))
        .map(|f| (f.id.as_str(), f.count))
        .collect();
    assert_eq!(markov, [("local:person:sergei-markov", 2)]);
    // Another Markov is not part of it.
    let q = QuoteQuery { speaker: Some("local:person:ivan-markov".into()), ..QuoteQuery::default() };
    assert_eq!(s.quotes(&q).unwrap().total, 0);
    // Quotes about an entity: the quote names it ("Putin", "Kremlin's"); its speaker is not it.
    let about = |id: &str| s.quotes(&QuoteQuery { about: Some(id.into()), ..QuoteQuery::default() }).unwrap().total;
    assert_eq!((about("per:vladimir-putin"), about("org:kremlin")), (1, 1));
    assert_eq!((about("local:person:sergey-markov"), about("loc:moscow")), (0, 0));
    let putin = s.entity("per:vladimir-putin", 0, 10).unwrap().unwrap();
    assert_eq!(putin.quotes_about.unwrap().items[0].quote.speaker.as_ref().unwrap().name, "Sergey Markov");
}

#[test]
fn local_entities_merge_across_articles_when_names_and_contexts_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(identity_corpus()).unwrap();
    let ids = identities(&s);
    let merged_into = |id: &str| ids.iter().find(|(_, m)| m.iter().any(|x| x == id)).map(|(c, _)| c.as_str());
    let listed = |id: &str| ids.iter().any(|(c, _)| c == id);
    // Merged: a transliteration variant in the same context; a local name the KB later links.
    assert_eq!(merged_into("local:person:sergey-markov"), Some("local:person:sergei-markov"), "{ids:?}");
    assert_eq!(merged_into("local:person:dmitry-s-peskov"), Some("per:dmitry-peskov"), "{ids:?}");
    assert!(!listed("local:person:sergey-markov") && !listed("local:person:dmitry-s-peskov"), "{ids:?}");
    // Not merged: another first name; a close name in an unrelated context.
    for other in ["local:person:ivan-markov", "local:person:sergei-markoff"] {
        assert!(listed(other) && merged_into(other).is_none(), "{other}: {ids:?}");
    }
    // The merged entity: both articles, every alias with its count; a merged id answers with it.
    let e = s.entity("local:person:sergey-markov", 0, 10).unwrap().unwrap();
    assert_eq!(e.summary.id, "local:person:sergei-markov");
    assert_eq!((e.summary.articles, e.appears_in.total, e.appears_in.items.len()), (2, 2, 2));
    let forms: Vec<(&str, u64)> = e.summary.aliases.iter().map(|f| (f.form.as_str(), f.count)).collect();
    assert_eq!(forms, [("Sergei Markov", 1), ("Sergey Markov", 1)]);
    let p = s.entity("local:person:dmitry-s-peskov", 0, 10).unwrap().unwrap();
    assert_eq!(
        (p.summary.id.as_str(), p.summary.kb_id.as_deref(), p.summary.articles),
        ("per:dmitry-peskov", Some("per:dmitry-peskov"), 2)
    );
    assert_eq!(p.summary.merged, ["local:person:dmitry-s-peskov"]);

    // The same state after a reopen (replayed before the next write), and after a migration
    // from format 5 (the table rebuilt from the stored documents).
    drop(s);
    let mut s = open(tmp.path());
    let more = with_entities(
        doc(
            Some("https://id.example/g"),
            "g",
            "Sergey Markov said Putin and the Kremlin agreed in Moscow.",
            "Wire",
            "en",
            Some("2025-08-07T10:00:00+00:00"),
        ),
        vec![
            entity("local:person:sergey-markov", "Sergey Markov", newsgraph_model::EntityType::Person, false),
            entity("per:vladimir-putin", "Vladimir Putin", newsgraph_model::EntityType::Person, true),
        ],
        &[("Sergey Markov", 0, false), ("Putin", 1, false)],
    );
    s.put_batch(vec![more]).unwrap();
    let after = identities(&s);
    assert_eq!(s.entity("local:person:sergei-markov", 0, 10).unwrap().unwrap().summary.articles, 3);
    drop(s);
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TABLE entity_merges; DROP TABLE corpus_snapshot; UPDATE meta SET value = '5' WHERE key = 'format_version';",
    )
    .unwrap();
    drop(conn);
    let ro = EmbeddedStore::open_read_only(tmp.path()).unwrap();
    assert_eq!(ro.status().unwrap().format_version, 5);
    assert!(identities(&ro).iter().any(|(c, _)| c == "local:person:sergey-markov"), "no merges before the upgrade");
    drop(ro);
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    assert_eq!(identities(&s), after);
}

#[test]
fn entity_timeline_orders_by_the_date_of_what_happened() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    let t = s.entity_timeline("per:vladimir-putin", 0, 100).unwrap().unwrap();
    // 4 events (as source or target) and the 3 articles that mention Putin.
    let events = t.items.iter().filter(|i| i.event.is_some()).count();
    let articles = t.items.iter().filter(|i| i.event.is_none() && i.quote.is_none()).count();
    assert_eq!((t.total, events, articles), (7, 4, 3));
    let dates: Vec<&str> = t.items.iter().map(|i| i.date.as_deref().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // The meeting happened on 2025-08-05 (its stated day), before its article of 2025-08-06.
    let met = t.items.iter().position(|i| i.event.as_ref().is_some_and(|e| e.code == "040")).unwrap();
    let met_article = t
        .items
        .iter()
        .position(|i| i.event.is_none() && i.article.url.as_deref() == Some("https://w.example/a"))
        .unwrap();
    assert_eq!(t.items[met].date.as_deref(), Some("2025-08-05"));
    assert!(met < met_article, "{dates:?}");
    // Paging, an entity with nothing, Witkoff's (target of one event, source of another).
    let p = s.entity_timeline("per:vladimir-putin", 2, 3).unwrap().unwrap();
    assert_eq!((p.total, p.items.len()), (7, 3));
    assert_eq!(p.items[0], t.items[2]);
    assert!(s.entity_timeline("per:nobody", 0, 10).unwrap().is_none());
    let w = s.entity_timeline("per:steve-witkoff", 0, 100).unwrap().unwrap();
    assert_eq!(w.items.iter().filter(|i| i.event.is_some()).count(), 2);
    // Pages read one after another are the whole timeline, with its total, whether a page's
    // articles are sorted from the index of publication times (format 12) or from their rows.
    s.put_batch(quote_corpus()).unwrap();
    let ctx = crate::error::Ctx { path: tmp.path(), op: "test" };
    for id in ["per:vladimir-putin", "per:steve-witkoff", "per:donald-trump", "org:kremlin"] {
        let whole = s.entity_timeline(id, 0, 1000).unwrap().unwrap();
        assert_eq!(whole.total, whole.items.len() as u64, "{id}");
        for format in [FORMAT_VERSION, 11] {
            let kept = crate::db::Kept::of(format);
            for size in [1, 2, 3] {
                let mut items = Vec::new();
                for at in (0..whole.total + size).step_by(size as usize) {
                    let p = stories::entity_timeline(&s.conn(), id, at, size, true, kept, ctx).unwrap().unwrap();
                    assert_eq!(p.total, whole.total, "{id} at {at}");
                    items.extend(p.items);
                }
                assert_eq!(items, whole.items, "{id} in pages of {size}, format {format}");
            }
        }
    }
}

#[test]
fn story_timelines_are_paged_in_the_order_of_the_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(event_corpus()).unwrap();
    let mut timelines = 0;
    for st in s.stories(&StoryQuery::default()).unwrap().items {
        let whole = s.story(st.id).unwrap().unwrap();
        timelines += whole.timeline.len();
        check_story_pages(&s, &whole);
        // The default page, and a page past the end: empty lists, the same totals.
        let first = s.story_page(st.id, &StoryPage::default()).unwrap().unwrap();
        assert_eq!(first, whole.clone().page(&StoryPage::default()));
        let past = StoryPage { articles_offset: 1_000, timeline_offset: 1_000, ..StoryPage::default() };
        let d = s.story_page(st.id, &past).unwrap().unwrap();
        assert!(d.articles.is_empty() && d.timeline.is_empty());
        assert_eq!((d.articles_total, d.timeline_total), (whole.articles_total, whole.timeline_total));
    }
    assert!(timelines >= 4, "the corpus' events are on story timelines");
}

#[test]
fn search_groups_hits_by_story() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(corpus()).unwrap();
    let q = SearchQuery { limit: 100, ..SearchQuery::text("rain OR flood OR budget OR election") };
    let hits = s.search(&q).unwrap();
    let page = s.search_stories(&q).unwrap();
    assert!(page.total >= 1);
    // Every hit is counted once, under its article's story; the best hit is the story's
    // best-ranked article; stories follow their best hit's rank.
    let n: u64 = page.items.iter().map(|g| g.matching).sum();
    assert_eq!(n, hits.total.min(STORY_SEARCH_HITS as u64));
    let mut last = f32::INFINITY;
    for g in &page.items {
        assert_eq!(s.story_of(&g.best.id).unwrap(), Some(g.story.id));
        let first = hits.hits.iter().find(|h| s.story_of(&h.id).unwrap() == Some(g.story.id)).unwrap();
        assert_eq!(first.id, g.best.id);
        assert!(g.best.score <= last);
        last = g.best.score;
        assert!(g.matching <= g.story.articles);
    }
    let one = s.search_stories(&SearchQuery { limit: 1, offset: 1, ..q.clone() }).unwrap();
    assert_eq!(one.total, page.total);
    assert_eq!(one.items.first().map(|g| g.story.id), page.items.get(1).map(|g| g.story.id));
    assert_eq!(s.search_stories(&SearchQuery::text("zzzznothing")).unwrap().total, 0);
}

/// Every assignment row, ordered.
fn assignments(dir: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let mut out = Vec::new();
    for q in [
        "SELECT doc_id || ' ' || story_id FROM story_articles ORDER BY doc_id",
        "SELECT doc_id || ' ' || canonical FROM duplicates ORDER BY doc_id",
        "SELECT entity_id || ' ' || canonical FROM entity_merges ORDER BY entity_id",
    ] {
        let mut st = conn.prepare(q).unwrap();
        out.extend(st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap));
    }
    out
}

#[test]
fn a_reopened_store_restores_its_corpus_snapshot_and_goes_on_as_a_full_replay_would() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first: Vec<Document> = (0..520).map(crate::testing::generated_article).collect();
    for dir in [a.path(), b.path()] {
        open(dir).put_batch(first.clone()).unwrap();
        let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
        let upto: i64 = conn.query_row("SELECT upto FROM corpus_snapshot", [], |r| r.get(0)).unwrap();
        assert_eq!(upto, 520, "a snapshot is written once 500 articles were added");
    }
    // b's snapshot is damaged: it is ignored and every document replayed.
    rusqlite::Connection::open(b.path().join(DB_FILE))
        .unwrap()
        .execute("UPDATE corpus_snapshot SET data = x'4e47434f52505553010000000102'", [])
        .unwrap();
    for (dir, replayed) in [(a.path(), 0), (b.path(), 520)] {
        let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
        let ctx = crate::error::Ctx { path: dir, op: "test" };
        let p = crate::stories::Across::rebuild(&conn, ctx).unwrap().prepared(0.0);
        assert_eq!((p.restored, p.replayed), (520 - replayed, replayed));
    }
    let more: Vec<Document> = (520..560).map(crate::testing::generated_article).collect();
    for dir in [a.path(), b.path()] {
        let mut s = open(dir);
        s.put_batch(more.clone()).unwrap();
        let copy = (520..560).position(|i| i % 7 == 6).unwrap();
        let dup = s.duplicates(&more[copy].id).unwrap().unwrap();
        assert_eq!(dup.members.len(), 2, "the copy of the article before it");
    }
    let whole = tempfile::tempdir().unwrap();
    open(whole.path()).put_batch(first.into_iter().chain(more).collect()).unwrap();
    assert_eq!(assignments(a.path()), assignments(whole.path()));
    assert_eq!(assignments(b.path()), assignments(whole.path()));
}

/// `entity_forms` as the migration computes it from every occurrence, sorted.
fn forms_by_scan(conn: &rusqlite::Connection) -> Vec<(String, i64, String, i64)> {
    let mut rows: Vec<(String, i64, String, i64)> = Vec::new();
    for (rep, col) in [(0, "aliases"), (1, "repaired")] {
        let sql = format!(
            "SELECT o.entity_id, j.key, sum(j.value) FROM entity_occurrences o, json_each(o.{col}) j \
             GROUP BY o.entity_id, j.key HAVING sum(j.value) > 0"
        );
        let mut st = conn.prepare(&sql).unwrap();
        let found = st.query_map([], |r| Ok((r.get(0)?, rep, r.get(1)?, r.get(2)?))).unwrap();
        rows.extend(found.map(Result::unwrap));
    }
    rows.sort();
    rows
}

fn forms_kept(conn: &rusqlite::Connection) -> Vec<(String, i64, String, i64)> {
    let mut st = conn.prepare("SELECT entity_id, repaired, form, count FROM entity_forms ORDER BY 1, 2, 3").unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn entity_forms_kept_by_triggers_equal_the_forms_of_every_occurrence_and_a_migration_fills_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    s.put_batch(identity_corpus()).unwrap();
    {
        let conn = s.conn();
        let kept = forms_kept(&conn);
        assert!(kept.iter().any(|r| r.1 == 1) && kept.len() > 5, "aliases and repaired spellings: {kept:?}");
        assert_eq!(kept, forms_by_scan(&conn), "after inserts");
        // Updates in place (an id, a map) and a delete, as any write path might make them.
        conn.execute_batch(
            "UPDATE entity_occurrences SET aliases = '{\"Putin\": 3, \"V. Putin\": 1}' WHERE (entity_id, doc_id) = \
             (SELECT entity_id, doc_id FROM entity_occurrences ORDER BY 1, 2 LIMIT 1); \
             UPDATE entity_occurrences SET entity_id = 'per:someone-else' WHERE (entity_id, doc_id) = \
             (SELECT entity_id, doc_id FROM entity_occurrences ORDER BY 1 DESC, 2 LIMIT 1); \
             UPDATE entity_occurrences SET repaired = '{}' WHERE repaired <> '{}'; \
             DELETE FROM entity_occurrences WHERE (entity_id, doc_id) = \
             (SELECT entity_id, doc_id FROM entity_occurrences ORDER BY 1, 2 LIMIT 1 OFFSET 1);",
        )
        .unwrap();
        let kept = forms_kept(&conn);
        assert!(kept.iter().all(|r| r.1 == 0 && r.3 > 0), "repaired forms gone, no zero rows: {kept:?}");
        assert_eq!(kept, forms_by_scan(&conn), "after updates and a delete");
        // A format-8 store (no table, no triggers) gets them filled by the migration.
        conn.execute_batch(
            "DROP TABLE entity_forms; DROP TRIGGER entity_forms_insert; DROP TRIGGER entity_forms_delete; \
             DROP TRIGGER entity_forms_update; UPDATE meta SET value = '8' WHERE key = 'format_version';",
        )
        .unwrap();
    }
    drop(s);
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    let conn = s.conn();
    let kept = forms_kept(&conn);
    assert!(!kept.is_empty());
    assert_eq!(kept, forms_by_scan(&conn), "after the migration");
}

/// `quote_mentions` as the migration computes it from every quote and occurrence, sorted.
fn quote_mentions_by_scan(conn: &rusqlite::Connection) -> Vec<(String, i64)> {
    let mut st = conn
        .prepare(
            "SELECT DISTINCT o.entity_id, q.id FROM quotes q JOIN entity_occurrences o ON o.doc_id = q.doc_id WHERE EXISTS \
             (SELECT 1 FROM json_each(o.aliases) j WHERE length(j.key) >= 3 AND instr(q.content, j.key) > 0) ORDER BY 1, 2",
        )
        .unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

fn quote_mentions_kept(conn: &rusqlite::Connection) -> Vec<(String, i64)> {
    let mut st = conn.prepare("SELECT entity_id, quote_id FROM quote_mentions ORDER BY 1, 2").unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn quote_mentions_kept_by_triggers_equal_those_of_every_quote_and_answer_quotes_about_as_a_scan_does() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(quote_corpus()).unwrap();
    s.put_batch(identity_corpus()).unwrap();
    // A quote naming its own speaker: not among the quotes about him.
    let own = with_entities(
        doc(
            Some("https://w.example/own"),
            "Putin on Putin",
            "Putin said Putin would never yield.",
            "Wire",
            "en",
            Some("2025-08-09T10:00:00+00:00"),
        ),
        vec![entity("per:vladimir-putin", "Vladimir Putin", newsgraph_model::EntityType::Person, true)],
        &[("Putin", 0, false)],
    );
    s.put_batch(vec![with_quotes(
        own,
        &[("Putin would never yield", "Putin", "said", Some(0), newsgraph_model::QuoteKind::Indirect)],
    )])
    .unwrap();
    let ctx = crate::error::Ctx { path: tmp.path(), op: "test" };
    // The quotes about each entity named in a quote, whole and a page of one at a time: from
    // the kept rows (walking every quote from the newest or sorting those naming it) or, with
    // `kept` 9, by testing each quote of its articles.
    let about = |conn: &rusqlite::Connection, kept: u32| {
        let ids: Vec<String> = quote_mentions_by_scan(conn).into_iter().map(|r| r.0).collect();
        let walks = if kept >= 10 { vec![Walk::Always, Walk::Never, Walk::Auto] } else { vec![Walk::Auto] };
        let mut out = Vec::new();
        for id in ids {
            let q = QuoteQuery { about: Some(id.clone()), limit: 100, ..QuoteQuery::default() };
            let read =
                |q: &QuoteQuery, walk| quotes::quotes_by(conn, q, true, crate::db::Kept::of(kept), walk, ctx).unwrap();
            let page = read(&q, walks[0]);
            let texts = quote_texts(&page).into_iter().map(String::from).collect::<Vec<_>>();
            for &walk in &walks {
                assert_eq!(read(&q, walk), page, "{id} {walk:?}");
                for (at, text) in texts.iter().enumerate() {
                    let one = read(&QuoteQuery { offset: at as u64, limit: 1, ..q.clone() }, walk);
                    assert_eq!(
                        (one.total, quote_texts(&one)),
                        (page.total, vec![text.as_str()]),
                        "{id} {walk:?} at {at}"
                    );
                }
            }
            out.push((id, page.total, texts));
        }
        out
    };
    {
        let conn = s.conn();
        let kept = quote_mentions_kept(&conn);
        assert!(kept.len() >= 2, "{kept:?}");
        assert_eq!(kept, quote_mentions_by_scan(&conn), "after inserts");
        let (by_table, by_scan) = (about(&conn, FORMAT_VERSION), about(&conn, 9));
        assert!(by_table.iter().any(|r| r.1 > 0), "{by_table:?}");
        assert!(!by_table.iter().flat_map(|r| &r.2).any(|t| t == "Putin would never yield"), "{by_table:?}");
        assert_eq!(by_table, by_scan);
        // Updates in place (a quote's text, an entity's forms, an entity's id) and deletes.
        conn.execute_batch(
            "UPDATE quotes SET content = 'nothing named here' WHERE id = (SELECT min(quote_id) FROM quote_mentions); \
             UPDATE entity_occurrences SET aliases = '{\"travelling\": 1}' WHERE entity_id = 'per:donald-trump'; \
             UPDATE entity_occurrences SET entity_id = 'zz:renamed' WHERE entity_id = (SELECT min(entity_id) FROM quote_mentions); \
             DELETE FROM quotes WHERE id = (SELECT max(id) FROM quotes); \
             DELETE FROM entity_occurrences WHERE entity_id = (SELECT min(entity_id) FROM quote_mentions);",
        )
        .unwrap();
        // Trump's new form 'travelling' names the officials' quote; then his rows were renamed.
        assert!(quote_mentions_kept(&conn).iter().any(|r| r.0 == "zz:renamed"), "{:?}", quote_mentions_kept(&conn));
        assert_eq!(quote_mentions_kept(&conn), quote_mentions_by_scan(&conn), "after updates and deletes");
        assert_eq!(about(&conn, FORMAT_VERSION), about(&conn, 9));
        // A format-9 store gets the table filled by the migration.
        conn.execute_batch("DROP TABLE quote_mentions; UPDATE meta SET value = '9' WHERE key = 'format_version';")
            .unwrap();
    }
    drop(s);
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    let conn = s.conn();
    assert!(!quote_mentions_kept(&conn).is_empty());
    assert_eq!(quote_mentions_kept(&conn), quote_mentions_by_scan(&conn), "after the migration");
}

/// `story_entities` as the migration computes it from every story's articles' occurrences,
/// summed over the names and kinds an id was written with (what a story's detail reads).
fn story_entities_by_scan(conn: &rusqlite::Connection) -> Vec<StoryEntityRow> {
    story_entity_rows(
        conn,
        "SELECT s.story_id, o.entity_id, o.name, o.kind, count(*), sum(o.mentions) FROM story_articles s \
         JOIN entity_occurrences o ON o.doc_id = s.doc_id GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
    )
}

fn story_entities_kept(conn: &rusqlite::Connection) -> Vec<StoryEntityRow> {
    story_entity_rows(
        conn,
        "SELECT story_id, entity_id, name, kind, articles, mentions FROM story_entities ORDER BY 1, 2, 3, 4",
    )
}

/// (story, entity id, name, kind, articles, mentions).
type StoryEntityRow = (i64, String, String, String, i64, i64);

fn story_entity_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<StoryEntityRow> {
    let mut st = conn.prepare(sql).unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn story_entities_kept_by_triggers_equal_those_of_every_occurrence_and_stories_read_alike_from_either() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    s.put_batch(entity_corpus()).unwrap();
    s.put_batch(identity_corpus()).unwrap();
    s.put_batch(story_corpus()).unwrap();
    let ctx = crate::error::Ctx { path: tmp.path(), op: "test" };
    // Every story's whole detail, from the kept table (format 12) and from the occurrences (11).
    let details = |conn: &rusqlite::Connection, format: u32| {
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM stories ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let kept = crate::db::Kept::of(format);
        ids.into_iter()
            .map(|id| stories::story(conn, id as u64, &StoryPage::WHOLE, kept, ctx).unwrap().unwrap())
            .collect::<Vec<_>>()
    };
    {
        let conn = s.conn();
        let kept = story_entities_kept(&conn);
        assert!(kept.iter().any(|r| r.4 > 1) && kept.len() > 5, "a story with an entity in two articles: {kept:?}");
        assert_eq!(kept, story_entities_by_scan(&conn), "after inserts");
        let (by_table, by_scan) = (details(&conn, FORMAT_VERSION), details(&conn, 11));
        assert!(by_table.iter().any(|d| d.entities.len() > 1), "{by_table:?}");
        assert_eq!(by_table, by_scan);
    }
    // An updated article (same URL, new text and entities) replaces its occurrences.
    let changed = with_entities(
        doc(
            Some("https://w.example/c"),
            "Kremlin statement",
            "The Kremlin declined to comment.",
            "Other",
            "en",
            Some("2025-08-01T10:00:00+00:00"),
        ),
        vec![entity("org:kremlin", "Kremlin", newsgraph_model::EntityType::Organization, true)],
        &[("Kremlin", 0, false)],
    );
    assert_eq!(s.put_batch(vec![changed]).unwrap().updated, 1);
    {
        let conn = s.conn();
        assert_eq!(story_entities_kept(&conn), story_entities_by_scan(&conn), "after an update");
        // As any write path might make them: an article moved to another story, a story merged
        // into another, an entity's name and mentions changed, an occurrence and an article
        // taken out of their stories.
        conn.execute_batch(
            "UPDATE story_articles SET story_id = (SELECT max(story_id) FROM story_articles) \
             WHERE doc_id = (SELECT min(doc_id) FROM story_articles); \
             UPDATE story_articles SET story_id = (SELECT min(story_id) FROM story_articles) \
             WHERE story_id = (SELECT max(story_id) FROM story_articles); \
             UPDATE entity_occurrences SET name = 'V. Putin', mentions = mentions + 2 WHERE doc_id = \
             (SELECT min(doc_id) FROM entity_occurrences WHERE entity_id = 'per:vladimir-putin') AND entity_id = 'per:vladimir-putin'; \
             DELETE FROM entity_occurrences WHERE (entity_id, doc_id) = \
             (SELECT entity_id, doc_id FROM entity_occurrences ORDER BY 2, 1 LIMIT 1 OFFSET 1); \
             DELETE FROM story_articles WHERE doc_id = (SELECT max(doc_id) FROM story_articles);",
        )
        .unwrap();
        let kept = story_entities_kept(&conn);
        assert!(
            kept.iter().any(|r| r.2 == "V. Putin") && kept.iter().all(|r| r.4 > 0),
            "renamed, no zero rows: {kept:?}"
        );
        assert_eq!(kept, story_entities_by_scan(&conn), "after updates and deletes");
        assert_eq!(details(&conn, FORMAT_VERSION), details(&conn, 11));
        // A format-11 store (no table, no triggers, no indexes) gets them made by the migration.
        conn.execute_batch(
            "DROP TABLE story_entities; DROP INDEX events_doc_order; DROP INDEX quotes_doc_order; \
             DROP INDEX documents_id_published; UPDATE meta SET value = '11' WHERE key = 'format_version';",
        )
        .unwrap();
    }
    drop(s);
    let s = open(tmp.path());
    assert_eq!(s.status().unwrap().format_version, FORMAT_VERSION);
    let conn = s.conn();
    assert!(!story_entities_kept(&conn).is_empty());
    assert_eq!(story_entities_kept(&conn), story_entities_by_scan(&conn), "after the migration");
    assert_eq!(details(&conn, FORMAT_VERSION), details(&conn, 11));
}

#[test]
fn facets_of_every_article_counted_from_whole_columns_equal_those_counted_article_by_article() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = open(tmp.path());
    // Several batches (several segments, none with a deleted document), with entities,
    // events and mentioned days.
    let mut dated = doc(Some("https://w.example/dated"), "Talks", "Leaders meet on Friday.", "Wire", "en", None);
    for (at, value) in [(0, "2025-08-15"), (14, "2025-08-15"), (7, "2025-08-16"), (0, "2025-08")] {
        dated.layers.timexes.push(newsgraph_model::Timex {
            span: newsgraph_model::Span::new(at, at + 4),
            kind: newsgraph_model::TimexType::Date,
            value: value.into(),
            modifier: None,
            anchor: None,
            confidence: 1.0,
            rule: "test".into(),
        });
    }
    for batch in [event_corpus(), corpus(), story_corpus(), identity_corpus(), vec![dated]] {
        s.put_batch(batch).unwrap();
    }
    let whole = s.search(&SearchQuery::default()).unwrap();
    // "*" matches every article too, but is a query: its facets are counted article by article.
    let each = s.search(&SearchQuery::text("*")).unwrap();
    assert!(each.warnings.is_empty(), "{:?}", each.warnings);
    assert_eq!((whole.total, each.total), (s.status().unwrap().documents, whole.total));
    assert!(whole.facets.entities.len() > 3 && !whole.facets.mentioned.is_empty(), "{:?}", whole.facets);
    assert_eq!(whole.facets, each.facets);
    // An updated article leaves a deleted document behind: that segment is counted article
    // by article, and the old version is not counted.
    let changed = doc(
        Some("https://www.cbc.ca/news/floods-1"),
        "Floods sweep through the valley",
        "Rain flooded the valley again on Friday.",
        "Radio-Canada",
        "fr",
        Some("2025-03-01T10:00:00-05:00"),
    );
    assert_eq!(s.put_batch(vec![changed]).unwrap().updated, 1);
    let (whole, each) = (s.search(&SearchQuery::default()).unwrap(), s.search(&SearchQuery::text("*")).unwrap());
    assert_eq!(whole.facets, each.facets);
    assert_eq!(whole.total, s.status().unwrap().documents);
}
