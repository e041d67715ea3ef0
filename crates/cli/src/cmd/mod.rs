//! One module per command; `run` dispatches.
mod analyze;
mod bench;
mod cluster;
mod corpus_bench;
mod dedup;
mod demo;
mod entities;
mod eval;
mod events;
mod events_cmd;
mod gdelt;
mod ingest;
mod ner;
mod page;
mod parquet_export;
mod query;
mod quotes;
mod quotes_cmd;
mod serve;
mod stories;
mod stories_cmd;
mod timex;

use crate::cli::{BenchCommand, Cli, ClusterCommand, Command, EvalCommand, InputOpts, TrainCommand};
use anyhow::{Context, Result};
use newsgraph_ingest::IngestOptions;
use newsgraph_store::{CorpusWork, EmbeddedStore, Store};
use newsgraph_store_pg::PgStore;
use std::path::Path;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze { input, json, opts } => analyze::run(&input, json, &opts),
        Command::Ingest { inputs, nats: Some(nats), opts, json, .. } => cluster::publish(&nats, &inputs, &opts, json),
        Command::Ingest { inputs, store, opts, json, quiet, nats: None } => {
            let mut st = open_store_spec(&store.store, true)?;
            let summary = ingest::run(&mut *st, &inputs, &opts, !quiet)?;
            ingest::print_summary(&summary, json)?;
            Ok(summary.exit_code())
        }
        Command::Search {
            query,
            store,
            source,
            language,
            from,
            to,
            mentioned_from,
            mentioned_to,
            entities,
            event,
            stories,
            limit,
            offset,
            json,
        } => {
            let mut q = query::search_query(
                query,
                source,
                language,
                [from, to],
                [mentioned_from, mentioned_to],
                limit,
                offset,
            )?;
            q.entities = entities;
            q.event = event;
            if stories {
                return stories_cmd::search(&*open_store_spec(&store.store, false)?, &q, json);
            }
            query::search(&*open_store_spec(&store.store, false)?, &q, json)
        }
        Command::Entities { q, kind, store, limit, offset, json } => {
            entities::list(&store.store, &newsgraph_store::EntityQuery { q, kind, limit, offset }, json)
        }
        Command::Entity { id, store, timeline: true, limit, offset, json } => {
            stories_cmd::entity_timeline(&store.store, &id, offset, limit, json)
        }
        Command::Entity { id, store, limit, offset, json, .. } => {
            entities::show(&store.store, &id, offset, limit, json)
        }
        Command::Quotes { speaker, about, q, kind, store, limit, offset, json } => {
            let query = newsgraph_store::QuoteQuery { speaker, about, q, kind, limit, offset };
            quotes_cmd::list(&store.store, &query, json)
        }
        Command::Events { actor, role, code, from, to, near, store, limit, offset, json } => {
            let q =
                events_cmd::query(actor, role, code, from.as_deref(), to.as_deref(), near.as_deref(), limit, offset)?;
            events_cmd::list(&store.store, &q, json)
        }
        Command::Stories { store, limit, offset, json } => {
            stories_cmd::list(&store.store, &newsgraph_store::StoryQuery { limit, offset }, json)
        }
        Command::Story { id, store, json } => stories_cmd::show(&store.store, id, json),
        Command::Show { id, store, json } => query::show(&*open_store_spec(&store.store, false)?, &id, json),
        Command::Export { format, output, header, store } => {
            query::export(&*open_store_spec(&store.store, false)?, format, header, output.as_deref())
        }
        Command::Stats { store, json } => query::stats(&*open_store_spec(&store.store, false)?, json),
        Command::Serve { store, bind, port } => serve::run(&store.store, &bind, port),
        Command::Eval(EvalCommand::Extract { benchmark, json, report }) => {
            eval::extract(&benchmark, json, report.as_deref())
        }
        Command::Bench(BenchCommand::Extract { corpus, repeat, json }) => bench::extract(&corpus, repeat, json),
        Command::Bench(BenchCommand::Cluster { inputs, workers, copies, nats, store, json }) => {
            cluster::bench(&inputs, copies, workers, nats.as_deref(), store.as_deref(), json)
        }
        Command::Bench(BenchCommand::Ingest { inputs, json }) => bench::ingest(&inputs, json),
        Command::Bench(BenchCommand::Quotes { corpus, repeat, json }) => bench::quotes(&corpus, repeat, json),
        Command::Bench(BenchCommand::Events { inputs, repeat, json }) => events::bench(&inputs, repeat, json),
        Command::Eval(EvalCommand::Ner {
            conll,
            scheme,
            map,
            model,
            recase,
            pipeline,
            extent,
            json,
            report,
            errors,
        }) => {
            let out = ner::EvalOutput { json, report: report.as_deref(), errors: errors.as_deref() };
            ner::eval(&conll, scheme, map.as_deref(), model.as_deref(), recase, pipeline, extent, out)
        }
        Command::Train(TrainCommand::Ner {
            conll,
            dev,
            out,
            epochs,
            bits,
            seed,
            prune,
            no_gazetteer,
            augment_case,
            case_lexicon,
        }) => {
            let cfg = newsgraph_entity::TrainConfig {
                epochs,
                bits,
                seed,
                prune,
                augment_case,
                case_lexicon,
                word_dropout: 0.0,
            };
            ner::train(&conll, dev.as_deref(), &out, &cfg, no_gazetteer)
        }
        Command::Bench(BenchCommand::Entities { inputs, repeat, json }) => {
            let paths: Vec<std::path::PathBuf> = inputs.iter().map(Into::into).collect();
            ner::bench(&paths, repeat, json)
        }
        Command::Eval(EvalCommand::Geo { corpus, end_to_end, json, report }) => {
            eval::geo(&corpus, end_to_end, json, report.as_deref())
        }
        Command::Eval(EvalCommand::Timex { tml, json, report }) => timex::eval(&tml, json, report.as_deref()),
        Command::Eval(EvalCommand::Stories { ecbplus, topics, threshold, json, report }) => {
            stories::eval(&ecbplus, topics.as_deref(), threshold, json, report.as_deref())
        }
        Command::Eval(EvalCommand::Quotes { polnear, json, report }) => quotes::eval(&polnear, json, report.as_deref()),
        Command::Eval(EvalCommand::Events { plover, codebook, json, report }) => {
            events::eval(&plover, codebook.as_deref(), json, report.as_deref())
        }
        Command::Bench(BenchCommand::Timex { corpus, repeat, json }) => timex::bench(&corpus, repeat, json),
        Command::Dedup { store, threshold, json } => {
            dedup::run(&*open_store_spec(&store.store, false)?, threshold, json)
        }
        Command::Bench(BenchCommand::Dedup { corpus, docs, json }) => dedup::bench(&corpus, docs, json),
        Command::Bench(BenchCommand::Corpus { inputs, sizes, keep, json }) => {
            corpus_bench::bench(&inputs, &sizes, keep.as_deref(), json)
        }
        Command::Cluster(ClusterCommand::Init { nats, replicas, max_deliver, ack_wait, json }) => {
            let cfg = newsgraph_cluster::ClusterConfig {
                replicas,
                max_deliver,
                ack_wait: std::time::Duration::from_secs(ack_wait),
                ..Default::default()
            };
            cluster::init(&nats, &cfg, json)
        }
        Command::Cluster(ClusterCommand::Status { nats, json }) => cluster::status(&nats, json),
        Command::Worker { nats, store, batch, exit_when_idle, metrics, inline_corpus, json, quiet } => {
            let mut opts = newsgraph_cluster::WorkerOptions {
                batch: batch.max(1),
                exit_when_idle: exit_when_idle.map(std::time::Duration::from_secs_f64),
                ..Default::default()
            };
            let mut st: Box<dyn Store> = match pg_url(&store.store) {
                // A shared store: the corpus work goes to the elected `newsgraph corpus` leader.
                Some(url) if !inline_corpus => {
                    let mut pg = PgStore::connect(url).context("cannot open the PostgreSQL store")?;
                    pg.defer_corpus()?;
                    opts.publish_extracted = true;
                    Box::new(pg)
                }
                _ => open_store_spec(&store.store, true)?,
            };
            cluster::worker(&nats, &mut *st, &opts, metrics.as_deref(), json, quiet)
        }
        Command::Corpus { nats, store, batch, exit_when_idle, metrics, json, quiet } => {
            let opts = newsgraph_cluster::CorpusOptions {
                batch: batch.max(1),
                exit_when_idle: exit_when_idle.map(std::time::Duration::from_secs_f64),
                ..Default::default()
            };
            let Some(url) = pg_url(&store.store) else {
                anyhow::bail!(
                    "newsgraph corpus needs the workers' shared store (--store postgres://…); with an embedded \
                     store the worker does the corpus work itself"
                );
            };
            let mut st = PgStore::connect(url).context("cannot open the PostgreSQL store")?;
            cluster::corpus(&nats, &mut st, &opts, metrics.as_deref(), json, quiet)
        }
        Command::Demo { examples, store } => demo::run(&examples, &store),
    }
}

pub(crate) fn ingest_options(opts: &InputOpts) -> IngestOptions {
    IngestOptions { strict: opts.strict, include_captions: opts.include_captions, ..IngestOptions::default() }
}

/// Opens the store `--store` names: a `postgres://…` or `postgresql://…` URL opens a
/// PostgreSQL store ([`PgStore`]), anything else is a store directory ([`EmbeddedStore`]).
/// `writable`: for writing, creating the store (or the database's schema) if needed, one
/// writer at a time; else read-only (works while another process writes).
pub(crate) fn open_store_spec(spec: &Path, writable: bool) -> Result<Box<dyn Store>> {
    if let Some(url) = pg_url(spec) {
        let store = if writable { PgStore::connect(url) } else { PgStore::connect_read_only(url) };
        return Ok(Box::new(store.context("cannot open the PostgreSQL store")?));
    }
    if writable {
        let store = EmbeddedStore::open(spec).with_context(|| format!("cannot open store {}", spec.display()))?;
        return Ok(Box::new(store));
    }
    Ok(Box::new(open_store_read(spec)?))
}

/// The PostgreSQL URL when `--store` is one.
pub(crate) fn pg_url(spec: &Path) -> Option<&str> {
    spec.to_str().map(str::trim).filter(|s| newsgraph_store_pg::is_postgres_url(s))
}

/// `--store` for messages (a URL's password redacted).
pub(crate) fn store_name(spec: &Path) -> String {
    match pg_url(spec) {
        Some(url) => newsgraph_store_pg::redact(url),
        None => spec.display().to_string(),
    }
}

/// For `serve`: opens writable once (an embedded store catches its index up after a crash, a
/// database gets its schema), then read-only so an ingest can run beside the server.
pub(crate) fn open_for_serving(spec: &Path) -> Result<Box<dyn Store>> {
    if pg_url(spec).is_none() && !spec.exists() {
        std::fs::create_dir_all(spec).with_context(|| format!("cannot create {}", spec.display()))?;
    }
    drop(open_store_spec(spec, true));
    open_store_spec(spec, false)
}

/// Opens (creating if needed) an embedded store (a directory) for writing.
pub(crate) fn open_store(dir: &Path) -> Result<EmbeddedStore> {
    EmbeddedStore::open(dir).with_context(|| format!("cannot open store {}", dir.display()))
}

/// Opens an existing embedded store (a directory) for reading (works while an ingest runs).
pub(crate) fn open_store_read(dir: &Path) -> Result<EmbeddedStore> {
    if !dir.exists() {
        anyhow::bail!("no store at {} (ingest something first, or pass --store DIR)", dir.display());
    }
    EmbeddedStore::open_read_only(dir).with_context(|| format!("cannot open store {}", dir.display()))
}
