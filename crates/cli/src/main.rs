//! The `newsgraph` command-line program. Not a library: it parses arguments, wires the
//! crates together, prints, and maps errors to exit codes.
//!
//! Exit codes: 0 = success; 1 = the command ran but some input was bad and skipped
//! (or, with `--strict`, stopped the run), or `show` found nothing; 2 = the command could
//! not run (usage error, store or input that cannot be opened). A closed stdout pipe
//! (`newsgraph export | head`) counts as success.

mod cli;
mod cmd;
mod config;
mod usage;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = config::load() {
        eprintln!("newsgraph: error: {e:#}");
        return ExitCode::from(2);
    }
    let args = cli::Cli::parse();
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("newsgraph: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
