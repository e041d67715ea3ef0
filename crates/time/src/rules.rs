//! The rule data: lexicon, modifiers and patterns, parsed once.
use std::collections::HashMap;

/// A lexicon word class. The discriminant is the bit used in token masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    Month,
    Weekday,
    Unit,
    Num,
    Ord,
    Shift,
    NShift,
    Season,
    Part,
    DayRef,
    Dir,
    Clock,
    AmPm,
    Ref,
    Set,
    Holiday,
    Noun,
    Prep,
    Future,
    Past,
    Tz,
}

impl Class {
    fn parse(s: &str) -> Option<Class> {
        use Class::*;
        Some(match s {
            "month" => Month,
            "weekday" => Weekday,
            "unit" => Unit,
            "num" => Num,
            "ord" => Ord,
            "shift" => Shift,
            "nshift" => NShift,
            "season" => Season,
            "part" => Part,
            "dayref" => DayRef,
            "dir" => Dir,
            "clock" => Clock,
            "ampm" => AmPm,
            "ref" => Ref,
            "set" => Set,
            "holiday" => Holiday,
            "noun" => Noun,
            "prep" => Prep,
            "future" => Future,
            "past" => Past,
            "tz" => Tz,
            _ => return None,
        })
    }
    pub(crate) fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

// Bits for the built-in token tests (above the lexicon classes).
pub(crate) const B_YEAR: u64 = 1 << 40;
pub(crate) const B_DAY: u64 = 1 << 41;
pub(crate) const B_NUM: u64 = 1 << 42;
pub(crate) const B_ORD: u64 = 1 << 43;
pub(crate) const B_HOUR: u64 = 1 << 44;
pub(crate) const B_MIN: u64 = 1 << 45;
pub(crate) const B_DECADE: u64 = 1 << 46;
pub(crate) const B_LIT: u64 = 1 << 47;

/// One lexicon entry of a word.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub class: Class,
    pub value: String,
    pub ambig: bool,
    pub extra: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Elem {
    Lit(Vec<String>),
    Class(Class),
    Year,
    Day,
    Count,
    Ord,
    Hour,
    Min,
    Decade,
}

#[derive(Debug, Clone)]
pub(crate) struct PElem {
    pub elem: Elem,
    pub optional: bool,
    /// Mask bits a token must have one of to match (0 = literal test only).
    pub mask: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Date,
    Offset,
    Duration,
    Set,
    Ref,
    Decade,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub name: String,
    pub kind: newsgraph_model::TimexType,
    pub action: Action,
    pub pattern: Vec<PElem>,
    /// Union of the masks of the elements that can come first.
    pub first_mask: u64,
}

/// Everything parsed from `data/`.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) lexicon: HashMap<String, Vec<Entry>>,
    pub(crate) literals: std::collections::HashSet<String>,
    pub(crate) modifiers: Vec<(Vec<String>, String)>,
    pub(crate) rules: Vec<Rule>,
}

/// A rule-data file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}
impl std::error::Error for RuleError {}

pub(crate) const LEXICON: &str = include_str!("../data/lexicon.txt");
pub(crate) const MODIFIERS: &str = include_str!("../data/modifiers.txt");
pub(crate) const RULES: &str = include_str!("../data/rules.txt");

fn content_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    src.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

impl RuleSet {
    /// Parses the three data files (the built-in ones or replacements).
    pub fn parse(lexicon: &str, modifiers: &str, rules: &str) -> Result<RuleSet, RuleError> {
        let mut lex: HashMap<String, Vec<Entry>> = HashMap::new();
        for (n, line) in content_lines(lexicon) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let err = |m: &str| RuleError { file: "lexicon.txt", line: n, message: m.to_string() };
            if f.len() < 2 {
                return Err(err("expected `word class [value] [flags]`"));
            }
            let class = Class::parse(f[1]).ok_or_else(|| err(&format!("unknown class `{}`", f[1])))?;
            let value = f.get(2).map(|s| s.to_string()).unwrap_or_default();
            let mut ambig = false;
            let mut extra = None;
            for flag in f.iter().skip(3) {
                if *flag == "ambig" {
                    ambig = true;
                } else {
                    extra = Some(flag.to_string());
                }
            }
            lex.entry(f[0].to_lowercase()).or_default().push(Entry { class, value, ambig, extra });
        }
        let mut mods = Vec::new();
        for (n, line) in content_lines(modifiers) {
            let (phrase, m) = line.split_once('=').ok_or_else(|| RuleError {
                file: "modifiers.txt",
                line: n,
                message: "expected `phrase = MOD`".into(),
            })?;
            mods.push((phrase.split_whitespace().map(str::to_lowercase).collect(), m.trim().to_string()));
        }
        // Longest phrases first.
        mods.sort_by_key(|(p, _): &(Vec<String>, String)| std::cmp::Reverse(p.len()));
        let mut literals = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (n, line) in content_lines(rules) {
            let err = |m: String| RuleError { file: "rules.txt", line: n, message: m };
            let parts: Vec<&str> = line.splitn(3, ':').map(str::trim).collect();
            if parts.len() != 3 {
                return Err(err("expected `name : TYPE action : pattern`".into()));
            }
            let (ty, act) = parts[1].split_once(' ').ok_or_else(|| err("expected `TYPE action`".into()))?;
            use newsgraph_model::TimexType as T;
            let kind = match ty {
                "DATE" => T::Date,
                "TIME" => T::Time,
                "DURATION" => T::Duration,
                "SET" => T::Set,
                _ => return Err(err(format!("unknown type `{ty}`"))),
            };
            let action = match act.trim() {
                "date" => Action::Date,
                "offset" => Action::Offset,
                "duration" => Action::Duration,
                "set" => Action::Set,
                "ref" => Action::Ref,
                "decade" => Action::Decade,
                a => return Err(err(format!("unknown action `{a}`"))),
            };
            let mut pattern = Vec::new();
            // The pattern may itself hold `:` (clock times), so take the rest of the line.
            for raw in parts[2].split_whitespace() {
                let (body, optional) = match raw.strip_suffix('?') {
                    Some(b) if !b.is_empty() => (b, true),
                    _ => (raw, false),
                };
                let elem = if let Some(c) = body.strip_prefix('<').and_then(|b| b.strip_suffix('>')) {
                    Elem::Class(Class::parse(c).ok_or_else(|| err(format!("unknown class `{c}`")))?)
                } else if let Some(b) = body.strip_prefix('#').filter(|b| !b.is_empty()) {
                    match b {
                        "year" => Elem::Year,
                        "day" => Elem::Day,
                        "count" => Elem::Count,
                        "ord" => Elem::Ord,
                        "hour" => Elem::Hour,
                        "min" => Elem::Min,
                        "decade" => Elem::Decade,
                        _ => return Err(err(format!("unknown built-in `#{b}`"))),
                    }
                } else {
                    let words: Vec<String> = body.split('/').map(str::to_lowercase).collect();
                    literals.extend(words.iter().cloned());
                    Elem::Lit(words)
                };
                let mask = match &elem {
                    Elem::Lit(_) => B_LIT,
                    Elem::Class(c) => c.bit(),
                    Elem::Year => B_YEAR,
                    Elem::Day => B_DAY,
                    Elem::Count => B_NUM | Class::Num.bit(),
                    Elem::Ord => B_ORD | Class::Ord.bit(),
                    Elem::Hour => B_HOUR,
                    Elem::Min => B_MIN,
                    Elem::Decade => B_DECADE,
                };
                pattern.push(PElem { elem, optional, mask });
            }
            if pattern.iter().all(|e| e.optional) {
                return Err(err("a pattern needs at least one required element".into()));
            }
            let mut first_mask = 0;
            for e in &pattern {
                first_mask |= e.mask;
                if !e.optional {
                    break;
                }
            }
            out.push(Rule { name: parts[0].to_string(), kind, action, pattern, first_mask });
        }
        // Modifier words are literals too (for the token pre-filter).
        for (p, _) in &mods {
            literals.extend(p.iter().cloned());
        }
        Ok(RuleSet { lexicon: lex, literals, modifiers: mods, rules: out })
    }

    /// The rule set shipped in `data/`.
    pub fn builtin() -> RuleSet {
        RuleSet::parse(LEXICON, MODIFIERS, RULES).expect("the built-in rule data parses")
    }

    /// Number of pattern rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
}
