//! A worker's or corpus process's counters in the Prometheus text format, served at `/metrics`.
use crate::{CorpusRunReport, WorkerReport};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// The worker's running report, shared with the metrics endpoint.
pub type SharedReport = Arc<Mutex<WorkerReport>>;

/// The counters of a corpus process, shared with the metrics endpoint.
pub type SharedCorpusReport = Arc<Mutex<CorpusRunReport>>;

fn label_value(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.:".contains(*c)).collect()
}

/// Renders the counters (`newsgraph_worker_*`), labelled with the worker's name.
pub fn render(r: &WorkerReport, worker: &str) -> String {
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
    write_metrics(&mut out, "newsgraph_worker", ("worker", worker), "counter", &counters);
    let rate = format!("{:.3}", r.articles_per_second);
    let gauge = [("articles_per_second", "Articles received per second since start.", rate)];
    write_metrics(&mut out, "newsgraph_worker", ("worker", worker), "gauge", &gauge);
    out
}

/// Appends metrics `{prefix}_{name}{label="value"} value` with their HELP and TYPE lines; the
/// label value keeps only characters that need no escaping.
fn write_metrics<V: std::fmt::Display>(
    out: &mut String,
    prefix: &str,
    (label, value): (&str, &str),
    kind: &str,
    metrics: &[(&str, &str, V)],
) {
    let value = label_value(value);
    for (name, help, v) in metrics {
        let _ = writeln!(out, "# HELP {prefix}_{name} {help}");
        let _ = writeln!(out, "# TYPE {prefix}_{name} {kind}");
        let _ = writeln!(out, "{prefix}_{name}{{{label}=\"{value}\"}} {v}");
    }
}

/// Renders a corpus process's counters (`newsgraph_corpus_*`) and whether it leads.
pub fn render_corpus(r: &CorpusRunReport, process: &str) -> String {
    let mut out = String::new();
    let leader = [("leader", "1 while this process leads corpus work, 0 on standby.", u64::from(r.leading))];
    write_metrics(&mut out, "newsgraph_corpus", ("process", process), "gauge", &leader);
    let counters: [(&str, &str, u64); 7] = [
        ("batches_total", "Batches of article ids assigned.", r.batches),
        ("received_total", "Article ids received (redeliveries count again).", r.received),
        ("assigned_total", "Articles assigned their group, story and identities.", r.assigned),
        ("already_total", "Ids assigned before (no-op).", r.already),
        ("missing_total", "Ids of no stored article.", r.missing),
        ("retried_total", "Ids offered again after a failure.", r.retried),
        ("dead_total", "Ids sent to the dead-letter stream.", r.dead),
    ];
    write_metrics(&mut out, "newsgraph_corpus", ("process", process), "counter", &counters);
    out
}

/// Serves `GET /metrics` (the text `render` returns) until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    render: impl Fn() -> String + Clone + Send + Sync + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let text = render();
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

    #[test]
    fn renders_the_corpus_leader_gauge() {
        let r = CorpusRunReport { leading: true, assigned: 4, ..Default::default() };
        let text = render_corpus(&r, "c1");
        assert!(text.contains("newsgraph_corpus_leader{process=\"c1\"} 1"), "{text}");
        assert!(text.contains("newsgraph_corpus_assigned_total{process=\"c1\"} 4"), "{text}");
        assert!(render_corpus(&CorpusRunReport::default(), "c2").contains("newsgraph_corpus_leader{process=\"c2\"} 0"));
    }
}
