use std::collections::HashMap;

/// How an abbreviation behaves at a possible sentence end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevKind {
    /// A title or other abbreviation that a name or number follows: never ends a sentence.
    Title,
    /// Usually mid-sentence, but may end one when a sentence starter follows.
    Other,
}

/// The abbreviation list, compiled from `data/abbreviations.txt` (case-sensitive, stored
/// without the final period).
#[derive(Debug, Clone, Default)]
pub struct Abbreviations {
    map: HashMap<String, AbbrevKind>,
}

const BUILTIN: &str = include_str!("../data/abbreviations.txt");

impl Abbreviations {
    pub fn builtin() -> Abbreviations {
        Abbreviations::parse(BUILTIN)
    }

    /// Parses the list format: `#` comments, `[title]` / `[other]` sections, one entry a line.
    pub fn parse(src: &str) -> Abbreviations {
        let mut map = HashMap::new();
        let mut kind = AbbrevKind::Other;
        for line in src.lines().map(str::trim) {
            match line {
                "" => {}
                l if l.starts_with('#') => {}
                "[title]" => kind = AbbrevKind::Title,
                "[other]" => kind = AbbrevKind::Other,
                l => {
                    map.insert(l.to_string(), kind);
                }
            }
        }
        Abbreviations { map }
    }

    /// The kind of `word` (given without its final period), if it is an abbreviation.
    pub fn get(&self, word: &str) -> Option<AbbrevKind> {
        self.map.get(word).copied()
    }
}
