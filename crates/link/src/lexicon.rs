//! The linker's word lists (`data/lexicon.txt`), parsed once.
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Words the linker reads around mentions (see the data file's header).
#[derive(Debug, Default)]
pub struct Lexicon {
    pub titles: HashSet<String>,
    pub modifiers: HashSet<String>,
    /// Description head ("leader", "foreign minister") → role-title phrases it covers.
    pub descriptions: Vec<(Vec<String>, Vec<String>)>,
    /// Group noun → group subtype ("forces" → "military").
    pub groups: HashMap<String, String>,
    pub directions: HashSet<String>,
    pub place_nouns: HashSet<String>,
    pub org_heads: HashSet<String>,
    pub connectors: HashSet<String>,
}

impl Lexicon {
    /// Parses the lexicon format; unknown sections are an error naming the line.
    pub fn parse(text: &str) -> Result<Lexicon, String> {
        let mut lex = Lexicon::default();
        let mut section = String::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s.to_string();
                continue;
            }
            let words = line.split_whitespace().map(str::to_lowercase);
            match section.as_str() {
                "title" => lex.titles.extend(words),
                "modifier" => lex.modifiers.extend(words),
                "direction" => lex.directions.extend(words),
                "place-noun" => lex.place_nouns.extend(words),
                "org-head" => lex.org_heads.extend(words),
                "connector" => lex.connectors.extend(words),
                "group" => {
                    let w: Vec<String> = words.collect();
                    if !w.len().is_multiple_of(2) {
                        return Err(format!("lexicon line {}: [group] takes noun/subtype pairs", i + 1));
                    }
                    for p in w.chunks(2) {
                        lex.groups.insert(p[0].clone(), p[1].clone());
                    }
                }
                "description" => {
                    let (head, titles) = line
                        .split_once(':')
                        .ok_or_else(|| format!("lexicon line {}: expected `head: titles`", i + 1))?;
                    let head = head.split_whitespace().map(str::to_lowercase).collect();
                    let titles = titles.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
                    lex.descriptions.push((head, titles));
                }
                other => return Err(format!("lexicon line {}: unknown section [{other}]", i + 1)),
            }
        }
        Ok(lex)
    }

    /// The committed lexicon.
    pub fn builtin() -> &'static Lexicon {
        static L: OnceLock<Lexicon> = OnceLock::new();
        L.get_or_init(|| Lexicon::parse(include_str!("../data/lexicon.txt")).expect("committed lexicon parses"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_parses() {
        let l = Lexicon::builtin();
        assert!(l.titles.contains("envoy") && l.titles.contains("analyst"));
        assert_eq!(l.groups.get("forces").map(String::as_str), Some("military"));
        assert!(l.descriptions.iter().any(|(h, t)| h == &["leader"] && t.contains(&"president".to_string())));
        assert!(Lexicon::parse("[nope]\nx\n").unwrap_err().contains("line 2"));
    }
}
