//! Errors of the scale-out path.

/// What went wrong talking to NATS or storing what the workers produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The URL or a setting is not usable.
    #[error("cluster configuration: {0}")]
    Config(String),
    /// The NATS server did not answer.
    #[error("cannot connect to NATS at {url}: {message}")]
    Connect { url: String, message: String },
    /// The streams or the consumer are missing: `newsgraph cluster init` creates them.
    #[error("the work stream is not set up ({0}); run `newsgraph cluster init --nats URL` first")]
    NotInitialized(String),
    /// A JetStream request failed.
    #[error("JetStream, {what}: {message}")]
    JetStream { what: &'static str, message: String },
    /// The store failed for a whole batch and for each article alone.
    #[error(transparent)]
    Store(#[from] newsgraph_store::StoreError),
}

impl ClusterError {
    pub(crate) fn jetstream(what: &'static str, e: impl std::fmt::Display) -> ClusterError {
        ClusterError::JetStream { what, message: e.to_string() }
    }
}
