//! newsgraph-engine (in progress)
