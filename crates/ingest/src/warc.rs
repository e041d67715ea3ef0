//! WARC files (CC-NEWS style): `response` records whose HTTP payload is HTML.
//! A small streaming parser: version line, header lines to a blank line,
//! `Content-Length` bytes of block, then blank lines.
use crate::error::{ErrorKind, IngestError, Place};
use crate::html::html_article;
use crate::jsonl::read_capped_line;
use crate::{IngestOptions, Ingested};
use newsgraph_model::InputRef;
use std::io::{BufRead, Read};

pub(crate) struct WarcRecords {
    r: Box<dyn BufRead + Send>,
    origin: String,
    n: u64,
    done: bool,
}

const MAX_HEADER_LINE: usize = 64 * 1024;

impl WarcRecords {
    pub(crate) fn new(r: Box<dyn BufRead + Send>, origin: String) -> WarcRecords {
        WarcRecords { r, origin, n: 0, done: false }
    }

    fn err(&self, kind: ErrorKind) -> IngestError {
        IngestError::new(&self.origin, Place::Record(self.n.max(1)), kind)
    }

    /// The next HTML article or error; `None` at the end.
    pub(crate) fn next(&mut self, opts: &IngestOptions) -> Option<Result<Ingested, IngestError>> {
        while !self.done {
            match self.next_record(opts) {
                Ok(None) => self.done = true,
                Ok(Some(None)) => continue, // skipped record
                Ok(Some(Some(doc))) => return Some(Ok(doc)),
                Err((e, fatal)) => {
                    self.done |= fatal;
                    return Some(Err(e));
                }
            }
        }
        None
    }

    /// `Ok(None)`: end; `Ok(Some(None))`: record skipped; `Err((e, fatal))`.
    #[allow(clippy::type_complexity)]
    fn next_record(&mut self, opts: &IngestOptions) -> Result<Option<Option<Ingested>>, (IngestError, bool)> {
        let mut line = Vec::new();
        // Version line, after any blank lines.
        loop {
            match read_capped_line(&mut *self.r, MAX_HEADER_LINE, &mut line, &mut 0) {
                Ok(None) => return Ok(None),
                Ok(Some(_)) if line.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(_)) => break,
                Err(e) => return Err((self.err_next(ErrorKind::Io(e)), true)),
            }
        }
        self.n += 1;
        if !line.starts_with(b"WARC/") {
            let shown = String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned();
            return Err((
                self.err(ErrorKind::BadWarc(format!("expected a WARC/1.x version line, found {shown:?}"))),
                true,
            ));
        }
        let mut content_length: Option<u64> = None;
        let (mut wtype, mut uri) = (String::new(), None);
        loop {
            match read_capped_line(&mut *self.r, MAX_HEADER_LINE, &mut line, &mut 0) {
                Ok(None) => return Err((self.err(ErrorKind::BadWarc("record headers cut short".into())), true)),
                Ok(Some(_)) if line.is_empty() => break,
                Ok(Some(_)) => {
                    let l = String::from_utf8_lossy(&line);
                    if let Some((k, v)) = l.split_once(':') {
                        let v = v.trim();
                        match k.trim().to_ascii_lowercase().as_str() {
                            "content-length" => content_length = v.parse().ok(),
                            "warc-type" => wtype = v.to_ascii_lowercase(),
                            "warc-target-uri" => uri = Some(v.trim_matches(['<', '>']).to_string()),
                            _ => {}
                        }
                    }
                }
                Err(e) => return Err((self.err(ErrorKind::Io(e)), true)),
            }
        }
        let Some(len) = content_length else {
            return Err((self.err(ErrorKind::BadWarc("no valid Content-Length header".into())), true));
        };
        let wanted = wtype == "response";
        if !wanted || len > opts.max_record_bytes {
            // Skip the block without keeping it.
            let got = std::io::copy(&mut (&mut self.r).take(len), &mut std::io::sink())
                .map_err(|e| (self.err(ErrorKind::Io(e)), true))?;
            if got < len {
                return Err((self.err(ErrorKind::Truncated { expected: len, got }), true));
            }
            if wanted {
                return Err((self.err(ErrorKind::TooLarge { limit: opts.max_record_bytes }), false));
            }
            return Ok(Some(None));
        }
        let mut block = Vec::with_capacity(len.min(1 << 20) as usize);
        match (&mut self.r).take(len).read_to_end(&mut block) {
            Ok(_) if (block.len() as u64) < len => {
                return Err((self.err(ErrorKind::Truncated { expected: len, got: block.len() as u64 }), true))
            }
            Ok(_) => {}
            Err(e) => return Err((self.err(ErrorKind::Io(e)), true)),
        }
        let url = uri.unwrap_or_default();
        self.response(&block, &url, opts).map_err(|e| (e, false))
    }

    fn err_next(&self, kind: ErrorKind) -> IngestError {
        IngestError::new(&self.origin, Place::Record(self.n + 1), kind)
    }

    fn response(&self, block: &[u8], url: &str, opts: &IngestOptions) -> Result<Option<Option<Ingested>>, IngestError> {
        let (head_end, body_start) = match find(block, b"\r\n\r\n") {
            Some(i) => (i, i + 4),
            None => match find(block, b"\n\n") {
                Some(i) => (i, i + 2),
                None => return Err(self.err(ErrorKind::BadWarc("HTTP response without header end".into()))),
            },
        };
        let head = String::from_utf8_lossy(&block[..head_end]);
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|s| s.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| self.err(ErrorKind::BadWarc("no HTTP status line".into())))?;
        if !(200..300).contains(&status) {
            return Ok(Some(None));
        }
        let (mut ctype, mut te, mut ce) = (None, String::new(), String::new());
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-type" => ctype = Some(v.trim().to_string()),
                    "transfer-encoding" => te = v.trim().to_ascii_lowercase(),
                    "content-encoding" => ce = v.trim().to_ascii_lowercase(),
                    _ => {}
                }
            }
        }
        let mut body = std::borrow::Cow::Borrowed(&block[body_start..]);
        if te.contains("chunked") {
            if let Some(d) = dechunk(&body) {
                body = d.into();
            }
        }
        if ce == "gzip" || ce == "x-gzip" || ce == "deflate" {
            let mut out = Vec::new();
            let r: Box<dyn Read> = if ce == "deflate" {
                Box::new(flate2::read::ZlibDecoder::new(&body[..]))
            } else {
                Box::new(flate2::read::MultiGzDecoder::new(&body[..]))
            };
            r.take(opts.max_record_bytes)
                .read_to_end(&mut out)
                .map_err(|e| self.err(ErrorKind::Gzip(e.to_string())))?;
            body = out.into();
        }
        let is_html = match &ctype {
            Some(ct) => {
                let l = ct.to_ascii_lowercase();
                l.contains("text/html") || l.contains("xhtml")
            }
            None => crate::source::sniff(&body) == crate::Format::Html,
        };
        if !is_html {
            return Ok(Some(None));
        }
        let d =
            crate::decode::decode(&body, ctype.as_deref()).map_err(|e| self.err(ErrorKind::Binary(e.to_string())))?;
        let url_opt = (!url.is_empty()).then_some(url);
        let mut b = html_article(&d.text, d.bom_len, url_opt, opts, false, &self.origin, Place::Record(self.n))
            .map_err(|e| match e.kind {
                ErrorKind::NoText(s) if !url.is_empty() => self.err(ErrorKind::NoText(format!("{s} in {url}"))),
                _ => e,
            })?;
        b.meta_mut().input =
            Some(InputRef { origin: self.origin.clone(), format: "warc".into(), record: Some(self.n) });
        Ok(Some(Some(Ingested { document: b.build(), warnings: Vec::new() })))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes an HTTP chunked body; `None` if it is not well-formed chunked data.
fn dechunk(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    loop {
        let eol = find(&b[i..], b"\r\n")? + i;
        let size_str = std::str::from_utf8(&b[i..eol]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        i = eol + 2;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(i..i.checked_add(size)?)?);
        i += size + 2;
        if i > b.len() {
            return Some(out);
        }
    }
}
