//! End-to-end tests of the `newsgraph` binary.
//!
//! - analyze: the sample article's metadata, sections and sentence spans;
//! - ingest: idempotency, bad records skipped and counted, kill -9 and rerun;
//! - search / show / export / stats on a real store;
//! - serve: the real HTTP server on a loopback port, hostile query strings.
mod common;

use common::{bin, run};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn analyze_sample_article() {
    let (code, out, err) = run(&["analyze", "examples/alaska-summit.txt", "--json"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    let meta = &d["meta"];
    assert!(meta["published"]["time"].as_str().unwrap().starts_with("2025-08-08T23:04:25"), "{}", meta["published"]);
    assert_eq!(meta["published"]["basis"], "assumed_utc");
    assert!(meta["image_url"].as_str().unwrap().starts_with("https://i.cbc.ca/1.7604988"));
    let sections: Vec<&str> =
        meta["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(sections, ["Intense battles continue", "Putin makes calls"]);

    let text = d["text"].as_str().unwrap();
    assert!(!text.contains("2025-08-08 23:04:25"), "timestamp line leaked into the body");
    assert!(!text.contains("i.cbc.ca"), "image line leaked into the body");
    let input = std::fs::read_to_string(common::repo_root().join("examples/alaska-summit.txt")).unwrap();
    let sentences = d["layers"]["sentences"].as_array().unwrap();
    assert!(sentences.len() >= 35, "{} sentences", sentences.len());
    let anchors: Vec<(usize, usize)> = d["source_map"]["anchors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_u64().unwrap() as usize, a[1].as_u64().unwrap() as usize))
        .collect();
    for s in sentences {
        let (a, b) = (s["span"][0].as_u64().unwrap() as usize, s["span"][1].as_u64().unwrap() as usize);
        let sent = text.get(a..b).expect("sentence span slices the text on char boundaries");
        assert_eq!(sent, sent.trim(), "sentence span has stray spaces");
        // The sentence's first bytes are found at the mapped place in the input.
        let i = anchors.partition_point(|&(t, _)| t <= a) - 1;
        let src = anchors[i].1 + (a - anchors[i].0);
        let head: String = sent.chars().take(12).collect();
        assert!(input[src..].starts_with(&head), "offset map: {head:?} not at input byte {src}");
    }
    let first = &sentences[0];
    assert_eq!(
        &text[..first["span"][1].as_u64().unwrap() as usize].split(" next Friday").next().unwrap()[..16],
        "US President Don"
    );
}

#[test]
fn ingest_is_idempotent_and_searchable() {
    let dir = tmp();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, out, err) = run(&["ingest", "examples", "--store", s, "--json", "--quiet"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let first: Value = serde_json::from_str(&out).unwrap();
    let total = first["store_total"].as_u64().unwrap();
    assert!(total >= 10, "{first}");

    let (code, out, err) = run(&["ingest", "examples", "--store", s, "--json", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let second: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(second["inserted"], 0, "{second}");
    assert_eq!(second["store_total"].as_u64().unwrap(), total);

    let (code, out, _) = run(&["search", "Alaska summit", "--store", s, "--json"]);
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert!(r["total"].as_u64().unwrap() >= 3, "{r}");
    let id = r["hits"][0]["id"].as_str().unwrap().to_string();
    let (code, out, _) = run(&["show", &id, "--store", s, "--json"]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["id"], id.as_str());
    assert!(!d["layers"]["sentences"].as_array().unwrap().is_empty());

    // Filter by the dates the texts mention: "next Friday" in the sample is 2025-08-15.
    let (code, out, err) = run(&[
        "search",
        "--store",
        s,
        "--json",
        "--mentioned-from",
        "2025-08-15",
        "--mentioned-to",
        "2025-08-15",
        "--limit",
        "50",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let (code, sample, _) = run(&["analyze", "examples/alaska-summit.txt", "--json"]);
    assert_eq!(code, 0);
    let sample_id = serde_json::from_str::<Value>(&sample).unwrap()["id"].as_str().unwrap().to_string();
    assert!(r["hits"].as_array().unwrap().iter().any(|h| h["id"] == sample_id.as_str()), "{r}");
    let (_, out, _) =
        run(&["search", "--store", s, "--json", "--mentioned-from", "1990-01-01", "--mentioned-to", "1990-12-31"]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["total"], 0);

    let (code, out, _) = run(&["export", "--store", s]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count() as u64, total);
    for line in out.lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        assert!(d["layers"]["tokens"].is_array());
    }
    let (code, _, _) = run(&["show", "0000000000000000", "--store", s]);
    assert_eq!(code, 1);

    // The republished copy of the sample article is its near-duplicate; nothing else is.
    let (code, out, err) = run(&["dedup", "--store", s, "--json"]);
    assert_eq!(code, 0, "{err}");
    let groups: Value = serde_json::from_str(&out).unwrap();
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 1, "{out}");
    let ids: Vec<String> =
        groups[0]["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
    let texts: Vec<String> = ids
        .iter()
        .map(|id| {
            serde_json::from_str::<Value>(&run(&["show", id, "--store", s, "--json"]).1).unwrap()["meta"]["input"]
                ["origin"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(texts, ["examples/alaska-summit.txt", "examples/alaska-summit-copy.txt"]);
    assert_eq!(groups[0]["canonical"], ids[0].as_str(), "the earlier publication is canonical");
}

#[test]
fn bad_records_are_skipped_counted_and_named() {
    let dir = tmp();
    let store = dir.path().join("store");
    let jsonl = dir.path().join("mixed.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            "{\"url\": \"https://a.example/1\", \"title\": \"One\", \"text\": \"The first good article. It has text.\"}\n",
            "this is not json\n",
            "{\"url\": \"https://a.example/3\", \"title\": \"No text\"}\n",
            "{\"url\": \"https://a.example/4\", \"title\": \"Four\", \"text\": \"The second good article. It also has text.\"}\n",
        ),
    )
    .unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let s = store.to_str().unwrap();
    let (code, out, err) =
        run(&["ingest", jsonl.to_str().unwrap(), empty.to_str().unwrap(), "--store", s, "--json", "-q"]);
    assert_eq!(code, 1, "bad records make exit code 1\n{out}\n{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["inserted"], 2, "{r}");
    assert!(r["errors"].as_u64().unwrap() >= 2, "{r}");
    assert!(err.contains("mixed.jsonl:2"), "error names file and line: {err}");
    assert!(err.contains("mixed.jsonl:3"), "error names file and line: {err}");

    // --strict stops at the first bad record; what was stored before stays.
    let (code, out, _) = run(&["ingest", jsonl.to_str().unwrap(), "--store", s, "--json", "-q", "--strict"]);
    assert_eq!(code, 1);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert!(r["stopped_by"].as_str().is_some(), "{r}");
    assert_eq!(r["store_total"], 2);

    let (code, _, err) = run(&["ingest", "/no/such/file.txt", "--store", s, "-q"]);
    assert_eq!(code, 1);
    assert!(err.contains("/no/such/file.txt"), "{err}");
}

/// Writes `n` distinct JSONL articles.
fn corpus(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let body = format!(
            "Report number {i} from the northern district. Officials said {i} families were moved after the river rose. \
             The mayor promised help within {} days.\n\nResidents of block {i} described the night.",
            i % 7 + 1
        );
        let line = serde_json::json!({"url": format!("https://news.example/r/{i}"), "title": format!("Report {i}"), "text": body, "published": "2025-08-10T10:00:00Z"});
        writeln!(f, "{line}").unwrap();
    }
}

#[test]
fn kill_dash_nine_mid_ingest_then_rerun_loses_nothing() {
    let dir = tmp();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let input = dir.path().join("big.jsonl");
    let n = 6000;
    corpus(&input, n);
    let mut child = bin()
        .args(["ingest", input.to_str().unwrap(), "--store", s, "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the store has some committed articles (or after a while).
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let (_, out, _) = run(&["stats", "--store", s, "--json"]);
        let done = serde_json::from_str::<Value>(&out).ok().and_then(|v| v["documents"].as_u64()).unwrap_or(0);
        if done > 0 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (code, out, err) = run(&["ingest", input.to_str().unwrap(), "--store", s, "--json", "-q"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["store_total"].as_u64().unwrap(), n as u64, "{r}");
    let (_, out, _) = run(&["stats", "--store", s, "--json"]);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["indexed_seq"], st["last_seq"], "index caught up: {st}");
    let (_, out, _) = run(&["search", "", "--store", s, "--json", "--limit", "0"]);
    let all: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(all["total"].as_u64().unwrap(), n as u64, "every article searchable exactly once");
}

fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn serve_answers_the_api_and_survives_hostile_queries() {
    let dir = tmp();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    assert_eq!(run(&["ingest", "examples", "--store", s, "-q"]).0, 0);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = bin()
        .args(["serve", "--store", s, "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = std::panic::catch_unwind(|| {
        let (st, body) = http_get(port, "/health");
        assert_eq!(st, 200, "{body}");
        let h: Value = serde_json::from_str(&body).unwrap();
        assert!(h["articles"].as_u64().unwrap() >= 10);

        let (st, body) = http_get(port, "/search?q=Putin%20Alaska&limit=3");
        assert_eq!(st, 200, "{body}");
        let r: Value = serde_json::from_str(&body).unwrap();
        assert!(r["total"].as_u64().unwrap() >= 3);
        let id = r["hits"][0]["id"].as_str().unwrap().to_string();

        let (st, body) = http_get(port, &format!("/articles/{id}"));
        assert_eq!(st, 200);
        let d: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(d["id"], id.as_str());

        let (st, body) = http_get(port, "/search?mentioned_from=2025-08-15&mentioned_to=2025-08-15");
        assert_eq!(st, 200, "{body}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["total"].as_u64().unwrap() >= 1, "{body}");

        let (st, body) = http_get(port, "/articles?limit=2");
        assert_eq!(st, 200);
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"].as_array().unwrap().len(), 2);

        for hostile in [
            "/search?q=%22unbalanced",
            "/search?q=title%3A%28%28%28",
            "/search?q=*",
            "/search?q=nofield%3Ax%20AND%20OR%20NOT",
            "/search?q=%00%01%02",
            &format!("/search?q={}", "a".repeat(5000)),
            "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "/search?q=%FF%FE", // invalid UTF-8: decoded lossily, never an error
        ] {
            let (st, body) = http_get(port, hostile);
            assert_eq!(st, 200, "{hostile}: {body}");
            assert!(serde_json::from_str::<Value>(&body).is_ok(), "{hostile}: {body}");
        }
        let (st, body) = http_get(port, "/quotes?speaker=org:isw&limit=5");
        assert_eq!(st, 200, "{body}");
        let q: Value = serde_json::from_str(&body).unwrap();
        assert!(q["total"].as_u64().unwrap() >= 2, "{body}");
        assert_eq!(q["items"][0]["speaker"]["id"], "org:isw", "{body}");
        let (st, body) = http_get(port, "/quotes?q=territories&kind=partial");
        assert_eq!(st, 200, "{body}");
        assert!(body.contains("exchanging territories"), "{body}");
        let (st, body) = http_get(port, "/entities/per%3Adonald-trump?limit=1");
        assert_eq!(st, 200, "{body}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["quotes"]["total"].as_u64().unwrap() >= 2, "{body}");
        let (st, body) = http_get(port, "/search?q=territories&limit=20");
        assert_eq!(st, 200, "{body}");
        let r: Value = serde_json::from_str(&body).unwrap();
        assert!(r["hits"].as_array().unwrap().iter().any(|h| h["quotes_match"] == true), "{body}");

        for hostile in [
            "/quotes?q=%22unbalanced",
            "/quotes?q=*",
            "/quotes?q=NEAR(a%20b)%20OR%20NOT%20AND",
            "/quotes?q=content%3Ax%20%7Bcontent%7D%3A%20x",
            "/quotes?q=%00%01%02",
            "/quotes?q=%27%3B%20DROP%20TABLE%20quotes%3B%20--",
            "/quotes?q=%FF%FE",
            "/quotes?q=((((((((((((((((((((a",
            "/quotes?speaker=%27%20OR%201%3D1%20--",
            "/quotes?q=-a%20-b",
        ] {
            let (st, body) = http_get(port, hostile);
            assert_eq!(st, 200, "{hostile}: {body}");
            assert!(serde_json::from_str::<Value>(&body).unwrap()["items"].is_array(), "{hostile}: {body}");
        }
        let long_q = format!("/quotes?q={}", "a".repeat(501));
        for (bad, want) in [
            ("/quotes?kind=sung", 400),
            ("/quotes?limit=1001", 400),
            ("/quotes?limit=-1", 400),
            ("/quotes?offset=x", 400),
            ("/quotes?speaker=%01", 400),
            ("/quotes?bogus=1", 400),
            (long_q.as_str(), 400),
        ] {
            let (st, body) = http_get(port, bad);
            assert_eq!(st, want, "{bad}: {body}");
            let e: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{bad}: not JSON: {body}"));
            let name = bad.trim_start_matches("/quotes?").split('=').next().unwrap();
            assert!(e["error"]["message"].as_str().unwrap().contains(name), "{bad}: {body}");
        }
        for (bad, want) in [
            ("/search?from=yesterday", 400),
            ("/search?limit=-1", 400),
            ("/search?bogus=1", 400),
            ("/search?mentioned_from=next%20week", 400),
            ("/articles/not%20an%20id", 400),
            ("/articles/ffffffffffffffff", 404),
            ("/nowhere", 404),
        ] {
            let (st, body) = http_get(port, bad);
            assert_eq!(st, want, "{bad}: {body}");
            let e: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{bad}: not JSON: {body}"));
            assert!(e["error"]["message"].is_string(), "{bad}: {body}");
        }
    });
    child.kill().ok();
    child.wait().ok();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn entities_entity_and_search_by_entity() {
    // Checks relations between the commands' outputs, not particular entities, so that it
    // holds whatever the NER model finds.
    let dir = tmp();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["entities", "--store", s, "--json", "--limit", "5"]);
    assert_eq!(code, 0, "{err}");
    let page: Value = serde_json::from_str(&out).unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the examples mention entities: {page}");
    let counts: Vec<u64> = items.iter().map(|e| e["articles"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most articles first: {counts:?}");
    let top = &items[0];
    let id = top["id"].as_str().unwrap();

    let (code, out, err) = run(&["entity", id, "--store", s, "--json", "--limit", "50"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["id"], id);
    assert_eq!(d["appears_in"]["total"], top["articles"]);
    let dates: Vec<&str> =
        d["appears_in"]["items"].as_array().unwrap().iter().filter_map(|a| a["published"].as_str()).collect();
    assert!(!dates.is_empty());

    let (code, out, err) = run(&["search", "--store", s, "--json", "--entity", id, "--limit", "0"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["total"], top["articles"], "search --entity finds the entity's articles");
    assert_eq!(r["facets"]["entities"][0]["count"], top["articles"]);
    let (_, out, _) = run(&["search", "--store", s, "--json", "--entity", id, "--entity", "per:nobody-at-all"]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["total"], 0, "entity filters combine with AND");

    let (code, out, err) = run(&["entities", "--store", s, "--limit", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().nth(1).unwrap().starts_with("id "), "{out}");
    assert!(out.contains(id), "{out}");
    let (code, out, _) = run(&["entity", id, "--store", s]);
    assert_eq!(code, 0);
    assert!(out.starts_with(id) && out.contains("newest first"), "{out}");

    let (code, _, err) = run(&["entity", "per:nobody-at-all", "--store", s]);
    assert_eq!(code, 1);
    assert!(err.contains("no entity"), "{err}");
    let (code, _, err) = run(&["entities", "--store", s, "--kind", "planet"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn quotes_by_speaker_and_words_in_entity_and_search() {
    let dir = tmp();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // The Institute for the Study of War's two statements in the sample article.
    let (code, out, err) = run(&["quotes", "--store", s, "--speaker", "org:isw"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("uninterested in the end of his war"), "{out}");
    assert!(out.contains("Russia can outlive Ukraine and the West"), "{out}");
    assert!(out.contains("Institute for the Study of War [org:isw]"), "{out}");
    let (code, out, err) = run(&["quotes", "--store", s, "--speaker", "org:isw", "--json", "--limit", "100"]);
    assert_eq!(code, 0, "{err}");
    let page: Value = serde_json::from_str(&out).unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(items.len() >= 2 && items.len() as u64 == page["total"].as_u64().unwrap(), "{page}");
    assert!(items.iter().all(|q| q["speaker"]["id"] == "org:isw"), "{page}");
    let dates: Vec<&str> = items.iter().filter_map(|q| q["article"]["published"].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest articles first");
    // Words: Trump's "exchanging territories", found by a stemmed word.
    let (code, out, err) = run(&["quotes", "--store", s, "--q", "territories", "--json"]);
    assert_eq!(code, 0, "{err}");
    let page: Value = serde_json::from_str(&out).unwrap();
    assert!(
        page["items"].as_array().unwrap().iter().any(|q| q["speaker"]["id"] == "per:donald-trump"
            && q["text"].as_str().unwrap().contains("exchanging territories")),
        "{page}"
    );
    let (code, out, _) = run(&["quotes", "--store", s, "--q", "territory", "--speaker", "per:donald-trump"]);
    assert_eq!(code, 0);
    assert!(out.contains("exchanging territories"), "{out}");
    let (code, out, _) = run(&["quotes", "--store", s, "--q", "\"unbalanced (((", "--kind", "direct"]);
    assert_eq!(code, 0, "hostile words are no error");
    assert!(out.starts_with("0 quotes"), "{out}");
    let (code, _, err) = run(&["quotes", "--store", s, "--kind", "sung"]);
    assert_eq!(code, 2, "{err}");
    // What Trump said, in his entity page.
    let (code, out, err) = run(&["entity", "per:donald-trump", "--store", s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("said ") && out.contains("quotes, newest articles first"), "{out}");
    assert!(out.contains("Donald Trump [per:donald-trump] ("), "{out}");
    let (_, out, _) = run(&["entity", "per:donald-trump", "--store", s, "--json"]);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert!(d["quotes"]["total"].as_u64().unwrap() >= 2, "{}", d["quotes"]);
    assert!(d["quotes"]["items"].as_array().unwrap().iter().all(|q| q["speaker"]["id"] == "per:donald-trump"));
    // Search hits carry their quotes that contain the query's words.
    let (code, out, err) = run(&["search", "territories", "--store", s, "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let hits = r["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| h["quotes"].as_array().map_or(0, Vec::len) <= 3));
    assert!(
        hits.iter().any(|h| h["quotes_match"] == true
            && h["quotes"].as_array().unwrap().iter().any(|q| q["text"].as_str().unwrap().contains("territor"))),
        "{out}"
    );
    let (_, out, _) = run(&["search", "territories", "--store", s]);
    assert!(out.contains("     quote: "), "{out}");
}

/// The sample article's machine-translated names come out repaired and linked, each with a
/// confidence and evidence, and no person is labelled an organization. (The mechanism is
/// tested on other names and corruptions in `crates/link` and `crates/kb`.)
#[test]
fn analyze_sample_repairs_and_links_names() {
    let (code, out, err) = run(&["analyze", "examples/alaska-summit.txt", "--json"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    let text = d["text"].as_str().unwrap();
    let entities = d["layers"]["entities"].as_array().unwrap();
    let mentions = d["layers"]["mentions"].as_array().unwrap();
    let linked: Vec<(String, String, &Value)> = mentions
        .iter()
        .filter_map(|m| {
            let (a, b) = (m["span"][0].as_u64()? as usize, m["span"][1].as_u64()? as usize);
            let e = &entities[m["entity"].as_u64()? as usize];
            Some((text[a..b].to_string(), e["id"].as_str()?.to_string(), m))
        })
        .collect();
    // (as written, the entity it must resolve to)
    for (written, id) in [
        ("Ci Jinping", "per:xi-jinping"),
        ("XI", "per:xi-jinping"),
        ("Steve Vikof", "per:steve-witkoff"),
        ("Volodimir Zelenski", "per:volodymyr-zelenskyy"),
        ("Zelenski", "per:volodymyr-zelenskyy"),
        ("Kiev", "loc:gn-703448"),
        ("Denpropetrovsk", "loc:ua-dnipropetrovsk"),
        ("sums", "loc:ua-sumy"),
        ("Warri Wash Institute", "org:isw"),
        ("Crem", "org:kremlin"),
        ("Trump", "per:donald-trump"),
        ("Putin", "per:vladimir-putin"),
        ("the Russian leader", "per:vladimir-putin"),
    ] {
        let hit = linked.iter().find(|(w, i, _)| w == written && i == id);
        let Some((_, _, m)) = hit else {
            panic!(
                "{written} → {id} missing; got {:?}",
                linked.iter().filter(|l| l.0 == written).map(|l| &l.1).collect::<Vec<_>>()
            )
        };
        let link = &m["link"];
        assert!(link["confidence"].as_f64().unwrap() > 0.5, "{written}: {link}");
        assert!(!link["evidence"].as_array().unwrap().is_empty(), "{written}: {link}");
    }
    for (w, _, m) in &linked {
        if ["Trump", "Putin", "Donald Trump", "Vladimir Putin", "Joe Biden", "Sergei Markov"].contains(&w.as_str()) {
            assert_eq!(m["type"], "person", "{w} is typed {}", m["type"]);
        }
    }
    let xi = entities.iter().find(|e| e["id"] == "per:xi-jinping").unwrap();
    assert!(xi["repaired"].as_array().unwrap().iter().any(|r| r == "Ci Jinping"), "{xi}");
    let sumy = entities.iter().find(|e| e["id"] == "loc:ua-sumy").unwrap();
    assert_eq!(sumy["geo"]["country"], "UA");
}

/// `newsgraph.toml` (or `$NEWSGRAPH_CONFIG`) gives `--store` its default; the command line and
/// the environment win; a bad file is an error naming it.
#[test]
fn the_configuration_file_names_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("configured-store");
    let (code, _, err) = run(&["ingest", "examples/alaska-summit.txt", "--store", store.to_str().unwrap(), "-q"]);
    assert_eq!(code, 0, "{err}");
    let conf = tmp.path().join("newsgraph.toml");
    std::fs::write(&conf, format!("# where the articles are\nstore = {:?}\n", store.to_str().unwrap())).unwrap();
    let stats = |c: &mut std::process::Command| {
        let out = c.args(["stats", "--json"]).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Found in the working directory, and through NEWSGRAPH_CONFIG.
    let (code, out, err) = stats(bin().current_dir(tmp.path()));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"documents\": 1"), "{out}");
    let (code, out, _) = stats(bin().env("NEWSGRAPH_CONFIG", &conf));
    assert_eq!((code, out.contains("\"documents\": 1")), (Some(0), true), "{out}");
    // The environment wins over the file.
    let other = tmp.path().join("other");
    let (code, _, err) = stats(bin().current_dir(tmp.path()).env("NEWSGRAPH_STORE", &other));
    assert_eq!(code, Some(2), "no store there: {err}");
    assert!(err.contains(other.to_str().unwrap()), "{err}");
    // A bad file: exit 2, the file and the problem named.
    std::fs::write(&conf, "store = 5\n").unwrap();
    let (code, _, err) = stats(bin().current_dir(tmp.path()));
    assert_eq!(code, Some(2));
    assert!(err.contains("newsgraph.toml") && err.contains("store must be a string"), "{err}");
    let (code, _, err) = stats(bin().env("NEWSGRAPH_CONFIG", tmp.path().join("missing.toml")));
    assert_eq!(code, Some(2));
    assert!(err.contains("missing.toml"), "{err}");
}
