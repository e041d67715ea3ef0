//! `newsgraph export --format gdelt-events|gdelt-mentions|gdelt-gkg` on the examples store:
//! GDELT 2.0 column counts, types, dates and CAMEO codes (crates/cli/EXPORT.md).
mod common;

use common::{repo_root, run};
use std::collections::{HashMap, HashSet};

fn cameo_codes() -> HashSet<String> {
    let table = std::fs::read_to_string(repo_root().join("crates/event/data/cameo.tsv")).unwrap();
    table.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split('\t').next()).map(str::to_string).collect()
}

fn is_day(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) && chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_ok()
}

fn is_stamp(s: &str) -> bool {
    s.len() == 14 && chrono::NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").is_ok()
}

/// Columns (0-based) that must be integers / floats when not empty.
fn check_numbers(row: &[&str], ints: &[usize], floats: &[usize], what: &str) {
    for &i in ints {
        assert!(row[i].is_empty() || row[i].parse::<i64>().is_ok(), "{what} column {} not an integer: {row:?}", i + 1);
    }
    for &i in floats {
        assert!(row[i].is_empty() || row[i].parse::<f64>().is_ok(), "{what} column {} not a number: {row:?}", i + 1);
    }
}

fn export(store: &str, format: &str, header: bool) -> String {
    let mut args = vec!["export", "--format", format, "--store", store];
    if header {
        args.push("--header");
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn gdelt_exports_have_the_published_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().to_str().unwrap();
    let (code, _, err) = run(&["ingest", "examples", "--store", s, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let codes = cameo_codes();

    // Events: 61 columns.
    let events = export(s, "gdelt-events", false);
    let mut ids = HashSet::new();
    let mut dated: HashMap<String, String> = HashMap::new();
    for line in events.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 61, "{line}");
        check_numbers(
            &f,
            &[0, 1, 2, 3, 25, 29, 31, 32, 33, 35, 43, 51, 59],
            &[4, 30, 34, 40, 41, 48, 49, 56, 57],
            "event",
        );
        assert!(ids.insert(f[0].to_string()), "GLOBALEVENTID repeated: {}", f[0]);
        assert!(is_day(f[1]), "SQLDATE {}", f[1]);
        assert_eq!(f[2], &f[1][..6]);
        assert_eq!(f[3], &f[1][..4]);
        assert!(f[4].starts_with(f[3]) && f[4].contains('.'), "FractionDate {}", f[4]);
        for c in [f[26], f[27], f[28]] {
            assert!(codes.contains(c), "not a CAMEO code: {c} in {line}");
        }
        assert!(f[26].starts_with(f[27]) && f[27].starts_with(f[28]), "{line}");
        assert!(["1", "2", "3", "4"].contains(&f[29]), "QuadClass {}", f[29]);
        let g: f64 = f[30].parse().unwrap();
        assert!((-10.0..=10.0).contains(&g));
        assert!(f[31].parse::<u32>().unwrap() >= 1 && f[33].parse::<u32>().unwrap() >= 1);
        assert!(["0", "1"].contains(&f[25]));
        for geo in [35, 43, 51] {
            assert!(["0", "1", "2", "3", "4", "5"].contains(&f[geo]), "Geo_Type {}", f[geo]);
            if f[geo] != "0" {
                assert_eq!(f[geo + 2].len(), 2, "FIPS country code: {line}");
                let lat: f64 = f[geo + 5].parse().unwrap();
                let lon: f64 = f[geo + 6].parse().unwrap();
                assert!(lat.abs() <= 90.0 && lon.abs() <= 180.0);
            }
        }
        assert!(is_stamp(f[59]), "DATEADDED {}", f[59]);
        assert!(!f[60].is_empty(), "SOURCEURL");
        dated.insert(f[0].to_string(), f[59].to_string());
    }
    assert!(ids.len() >= 20, "the examples hold events: {}", ids.len());
    // The sample article's Alaska meeting: Trump and Putin, 036, in Alaska on 2025-08-15.
    assert!(
        events.lines().any(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            f[1] == "20250815" && f[26] == "036" && f[52] == "Alaska" && [f[5], f[15]].contains(&"USAGOV")
        }),
        "no Alaska meeting row:\n{events}"
    );

    // Header line: the published names.
    let with_header = export(s, "gdelt-events", true);
    let first = with_header.lines().next().unwrap();
    assert!(first.starts_with("GLOBALEVENTID\tSQLDATE\tMonthYear\tYear\tFractionDate\tActor1Code\t"));
    assert!(first.ends_with("ActionGeo_FeatureID\tDATEADDED\tSOURCEURL"));
    assert_eq!(first.split('\t').count(), 61);
    assert_eq!(with_header.lines().count(), events.lines().count() + 1);
    // Stable: the same store exports the same bytes.
    assert_eq!(export(s, "gdelt-events", false), events);

    // Mentions: 16 columns, each pointing at an exported event.
    let mentions = export(s, "gdelt-mentions", false);
    let mut n = 0;
    for line in mentions.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 16, "{line}");
        check_numbers(&f, &[0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12], &[13], "mention");
        assert_eq!(dated.get(f[0]).map(String::as_str), Some(f[1]), "mention of an unknown event: {line}");
        assert!(is_stamp(f[1]) && is_stamp(f[2]));
        assert!(["1", "2"].contains(&f[3]));
        assert!(f[6].parse::<u32>().unwrap() >= 1);
        let conf: u32 = f[11].parse().unwrap();
        assert!(conf <= 100);
        let len: i64 = f[12].parse().unwrap();
        for off in [7, 8, 9] {
            let o: i64 = f[off].parse().unwrap();
            assert!(o >= -1 && o < len, "offset {o} outside the document ({len}): {line}");
        }
        n += 1;
    }
    assert!(n >= ids.len());
    let header = export(s, "gdelt-mentions", true);
    assert!(header.starts_with("GLOBALEVENTID\tEventTimeDate\tMentionTimeDate\tMentionType\t"));

    // GKG 2.1: 27 columns, one record per article.
    let gkg = export(s, "gdelt-gkg", false);
    assert_eq!(gkg.lines().count(), 12, "{gkg}");
    let mut persons = 0;
    for line in gkg.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 27, "{line}");
        assert!(f[0].contains('-'), "GKGRECORDID {}", f[0]);
        assert!(f[1].is_empty() || is_stamp(f[1]), "DATE {}", f[1]);
        assert!(["1", "2"].contains(&f[2]));
        for loc in f[9].split(';').filter(|l| !l.is_empty()) {
            let p: Vec<&str> = loc.split('#').collect();
            assert_eq!(p.len(), 7, "V1Locations block {loc}");
            assert!(p[4].parse::<f64>().is_ok() && p[5].parse::<f64>().is_ok());
        }
        for loc in f[10].split(';').filter(|l| !l.is_empty()) {
            assert_eq!(loc.split('#').count(), 9, "V2Locations block {loc}");
        }
        for p in f[12].split(';').filter(|l| !l.is_empty()) {
            let (_, off) = p.rsplit_once(',').unwrap();
            off.parse::<u32>().unwrap();
        }
        for d in f[16].split(';').filter(|l| !l.is_empty()) {
            let p: Vec<u32> = d.split(',').map(|x| x.parse().unwrap()).collect();
            assert_eq!(p.len(), 5, "date block {d}");
            assert!((1..=4).contains(&p[0]) && p[1] <= 12 && p[2] <= 31);
        }
        for q in f[22].split('#').filter(|l| !l.is_empty()) {
            assert_eq!(q.split('|').count(), 4, "quotation block {q}");
        }
        persons += usize::from(!f[11].is_empty());
        // Counts (V1): CountType#Count#ObjectType#Type#FullName#CountryCode#ADM1#Lat#Long#FeatureID;
        // V2.1 adds the character offset.
        for (col, n) in [(5, 10), (6, 11)] {
            for c in f[col].split(';').filter(|l| !l.is_empty()) {
                let p: Vec<&str> = c.split('#').collect();
                assert_eq!(p.len(), n, "count block {c}");
                assert!(
                    !p[0].is_empty() && p[0].bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                    "count type {c}"
                );
                p[1].parse::<u64>().unwrap_or_else(|_| panic!("count {c}"));
                assert!(["0", "1", "2", "3", "4", "5"].contains(&p[3]), "location type {c}");
                if p[3] != "0" {
                    assert!(p[7].parse::<f64>().is_ok() && p[8].parse::<f64>().is_ok(), "{c}");
                }
                if n == 11 {
                    p[10].parse::<u32>().unwrap();
                }
            }
        }
        // Themes: names; V2EnhancedThemes: NAME,offset.
        let theme_name =
            |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        for t in f[7].split(';').filter(|l| !l.is_empty()) {
            assert!(theme_name(t), "theme {t}");
        }
        for t in f[8].split(';').filter(|l| !l.is_empty()) {
            let (name, off) = t.split_once(',').unwrap();
            assert!(theme_name(name) && f[7].split(';').any(|x| x == name), "enhanced theme {t}");
            off.parse::<u32>().unwrap();
        }
        // V1.5 tone: seven comma-separated numbers, tone = positive − negative, word count last.
        let tone: Vec<f64> = f[15].split(',').map(|x| x.parse().unwrap_or_else(|_| panic!("tone {}", f[15]))).collect();
        assert_eq!(tone.len(), 7, "tone {}", f[15]);
        assert!(
            (tone[0] - (tone[1] - tone[2])).abs() < 0.01 && (tone[3] - (tone[1] + tone[2])).abs() < 0.01,
            "{}",
            f[15]
        );
        assert!(tone[..6].iter().all(|x| x.abs() <= 100.0) && tone[6] >= 1.0 && tone[6].fract() == 0.0, "{}", f[15]);
        // V2.1 amounts: Amount,Object,Offset.
        for a in f[24].split(';').filter(|l| !l.is_empty()) {
            let p: Vec<&str> = a.split(',').collect();
            assert_eq!(p.len(), 3, "amount block {a}");
            assert!(p[0].parse::<f64>().is_ok() && !p[0].contains('e'), "amount {a}");
            p[2].parse::<u32>().unwrap();
        }
        // V2.1 all names: Name,offset.
        for n in f[23].split(';').filter(|l| !l.is_empty()) {
            let (_, off) = n.rsplit_once(',').unwrap();
            off.parse::<u32>().unwrap();
        }
        assert!(f[18].is_empty() || f[18].starts_with("http"), "SharingImage {}", f[18]);
    }
    assert!(persons >= 5, "persons named in the examples");
    // The sample article: its deaths count, themes, tone and sharing image.
    let sample = gkg.lines().find(|l| l.contains("1.7604988")).expect("the sample article's row");
    let f: Vec<&str> = sample.split('\t').collect();
    assert!(f[5].split(';').any(|c| c.starts_with("KILL#10000#deaths#")), "counts: {}", f[5]);
    assert!(f[24].split(';').any(|a| a.starts_with("1000,kilometers front line,")), "amounts: {}", f[24]);
    for t in ["ARMEDCONFLICT", "NEGOTIATIONS", "SANCTIONS"] {
        assert!(f[7].split(';').any(|x| x == t), "themes: {}", f[7]);
    }
    assert!(f[15].starts_with('-'), "a war story has a negative tone: {}", f[15]);
    assert!(f[18].starts_with("https://i.cbc.ca/"), "sharing image {}", f[18]);
    assert!(!f[22].is_empty() && !f[23].is_empty() && !f[16].is_empty());
    assert!(gkg.contains("Vladimir Putin"));
    let header = export(s, "gdelt-gkg", true);
    assert!(header.starts_with("GKGRECORDID\tDATE\tSourceCollectionIdentifier\t"));
}
