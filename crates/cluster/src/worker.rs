//! The extraction worker: fetch a batch, annotate, store in one transaction, then acknowledge.
use crate::{ClusterError, Result, DEAD_SUBJECT, DELIVERIES_HEADER, ERROR_HEADER, EXTRACTED_SUBJECT, OUTAGE};
use async_nats::jetstream::{self, consumer::PullConsumer, AckKind, Message};
use futures_util::StreamExt;
use newsgraph_engine::Pipeline;
use newsgraph_model::Document;
use newsgraph_store::Store;
use serde::Serialize;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set to stop a worker after the batch in hand (stored and acknowledged).
pub type Stop = Arc<AtomicBool>;

/// How a worker pulls.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Articles per fetch (and per store transaction).
    pub batch: usize,
    /// How long one fetch waits for articles.
    pub fetch_wait: Duration,
    /// Exit once the consumer has had nothing to deliver and nothing unacknowledged for this
    /// long (for backfills, tests and benchmarks); `None` runs until stopped.
    pub exit_when_idle: Option<Duration>,
    /// Delay before a failed article is offered again.
    pub retry_delay: Duration,
    /// After each commit, publish the stored articles' ids to the extracted stream for the
    /// corpus leader ([`crate::run_corpus`]); set when the store defers corpus work.
    pub publish_extracted: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            batch: 64,
            fetch_wait: Duration::from_millis(500),
            exit_when_idle: None,
            retry_delay: Duration::from_secs(2),
            publish_extracted: false,
        }
    }
}

/// What a worker did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkerReport {
    pub batches: u64,
    /// Articles received (a redelivered article counts again).
    pub received: u64,
    /// Deliveries that were not the first for their article.
    pub redeliveries: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub duplicates: u64,
    /// Articles offered again after a failure.
    pub retried: u64,
    /// Articles sent to the dead-letter stream.
    pub dead: u64,
    pub seconds: f64,
    /// Articles received per second of the run.
    pub articles_per_second: f64,
}

/// Runs a worker until `stop` is set (or, with `exit_when_idle`, until the work runs out).
/// `on_batch` sees the running report after each batch.
pub async fn run_worker(
    client: &async_nats::Client,
    store: &mut dyn Store,
    pipeline: &Pipeline,
    opts: &WorkerOptions,
    stop: &Stop,
    mut on_batch: impl FnMut(&WorkerReport),
) -> Result<WorkerReport> {
    let js = jetstream::new(client.clone());
    let (_, consumer) = crate::open_work(&js, crate::ARTICLES_STREAM, crate::WORKERS_CONSUMER).await?;
    if opts.publish_extracted {
        crate::open_work(&js, crate::EXTRACTED_STREAM, crate::CORPUS_CONSUMER).await?;
    }
    // A failing article is dead-lettered at its last delivery, as `cluster init` set it.
    let max_deliver = consumer.cached_info().config.max_deliver;
    let started = Instant::now();
    let mut beat = crate::heartbeat::Heartbeat::new(client, "worker");
    let mut report = WorkerReport::default();
    let mut idle_since: Option<Instant> = None;
    let mut failing_since: Option<Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        beat.beat(report.received, None).await;
        let Some(messages) =
            fetch_or_wait(&consumer, opts.batch, opts.fetch_wait, &mut failing_since, "worker").await?
        else {
            continue;
        };
        if messages.is_empty() {
            let since = *idle_since.get_or_insert_with(Instant::now);
            if let Some(limit) = opts.exit_when_idle {
                if since.elapsed() >= limit && drained(&consumer).await.unwrap_or(false) {
                    break;
                }
            }
            continue;
        }
        idle_since = None;
        report.batches += 1;
        process(&js, store, pipeline, opts, max_deliver, messages, &mut report).await?;
        report.seconds = started.elapsed().as_secs_f64();
        report.articles_per_second = report.received as f64 / report.seconds.max(1e-9);
        on_batch(&report);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.articles_per_second = report.received as f64 / report.seconds.max(1e-9);
    Ok(report)
}

/// Fetches a batch. While the server or the stream leader is gone for a moment (a cluster
/// elects a new one within seconds) it waits a little and answers `None` (pull again);
/// `failing_since` tracks the outage, given up after [`OUTAGE`].
pub(crate) async fn fetch_or_wait(
    consumer: &PullConsumer,
    max: usize,
    wait: Duration,
    failing_since: &mut Option<Instant>,
    role: &str,
) -> Result<Option<Vec<Message>>> {
    match fetch(consumer, max, wait).await {
        Ok(m) => {
            *failing_since = None;
            Ok(Some(m))
        }
        Err(e) => {
            if failing_since.get_or_insert_with(Instant::now).elapsed() >= OUTAGE {
                return Err(e);
            }
            eprintln!("newsgraph {role}: warning: {e}; retrying");
            tokio::time::sleep(Duration::from_millis(500)).await;
            Ok(None)
        }
    }
}

/// Fetches up to `max` messages, waiting up to `wait` for them. Never hangs: while the client
/// reconnects, a pull may get no answer at all.
async fn fetch(consumer: &PullConsumer, max: usize, wait: Duration) -> Result<Vec<Message>> {
    let pull = async {
        let mut batch = consumer
            .fetch()
            .max_messages(max)
            .expires(wait)
            .messages()
            .await
            .map_err(|e| ClusterError::jetstream("fetching a batch", e))?;
        let mut out = Vec::new();
        while let Some(m) = batch.next().await {
            match m {
                Ok(m) => out.push(m),
                // A batch cut short (server gone, leader change) keeps what arrived; the rest
                // is redelivered after ack_wait.
                Err(_) => break,
            }
        }
        Ok(out)
    };
    tokio::time::timeout(wait + Duration::from_secs(5), pull)
        .await
        .unwrap_or_else(|_| Err(ClusterError::jetstream("fetching a batch", "no answer from the server")))
}

/// Nothing left to deliver and nothing unacknowledged.
pub(crate) async fn drained(consumer: &PullConsumer) -> Result<bool> {
    let info = consumer.get_info().await.map_err(|e| ClusterError::jetstream("reading the consumer", e))?;
    Ok(info.num_pending == 0 && info.num_ack_pending == 0)
}

pub(crate) fn deliveries(m: &Message) -> i64 {
    m.info().map(|i| i.delivered).unwrap_or(1)
}

async fn process(
    js: &jetstream::Context,
    store: &mut dyn Store,
    pipeline: &Pipeline,
    opts: &WorkerOptions,
    max_deliver: i64,
    messages: Vec<Message>,
    report: &mut WorkerReport,
) -> Result<()> {
    report.received += messages.len() as u64;
    report.redeliveries += messages.iter().filter(|m| deliveries(m) > 1).count() as u64;

    // Decode; an undecodable article can never succeed: dead-letter it at once.
    let mut docs = Vec::with_capacity(messages.len());
    let mut held = Vec::with_capacity(messages.len());
    for m in messages {
        match std::str::from_utf8(&m.payload)
            .map_err(|e| e.to_string())
            .and_then(|s| Document::from_json(s).map_err(|e| e.to_string()))
        {
            Ok(d) => {
                docs.push(d);
                held.push(m);
            }
            Err(e) => {
                dead_letter(js, &m, &format!("not a newsgraph document: {e}"), report).await;
            }
        }
    }
    if docs.is_empty() {
        return Ok(());
    }

    // Annotate (CPU-bound: off the async threads). A panicking annotator fails only its article.
    let annotated = tokio::task::block_in_place(|| annotate(pipeline, docs));
    let mut ok_docs = Vec::with_capacity(annotated.len());
    let mut ok_msgs = Vec::with_capacity(annotated.len());
    for (r, m) in annotated.into_iter().zip(held) {
        match r {
            Ok(d) => {
                ok_docs.push(d);
                ok_msgs.push(m);
            }
            Err(e) => fail(js, &m, &e, opts.retry_delay, max_deliver, report).await,
        }
    }
    if ok_docs.is_empty() {
        return Ok(());
    }

    // Store the batch in one transaction; acknowledge only after it committed.
    let whole = tokio::task::block_in_place(|| store.put_batch(ok_docs.clone()));
    match whole {
        Ok(r) => stored(js, opts, &r, &ok_msgs, report).await,
        Err(batch_err) => {
            // The store is down (it cannot even count): requeue everything and stop, rather
            // than burning every article's deliveries.
            if tokio::task::block_in_place(|| store.count()).is_err() {
                for m in &ok_msgs {
                    let _ = m.ack_with(AckKind::Nak(Some(opts.retry_delay))).await;
                }
                return Err(ClusterError::Store(batch_err));
            }
            // Else find the article at fault: store each alone.
            for (d, m) in ok_docs.into_iter().zip(ok_msgs) {
                match tokio::task::block_in_place(|| store.put_batch(vec![d])) {
                    Ok(r) => stored(js, opts, &r, std::slice::from_ref(&m), report).await,
                    Err(e) => fail(js, &m, &format!("storing: {e}"), opts.retry_delay, max_deliver, report).await,
                }
            }
        }
    }
    Ok(())
}

fn annotate(pipeline: &Pipeline, docs: Vec<Document>) -> Vec<std::result::Result<Document, String>> {
    let backup = docs.clone();
    match std::panic::catch_unwind(AssertUnwindSafe(|| pipeline.process_batch(docs))) {
        Ok(done) => done.into_iter().map(Ok).collect(),
        // One article made an annotator panic: redo them one by one to isolate it.
        Err(_) => backup
            .into_iter()
            .map(|mut d| {
                std::panic::catch_unwind(AssertUnwindSafe(|| pipeline.annotate(&mut d)))
                    .map(|_| d)
                    .map_err(|p| format!("annotator panicked: {}", panic_text(&p)))
            })
            .collect(),
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}

/// A batch committed: hand its articles to the corpus leader (when it does that work), then
/// acknowledge. When the hand-over fails the articles come again: storing them is then a
/// no-op and the hand-over is retried.
async fn stored(
    js: &jetstream::Context,
    opts: &WorkerOptions,
    r: &newsgraph_store::PutReport,
    messages: &[Message],
    report: &mut WorkerReport,
) {
    count(report, r);
    if opts.publish_extracted {
        // The batch is stored: only the hand-over is retried (through a stream leader's
        // election, say), keeping the articles ours meanwhile.
        let started = Instant::now();
        while let Err(e) = publish_extracted(js, &r.ids).await {
            if started.elapsed() >= OUTAGE {
                eprintln!("newsgraph worker: warning: {e}; the articles come again");
                for m in messages {
                    let _ = m.ack_with(AckKind::Nak(Some(opts.retry_delay))).await;
                }
                report.retried += messages.len() as u64;
                return;
            }
            for m in messages {
                let _ = m.ack_with(AckKind::Progress).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    ack_all(messages).await;
}

/// Publishes stored article ids to the extracted stream (`Nats-Msg-Id` = the id, so a
/// redelivered article's id is dropped as a repeat) and waits for the stream to take them.
async fn publish_extracted(js: &jetstream::Context, ids: &[String]) -> Result<()> {
    let mut acks = Vec::with_capacity(ids.len());
    for id in ids {
        let msg =
            jetstream::message::PublishMessage::build().payload(bytes::Bytes::from(id.clone())).message_id(id.as_str());
        acks.push(
            js.send_publish(EXTRACTED_SUBJECT, msg)
                .await
                .map_err(|e| ClusterError::jetstream("handing articles to the corpus leader", e))?,
        );
    }
    for ack in acks {
        ack.await.map_err(|e| ClusterError::jetstream("handing articles to the corpus leader", e))?;
    }
    Ok(())
}

fn count(report: &mut WorkerReport, r: &newsgraph_store::PutReport) {
    report.inserted += r.inserted as u64;
    report.updated += r.updated as u64;
    report.unchanged += r.unchanged as u64;
    report.duplicates += r.duplicates.len() as u64;
}

/// Acknowledges and waits for the server to confirm each acknowledgement.
pub(crate) async fn ack_all(messages: &[Message]) {
    let acks = messages.iter().map(|m| m.double_ack());
    for r in futures_util::future::join_all(acks).await {
        // A lost acknowledgement means a redelivery, which the store turns into a no-op.
        if let Err(e) = r {
            eprintln!("newsgraph: warning: acknowledgement not confirmed (the message may come again): {e}");
        }
    }
}

/// A message failed: offer it again after `retry_delay`, or after `max_deliver` deliveries
/// dead-letter it. When NATS cannot be told, the message simply comes again after the
/// consumer's ack wait. `retried` and `dead` count what was done.
pub(crate) async fn fail(
    js: &jetstream::Context,
    m: &Message,
    error: &str,
    retry_delay: Duration,
    max_deliver: i64,
    counts: &mut impl FailCounts,
) {
    // max_deliver -1 means unlimited: never dead-letter.
    if max_deliver > 0 && deliveries(m) >= max_deliver {
        dead_letter(js, m, error, counts).await;
    } else if let Err(e) = m.ack_with(AckKind::Nak(Some(retry_delay))).await {
        eprintln!("newsgraph: warning: cannot requeue a failed message (it comes again later): {e}");
    } else {
        *counts.retried() += 1;
    }
}

/// The counters [`fail`] and [`dead_letter`] update.
pub(crate) trait FailCounts {
    fn retried(&mut self) -> &mut u64;
    fn dead(&mut self) -> &mut u64;
}

impl FailCounts for WorkerReport {
    fn retried(&mut self) -> &mut u64 {
        &mut self.retried
    }
    fn dead(&mut self) -> &mut u64 {
        &mut self.dead
    }
}

/// Publishes the article with its error to the dead-letter stream, then terminates it.
pub(crate) async fn dead_letter(js: &jetstream::Context, m: &Message, error: &str, counts: &mut impl FailCounts) {
    let mut headers = async_nats::HeaderMap::new();
    let line: String = error.chars().filter(|c| !c.is_control()).take(1000).collect();
    headers.insert(ERROR_HEADER, line.as_str());
    headers.insert(DELIVERIES_HEADER, deliveries(m).to_string().as_str());
    let published = match js.publish_with_headers(DEAD_SUBJECT, headers, m.payload.clone()).await {
        Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = published {
        eprintln!("newsgraph: warning: cannot dead-letter a message (it comes again later): {e}");
        return;
    }
    if let Err(e) = m.ack_with(AckKind::Term).await {
        eprintln!("newsgraph: warning: dead-lettered message not terminated (it may be dead-lettered twice): {e}");
    }
    *counts.dead() += 1;
    eprintln!("newsgraph: dead-lettered a message after {} deliveries: {line}", deliveries(m));
}
