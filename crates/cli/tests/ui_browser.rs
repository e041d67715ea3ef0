//! The web UI in a real browser: `examples/` ingested into a temporary store with the real
//! binary, `newsgraph serve` on a free loopback port, and `crates/server/ui/e2e/ui.test.mjs`
//! (playwright-core driving Debian's `/usr/bin/chromium`) clicking through search → story →
//! entity → article, the map and the analyze page, checking what is shown against the API.
//! Screenshots of every page go to `target/ui-screenshots/`.
//!
//! Needs Chromium (`apt-get install chromium`, or `$CHROMIUM`), Node.js and the e2e folder's
//! node modules (`npm ci` there; `scripts/ci/browser.sh` installs both). When one is missing
//! the test prints why and skips, except under `CI`, where it fails.
mod common;

use common::{bin, repo_root, run};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium, node and the e2e folder, or the reason they are not usable.
fn prerequisites() -> Result<(PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    if !chromium.is_file() {
        return Err(format!("no Chromium at {} (apt-get install chromium, or set CHROMIUM)", chromium.display()));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.as_ref().is_ok_and(|o| o.status.success()) {
        return Err("node not found (install Node.js ≥ 20)".into());
    }
    let e2e = repo_root().join("crates/server/ui/e2e");
    if !e2e.join("node_modules/playwright-core/package.json").is_file() {
        return Err(format!("playwright-core not installed: run `npm ci` in {}", e2e.display()));
    }
    Ok((chromium, e2e))
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `/health` until it answers 200.
fn wait_ready(addr: SocketAddr, server: &mut Server) {
    let start = Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("newsgraph serve exited early: {status}");
        }
        if let Ok(mut c) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            let _ = write!(c, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let mut head = [0u8; 12];
            if c.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200") {
                return;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(60), "newsgraph serve did not answer on {addr} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn ui_in_chromium() {
    let (chromium, e2e) = match prerequisites() {
        Ok(p) => p,
        Err(why) if std::env::var_os("CI").is_some() => panic!("browser test cannot run in CI: {why}"),
        Err(why) => {
            eprintln!("SKIPPED: browser test: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "-q"]);
    assert_eq!(code, 0, "{err}");

    // The sample article's id, from the store's own export.
    let (code, out, _) = run(&["export", "--store", s]);
    assert_eq!(code, 0);
    let mut by_file: HashMap<String, String> = HashMap::new();
    for line in out.lines() {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        let origin = d["meta"]["input"]["origin"].as_str().unwrap_or_default();
        by_file.insert(origin.trim_start_matches("examples/").to_string(), d["id"].as_str().unwrap().to_string());
    }
    let sample = by_file.get("alaska-summit.txt").expect("examples/alaska-summit.txt was ingested").clone();

    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let child = bin()
        .args(["serve", "--store", s, "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("newsgraph serve starts");
    let mut server = Server(child);
    wait_ready(addr, &mut server);

    let shots = repo_root().join("target/ui-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let out = Command::new("node")
        .arg("ui.test.mjs")
        .current_dir(&e2e)
        .env("NEWSGRAPH_URL", format!("http://{addr}"))
        .env("SAMPLE_ID", &sample)
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    drop(server);
    assert!(out.status.success(), "browser test failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    for page in ["search", "story", "entity", "article", "map", "ingest"] {
        assert!(shots.join(format!("{page}.png")).is_file(), "no screenshot of the {page} page in {}", shots.display());
    }
}
