//! The web UI's routes (`/`, `/ui/{file}`) and `POST /analyze`, against the real server on a
//! loopback port. The browser end-to-end test is `crates/cli/tests/ui_browser.rs`.
mod common;

use axum::Router;
use newsgraph_model::{Document, DocumentBuilder};
use newsgraph_server::{Analyzer, MAX_ANALYZE_BYTES, UI_CSP};
use newsgraph_store::{EmbeddedStore, Store};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

struct Reply {
    status: u16,
    /// Header lines, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// The error code of an API error reply, checking its shape.
    fn error_code(&self) -> String {
        let j = self.json();
        assert_eq!(j["error"]["status"], self.status, "{j}");
        assert!(j["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{j}");
        j["error"]["code"].as_str().unwrap().to_string()
    }
}

fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut c = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    c.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body; a reset is then fine.
    let _ = c.write_all(body);
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = unchunk(&body);
    }
    Reply { status, headers, body }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 2 + n + 2..];
    }
    out
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target, &[], b"")
}

/// Serves `router` on a loopback port for the rest of the test process.
fn serve(router: Router) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    addr
}

fn empty_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    drop(EmbeddedStore::open(dir.path()).unwrap());
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open_read_only(dir.path()).unwrap());
    (dir, store)
}

/// A stand-in for the engine (this crate does not depend on it): the text as one document;
/// "FAIL" is refused.
fn test_analyzer() -> Analyzer {
    Arc::new(|text: &str| -> Result<Document, String> {
        if text.contains("FAIL") {
            return Err("no article found in the text".into());
        }
        Ok(DocumentBuilder::new(text).build())
    })
}

/// The UI files a page or module refers to, as paths under `/ui/`: `src="/ui/x"`,
/// `href="/ui/x"`, and `from "./x.js"` or `import("./x.js")` relative to `dir` (the
/// referring file's folder under `/ui/`, with its trailing slash, or "").
fn references(text: &str, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (pat, prefix) in [("\"/ui/", ""), ("from \"./", dir), ("import(\"./", dir)] {
        let mut rest = text;
        while let Some(i) = rest.find(pat) {
            rest = &rest[i + pat.len()..];
            let end = rest.find('"').unwrap();
            out.push(format!("{prefix}{}", &rest[..end]));
        }
    }
    out
}

#[test]
fn index_and_assets_are_served_with_the_ui_policy() {
    let s = common::start_with(Vec::new(), |_| {});
    let index = get(s.addr, "/");
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(index.header("content-security-policy"), Some(UI_CSP));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("x-frame-options"), Some("DENY"));
    let html = index.text();
    // Assets are named under this build's version, kept for good; the index is revalidated.
    let version =
        html.split("\"/ui/v/").nth(1).and_then(|r| r.split('/').next()).expect("versioned assets").to_string();
    assert!(version.len() == 16 && version.bytes().all(|b| b.is_ascii_hexdigit()), "{version}");
    assert_eq!(html.matches("\"/ui/").count(), html.matches(&format!("\"/ui/v/{version}/")).count(), "{html}");
    assert!(html.contains(&format!(r#"<script type="module" src="/ui/v/{version}/app.js"></script>"#)), "{html}");
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let tag = index.header("etag").expect("the index has an ETag").to_string();
    let again = request(s.addr, "GET", "/", &[("If-None-Match", &tag)], b"");
    assert_eq!((again.status, again.body.len()), (304, 0));
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    // No inline code or style: the policy would block it.
    assert_eq!(html.matches("<script").count(), html.matches("<script type=\"module\" src=").count(), "{html}");
    assert!(!html.contains("<style") && !html.contains("style="), "{html}");
    let handler = html.split(" on").skip(1).any(|rest| {
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        !name.is_empty() && rest[name.len()..].starts_with('=')
    });
    assert!(!handler, "inline event handler: {html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "no other hosts: {html}");
    assert_eq!(get(s.addr, "/index.html").text(), html);

    // Every file the page and its modules refer to is served, with its type and policy.
    let mut todo = references(&html, "");
    let mut seen = Vec::new();
    while let Some(f) = todo.pop() {
        if seen.contains(&f) {
            continue;
        }
        let r = get(s.addr, &format!("/ui/{f}"));
        assert_eq!(r.status, 200, "/ui/{f}");
        let want = match f.rsplit('.').next().unwrap() {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(r.header("content-type"), Some(want), "/ui/{f}");
        assert_eq!(r.header("content-security-policy"), Some(UI_CSP), "/ui/{f}");
        assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"), "/ui/{f}");
        let text = r.text();
        if f.ends_with(".js") {
            // Untrusted strings become text nodes; markup is never parsed from strings.
            for banned in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                assert!(!text.contains(banned), "/ui/{f} uses {banned}");
            }
            let dir = f.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
            todo.extend(references(&text, &dir));
        }
        assert!(f.starts_with(&format!("v/{version}/")), "/ui/{f} is not under the version");
        seen.push(f);
    }
    for page in [
        "boot.js",
        "app.js",
        "search.js",
        "story.js",
        "entity.js",
        "article.js",
        "map.js",
        "ingest.js",
        "lists.js",
        "style.css",
    ] {
        assert!(
            seen.iter().any(|f| f.rsplit('/').next() == Some(page)),
            "{page} is not reachable from the index: {seen:?}"
        );
    }

    // Unversioned, and under another build's version: served, but revalidated by ETag.
    for path in ["/ui/app.js".to_string(), "/ui/v/0123456789abcdef/app.js".to_string()] {
        let r = get(s.addr, &path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(r.text(), get(s.addr, &format!("/ui/v/{version}/app.js")).text(), "{path}");
        let tag = r.header("etag").expect("an ETag").to_string();
        let again = request(s.addr, "GET", &path, &[("If-None-Match", &tag)], b"");
        assert_eq!((again.status, again.body.len()), (304, 0), "{path}");
        let changed = request(s.addr, "GET", &path, &[("If-None-Match", "\"other\"")], b"");
        assert_eq!(changed.status, 200, "{path}");
    }
    assert_eq!(get(s.addr, &format!("/ui/v/{version}/nope.js")).status, 404);

    let missing = get(s.addr, "/ui/nope.js");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "not_found");
    assert_eq!(get(s.addr, "/ui/..%2Fsrc%2Flib.rs").status, 404);
    // The API keeps its own, stricter policy.
    let health = get(s.addr, "/health");
    assert_eq!(health.header("content-security-policy"), Some("default-src 'none'; frame-ancestors 'none'"));
}

#[test]
fn analyze_without_an_analyzer_says_so() {
    let s = common::start_with(Vec::new(), |_| {});
    let r = request(s.addr, "POST", "/analyze", &[("Content-Type", "text/plain")], b"Trump met Putin.");
    assert_eq!(r.status, 501);
    assert_eq!(r.error_code(), "not_implemented");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("analyzer"));
}

#[test]
fn analyze_runs_the_analyzer_and_checks_the_body() {
    let (_dir, store) = empty_store();
    let addr = serve(newsgraph_server::router_with(store, Some(test_analyzer())));
    let text = "Trump met Putin in Alaska.\n2025-08-15 10:00:00";

    // Plain text and JSON bodies give the analyzer the same text; the answer is the document.
    let plain = request(addr, "POST", "/analyze", &[("Content-Type", "text/plain; charset=utf-8")], text.as_bytes());
    assert_eq!(plain.status, 200, "{}", plain.text());
    assert_eq!(plain.header("content-type"), Some("application/json"));
    assert_eq!(plain.header("content-security-policy"), Some("default-src 'none'; frame-ancestors 'none'"));
    let doc = plain.json();
    assert_eq!(doc["text"], DocumentBuilder::new(text).build().text());
    assert_eq!(doc["schema_version"], 1);
    let body = serde_json::to_vec(&serde_json::json!({"text": text})).unwrap();
    let json = request(addr, "POST", "/analyze", &[("Content-Type", "application/json")], &body);
    assert_eq!(json.status, 200, "{}", json.text());
    assert_eq!(json.json(), doc);
    // No content type: read as text.
    assert_eq!(request(addr, "POST", "/analyze", &[], text.as_bytes()).json(), doc);

    let bad = |ct: &str, body: &[u8]| request(addr, "POST", "/analyze", &[("Content-Type", ct)], body);
    for (ct, body) in [
        ("application/json", &b"{\"text\": "[..]),
        ("application/json", b"[\"text\"]"),
        ("application/json", b"{\"text\": 3}"),
        ("application/json", b"{\"body\": \"x\"}"),
        ("application/json", b"{\"text\": \"x\", \"more\": 1}"),
        ("application/json", b"{\"text\": \"  \"}"),
        ("text/plain", b""),
        ("text/plain", b" \n\t "),
        ("text/plain", b"caf\xe9 au lait"),
    ] {
        let r = bad(ct, body);
        assert_eq!((r.status, r.error_code().as_str()), (400, "bad_body"), "{ct} {:?}", String::from_utf8_lossy(body));
    }
    let refused = bad("text/plain", b"FAIL");
    assert_eq!((refused.status, refused.error_code().as_str()), (422, "not_analyzable"));
    assert!(refused.text().contains("no article found"), "{}", refused.text());

    let mut big = "word ".repeat(MAX_ANALYZE_BYTES / 5 + 10).into_bytes();
    big.truncate(MAX_ANALYZE_BYTES + 1);
    let r = bad("text/plain", &big);
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"));
    // At the limit it is accepted.
    big.truncate(MAX_ANALYZE_BYTES);
    assert_eq!(bad("text/plain", &big).status, 200);

    let r = get(addr, "/analyze");
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
    // The UI and the API are served beside it.
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(get(addr, "/health").status, 200);
}

/// `POST /analyze/feed` with a stand-in reader (the binary's, which fetches with
/// `newsgraph-ingest`, is tested against a loopback feed in `crates/cli/tests/serve_feed.rs`):
/// the URL is checked before the reader is called; the reader's items and errors are answered.
#[test]
fn analyze_feed_checks_the_url_and_answers_the_items() {
    use newsgraph_server::{FeedError, FeedItems, FeedLimits, FeedReader, FEED_LIMITS};
    use std::sync::Mutex;
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = asked.clone();
    let reader: FeedReader = Arc::new(move |url: &str, limits: &FeedLimits| {
        log.lock().unwrap().push(url.to_string());
        assert_eq!(limits, &FEED_LIMITS);
        if url.ends_with("/down") {
            return Err(FeedError::Fetch(format!("{url}: fetch failed: connection refused")));
        }
        if url.ends_with("/page") {
            return Err(FeedError::NotFeed(format!("{url}: not an RSS or Atom feed")));
        }
        let doc = DocumentBuilder::new("Trump met Putin in Alaska.").build();
        Ok(FeedItems {
            final_url: url.to_string(),
            items: vec![Ok(doc), Err("item 2: no article text".into())],
            more: true,
        })
    });
    let (_dir, store) = empty_store();
    let addr = serve(newsgraph_server::router_with_feeds(store, None, Some(reader)));
    let post =
        |body: &str| request(addr, "POST", "/analyze/feed", &[("Content-Type", "application/json")], body.as_bytes());
    let post_url = |url: &str| post(&serde_json::json!({ "url": url }).to_string());

    let r = post_url("https://feeds.example/rss.xml");
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (&j["url"], &j["final_url"], &j["more"]),
        (&"https://feeds.example/rss.xml".into(), &"https://feeds.example/rss.xml".into(), &true.into())
    );
    assert_eq!(j["items"][0]["document"]["text"], "Trump met Putin in Alaska.");
    assert_eq!(j["items"][0]["counts"]["events"], 0);
    assert_eq!(j["items"][1]["error"], "item 2: no article text");
    let r = post_url("http://feeds.example/down");
    assert_eq!((r.status, r.error_code().as_str()), (502, "fetch_failed"));
    assert!(r.text().contains("http://feeds.example/down"), "{}", r.text());
    let r = post_url("HTTP://feeds.example/page");
    assert_eq!((r.status, r.error_code().as_str()), (422, "not_analyzable"));
    assert_eq!(asked.lock().unwrap().len(), 3);

    // Hostile URLs and bodies: 400s naming the problem, and the reader is never called.
    let long = format!("https://x.example/{}", "a".repeat(2100));
    for url in [
        "file:///etc/passwd",
        "garbage",
        "",
        "javascript:alert(1)",
        "ftp://feeds.example/rss.xml",
        "http://",
        "https:///rss.xml",
        "http://user@/rss.xml",
        "http://feeds.example/a b",
        "http://feeds.example/\u{0}",
        long.as_str(),
    ] {
        let r = post_url(url);
        assert_eq!((r.status, r.error_code().as_str()), (400, "bad_body"), "{url:?}: {}", r.text());
    }
    for body in ["{\"url\": 3}", "{}", "{\"url\": \"https://a.example\", \"x\": 1}", "[]", "not json"] {
        let r = post(body);
        assert_eq!((r.status, r.error_code().as_str()), (400, "bad_body"), "{body}: {}", r.text());
    }
    let r = request(addr, "POST", "/analyze/feed", &[("Content-Type", "text/plain")], b"https://feeds.example/rss.xml");
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_body"));
    let r = post(&format!("{{\"url\": \"{}\"}}", "a".repeat(20_000)));
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"));
    assert_eq!(asked.lock().unwrap().len(), 3, "no hostile URL reached the reader");
    let r = get(addr, "/analyze/feed");
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));

    // A server without a feed reader says so.
    let (_dir2, store) = empty_store();
    let bare = serve(newsgraph_server::router(store));
    let r = request(
        bare,
        "POST",
        "/analyze/feed",
        &[("Content-Type", "application/json")],
        b"{\"url\": \"https://a.example/\"}",
    );
    assert_eq!((r.status, r.error_code().as_str()), (501, "not_implemented"));
}
