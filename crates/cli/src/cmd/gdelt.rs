//! GDELT 2.0 exports: the Event table (61 columns), the Mentions table (16 columns) and the
//! Global Knowledge Graph 2.1 (27 columns), tab-separated, one record a line, no header
//! unless asked (as GDELT ships them). Layouts and what we fill: `crates/cli/EXPORT.md`.
use anyhow::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use newsgraph_model::{Document, Entity, EntityType, Geo, Span};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::OnceLock;

/// The published GDELT 2.0 Event table column names, in order.
pub const EVENT_COLUMNS: [&str; 61] = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

/// The published GDELT 2.0 Mentions table column names, in order.
pub const MENTION_COLUMNS: [&str; 16] = [
    "GLOBALEVENTID",
    "EventTimeDate",
    "MentionTimeDate",
    "MentionType",
    "MentionSourceName",
    "MentionIdentifier",
    "SentenceID",
    "Actor1CharOffset",
    "Actor2CharOffset",
    "ActionCharOffset",
    "InRawText",
    "Confidence",
    "MentionDocLen",
    "MentionDocTone",
    "MentionDocTranslationInfo",
    "Extras",
];

/// The published GDELT GKG 2.1 column names, in order.
pub const GKG_COLUMNS: [&str; 27] = [
    "GKGRECORDID",
    "DATE",
    "SourceCollectionIdentifier",
    "SourceCommonName",
    "DocumentIdentifier",
    "Counts",
    "V2Counts",
    "Themes",
    "V2Themes",
    "Locations",
    "V2Locations",
    "Persons",
    "V2Persons",
    "Organizations",
    "V2Organizations",
    "V2Tone",
    "Dates",
    "GCAM",
    "SharingImage",
    "RelatedImages",
    "SocialImageEmbeds",
    "SocialVideoEmbeds",
    "Quotations",
    "AllNames",
    "Amounts",
    "TranslationInfo",
    "Extras",
];

/// Which GDELT table to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Events,
    Mentions,
    Gkg,
}

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub rows: u64,
    pub articles: u64,
    /// Events without any usable date (no day-level event date and no publication date).
    pub undated: u64,
}

/// Writes `table` for `docs` (in the store's stable id order) to `out`.
pub fn write<W: Write>(
    docs: impl Iterator<Item = Result<Document>>,
    table: Table,
    header: bool,
    out: &mut W,
) -> Result<Written> {
    let columns: &[&str] = match table {
        Table::Events => &EVENT_COLUMNS,
        Table::Mentions => &MENTION_COLUMNS,
        Table::Gkg => &GKG_COLUMNS,
    };
    if header {
        writeln!(out, "{}", columns.join("\t"))?;
    }
    let mut w = Written::default();
    // Events: aggregated across the store by (day, actors, code, place); first-seen order.
    let mut events: Vec<EventAgg> = Vec::new();
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    let mut gkg_seq: HashMap<String, u64> = HashMap::new();
    for doc in docs {
        let doc = doc?;
        w.articles += 1;
        if table == Table::Gkg {
            let date = doc_time(&doc).map(stamp).unwrap_or_default();
            let n = gkg_seq.entry(date.clone()).or_insert(0);
            let row = gkg_row(&doc, &format!("{}-{}", if date.is_empty() { "0" } else { &date }, n));
            *n += 1;
            write_row(out, &row)?;
            w.rows += 1;
            continue;
        }
        let chars = CharIndex::new(doc.text());
        for ev in &doc.layers.events {
            let Some(row) = event_row(&doc, ev, &chars) else {
                w.undated += 1;
                continue;
            };
            let id = row.id;
            let idx = *by_id.entry(id).or_insert_with(|| {
                events.push(EventAgg {
                    fields: row.fields.clone(),
                    mentions: 0,
                    tone: 0.0,
                    sources: HashSet::new(),
                    articles: HashSet::new(),
                });
                events.len() - 1
            });
            let agg = &mut events[idx];
            agg.mentions += 1;
            agg.tone += doc_tone(&doc);
            agg.sources.insert(source_name(&doc));
            agg.articles.insert(doc.id.clone());
            if table == Table::Mentions {
                let mut m = row.mention;
                m[1] = agg.fields[59].clone(); // EventTimeDate = the event's DATEADDED
                write_row(out, &m)?;
                w.rows += 1;
            }
        }
    }
    if table == Table::Events {
        for mut agg in events {
            agg.fields[31] = agg.mentions.to_string();
            agg.fields[32] = agg.sources.len().to_string();
            agg.fields[33] = agg.articles.len().to_string();
            agg.fields[34] = fmt_tone(agg.tone / agg.mentions.max(1) as f64);
            write_row(out, &agg.fields)?;
            w.rows += 1;
        }
    }
    Ok(w)
}

struct EventAgg {
    fields: Vec<String>,
    mentions: u64,
    /// Sum of the mentioning articles' tone (for AvgTone).
    tone: f64,
    sources: HashSet<String>,
    articles: HashSet<String>,
}

struct EventRow {
    id: u64,
    fields: Vec<String>,
    mention: Vec<String>,
}

fn write_row<W: Write>(out: &mut W, fields: &[String]) -> std::io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\t")?;
        }
        out.write_all(clean(f).as_bytes())?;
    }
    out.write_all(b"\n")
}

/// No tab or line break may appear inside a field.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        s.replace(['\t', '\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

/// A field inside a delimited list: the list's delimiters become spaces.
fn item(s: &str) -> String {
    s.replace(['\t', '\n', '\r', ';', '#', ',', '|'], " ").trim().to_string()
}

/// FNV-1a 64, cut to 53 bits so every tool (and JavaScript) reads it as an exact integer.
fn stable_id(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (h & ((1 << 53) - 1)).max(1)
}

fn doc_time(doc: &Document) -> Option<DateTime<Utc>> {
    doc.meta.published.as_ref().map(|p| p.time.with_timezone(&Utc))
}

/// `YYYYMMDDHHMMSS` in UTC.
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%d%H%M%S").to_string()
}

/// A day-level `YYYY-MM-DD…` TIMEX3 value.
fn day_of(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// Outlet name: the URL's host without `www.`, else the document's source.
fn source_name(doc: &Document) -> String {
    let url = doc.meta.canonical_url.as_deref().or(doc.meta.url.as_deref());
    if let Some(host) =
        url.and_then(|u| u.split_once("://")).map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
    {
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        if !host.is_empty() {
            return host.strip_prefix("www.").unwrap_or(host).to_ascii_lowercase();
        }
    }
    doc.meta.source.clone().unwrap_or_default()
}

/// (collection identifier, document identifier): 1 and the URL for web documents, else 2
/// (CITATIONONLY) and a textual citation.
fn identifier(doc: &Document) -> (&'static str, String) {
    match doc.meta.url.as_deref().or(doc.meta.canonical_url.as_deref()) {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => ("1", u.to_string()),
        _ => {
            let mut cite = doc.meta.title.clone().unwrap_or_default();
            if let Some(s) = &doc.meta.source {
                cite = if cite.is_empty() { s.clone() } else { format!("{cite} ({s})") };
            }
            if cite.is_empty() {
                cite = format!("newsgraph:{}", doc.id);
            }
            ("2", cite)
        }
    }
}

/// Byte offset → character offset, in O(log n).
struct CharIndex {
    /// Byte offset of every 64th character.
    marks: Vec<usize>,
    chars: usize,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        let marks: Vec<usize> = text.char_indices().step_by(64).map(|(b, _)| b).collect();
        CharIndex { marks, chars: text.chars().count() }
    }

    fn of(&self, text: &str, byte: u32) -> usize {
        let byte = (byte as usize).min(text.len());
        let k = self.marks.partition_point(|&m| m <= byte).saturating_sub(1);
        let from = self.marks.get(k).copied().unwrap_or(0);
        k * 64 + text.get(from..byte).map_or(0, |s| s.chars().count())
    }
}

fn iso_to_fips(iso2: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            include_str!("../../data/fips.tsv")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .collect()
        })
        .get(iso2.to_ascii_uppercase().as_str())
        .copied()
}

/// GDELT geography of a geocoded place: type, full name, FIPS country, ADM1, ADM2, lat,
/// lon, feature id (8 fields). `None` when the place cannot be given a GDELT type.
fn geo_fields(e: &Entity, g: &Geo) -> Option<[String; 8]> {
    let fips = iso_to_fips(&g.country)?.to_string();
    let feature = g.feature.to_ascii_lowercase();
    let us = g.country.eq_ignore_ascii_case("US");
    let kind = match feature.as_str() {
        "country" => 1,
        "continent" | "ocean" | "sea" => return None,
        "region" | "state" | "province" | "admin1" | "adm1" | "a" => {
            if us {
                2
            } else {
                5
            }
        }
        _ => {
            if us {
                3
            } else {
                4
            }
        }
    };
    let adm1 = match &g.admin1 {
        _ if kind == 1 => fips.clone(),
        Some(a) if (1..=3).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            format!("{fips}{}", a.to_ascii_uppercase())
        }
        _ => fips.clone(),
    };
    let feature_id = match kind {
        3 | 4 => g.geonameid.map(|i| i.to_string()).unwrap_or_default(),
        _ => adm1.clone(),
    };
    Some([
        kind.to_string(),
        item(&e.name),
        fips,
        adm1,
        String::new(),
        format!("{:.4}", g.lat),
        format!("{:.4}", g.lon),
        feature_id,
    ])
}

/// Three-letter CAMEO codes that are types or groups, never countries.
const TYPE_CODES: &[&str] = &[
    "AGR", "BUS", "COP", "CRM", "CVL", "DEV", "EDU", "ELI", "ENV", "GOV", "HLH", "HRI", "IGO", "IMG", "INS", "JUD",
    "LAB", "LEG", "MED", "MIL", "MNC", "MOD", "NGM", "NGO", "OPP", "PTY", "RAD", "REB", "REF", "SEP", "SET", "SPY",
    "UAF", "UIS",
];

/// Actor fields 1..=10 of the event table: code, name, country, known group, ethnic,
/// religion 1, religion 2, type 1, type 2, type 3.
fn actor_fields(doc: &Document, a: Option<&newsgraph_model::Actor>) -> [String; 10] {
    let mut f: [String; 10] = Default::default();
    let Some(a) = a else { return f };
    let code = a.code.clone().unwrap_or_default();
    let name = match a.entity.and_then(|i| doc.layers.entities.get(i as usize)) {
        Some(e) => e.name.clone(),
        None => doc.text().get(a.span.start as usize..a.span.end as usize).unwrap_or("").to_string(),
    };
    f[1] = name.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    if code.len() < 3 || !code.is_ascii() {
        f[0] = code;
        return f;
    }
    let (country, rest) = if TYPE_CODES.contains(&&code[..3]) { ("", &code[..]) } else { code.split_at(3) };
    f[2] = country.to_string();
    let mut types = Vec::new();
    let mut r = rest;
    while r.len() >= 3 {
        types.push(&r[..3]);
        r = &r[3..];
    }
    if types.first() == Some(&"IGO") || types.first() == Some(&"NGO") {
        if let Some(g) = types.get(1) {
            f[3] = (*g).to_string();
        }
    }
    for (i, t) in types.iter().take(3).enumerate() {
        f[7 + i] = (*t).to_string();
    }
    f[0] = code;
    f
}

/// The event-table row (with GLOBALEVENTID and counts to be aggregated) and its mention row.
fn event_row(doc: &Document, ev: &newsgraph_model::Event, chars: &CharIndex) -> Option<EventRow> {
    let published = doc_time(doc);
    let ev_day = ev.date.and_then(|i| doc.layers.timexes.get(i as usize)).and_then(|t| day_of(&t.value));
    let day = ev_day.or_else(|| published.map(|t| t.date_naive()))?;
    let added = published.map(stamp).unwrap_or_else(|| format!("{}000000", day.format("%Y%m%d")));
    let sqldate = day.format("%Y%m%d").to_string();
    let a1 = actor_fields(doc, ev.source.as_ref());
    let a2 = actor_fields(doc, ev.target.as_ref());
    let code = if ev.code.len() == 2 { format!("{}0", ev.code) } else { ev.code.clone() };
    let base = code.get(..3).unwrap_or(&code).to_string();
    let root = code.get(..2).unwrap_or(&code).to_string();
    let place = ev.place.and_then(|i| doc.layers.entities.get(i as usize));
    let geo = place.and_then(|e| e.geo.as_ref().and_then(|g| geo_fields(e, g)));
    let id = stable_id(&[&sqldate, &a1[0], &a1[1], &a2[0], &a2[1], &code, geo.as_ref().map_or("", |g| g[7].as_str())]);
    let text = doc.text();
    let paragraph = doc
        .layers
        .sentences
        .iter()
        .position(|s| s.span.start <= ev.trigger.start && ev.trigger.start < s.span.end.max(s.span.start + 1));
    let lead = doc.layers.paragraphs.iter().position(|p| !p.heading);
    let is_root = match (paragraph.map(|i| doc.layers.sentences[i].paragraph as usize), lead) {
        (Some(p), Some(l)) => p == l,
        _ => false,
    };
    let frac = f64::from(day.month() * 30 + day.day()) / 365.0;
    let (_, url) = identifier(doc);
    let mut f: Vec<String> = Vec::with_capacity(61);
    f.push(id.to_string());
    f.push(sqldate);
    f.push(day.format("%Y%m").to_string());
    f.push(day.year().to_string());
    f.push(format!("{:.4}", f64::from(day.year()) + frac));
    f.extend(a1);
    f.extend(a2);
    f.push(if is_root { "1" } else { "0" }.into());
    f.push(code.clone());
    f.push(base);
    f.push(root);
    f.push(ev.quad_class.to_string());
    f.push(format!("{:.1}", ev.goldstein));
    f.extend(["1".to_string(), "1".to_string(), "1".to_string()]); // counts: aggregated later
    f.push(fmt_tone(doc_tone(doc))); // AvgTone: averaged over the mentions later
                                     // Actor geography: the actor's own place when the actor is a geocoded entity ("Moscow",
                                     // "Ukraine"); GDELT's text-proximity placing of persons is not attempted.
    for a in [ev.source.as_ref(), ev.target.as_ref()] {
        let e = a.and_then(|a| a.entity).and_then(|i| doc.layers.entities.get(i as usize));
        match e.and_then(|e| e.geo.as_ref().and_then(|g| geo_fields(e, g))) {
            Some(g) => f.extend(g),
            None => {
                f.push("0".into());
                f.extend(std::iter::repeat_n(String::new(), 7));
            }
        }
    }
    match geo {
        Some(g) => f.extend(g),
        None => {
            f.push("0".into());
            f.extend(std::iter::repeat_n(String::new(), 7));
        }
    }
    f.push(added.clone());
    f.push(url.clone());
    debug_assert_eq!(f.len(), 61);

    let (mtype, mid) = identifier(doc);
    let off = |s: Option<Span>| s.map_or("-1".to_string(), |s| chars.of(text, s.start).to_string());
    let mention = vec![
        id.to_string(),
        added.clone(),
        added,
        mtype.to_string(),
        source_name(doc),
        mid,
        paragraph.map_or(1, |i| i + 1).to_string(),
        off(ev.source.as_ref().map(|a| a.span)),
        off(ev.target.as_ref().map(|a| a.span)),
        off(Some(ev.trigger)),
        "1".into(),
        ((ev.confidence.clamp(0.0, 1.0) * 100.0).round() as u32).to_string(),
        chars.chars.to_string(),
        fmt_tone(doc_tone(doc)),
        String::new(),
        String::new(),
    ];
    Some(EventRow { id, fields: f, mention })
}

/// One GKG 2.1 record for a document.
fn gkg_row(doc: &Document, record_id: &str) -> Vec<String> {
    let text = doc.text();
    let chars = CharIndex::new(text);
    let l = &doc.layers;
    let (collection, identifier) = identifier(doc);
    let mut v1_loc = Vec::new();
    let mut v2_loc = Vec::new();
    let mut seen_loc = HashSet::new();
    let mut persons = Vec::new();
    let mut v2_persons = Vec::new();
    let mut orgs = Vec::new();
    let mut v2_orgs = Vec::new();
    let mut all_names = Vec::new();
    let mut seen_names = HashSet::new();
    for m in &l.mentions {
        let Some(e) = m.entity.and_then(|i| l.entities.get(i as usize)) else { continue };
        let off = chars.of(text, m.span.start);
        let name = item(&e.name);
        if name.is_empty() {
            continue;
        }
        match e.kind {
            EntityType::Person => {
                if seen_names.insert(("p", name.clone())) {
                    persons.push(name.clone());
                }
                v2_persons.push(format!("{name},{off}"));
            }
            EntityType::Organization => {
                if seen_names.insert(("o", name.clone())) {
                    orgs.push(name.clone());
                }
                v2_orgs.push(format!("{name},{off}"));
            }
            EntityType::Place => {
                if let Some(g) = e.geo.as_ref().and_then(|g| geo_fields(e, g)) {
                    if seen_loc.insert(g[7].clone() + &g[1]) {
                        v1_loc.push([&g[0], &g[1], &g[2], &g[3], &g[5], &g[6], &g[7]].map(|s| s.as_str()).join("#"));
                    }
                    v2_loc.push(format!("{}#{off}", g.join("#")));
                }
            }
            _ => {}
        }
        all_names.push(format!("{name},{off}"));
    }
    let mut dates = Vec::new();
    for t in &l.timexes {
        let v = t.value.as_str();
        let off = chars.of(text, t.span.start);
        let num = |s: Option<&str>| s.and_then(|s| s.parse::<u32>().ok());
        let (y, m, d) = (num(v.get(..4)), num(v.get(5..7)), num(v.get(8..10)));
        let parts = match (y, m, d, v.len()) {
            (Some(y), Some(m), Some(d), n) if n == 10 || v.as_bytes().get(10) == Some(&b'T') => Some((3, m, d, y)),
            (Some(y), Some(m), None, 7) => Some((2, m, 0, y)),
            (Some(y), None, None, 4) => Some((1, 0, 0, y)),
            (None, Some(m), Some(d), 10) if v.starts_with("XXXX-") => Some((4, m, d, 0)),
            _ => None,
        };
        if let Some((r, m, d, y)) = parts {
            dates.push(format!("{r},{m},{d},{y},{off}"));
        }
    }
    let mut quotes = Vec::new();
    for q in &l.quotes {
        let said = text.get(q.content.start as usize..q.content.end as usize).unwrap_or("");
        let verb = q.cue.and_then(|c| text.get(c.start as usize..c.end as usize)).unwrap_or("");
        let said = said.replace(['\t', '\n', '\r', '#', '|'], " ");
        let verb = verb.replace(['\t', '\n', '\r', '#', '|'], " ");
        quotes.push(format!(
            "{}|{}|{}|{}",
            chars.of(text, q.content.start),
            said.chars().count(),
            verb.trim(),
            said.trim()
        ));
    }
    let date = doc_time(doc).map(stamp).unwrap_or_default();
    let (v1_counts, v2_counts, amounts) = counts_and_amounts(doc, &chars);
    let (v1_themes, v2_themes) = themes(doc, &chars);
    let extras = match &doc.meta.title {
        Some(t) => format!("<PAGE_TITLE>{}</PAGE_TITLE>", xml_escape(t)),
        None => String::new(),
    };
    let mut f: Vec<String> = vec![
        record_id.to_string(),
        date,
        collection.to_string(),
        source_name(doc),
        identifier,
        v1_counts.join(";"),
        v2_counts.join(";"),
        v1_themes.join(";"),
        v2_themes.join(";"),
        v1_loc.join(";"),
        v2_loc.join(";"),
        persons.join(";"),
        v2_persons.join(";"),
        orgs.join(";"),
        v2_orgs.join(";"),
        tone_field(doc),
        dates.join(";"),
        String::new(), // GCAM
        doc.meta.image_url.clone().unwrap_or_default(),
        String::new(), // RelatedImages
        String::new(), // SocialImageEmbeds
        String::new(), // SocialVideoEmbeds
        quotes.join("#"),
        all_names.join(";"),
        amounts.join(";"),
        String::new(), // TranslationInfo
    ];
    f.push(extras);
    debug_assert_eq!(f.len(), 27);
    f
}

/// The article's tone (GKG's positive − negative), 0 when the tone layer is missing.
fn doc_tone(doc: &Document) -> f64 {
    doc.layers.tone.as_ref().map_or(0.0, |t| f64::from(t.tone))
}

/// A tone value with at most 3 decimals, without trailing zeros (`-2.5`, `0`).
fn fmt_tone(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// An amount as GDELT writes it: commas removed, decimals kept, no exponent.
pub(crate) fn fmt_amount(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// V1/V2.1 count blocks (`CountType#Count#ObjectType#Location…[#Offset]`) for the amounts
/// that carry a count type, the location being the nearest geocoded place of the count's
/// sentence; and V2.1 amount blocks (`Amount,Object,Offset`) for every amount.
fn counts_and_amounts(doc: &Document, chars: &CharIndex) -> (Vec<String>, Vec<String>, Vec<String>) {
    let text = doc.text();
    let l = &doc.layers;
    let (mut v1, mut v2, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for a in &l.amounts {
        let off = chars.of(text, a.span.start);
        let object =
            a.object.as_deref().map(item).filter(|o| !o.is_empty()).or_else(|| a.currency.clone()).unwrap_or_default();
        amounts.push(format!("{},{object},{off}", fmt_amount(a.value)));
        let Some(kind) = a.count_type.as_deref() else { continue };
        let sentence =
            l.sentences.iter().find(|s| s.span.start <= a.span.start && a.span.start < s.span.end).map(|s| s.span);
        let place = sentence.and_then(|s| {
            l.mentions
                .iter()
                .filter(|m| s.contains(m.span))
                .filter_map(|m| {
                    let e = l.entities.get(m.entity? as usize)?;
                    let g = geo_fields(e, e.geo.as_ref()?)?;
                    Some((m.span.start.abs_diff(a.span.start), g))
                })
                .min_by_key(|(d, _)| *d)
                .map(|(_, g)| g)
        });
        let loc = match place {
            // Type#FullName#CountryCode#ADM1#Lat#Long#FeatureID (no ADM2 in counts).
            Some(g) => [&g[0], &g[1], &g[2], &g[3], &g[5], &g[6], &g[7]].map(|s| s.as_str()).join("#"),
            None => "0######".to_string(),
        };
        let block = format!("{}#{}#{object}#{loc}", item(kind), a.value.round() as i64);
        if seen.insert(block.clone()) {
            v1.push(block.clone());
        }
        v2.push(format!("{block}#{off}"));
    }
    (v1, v2, amounts)
}

/// V1 themes (distinct GKG names) and V2 enhanced themes (`NAME,Offset` per mention);
/// themes without a GKG counterpart are written `NEWSGRAPH_<ID>`.
fn themes(doc: &Document, chars: &CharIndex) -> (Vec<String>, Vec<String>) {
    let text = doc.text();
    let mut v1 = Vec::new();
    let mut v2: Vec<(usize, String)> = Vec::new();
    for t in &doc.layers.themes {
        let name = t.gkg.clone().unwrap_or_else(|| format!("NEWSGRAPH_{}", t.id.to_ascii_uppercase()));
        let name = item(&name);
        if !v1.contains(&name) {
            v1.push(name.clone());
        }
        for s in &t.mentions {
            let off = chars.of(text, s.start);
            v2.push((off, format!("{name},{off}")));
        }
    }
    v2.sort();
    (v1, v2.into_iter().map(|(_, b)| b).collect())
}

/// V1.5 tone: `Tone,Positive,Negative,Polarity,ActivityDensity,SelfGroupDensity,WordCount`.
fn tone_field(doc: &Document) -> String {
    match &doc.layers.tone {
        Some(t) => format!(
            "{},{},{},{},{},{},{}",
            fmt_tone(f64::from(t.tone)),
            fmt_tone(f64::from(t.positive)),
            fmt_tone(f64::from(t.negative)),
            fmt_tone(f64::from(t.polarity)),
            fmt_tone(f64::from(t.activity)),
            fmt_tone(f64::from(t.self_group)),
            t.word_count
        ),
        None => String::new(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_53_bit() {
        let a = stable_id(&["20250815", "USAGOV", "036"]);
        assert_eq!(a, stable_id(&["20250815", "USAGOV", "036"]));
        assert_ne!(a, stable_id(&["20250815", "USAGO", "V036"]));
        assert!(a < (1 << 53));
    }

    #[test]
    fn char_offsets_count_characters() {
        let t = "Zelenskyy’s ".repeat(30) + "end";
        let ix = CharIndex::new(&t);
        let b = t.find("end").unwrap() as u32;
        assert_eq!(ix.of(&t, b), t.chars().count() - 3);
        assert_eq!(ix.of(&t, 0), 0);
    }

    #[test]
    fn number_formats() {
        assert_eq!(fmt_amount(1_250_000_000.0), "1250000000");
        assert_eq!(fmt_amount(1.25), "1.25");
        assert_eq!(fmt_tone(-2.50049), "-2.5");
        assert_eq!(fmt_tone(-0.0001), "0");
        assert_eq!(fmt_tone(3.0), "3");
    }

    #[test]
    fn fips_codes() {
        assert_eq!(iso_to_fips("RU"), Some("RS"));
        assert_eq!(iso_to_fips("ua"), Some("UP"));
        assert_eq!(iso_to_fips("US"), Some("US"));
    }
}
