//! The real server on a loopback port over a store folder, and a minimal HTTP GET.
#![allow(dead_code)]
use newsgraph_store::{EmbeddedStore, Store};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

pub struct Server {
    pub addr: SocketAddr,
    /// Ids of the stored articles, for tests that need them.
    pub ids: Vec<String>,
    pub dir: tempfile::TempDir,
}

/// Serves a read-only handle on the store in `dir` (kept alive with the server).
pub fn serve(dir: tempfile::TempDir) -> Server {
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open_read_only(dir.path()).unwrap());
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
    Server { addr, ids: Vec::new(), dir }
}

/// Serves a read-only handle on a store holding `docs`; `prepare` may alter the database first.
pub fn start_with(docs: Vec<newsgraph_model::Document>, prepare: impl FnOnce(&std::path::Path)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut store = EmbeddedStore::open(dir.path()).unwrap();
    store.put_batch(docs).unwrap();
    drop(store);
    prepare(dir.path());
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
