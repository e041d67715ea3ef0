//! Scale-out: articles travel through NATS JetStream to extraction workers that write to a
//! shared [`Store`]; the corpus-level work runs in one elected process.
//!
//! ```text
//!  newsgraph ingest --nats URL ──publish──▶ stream NEWSGRAPH_ARTICLES (subject newsgraph.articles,
//!    (read, extract main text;               Nats-Msg-Id = message_id(doc): repeats dropped)
//!     no annotation)                                │ durable pull consumer "workers"
//!                                                   ▼ (explicit ack, max_deliver, ack_wait)
//!  newsgraph worker --nats URL --store … ◀──fetch── batch ─▶ annotate ─▶ Store::put_batch (one
//!    (any number of processes)                      transaction, idempotent upserts) ─▶ publish
//!                                                   the stored ids ─▶ ack
//!                                                   │
//!                                                   ▼ stream NEWSGRAPH_EXTRACTED (Nats-Msg-Id = id)
//!  newsgraph corpus --nats URL --store … ◀──fetch── │ durable pull consumer "corpus"
//!    (any number; one leads: a PostgreSQL           ▼
//!     advisory lock; the others stand by)  CorpusWork::assign_corpus: near-duplicate groups,
//!                                          stories, identity (one transaction) ─▶ ack
//!
//!  a message failing max_deliver times ─▶ stream NEWSGRAPH_DEAD (subject newsgraph.dead, with the error)
//! ```
//!
//! Delivery is at least once; the effect is exactly once because a worker acknowledges only
//! after its store transaction committed (and its ids were handed on), storing the same
//! article again is a no-op (see `newsgraph_store`), and assigning an assigned article is
//! skipped. [`init`] creates the streams and the consumers; workers never do. With the
//! embedded store (one writer) the worker does the corpus work itself and publishes nothing.
mod corpus;
mod error;
pub mod heartbeat;
pub mod metrics;
mod worker;

pub use async_nats;
pub use corpus::{run_corpus, CorpusOptions, CorpusRunReport};
pub use error::ClusterError;
pub use worker::{run_worker, Stop, WorkerOptions, WorkerReport};

use async_nats::jetstream::{self, consumer, stream};
use newsgraph_model::{canonical_key, content_hash, Document};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The stream holding articles waiting for extraction.
pub const ARTICLES_STREAM: &str = "NEWSGRAPH_ARTICLES";
/// Its subject.
pub const ARTICLES_SUBJECT: &str = "newsgraph.articles";
/// The durable pull consumer every worker shares.
pub const WORKERS_CONSUMER: &str = "workers";
/// The stream of articles that failed repeatedly, each with its error.
pub const DEAD_STREAM: &str = "NEWSGRAPH_DEAD";
/// Its subject.
pub const DEAD_SUBJECT: &str = "newsgraph.dead";
/// The stream of stored article ids waiting for corpus work (near-duplicates, stories,
/// identity), published by workers after their commit when the store defers that work.
pub const EXTRACTED_STREAM: &str = "NEWSGRAPH_EXTRACTED";
/// Its subject.
pub const EXTRACTED_SUBJECT: &str = "newsgraph.extracted";
/// The durable pull consumer of the corpus processes (only the elected leader pulls).
pub const CORPUS_CONSUMER: &str = "corpus";
/// Header carrying the error of a dead-lettered article.
pub const ERROR_HEADER: &str = "Newsgraph-Error";
/// Header carrying how many times a dead-lettered article was delivered.
pub const DELIVERIES_HEADER: &str = "Newsgraph-Deliveries";

pub type Result<T> = std::result::Result<T, ClusterError>;

/// Settings of the streams and the consumer, fixed by [`init`].
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Stream replicas (1 on a single server; 3 on a 3-node cluster).
    pub replicas: usize,
    /// How long a `Nats-Msg-Id` is remembered to drop repeats.
    pub duplicate_window: Duration,
    /// Deliveries of one article before it goes to the dead-letter stream.
    pub max_deliver: i64,
    /// How long a worker may hold an article unacknowledged before it is redelivered.
    pub ack_wait: Duration,
    /// Unacknowledged articles across all workers (backpressure).
    pub max_ack_pending: i64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            replicas: 1,
            duplicate_window: Duration::from_secs(24 * 3600),
            max_deliver: 5,
            ack_wait: Duration::from_secs(60),
            max_ack_pending: 10_000,
        }
    }
}

/// Connects to a NATS server (or cluster: comma-separated URLs).
pub async fn connect(url: &str) -> Result<async_nats::Client> {
    let opts = async_nats::ConnectOptions::new()
        .name("newsgraph")
        .connection_timeout(Duration::from_secs(5))
        .retry_on_initial_connect();
    let addrs: Vec<async_nats::ServerAddr> = url
        .split(',')
        .map(|u| u.trim().parse::<async_nats::ServerAddr>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| ClusterError::Config(format!("NATS URL {url:?}: {e}")))?;
    tokio::time::timeout(Duration::from_secs(10), opts.connect(addrs))
        .await
        .map_err(|_| ClusterError::Connect { url: url.to_string(), message: "no answer within 10 s".into() })?
        .map_err(|e| ClusterError::Connect { url: url.to_string(), message: e.to_string() })
}

/// What [`init`] set up.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub streams: Vec<String>,
    pub consumers: Vec<String>,
    pub replicas: usize,
}

/// Creates (or updates) the article, extracted and dead-letter streams and the durable pull
/// consumers of the workers and of the corpus leader. Safe to run again.
pub async fn init(client: &async_nats::Client, cfg: &ClusterConfig) -> Result<InitReport> {
    let js = jetstream::new(client.clone());
    js.create_or_update_stream(stream::Config {
        name: ARTICLES_STREAM.into(),
        subjects: vec![ARTICLES_SUBJECT.into()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        num_replicas: cfg.replicas,
        duplicate_window: cfg.duplicate_window,
        ..Default::default()
    })
    .await
    .map_err(|e| ClusterError::jetstream("creating the articles stream", e))?;
    js.create_or_update_stream(stream::Config {
        name: DEAD_STREAM.into(),
        subjects: vec![DEAD_SUBJECT.into()],
        storage: stream::StorageType::File,
        num_replicas: cfg.replicas,
        ..Default::default()
    })
    .await
    .map_err(|e| ClusterError::jetstream("creating the dead-letter stream", e))?;
    js.create_or_update_stream(stream::Config {
        name: EXTRACTED_STREAM.into(),
        subjects: vec![EXTRACTED_SUBJECT.into()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        num_replicas: cfg.replicas,
        duplicate_window: cfg.duplicate_window.min(Duration::from_secs(3600)),
        ..Default::default()
    })
    .await
    .map_err(|e| ClusterError::jetstream("creating the extracted stream", e))?;
    js.create_or_update_stream(heartbeat::stream_config(cfg.replicas))
        .await
        .map_err(|e| ClusterError::jetstream("creating the heartbeat stream", e))?;
    for (stream_name, consumer_name) in [(ARTICLES_STREAM, WORKERS_CONSUMER), (EXTRACTED_STREAM, CORPUS_CONSUMER)] {
        let stream =
            js.get_stream(stream_name).await.map_err(|e| ClusterError::jetstream("opening a work stream", e))?;
        let consumer_cfg = consumer::pull::Config {
            durable_name: Some(consumer_name.into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: cfg.ack_wait,
            max_deliver: cfg.max_deliver,
            max_ack_pending: cfg.max_ack_pending,
            num_replicas: cfg.replicas,
            ..Default::default()
        };
        stream
            .get_or_create_consumer(consumer_name, consumer_cfg)
            .await
            .map_err(|e| ClusterError::jetstream("creating a consumer", e))?;
    }
    Ok(InitReport {
        streams: vec![
            ARTICLES_STREAM.into(),
            EXTRACTED_STREAM.into(),
            DEAD_STREAM.into(),
            heartbeat::WORKERS_STREAM.into(),
        ],
        consumers: vec![WORKERS_CONSUMER.into(), CORPUS_CONSUMER.into()],
        replicas: cfg.replicas,
    })
}

/// The `Nats-Msg-Id` of an article: a hash of its canonical URL key and its content hash, so
/// the same article published twice is dropped by the stream, while an updated article (same
/// URL, new text) and the same text under another URL both go through (the store folds them).
pub fn message_id(doc: &Document) -> String {
    let mut h = Sha256::new();
    if let Some(url) = &doc.meta.url {
        h.update(canonical_key(url).as_bytes());
    }
    h.update(b"\0");
    h.update(content_hash(doc.text()).as_bytes());
    let d = h.finalize();
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Publishes articles to the work stream.
pub struct Publisher {
    js: jetstream::Context,
    pending: Vec<jetstream::context::PublishAckFuture>,
    /// Articles the stream took.
    pub published: u64,
    /// Articles the stream dropped as repeats (same `Nats-Msg-Id` within the window).
    pub repeats: u64,
}

/// Publish acknowledgements awaited together.
const PUBLISH_WINDOW: usize = 256;

impl Publisher {
    pub fn new(client: &async_nats::Client) -> Publisher {
        Publisher { js: jetstream::new(client.clone()), pending: Vec::new(), published: 0, repeats: 0 }
    }

    /// Sends one article (unannotated: workers annotate). Acknowledgements are awaited in
    /// windows; call [`Publisher::flush`] at the end.
    pub async fn publish(&mut self, doc: &Document) -> Result<()> {
        let payload = bytes::Bytes::from(doc.to_json());
        let msg = jetstream::message::PublishMessage::build().payload(payload).message_id(message_id(doc));
        let ack = self
            .js
            .send_publish(ARTICLES_SUBJECT, msg)
            .await
            .map_err(|e| ClusterError::jetstream("publishing an article", e))?;
        self.pending.push(ack);
        if self.pending.len() >= PUBLISH_WINDOW {
            self.flush().await?;
        }
        Ok(())
    }

    /// Waits until the stream has acknowledged every article sent so far.
    pub async fn flush(&mut self) -> Result<()> {
        for ack in self.pending.drain(..) {
            let ack = ack.await.map_err(|e| ClusterError::jetstream("publishing an article", e))?;
            if ack.duplicate {
                self.repeats += 1;
            } else {
                self.published += 1;
            }
        }
        Ok(())
    }
}

/// The state of the work stream, for `newsgraph cluster status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Articles in the stream (waiting or being worked on).
    pub stream_messages: u64,
    pub stream_bytes: u64,
    /// Articles not yet delivered to any worker.
    pub pending: u64,
    /// Articles delivered and not yet acknowledged.
    pub ack_pending: usize,
    /// Articles delivered more than once.
    pub redelivered: usize,
    /// Pull requests waiting (idle workers).
    pub waiting_pulls: usize,
    /// The stream sequence up to which every article has been acknowledged (the consumer's
    /// ack floor); the stream's last sequence minus this is the work not yet done.
    pub ack_floor: u64,
    /// Stored articles waiting for corpus work in the extracted stream (`None` when a `cluster
    /// init` of an older version made no such stream).
    pub extracted: Option<u64>,
    /// Articles in the dead-letter stream.
    pub dead: u64,
    /// Workers and corpus processes heard from within `heartbeat::SEEN_WITHIN`.
    pub processes: Vec<heartbeat::Seen>,
    /// The workers' articles per second, summed over their last heartbeats.
    pub articles_per_second: f64,
    /// The stream's leader and replicas, when clustered.
    pub leader: Option<String>,
    pub replicas: Vec<String>,
}

/// Reads stream and consumer state.
/// How long a missing answer (a stream leader being elected, a server restarting) is waited
/// out before a request gives up.
pub(crate) const OUTAGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Opens a work stream and its consumer. A stream or consumer that does not exist is
/// [`ClusterError::NotInitialized`] at once; no answer, or JetStream saying it is not ready,
/// is retried for up to [`OUTAGE`], since a cluster elects a new leader in seconds.
pub(crate) async fn open_work(
    js: &jetstream::Context,
    stream_name: &str,
    consumer_name: &str,
) -> Result<(stream::Stream, consumer::PullConsumer)> {
    use async_nats::jetstream::context::{ConsumerInfoError, ConsumerInfoErrorKind, GetStreamErrorKind};
    use async_nats::jetstream::ErrorCode;
    let started = std::time::Instant::now();
    let retry = |what: &'static str, e: &dyn std::fmt::Display| {
        if started.elapsed() >= OUTAGE {
            return Err(ClusterError::jetstream(what, format!("no answer for {} s: {e}", OUTAGE.as_secs())));
        }
        Ok(())
    };
    loop {
        let stream = match js.get_stream(stream_name).await {
            Ok(s) => s,
            Err(e) => match e.kind() {
                GetStreamErrorKind::JetStream(j) if j.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                    return Err(ClusterError::NotInitialized(format!("no stream {stream_name}")))
                }
                _ => {
                    retry("opening a work stream", &e)?;
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    continue;
                }
            },
        };
        match stream.get_consumer::<consumer::pull::Config>(consumer_name).await {
            Ok(c) => return Ok((stream, c)),
            Err(e) => match e.downcast_ref::<ConsumerInfoError>().map(|e| e.kind()) {
                Some(ConsumerInfoErrorKind::NotFound | ConsumerInfoErrorKind::StreamNotFound) => {
                    return Err(ClusterError::NotInitialized(format!("no consumer {consumer_name}")))
                }
                Some(ConsumerInfoErrorKind::JetStream(j)) if j.error_code() == ErrorCode::CONSUMER_NOT_FOUND => {
                    return Err(ClusterError::NotInitialized(format!("no consumer {consumer_name}")))
                }
                _ => {
                    retry("opening a consumer", &e)?;
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
            },
        }
    }
}

pub async fn status(client: &async_nats::Client) -> Result<Status> {
    let js = jetstream::new(client.clone());
    let (mut stream, mut consumer) = open_work(&js, ARTICLES_STREAM, WORKERS_CONSUMER).await?;
    let info = stream.info().await.map_err(|e| ClusterError::jetstream("reading the articles stream", e))?.clone();
    let c = consumer.info().await.map_err(|e| ClusterError::jetstream("reading the consumer", e))?.clone();
    let extracted = match js.get_stream(EXTRACTED_STREAM).await {
        Ok(s) => s.get_info().await.map(|i| i.state.messages).ok(),
        Err(_) => None,
    };
    let dead = match js.get_stream(DEAD_STREAM).await {
        Ok(s) => s.get_info().await.map(|i| i.state.messages).unwrap_or(0),
        Err(_) => 0,
    };
    let processes = heartbeat::seen(&js).await?;
    let articles_per_second = processes.iter().filter(|p| p.role == "worker").fold(0.0, |a, p| a + p.per_second);
    let (leader, replicas) = match &info.cluster {
        Some(cl) => (cl.leader.clone(), cl.replicas.iter().map(|r| r.name.clone()).collect()),
        None => (None, Vec::new()),
    };
    Ok(Status {
        stream_messages: info.state.messages,
        stream_bytes: info.state.bytes,
        pending: c.num_pending,
        ack_pending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        waiting_pulls: c.num_waiting,
        ack_floor: c.ack_floor.stream_sequence,
        extracted,
        dead,
        processes,
        articles_per_second,
        leader,
        replicas,
    })
}
