//! newsgraph-ingest (in progress)
