//! Opening inputs (paths, folders, stdin, URLs, bytes) and iterating their documents.
use crate::error::{ErrorKind, IngestError, Place};
use crate::feed::{feed_item, parse_feed};
use crate::fetch::{fetch, is_url, Fetched};
use crate::html::html_article;
use crate::jsonl::{jsonl_record, read_capped_line};
use crate::text::parse_text_article;
use crate::warc::WarcRecords;
use crate::{IngestOptions, Ingested};
use feed_rs::model::{Entry, Feed};
use newsgraph_model::InputRef;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// The plain-text article format.
    Text,
    /// One HTML page.
    Html,
    /// RSS or Atom (or JSON Feed).
    Feed,
    /// JSON Lines, one article per line.
    Jsonl,
    /// WARC (CC-NEWS style).
    Warc,
}

impl Format {
    /// The format an extension names (`txt`, `html`, `xml`, `rss`, `atom`, `jsonl`, `warc`…).
    pub fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Format::Text,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "rss" | "atom" | "xml" | "rdf" => Format::Feed,
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "warc" => Format::Warc,
            _ => return None,
        })
    }
}

/// Guesses the format from the first bytes of a (decompressed) input.
pub fn sniff(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let head: Vec<u8> = head[start..].iter().map(u8::to_ascii_lowercase).collect();
    if head.starts_with(b"warc/1.") || head.starts_with(b"warc/0.") {
        return Format::Warc;
    }
    if head.starts_with(b"{") {
        return Format::Jsonl;
    }
    if head.starts_with(b"<") {
        let pos = |n: &[u8]| head.windows(n.len()).position(|w| w == n);
        let feed = [&b"<rss"[..], b"<feed", b"<rdf:rdf"].iter().filter_map(|n| pos(n)).min();
        let html = [&b"<html"[..], b"<!doctype html", b"<body", b"<head"].iter().filter_map(|n| pos(n)).min();
        return match (feed, html) {
            (Some(f), Some(h)) if h < f => Format::Html,
            (Some(_), _) => Format::Feed,
            (None, None) if head.starts_with(b"<?xml") => Format::Feed,
            _ => Format::Html,
        };
    }
    Format::Text
}

/// The format of a fetched response: its content sniffed, corrected by its content type (an
/// HTML type makes anything but a feed HTML; an XML, RSS or Atom type makes text a feed).
pub fn fetched_format(f: &Fetched) -> Format {
    let format = sniff(&f.body);
    let ct = f.content_type.clone().unwrap_or_default().to_ascii_lowercase();
    if ct.contains("html") && format != Format::Feed {
        Format::Html
    } else if (ct.contains("xml") || ct.contains("rss") || ct.contains("atom")) && format == Format::Text {
        Format::Feed
    } else {
        format
    }
}

enum Input {
    Path(PathBuf),
    Stdin,
    Url(String),
    Fetched { url: String, fetched: Fetched },
    Reader { name: String, reader: Box<dyn Read + Send>, content_type: Option<String> },
}

enum Current {
    Idle,
    Queue(VecDeque<Result<Ingested, IngestError>>),
    Jsonl { r: Box<dyn BufRead + Send>, origin: String, line: u64, offset: u64 },
    Warc(WarcRecords),
    Feed { entries: std::vec::IntoIter<Entry>, feed: Box<Feed>, format: String, n: u64, origin: String },
}

/// A stream of documents from one input (file, folder, `-` for stdin, URL or bytes).
///
/// Iterating yields one `Result` per article; a bad record yields an `Err` and the
/// stream goes on (in [`IngestOptions::strict`] mode, warnings become errors and the
/// stream ends after the first error). Large JSONL and WARC inputs are streamed.
pub struct Source {
    opts: IngestOptions,
    pending: VecDeque<Input>,
    current: Current,
    aborted: bool,
}

/// Extensions a folder walk passes over: media, binaries, and the documentation and code
/// files that sit beside a corpus (a file named explicitly is always read).
const SKIP_EXT: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "pdf", "zip", "7z", "exe", "so", "dll", "mp3", "mp4", "woff",
    "woff2", "ttf", "db", "sqlite", "bin", "cdx", "md", "rst", "toml", "yaml", "yml", "css", "js", "py", "sh", "lock",
];

impl Source {
    /// Opens a path (file or folder, recursively), `-` for stdin, or an http(s) URL.
    /// Folders are walked in sorted order; hidden files and folders are skipped.
    /// Fails at once for a missing path or a URL with another scheme; other problems
    /// are reported by the iterator.
    pub fn open(spec: &str, opts: &IngestOptions) -> Result<Source, IngestError> {
        let mut pending = VecDeque::new();
        if spec == "-" {
            pending.push_back(Input::Stdin);
        } else if is_url(spec) {
            let scheme = spec.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
            if scheme != "http" && scheme != "https" {
                return Err(IngestError::new(spec, Place::Whole, ErrorKind::UnsupportedScheme(scheme)));
            }
            pending.push_back(Input::Url(spec.to_string()));
        } else {
            let path = Path::new(spec);
            let md = std::fs::metadata(path).map_err(|e| IngestError::new(spec, Place::Whole, ErrorKind::Io(e)))?;
            if md.is_dir() {
                let mut files = Vec::new();
                walk(path, 0, &mut files).map_err(|e| IngestError::new(spec, Place::Whole, ErrorKind::Io(e)))?;
                pending.extend(files.into_iter().map(Input::Path));
            } else {
                pending.push_back(Input::Path(path.to_path_buf()));
            }
        }
        Ok(Source::with(pending, opts))
    }

    /// Reads from any reader; `name` is used in errors and `InputRef::origin`, and its
    /// extension (if any) as a format hint. `content_type` is an HTTP-style header value.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn Read + Send>,
        content_type: Option<&str>,
        opts: &IngestOptions,
    ) -> Source {
        let input = Input::Reader { name: name.to_string(), reader, content_type: content_type.map(str::to_string) };
        Source::with(VecDeque::from([input]), opts)
    }

    /// The documents of a response fetched from `url` (by [`fetch`]): what [`Source::open`]
    /// reads from a URL, for a caller that fetched it itself (to look at the response first,
    /// or with its own limits). Relative links resolve against the URL after redirects.
    pub fn from_fetched(url: &str, fetched: Fetched, opts: &IngestOptions) -> Source {
        Source::with(VecDeque::from([Input::Fetched { url: url.to_string(), fetched }]), opts)
    }

    /// Reads from bytes in memory (see [`Source::from_reader`]).
    pub fn from_bytes(name: &str, bytes: Vec<u8>, content_type: Option<&str>, opts: &IngestOptions) -> Source {
        Source::from_reader(name, Box::new(Cursor::new(bytes)), content_type, opts)
    }

    fn with(pending: VecDeque<Input>, opts: &IngestOptions) -> Source {
        Source { opts: opts.clone(), pending, current: Current::Idle, aborted: false }
    }

    /// Only the documents, dropping warnings (errors are still yielded).
    pub fn documents(self) -> impl Iterator<Item = Result<newsgraph_model::Document, IngestError>> {
        self.map(|r| r.map(|i| i.document))
    }

    fn next_from_current(&mut self) -> Option<Result<Ingested, IngestError>> {
        let opts = &self.opts;
        match &mut self.current {
            Current::Idle => None,
            Current::Queue(q) => q.pop_front(),
            Current::Warc(w) => w.next(opts),
            Current::Feed { entries, feed, format, n, origin } => {
                let e = entries.next()?;
                *n += 1;
                Some(feed_item(&e, feed, format, *n, origin, opts))
            }
            Current::Jsonl { r, origin, line, offset } => {
                let mut buf = Vec::new();
                loop {
                    *line += 1;
                    let place = Place::Line(*line);
                    let max = opts.max_record_bytes.min(usize::MAX as u64) as usize;
                    let line_start = *offset;
                    match read_capped_line(&mut **r, max, &mut buf, offset) {
                        Ok(None) => return None,
                        Ok(Some(true)) => {
                            return Some(Err(IngestError::new(
                                origin.as_str(),
                                place,
                                ErrorKind::TooLarge { limit: opts.max_record_bytes },
                            )))
                        }
                        Ok(Some(false)) if buf.iter().all(u8::is_ascii_whitespace) => continue,
                        Ok(Some(false)) => return Some(jsonl_record(&buf, *line, line_start, origin, opts)),
                        Err(e) => {
                            let err = IngestError::new(origin.as_str(), place, ErrorKind::Io(e));
                            self.current = Current::Idle;
                            return Some(Err(err));
                        }
                    }
                }
            }
        }
    }

    fn open_input(&mut self, input: Input) -> Current {
        let one = |r: Result<Ingested, IngestError>| Current::Queue(VecDeque::from([r]));
        let (name, reader, content_type): (String, Box<dyn Read + Send>, Option<String>) = match input {
            Input::Stdin => ("-".into(), Box::new(std::io::stdin()), None),
            Input::Path(p) => {
                let name = p.display().to_string();
                match std::fs::File::open(&p) {
                    Ok(f) => (name, Box::new(f), None),
                    Err(e) => return one(Err(IngestError::new(name, Place::Whole, ErrorKind::Io(e)))),
                }
            }
            Input::Reader { name, reader, content_type } => (name, reader, content_type),
            Input::Url(url) => {
                return match fetch(&url, &self.opts.fetch) {
                    Err(e) => one(Err(e)),
                    Ok(f) => {
                        let format = fetched_format(&f);
                        self.whole(&url, f.body, format, f.content_type.as_deref(), Some(&f.final_url))
                    }
                };
            }
            Input::Fetched { url, fetched: f } => {
                let format = fetched_format(&f);
                return self.whole(&url, f.body, format, f.content_type.as_deref(), Some(&f.final_url));
            }
        };
        let err = |k| IngestError::new(name.as_str(), Place::Whole, k);
        // Peek, un-gzip if needed, peek again.
        let (prefix, reader) = match peek(reader) {
            Ok(x) => x,
            Err(e) => return one(Err(err(ErrorKind::Io(e)))),
        };
        let (prefix, reader) = if prefix.starts_with(&[0x1f, 0x8b]) {
            let gz: Box<dyn Read + Send> =
                Box::new(flate2::read::MultiGzDecoder::new(Cursor::new(prefix).chain(reader)));
            match peek(gz) {
                Ok(x) => x,
                Err(e) => return one(Err(err(ErrorKind::Gzip(e.to_string())))),
            }
        } else {
            (prefix, reader)
        };
        if prefix.iter().all(u8::is_ascii_whitespace) {
            return one(Err(err(ErrorKind::Empty)));
        }
        let lower = name.to_ascii_lowercase();
        let inner = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = Path::new(inner).extension().and_then(|e| e.to_str()).unwrap_or("");
        let sniffed = sniff(&prefix);
        let format = match Format::from_extension(ext) {
            // Strong content signatures beat a misleading `.txt`.
            Some(Format::Text) if matches!(sniffed, Format::Warc | Format::Html | Format::Feed) => sniffed,
            Some(f) => f,
            None => sniffed,
        };
        let reader: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
        match format {
            Format::Jsonl => Current::Jsonl {
                r: Box::new(BufReader::with_capacity(1 << 16, reader)),
                origin: name,
                line: 0,
                offset: 0,
            },
            Format::Warc => Current::Warc(WarcRecords::new(Box::new(BufReader::with_capacity(1 << 16, reader)), name)),
            _ => {
                let mut bytes = Vec::new();
                let limit = self.opts.max_record_bytes;
                if let Err(e) = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
                    let kind = if lower.ends_with(".gz") || e.kind() == std::io::ErrorKind::InvalidInput {
                        ErrorKind::Gzip(e.to_string())
                    } else {
                        ErrorKind::Io(e)
                    };
                    return one(Err(err(kind)));
                }
                if bytes.len() as u64 > limit {
                    return one(Err(err(ErrorKind::TooLarge { limit })));
                }
                self.whole(&name, bytes, format, content_type.as_deref(), None)
            }
        }
    }

    /// A whole-file input: text, HTML or feed.
    fn whole(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        format: Format,
        content_type: Option<&str>,
        url: Option<&str>,
    ) -> Current {
        let one = |r: Result<Ingested, IngestError>| Current::Queue(VecDeque::from([r]));
        let err = |k| IngestError::new(name, Place::Whole, k);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return one(Err(err(ErrorKind::Empty)));
        }
        if format == Format::Feed {
            return match parse_feed(&bytes, name, url) {
                Ok((format, entries, feed)) => Current::Feed {
                    entries: entries.into_iter(),
                    feed: Box::new(feed),
                    format,
                    n: 0,
                    origin: name.to_string(),
                },
                Err(e) => one(Err(e)),
            };
        }
        let d = match crate::decode::decode(&bytes, content_type) {
            Ok(d) => d,
            Err(crate::decode::DecodeError::Binary(why)) => return one(Err(err(ErrorKind::Binary(why)))),
        };
        drop(bytes);
        let base = if d.encoding == "UTF-8" { d.bom_len } else { 0 };
        let mut warnings = Vec::new();
        let (built, fmt) = match format {
            Format::Html => (html_article(&d.text, base, url, &self.opts, false, name, Place::Whole), "html"),
            _ => (parse_text_article(&d.text, base, name, &mut warnings), "text"),
        };
        one(built.map(|mut b| {
            let m = b.meta_mut();
            if m.url.is_none() {
                m.url = url.map(str::to_string);
            }
            if m.source.is_none() {
                m.source = m.url.as_deref().and_then(crate::html::url_host);
            }
            m.input = Some(InputRef { origin: name.to_string(), format: fmt.into(), record: None });
            Ingested { document: b.build(), warnings }
        }))
    }

    fn finish(&mut self, r: Result<Ingested, IngestError>) -> Result<Ingested, IngestError> {
        let r = match r {
            Ok(mut i) if self.opts.strict && !i.warnings.is_empty() => Err(i.warnings.swap_remove(0)),
            r => r,
        };
        if r.is_err() && self.opts.strict {
            self.aborted = true;
        }
        r
    }
}

impl Iterator for Source {
    type Item = Result<Ingested, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.aborted {
                return None;
            }
            if let Some(r) = self.next_from_current() {
                return Some(self.finish(r));
            }
            let input = self.pending.pop_front()?;
            self.current = self.open_input(input);
        }
    }
}

/// Reads up to 8 KiB to look at, returning them and the rest of the reader.
fn peek(mut r: Box<dyn Read + Send>) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut buf = vec![0; 8192];
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(n);
    Ok((buf, r))
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        let Ok(md) = std::fs::metadata(&p) else { continue };
        if md.is_dir() {
            walk(&p, depth + 1, out)?;
        } else if md.is_file() {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if !SKIP_EXT.contains(&ext.as_str()) {
                out.push(p);
            }
        }
    }
    Ok(())
}
