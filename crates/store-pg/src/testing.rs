//! Throwaway databases for tests (this crate's and the server's API suite).
//!
//! Tests that need PostgreSQL read the server's URL from `NEWSGRAPH_TEST_PG`
//! (`scripts/ci/postgres.sh start` prints it) and create a fresh database per test with
//! [`TestDb::create`], dropped again when the guard is dropped.

use postgres::{Client, NoTls};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable naming the test server (a URL whose user may create databases).
pub const TEST_PG_VAR: &str = "NEWSGRAPH_TEST_PG";

/// The test server's URL, or `None` with the reason printed when `NEWSGRAPH_TEST_PG` is unset.
/// Panics when it is unset but `CI` is set: CI must run the PostgreSQL tests.
pub fn test_url(test: &str) -> Option<String> {
    match std::env::var(TEST_PG_VAR) {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_string()),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{test}: {TEST_PG_VAR} is not set but CI is: start a server with \
                     `eval \"$(scripts/ci/postgres.sh start)\"` before the tests"
                );
            }
            eprintln!("{test}: skipped: {TEST_PG_VAR} is not set (eval \"$(scripts/ci/postgres.sh start)\" to run it)");
            None
        }
    }
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let auth_start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[auth_start..];
    let path_start = rest.find(['/', '?']).map_or(url.len(), |i| auth_start + i);
    let query = url[path_start..].find('?').map_or("", |i| &url[path_start + i..]);
    format!("{}/{db}{query}", &url[..path_start])
}

/// A database created for one test, dropped (with its connections) when this is dropped.
pub struct TestDb {
    admin: String,
    pub name: String,
    /// URL of the new database.
    pub url: String,
}

impl TestDb {
    /// Creates a database named after `tag`, the process and a counter on the server of
    /// `admin_url`.
    pub fn create(admin_url: &str, tag: &str) -> TestDb {
        static N: AtomicUsize = AtomicUsize::new(0);
        let tag: String = tag
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(30)
            .collect();
        let name = format!("ng_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let mut c = Client::connect(admin_url, NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {TEST_PG_VAR} ({}): {e}", crate::redact(admin_url)));
        // Two statements: CREATE DATABASE cannot run in the implicit transaction of a batch.
        for sql in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
            c.batch_execute(&sql).unwrap_or_else(|e| panic!("cannot create database {name}: {}", crate::describe(&e)));
        }
        TestDb { admin: admin_url.to_string(), url: with_database(admin_url, &name), name }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&self.admin, NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced() {
        use super::with_database as w;
        assert_eq!(w("postgres://u@h:1/postgres", "x"), "postgres://u@h:1/x");
        assert_eq!(w("postgres://u@h:1", "x"), "postgres://u@h:1/x");
        assert_eq!(w("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(w("postgresql://h?user=u", "x"), "postgresql://h/x?user=u");
    }
}
