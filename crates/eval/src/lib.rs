//! newsgraph-eval (in progress)
