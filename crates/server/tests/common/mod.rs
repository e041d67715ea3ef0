//! The real server on a loopback port over a store, and a minimal HTTP GET.
//!
//! The backend: by default the embedded store in a temporary folder. With
//! `NEWSGRAPH_TEST_PG=postgres://…` set (`scripts/ci/postgres.sh start` prints it), every
//! server reads a PostgreSQL store instead: a fresh database per server, created here, filled
//! with the embedded store's documents in the order they were stored (so stories and
//! near-duplicate groups are assigned alike), and dropped with the [`Server`]. Tests whose
//! `prepare` alters the SQLite file are served from the embedded store, with a printed reason.
#![allow(dead_code)]
use newsgraph_store::{EmbeddedStore, Store};
use newsgraph_store_pg::testing::{TestDb, TEST_PG_VAR};
use newsgraph_store_pg::PgStore;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;

pub struct Server {
    pub addr: SocketAddr,
    /// Ids of the stored articles, for tests that need them.
    pub ids: Vec<String>,
    /// The embedded store's folder (also in PostgreSQL mode: the database is copied from it).
    pub dir: tempfile::TempDir,
    /// The database served in PostgreSQL mode (dropped with the server).
    pub pg: Option<TestDb>,
}

/// The PostgreSQL server to test against, when `NEWSGRAPH_TEST_PG` is set.
pub fn pg_url() -> Option<String> {
    std::env::var(TEST_PG_VAR).ok().map(|u| u.trim().to_string()).filter(|u| !u.is_empty())
}

fn test_name() -> String {
    std::thread::current().name().unwrap_or("test").to_string()
}

/// Serves `store` on a loopback port.
fn spawn(store: Arc<dyn Store>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, newsgraph_server::router(store)).await.unwrap();
        });
    });
    addr
}

/// Serves a read-only handle on the embedded store in `dir`, whatever the backend setting.
pub fn serve_embedded(dir: tempfile::TempDir) -> Server {
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open_read_only(dir.path()).unwrap());
    Server { addr: spawn(store), ids: Vec::new(), dir, pg: None }
}

/// The documents of the embedded store in `dir`, in the order they were stored.
fn stored_in_order(dir: &Path) -> Vec<newsgraph_model::Document> {
    let conn = rusqlite::Connection::open(dir.join(newsgraph_store::DB_FILE)).unwrap();
    let mut st = conn.prepare("SELECT doc FROM documents ORDER BY rowid").unwrap();
    let docs = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|j| newsgraph_model::Document::from_json(&j.unwrap()).unwrap())
        .collect();
    docs
}

/// Serves the store in `dir`: read-only on the embedded store, or (with `NEWSGRAPH_TEST_PG`)
/// a fresh PostgreSQL database holding the same documents.
pub fn serve(dir: tempfile::TempDir) -> Server {
    let Some(url) = pg_url() else { return serve_embedded(dir) };
    let name = test_name();
    let db = TestDb::create(&url, &name);
    {
        let mut w = PgStore::connect(&db.url).unwrap();
        w.put_batch(stored_in_order(dir.path())).unwrap();
    }
    let store: Arc<dyn Store> = Arc::new(PgStore::connect_read_only(&db.url).unwrap());
    eprintln!("{name}: served from PostgreSQL database {}", db.name);
    Server { addr: spawn(store), ids: Vec::new(), dir, pg: Some(db) }
}

/// The bytes of the SQLite database files (to tell whether `prepare` changed them).
fn sqlite_bytes(dir: &Path) -> Vec<Vec<u8>> {
    let db = dir.join(newsgraph_store::DB_FILE);
    ["", "-wal"].iter().map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).unwrap_or_default()).collect()
}

/// Serves a read-only handle on a store holding `docs`; `prepare` may alter the database first.
pub fn start_with(docs: Vec<newsgraph_model::Document>, prepare: impl FnOnce(&std::path::Path)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut store = EmbeddedStore::open(dir.path()).unwrap();
    store.put_batch(docs).unwrap();
    drop(store);
    let before = pg_url().map(|_| sqlite_bytes(dir.path()));
    prepare(dir.path());
    if let Some(before) = before {
        if before != sqlite_bytes(dir.path()) {
            eprintln!(
                "{}: on the embedded store, not PostgreSQL: its setup alters the SQLite file directly",
                test_name()
            );
            return serve_embedded(dir);
        }
    }
    serve(dir)
}

/// GET `target` (already percent-encoded); returns the status and the JSON body.
pub fn get(s: &Server, target: &str) -> (u16, Value) {
    let mut c = TcpStream::connect(s.addr).unwrap();
    write!(c, "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    let status: u16 = raw.split(' ').nth(1).unwrap().parse().unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { unchunk(body) } else { body.to_string() };
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{target}: not JSON ({e}): {body}"));
    (status, json)
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}
