//! Reading CoNLL-style files and turning tag sequences into chunks (conlleval semantics).
//!
//! A CoNLL file holds one token per line: the word first, the label last, fields separated
//! by spaces or tabs; blank lines end sentences and `-DOCSTART-` lines separate documents.
//! [`chunks`] decodes IOB1, IOB2 (and IOBES/BILOU) the way `conlleval` does, so one decoder
//! serves every scheme.
use std::collections::HashMap;

/// One sentence: words and their labels (as written in the file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub labels: Vec<String>,
}

/// A document: its sentences in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConllDoc {
    pub sentences: Vec<Sentence>,
}

/// A chunk of a tag sequence: tokens `start..end` of type `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

/// Parses CoNLL text into documents (a file without `-DOCSTART-` is one document).
pub fn parse_conll(text: &str) -> Vec<ConllDoc> {
    let mut docs = vec![ConllDoc::default()];
    let mut cur = Sentence::default();
    let flush = |cur: &mut Sentence, docs: &mut Vec<ConllDoc>| {
        if !cur.words.is_empty() {
            docs.last_mut().expect("one doc").sentences.push(std::mem::take(cur));
        }
    };
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let mut fields = line.split([' ', '\t']).filter(|f| !f.is_empty());
        let Some(word) = fields.next() else {
            flush(&mut cur, &mut docs);
            continue;
        };
        if word == "-DOCSTART-" {
            flush(&mut cur, &mut docs);
            if !docs.last().expect("one doc").sentences.is_empty() {
                docs.push(ConllDoc::default());
            }
            continue;
        }
        let label = fields.next_back().unwrap_or("O");
        cur.words.push(word.to_string());
        cur.labels.push(label.to_string());
    }
    flush(&mut cur, &mut docs);
    docs.retain(|d| !d.sentences.is_empty());
    docs
}

/// Reads a CoNLL file.
pub fn read_conll(path: &std::path::Path) -> std::io::Result<Vec<ConllDoc>> {
    Ok(parse_conll(&std::fs::read_to_string(path)?))
}

/// Splits a label into (prefix, type): `B-PER` → (`B`, `PER`); `O` → (`O`, ``);
/// a bare type `PER` reads as `I-PER`.
pub fn split_label(label: &str) -> (char, &str) {
    if label == "O" || label.is_empty() {
        return ('O', "");
    }
    let b = label.as_bytes();
    if b.len() > 2 && (b[1] == b'-' || b[1] == b'_') {
        let p = b[0].to_ascii_uppercase() as char;
        let p = match p {
            'E' => 'L',
            'S' => 'U',
            p => p,
        };
        if matches!(p, 'B' | 'I' | 'L' | 'U') {
            return (p, &label[2..]);
        }
    }
    ('I', label)
}

/// Decodes a tag sequence into chunks with conlleval's rules: a chunk starts at `B`/`U`,
/// or at `I`/`L` after `O` or another type; it ends before `B`/`U`/`O`, another type, or
/// after `L`/`U`. Works for IOB1, IOB2, IOBES and BILOU alike.
pub fn chunks<S: AsRef<str>>(labels: &[S]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let mut prev = ('O', "");
    for (i, l) in labels.iter().enumerate() {
        let (p, t) = split_label(l.as_ref());
        // Does a chunk end before this token?
        if let Some((s, kind)) = open {
            let ends = p == 'O' || p == 'B' || p == 'U' || t != kind || matches!(prev.0, 'L' | 'U');
            if ends {
                out.push(Chunk { start: s, end: i, kind: kind.to_string() });
                open = None;
            }
        }
        if p != 'O' && open.is_none() {
            open = Some((i, t));
        }
        prev = (p, t);
    }
    if let Some((s, kind)) = open {
        out.push(Chunk { start: s, end: labels.len(), kind: kind.to_string() });
    }
    out
}

/// Parses a label map such as `Person=PER,Organisation=ORG` (source=target).
pub fn parse_map(spec: &str) -> Result<HashMap<String, String>, String> {
    let mut m = HashMap::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('=').ok_or_else(|| format!("bad map entry `{part}` (want FROM=TO)"))?;
        m.insert(a.trim().to_string(), b.trim().to_string());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: usize, e: usize, k: &str) -> Chunk {
        Chunk { start: s, end: e, kind: k.into() }
    }

    #[test]
    fn decoding_table() {
        let cases: &[(&[&str], Vec<Chunk>)] = &[
            // IOB1: I starts a chunk; B only between two chunks of one type.
            (&["I-PER", "I-PER", "O", "I-LOC"], vec![c(0, 2, "PER"), c(3, 4, "LOC")]),
            (&["I-PER", "B-PER", "I-PER"], vec![c(0, 1, "PER"), c(1, 3, "PER")]),
            // IOB2.
            (&["B-ORG", "I-ORG", "B-ORG", "O"], vec![c(0, 2, "ORG"), c(2, 3, "ORG")]),
            // Type change without B splits.
            (&["I-ORG", "I-LOC"], vec![c(0, 1, "ORG"), c(1, 2, "LOC")]),
            // I after O starts (lenient, as conlleval).
            (&["O", "I-MISC", "I-MISC"], vec![c(1, 3, "MISC")]),
            // BILOU / IOBES.
            (&["U-PER", "B-LOC", "L-LOC", "U-LOC"], vec![c(0, 1, "PER"), c(1, 3, "LOC"), c(3, 4, "LOC")]),
            (&["S-PER", "B-LOC", "E-LOC", "I-LOC"], vec![c(0, 1, "PER"), c(1, 3, "LOC"), c(3, 4, "LOC")]),
            (&["O", "O"], vec![]),
            // Bare labels read as I-.
            (&["Person", "Person", "O"], vec![c(0, 2, "Person")]),
        ];
        for (tags, want) in cases {
            assert_eq!(&chunks(tags), want, "{tags:?}");
        }
    }

    #[test]
    fn parses_documents_and_sentences() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter\tB-PER\n\n-DOCSTART- -X- O O\n\nHi O\n";
        let docs = parse_conll(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].labels, ["I-ORG", "O"]);
        assert_eq!(docs[0].sentences[1].words, ["Peter"]);
        assert_eq!(docs[1].sentences[0].words, ["Hi"]);
        let m = parse_map("Person=PER, Location=LOC").unwrap();
        assert_eq!(m["Location"], "LOC");
        assert!(parse_map("oops").is_err());
    }
}
