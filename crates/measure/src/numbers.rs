//! Reading a number at a token: digits ("300,000", "1.5 million", "$25m"), words
//! ("twenty-five", "a thousand", "two dozen", "half a million") and vague plurals
//! ("dozens", "hundreds of thousands").
use crate::Tok;
use newsgraph_model::{Bound, TokenKind};

/// A number read from tokens `start..end`.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub end: usize,
    pub value: f64,
    pub bound: Bound,
    /// A currency glued to the token ("€5bn", "$25m").
    pub currency: Option<String>,
    /// How it was read, for evidence.
    pub how: &'static str,
    pub digits: bool,
    /// "one", "a …": an amount only when qualified or typed.
    pub weak: bool,
    /// "dozens", "thousands": an amount even without an object.
    pub vague: bool,
    /// A bare four-digit integer 1800..=2100.
    pub year_like: bool,
    /// "of" after it introduces the counted object: only after vague plurals ("dozens of
    /// people"); after other numbers it names a whole ("ten of them", "3 of the 5").
    pub of_ok: bool,
}

fn unit_word(w: &str) -> Option<f64> {
    Some(match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

fn scale_word(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 1e2,
        "thousand" => 1e3,
        "million" | "mln" | "mn" => 1e6,
        "billion" | "bln" | "bn" => 1e9,
        "trillion" | "trn" | "tn" => 1e12,
        _ => return None,
    })
}

fn vague_word(w: &str) -> Option<f64> {
    Some(match w {
        "dozens" => 12.0,
        "scores" => 20.0,
        "tens" => 10.0,
        "hundreds" => 1e2,
        "thousands" => 1e3,
        "millions" => 1e6,
        "billions" => 1e9,
        "trillions" => 1e12,
        _ => return None,
    })
}

/// Suffix glued to digits: "25m", "5bn", "3k".
fn glued_scale(s: &str) -> Option<f64> {
    Some(match s {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mn" | "mln" => 1e6,
        "b" | "bn" | "bln" => 1e9,
        "tn" | "trn" => 1e12,
        _ => return None,
    })
}

/// A word made only of number words joined by hyphens: "twenty-five" → 25.
fn compound(w: &str) -> Option<f64> {
    if let Some(v) = unit_word(w) {
        return Some(v);
    }
    let (a, b) = w.split_once('-')?;
    let (a, b) = (unit_word(a)?, unit_word(b)?);
    (a >= 20.0 && a % 10.0 == 0.0 && b < 10.0 && b > 0.0).then_some(a + b)
}

/// Cheap test before [`parse`]: can a number start at this token?
pub(crate) fn may_start(w: &str, kind: TokenKind) -> bool {
    match w.as_bytes().first() {
        None => false,
        Some(b) if b.is_ascii_digit() => true,
        Some(_) if kind == TokenKind::Number => true,
        Some(_) => {
            matches!(w, "a" | "half" | "several" | "dozen")
                || vague_word(w).is_some()
                || scale_word(w).is_some()
                || compound(w).is_some()
                || w.starts_with(['$', '€', '£', '¥', '₽', '₴', '₹'])
        }
    }
}

/// Reads the number at token `i`, or `None`.
pub(crate) fn parse(toks: &[Tok], i: usize) -> Option<Number> {
    let t = &toks[i];
    let w: &str = &t.lower;
    let sent = t.sentence;
    let at = |k: usize| toks.get(k).filter(|t| t.sentence == sent).map(|t| &*t.lower);
    let base = Number {
        end: i + 1,
        value: 0.0,
        bound: Bound::Exact,
        currency: None,
        how: "words",
        digits: false,
        weak: false,
        vague: false,
        year_like: false,
        of_ok: true,
    };
    // Vague plurals, multiplied along "X of Y": "tens of thousands", "hundreds of millions".
    if let Some(mut v) = vague_word(w) {
        let mut end = i + 1;
        while at(end) == Some("of") {
            match at(end + 1).and_then(vague_word) {
                Some(next) if next > v => {
                    v *= next;
                    end += 2;
                }
                _ => break,
            }
        }
        if w == "tens" && end == i + 1 {
            return None; // "tens" alone is rarely a count
        }
        return Some(Number {
            end,
            value: v,
            bound: Bound::AtLeast,
            how: "vague plural, lower bound",
            vague: true,
            ..base
        });
    }
    // Digits, with an optional glued currency sign and scale: "300,000", "1.5", "$25m", "€5bn".
    if w.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) || w.starts_with(['$', '€', '£', '¥', '₽', '₴', '₹'])
    {
        let (sign, rest) = match w.char_indices().find(|(_, c)| c.is_ascii_digit()) {
            Some((0, _)) => ("", w),
            Some((k, _)) => w.split_at(k),
            None => return None,
        };
        let digits_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).unwrap_or(rest.len());
        let (num, suffix) = rest.split_at(digits_end);
        let num = num.trim_end_matches(['.', ',']);
        // "1,345" has groups of three after each comma; "3,4" is not a thousands separator.
        if num.contains(',') && num.split(',').skip(1).any(|g| g.split('.').next().map_or(0, str::len) != 3) {
            return None;
        }
        let plain: String = num.chars().filter(|&c| c != ',').collect();
        let mut v: f64 = plain.parse().ok()?;
        let suffix = suffix.trim_start_matches(['.', ',']);
        let glued = glued_scale(suffix)?;
        v *= glued;
        let currency = match sign {
            "" => None,
            "$" => Some("USD"),
            "€" => Some("EUR"),
            "£" => Some("GBP"),
            "¥" => Some("JPY"),
            "₽" => Some("RUB"),
            "₴" => Some("UAH"),
            "₹" => Some("INR"),
            _ => return None,
        }
        .map(String::from);
        let mut end = i + 1;
        let mut scaled = glued > 1.0;
        if glued == 1.0 {
            while let Some(s) = at(end).and_then(scale_word) {
                v *= s;
                end += 1;
                scaled = true;
            }
        }
        let year_like =
            !scaled && currency.is_none() && plain.len() == 4 && !plain.contains('.') && (1800.0..=2100.0).contains(&v);
        return Some(Number {
            end,
            value: v,
            currency,
            how: if scaled { "digits and scale" } else { "digits" },
            digits: true,
            year_like,
            of_ok: false,
            ..base
        });
    }
    // Words: "twenty-five", "two hundred thousand", "a thousand", "half a million",
    // "three dozen", "several hundred".
    let mut k = i;
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    let mut weak = false;
    let mut bound = Bound::Exact;
    let mut how = "words";
    match w {
        "a" => {
            let next = at(i + 1)?;
            if scale_word(next).is_none() && next != "dozen" {
                return None;
            }
            current = 1.0;
            k += 1;
        }
        "half" => {
            if at(i + 1) != Some("a") {
                return None;
            }
            let s = at(i + 2).and_then(scale_word)?;
            return Some(Number { end: i + 3, value: s / 2.0, how: "half a …", ..base });
        }
        "several" => {
            let next = at(i + 1)?;
            scale_word(next).or((next == "dozen").then_some(12.0))?;
            current = 3.0;
            bound = Bound::AtLeast;
            how = "several …, lower bound";
            k += 1;
        }
        _ => {}
    }
    while let Some(word) = at(k) {
        if let Some(v) = compound(word) {
            if current % 100.0 != 0.0 && current > 0.0 && v >= 1.0 {
                break; // "one two" is two numbers
            }
            current += v;
            any = true;
        } else if word == "dozen" {
            current = current.max(1.0) * 12.0;
            any = true;
        } else if let Some(s) = scale_word(word) {
            if s == 100.0 {
                current = current.max(1.0) * 100.0;
            } else {
                total += current.max(1.0) * s;
                current = 0.0;
            }
            any = true;
        } else if word == "and" && current >= 100.0 && at(k + 1).and_then(compound).is_some() {
            // "three hundred and fifty"
        } else {
            break;
        }
        k += 1;
    }
    if !any {
        return None;
    }
    let value = total + current;
    weak |= value == 1.0 && k == i + 1;
    // "ten of them" is a part of something, not a count of it.
    Some(Number { end: k, value, bound, how, weak, of_ok: false, ..base })
}
