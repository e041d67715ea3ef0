//! `newsgraph ingest`: inputs → pipeline → store, in batches, with a progress bar.
use crate::cli::InputOpts;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsgraph_engine::Pipeline;
use newsgraph_ingest::{IngestError, Source};
use newsgraph_store::Store;
use serde::Serialize;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Documents per store transaction.
const BATCH: usize = 200;

/// What an ingest run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub duplicates: usize,
    /// Bad records skipped (each reported on stderr with its input and place).
    pub errors: usize,
    pub warnings: usize,
    pub seconds: f64,
    pub articles_per_second: f64,
    pub store_total: u64,
    /// Set when `--strict` stopped the run at the first error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
}

impl Summary {
    /// 1 when any record was bad (skipped, or stopping a `--strict` run), else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.errors > 0 || self.stopped_by.is_some() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Ingests every input into `store`. Bad records are reported and counted, the rest go in;
/// with `--strict` the run stops at the first bad record (what was read before it is stored).
pub fn run(store: &mut dyn Store, inputs: &[String], opts: &InputOpts, progress: bool) -> Result<Summary> {
    let options = super::ingest_options(opts);
    let pipeline = Pipeline::standard();
    let bar = progress_bar(progress);
    let started = Instant::now();
    let mut s = Summary::default();
    let mut batch = Vec::with_capacity(BATCH);

    let report_error = |e: &IngestError, s: &mut Summary, bar: &ProgressBar| {
        s.errors += 1;
        bar.suspend(|| eprintln!("newsgraph: skipped: {e}"));
    };

    let warnings = std::cell::Cell::new(0usize);
    'inputs: for input in inputs {
        let source = match Source::open(input, &options) {
            Ok(src) => src,
            Err(e) => {
                report_error(&e, &mut s, &bar);
                if opts.strict {
                    s.stopped_by = Some(e.to_string());
                    break;
                }
                continue;
            }
        };
        let items = source.map(|r| {
            r.map(|ing| {
                for w in &ing.warnings {
                    bar.suspend(|| eprintln!("newsgraph: warning: {w}"));
                }
                warnings.set(warnings.get() + ing.warnings.len());
                ing.document
            })
        });
        // Annotate in parallel chunks; keep order; errors pass through.
        let docs = pipeline.stream(items);
        for r in docs {
            match r {
                Ok(doc) => {
                    s.read += 1;
                    batch.push(doc);
                    if batch.len() >= BATCH {
                        flush(store, &mut batch, &mut s)?;
                    }
                }
                Err(e) => {
                    report_error(&e, &mut s, &bar);
                    if opts.strict {
                        s.stopped_by = Some(e.to_string());
                        break 'inputs;
                    }
                }
            }
            s.warnings = warnings.get();
            bar.set_message(format!("{} articles, {} errors", s.read, s.errors));
            bar.tick();
        }
    }
    flush(store, &mut batch, &mut s)?;
    bar.finish_and_clear();
    s.seconds = started.elapsed().as_secs_f64();
    s.articles_per_second = s.read as f64 / s.seconds.max(1e-9);
    s.store_total = store.count()?;
    Ok(s)
}

fn flush(store: &mut dyn Store, batch: &mut Vec<newsgraph_model::Document>, s: &mut Summary) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let n = batch.len();
    let r = store.put_batch(std::mem::take(batch)).with_context(|| format!("storing a batch of {n} articles"))?;
    s.inserted += r.inserted;
    s.updated += r.updated;
    s.unchanged += r.unchanged;
    s.duplicates += r.duplicates.len();
    Ok(())
}

fn progress_bar(enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg} ({per_sec})").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub fn print_summary(s: &Summary, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!(
            "read {} articles: {} new, {} updated, {} unchanged, {} duplicates; {} bad records skipped, {} warnings",
            s.read, s.inserted, s.updated, s.unchanged, s.duplicates, s.errors, s.warnings
        );
        println!(
            "{:.1} articles/s over {:.2} s; the store now holds {} articles",
            s.articles_per_second, s.seconds, s.store_total
        );
        if let Some(e) = &s.stopped_by {
            println!("stopped (--strict) at: {e}");
        }
    }
    Ok(())
}
