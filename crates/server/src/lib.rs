//! newsgraph-server (in progress)
