//! `newsgraph export --format parquet --out DIR` on the examples store: the five files read
//! back with the `parquet` crate (and pyarrow when importable) against the schema documented
//! in crates/cli/EXPORT.md, the store's counts, the JSON export's values, and bad `--out`s.
mod common;

use common::{repo_root, run};
use parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const TABLES: [&str; 5] = ["articles", "entities", "quotes", "events", "timexes"];

/// (column, type, nullable) per table, parsed from the tables of EXPORT.md's Parquet section.
fn documented() -> BTreeMap<String, Vec<(String, String, bool)>> {
    let doc = std::fs::read_to_string(repo_root().join("crates/cli/EXPORT.md")).unwrap();
    let section = doc.split("## Parquet (").nth(1).expect("EXPORT.md has a Parquet section");
    let mut out: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(h) = line.strip_prefix("### `") {
            current = h.split_once(".parquet`").map(|(n, _)| n.to_string());
            continue;
        }
        let Some(t) = &current else { continue };
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 || cells[1] == "column" || cells[1].starts_with("---") {
            continue;
        }
        let nullable = match cells[3] {
            "yes" => true,
            "no" => false,
            x => panic!("EXPORT.md: null column of {t}.{} is {x:?}", cells[1]),
        };
        out.entry(t.clone()).or_default().push((cells[1].to_string(), cells[2].to_string(), nullable));
    }
    out
}

/// The documented name of a column's Parquet type.
fn type_name(physical: Physical, logical: Option<&LogicalType>) -> String {
    match (physical, logical) {
        (Physical::BYTE_ARRAY, Some(LogicalType::String)) => "STRING".into(),
        (Physical::INT64, None) => "INT64".into(),
        (Physical::DOUBLE, None) => "DOUBLE".into(),
        (Physical::BOOLEAN, None) => "BOOLEAN".into(),
        (Physical::INT32, Some(LogicalType::Date)) => "DATE".into(),
        (Physical::INT64, Some(LogicalType::Timestamp(t))) if t.is_adjusted_to_u_t_c && t.unit == TimeUnit::MICROS => {
            "TIMESTAMP(MICROS, UTC)".into()
        }
        (p, l) => format!("{p:?} {l:?}"),
    }
}

type Rows = Vec<HashMap<String, Field>>;

fn read(path: &Path) -> (SerializedFileReader<std::fs::File>, Rows) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap().get_column_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .collect();
    (reader, rows)
}

fn str_of<'a>(row: &'a HashMap<String, Field>, col: &str) -> Option<&'a str> {
    match row.get(col) {
        Some(Field::Str(s)) => Some(s),
        Some(Field::Null) => None,
        x => panic!("{col}: not a string: {x:?}"),
    }
}

fn long_of(row: &HashMap<String, Field>, col: &str) -> Option<i64> {
    match row.get(col) {
        Some(Field::Long(v)) => Some(*v),
        Some(Field::Null) => None,
        x => panic!("{col}: not an INT64: {x:?}"),
    }
}

fn ingest_examples(store: &str) {
    let (code, _, err) = run(&["ingest", "examples", "--store", store, "--quiet"]);
    assert_eq!(code, 0, "{err}");
}

fn export_parquet(store: &str, out: &Path) -> (i32, String) {
    let (code, _, err) = run(&["export", "--format", "parquet", "--out", out.to_str().unwrap(), "--store", store]);
    (code, err)
}

#[test]
fn parquet_export_matches_the_documented_schema_and_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    ingest_examples(s);
    let out = dir.path().join("pq");
    let (code, err) = export_parquet(s, &out);
    assert_eq!(code, 0, "{err}");

    // Only the five files, no temporary names left.
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["articles.parquet", "entities.parquet", "events.parquet", "quotes.parquet", "timexes.parquet"]);

    // The store's documents, through the JSON export.
    let (code, jsonl, err) = run(&["export", "--format", "jsonl", "--store", s]);
    assert_eq!(code, 0, "{err}");
    let docs: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (code, stats, err) = run(&["stats", "--json", "--store", s]);
    assert_eq!(code, 0, "{err}");
    let stats: Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["documents"].as_u64().unwrap() as usize, docs.len());
    assert!(docs.len() >= 10, "the examples hold at least 10 articles");
    let layer = |name: &str| docs.iter().map(|d| d["layers"][name].as_array().map_or(0, Vec::len)).sum::<usize>();
    let expected_rows: HashMap<&str, usize> = HashMap::from([
        ("articles", docs.len()),
        ("entities", layer("mentions")),
        ("quotes", layer("quotes")),
        ("events", layer("events")),
        ("timexes", layer("timexes")),
    ]);

    let schema = documented();
    assert_eq!(schema.keys().map(String::as_str).collect::<Vec<_>>(), {
        let mut t = TABLES.to_vec();
        t.sort();
        t
    });
    let mut tables: HashMap<&str, Rows> = HashMap::new();
    for t in TABLES {
        let (reader, rows) = read(&out.join(format!("{t}.parquet")));
        let meta = reader.metadata().file_metadata();
        // Columns, types and nullability as documented.
        let actual: Vec<(String, String, bool)> = meta
            .schema_descr()
            .columns()
            .iter()
            .map(|c| {
                let nullable = c.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
                (c.name().to_string(), type_name(c.physical_type(), c.logical_type_ref()), nullable)
            })
            .collect();
        assert_eq!(actual, schema[t], "{t}.parquet columns differ from EXPORT.md");
        let kv: HashMap<String, Option<String>> =
            meta.key_value_metadata().unwrap().iter().map(|k| (k.key.clone(), k.value.clone())).collect();
        assert_eq!(kv["newsgraph.table"].as_deref(), Some(t));
        assert_eq!(kv["newsgraph.schema_version"].as_deref(), Some("1"));
        assert_eq!(meta.num_rows() as usize, expected_rows[t], "{t} rows");
        assert_eq!(rows.len(), expected_rows[t], "{t} rows read");
        assert!(expected_rows[t] > 0, "{t}: the examples have some");
        tables.insert(t, rows);
    }

    // Articles: same ids in the same (stable) order, text and publication time as the JSON.
    let by_id: HashMap<&str, &Value> = docs.iter().map(|d| (d["id"].as_str().unwrap(), d)).collect();
    let ids: Vec<&str> = tables["articles"].iter().map(|r| str_of(r, "id").unwrap()).collect();
    assert_eq!(ids, docs.iter().map(|d| d["id"].as_str().unwrap()).collect::<Vec<_>>());
    let mut not_canonical = 0;
    for r in &tables["articles"] {
        let d = by_id[str_of(r, "id").unwrap()];
        let text = d["text"].as_str().unwrap();
        assert_eq!(str_of(r, "text"), Some(text));
        assert_eq!(long_of(r, "char_count"), Some(text.chars().count() as i64));
        assert_eq!(str_of(r, "url"), d["meta"]["url"].as_str());
        assert_eq!(str_of(r, "title"), d["meta"]["title"].as_str());
        let published =
            d["meta"]["published"]["time"].as_str().map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
        match (r.get("published"), published) {
            (Some(Field::TimestampMicros(us)), Some(p)) => assert_eq!(*us, p.timestamp_micros()),
            (Some(Field::Null), None) => {}
            (x, p) => panic!("published {x:?} vs {p:?}"),
        }
        match (r.get("published_date"), published) {
            (Some(Field::Date(days)), Some(p)) => {
                let day = p.with_timezone(&chrono::Utc).date_naive();
                assert_eq!(i64::from(*days), (day - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days());
            }
            (Some(Field::Null), None) => {}
            (x, p) => panic!("published_date {x:?} vs {p:?}"),
        }
        assert!(long_of(r, "story_id").is_some(), "a current store has stories");
        let canonical = str_of(r, "duplicate_canonical").unwrap();
        assert!(by_id.contains_key(canonical));
        match r.get("is_canonical") {
            Some(Field::Bool(true)) => assert_eq!(canonical, str_of(r, "id").unwrap()),
            Some(Field::Bool(false)) => {
                not_canonical += 1;
                assert!(long_of(r, "duplicate_group_size").unwrap() >= 2);
            }
            x => panic!("is_canonical {x:?}"),
        }
    }
    assert!(not_canonical >= 1, "the examples hold a near-duplicate copy");

    // Spans slice the article text to the exported strings.
    let texts: HashMap<&str, &str> =
        docs.iter().map(|d| (d["id"].as_str().unwrap(), d["text"].as_str().unwrap())).collect();
    let check_span = |t: &str, row: &HashMap<String, Field>, col: &str, start: &str, end: &str| {
        let text = texts[str_of(row, "article_id").unwrap()];
        let (a, b) = (long_of(row, start).unwrap() as usize, long_of(row, end).unwrap() as usize);
        assert_eq!(Some(&text[a..b]), str_of(row, col), "{t}.{col}");
    };
    for r in &tables["entities"] {
        check_span("entities", r, "text", "start", "end");
    }
    for r in &tables["quotes"] {
        check_span("quotes", r, "content", "content_start", "content_end");
    }
    for r in &tables["timexes"] {
        check_span("timexes", r, "text", "start", "end");
    }
    for r in &tables["events"] {
        check_span("events", r, "trigger", "trigger_start", "trigger_end");
        check_span("events", r, "evidence_text", "evidence_start", "evidence_end");
        let code = str_of(r, "event_code").unwrap();
        assert!(code.starts_with(str_of(r, "event_base_code").unwrap()));
        assert!(code.starts_with(str_of(r, "event_root_code").unwrap()));
        assert!((1..=4).contains(&long_of(r, "quad_class").unwrap()));
    }
    // Linked entities carry their ids; places their coordinates.
    let linked = tables["entities"].iter().filter(|r| str_of(r, "entity_id") == Some("per:vladimir-putin")).count();
    assert!(linked >= 5, "Putin linked in the examples: {linked}");
    assert!(tables["entities"]
        .iter()
        .any(|r| matches!((r.get("lat"), r.get("lon")), (Some(Field::Double(_)), Some(Field::Double(_))))));

    // The sample article: Trump (USAGOV) intends to meet (036) Putin (RUSGOV), Alaska, 2025-08-15.
    let sample = docs
        .iter()
        .find(|d| d["meta"]["input"]["origin"].as_str().is_some_and(|o| o.ends_with("alaska-summit.txt")))
        .expect("the sample article is in the store")["id"]
        .as_str()
        .unwrap();
    let aug15 = (chrono::NaiveDate::from_ymd_opt(2025, 8, 15).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
    .num_days() as i32;
    let meet = tables["events"]
        .iter()
        .find(|r| {
            str_of(r, "article_id") == Some(sample)
                && str_of(r, "event_code") == Some("036")
                && str_of(r, "source_code") == Some("USAGOV")
                && str_of(r, "target_code") == Some("RUSGOV")
        })
        .expect("the sample's Trump–Putin 036 event in events.parquet");
    assert_eq!(str_of(meet, "source_entity_id"), Some("per:donald-trump"));
    assert_eq!(str_of(meet, "target_entity_id"), Some("per:vladimir-putin"));
    assert_eq!(str_of(meet, "modality"), Some("announced"));
    assert_eq!(str_of(meet, "place_name"), Some("Alaska"));
    assert!(matches!(meet.get("date"), Some(Field::Date(d)) if *d == aug15), "{:?}", meet.get("date"));
    assert_eq!(str_of(meet, "event_root_code"), Some("03"));

    // The same store exports the same bytes.
    let again = dir.path().join("pq2");
    let (code, err) = export_parquet(s, &again);
    assert_eq!(code, 0, "{err}");
    for t in TABLES {
        let f = format!("{t}.parquet");
        assert!(std::fs::read(out.join(&f)).unwrap() == std::fs::read(again.join(&f)).unwrap(), "{f} differs");
    }

    pyarrow_check(&out, &expected_rows, &schema, sample);
}

/// The same files read by pyarrow, when it is importable (skipped with a reason otherwise).
fn pyarrow_check(
    out: &Path,
    rows: &HashMap<&str, usize>,
    schema: &BTreeMap<String, Vec<(String, String, bool)>>,
    sample: &str,
) {
    let probe = std::process::Command::new("python3").args(["-c", "import pyarrow"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!("SKIPPED pyarrow check: pyarrow not importable ({})", String::from_utf8_lossy(&o.stderr).trim());
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED pyarrow check: python3 not runnable ({e})");
            return;
        }
    }
    let script = r#"
import json, sys, pyarrow.parquet as pq
out, sample = sys.argv[1], sys.argv[2]
res = {}
for t in ["articles", "entities", "quotes", "events", "timexes"]:
    tab = pq.read_table(f"{out}/{t}.parquet")
    res[t] = {"rows": tab.num_rows,
              "fields": [[f.name, str(f.type), f.nullable] for f in tab.schema]}
ev = pq.read_table(f"{out}/events.parquet").to_pylist()
res["meet"] = [dict(date=str(r["date"]), place=r["place_name"], modality=r["modality"])
               for r in ev if r["article_id"] == sample and r["event_code"] == "036"
               and r["source_code"] == "USAGOV" and r["target_code"] == "RUSGOV"]
arts = pq.read_table(f"{out}/articles.parquet").to_pylist()
res["published"] = {r["id"]: (r["published"].isoformat() if r["published"] else None) for r in arts}
print(json.dumps(res))
"#;
    let o = std::process::Command::new("python3")
        .args(["-c", script, out.to_str().unwrap(), sample])
        .output()
        .expect("python3 runs");
    assert!(o.status.success(), "pyarrow failed to read the export: {}", String::from_utf8_lossy(&o.stderr));
    let res: Value = serde_json::from_slice(&o.stdout).unwrap();
    for t in TABLES {
        assert_eq!(res[t]["rows"].as_u64().unwrap() as usize, rows[t], "pyarrow: {t} rows");
        let fields = res[t]["fields"].as_array().unwrap();
        assert_eq!(fields.len(), schema[t].len(), "pyarrow: {t} columns");
        for (f, (name, ty, nullable)) in fields.iter().zip(&schema[t]) {
            let arrow = match ty.as_str() {
                "STRING" => "string",
                "INT64" => "int64",
                "DOUBLE" => "double",
                "BOOLEAN" => "bool",
                "DATE" => "date32[day]",
                "TIMESTAMP(MICROS, UTC)" => "timestamp[us, tz=UTC]",
                x => panic!("undocumented type {x}"),
            };
            assert_eq!(f[0].as_str(), Some(name.as_str()));
            assert_eq!(f[1].as_str(), Some(arrow), "pyarrow: {t}.{name}");
            assert_eq!(f[2].as_bool(), Some(*nullable), "pyarrow: {t}.{name} nullability");
        }
    }
    let meet = res["meet"].as_array().unwrap();
    assert!(
        meet.iter().any(|m| m["date"] == "2025-08-15" && m["place"] == "Alaska" && m["modality"] == "announced"),
        "pyarrow: the sample's 036 event: {meet:?}"
    );
    let published = res["published"].as_object().unwrap();
    assert_eq!(published.len(), rows["articles"]);
    assert!(published.values().any(|p| p.as_str().is_some_and(|p| p.starts_with("2025-08-") && p.ends_with("+00:00"))));
    eprintln!("pyarrow check passed");
}

#[test]
fn bad_out_paths_fail_with_exit_2_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    ingest_examples(s);

    // An existing file: refused, untouched.
    let file = dir.path().join("not-a-folder.parquet");
    std::fs::write(&file, b"keep me").unwrap();
    let (code, err) = export_parquet(s, &file);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(file.to_str().unwrap()) && err.contains("not a folder"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");

    // A folder that cannot be created (its parent is a file).
    let under = file.join("sub");
    let (code, err) = export_parquet(s, &under);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(under.to_str().unwrap()), "{err}");

    // No --out at all.
    let (code, _, err) = run(&["export", "--format", "parquet", "--store", s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out"), "{err}");

    // A folder that cannot be written into (not as root: root writes anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("read-only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), b"").is_ok() {
            eprintln!("SKIPPED read-only folder case: running with permission to write anyway (root)");
        } else {
            let (code, err) = export_parquet(s, &ro);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains(ro.to_str().unwrap()), "{err}");
            assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0, "nothing left in {}", ro.display());
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // An export over an earlier one replaces its files and leaves no temporary names.
    let out = dir.path().join("pq");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("events.parquet"), b"stale").unwrap();
    let (code, err) = export_parquet(s, &out);
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(out.join("events.parquet")).unwrap(), b"stale");
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with('.')));
}
