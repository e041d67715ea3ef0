//! The scale-out path against a real `nats-server` (JetStream) started by the test on a free
//! loopback port: `cluster init`, `ingest --nats` (repeats dropped by `Nats-Msg-Id`),
//! `worker` (stores each article once), a worker SIGKILLed mid-run losing nothing, a malformed
//! message ending in the dead-letter stream with its error, and the whole scale-out scenario:
//! three workers on PostgreSQL (one SIGKILLed) and two corpus processes (the elected leader
//! SIGKILLed, the standby taking over) on a 3-node JetStream cluster whose stream leader is
//! SIGKILLed, ending equal to one process's embedded store.
//!
//! Needs `nats-server` on the PATH (or in /usr/sbin; Debian package `nats-server`, installed by
//! `scripts/ci/nats.sh`) and, for the PostgreSQL scenario, `NEWSGRAPH_TEST_PG`
//! (`scripts/ci/postgres.sh start`). Without them the tests are skipped with a printed reason,
//! except in CI, where they fail.
mod common;

use common::{bin, run};
use newsgraph_cluster::async_nats;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nats {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nats_binary() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("nats-server")).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/nats-server"), PathBuf::from("/usr/bin/nats-server")])
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("nats-server is missing (CI installs it with scripts/ci/nats.sh)");
        }
        eprintln!("SKIPPED: nats-server not found (apt-get install nats-server, or scripts/ci/nats.sh)");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A JetStream-enabled server on a free loopback port with its own store folder.
fn start_nats() -> Option<Nats> {
    let exe = nats_binary()?;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(exe)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nats-server did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Nats { child, url: format!("nats://127.0.0.1:{port}"), _dir: dir })
}

/// A 3-node JetStream cluster (servers `n1`…`n3`) on free loopback ports; its URL lists all three.
fn start_nats_cluster() -> Option<(Vec<Nats>, String)> {
    let exe = nats_binary()?;
    let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
    let routes = ports.iter().map(|(_, c)| format!("nats://127.0.0.1:{c}")).collect::<Vec<_>>().join(",");
    let mut nodes = Vec::new();
    for (i, (port, cport)) in ports.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(&exe)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-n", &format!("n{}", i + 1)])
            .args([
                "--cluster_name",
                "ng",
                "--cluster",
                &format!("nats://127.0.0.1:{cport}"),
                "--routes",
                &routes,
                "-sd",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        nodes.push(Nats { child, url: format!("nats://127.0.0.1:{port}"), _dir: dir });
    }
    let url = nodes.iter().map(|n| n.url.clone()).collect::<Vec<_>>().join(",");
    Some((nodes, url))
}

/// `n` distinct short articles as JSONL (each a different story sentence and date).
fn articles(dir: &Path, n: usize) -> PathBuf {
    let places = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Sumy", "Poltava", "Mykolaiv"];
    let path = dir.join("articles.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..n {
        let place = places[i % places.len()];
        let line = serde_json::json!({
            "url": format!("https://news.example/{i}"),
            "title": format!("Report {i} from {place}"),
            "text": format!(
                "Officials in {place} said on Monday that {i} families had returned home after the shelling.\n\
                 The city council of {place} will meet on Friday to discuss repairs to {} schools, the mayor said.",
                i % 17 + 2
            ),
            "published": format!("2025-08-{:02} 10:00:00", i % 28 + 1),
        });
        writeln!(f, "{line}").unwrap();
    }
    path
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::Read;
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    write!(c, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn stats(store: &str) -> u64 {
    let (code, out, err) = run(&["stats", "--store", store, "--json"]);
    assert_eq!(code, 0, "{err}");
    json_of(&out)["documents"].as_u64().unwrap()
}

fn status(url: &str) -> Value {
    let (code, out, err) = run(&["cluster", "status", "--nats", url, "--json"]);
    assert_eq!(code, 0, "{err}");
    json_of(&out)
}

#[test]
fn published_articles_are_stored_once_even_when_a_worker_is_killed() {
    let Some(nats) = start_nats() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let s = store.to_str().unwrap();
    let n = 240;
    let input = articles(tmp.path(), n);
    let input = input.to_str().unwrap();

    // Workers never create the stream: before init they fail clearly.
    let (code, _, err) = run(&["worker", "--nats", &nats.url, "--store", s, "--exit-when-idle", "0.5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cluster init"), "{err}");

    let (code, _, err) = run(&["cluster", "init", "--nats", &nats.url, "--ack-wait", "3"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["ingest", "--nats", &nats.url, input, "--json"]);
    assert_eq!(code, 0, "{err}");
    let p = json_of(&out);
    assert_eq!((p["read"].as_u64(), p["published"].as_u64()), (Some(n as u64), Some(n as u64)), "{out}");
    // The same articles again: dropped by the stream (same Nats-Msg-Id).
    let (_, out, _) = run(&["ingest", "--nats", &nats.url, input, "--json"]);
    let p = json_of(&out);
    assert_eq!((p["published"].as_u64(), p["repeats"].as_u64()), (Some(0), Some(n as u64)), "{out}");
    assert_eq!(status(&nats.url)["stream_messages"].as_u64(), Some(n as u64));

    // A worker in small batches, SIGKILLed once it has stored some but not all.
    let metrics = format!("127.0.0.1:{}", free_port());
    let mut victim = bin()
        .args(["worker", "--nats", &nats.url, "--store", s, "--batch", "8", "-q", "--metrics", &metrics])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "the first worker stored nothing in 120 s");
        let acked = n as u64 - status(&nats.url)["stream_messages"].as_u64().unwrap();
        if acked >= 16 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Its Prometheus endpoint counts what it stored.
    let text = http_get(&metrics, "/metrics");
    let inserted: u64 = text
        .lines()
        .find(|l| l.starts_with("newsgraph_worker_inserted_total{"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no inserted counter in {text}"));
    assert!(inserted >= 8, "{text}");
    victim.kill().unwrap(); // SIGKILL
    victim.wait().unwrap();
    let left = status(&nats.url)["stream_messages"].as_u64().unwrap();
    assert!(left > 0, "the killed worker finished everything; the test proves nothing");

    // A second worker finishes the work, including what the first held unacknowledged.
    let (code, out, err) =
        run(&["worker", "--nats", &nats.url, "--store", s, "--batch", "32", "--exit-when-idle", "4", "--json", "-q"]);
    assert_eq!(code, 0, "{err}");
    let r = json_of(&out);
    println!("second worker: {r}");
    assert_eq!(r["dead"].as_u64(), Some(0), "{out}");

    let st = status(&nats.url);
    assert_eq!(st["stream_messages"].as_u64(), Some(0), "{st}");
    assert_eq!(st["ack_pending"].as_u64(), Some(0), "{st}");
    assert_eq!(stats(s), n as u64, "every article stored exactly once");
    // The second worker beat within the last 30 s (the killed one too, unless its last beat
    // is older): `cluster status` lists what they did.
    let seen = st["processes"].as_array().unwrap();
    assert!((1..=2).contains(&seen.iter().filter(|p| p["role"] == "worker").count()), "{st}");
    assert!(seen.iter().any(|p| p["done"].as_u64() > Some(0)), "{st}");
    // Each article is there under its URL.
    let (code, out, _) = run(&["export", "--store", s]);
    assert_eq!(code, 0);
    let mut urls: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["meta"]["url"].as_str().unwrap().to_string())
        .collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), n);
    println!(
        "cluster: {n} articles published twice, 1 worker SIGKILLed after {} acknowledged, {} stored once each",
        n as u64 - left,
        n
    );
}

#[test]
fn a_malformed_message_goes_to_the_dead_letter_stream_with_its_error() {
    let Some(nats) = start_nats() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["cluster", "init", "--nats", &nats.url]);
    assert_eq!(code, 0, "{err}");

    // Something else published junk on the articles subject, beside one good article.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = async_nats::connect(&nats.url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        js.publish(newsgraph_cluster::ARTICLES_SUBJECT, "{not a document".into()).await.unwrap().await.unwrap();
    });
    let good = articles(tmp.path(), 1);
    let (code, _, err) = run(&["ingest", "--nats", &nats.url, good.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = run(&["worker", "--nats", &nats.url, "--store", s, "--exit-when-idle", "1", "--json", "-q"]);
    assert_eq!(code, 0, "{err}");
    let r = json_of(&out);
    assert_eq!((r["dead"].as_u64(), r["inserted"].as_u64()), (Some(1), Some(1)), "{out}");
    assert!(err.contains("not a newsgraph document"), "{err}");
    let st = status(&nats.url);
    assert_eq!((st["dead"].as_u64(), st["stream_messages"].as_u64()), (Some(1), Some(0)), "{st}");

    // The dead letter carries the error.
    let header = rt.block_on(async {
        let client = async_nats::connect(&nats.url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let stream = js.get_stream(newsgraph_cluster::DEAD_STREAM).await.unwrap();
        let m = stream.get_raw_message(1).await.unwrap();
        m.headers.get(newsgraph_cluster::ERROR_HEADER).map(|v| v.to_string())
    });
    assert!(header.as_deref().is_some_and(|h| h.contains("not a newsgraph document")), "{header:?}");
    assert_eq!(stats(s), 1);
}

/// Waits for a child (killing it after `limit`) and returns its stdout; panics on failure.
fn wait_with_timeout(child: &mut Child, limit: Duration) -> String {
    use std::io::Read;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            assert!(status.success(), "worker failed: {err}");
            return out;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("worker still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stories as sets of article ids (ordered), and entities with their article counts.
fn stories_and_entities(store: &str) -> (Vec<Vec<String>>, Vec<(String, u64)>) {
    let (code, out, err) = run(&["stories", "--store", store, "--json", "--limit", "200"]);
    assert_eq!(code, 0, "{err}");
    let mut stories: Vec<Vec<String>> = json_of(&out)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let (code, out, err) = run(&["story", &st["id"].to_string(), "--store", store, "--json"]);
            assert_eq!(code, 0, "{err}");
            let mut ids: Vec<String> = json_of(&out)["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        })
        .collect();
    stories.sort();
    let (code, out, err) = run(&["entities", "--store", store, "--json", "--limit", "200"]);
    assert_eq!(code, 0, "{err}");
    let mut entities: Vec<(String, u64)> = json_of(&out)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e["articles"].as_u64().unwrap()))
        .collect();
    entities.sort();
    (stories, entities)
}

/// `cluster init` on a cluster that is still electing its JetStream meta leader: retried.
fn init_when_ready(url: &str, args: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut all = vec!["cluster", "init", "--nats", url];
        all.extend_from_slice(args);
        let (code, _, err) = run(&all);
        if code == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "cluster init never succeeded: {err}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The scenario: three workers on one consumer writing to PostgreSQL, one SIGKILLed
/// mid-batch, on a 3-node NATS cluster whose stream leader is SIGKILLed mid-run. Afterwards
/// every article is stored exactly once, stories and entities equal what one process stores
/// in the embedded store, and two `serve` processes on the database answer alike.
#[test]
fn three_workers_on_postgresql_one_killed_store_what_one_process_stores() {
    let Some((mut nodes, url)) = start_nats_cluster() else { return };
    let Some(admin) = newsgraph_store_pg::testing::test_url("three_workers_on_postgresql") else { return };
    let pg = newsgraph_store_pg::testing::TestDb::create(&admin, "three_workers");
    let tmp = tempfile::tempdir().unwrap();
    let n_extra = 150;
    let extra = articles(tmp.path(), n_extra);
    let inputs = ["examples", extra.to_str().unwrap()];

    // One process into the embedded store: what the cluster must reproduce.
    let embedded = tmp.path().join("embedded");
    let e = embedded.to_str().unwrap();
    let (code, _, err) = run(&["ingest", inputs[0], inputs[1], "--store", e, "-q"]);
    assert_eq!(code, 0, "{err}");
    let total = stats(e);

    init_when_ready(&url, &["--replicas", "3", "--ack-wait", "3"]);
    let (code, out, err) = run(&["ingest", "--nats", &url, inputs[0], inputs[1], "--json"]);
    assert_eq!(code, 0, "{err}");
    let published = json_of(&out)["published"].as_u64().unwrap();
    let leader = status(&url)["leader"].as_str().expect("a clustered stream has a leader").to_string();

    let spawn = || {
        bin()
            .args([
                "worker",
                "--nats",
                &url,
                "--store",
                &pg.url,
                "--batch",
                "8",
                "--exit-when-idle",
                "5",
                "--json",
                "-q",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut workers: Vec<Child> = (0..3).map(|_| spawn()).collect();
    // Two corpus processes: one leads (a PostgreSQL advisory lock), the other stands by.
    let corpus_metrics: Vec<String> = (0..2).map(|_| format!("127.0.0.1:{}", free_port())).collect();
    let mut corpus: Vec<Child> = corpus_metrics
        .iter()
        .map(|addr| {
            bin()
                .args(["corpus", "--nats", &url, "--store", &pg.url, "--batch", "8", "--exit-when-idle", "10"])
                .args(["--metrics", addr, "--json", "-q"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let metric = |addr: &str, name: &str| -> Option<u64> {
        std::net::TcpStream::connect(addr).ok()?;
        let text = http_get(addr, "/metrics");
        let line = text.lines().find(|l| l.starts_with(name))?;
        line.rsplit(' ').next()?.parse().ok()
    };
    let wait_acked = |k: u64| {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            assert!(Instant::now() < deadline, "fewer than {k} articles done in 120 s");
            if published - status(&url)["stream_messages"].as_u64().unwrap() >= k {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_acked(24);
    workers[0].kill().unwrap(); // SIGKILL, mid-batch
    workers[0].wait().unwrap();
    // SIGKILL the corpus leader once it has assigned some articles; the standby takes over.
    let deadline = Instant::now() + Duration::from_secs(120);
    let corpus_leader = loop {
        assert!(Instant::now() < deadline, "no corpus leader assigned 8 articles in 120 s");
        let led = (0..2).find(|&j| {
            metric(&corpus_metrics[j], "newsgraph_corpus_leader") == Some(1)
                && metric(&corpus_metrics[j], "newsgraph_corpus_assigned_total").unwrap_or(0) >= 8
        });
        if let Some(j) = led {
            break j;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let assigned_at_kill = metric(&corpus_metrics[corpus_leader], "newsgraph_corpus_assigned_total").unwrap();
    corpus[corpus_leader].kill().unwrap();
    corpus[corpus_leader].wait().unwrap();
    assert!(assigned_at_kill < published, "the corpus work was done before the kill; the test proves nothing");
    wait_acked(40);
    let i: usize = leader.trim_start_matches('n').parse::<usize>().unwrap() - 1;
    nodes[i].child.kill().unwrap(); // SIGKILL the stream leader
    nodes[i].child.wait().unwrap();
    let left = published - stats(&pg.url);
    assert!(left > 0, "the work was done before the kills; the test proves nothing");
    let reports: Vec<Value> =
        workers[1..].iter_mut().map(|w| json_of(&wait_with_timeout(w, Duration::from_secs(300)))).collect();
    println!("surviving workers: {reports:?}");
    assert!(reports.iter().all(|r| r["dead"].as_u64() == Some(0)));
    let standby = json_of(&wait_with_timeout(&mut corpus[1 - corpus_leader], Duration::from_secs(300)));
    println!("corpus standby: {standby}");
    assert_eq!(standby["leading"], true, "the standby took over: {standby}");
    assert_eq!(standby["dead"], 0, "{standby}");
    let survivors: String =
        nodes.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, n)| n.url.clone()).collect::<Vec<_>>().join(",");
    let after = status(&survivors);
    assert_ne!(after["leader"].as_str(), Some(leader.as_str()), "{after}");
    assert_eq!(after["stream_messages"].as_u64(), Some(0), "{after}");
    assert_eq!(after["extracted"].as_u64(), Some(0), "{after}");

    assert_eq!(stats(&pg.url), total, "every article stored exactly once");
    let (pg_stories, pg_entities) = stories_and_entities(&pg.url);
    let (e_stories, e_entities) = stories_and_entities(e);
    assert_eq!(pg_entities, e_entities, "entities differ from the embedded store's");
    assert_eq!(pg_stories, e_stories, "stories differ from the embedded store's");

    // `export` reads the database as it reads a store directory.
    let exported = |store: &str| -> Vec<String> {
        let (code, out, err) = run(&["export", "--store", store]);
        assert_eq!(code, 0, "{err}");
        out.lines().map(|l| json_of(l)["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(exported(&pg.url), exported(e), "export from PostgreSQL");

    // Stateless API nodes: two `serve` processes on the same database answer alike.
    let servers: Vec<(ServeGuard, String)> = (0..2)
        .map(|_| {
            let addr = format!("127.0.0.1:{}", free_port());
            let port = addr.rsplit(':').next().unwrap().to_string();
            let child = bin()
                .args(["serve", "--store", &pg.url, "--port", &port])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            while std::net::TcpStream::connect(&addr).is_err() {
                assert!(Instant::now() < deadline, "serve did not listen on {addr}");
                std::thread::sleep(Duration::from_millis(50));
            }
            (ServeGuard(child), addr)
        })
        .collect();
    for path in [
        "/stories?limit=100",
        "/entities?limit=100",
        "/search?q=bridge+mayor",
        "/events?limit=100",
        "/quotes?limit=100",
    ] {
        let bodies: Vec<String> =
            servers.iter().map(|(_, a)| http_get(a, path).split_once("\r\n\r\n").unwrap().1.to_string()).collect();
        assert_eq!(bodies[0], bodies[1], "{path}");
        assert!(bodies[0].starts_with('{'), "{path}: {}", bodies[0]);
    }
    println!(
        "3 workers on PostgreSQL (one SIGKILLed) on a 3-node NATS cluster (stream leader {leader} SIGKILLed, \
         new leader {}), corpus leader SIGKILLed after {assigned_at_kill} articles (its standby assigned {}): \
         {published} articles published, {left} not yet stored at the kills, {total} stored once each; {} stories \
         and {} entities as in the embedded store; 2 serve nodes answer alike",
        after["leader"],
        standby["assigned"],
        pg_stories.len(),
        pg_entities.len()
    );
}

/// Kills a `serve` process when dropped.
struct ServeGuard(Child);

impl Drop for ServeGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
