//! From matched tokens to a TIMEX3 value: field collection, anchors, tense, calendar.
use crate::rules::{Action, Class, Rule};
use crate::Tok;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use newsgraph_model::TimexType;

/// How precise a resolved date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Gran {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// A reference point: the publication date, or the last date the text mentioned.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub date: NaiveDate,
    pub gran: Gran,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tense {
    None,
    Past,
    Future,
}

/// The resolution context of one document.
pub(crate) struct Ctx {
    pub dct: Option<NaiveDate>,
    pub last: Option<Anchor>,
    /// The last quarter mentioned (year, quarter): the period in focus of financial news.
    pub last_q: Option<(i32, u32)>,
    pub tense: Tense,
}

/// What a match resolved to.
#[derive(Debug, Clone)]
pub(crate) struct Res {
    pub start: usize,
    pub kind: TimexType,
    pub value: String,
    pub modifier: Option<String>,
    pub anchor: Option<String>,
    pub confidence: f32,
    pub rule: String,
    /// The date to remember as the narrative anchor.
    pub cal: Option<Anchor>,
    /// Drop the first token ("the" before a compound modifier like "1990s-era").
    pub trim_lead: bool,
}

/// The fields a match filled.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub month_ambig: bool,
    pub day: Option<u32>,
    pub weekday: Option<u32>,
    /// Some(None) = a vague count ("several").
    pub count: Option<Option<u32>>,
    pub count_word: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub unit_plural: bool,
    pub shift: Option<i32>,
    pub nshift: Option<i32>,
    pub season: Option<&'a str>,
    pub part: Option<&'a str>,
    pub ord: Option<u32>,
    pub dayref: Option<i32>,
    pub dir: Option<i32>,
    pub clock: Option<&'a str>,
    pub ampm: Option<&'a str>,
    pub hour: Option<u32>,
    pub minute: Option<u32>,
    pub refv: Option<&'a str>,
    pub setv: Option<&'a str>,
    pub holiday: Option<&'a str>,
    pub decade: Option<&'a str>,
    pub lits: Vec<&'a str>,
    pub modifier: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub(crate) fn collect(
        rule: &Rule,
        toks: &'a [Tok],
        assign: &[(usize, usize)],
        modifier: Option<&'a str>,
    ) -> Fields<'a> {
        use crate::rules::Elem;
        let mut f = Fields { modifier, ..Fields::default() };
        for &(pi, ti) in assign {
            let t = &toks[ti];
            match &rule.pattern[pi].elem {
                Elem::Lit(_) => f.lits.push(&t.key),
                Elem::Year => f.year = t.num.map(|n| n as i32),
                Elem::Day => f.day = t.num,
                Elem::Hour => f.hour = t.num,
                Elem::Min => f.minute = t.num,
                Elem::Decade => f.decade = Some(&t.key),
                Elem::Count => {
                    if let Some(n) = t.num {
                        f.count = Some(Some(n));
                    } else if let Some(e) = t.entry(Class::Num) {
                        f.count = Some(e.value.parse().ok());
                        f.count_word = Some(&t.key);
                    }
                }
                Elem::Ord => {
                    f.ord = t.num.or_else(|| t.entry(Class::Ord).and_then(|e| e.value.parse().ok()));
                }
                Elem::Class(c) => {
                    let Some(e) = t.entry(*c) else { continue };
                    let v = e.value.as_str();
                    match c {
                        Class::Month => {
                            f.month = v.parse().ok();
                            f.month_ambig = e.ambig;
                        }
                        Class::Weekday => f.weekday = v.parse().ok(),
                        Class::Unit => {
                            f.unit = Some(v);
                            f.unit_plural = t.key.ends_with('s') && !t.key.ends_with("ss");
                        }
                        Class::Num => {
                            f.count = Some(v.parse().ok());
                            f.count_word = Some(&t.key);
                        }
                        Class::Ord => f.ord = v.parse().ok(),
                        Class::Shift => f.shift = v.parse().ok(),
                        Class::NShift => f.nshift = v.parse().ok(),
                        Class::Season => f.season = Some(v),
                        Class::Part => f.part = Some(v),
                        Class::DayRef => {
                            f.dayref = v.parse().ok();
                            if let Some(x) = &e.extra {
                                f.part = Some(x);
                            }
                        }
                        Class::Dir => {
                            f.dir = v.parse().ok();
                            f.lits.push(&t.key);
                        }
                        Class::Clock => f.clock = Some(v),
                        Class::AmPm => f.ampm = Some(v),
                        Class::Ref => f.refv = Some(v),
                        Class::Set => f.setv = Some(v),
                        Class::Holiday => f.holiday = Some(v),
                        _ => {}
                    }
                }
            }
        }
        f
    }

    fn has_lit(&self, w: &str) -> bool {
        self.lits.contains(&w)
    }
}

/// Past or future from the nearest tense marker around the expression (same sentence).
pub(crate) fn tense(toks: &[Tok], start: usize, end: usize) -> Tense {
    let s = toks[start].sentence;
    let judge = |t: &Tok| -> Tense {
        if t.has(Class::Future) {
            Tense::Future
        } else if t.has(Class::Past) || (!t.cap && t.key.len() > 4 && t.key.ends_with("ed") && t.mask == 0) {
            Tense::Past
        } else {
            Tense::None
        }
    };
    for k in (start.saturating_sub(12)..start).rev() {
        if toks[k].sentence != s {
            break;
        }
        let j = judge(&toks[k]);
        if j != Tense::None {
            return j;
        }
    }
    for t in toks.iter().skip(end).take(10) {
        if t.sentence != s {
            break;
        }
        let j = judge(t);
        if j != Tense::None {
            return j;
        }
    }
    Tense::None
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn add_months(y: i32, m: u32, k: i32) -> (i32, u32) {
    let t = y * 12 + (m as i32 - 1) + k;
    (t.div_euclid(12), (t.rem_euclid(12) + 1) as u32)
}

fn week_value(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

fn weekday_from(n: u32) -> Option<Weekday> {
    Weekday::try_from((n as u8).checked_sub(1)?).ok()
}

fn quantity_mod(m: &str) -> bool {
    matches!(m, "APPROX" | "MORE_THAN" | "LESS_THAN" | "EQUAL_OR_MORE" | "EQUAL_OR_LESS")
}

fn unit_code(u: &str) -> Option<(&'static str, bool, u32)> {
    // (letter, time part, multiplier)
    Some(match u {
        "S" => ("S", true, 1),
        "TM" => ("M", true, 1),
        "H" => ("H", true, 1),
        "D" => ("D", false, 1),
        "W" => ("W", false, 1),
        "M" => ("M", false, 1),
        "Q" => ("M", false, 3),
        "Y" => ("Y", false, 1),
        "DE" => ("Y", false, 10),
        "CE" => ("Y", false, 100),
        _ => return None,
    })
}

impl Ctx {
    fn dct_anchor(&self) -> Option<Anchor> {
        self.dct.map(|d| Anchor { date: d, gran: Gran::Day, value: ymd(d) })
    }

    pub(crate) fn resolve(&self, rule: &Rule, f: &Fields, toks: &[Tok], start: usize, end: usize) -> Option<Res> {
        // Modifier compatibility: quantity modifiers need a quantity, point ones a date.
        if let Some(m) = f.modifier {
            let q = quantity_mod(m);
            if q && f.count.is_none() {
                return None;
            }
            if !q && (f.count.is_some() || rule.kind == TimexType::Duration || rule.kind == TimexType::Set) {
                return None;
            }
        }
        let mut res = Res {
            start,
            kind: rule.kind,
            value: String::new(),
            modifier: f.modifier.map(str::to_string),
            anchor: None,
            confidence: 0.9,
            rule: rule.name.clone(),
            cal: None,
            trim_lead: false,
        };
        match rule.action {
            Action::Ref => {
                res.value = match f.refv {
                    Some(v) => v.to_string(),
                    None if f.has_lit("past") => "PAST_REF".into(),
                    None if f.has_lit("future") => "FUTURE_REF".into(),
                    None if f.has_lit("recent") => "PAST_REF".into(),
                    None => return None,
                };
                // "recent years" and the like need a plural unit.
                if f.unit.is_some() && !f.unit_plural {
                    return None;
                }
                // "the recent attacks": an adjective after a determiner describes a thing.
                let det =
                    start.checked_sub(1).map(|k| &toks[k]).filter(|t| t.sentence == toks[start].sentence).is_some_and(
                        |t| {
                            matches!(
                                t.key.as_str(),
                                "the" | "a" | "an" | "its" | "his" | "her" | "their" | "our" | "average"
                            )
                        },
                    );
                if det && f.unit.is_none() && end == start + 1 && toks[start].key == "recent" {
                    return None;
                }
                res.confidence = 0.7;
                Some(res)
            }
            Action::Set => {
                res.value = match (f.setv, f.unit) {
                    (Some(v), _) => v.to_string(),
                    (None, Some(u)) => {
                        let (l, t, k) = unit_code(u)?;
                        format!("P{}{k}{l}", if t { "T" } else { "" })
                    }
                    _ => return None,
                };
                Some(res)
            }
            Action::Duration => {
                let u = f.unit?;
                let (l, t, k) = unit_code(u)?;
                let vague_words = f.has_lit("couple") || f.has_lit("few") || f.has_lit("dozen");
                if f.count.is_none() && !f.unit_plural && !vague_words {
                    return None;
                }
                // Ages ("6-year-old", "52 years old") and fractions ("three-quarters").
                if toks.get(end).is_some_and(|t| t.key == "old") {
                    return None;
                }
                if u == "Q" && (toks[start].hyphen_next || (f.count.is_none() && !vague_words)) {
                    return None;
                }
                // The second half of a compound ("three-quarters", "all-years").
                if f.count.is_none() && !vague_words && start > 0 && toks[start - 1].hyphen_next {
                    return None;
                }
                // "a second term": the ordinal, not the unit.
                if u == "S" && f.count_word.is_some() && !f.unit_plural {
                    return None;
                }
                let tp = if t { "T" } else { "" };
                let count = if f.has_lit("couple") {
                    Some(2)
                } else if f.has_lit("dozen") {
                    Some(12)
                } else {
                    f.count.flatten()
                };
                res.value = match count {
                    Some(n) if n == 0 || n > 10000 => return None,
                    Some(n) => format!("P{tp}{}{l}", n * k),
                    None => match u {
                        "DE" => "PXDE".to_string(),
                        "CE" => "PXCE".to_string(),
                        _ => format!("P{tp}X{l}"),
                    },
                };
                if f.count.is_none() {
                    res.confidence = 0.6;
                }
                Some(res)
            }
            Action::Decade => {
                let d = f.decade?.trim_end_matches('s');
                res.trim_lead = f.has_lit("the") && toks[end - 1].hyphen_next;
                // TimeML's decade value: the first three digits ("1990s" → "199").
                res.value = if d.len() == 4 { d[..3].to_string() } else { format!("19{}", &d[..1]) };
                Some(res)
            }
            Action::Offset => self.offset(f, res),
            Action::Date => self.date(f, toks, start, end, res),
        }
    }

    fn offset(&self, f: &Fields, mut res: Res) -> Option<Res> {
        let u = f.unit?;
        let dir = if f.has_lit("now") { 1 } else { f.dir? };
        if f.count.is_none() && !f.unit_plural {
            return None;
        }
        let narrative = f.has_lit("later") || f.has_lit("earlier");
        let Some(n) = f.count.flatten() else {
            res.value = if dir < 0 { "PAST_REF".into() } else { "FUTURE_REF".into() };
            res.confidence = 0.6;
            return Some(res);
        };
        let anchor = if narrative { self.last.clone().or_else(|| self.dct_anchor()) } else { self.dct_anchor() };
        let Some(a) = anchor else {
            res.value = match u {
                "D" | "W" => "XXXX-XX-XX",
                "M" => "XXXX-XX",
                _ => "XXXX",
            }
            .into();
            res.confidence = 0.3;
            return Some(res);
        };
        let k = dir * n as i32;
        let d = a.date;
        if let (Some((y, q)), "Y", 1, -1) = (self.last_q, u, n, dir) {
            // "a year ago" in a quarterly report: the same quarter a year before.
            res.value = format!("{:04}-Q{q}", y + k);
            res.anchor = Some(format!("{y:04}-Q{q}"));
            res.confidence = 0.6;
            return Some(res);
        }
        let (value, gran, date) = match u {
            "D" => {
                let x = d + Duration::days(k as i64);
                (ymd(x), Gran::Day, x)
            }
            "W" => {
                let x = d + Duration::days(7 * k as i64);
                (ymd(x), Gran::Day, x)
            }
            "WE" => return None,
            "M" => {
                let (y, m) = add_months(d.year(), d.month(), k);
                (format!("{y:04}-{m:02}"), Gran::Month, NaiveDate::from_ymd_opt(y, m, 1)?)
            }
            "Q" => {
                let (y, m) = add_months(d.year(), d.month(), 3 * k);
                (format!("{y:04}-Q{}", (m - 1) / 3 + 1), Gran::Quarter, NaiveDate::from_ymd_opt(y, m, 1)?)
            }
            "Y" | "DE" | "CE" => {
                let mult = match u {
                    "DE" => 10,
                    "CE" => 100,
                    _ => 1,
                };
                let y = d.year() + k * mult;
                (format!("{y:04}"), Gran::Year, NaiveDate::from_ymd_opt(y, 7, 1)?)
            }
            // hours, minutes ago: the day.
            _ => (ymd(d), Gran::Day, d),
        };
        res.value = value;
        res.anchor = Some(a.value.clone());
        res.confidence = 0.85;
        res.cal = Some(Anchor { date, gran, value: res.value.clone() });
        Some(res)
    }

    fn date(&self, f: &Fields, toks: &[Tok], start: usize, end: usize, mut res: Res) -> Option<Res> {
        let narrative = f.nshift.is_some() || f.has_lit("that");
        let anchor = if narrative { self.last.clone().or_else(|| self.dct_anchor()) } else { self.dct_anchor() };
        if f.has_lit("earlier") && res.modifier.is_none() {
            res.modifier = Some("START".into());
        }
        if f.has_lit("later") && res.modifier.is_none() {
            res.modifier = Some("END".into());
        }
        let prev = start.checked_sub(1).map(|k| &toks[k]).filter(|t| t.sentence == toks[start].sentence);
        let next = toks.get(end).filter(|t| t.sentence == toks[start].sentence);

        let focus = f.has_lit("quarter") || f.has_lit("period");
        // 1. Absolute: an explicit year.
        if let (Some(y), false) = (f.year, focus) {
            res.confidence = 0.95;
            let (value, gran, date) = if let (Some(m), Some(d)) = (f.month, f.day) {
                let date = NaiveDate::from_ymd_opt(y, m, d)?;
                (ymd(date), Gran::Day, date)
            } else if let Some(m) = f.month {
                (format!("{y:04}-{m:02}"), Gran::Month, NaiveDate::from_ymd_opt(y, m, 1)?)
            } else if let Some(s) = f.season {
                (format!("{y:04}-{s}"), Gran::Year, NaiveDate::from_ymd_opt(y, 7, 1)?)
            } else if let Some(o) = f.ord {
                match f.unit? {
                    "Q" if (1..=4).contains(&o) => {
                        (format!("{y:04}-Q{o}"), Gran::Quarter, NaiveDate::from_ymd_opt(y, (o - 1) * 3 + 1, 1)?)
                    }
                    "HALF" if (1..=2).contains(&o) => {
                        (format!("{y:04}-H{o}"), Gran::Year, NaiveDate::from_ymd_opt(y, (o - 1) * 6 + 1, 1)?)
                    }
                    _ => return None,
                }
            } else {
                // A bare year: not a quantity ("1000 kilometers", "$1990", "2000 troops").
                let bare = f.lits.iter().all(|l| *l != "year" && *l != "fiscal" && *l != "calendar");
                if bare {
                    if next.is_some_and(|t| t.has(Class::Noun) || t.key == "%") {
                        return None;
                    }
                    if prev.is_some_and(|t| {
                        t.key == "$" || t.key == "#" || t.key == "no" || t.mask & crate::rules::B_NUM != 0
                    }) {
                        return None;
                    }
                    if !(1900..=2099).contains(&y) && !prev.is_some_and(|t| t.has(Class::Prep)) {
                        return None;
                    }
                }
                (format!("{y:04}"), Gran::Year, NaiveDate::from_ymd_opt(y, 7, 1)?)
            };
            res.value = value;
            res.cal = Some(Anchor { date, gran, value: res.value.clone() });
            return Some(res);
        }

        // An ambiguous month word ("March", "May") alone needs a time context.
        if f.month_ambig && f.day.is_none() {
            let ok = f.shift.is_some() || f.modifier.is_some() || prev.is_some_and(|t| t.has(Class::Prep));
            if !ok {
                return None;
            }
        }

        let Some(a) = anchor else {
            return self.unresolved(f, res);
        };
        res.anchor = Some(a.value.clone());
        res.confidence = 0.8;
        let d = a.date;

        // 2. Holidays and month + day without a year.
        let md = match (f.holiday, f.month, f.day) {
            (Some(h), _, _) => {
                let (m, dd) = h.split_once('-')?;
                let m: u32 = m.parse().ok()?;
                match dd.split_once('#') {
                    // The n-th weekday of the month, in the anchor's year (or the one the
                    // shift names): Thanksgiving = 11-4#4.
                    Some((w, n)) => {
                        let y = d.year() + f.shift.unwrap_or(0);
                        let wd = weekday_from(w.parse().ok()?)?;
                        let x = NaiveDate::from_weekday_of_month_opt(y, m, wd, n.parse().ok()?)?;
                        let x = if f.shift.is_none() && x > d && self.tense != Tense::Future {
                            NaiveDate::from_weekday_of_month_opt(y - 1, m, wd, n.parse().ok()?)?
                        } else {
                            x
                        };
                        res.value = ymd(x);
                        res.cal = Some(Anchor { date: x, gran: Gran::Day, value: res.value.clone() });
                        return Some(res);
                    }
                    None => Some((m, dd.parse().ok()?)),
                }
            }
            (None, Some(m), Some(dd)) => Some((m, dd)),
            _ => None,
        };
        if let Some((m, dd)) = md {
            // The nearest such date, leaning to the past or future by tense.
            let mut best = (i64::MAX, d.year());
            for y in [d.year() - 1, d.year(), d.year() + 1] {
                if let Some(x) = NaiveDate::from_ymd_opt(y, m, dd) {
                    let diff = (x - d).num_days();
                    // Tense tips the balance but does not override: a date two months ahead
                    // is still nearer than one ten months back, even in the past tense.
                    let dist = match self.tense {
                        Tense::Past if diff > 0 => diff + 120,
                        Tense::Future if diff < 0 => -diff + 120,
                        _ => diff.abs(),
                    };
                    if dist < best.0 {
                        best = (dist, y);
                    }
                }
            }
            let year = best.1;
            let date = NaiveDate::from_ymd_opt(year, m, dd)?;
            res.value = ymd(date);
            if let Some(t) = self.clock(f)? {
                res.value.push_str(&t);
                res.kind = TimexType::Time;
            }
            res.cal = Some(Anchor { date, gran: Gran::Day, value: res.value.clone() });
            return Some(res);
        }

        // 3. A day: weekday, today/yesterday, a clock time, "this morning".
        let day = if let Some(w) = f.weekday {
            let wd = weekday_from(w)?;
            let cur = d.weekday().num_days_from_monday() as i64;
            let tgt = wd.num_days_from_monday() as i64;
            let back = (cur - tgt).rem_euclid(7); // 0..6 days back to the same weekday
            let fwd = (tgt - cur).rem_euclid(7);
            let delta = match f.shift {
                Some(-1) => -(if back == 0 { 7 } else { back }),
                Some(1) => {
                    if fwd == 0 {
                        7
                    } else {
                        fwd
                    }
                }
                Some(_) => tgt - cur,
                None => match self.tense {
                    Tense::Future => {
                        if fwd == 0 {
                            7
                        } else {
                            fwd
                        }
                    }
                    _ if back <= 4 => -back,
                    _ => fwd,
                },
            };
            Some(d + Duration::days(delta))
        } else if let Some(k) = f.dayref {
            Some(d + Duration::days(k as i64))
        } else if f.part.is_some() || f.clock.is_some() || f.hour.is_some() {
            if a.gran != Gran::Day {
                return self.unresolved(f, res);
            }
            // "last night" is the evening before; "this morning" today.
            Some(d + Duration::days(f.shift.unwrap_or(0).min(0) as i64))
        } else {
            None
        };
        if let Some(x) = day {
            let mut v = ymd(x);
            if let Some(t) = self.clock(f)? {
                v.push_str(&t);
                res.kind = TimexType::Time;
            } else if let Some(p) = f.part {
                // "Friday night" → …TNI (TimeML guidelines; TimeBank itself is split).
                v.push('T');
                v.push_str(p);
                res.kind = TimexType::Time;
            }
            res.value = v;
            res.cal = Some(Anchor { date: x, gran: Gran::Day, value: ymd(x) });
            return Some(res);
        }

        // 4. A month name without a year.
        if let Some(m) = f.month {
            let (cy, cm) = (d.year(), d.month());
            let y = match f.shift.unwrap_or(0) {
                // "June last year", "February this year"
                k if f.has_lit("year") => cy + k,
                // "last February" said in March is a year back; "last April" in October
                // is this year's.
                -1 => {
                    if m + 2 <= cm {
                        cy
                    } else {
                        cy - 1
                    }
                }
                1 => {
                    if m > cm {
                        cy
                    } else {
                        cy + 1
                    }
                }
                _ if f.shift.is_some() => cy,
                _ => {
                    // The nearest such month, leaning to the past or future by tense.
                    let mut best = (i32::MAX, cy);
                    for y in [cy - 1, cy, cy + 1] {
                        let diff = (y * 12 + m as i32) - (cy * 12 + cm as i32);
                        let dist = match self.tense {
                            Tense::Past if diff > 0 => diff + 6,
                            Tense::Future if diff < 0 => -diff + 6,
                            // News reports mostly look back.
                            Tense::None if diff > 0 => diff + 3,
                            _ => diff.abs(),
                        };
                        if dist < best.0 {
                            best = (dist, y);
                        }
                    }
                    best.1
                }
            };
            res.value = format!("{y:04}-{m:02}");
            res.cal =
                Some(Anchor { date: NaiveDate::from_ymd_opt(y, m, 1)?, gran: Gran::Month, value: res.value.clone() });
            return Some(res);
        }

        // 5. Seasons.
        if let Some(s) = f.season {
            // A bare season word ("prices fall") needs "in the"/"this"/"last"… before it.
            if f.shift.is_none()
                && f.nshift.is_none()
                && !f.has_lit("that")
                && !prev.is_some_and(|t| t.key == "the" || (t.has(Class::Prep) && t.key != "to"))
            {
                return None;
            }
            let k = f.shift.or(f.nshift).unwrap_or(0);
            let y = d.year() + k;
            res.value = format!("{y:04}-{s}");
            return Some(res);
        }

        // 6. Quarters and halves by ordinal.
        if let Some(o) = f.ord {
            let q = (d.month() - 1) / 3 + 1;
            let mut y = d.year() + f.shift.unwrap_or(0);
            match f.unit? {
                "Q" if (1..=4).contains(&o) => {
                    if o > q && self.tense == Tense::Past {
                        y -= 1;
                    }
                    res.value = format!("{y:04}-Q{o}");
                    let date = NaiveDate::from_ymd_opt(y, (o - 1) * 3 + 1, 1)?;
                    res.cal = Some(Anchor { date, gran: Gran::Quarter, value: res.value.clone() });
                }
                "HALF" if (1..=2).contains(&o) => res.value = format!("{y:04}-H{o}"),
                // "the 20th century" → "19"
                "CE" if (1..=30).contains(&o) => {
                    res.value = format!("{:02}", o - 1);
                    res.anchor = None;
                    res.confidence = 0.9;
                }
                _ => return None,
            }
            return Some(res);
        }

        // 6b. The period in focus: "the quarter", "the year-earlier period", "the weekend".
        if f.has_lit("quarter")
            || f.has_lit("period")
            || (f.has_lit("year") && (f.has_lit("ago") || f.has_lit("earlier")))
        {
            // "the quarter ended Sept. 30": the quarter of that date.
            let ended = toks.get(end).filter(|t| t.key == "ended" || t.key == "ending");
            let ended_month = ended
                .and(toks.get(end + 1))
                .and_then(|t| t.entry(Class::Month))
                .and_then(|e| e.value.parse::<u32>().ok());
            let given = ended_month.map(|m| {
                let y =
                    toks.get(end + 3).or(toks.get(end + 4)).and_then(|t| t.num).filter(|n| (1000..=2099).contains(n));
                let y = y.map(|n| n as i32).unwrap_or(if m > d.month() { d.year() - 1 } else { d.year() });
                (y, (m - 1) / 3 + 1)
            });
            let (mut y, q) = match given.or(self.last_q) {
                Some(yq) => yq,
                None => {
                    let q = (d.month() - 1) / 3 + 1;
                    if q == 1 {
                        (d.year() - 1, 4)
                    } else {
                        (d.year(), q - 1)
                    }
                }
            };
            if let Some(k) = f.shift {
                y = d.year() + k; // "last year's quarter"
            } else if let Some(yy) = f.year {
                y = yy; // "the 1988 period"
            } else if f.has_lit("year") {
                y -= 1;
            }
            res.value = format!("{y:04}-Q{q}");
            res.confidence = 0.6;
            return Some(res);
        }
        if f.has_lit("weekend") {
            let wd = d.weekday().num_days_from_monday() as i64; // Sat = 5, Sun = 6
            let k = match self.tense {
                Tense::Future if wd >= 5 => 1,
                Tense::Future => 0,
                _ if wd >= 5 => 0,
                _ => -1,
            };
            res.value = format!("{}-WE", week_value(d + Duration::days(7 * k)));
            return Some(res);
        }

        // 7. A unit relative to the anchor: "last year", "this week", "that day".
        let u = f.unit?;
        if f.unit_plural {
            return None;
        }
        let k = f.shift.or(f.nshift).unwrap_or(0);
        let need = match u {
            "D" => Gran::Day,
            "W" | "WE" => Gran::Week,
            "M" => Gran::Month,
            "Q" => Gran::Quarter,
            _ => Gran::Year,
        };
        if a.gran > need {
            return self.unresolved(f, res);
        }
        let (value, gran, date) = match u {
            "D" => {
                let x = d + Duration::days(k as i64);
                (ymd(x), Gran::Day, x)
            }
            "W" => {
                let x = d + Duration::days(7 * k as i64);
                (week_value(x), Gran::Week, x)
            }
            "WE" => {
                let x = d + Duration::days(7 * k as i64);
                (format!("{}-WE", week_value(x)), Gran::Week, x)
            }
            "M" => {
                let (y, m) = add_months(d.year(), d.month(), k);
                (format!("{y:04}-{m:02}"), Gran::Month, NaiveDate::from_ymd_opt(y, m, 1)?)
            }
            "Q" => {
                let (y, m) = add_months(d.year(), d.month(), 3 * k);
                (format!("{y:04}-Q{}", (m - 1) / 3 + 1), Gran::Quarter, NaiveDate::from_ymd_opt(y, m, 1)?)
            }
            "Y" => {
                let y = d.year() + k;
                (format!("{y:04}"), Gran::Year, NaiveDate::from_ymd_opt(y, 7, 1)?)
            }
            "DE" => {
                let y = d.year() + 10 * k;
                (format!("{:03}X", y / 10), Gran::Year, d)
            }
            "CE" => {
                let y = d.year() + 100 * k;
                (format!("{:02}", y / 100), Gran::Year, d)
            }
            _ => return None,
        };
        res.value = value;
        if matches!(u, "D" | "W" | "M" | "Q" | "Y") {
            res.cal = Some(Anchor { date, gran, value: res.value.clone() });
        }
        Some(res)
    }

    /// `Some(Some("T14:30"))` for a clock time, `Some(None)` when there is none,
    /// `None` when the clock fields are invalid.
    fn clock(&self, f: &Fields) -> Option<Option<String>> {
        if let Some(c) = f.clock {
            return Some(Some(format!("T{c}")));
        }
        let Some(mut h) = f.hour else { return Some(None) };
        let m = f.minute.unwrap_or(0);
        match f.ampm {
            Some("pm") if h < 12 => h += 12,
            Some("am") if h == 12 => h = 0,
            Some(_) if h > 12 => return None,
            _ => {}
        }
        Some(Some(format!("T{h:02}:{m:02}")))
    }

    /// A relative expression with nothing to resolve it against.
    fn unresolved(&self, f: &Fields, mut res: Res) -> Option<Res> {
        res.confidence = 0.3;
        res.anchor = None;
        res.value = if let (Some(m), Some(d)) = (f.month, f.day) {
            format!("XXXX-{m:02}-{d:02}")
        } else if let Some(w) = f.weekday {
            format!("XXXX-WXX-{w}")
        } else if let Some(m) = f.month {
            format!("XXXX-{m:02}")
        } else if let Some(s) = f.season {
            format!("XXXX-{s}")
        } else if f.dayref.is_some() || f.part.is_some() || f.hour.is_some() || f.clock.is_some() {
            match self.clock(f)? {
                Some(t) => format!("XXXX-XX-XX{t}"),
                None => "XXXX-XX-XX".into(),
            }
        } else {
            match f.unit {
                Some("D") => "XXXX-XX-XX".into(),
                Some("W") => "XXXX-WXX".into(),
                Some("WE") => "XXXX-WXX-WE".into(),
                Some("M") => "XXXX-XX".into(),
                Some("Q") => "XXXX-QX".into(),
                _ => "XXXX".into(),
            }
        };
        Some(res)
    }
}
