//! `newsgraph events` and `/events` on the examples store: filters, entity pages, hostile values.
mod common;

use common::{bin, repo_root, run};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

fn http_get(port: u16, path: &str) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let (mut out, mut rest) = (String::new(), body);
        while let Some((size, r)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&r[..n]);
            rest = &r[n + 2..];
        }
        out
    } else {
        body.to_string()
    };
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}")))
}

#[test]
fn events_command_filters_and_refuses_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let codes: HashSet<String> = std::fs::read_to_string(repo_root().join("crates/event/data/cameo.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();

    let all = json(&["events", "--store", s, "--json", "--limit", "1000"]);
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 20, "{total}");
    assert_eq!(items(&all).len() as u64, total);
    let days: Vec<&str> = items(&all).iter().filter_map(|e| e["day"].as_str()).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "latest day first");
    for e in items(&all) {
        assert!(codes.contains(e["code"].as_str().unwrap()), "{e}");
    }

    // The sample article's meeting in Alaska on 2025-08-15.
    let day = json(&["events", "--store", s, "--json", "--from", "2025-08-15", "--to", "2025-08-15", "--code", "036"]);
    assert!(items(&day).iter().all(|e| e["day"] == "2025-08-15" && e["code"].as_str().unwrap().starts_with("036")));
    assert!(items(&day).iter().any(|e| e["place"]["name"] == "Alaska"), "{day}");

    let putin = json(&["events", "--store", s, "--json", "--actor", "per:vladimir-putin", "--role", "source"]);
    assert!(putin["total"].as_u64().unwrap() >= 3, "{putin}");
    assert!(items(&putin).iter().all(|e| e["source"]["id"] == "per:vladimir-putin"));
    let rus = json(&["events", "--store", s, "--json", "--actor", "rus", "--limit", "1000"]);
    assert!(items(&rus).iter().all(|e| {
        [&e["source"]["code"], &e["target"]["code"]].iter().any(|c| c.as_str().is_some_and(|c| c.starts_with("RUS")))
    }));
    let fights = json(&["events", "--store", s, "--json", "--code", "19"]);
    assert!(fights["total"].as_u64().unwrap() >= 1);
    assert!(items(&fights).iter().all(|e| e["code"].as_str().unwrap().starts_with("19")));
    // Within 600 km of Anchorage: Alaska's places only.
    let near = json(&["events", "--store", s, "--json", "--near", "61.2,-149.9,600", "--limit", "1000"]);
    assert!(near["total"].as_u64().unwrap() >= 1, "{near}");
    for e in items(&near) {
        let (lat, lon) = (e["place"]["lat"].as_f64().unwrap(), e["place"]["lon"].as_f64().unwrap());
        assert!((lat - 61.2).abs() < 6.0 && (lon + 149.9).abs() < 25.0, "{e}");
    }

    // Text output.
    let (code, out, _) = run(&["events", "--store", s, "--code", "036", "--limit", "2"]);
    assert_eq!(code, 0);
    assert!(out.contains("036") && out.contains("latest first"), "{out}");

    // The entity page lists events as source and target.
    let d = json(&["entity", "per:vladimir-putin", "--store", s, "--json"]);
    assert!(d["events"]["as_source"]["total"].as_u64().unwrap() >= 3, "{d}");
    assert!(d["events"]["as_target"]["total"].as_u64().unwrap() >= 1, "{d}");
    let (code, out, _) = run(&["entity", "per:vladimir-putin", "--store", s]);
    assert_eq!(code, 0);
    assert!(out.contains("did ") && out.contains("done to it"), "{out}");

    // Bad values: a non-zero exit naming the option; odd but valid values match nothing.
    for (args, name) in [
        (vec!["--code", "' OR 1=1 --"], "--code"),
        (vec!["--code", "1"], "--code"),
        (vec!["--near", "91,0,1"], "--near"),
        (vec!["--near", "1,2"], "--near"),
        (vec!["--near", "0,0,-5"], "--near"),
        (vec!["--from", "yesterday"], "--from"),
        (vec!["--from", "2025-09-01", "--to", "2025-08-01"], "--from"),
        (vec!["--role", "source"], "--role"),
        (vec!["--actor", "a\u{1}b"], "--actor"),
    ] {
        let mut a = vec!["events", "--store", s];
        a.extend(args.iter());
        let (code, _, err) = run(&a);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(name), "{args:?}: {err}");
    }
    for actor in ["%", "_", "'; DROP TABLE events; --", "per:%"] {
        let v = json(&["events", "--store", s, "--json", "--actor", actor]);
        assert_eq!(v["total"], 0, "{actor}");
    }
    assert_eq!(json(&["events", "--store", s, "--json"])["total"].as_u64().unwrap(), total, "nothing dropped");

    // The same over HTTP.
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
        let (st, v) = http_get(port, "/events?code=036&from=2025-08-15&to=2025-08-15");
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["total"], day["total"]);
        let (st, v) = http_get(port, "/events?actor=per%3Avladimir-putin&role=source");
        assert_eq!((st, &v["total"]), (200, &putin["total"]));
        let (st, v) = http_get(port, "/events?near=61.2,-149.9,600&limit=1000");
        assert_eq!((st, &v["total"]), (200, &near["total"]));
        let (st, d) = http_get(port, "/entities/per%3Avladimir-putin");
        assert_eq!(st, 200);
        assert_eq!(d["events"]["as_source"]["total"], putin["total"]);
        for (path, name) in [
            ("/events?code=%27%20OR%201%3D1", "code"),
            ("/events?near=0,0,1e999", "near"),
            ("/events?near=%00", "near"),
            ("/events?from=2025-02-30", "from"),
            ("/events?to=%FF", "to"),
            ("/events?role=both&actor=RUS", "role"),
            ("/events?limit=100000", "limit"),
            ("/events?offset=-1", "offset"),
        ] {
            let (st, v) = http_get(port, path);
            assert_eq!(st, 400, "{path}: {v}");
            assert_eq!(v["error"]["code"], "bad_parameter");
            assert!(v["error"]["message"].as_str().unwrap().starts_with(name), "{path}: {v}");
        }
        for path in ["/events?actor=%25", "/events?actor=%22%3B--", "/events?actor=%F0%9F%92%A3"] {
            let (st, v) = http_get(port, path);
            assert_eq!((st, &v["total"]), (200, &Value::from(0)), "{path}: {v}");
        }
        let (st, v) = http_get(port, "/events?limit=1000");
        assert_eq!((st, v["total"].as_u64().unwrap()), (200, total), "still serving, nothing dropped");
    });
    child.kill().ok();
    child.wait().ok();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
