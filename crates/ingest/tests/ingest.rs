//! Integration tests: every format, and bad input of every kind.
use newsgraph_ingest::*;
use newsgraph_model::{Document, TimeBasis};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn opts() -> IngestOptions {
    IngestOptions::default()
}

fn all(spec: &str, o: &IngestOptions) -> Vec<Result<Ingested, IngestError>> {
    Source::open(spec, o).unwrap().collect()
}

fn docs_and_errors(spec: &str, o: &IngestOptions) -> (Vec<Document>, Vec<IngestError>) {
    let mut d = Vec::new();
    let mut e = Vec::new();
    for r in all(spec, o) {
        match r {
            Ok(x) => d.push(x.document),
            Err(x) => e.push(x),
        }
    }
    (d, e)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

// ---------- plain text ----------

#[test]
fn sample_article() {
    let path = fixture("alaska-summit.txt");
    let input = std::fs::read_to_string(&path).unwrap();
    let items = all(path.to_str().unwrap(), &opts());
    assert_eq!(items.len(), 1);
    let x = items.into_iter().next().unwrap().unwrap();
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let doc = x.document;
    doc.validate().unwrap();
    let p = doc.meta.published.unwrap();
    assert_eq!(p.time.to_rfc3339(), "2025-08-08T23:04:25+00:00");
    assert_eq!(p.basis, TimeBasis::AssumedUtc);
    assert!(doc.meta.image_url.as_deref().unwrap().starts_with("https://i.cbc.ca/1.7604988"));
    let titles: Vec<&str> = doc.meta.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Intense battles continue", "Putin makes calls"]);
    assert_eq!(doc.meta.title, None, "the first line is a sentence, not a title");
    assert!(!doc.text().contains("2025-08-08"));
    assert!(!doc.text().contains("i.cbc.ca"));
    let input_ref = doc.meta.input.as_ref().unwrap();
    assert_eq!(input_ref.format, "text");
    assert!(input_ref.origin.ends_with("alaska-summit.txt"));
    // Every paragraph maps back to its line in the input bytes.
    for para in &doc.layers.paragraphs {
        let t = doc.slice(para.span);
        let src = doc.source_map.to_source(para.span.start as usize).unwrap();
        let first_word = t.split(' ').next().unwrap();
        assert!(input[src..].starts_with(first_word), "{t:?} maps to {:?}", &input[src..src + 20]);
    }
    let sec = &doc.meta.sections[1];
    let src = doc.source_map.to_source(sec.span.start as usize).unwrap();
    assert!(input[src..].starts_with("Putin makes calls\n"));
}

#[test]
fn title_and_iso_timestamp() {
    let text =
        "Summit set for Alaska\nTrump will meet Putin.\nMore details\nThey will talk.\n2025-08-08T23:04:25-04:00\n";
    let doc = Source::from_bytes("t.txt", text.into(), None, &opts()).documents().next().unwrap().unwrap();
    assert_eq!(doc.meta.title.as_deref(), Some("Summit set for Alaska"));
    assert!(!doc.text().contains("Summit set"));
    assert_eq!(doc.meta.sections.len(), 1);
    let p = doc.meta.published.unwrap();
    assert_eq!(p.basis, TimeBasis::Stated);
    assert_eq!(p.time.to_rfc3339(), "2025-08-08T23:04:25-04:00");
}

#[test]
fn malformed_timestamp_is_a_warning_then_strict_error() {
    let path = fixture("bad-timestamp.txt");
    let spec = path.to_str().unwrap();
    let items = all(spec, &opts());
    let x = items.into_iter().next().unwrap().unwrap();
    assert_eq!(x.document.meta.published, None);
    assert!(!x.document.text().contains("2025-13-45"), "not swallowed as body");
    assert_eq!(x.warnings.len(), 1);
    let w = x.warnings[0].to_string();
    assert!(w.contains("bad-timestamp.txt:3: malformed timestamp \"2025-13-45 99:00:00\""), "{w}");

    let strict = IngestOptions { strict: true, ..opts() };
    let items = all(spec, &strict);
    assert_eq!(items.len(), 1);
    let e = items.into_iter().next().unwrap().unwrap_err();
    assert_eq!(e.place, Place::Line(3));
    assert!(matches!(e.kind, ErrorKind::BadTimestamp { .. }));

    // Minute precision is malformed too, and named.
    let x = Source::from_bytes("m.txt", b"Body text here.\n2025-08-08 23:04\n".to_vec(), None, &opts())
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(x.document.meta.published, None);
    assert!(x.warnings[0].to_string().starts_with("m.txt:2: malformed timestamp"), "{}", x.warnings[0]);
}

#[test]
fn missing_timestamp_is_fine() {
    let x = Source::from_bytes("n.txt", b"Just one paragraph.\n".to_vec(), None, &opts()).next().unwrap().unwrap();
    assert!(x.warnings.is_empty());
    assert_eq!(x.document.meta.published, None);
    assert_eq!(x.document.text(), "Just one paragraph.");
}

#[test]
fn empty_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.txt", b"");
    let (d, e) = docs_and_errors(&p, &opts());
    assert!(d.is_empty());
    assert_eq!(e.len(), 1);
    assert!(e[0].to_string().starts_with(&p) && e[0].to_string().contains("empty input"), "{}", e[0]);
    let p = write(dir.path(), "blank.txt", b"  \n\n \r\n");
    let (_, e) = docs_and_errors(&p, &opts());
    assert!(matches!(e[0].kind, ErrorKind::Empty));
}

#[test]
fn binary_junk_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let p = write(dir.path(), "junk.txt", &junk);
    let (d, e) = docs_and_errors(&p, &opts());
    assert!(d.is_empty());
    let msg = e[0].to_string();
    assert!(msg.starts_with(&p) && msg.contains("binary data"), "{msg}");
    // Mostly control characters, no NUL.
    let ctrl: Vec<u8> = (0..2000).map(|i| if i % 3 == 0 { b'a' } else { 1 + (i % 7) as u8 }).collect();
    assert!(matches!(decode(&ctrl, None), Err(DecodeError::Binary(_))));
}

// ---------- encodings ----------

#[test]
fn encodings() {
    // BOM
    let d = decode(b"\xEF\xBB\xBFcaf\xC3\xA9", None).unwrap();
    assert_eq!((d.text.as_str(), d.detected_by, d.bom_len), ("café", DetectedBy::Bom, 3));
    // HTTP header charset
    let d = decode(b"caf\xE9", Some("text/html; charset=ISO-8859-1")).unwrap();
    assert_eq!((d.text.as_str(), d.detected_by), ("café", DetectedBy::HttpHeader));
    // Lying charset: declared UTF-8, bytes are windows-1252.
    let html = b"<html><head><meta charset=\"utf-8\"></head><body><p>Le caf\xE9 de la gar\xE7on \x93quoted\x94 \x96 d\xE9j\xE0 vu, tr\xE8s \xE9l\xE9gant na\xEFve.</p></body></html>";
    let d = decode(html, None).unwrap();
    assert_eq!(d.encoding, "windows-1252");
    assert_eq!(d.detected_by, DetectedBy::Sniffed);
    assert!(d.text.contains("café") && d.text.contains("“quoted”"), "{}", d.text);
    // Same lie in the HTTP header.
    let d = decode(&html[..], Some("text/html; charset=utf-8")).unwrap();
    assert!(d.text.contains("déjà"));
    // Shift_JIS declared in meta.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS
        .encode("<html><head><meta charset=\"Shift_JIS\"></head><body><p>日本語のニュース記事です。</p></body></html>");
    let d = decode(&sjis, None).unwrap();
    assert_eq!((d.encoding, d.detected_by), ("Shift_JIS", DetectedBy::Declared));
    assert!(d.text.contains("日本語のニュース記事です。"));
    // KOI8-R declared with http-equiv.
    let (koi, _, _) = encoding_rs::KOI8_R.encode("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"></head><body><p>Путин встретится с Трампом на Аляске.</p></body></html>");
    let d = decode(&koi, None).unwrap();
    assert_eq!(d.encoding, "KOI8-R");
    assert!(d.text.contains("Путин встретится"));
    // Undeclared: valid UTF-8, then sniffing.
    assert_eq!(decode("Путин".as_bytes(), None).unwrap().detected_by, DetectedBy::ValidUtf8);
    let (cp1251, _, _) =
        encoding_rs::WINDOWS_1251.encode("Президент России Владимир Путин прилетит на Аляску в пятницу.");
    let d = decode(&cp1251, None).unwrap();
    assert_eq!(d.encoding, "windows-1251");
    assert!(d.text.contains("Владимир Путин"));
    // Declared legacy but really UTF-8.
    let d = decode("<meta charset=\"iso-8859-1\"><p>déjà vu</p>".as_bytes(), None).unwrap();
    assert!(d.text.contains("déjà vu"));
}

#[test]
fn windows_1252_text_file_declared_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "w.txt", b"Le caf\xE9 est ferm\xE9 aujourd\x92hui, d\xE9clare le g\xE9rant.\n");
    let doc = Source::open(&p, &opts()).unwrap().documents().next().unwrap().unwrap();
    assert_eq!(doc.text(), "Le café est fermé aujourd’hui, déclare le gérant.");
}

// ---------- JSONL ----------

#[test]
fn jsonl_good_and_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let body = concat!(
        r#"{"url":"https://www.cbc.ca/news/a","title":"A title","text":"First paragraph.\nSecond paragraph.","published":"2025-08-08T23:04:25Z","image":"https://i.cbc.ca/x.jpg","source":"CBC","language":"en","authors":["Jane Doe","John Roe"]}"#,
        "\n",
        "this is not json\n",
        "\n",
        r#"{"url":"https://example.com/b","title":"No body"}"#,
        "\n",
        r#"{"text":"Fragment body.","published":"yesterday-ish","authors":"A. One, B. Two"}"#,
        "\n",
        r#"{"html":"<p>From html fragment &amp; more.</p>","published":"2025-08-08 23:04:25"}"#,
        "\n",
    );
    let p = write(dir.path(), "data/x.jsonl", body.as_bytes());
    let items = all(&p, &opts());
    assert_eq!(items.len(), 5);
    let a = items[0].as_ref().unwrap();
    let d = &a.document;
    assert_eq!(d.text(), "First paragraph.\n\nSecond paragraph.");
    assert_eq!(d.meta.title.as_deref(), Some("A title"));
    assert_eq!(d.meta.source.as_deref(), Some("CBC"));
    assert_eq!(d.meta.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(d.meta.published.unwrap().basis, TimeBasis::Stated);
    assert_eq!(d.meta.image_url.as_deref(), Some("https://i.cbc.ca/x.jpg"));
    let ir = d.meta.input.as_ref().unwrap();
    assert_eq!((ir.format.as_str(), ir.record), ("jsonl", Some(1)));

    let e = items[1].as_ref().unwrap_err().to_string();
    assert!(e.starts_with(&format!("{p}:2: not JSON: expected ")), "{e}");
    let e = items[2].as_ref().unwrap_err();
    assert_eq!(e.place, Place::Line(4));
    assert!(e.to_string().contains("neither \"text\" nor \"html\""), "{e}");

    let x = items[3].as_ref().unwrap();
    assert_eq!(x.document.meta.authors, ["A. One", "B. Two"]);
    assert_eq!(x.document.meta.published, None);
    assert!(x.warnings[0].to_string().starts_with(&format!("{p}:5: malformed timestamp")), "{}", x.warnings[0]);

    let x = items[4].as_ref().unwrap();
    assert_eq!(x.document.text(), "From html fragment & more.");
    assert_eq!(x.document.meta.published.unwrap().basis, TimeBasis::AssumedUtc);
    assert_eq!(x.document.meta.input.as_ref().unwrap().record, Some(6));

    // Strict: stops at the first error.
    let strict = IngestOptions { strict: true, ..opts() };
    let items = all(&p, &strict);
    assert_eq!(items.len(), 2);
    assert!(items[1].is_err());
}

#[test]
fn jsonl_line_too_long() {
    let o = IngestOptions { max_record_bytes: 100, ..opts() };
    let big = format!("{{\"text\":\"{}\"}}\n{{\"text\":\"ok.\"}}\n", "x".repeat(500));
    let items: Vec<_> = Source::from_bytes("big.jsonl", big.into_bytes(), None, &o).collect();
    assert_eq!(items.len(), 2);
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.to_string(), "big.jsonl:1: too large: more than 100 bytes (max_record_bytes)");
    assert!(items[1].is_ok());
}

// ---------- folders, gzip, stdin ----------

#[test]
fn folder_recursive_sorted_hidden_skipped_gz() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "b.txt", b"Second file body.\n");
    write(d, "a.txt", b"First file body.\n");
    write(d, "sub/c.jsonl", b"{\"text\":\"Third.\"}\n{\"text\":\"Fourth.\"}\n");
    write(d, "sub/d.txt.gz", &gzip(b"Fifth, gzipped.\n"));
    write(d, "sub/e", &gzip(b"{\"text\":\"Sixth, gzip by magic.\"}\n"));
    write(d, ".hidden.txt", b"Hidden.\n");
    write(d, ".git/x.txt", b"Hidden dir.\n");
    let (docs, errs) = docs_and_errors(d.to_str().unwrap(), &opts());
    assert!(errs.is_empty(), "{errs:?}");
    let texts: Vec<&str> = docs.iter().map(|d| d.text()).collect();
    assert_eq!(
        texts,
        ["First file body.", "Second file body.", "Third.", "Fourth.", "Fifth, gzipped.", "Sixth, gzip by magic."]
    );
    let origins: Vec<String> = docs.iter().map(|d| d.meta.input.as_ref().unwrap().origin.clone()).collect();
    assert!(origins[4].ends_with("d.txt.gz") && origins[5].ends_with("sub/e"));
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip("Body text of a gzipped article. ".repeat(200).as_bytes());
    let p = write(dir.path(), "cut.txt.gz", &gz[..gz.len() / 2]);
    let (d, e) = docs_and_errors(&p, &opts());
    assert!(d.is_empty());
    assert!(e[0].to_string().starts_with(&p), "{}", e[0]);
}

#[test]
fn missing_path_and_bad_scheme_fail_at_open() {
    let e = Source::open("/nonexistent/newsgraph/x.txt", &opts()).err().unwrap();
    assert!(e.to_string().starts_with("/nonexistent/newsgraph/x.txt: cannot read"), "{e}");
    let e = Source::open("ftp://example.com/feed.xml", &opts()).err().unwrap();
    assert_eq!(e.to_string(), "ftp://example.com/feed.xml: unsupported URL scheme \"ftp\" (only http and https)");
}

/// Runs this test binary again with stdin piped, to test `-`.
#[test]
fn stdin_dash() {
    if std::env::var("NEWSGRAPH_STDIN_CHILD").is_ok() {
        let docs: Vec<_> = Source::open("-", &opts()).unwrap().documents().collect();
        for d in docs {
            let d = d.unwrap();
            println!("DOC {} {}", d.meta.input.as_ref().unwrap().format, d.text());
        }
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .args(["--exact", "stdin_dash", "--nocapture", "--test-threads=1"])
        .env("NEWSGRAPH_STDIN_CHILD", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gzip(b"{\"text\":\"From stdin.\"}\n{\"text\":\"Again.\"}\n")).unwrap();
    let out = child.wait_with_output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("DOC jsonl From stdin.") && s.contains("DOC jsonl Again."), "{s}");
}

// ---------- size limits ----------

#[test]
fn hundred_mb_text_file_is_too_large_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    let line = "A very long article keeps going and going with the same sentence.\n".repeat(1000);
    let mut n = 0;
    while n < 100 * 1024 * 1024 {
        f.write_all(line.as_bytes()).unwrap();
        n += line.len();
    }
    f.flush().unwrap();
    drop(f);
    let t = std::time::Instant::now();
    let (d, e) = docs_and_errors(p.to_str().unwrap(), &opts());
    assert!(d.is_empty());
    let msg = e[0].to_string();
    assert!(msg.starts_with(p.to_str().unwrap()) && msg.contains("too large: more than 33554432 bytes"), "{msg}");
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
}

#[test]
fn hundred_mb_jsonl_streams() {
    // 100 MB of JSONL, mostly in a few big (but allowed) records so debug builds stay fast;
    // memory stays around one record, not the file.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.jsonl.gz");
    let mut f = flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::fast());
    let small = "{\"text\":\"Small record.\"}\n";
    let big =
        format!("{{\"title\":\"Big\",\"junk\":\"{}\",\"text\":\"Big record.\"}}\n", "z".repeat(10 * 1024 * 1024 - 60));
    let mut n = 0usize;
    let mut lines = 0;
    while n < 100 * 1024 * 1024 {
        f.write_all(big.as_bytes()).unwrap();
        for _ in 0..1000 {
            f.write_all(small.as_bytes()).unwrap();
        }
        n += big.len() + 1000 * small.len();
        lines += 1001;
    }
    f.finish().unwrap();
    let t = std::time::Instant::now();
    let mut count = 0;
    for r in Source::open(p.to_str().unwrap(), &opts()).unwrap() {
        r.unwrap();
        count += 1;
    }
    assert_eq!(count, lines);
    eprintln!("100 MB JSONL: {count} docs in {:?}", t.elapsed());
}

// ---------- feeds ----------

#[test]
fn rss_feed_items() {
    let path = fixture("feed.rss");
    let items = all(path.to_str().unwrap(), &opts());
    assert_eq!(items.len(), 3);
    let d = &items[0].as_ref().unwrap().document;
    assert_eq!(d.meta.title.as_deref(), Some("Trump and Putin to meet in Alaska"));
    assert_eq!(d.meta.url.as_deref(), Some("https://news.example.com/world/alaska-summit"));
    assert_eq!(d.meta.published.unwrap().time.to_rfc3339(), "2025-08-08T23:04:25+00:00");
    assert_eq!(d.meta.image_url.as_deref(), Some("https://img.example.com/alaska.jpg"));
    assert_eq!(d.meta.source.as_deref(), Some("Example News"));
    assert!(d.text().contains("Vladimir Putin in Alaska.") && d.text().contains("battles & more."), "{}", d.text());
    assert!(!d.text().contains("<p>"));
    let ir = d.meta.input.as_ref().unwrap();
    assert_eq!((ir.format.as_str(), ir.record), ("rss", Some(1)));
    let d2 = &items[1].as_ref().unwrap().document;
    assert_eq!(d2.text(), "Only a summary with markup.");
    let e = items[2].as_ref().unwrap_err();
    assert_eq!(e.place, Place::Item(3));
    assert!(e.to_string().contains("feed.rss: item 3: no article text"), "{e}");
}

#[test]
fn atom_feed() {
    let path = fixture("feed.atom");
    let (docs, errs) = docs_and_errors(path.to_str().unwrap(), &opts());
    assert!(errs.is_empty(), "{errs:?}");
    let d = &docs[0];
    assert_eq!(d.text(), "The summit was announced on Friday.");
    assert_eq!(d.meta.authors, ["John Roe"]);
    assert_eq!(d.meta.url.as_deref(), Some("https://atom.example.org/a1"));
    assert_eq!(d.meta.published.unwrap().time.timestamp(), 1754726400);
    assert_eq!(d.meta.input.as_ref().unwrap().format, "atom");
}

#[test]
fn feed_that_is_not_xml() {
    let path = fixture("not-a-feed.xml");
    let (d, e) = docs_and_errors(path.to_str().unwrap(), &opts());
    assert!(d.is_empty());
    let msg = e[0].to_string();
    assert!(msg.contains("not-a-feed.xml: not a valid RSS/Atom feed"), "{msg}");
}

// ---------- HTML ----------

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Summit in Alaska</title>\
<meta property=\"og:site_name\" content=\"Example News\"></head><body><article><h1>Summit in Alaska</h1>\
<p>US President Donald Trump said he will meet Russian President Vladimir Putin next Friday in Alaska to discuss the end of the war in Ukraine.</p>\
<p>The Kremlin has not yet confirmed the details Trump has announced on social media, but both countries said they expected a meeting soon.</p>\
<p>Such a summit may be a major step in a war that began more than three years ago when Russia invaded its western neighbour.</p>\
</article></body></html>";

#[test]
fn html_page() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "page.html", PAGE.as_bytes());
    let (docs, errs) = docs_and_errors(&p, &opts());
    assert!(errs.is_empty(), "{errs:?}");
    let d = &docs[0];
    assert!(d.text().contains("Vladimir Putin next Friday in Alaska"));
    assert_eq!(d.meta.input.as_ref().unwrap().format, "html");
    let para = d.layers.paragraphs.iter().find(|p| d.slice(p.span).starts_with("The Kremlin")).unwrap();
    let src = d.source_map.to_source(para.span.start as usize).unwrap();
    assert!(PAGE[src..].starts_with("The Kremlin"));
}

#[test]
fn broken_and_truncated_html_do_not_panic_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cut = &PAGE[..PAGE.len() / 2];
    for (name, bytes) in [
        ("cut.html", cut.as_bytes().to_vec()),
        ("tags.html", b"<html><body><<<p>>><div <p>unclosed <b><i>text</html".to_vec()),
        ("nothing.html", b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>".to_vec()),
    ] {
        let p = write(dir.path(), name, &bytes);
        for r in all(&p, &opts()) {
            match r {
                Ok(x) => x.document.validate().unwrap(),
                Err(e) => assert!(e.to_string().starts_with(&p), "{e}"),
            }
        }
    }
    let p = write(dir.path(), "nothing2.html", b"<html><body><script>x</script></body></html>");
    let (_, e) = docs_and_errors(&p, &opts());
    assert!(e[0].to_string().starts_with(&format!("{p}: no article text")), "{}", e[0]);
}

// ---------- WARC ----------

fn warc_record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2025-08-09T00:00:00Z\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(ctype: &str, body: &[u8]) -> Vec<u8> {
    let mut r =
        format!("HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    r.extend_from_slice(body);
    r
}

fn warc_file(cut_last: bool) -> Vec<u8> {
    warc_records_list(cut_last).concat()
}

#[allow(clippy::vec_init_then_push)]
fn warc_records_list(cut_last: bool) -> Vec<Vec<u8>> {
    let ru = PAGE.replace("Vladimir Putin", "Владимир Путин");
    let (koi, _, _) = encoding_rs::KOI8_R.encode(&ru);
    let mut w = Vec::new();
    w.push(warc_record("warcinfo", "", b"software: test\r\n"));
    w.push(warc_record("request", "https://news.example.com/a", b"GET /a HTTP/1.1\r\n\r\n"));
    w.push(warc_record(
        "response",
        "https://news.example.com/a",
        &http_response("text/html; charset=utf-8", PAGE.as_bytes()),
    ));
    w.push(warc_record("response", "https://news.example.com/img.png", &http_response("image/png", b"\x89PNG....")));
    w.push(warc_record("response", "https://news.example.com/ru", &http_response("text/html; charset=koi8-r", &koi)));
    let last = warc_record("response", "https://news.example.com/c", &http_response("text/html", PAGE.as_bytes()));
    if cut_last {
        w.push(last[..last.len() - 300].to_vec());
    } else {
        w.push(last);
    }
    w
}

#[test]
fn warc_records() {
    let dir = tempfile::tempdir().unwrap();
    // Multi-member gzip: one member per record, as CC-NEWS writes.
    let plain = warc_file(false);
    let p = write(dir.path(), "news.warc", &plain);
    let (docs, errs) = docs_and_errors(&p, &opts());
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0].meta.url.as_deref(), Some("https://news.example.com/a"));
    assert_eq!(docs[0].meta.input.as_ref().unwrap().record, Some(3));
    assert!(docs[1].text().contains("Владимир Путин"));
    let mut gz = Vec::new();
    for rec in warc_records_list(false) {
        gz.extend(gzip(&rec));
    }
    let p = write(dir.path(), "news.warc.gz", &gz);
    let (docs2, _) = docs_and_errors(&p, &opts());
    assert_eq!(docs2.len(), 3);
}

#[test]
fn warc_record_cut_short_keeps_earlier_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = Vec::new();
    let w = warc_file(true);
    // Two gzip members: multi-member files must be read through.
    let mid = w.len() / 3;
    gz.extend(gzip(&w[..mid]));
    gz.extend(gzip(&w[mid..]));
    let p = write(dir.path(), "cut.warc.gz", &gz);
    let items = all(&p, &opts());
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.place, Place::Record(6));
    assert!(last.to_string().starts_with(&format!("{p}: record 6: record cut short: expected")), "{last}");
    // The earlier HTML records were read (as documents, or as extraction errors naming their record).
    assert_eq!(items.len(), 3);
    for r in &items[..2] {
        match r {
            Ok(x) => assert_eq!(x.document.meta.input.as_ref().unwrap().format, "warc"),
            Err(e) => assert!(matches!(e.place, Place::Record(3 | 5)), "{e}"),
        }
    }
}

#[test]
fn not_a_warc() {
    let items: Vec<_> = Source::from_bytes("x.warc", b"HELLO/1.0\r\n\r\n".to_vec(), None, &opts()).collect();
    let e = items[0].as_ref().unwrap_err();
    assert!(
        e.to_string().starts_with("x.warc: record 1: malformed WARC record: expected a WARC/1.x version line"),
        "{e}"
    );
}

// ---------- URLs ----------

/// Serves `responses` (path → (content type, body)) on 127.0.0.1 for `n` connections.
fn serve(responses: Vec<(&'static str, &'static str, Vec<u8>)>, n: usize) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            s.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            r.read_line(&mut first).ok();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                    break;
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
            let resp = responses.iter().find(|(p, _, _)| *p == path);
            let out = match resp {
                Some((_, ct, body)) => {
                    let mut o = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    o.extend_from_slice(body);
                    o
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            s.write_all(&out).ok();
        }
    });
    format!("http://{addr}")
}

#[test]
fn url_feed_and_errors() {
    let rss = std::fs::read(fixture("feed.rss")).unwrap();
    let base = serve(vec![("/feed", "application/rss+xml", rss)], 2);
    let (docs, errs) = docs_and_errors(&format!("{base}/feed"), &opts());
    assert_eq!(docs.len(), 2);
    assert_eq!(errs.len(), 1);
    assert_eq!(docs[0].meta.input.as_ref().unwrap().origin, format!("{base}/feed"));
    let (_, errs) = docs_and_errors(&format!("{base}/missing"), &opts());
    assert_eq!(errs[0].to_string(), format!("{base}/missing: HTTP status 404"));
}

#[test]
fn url_html_page() {
    let base = serve(vec![("/a", "text/html; charset=utf-8", PAGE.as_bytes().to_vec())], 1);
    let (docs, errs) = docs_and_errors(&format!("{base}/a"), &opts());
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(docs[0].meta.url.as_deref(), Some(format!("{base}/a").as_str()));
    assert_eq!(docs[0].meta.input.as_ref().unwrap().format, "html");
}

#[test]
fn url_that_does_not_answer() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/feed.xml");
    let o = IngestOptions {
        fetch: FetchOptions { connect_timeout: std::time::Duration::from_secs(2), ..FetchOptions::default() },
        ..opts()
    };
    let (d, e) = docs_and_errors(&url, &o);
    assert!(d.is_empty());
    let msg = e[0].to_string();
    assert!(msg.starts_with(&format!("{url}: fetch failed:")), "{msg}");
}

#[test]
fn html_files_with_lying_and_legacy_charsets() {
    let dir = tempfile::tempdir().unwrap();
    let body = "<p>Le caf\u{e9} de la gare a \u{e9}t\u{e9} ferm\u{e9} vendredi, a d\u{e9}clar\u{e9} le g\u{e9}rant \u{e0} la presse locale.</p>\
<p>Les habitu\u{e9}s du quartier regrettent d\u{e9}j\u{e0} ce lieu tr\u{e8}s appr\u{e9}ci\u{e9} depuis plus de trente ans.</p>";
    // windows-1252 bytes, declared UTF-8.
    let page = format!("<!doctype html><html><head><meta charset=\"utf-8\"><title>Caf\u{e9}</title></head><body><article>{body}</article></body></html>");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    let p = write(dir.path(), "lying.html", &bytes);
    let (docs, errs) = docs_and_errors(&p, &opts());
    assert!(errs.is_empty(), "{errs:?}");
    assert!(docs[0].text().contains("Le café de la gare a été fermé"), "{}", docs[0].text());
    // Shift_JIS declared in meta.
    let page = "<!doctype html><html><head><meta charset=\"Shift_JIS\"></head><body><article>\
<p>トランプ大統領は来週金曜日にアラスカでプーチン大統領と会談すると発表した。ウクライナでの戦争終結について協議する見通しだ。</p>\
<p>クレムリンはまだ詳細を確認していないが、両国とも会談が行われることを期待していると述べた。</p></article></body></html>";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(page);
    let p = write(dir.path(), "sjis.html", &bytes);
    let (docs, errs) = docs_and_errors(&p, &opts());
    assert!(errs.is_empty(), "{errs:?}");
    assert!(docs[0].text().contains("アラスカでプーチン大統領"), "{}", docs[0].text());
}

/// A response fetched by the caller reads as `Source::open` reads a URL: the format from the
/// content and the content type, relative links against the URL after redirects.
#[test]
fn fetched_responses_read_like_urls() {
    let feed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/feed.xml")).unwrap();
    let fetched = |body: &[u8], ct: &str| Fetched {
        final_url: "https://feeds.example/world/rss".into(),
        content_type: Some(ct.into()),
        body: body.to_vec(),
    };
    assert_eq!(fetched_format(&fetched(&feed, "application/rss+xml")), Format::Feed);
    assert_eq!(fetched_format(&fetched(b"<p>Hello</p>", "text/html")), Format::Html);
    assert_eq!(fetched_format(&fetched(b"Plain words.", "text/plain")), Format::Text);
    assert_eq!(fetched_format(&fetched(b"<rss version=\"2.0\"></rss>", "text/html")), Format::Feed);
    let docs: Vec<Document> =
        Source::from_fetched("https://feeds.example/rss", fetched(&feed, "application/rss+xml"), &opts())
            .documents()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(docs.len(), 3);
    let input = docs[0].meta.input.as_ref().unwrap();
    assert_eq!(
        (input.origin.as_str(), input.format.as_str(), input.record),
        ("https://feeds.example/rss", "rss", Some(1))
    );
    assert!(docs[0].meta.title.as_deref().unwrap().starts_with("Alaska summit ends"));
}
