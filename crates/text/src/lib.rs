//! newsgraph-text (in progress)
