//! Events: who did what to whom, where and when, coded in CAMEO (and PLOVER).
//!
//! [`EventCoder::annotate`] reads a document's sentences, tokens, mentions, entities and
//! timexes and fills its `events` layer. The method is our own and explainable: trigger
//! patterns written from the CAMEO codebook's definitions (`data/verbs.tsv`, verb and noun
//! phrases with gaps) are matched over lemma readings of the tokens; a light clause analysis
//! picks the source (nearest actor before the trigger, or the by-phrase of a passive), the
//! target (first actor after it in its clause), the place (a place after a locative
//! preposition), the date (the nearest resolved date of the sentence) and the modality
//! (negation, condition, intention words). Actor codes (`USAGOV`, `RUSMIL`) come from the
//! knowledge base's roles at the article's date ([`actors::entity_code`]); the code's root,
//! Goldstein value, QuadClass and PLOVER category from `data/cameo.tsv`. Every event carries
//! the pattern and the rules that produced it as evidence.

pub mod actors;
mod coder;
pub mod patterns;
pub mod table;

#[cfg(test)]
mod tests;

use newsgraph_model::Document;
use std::collections::HashMap;
use std::sync::OnceLock;

pub use patterns::{readings, Pattern, Patterns};
pub use table::{CameoTable, CodeInfo};

/// Codes events. Build once ([`EventCoder::builtin`]) and share.
#[derive(Debug)]
pub struct EventCoder {
    table: CameoTable,
    patterns: Patterns,
    irregular: HashMap<&'static str, &'static str>,
    /// (parent code, child code, words) from `data/refine.tsv`, in file order.
    refine: Vec<(String, String, Vec<String>)>,
}

impl Default for EventCoder {
    fn default() -> Self {
        EventCoder::new(CameoTable::builtin(), Patterns::builtin())
    }
}

impl EventCoder {
    pub fn new(table: CameoTable, patterns: Patterns) -> EventCoder {
        EventCoder { table, patterns, irregular: patterns::irregular(), refine: patterns::refinements() }
    }

    /// The shipped coder (patterns and code table compiled in), built on first use.
    pub fn builtin() -> &'static EventCoder {
        static CODER: OnceLock<EventCoder> = OnceLock::new();
        CODER.get_or_init(EventCoder::default)
    }

    /// The CAMEO code table.
    pub fn table(&self) -> &CameoTable {
        &self.table
    }

    /// Fills `doc.layers.events` (sorted by sentence, then trigger), with actor codes from
    /// the built-in knowledge base.
    pub fn annotate(&self, doc: &mut Document) {
        doc.layers.events = self.code(doc, newsgraph_kb::builtin());
    }
}
