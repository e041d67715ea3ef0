//! `POST /analyze/feed` of the real `newsgraph serve`: the feed is served by a loopback
//! listener in this test (no internet), the server fetches it with `newsgraph-ingest`, runs
//! the pipeline on its items and answers them; unreachable URLs, pages that are not feeds,
//! error statuses and answers over the size limit are clear errors naming the URL.
mod common;

use common::{bin, repo_root, run};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A feed of `n` items, each a short article of its own.
fn many_items(n: usize) -> String {
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Many</title>");
    for i in 0..n {
        x.push_str(&format!(
            "<item><title>Item {i}</title><link>https://w.example/{i}</link>\
             <description>Officials in Berlin said on Monday that talks number {i} would go on.</description></item>"
        ));
    }
    x.push_str("</channel></rss>\n");
    x
}

/// Serves a few paths on a loopback port, one thread per connection, until the test ends.
fn feed_site() -> SocketAddr {
    let feed = std::fs::read(repo_root().join("examples/feed.xml")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { continue };
            let feed = feed.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(c.try_clone().unwrap());
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split(' ').nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let (status, ct, body): (&str, &str, Vec<u8>) = match path.as_str() {
                    "/feed.xml" => ("200 OK", "application/rss+xml", feed),
                    "/many.xml" => ("200 OK", "application/rss+xml", many_items(25).into_bytes()),
                    "/moved" => ("301 Moved Permanently", "text/plain", Vec::new()),
                    "/page.html" => (
                        "200 OK",
                        "text/html; charset=utf-8",
                        b"<!doctype html><html><body><p>Not a feed.</p></body></html>".to_vec(),
                    ),
                    "/big.xml" => {
                        let mut b = many_items(1).into_bytes();
                        b.resize(6 * 1024 * 1024, b' ');
                        ("200 OK", "application/rss+xml", b)
                    }
                    _ => ("404 Not Found", "text/plain", b"no such page".to_vec()),
                };
                let location = if path == "/moved" { "Location: /feed.xml\r\n" } else { "" };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n{location}Connection: close\r\n\r\n",
                    body.len()
                );
                let _ = c.write_all(head.as_bytes());
                let _ = c.write_all(&body);
            });
        }
    });
    addr
}

/// POSTs `body` as JSON to `/analyze/feed`; returns the status and the JSON answer.
fn post(server: SocketAddr, body: &str) -> (u16, Value) {
    let mut c = TcpStream::connect(server).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        c,
        "POST /analyze/feed HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let status = raw.split(' ').nth(1).unwrap().parse().unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")))
}

fn post_url(server: SocketAddr, url: &str) -> (u16, Value) {
    post(server, &serde_json::json!({ "url": url }).to_string())
}

/// Asserts an API error: its status, code, and words of its message.
fn assert_error(got: &(u16, Value), status: u16, code: &str, words: &[&str]) {
    let (st, body) = got;
    assert_eq!((*st, body["error"]["code"].as_str()), (status, Some(code)), "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    for w in words {
        assert!(message.contains(w), "{message:?} does not say {w:?}");
    }
}

fn start_server() -> (tempfile::TempDir, Server, SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples/alaska-summit.txt", "--store", s, "-q"]);
    assert_eq!(code, 0, "{err}");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = bin()
        .args(["serve", "--store", s, "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("newsgraph serve starts");
    let mut server = Server(child);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("newsgraph serve exited early: {status}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "newsgraph serve did not listen within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    (dir, server, addr)
}

#[test]
fn a_feed_url_is_fetched_and_its_items_analyzed() {
    let site = feed_site();
    let (_dir, _server, addr) = start_server();

    // The example feed, through a redirect: three items, analyzed, nothing stored.
    let url = format!("http://{site}/moved");
    let (st, feed) = post_url(addr, &url);
    assert_eq!(st, 200, "{feed}");
    assert_eq!(feed["url"], url.as_str());
    assert_eq!(feed["final_url"], format!("http://{site}/feed.xml"));
    assert_eq!(feed["more"], false);
    let items = feed["items"].as_array().unwrap();
    let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[0].starts_with("Alaska summit ends without ceasefire"), "{titles:?}");
    for item in items {
        let counts = &item["counts"];
        let doc = &item["document"];
        // The counts are the document's layers, and the pipeline ran (entities, events).
        for (k, layer) in
            [("entities", "entities"), ("quotes", "quotes"), ("events", "events"), ("mentions", "mentions")]
        {
            assert_eq!(counts[k].as_u64().unwrap(), doc["layers"][layer].as_array().map_or(0, |a| a.len() as u64));
        }
        assert!(counts["entities"].as_u64().unwrap() > 0, "{item}");
        assert!(counts["mentions"].as_u64().unwrap() > 0, "{item}");
        assert!(item["url"].as_str().unwrap().starts_with("http"), "{item}");
    }
    assert!(items.iter().any(|i| i["counts"]["events"].as_u64().unwrap() > 0), "no events in the feed's items");
    assert!(items.iter().any(|i| i["counts"]["quotes"].as_u64().unwrap() > 0), "no quotes in the feed's items");
    // Nothing stored: the store still holds the one article ingested.
    let (code, out, _) = run(&["stats", "--store", _dir.path().join("store").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains('1'), "{out}");

    // A long feed: its first 20 items, and `more`.
    let (st, many) = post_url(addr, &format!("http://{site}/many.xml"));
    assert_eq!(st, 200, "{many}");
    assert_eq!((many["items"].as_array().unwrap().len(), &many["more"]), (20, &Value::Bool(true)));
    assert_eq!(many["items"][19]["title"], "Item 19");

    // What is not a feed, or cannot be fetched: errors naming the URL.
    let page = format!("http://{site}/page.html");
    assert_error(&post_url(addr, &page), 422, "not_analyzable", &[&page, "not an RSS or Atom feed"]);
    let missing = format!("http://{site}/missing.xml");
    assert_error(&post_url(addr, &missing), 502, "fetch_failed", &[&missing, "404"]);
    let big = format!("http://{site}/big.xml");
    assert_error(&post_url(addr, &big), 502, "fetch_failed", &[&big, "larger than"]);
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let nowhere = format!("http://{closed}/feed.xml");
    assert_error(&post_url(addr, &nowhere), 502, "fetch_failed", &[&nowhere]);

    // Hostile URLs and bodies never reach the network: 400s.
    for url in ["file:///etc/passwd", "garbage", "javascript:alert(1)", "http://", "ftp://example.com/feed.xml", ""] {
        assert_error(&post_url(addr, url), 400, "bad_body", &[]);
    }
    assert_error(&post(addr, "{\"url\": 42}"), 400, "bad_body", &["url"]);
    assert_error(&post(addr, "not json"), 400, "bad_body", &["JSON"]);
}
