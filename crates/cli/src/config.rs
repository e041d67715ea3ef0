//! The configuration file: defaults for `--store` and `--nats`, so that a deployment (the
//! scale-out workers, the corpus process, `serve` nodes) names its database and its NATS
//! servers once, off the command line and out of `ps`.
//!
//! Found at `$NEWSGRAPH_CONFIG`, else `./newsgraph.toml` when that file exists. TOML:
//!
//! ```toml
//! store = "postgres://newsgraph:secret@db.internal:5432/news"
//! nats = "nats://10.0.0.5:4222,nats://10.0.0.6:4222"
//! ```
//!
//! Precedence: a command-line option, then the environment (`NEWSGRAPH_STORE`,
//! `NEWSGRAPH_NATS`), then the file. Unknown keys and malformed files are errors that name the
//! file and the place.
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The settings a file may hold, and the environment variable each one stands for.
const KEYS: [(&str, &str); 2] = [("store", "NEWSGRAPH_STORE"), ("nats", "NEWSGRAPH_NATS")];

/// The file in use, if any: `$NEWSGRAPH_CONFIG` (which must exist), else `./newsgraph.toml`.
fn locate() -> Result<Option<PathBuf>> {
    if let Some(p) = std::env::var_os("NEWSGRAPH_CONFIG").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        anyhow::ensure!(p.is_file(), "NEWSGRAPH_CONFIG names {}, which is not a file", p.display());
        return Ok(Some(p));
    }
    let here = PathBuf::from("newsgraph.toml");
    Ok(here.is_file().then_some(here))
}

/// The settings of a configuration file's text: `(environment variable, value)` pairs.
fn parse(text: &str, path: &Path) -> Result<Vec<(&'static str, String)>> {
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim()))?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(&(_, var)) = KEYS.iter().find(|(k, _)| *k == key) else {
            anyhow::bail!("{}: unknown setting {key:?} (known: {})", path.display(), KEYS.map(|(k, _)| k).join(", "));
        };
        let Some(v) = value.as_str() else {
            anyhow::bail!("{}: {key} must be a string, got {}", path.display(), value.type_str());
        };
        out.push((var, v.to_string()));
    }
    Ok(out)
}

/// Reads the configuration file, if any, and sets the environment variables it stands for
/// that are not set already (the command-line parser reads them as defaults). Call before
/// any thread starts.
pub fn load() -> Result<()> {
    let Some(path) = locate()? else { return Ok(()) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    for (var, value) in parse(&text, &path)? {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_errors() {
        let p = Path::new("newsgraph.toml");
        let ok = parse("# deployment\nstore = \"postgres://db/news\"\nnats = \"nats://a:4222\"\n", p).unwrap();
        assert_eq!(
            ok,
            [("NEWSGRAPH_NATS", "nats://a:4222".to_string()), ("NEWSGRAPH_STORE", "postgres://db/news".into())]
        );
        assert!(parse("", p).unwrap().is_empty());
        let cases = [
            ("stor = \"x\"", "unknown setting \"stor\""),
            ("store = 5", "store must be a string, got integer"),
            ("store = \"x", "newsgraph.toml:"),
            ("[store]\nurl = \"x\"", "store must be a string"),
        ];
        for (text, want) in cases {
            let e = parse(text, p).unwrap_err().to_string();
            assert!(e.contains(want) && e.starts_with("newsgraph.toml"), "{text:?}: {e}");
        }
    }
}
