//! Helpers shared by the integration tests: run the real binary, find the shared data.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsgraph"));
    c.current_dir(repo_root());
    c.env_remove("NEWSGRAPH_STORE");
    c.env_remove("NEWSGRAPH_NATS");
    c.env_remove("NEWSGRAPH_CONFIG");
    c
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out: Output = bin().args(args).output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `../shared/data` beside the repository (or `$NEWSGRAPH_SHARED/data`). When it is missing
/// the test is skipped with a printed reason, except in CI, where the data must be there.
pub fn shared_data() -> Option<PathBuf> {
    let base = std::env::var_os("NEWSGRAPH_SHARED").map(PathBuf::from).unwrap_or_else(|| repo_root().join("../shared"));
    let data = base.join("data");
    if data.is_dir() {
        return Some(data);
    }
    if std::env::var_os("CI").is_some() {
        panic!("gold data missing at {} (CI must have it)", data.display());
    }
    eprintln!("SKIPPED: gold data not found at {} (set NEWSGRAPH_SHARED)", data.display());
    None
}
