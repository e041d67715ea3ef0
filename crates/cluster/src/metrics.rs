//! A worker's counters in the Prometheus text format, served at `/metrics`.
use crate::WorkerReport;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// The worker's running report, shared with the metrics endpoint.
pub type SharedReport = Arc<Mutex<WorkerReport>>;

/// Renders the counters (`newsgraph_worker_*`), labelled with the worker's name.
pub fn render(r: &WorkerReport, worker: &str) -> String {
    let worker: String = worker.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.:".contains(*c)).collect();
    let mut out = String::new();
    let counters: [(&str, &str, u64); 9] = [
        ("batches_total", "Batches fetched, annotated and stored.", r.batches),
        ("received_total", "Articles received (redeliveries count again).", r.received),
        ("redeliveries_total", "Deliveries that were not an article's first.", r.redeliveries),
        ("inserted_total", "New articles stored.", r.inserted),
        ("updated_total", "Stored articles replaced by new content.", r.updated),
        ("unchanged_total", "Articles already stored (no-op).", r.unchanged),
        ("duplicates_total", "Articles folded into a stored copy.", r.duplicates),
        ("retried_total", "Articles offered again after a failure.", r.retried),
        ("dead_total", "Articles sent to the dead-letter stream.", r.dead),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(out, "# HELP newsgraph_worker_{name} {help}");
        let _ = writeln!(out, "# TYPE newsgraph_worker_{name} counter");
        let _ = writeln!(out, "newsgraph_worker_{name}{{worker=\"{worker}\"}} {value}");
    }
    let _ = writeln!(out, "# HELP newsgraph_worker_articles_per_second Articles received per second since start.");
    let _ = writeln!(out, "# TYPE newsgraph_worker_articles_per_second gauge");
    let _ = writeln!(out, "newsgraph_worker_articles_per_second{{worker=\"{worker}\"}} {:.3}", r.articles_per_second);
    out
}

/// Serves `GET /metrics` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, report: SharedReport, worker: String) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let text = render(&report.lock().map(|r| r.clone()).unwrap_or_default(), &worker);
            async move { ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text) }
        }),
    );
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_counter_with_the_worker_label() {
        let r = WorkerReport { received: 7, inserted: 5, dead: 1, ..Default::default() };
        let text = render(&r, "w1\"}bad");
        assert!(text.contains("newsgraph_worker_received_total{worker=\"w1bad\"} 7"), "{text}");
        assert!(text.contains("newsgraph_worker_inserted_total{worker=\"w1bad\"} 5"));
        assert!(text.contains("newsgraph_worker_dead_total{worker=\"w1bad\"} 1"));
        assert_eq!(text.lines().filter(|l| l.starts_with("# TYPE")).count(), 10);
    }
}
