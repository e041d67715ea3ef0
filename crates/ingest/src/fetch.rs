//! Fetching one URL (http/https only) with timeouts, a size limit and few redirects.
use crate::error::{ErrorKind, IngestError, Place};
use std::time::Duration;

/// Limits for fetching a URL.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Time to connect (DNS + TCP + TLS). Default 10 s.
    pub connect_timeout: Duration,
    /// Time to receive the whole response. Default 30 s.
    pub read_timeout: Duration,
    /// Largest body accepted. Default 20 MiB.
    pub max_body_bytes: u64,
    /// Redirects followed. Default 5.
    pub max_redirects: u32,
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            user_agent: concat!("newsgraph/", env!("CARGO_PKG_VERSION"), " (+offline news reader)").to_string(),
        }
    }
}

/// A fetched response body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Whether `s` is a URL (has a scheme like `http:`); other strings are paths.
pub(crate) fn is_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, _)) => {
            !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Fetches an http(s) URL. Errors name the URL.
pub fn fetch(url: &str, opts: &FetchOptions) -> Result<Fetched, IngestError> {
    let err = |k| IngestError::new(url, Place::Whole, k);
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    if scheme != "http" && scheme != "https" {
        return Err(err(ErrorKind::UnsupportedScheme(scheme)));
    }
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_global(Some(opts.connect_timeout + opts.read_timeout))
        .max_redirects(opts.max_redirects)
        .http_status_as_error(false)
        .user_agent(opts.user_agent.as_str())
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut resp = agent.get(url).call().map_err(|e| err(ErrorKind::Fetch(describe(e))))?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(err(ErrorKind::HttpStatus(status)));
    }
    use ureq::ResponseExt;
    let final_url = resp.get_uri().to_string();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = resp.body_mut().with_config().limit(opts.max_body_bytes).read_to_vec().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => err(ErrorKind::TooLarge { limit: opts.max_body_bytes }),
        e => err(ErrorKind::Fetch(describe(e))),
    })?;
    Ok(Fetched { final_url, content_type, body })
}

fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("no answer ({io})"),
        ureq::Error::ConnectionFailed => "connection failed (no answer)".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        e => e.to_string(),
    }
}
