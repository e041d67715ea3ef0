//! A place-name gazetteer whose matches become features of the tagger.
//!
//! Names are matched case-insensitively on whole tokens (up to [`MAX_LEN`] tokens, longest
//! match first). The shipped list (`data/places.txt`) is a compacted derivative of GeoNames
//! (CC-BY 4.0): see `data/README.md`.
use crate::features::{mix, TokenInfo};
use std::collections::HashSet;

/// Longest name, in tokens.
pub const MAX_LEN: usize = 4;

/// Kind bits of multi-token names.
pub const PLACE: u8 = 1;
pub const PERSON: u8 = 2;
pub const ORG: u8 = 4;
pub const MISC: u8 = 8;

/// Classes of single words (bit numbers of [`TokenInfo::lexb`]).
pub mod word {
    pub const FIRST_NAME: u16 = 1 << 0;
    pub const SURNAME: u16 = 1 << 1;
    pub const PERSON_WORD: u16 = 1 << 2;
    pub const TITLE: u16 = 1 << 3;
    pub const ORG_CUE: u16 = 1 << 4;
    pub const CLUB: u16 = 1 << 5;
    pub const DEMONYM: u16 = 1 << 6;
    pub const EVENT: u16 = 1 << 7;
    pub const COMMON_CAPS: u16 = 1 << 8;
}

/// Sets of multi-token names by kind, stored as hashes of their lower-cased tokens, and
/// classes of single words.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    names: HashSet<u64>,
    /// Kind bits per name: [`PLACE`], [`PERSON`], [`ORG`], [`MISC`].
    kinds: std::collections::HashMap<u64, u8>,
    /// Word-class bits per lower-cased word (see [`word`]).
    words: std::collections::HashMap<u64, u16>,
}

fn seq_hash(lower: impl Iterator<Item = u64>) -> u64 {
    lower.fold(0x6761_7a00u64, |h, x| mix(h ^ x))
}

impl Gazetteer {
    /// Builds from a list of names, one per line (blank lines and `#` comments ignored).
    pub fn from_list(text: &str) -> Gazetteer {
        let mut g = Gazetteer::default();
        g.add_list(text, 1, false);
        g
    }

    /// Adds a list of names of one kind (bit 1 place, 2 person); with `last_words`, also
    /// each name's last word alone (surnames).
    pub fn add_list(&mut self, text: &str, kind: u8, last_words: bool) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.len() > MAX_LEN {
                continue;
            }
            let toks: Vec<TokenInfo> = words.iter().map(|w| TokenInfo::new(w)).collect();
            let h = seq_hash(toks.iter().map(|t| t.lower));
            self.names.insert(h);
            *self.kinds.entry(h).or_default() |= kind;
            if last_words && toks.len() > 1 {
                let h = seq_hash(toks[toks.len() - 1..].iter().map(|t| t.lower));
                self.names.insert(h);
                *self.kinds.entry(h).or_default() |= kind;
            }
        }
    }

    /// Adds the words of a list (whitespace-separated, any number per line; `#` comments
    /// ignored) to a word class (a bit of [`word`]); words in `except` are skipped.
    pub fn add_words(&mut self, text: &str, class: u16, except: &HashSet<u64>) {
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            for w in line.split_whitespace() {
                let h = TokenInfo::new(w).lower;
                if !except.contains(&h) {
                    *self.words.entry(h).or_default() |= class;
                }
            }
        }
    }

    /// Adds each line of a list as one multi-word entry of a word class (whole lines, e.g.
    /// `Grand Prix`); one-word lines are plain words of the class.
    pub fn add_phrases(&mut self, text: &str, class: u16) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let toks: Vec<TokenInfo> = line.split_whitespace().map(TokenInfo::new).collect();
            if toks.len() == 1 {
                *self.words.entry(toks[0].lower).or_default() |= class;
            } else if let Some(last) = toks.last() {
                // The last word of a phrase carries the class (e.g. `Prix` of `Grand Prix`).
                *self.words.entry(last.lower).or_default() |= class;
            }
        }
    }

    /// The hashes of the words of a list (for `except`).
    pub fn word_set(text: &str) -> HashSet<u64> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(|w| TokenInfo::new(w).lower)
            .collect()
    }

    /// Number of classified single words.
    pub fn words_len(&self) -> usize {
        self.words.len()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Sets `gaz` of the tokens inside a match: bits 0–1 the position (1 = a one-token
    /// name, 2 = first token of a longer name, 3 = a later token of one), bits 2–5 the kinds;
    /// and `lexb`, the word classes of each token.
    pub fn mark(&self, _words: &[&str], toks: &mut [TokenInfo]) {
        let n = toks.len();
        if !self.words.is_empty() {
            for t in toks.iter_mut() {
                t.lexb = self.words.get(&t.lower).copied().unwrap_or(0);
            }
        }
        let mut i = 0;
        while i < n {
            // Only tokens with a letter can start a name.
            if toks[i].flags & 32 != 0 {
                i += 1;
                continue;
            }
            let mut hit = 0;
            let mut kind = 0;
            for len in (1..=MAX_LEN.min(n - i)).rev() {
                if let Some(&k) = self.kinds.get(&seq_hash(toks[i..i + len].iter().map(|t| t.lower))) {
                    hit = len;
                    kind = k << 2;
                    break;
                }
            }
            if hit == 0 {
                i += 1;
                continue;
            }
            if hit == 1 {
                toks[i].gaz = 1 | kind;
            } else {
                toks[i].gaz = 2 | kind;
                for t in &mut toks[i + 1..i + hit] {
                    t.gaz = 3 | kind;
                }
            }
            i += hit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_case_insensitive_match() {
        let g = Gazetteer::from_list("# places\nNew York\nYork\nParis\n\n");
        assert_eq!(g.len(), 3);
        let words = ["NEW", "YORK", "and", "paris", "or", "York", "New"];
        let mut toks: Vec<TokenInfo> = words.iter().map(|w| TokenInfo::new(w)).collect();
        g.mark(&words, &mut toks);
        let gaz: Vec<u8> = toks.iter().map(|t| t.gaz).collect();
        assert_eq!(gaz, [6, 7, 0, 5, 0, 5, 0]);
        let mut g = g;
        g.add_list("Vladimir Putin\nParis Hilton\n", 2, true);
        let words = ["Putin", "in", "Paris"];
        let mut toks: Vec<TokenInfo> = words.iter().map(|w| TokenInfo::new(w)).collect();
        g.mark(&words, &mut toks);
        let gaz: Vec<u8> = toks.iter().map(|t| t.gaz).collect();
        assert_eq!(gaz, [1 | 8, 0, 1 | 4], "surname of a person; Paris stays a place");
    }
}
