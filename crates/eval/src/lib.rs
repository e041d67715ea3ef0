//! Evaluation harnesses for newsgraph components.
//!
//! Currently one harness: [`extract`], a Rust port of the scoring used by the
//! scrapinghub *article-extraction-benchmark* (`evaluate.py`), plus a runner that reads the
//! benchmark's gzip'd pages and ground truth from disk and scores any extractor.
//!
//! ```
//! use newsgraph_eval::extract::{page_counts, aggregate};
//! let c = page_counts("the quick brown fox jumps", "the quick brown fox jumps");
//! let r = aggregate(&[c]);
//! assert_eq!(r.f1, 1.0);
//! ```

mod score;

pub mod events;
pub mod extract;
pub mod geo;
pub mod ner;
pub mod quotes;
pub mod stories;
pub mod timex;

pub use extract::{run_benchmark, EvalError, ExtractReport, PageReport, Scores};
