//! Publication-time parsing shared by the formats.
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use newsgraph_model::{Published, TimeBasis};

fn utc(n: NaiveDateTime) -> Published {
    Published { time: Utc.from_utc_datetime(&n).fixed_offset(), basis: TimeBasis::AssumedUtc }
}

fn stated(t: DateTime<FixedOffset>) -> Published {
    Published { time: t, basis: TimeBasis::Stated }
}

/// Whether a line looks like it is meant to be a timestamp (`2025-…` with digits, `-`, `:`,
/// `T`, zone), so a line that fails to parse is reported instead of taken as body text.
pub(crate) fn looks_like_timestamp(line: &str) -> bool {
    let b = line.trim().as_bytes();
    b.len() >= 8
        && b.len() <= 40
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b.iter().all(|c| c.is_ascii_digit() || b"-:+. TZtz/".contains(c) || c.is_ascii_uppercase())
}

/// Parses the publication line of the plain-text format: `YYYY-MM-DD HH:MM:SS`
/// (UTC assumed), ISO 8601 / RFC 3339 with `T` and/or zone (stated), or a bare date
/// `YYYY-MM-DD` (midnight, UTC assumed). Anything else is an error.
pub(crate) fn parse_text_timestamp(s: &str) -> Result<Published, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(stated(t));
    }
    for f in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(stated(t));
        }
    }
    if let Some(rest) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")).or_else(|| s.strip_suffix('Z')) {
        for f in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(rest.trim(), f) {
                return Ok(stated(Utc.from_utc_datetime(&n).fixed_offset()));
            }
        }
    }
    for f in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(utc(n));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if s.len() == 10 {
            return Ok(utc(d.and_hms_opt(0, 0, 0).expect("midnight exists")));
        }
    }
    // Say why, as precisely as cheaply possible.
    Err(match NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M") {
        Ok(_) => "seconds missing (expected YYYY-MM-DD HH:MM:SS)".to_string(),
        Err(_) => match NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        {
            Err(e) => format!("{e} (expected YYYY-MM-DD HH:MM:SS or ISO 8601)"),
            Ok(_) => "unrecognized form (expected YYYY-MM-DD HH:MM:SS or ISO 8601)".to_string(),
        },
    })
}

/// Lenient parsing for metadata fields (JSONL `published`): everything
/// [`parse_text_timestamp`] accepts plus RFC 2822, minute precision and Unix seconds.
pub(crate) fn parse_any_time(s: &str) -> Result<Published, String> {
    let s = s.trim();
    if let Ok(p) = parse_text_timestamp(s) {
        return Ok(p);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Ok(stated(t));
    }
    for f in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(utc(n));
        }
    }
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(stated(t));
        }
    }
    if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(t) = s.parse::<i64>().ok().and_then(|n| DateTime::from_timestamp(n, 0)) {
            return Ok(stated(t.fixed_offset()));
        }
    }
    Err(format!("unrecognized date/time {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let p = parse_text_timestamp("2025-08-08 23:04:25").unwrap();
        assert_eq!(p.time.to_rfc3339(), "2025-08-08T23:04:25+00:00");
        assert_eq!(p.basis, TimeBasis::AssumedUtc);
        let p = parse_text_timestamp("2025-08-08T23:04:25+02:00").unwrap();
        assert_eq!(p.basis, TimeBasis::Stated);
        assert_eq!(p.time.to_rfc3339(), "2025-08-08T23:04:25+02:00");
        assert_eq!(parse_text_timestamp("2025-08-08T23:04:25Z").unwrap().basis, TimeBasis::Stated);
        assert_eq!(parse_text_timestamp("2025-08-08T23:04:25").unwrap().basis, TimeBasis::AssumedUtc);
        assert!(parse_text_timestamp("2025-13-45 99:00:00").is_err());
        assert!(parse_text_timestamp("2025-08-08 23:04").unwrap_err().contains("seconds"));
        assert!(looks_like_timestamp("2025-13-45 99:00:00"));
        assert!(looks_like_timestamp("2025-08-08 23:04"));
        assert!(!looks_like_timestamp("2025-08-08 was a hot day in Alaska."));
        assert_eq!(parse_any_time("Fri, 08 Aug 2025 23:04:25 +0000").unwrap().basis, TimeBasis::Stated);
        assert_eq!(parse_any_time("2025-08-08 23:04").unwrap().basis, TimeBasis::AssumedUtc);
    }
}
