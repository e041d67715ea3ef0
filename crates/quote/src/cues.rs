//! The cue lexicon (`data/cues.txt`, our own list; its header documents the format).
use std::collections::HashMap;

/// What kind of report a cue makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Speech,
    Writing,
    Thought,
    /// A speech act named by its verb: "accused", "praised", "urged".
    Act,
    /// "according to X".
    Source,
}

/// How a cue takes its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A bare clause or a "that"-clause.
    Clause,
    /// Only a "that"-clause, a colon or a quotation.
    That,
    /// Only next to a quotation.
    Quote,
    /// The source follows: "according to X".
    Prep,
    /// The rest of the clause is the content, whatever its form: "called him a liar",
    /// "urged supporters to vote", "wants to meet".
    Object,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub class: Class,
    pub frame: Frame,
    /// Number of tokens the cue spans.
    pub len: usize,
}

/// Cues by their (lower-case) forms; multi-word cues by their first word.
#[derive(Debug, Default)]
pub struct Cues {
    single: HashMap<String, Cue>,
    multi: HashMap<String, Vec<(Vec<String>, Cue)>>,
}

/// A line of the lexicon that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cue lexicon line {line}: {reason}")]
pub struct CueError {
    pub line: usize,
    pub reason: String,
}

impl Cues {
    pub fn builtin() -> Cues {
        Cues::parse(include_str!("../data/cues.txt")).expect("the committed cue lexicon parses")
    }

    pub fn parse(src: &str) -> Result<Cues, CueError> {
        let mut cues = Cues::default();
        for (n, line) in src.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: &str| CueError { line: n + 1, reason: reason.to_string() };
            let mut cols = line.split('\t');
            let (Some(forms), Some(class), Some(frame)) = (cols.next(), cols.next(), cols.next()) else {
                return Err(err("expected three tab-separated columns"));
            };
            let class = match class {
                "speech" => Class::Speech,
                "writing" => Class::Writing,
                "thought" => Class::Thought,
                "act" => Class::Act,
                "source" => Class::Source,
                _ => return Err(err("class must be speech, writing, thought, act or source")),
            };
            let frame = match frame {
                "clause" => Frame::Clause,
                "that" => Frame::That,
                "quote" => Frame::Quote,
                "prep" => Frame::Prep,
                "object" => Frame::Object,
                _ => return Err(err("frame must be clause, that, quote, prep or object")),
            };
            for form in forms.split('|') {
                let words: Vec<String> = form.split_whitespace().map(str::to_lowercase).collect();
                let cue = Cue { class, frame, len: words.len() };
                match words.len() {
                    0 => return Err(err("empty form")),
                    1 => {
                        cues.single.insert(words[0].clone(), cue);
                    }
                    _ => cues.multi.entry(words[0].clone()).or_default().push((words, cue)),
                }
            }
        }
        Ok(cues)
    }

    /// The cue starting at `words[0]` (lower-case word forms), if any.
    pub fn at(&self, words: &[&str]) -> Option<Cue> {
        let first = *words.first()?;
        if let Some(list) = self.multi.get(first) {
            for (forms, cue) in list {
                if words.len() >= forms.len() && forms.iter().zip(words).all(|(f, w)| f == w) {
                    return Some(*cue);
                }
            }
        }
        self.single.get(first).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_reads_and_matches() {
        let c = Cues::builtin();
        assert_eq!(c.at(&["said"]).map(|c| c.frame), Some(Frame::Clause));
        assert_eq!(c.at(&["according", "to", "x"]).map(|c| (c.frame, c.len)), Some((Frame::Prep, 2)));
        assert_eq!(c.at(&["according"]), None);
        assert_eq!(c.at(&["announced"]).map(|c| c.frame), Some(Frame::That));
        assert_eq!(c.at(&["table"]), None);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let e = Cues::parse("# c\nsay\tspeech\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(Cues::parse("say\tshout\tclause\n").unwrap_err().reason.contains("class"));
    }
}
