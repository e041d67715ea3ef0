//! Heartbeats: each worker and corpus process publishes, every [`EVERY`], what it has done to
//! `newsgraph.workers.<process>`; the stream [`WORKERS_STREAM`] keeps the last one per process
//! for a minute, and `cluster status` lists the processes heard from within [`SEEN_WITHIN`].
use crate::{ClusterError, Result};
use async_nats::jetstream;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The stream of heartbeats (in memory, the last per process, a minute old at most).
pub const WORKERS_STREAM: &str = "NEWSGRAPH_WORKERS";
/// Heartbeat subjects: `newsgraph.workers.<process>`.
pub const HEARTBEAT_SUBJECTS: &str = "newsgraph.workers.*";
/// How often a process beats.
pub const EVERY: Duration = Duration::from_secs(2);
/// A process not heard from for this long is not listed.
pub const SEEN_WITHIN: Duration = Duration::from_secs(30);

/// One process as its last heartbeat described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// `worker` or `corpus`.
    pub role: String,
    /// `host:pid`.
    pub name: String,
    /// Articles received (worker) or assigned (corpus) since it started.
    pub done: u64,
    /// Articles per second since its previous heartbeat.
    pub per_second: f64,
    /// For a corpus process: whether it leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leading: Option<bool>,
    /// When it beat (Unix milliseconds).
    pub at: i64,
}

pub(crate) fn stream_config(replicas: usize) -> jetstream::stream::Config {
    jetstream::stream::Config {
        name: WORKERS_STREAM.into(),
        subjects: vec![HEARTBEAT_SUBJECTS.into()],
        storage: jetstream::stream::StorageType::Memory,
        max_messages_per_subject: 1,
        max_age: Duration::from_secs(60),
        num_replicas: replicas,
        ..Default::default()
    }
}

/// The `host:pid` of this process.
pub fn process_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{host}:{}", std::process::id())
}

/// A process's heartbeat, published with core NATS (no acknowledgement awaited: a lost beat
/// only delays the process's listing).
pub(crate) struct Heartbeat {
    client: async_nats::Client,
    subject: String,
    seen: Seen,
    last: Option<Instant>,
}

impl Heartbeat {
    pub fn new(client: &async_nats::Client, role: &str) -> Heartbeat {
        let name = process_name();
        let token: String = format!("{role}-{name}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        Heartbeat {
            client: client.clone(),
            subject: format!("newsgraph.workers.{token}"),
            seen: Seen { role: role.into(), name, done: 0, per_second: 0.0, leading: None, at: 0 },
            last: None,
        }
    }

    /// Publishes when [`EVERY`] has passed since the last beat.
    pub async fn beat(&mut self, done: u64, leading: Option<bool>) {
        let now = Instant::now();
        if self.last.is_some_and(|l| now - l < EVERY) {
            return;
        }
        let secs = self.last.map_or(0.0, |l| (now - l).as_secs_f64());
        self.seen.per_second = if secs > 0.0 { done.saturating_sub(self.seen.done) as f64 / secs } else { 0.0 };
        self.seen.done = done;
        self.seen.leading = leading;
        self.seen.at = chrono_now_ms();
        self.last = Some(now);
        if let Ok(json) = serde_json::to_vec(&self.seen) {
            let _ = self.client.publish(self.subject.clone(), json.into()).await;
        }
    }
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The processes heard from within [`SEEN_WITHIN`], by role then name. Empty when the
/// heartbeat stream does not exist (a `cluster init` of an older version).
pub(crate) async fn seen(js: &jetstream::Context) -> Result<Vec<Seen>> {
    use futures_util::StreamExt;
    let Ok(stream) = js.get_stream(WORKERS_STREAM).await else { return Ok(Vec::new()) };
    let mut listed = stream
        .info_with_subjects(HEARTBEAT_SUBJECTS)
        .await
        .map_err(|e| ClusterError::jetstream("reading the heartbeat stream", e))?;
    let mut subjects = Vec::new();
    while let Some(s) = listed.next().await {
        subjects.push(s.map_err(|e| ClusterError::jetstream("reading the heartbeat stream", e))?.0);
    }
    let now = chrono_now_ms();
    let mut out = Vec::new();
    for subject in subjects {
        // A heartbeat that expired in between is simply not listed.
        let Ok(m) = stream.get_last_raw_message_by_subject(&subject).await else { continue };
        if let Ok(s) = serde_json::from_slice::<Seen>(&m.payload) {
            if now - s.at <= SEEN_WITHIN.as_millis() as i64 {
                out.push(s);
            }
        }
    }
    out.sort_by(|a, b| (&a.role, &a.name).cmp(&(&b.role, &b.name)));
    Ok(out)
}
