//! One module per command; `run` dispatches.
mod analyze;
mod bench;
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
mod query;
mod quotes;
mod quotes_cmd;
mod serve;
mod stories;
mod stories_cmd;
mod timex;

use crate::cli::{BenchCommand, Cli, Command, EvalCommand, InputOpts, TrainCommand};
use anyhow::{Context, Result};
use newsgraph_ingest::IngestOptions;
use newsgraph_store::EmbeddedStore;
use std::path::Path;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze { input, json, opts } => analyze::run(&input, json, &opts),
        Command::Ingest { inputs, store, opts, json, quiet } => {
            let mut st = open_store(&store.store)?;
            let summary = ingest::run(&mut st, &inputs, &opts, !quiet)?;
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
            query::search(&open_store_read(&store.store)?, &q, json)
        }
        Command::Entities { q, kind, store, limit, offset, json } => {
            entities::list(&store.store, &newsgraph_store::EntityQuery { q, kind, limit, offset }, json)
        }
        Command::Entity { id, store, limit, offset, json } => entities::show(&store.store, &id, offset, limit, json),
        Command::Quotes { speaker, q, kind, store, limit, offset, json } => {
            quotes_cmd::list(&store.store, &newsgraph_store::QuoteQuery { speaker, q, kind, limit, offset }, json)
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
        Command::Show { id, store, json } => query::show(&open_store_read(&store.store)?, &id, json),
        Command::Export { format, output, header, store } => {
            query::export(&open_store_read(&store.store)?, format, header, output.as_deref())
        }
        Command::Stats { store, json } => query::stats(&open_store_read(&store.store)?, json),
        Command::Serve { store, bind, port } => serve::run(&store.store, &bind, port),
        Command::Eval(EvalCommand::Extract { benchmark, json, report }) => {
            eval::extract(&benchmark, json, report.as_deref())
        }
        Command::Bench(BenchCommand::Extract { corpus, repeat, json }) => bench::extract(&corpus, repeat, json),
        Command::Bench(BenchCommand::Ingest { inputs, json }) => bench::ingest(&inputs, json),
        Command::Bench(BenchCommand::Quotes { corpus, repeat, json }) => bench::quotes(&corpus, repeat, json),
        Command::Bench(BenchCommand::Events { inputs, repeat, json }) => events::bench(&inputs, repeat, json),
        Command::Eval(EvalCommand::Ner { conll, scheme, map, model, recase, json, report }) => {
            ner::eval(&conll, scheme, map.as_deref(), model.as_deref(), recase, json, report.as_deref())
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
        Command::Dedup { store, threshold, json } => dedup::run(&open_store_read(&store.store)?, threshold, json),
        Command::Bench(BenchCommand::Dedup { corpus, docs, json }) => dedup::bench(&corpus, docs, json),
        Command::Demo { examples, store } => demo::run(&examples, &store),
    }
}

pub(crate) fn ingest_options(opts: &InputOpts) -> IngestOptions {
    IngestOptions { strict: opts.strict, include_captions: opts.include_captions, ..IngestOptions::default() }
}

/// Opens (creating if needed) a store for writing.
pub(crate) fn open_store(dir: &Path) -> Result<EmbeddedStore> {
    EmbeddedStore::open(dir).with_context(|| format!("cannot open store {}", dir.display()))
}

/// Opens an existing store for reading (works while an ingest runs).
pub(crate) fn open_store_read(dir: &Path) -> Result<EmbeddedStore> {
    if !dir.exists() {
        anyhow::bail!("no store at {} (ingest something first, or pass --store DIR)", dir.display());
    }
    EmbeddedStore::open_read_only(dir).with_context(|| format!("cannot open store {}", dir.display()))
}
