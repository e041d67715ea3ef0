//! Work across articles: exact and near-duplicate detection, story clustering
//! ([`story`]: incremental clustering of articles into stories) and cross-document identity
//! ([`identity`]: document-local entities merged across articles, absorbed by the knowledge base).
//!
//! [`MinHasher`] turns a text into a [`Signature`] (MinHash over word 5-shingles, 128
//! hash functions); [`LshIndex`] finds, among the signatures inserted so far, those whose
//! estimated Jaccard similarity is at least a threshold, by banding (30 bands × 4 rows:
//! a pair at Jaccard 0.6 shares a band with probability ≈ 0.98, at 0.8 ≈ 1.0, at 0.2 ≈ 0.05),
//! then checking the estimate on the full signature (default threshold 0.6).
//! [`NearDuplicates`] runs both incrementally and keeps duplicate groups, each with its
//! canonical copy (the earliest published, ties to the first seen).
//!
//! ```
//! use newsgraph_corpus::NearDuplicates;
//! let mut nd = NearDuplicates::default();
//! let a = "Donald Trump says he will meet Vladimir Putin in Alaska next Friday to discuss the war in Ukraine, the White House said.";
//! let b = "Donald Trump says he will meet Vladimir Putin in Alaska next Friday to discuss the war in Ukraine, the White House said on Saturday.";
//! assert!(nd.add("a", None, a).is_none());
//! let dup = nd.add("b", None, b).unwrap();
//! assert_eq!(dup.canonical, "a");
//! ```
//!
//! Useful for: wire copy republished with small edits, updates, boilerplate-wrapped copies.
//! Not useful for: translations or rewrites of the same story (that is story clustering).

pub mod identity;
mod minhash;
mod neardup;
pub mod state;
pub mod story;

pub use minhash::{MinHasher, Signature, NUM_HASHES, SHINGLE_WORDS};
pub use neardup::{DupGroup, Duplicate, LshIndex, NearDuplicates, DEFAULT_THRESHOLD};
pub use state::{CorpusState, Observed, SnapshotError};
pub use story::{features_from_document, ArticleFeatures, Assignment, Named, Story, StoryClusterer, StoryConfig};
