//! newsgraph-store (in progress)
