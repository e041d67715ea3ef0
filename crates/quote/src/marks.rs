//! Quotation marks: finds the quoted stretches of a text, paragraph by paragraph.
//!
//! Handles “…” "…" «…» „…“ ‘…’ (single marks only where they cannot be apostrophes),
//! quotations that run over several paragraphs (an open quotation with no close at the end
//! of a paragraph continues when the next paragraph opens with a mark, as in English
//! typesetting), and unbalanced marks: an unclosed quotation ends at its paragraph's end
//! and is flagged, a stray closing mark is ignored. Never fails.
use newsgraph_model::Span;

/// One quotation: the text inside the marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotation {
    /// From the first character after the opening mark to the last before the closing
    /// mark (or the end of the last paragraph it runs into).
    pub inner: Span,
    /// The inside of each paragraph's piece when the quotation runs over paragraphs.
    pub pieces: Vec<Span>,
    /// Byte offset of the opening mark.
    pub open: u32,
    /// Byte offset just after the closing mark, if there is one.
    pub close: Option<u32>,
}

impl Quotation {
    /// The quotation with its marks.
    pub fn outer(&self) -> Span {
        Span { start: self.open, end: self.close.unwrap_or(self.inner.end) }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Curly,   // “ … ”
    Low,     // „ … “ (or „ … ”)
    Guillem, // « … »
    Straight,
    /// Two apostrophes standing for a double mark (''…'', as some archives print quotes).
    Apos2,
}

fn opens(c: char) -> Option<Style> {
    match c {
        '“' => Some(Style::Curly),
        '„' => Some(Style::Low),
        '«' => Some(Style::Guillem),
        _ => None,
    }
}

fn closes(style: Style, c: char) -> bool {
    match style {
        Style::Curly => c == '”',
        Style::Low => c == '“' || c == '”',
        Style::Guillem => c == '»',
        // Straight marks close by context (see `find`).
        Style::Straight | Style::Apos2 => false,
    }
}

/// Finds the quotations of `text`, given its paragraph spans (sorted). Single quotation
/// marks are only looked for inside no double quotation (headline style ‘…’ and straight
/// '…' are left alone: too often apostrophes).
pub fn find(text: &str, paragraphs: &[Span]) -> Vec<Quotation> {
    let mut out: Vec<Quotation> = Vec::new();
    // An open quotation carried over from the previous paragraph.
    let mut carried: Option<(Quotation, Style)> = None;
    for p in paragraphs {
        let (ps, pe) = (p.start as usize, p.end as usize);
        let Some(ptext) = text.get(ps..pe) else { continue };
        let mut open: Option<(usize, usize, Style)> = None; // (mark start, inner start, style)
        let mut chars = ptext.char_indices().peekable();
        let first_mark =
            ptext.trim_start().chars().next().and_then(|c| opens(c).or((c == '"').then_some(Style::Straight)));
        if let Some((q, style)) = carried.take() {
            // Only a mark of the same style continues it (a stray straight mark at a
            // paragraph's start does not make the next “…” a continuation).
            if first_mark != Some(style) {
                // The carried quotation does not continue: it ended with its paragraph.
                out.push(q);
            } else {
                // Continues: this paragraph's opening mark starts a new piece.
                let lead = ptext.len() - ptext.trim_start().len();
                let (_, c) = ptext[lead..].char_indices().next().expect("non-empty");
                let style = first_mark.expect("checked");
                open = Some((ps + lead, ps + lead + c.len_utf8(), style));
                carried = Some((q, style));
                chars.next();
                for _ in 0..lead {
                    chars.next();
                }
            }
        }
        while let Some((i, c)) = chars.next() {
            let at = ps + i;
            match open {
                None => {
                    let apos2 = c == '\'' && ptext[i + 1..].starts_with('\'');
                    let style = if let Some(s) = opens(c) {
                        Some(s)
                    } else if c == '"' && straight_opens(ptext, i, 1) {
                        Some(Style::Straight)
                    } else if apos2 && straight_opens(ptext, i, 2) {
                        Some(Style::Apos2)
                    } else {
                        None
                    };
                    if let Some(s) = style {
                        let width = if s == Style::Apos2 { 2 } else { c.len_utf8() };
                        if s == Style::Apos2 {
                            chars.next();
                        }
                        open = Some((at, at + width, s));
                    }
                }
                Some((mark, inner, style)) => {
                    let closing = match style {
                        Style::Straight => c == '"' && straight_closes(ptext, i, 1),
                        Style::Apos2 => c == '\'' && ptext[i + 1..].starts_with('\'') && straight_closes(ptext, i, 2),
                        _ => closes(style, c),
                    };
                    if closing {
                        let width = if style == Style::Apos2 {
                            chars.next();
                            2
                        } else {
                            c.len_utf8()
                        };
                        let piece = Span::new(inner, at);
                        let close = (at + width) as u32;
                        let q = match carried.take() {
                            Some((mut q, _)) => {
                                q.pieces.push(piece);
                                q.inner.end = piece.end;
                                q.close = Some(close);
                                q
                            }
                            None => {
                                Quotation { inner: piece, pieces: Vec::new(), open: mark as u32, close: Some(close) }
                            }
                        };
                        out.push(q);
                        open = None;
                    }
                }
            }
        }
        if let Some((mark, inner, style)) = open {
            // Unclosed at the paragraph's end: carry it; the next paragraph decides.
            let end = ps + ptext.trim_end().len();
            let piece = Span::new(inner.min(end), end);
            let q = match carried.take() {
                Some((mut q, _)) => {
                    q.pieces.push(piece);
                    q.inner.end = piece.end;
                    q
                }
                None => Quotation { inner: piece, pieces: vec![piece], open: mark as u32, close: None },
            };
            carried = Some((q, style));
        }
    }
    if let Some((q, _)) = carried {
        out.push(q);
    }
    for q in &mut out {
        // No spaces inside the marks (« non »).
        for p in q.pieces.iter_mut().chain(std::iter::once(&mut q.inner)) {
            *p = trim_space(text, *p);
        }
        // One piece is no pieces.
        if q.pieces.len() == 1 {
            q.pieces.clear();
        }
    }
    out.sort_by_key(|q| q.inner.start);
    out
}

fn trim_space(text: &str, s: Span) -> Span {
    let t = &text[s.start as usize..s.end as usize];
    let lead = t.len() - t.trim_start().len();
    let kept = t.trim().len();
    Span::new(s.start as usize + lead, s.start as usize + lead + kept)
}

fn straight_opens(p: &str, i: usize, width: usize) -> bool {
    let before = p[..i].chars().next_back();
    let after = p[i + width..].chars().next();
    before.is_none_or(|b| b.is_whitespace() || "([{—–-:".contains(b)) && after.is_some_and(|a| !a.is_whitespace())
}

fn straight_closes(p: &str, i: usize, width: usize) -> bool {
    let before = p[..i].chars().next_back();
    let after = p[i + width..].chars().next();
    before.is_some_and(|b| !b.is_whitespace()) && after.is_none_or(|a| !a.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim_end_matches('\n');
            if !t.is_empty() {
                out.push(Span::new(start, start + t.len()));
            }
            start += line.len();
        }
        out
    }

    fn inner(text: &str) -> Vec<(String, bool)> {
        find(text, &paras(text))
            .iter()
            .map(|q| (text[q.inner.start as usize..q.inner.end as usize].to_string(), q.close.is_some()))
            .collect()
    }

    #[test]
    fn styles_and_layouts() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            ("“It is over,” he said.", &[("It is over,", true)]),
            ("He said \"no\" twice.", &[("no", true)]),
            ("Il a dit « non » hier.", &[("non", true)]),
            ("Er sagte „nein“ gestern.", &[("nein", true)]),
            ("“A,” he said, “but B.”", &[("A,", true), ("but B.", true)]),
            ("Trump’s plan and the leaders’ talks", &[]),
            ("“Unclosed to the end\nNext paragraph.", &[("Unclosed to the end", false)]),
            ("“First paragraph.\n“Second paragraph,” he said.", &[("First paragraph.\n“Second paragraph,", true)]),
            ("A stray ” mark.", &[]),
            ("He said ''Tell that to the janitor,'' and left.", &[("Tell that to the janitor,", true)]),
            ("It isn't over, it's the '90s.", &[]),
            ("", &[]),
        ];
        for (text, want) in cases {
            let got = inner(text);
            let want: Vec<(String, bool)> = want.iter().map(|(s, c)| (s.to_string(), *c)).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn pieces_of_a_multi_paragraph_quotation() {
        let text = "“One.\n“Two,” she said.";
        let q = &find(text, &paras(text))[0];
        let pieces: Vec<&str> = q.pieces.iter().map(|s| &text[s.start as usize..s.end as usize]).collect();
        assert_eq!(pieces, ["One.", "Two,"]);
    }
}
