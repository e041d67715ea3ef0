//! One module per command; `run` dispatches.
mod analyze;
mod bench;
mod demo;
mod eval;
mod ingest;
mod query;
mod serve;

use crate::cli::{BenchCommand, Cli, Command, EvalCommand, InputOpts};
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
            Ok(summary.exit_code(opts.strict))
        }
        Command::Search { query, store, source, language, from, to, limit, offset, json } => {
            let q = query::search_query(query, source, language, from, to, limit, offset)?;
            query::search(&open_store_read(&store.store)?, &q, json)
        }
        Command::Show { id, store, json } => query::show(&open_store_read(&store.store)?, &id, json),
        Command::Export { format: _, output, store } => query::export(&open_store_read(&store.store)?, output.as_deref()),
        Command::Stats { store, json } => query::stats(&open_store_read(&store.store)?, json),
        Command::Serve { store, bind, port } => serve::run(&store.store, &bind, port),
        Command::Eval(EvalCommand::Extract { benchmark, json, report }) => eval::extract(&benchmark, json, report.as_deref()),
        Command::Bench(BenchCommand::Extract { corpus, repeat, json }) => bench::extract(&corpus, repeat, json),
        Command::Bench(BenchCommand::Ingest { inputs, json }) => bench::ingest(&inputs, json),
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
