//! The corpus process: near-duplicate groups, stories and cross-document identity for the
//! articles the workers stored, in one process at a time.
//!
//! Any number of corpus processes may run; the store elects one ([`CorpusWork::try_lead_corpus`],
//! a PostgreSQL advisory lock) and the others stand by, trying again every second. The leader
//! pulls stored article ids from the extracted stream, assigns them in one transaction
//! ([`CorpusWork::assign_corpus`]) and acknowledges after the commit. A leader that dies
//! leaves its batch unacknowledged: the stream redelivers it to the next leader, which
//! first replays the assignments made so far and skips the ids already assigned.
use crate::worker::{ack_all, dead_letter, drained, fail, fetch_or_wait, FailCounts, Stop};
use crate::{ClusterError, Result, CORPUS_CONSUMER, EXTRACTED_STREAM};
use async_nats::jetstream::{self, AckKind, Message};
use newsgraph_store::{CorpusWork, Prepared};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How the corpus process pulls.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// Article ids per fetch (and per assignment transaction).
    pub batch: usize,
    /// How long one fetch waits.
    pub fetch_wait: Duration,
    /// Exit once neither the extracted stream nor the workers' stream has had anything to
    /// deliver or unacknowledged for this long (leader or standby); `None` runs until stopped.
    pub exit_when_idle: Option<Duration>,
    /// Delay before a failed id is offered again.
    pub retry_delay: Duration,
    /// How often a standby tries to take the lead.
    pub standby_poll: Duration,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            batch: 256,
            fetch_wait: Duration::from_millis(500),
            exit_when_idle: None,
            retry_delay: Duration::from_secs(2),
            standby_poll: Duration::from_secs(1),
        }
    }
}

/// What a corpus process did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorpusRunReport {
    /// This process leads (or led before it stopped).
    pub leading: bool,
    /// Seconds spent standing by before it led (or in all, when it never did).
    pub standby_seconds: f64,
    /// How the corpus state was rebuilt on taking the lead (snapshot, replay).
    pub prepared: Option<Prepared>,
    pub batches: u64,
    /// Ids received (a redelivered id counts again).
    pub received: u64,
    /// Articles assigned their group, story and identities.
    pub assigned: u64,
    /// Ids assigned before (redeliveries, repeats): nothing done.
    pub already: u64,
    /// Ids of no stored article.
    pub missing: u64,
    pub retried: u64,
    pub dead: u64,
    pub seconds: f64,
    /// Articles assigned per second of the run.
    pub articles_per_second: f64,
}

impl FailCounts for CorpusRunReport {
    fn retried(&mut self) -> &mut u64 {
        &mut self.retried
    }
    fn dead(&mut self) -> &mut u64 {
        &mut self.dead
    }
}

/// Runs a corpus process until `stop` is set (or, with `exit_when_idle`, until the work runs
/// dry: nothing left in the extracted stream nor in the workers'). `on_batch` sees the running
/// report after each batch and each standby poll.
pub async fn run_corpus(
    client: &async_nats::Client,
    store: &mut dyn CorpusWork,
    opts: &CorpusOptions,
    stop: &Stop,
    mut on_batch: impl FnMut(&CorpusRunReport),
) -> Result<CorpusRunReport> {
    let js = jetstream::new(client.clone());
    let (_, consumer) = crate::open_work(&js, EXTRACTED_STREAM, CORPUS_CONSUMER).await?;
    // The work runs out when the workers' is done too: what they hold comes here next.
    let (_, upstream) = crate::open_work(&js, crate::ARTICLES_STREAM, crate::WORKERS_CONSUMER).await?;
    let run_dry = || async { Ok::<bool, ClusterError>(drained(&upstream).await? && drained(&consumer).await?) };
    let max_deliver = consumer.cached_info().config.max_deliver;
    let started = Instant::now();
    let mut beat = crate::heartbeat::Heartbeat::new(client, "corpus");
    let mut report = CorpusRunReport::default();
    let mut idle_since: Option<Instant> = None;
    let mut failing_since: Option<Instant> = None;
    let idle_over = |since: &mut Option<Instant>| {
        let s = *since.get_or_insert_with(Instant::now);
        opts.exit_when_idle.is_some_and(|limit| s.elapsed() >= limit)
    };
    while !stop.load(Ordering::SeqCst) {
        beat.beat(report.assigned, Some(report.leading)).await;
        if !report.leading {
            report.leading = tokio::task::block_in_place(|| store.try_lead_corpus())?;
            report.standby_seconds = started.elapsed().as_secs_f64();
            if !report.leading {
                on_batch(&report);
                if idle_over(&mut idle_since) && run_dry().await.unwrap_or(false) {
                    break;
                }
                tokio::time::sleep(opts.standby_poll).await;
                continue;
            }
            idle_since = None;
            report.prepared = Some(tokio::task::block_in_place(|| store.prepare_corpus())?);
            on_batch(&report);
        }
        let Some(messages) =
            fetch_or_wait(&consumer, opts.batch, opts.fetch_wait, &mut failing_since, "corpus").await?
        else {
            continue;
        };
        if messages.is_empty() {
            if idle_over(&mut idle_since) && run_dry().await.unwrap_or(false) {
                break;
            }
            continue;
        }
        idle_since = None;
        report.batches += 1;
        assign(&js, store, opts, max_deliver, messages, &mut report).await?;
        report.seconds = started.elapsed().as_secs_f64();
        report.articles_per_second = report.assigned as f64 / report.seconds.max(1e-9);
        on_batch(&report);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.articles_per_second = report.assigned as f64 / report.seconds.max(1e-9);
    Ok(report)
}

async fn assign(
    js: &jetstream::Context,
    store: &mut dyn CorpusWork,
    opts: &CorpusOptions,
    max_deliver: i64,
    messages: Vec<Message>,
    report: &mut CorpusRunReport,
) -> Result<()> {
    report.received += messages.len() as u64;
    let mut ids = Vec::with_capacity(messages.len());
    let mut held = Vec::with_capacity(messages.len());
    for m in messages {
        match std::str::from_utf8(&m.payload) {
            Ok(id) => {
                ids.push(id.to_string());
                held.push(m);
            }
            Err(e) => dead_letter(js, &m, &format!("not an article id: {e}"), report).await,
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let count = |report: &mut CorpusRunReport, r: newsgraph_store::CorpusReport| {
        report.assigned += r.assigned;
        report.already += r.already;
        report.missing += r.missing;
    };
    match tokio::task::block_in_place(|| store.assign_corpus(&ids)) {
        Ok(r) => {
            count(report, r);
            ack_all(&held).await;
        }
        Err(batch_err) => {
            // The store is down: requeue everything and stop.
            if tokio::task::block_in_place(|| store.corpus_backlog()).is_err() {
                for m in &held {
                    let _ = m.ack_with(AckKind::Nak(Some(opts.retry_delay))).await;
                }
                return Err(ClusterError::Store(batch_err));
            }
            // Else find the article at fault: assign each alone.
            for (id, m) in ids.into_iter().zip(held) {
                match tokio::task::block_in_place(|| store.assign_corpus(std::slice::from_ref(&id))) {
                    Ok(r) => {
                        count(report, r);
                        ack_all(std::slice::from_ref(&m)).await;
                    }
                    Err(e) => fail(js, &m, &format!("corpus work: {e}"), opts.retry_delay, max_deliver, report).await,
                }
            }
        }
    }
    Ok(())
}
