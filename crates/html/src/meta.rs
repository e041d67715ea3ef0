//! Page metadata: title, dates, authors, image, canonical URL, language, site name.
//!
//! Sources are tried from the most to the least deliberate: JSON-LD and OpenGraph /
//! `article:*` meta tags are written for machines, so they win over `<time>` elements,
//! bylines and the URL, which are scraped from presentation.

use crate::dom::{Data, Dom, NONE};
use crate::{ExtractOptions, PageTime};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<PageTime>,
    pub image_url: Option<String>,
    pub canonical_url: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    /// JSON-LD `articleBody`, used as a hint for the body extraction.
    pub ld_body: Option<String>,
}

/// What the JSON-LD blocks of a page say about its article.
#[derive(Debug, Default)]
struct Ld {
    headline: Option<String>,
    published: Option<String>,
    authors: Vec<String>,
    image: Option<String>,
    body: Option<String>,
    url: Option<String>,
    site: Option<String>,
    language: Option<String>,
    description: Option<String>,
}

/// Collected raw facts from one walk over the DOM.
#[derive(Default)]
struct Facts {
    html_lang: Option<String>,
    metas: Vec<(String, String)>,
    canonical: Option<String>,
    image_src: Option<String>,
    title_tag: Option<String>,
    h1: Option<String>,
    times: Vec<(bool, String)>,
    rel_authors: Vec<String>,
    bylines: Vec<String>,
    ld: Ld,
}

fn text_of(dom: &Dom, id: u32) -> String {
    let mut s = String::new();
    for d in dom.descendants(id) {
        if let Data::Text(t) = &dom.nodes[d as usize].data {
            s.push_str(&t.text);
        }
    }
    collapse(&s)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn nonempty(s: &str) -> Option<String> {
    let s = collapse(s);
    (!s.is_empty()).then_some(s)
}

pub(crate) fn extract_meta(dom: &Dom, _html: &str, opts: &ExtractOptions) -> Meta {
    let mut f = Facts::default();
    let mut id = 0u32;
    while id != NONE {
        let mut enter = true;
        if let Some(e) = dom.elem(id) {
            match &*e.local {
                "html" => f.html_lang = f.html_lang.take().or_else(|| e.attr("lang").and_then(nonempty)),
                "meta" => {
                    let key = e.attr("property").or(e.attr("name")).or(e.attr("itemprop")).or(e.attr("http-equiv"));
                    let val = e.attr("content").or(e.attr("datetime"));
                    if let (Some(k), Some(v)) = (key, val) {
                        if let Some(v) = nonempty(v) {
                            f.metas.push((k.trim().to_ascii_lowercase(), v));
                        }
                    }
                }
                "link" => {
                    let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                    let href = e.attr("href").and_then(nonempty);
                    if rel.split_whitespace().any(|r| r == "canonical") && f.canonical.is_none() {
                        f.canonical = href;
                    } else if rel == "image_src" && f.image_src.is_none() {
                        f.image_src = href;
                    }
                }
                "title" if f.title_tag.is_none() => f.title_tag = nonempty(&text_of(dom, id)),
                "h1" if f.h1.is_none() => f.h1 = nonempty(&text_of(dom, id)),
                "script" => {
                    if e.attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) {
                        parse_ld(&text_of_raw(dom, id), &mut f.ld);
                    }
                    enter = false;
                }
                "style" | "noscript" | "template" | "svg" => enter = false,
                "time" => {
                    if let Some(dt) = e.attr("datetime").and_then(nonempty) {
                        let hint = e.attr("itemprop").is_some_and(|p| p.eq_ignore_ascii_case("datePublished"))
                            || e.attr("pubdate").is_some()
                            || e.attr("class").is_some_and(|c| c.to_ascii_lowercase().contains("publish"));
                        f.times.push((hint, dt));
                    }
                }
                "a" if e
                    .attr("rel")
                    .is_some_and(|r| r.split_whitespace().any(|r| r.eq_ignore_ascii_case("author"))) =>
                {
                    if let Some(t) = nonempty(&text_of(dom, id)) {
                        f.rel_authors.push(t);
                    }
                    enter = false;
                }
                _ => {
                    let is_author = e.attr("itemprop").is_some_and(|p| p.eq_ignore_ascii_case("author"))
                        || e.attr("class").is_some_and(|c| {
                            let c = c.to_ascii_lowercase();
                            c.contains("byline__name")
                                || c.contains("author-name")
                                || c.contains("authorname")
                                || c.split_whitespace().any(|p| p == "byline" || p == "author")
                        });
                    if is_author && f.bylines.len() < 8 {
                        let t = text_of(dom, id);
                        if !t.is_empty() && t.chars().count() <= 100 {
                            f.bylines.push(t);
                        }
                        enter = false;
                    }
                }
            }
        }
        id = dom.next_in_order(0, id, enter);
    }
    build(f, opts)
}

/// Raw (uncollapsed) text of an element, for script bodies.
fn text_of_raw(dom: &Dom, id: u32) -> String {
    let mut s = String::new();
    for c in dom.children(id) {
        if let Data::Text(t) = &dom.nodes[c as usize].data {
            s.push_str(&t.text);
        }
    }
    s
}

fn meta<'a>(f: &'a Facts, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| f.metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.as_str()))
}

fn build(f: Facts, opts: &ExtractOptions) -> Meta {
    let base = opts.url.as_deref();
    let site_name = meta(&f, &["og:site_name", "application-name"]).map(str::to_string).or_else(|| f.ld.site.clone());

    let raw_title = meta(&f, &["og:title"])
        .map(str::to_string)
        .or_else(|| f.ld.headline.clone())
        .or_else(|| meta(&f, &["twitter:title", "parsely-title", "sailthru.title", "dc.title"]).map(str::to_string))
        .or_else(|| f.h1.clone())
        .or_else(|| f.title_tag.clone());
    let title = raw_title.map(|t| strip_site_suffix(&t, site_name.as_deref(), f.h1.as_deref()));

    let published = published_time(&f, base);

    let mut authors: Vec<String> = Vec::new();
    let mut add = |a: &str| {
        for name in split_authors(a) {
            if !authors.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
                authors.push(name);
            }
        }
    };
    if !f.ld.authors.is_empty() {
        f.ld.authors.iter().for_each(|a| add(a));
    } else if let Some(a) = meta(
        &f,
        &["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl", "dcterms.creator"],
    ) {
        add(a);
    } else if !f.rel_authors.is_empty() {
        f.rel_authors.iter().for_each(|a| add(a));
    } else {
        f.bylines.iter().for_each(|a| add(a));
    }

    let image_url =
        meta(&f, &["og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"])
            .map(str::to_string)
            .or_else(|| f.ld.image.clone())
            .or_else(|| f.image_src.clone())
            .map(|u| resolve(base, &u));
    let canonical_url = f
        .canonical
        .clone()
        .or_else(|| meta(&f, &["og:url"]).map(str::to_string))
        .or_else(|| f.ld.url.clone())
        .map(|u| resolve(base, &u));
    let language = f
        .html_lang
        .clone()
        .or_else(|| meta(&f, &["content-language", "language", "dc.language", "og:locale"]).map(str::to_string))
        .or_else(|| f.ld.language.clone())
        .and_then(|l| normalize_lang(&l));
    let description = meta(&f, &["og:description", "description", "twitter:description"])
        .map(str::to_string)
        .or_else(|| f.ld.description.clone());

    Meta { title, authors, published, image_url, canonical_url, language, site_name, description, ld_body: f.ld.body }
}

fn published_time(f: &Facts, base: Option<&str>) -> Option<PageTime> {
    let keys = [
        "article:published_time",
        "og:article:published_time",
        "article.published",
        "og:published_time",
        "datepublished",
        "published_time",
        "published-date",
        "publishdate",
        "publish-date",
        "publish_date",
        "pubdate",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "dcterms.issued",
        "dc.date",
        "dcterms.created",
        "dc.date.created",
        "date",
        "citation_publication_date",
        "cxenseparse:recs:publishtime",
        "release_date",
        "article:modified_time",
        "og:updated_time",
    ];
    let from_ld = f.ld.published.as_deref().and_then(parse_date);
    from_ld
        .or_else(|| keys.iter().find_map(|k| meta(f, &[k]).and_then(parse_date)))
        .or_else(|| {
            let mut times: Vec<&(bool, String)> = f.times.iter().collect();
            times.sort_by_key(|t| !t.0);
            times.into_iter().find_map(|(_, t)| parse_date(t))
        })
        .or_else(|| base.and_then(date_from_url))
}

/// Parses the date formats found in meta tags and JSON-LD.
pub(crate) fn parse_date(s: &str) -> Option<PageTime> {
    let s = s.trim();
    if s.len() < 8 {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(PageTime { time: t, zone_stated: true });
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(PageTime { time: t, zone_stated: true });
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(PageTime { time: t, zone_stated: true });
    }
    let utc = |n: NaiveDateTime| PageTime { time: Utc.from_utc_datetime(&n).fixed_offset(), zone_stated: false };
    // A trailing "Z"-less UTC marker some CMSs write.
    let s2 = s.trim_end_matches(" UTC").trim_end_matches(" GMT");
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y%m%dT%H%M%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s2, fmt) {
            return Some(utc(n));
        }
    }
    // Date only (possibly followed by junk such as a time we cannot read).
    let head = s.get(..10).unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, fmt) {
            return d.and_hms_opt(0, 0, 0).map(utc);
        }
    }
    if s.len() == 8 {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y%m%d") {
            return d.and_hms_opt(0, 0, 0).map(utc);
        }
    }
    None
}

/// `/2019/11/19/`, `/2019-11-19-slug`, `/20191119/` style dates in a URL path.
pub(crate) fn date_from_url(url: &str) -> Option<PageTime> {
    let path = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = path.find('/').map(|i| &path[i..]).unwrap_or("");
    let b = path.as_bytes();
    let num = |i: usize, n: usize| -> Option<u32> {
        let s = path.get(i..i + n)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    for i in 0..b.len() {
        if b[i] != b'/' && b[i] != b'-' && b[i] != b'_' {
            continue;
        }
        let Some(y) = num(i + 1, 4) else { continue };
        if !(1990..=2100).contains(&y) {
            continue;
        }
        let j = i + 5;
        let (m, d) = match b.get(j) {
            Some(b'/') | Some(b'-') | Some(b'_') => {
                let Some(m) = num(j + 1, 2) else { continue };
                let sep = b.get(j + 3).copied();
                let d = if matches!(sep, Some(b'/') | Some(b'-') | Some(b'_')) { num(j + 4, 2) } else { None };
                (m, d)
            }
            Some(c) if c.is_ascii_digit() => match (num(j, 2), num(j + 2, 2)) {
                (Some(m), Some(d)) if !b.get(j + 4).is_some_and(|c| c.is_ascii_digit()) => (m, Some(d)),
                _ => continue,
            },
            _ => continue,
        };
        // A year and month alone is still a useful (coarse) date; day 1 then.
        let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d.unwrap_or(1)) else { continue };
        let n = date.and_hms_opt(0, 0, 0)?;
        return Some(PageTime { time: Utc.from_utc_datetime(&n).fixed_offset(), zone_stated: false });
    }
    None
}

fn strip_site_suffix(title: &str, site: Option<&str>, h1: Option<&str>) -> String {
    let title = collapse(title);
    if let Some(h) = h1 {
        if title.len() > h.len() && title.starts_with(h) && h.split_whitespace().count() >= 3 {
            return h.to_string();
        }
    }
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · ", " » "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let tail_t = tail.trim();
            let matches_site = site.is_some_and(|s| {
                let (s, t) = (s.to_lowercase(), tail_t.to_lowercase());
                t == s || t.contains(&s) || s.contains(&t)
            });
            if matches_site
                || (tail_t.split_whitespace().count() <= 3
                    && head.split_whitespace().count() >= 3.max(tail_t.split_whitespace().count() + 1))
            {
                return head.trim().to_string();
            }
        }
    }
    title
}

fn split_authors(s: &str) -> Vec<String> {
    let s = collapse(s);
    if s.starts_with("http://") || s.starts_with("https://") {
        return Vec::new();
    }
    let s = s.trim_start_matches("By ").trim_start_matches("by ").trim_start_matches("BY ");
    s.split([',', ';', '&', '|'])
        .flat_map(|p| p.split(" and "))
        .map(|p| p.trim().trim_start_matches("By ").trim().to_string())
        .filter(|p| !p.is_empty() && p.chars().count() <= 60 && p.chars().any(|c| c.is_alphabetic()))
        .collect()
}

fn normalize_lang(l: &str) -> Option<String> {
    let l = l.split(',').next()?.trim().replace('_', "-");
    if l.is_empty() || l.len() > 20 {
        return None;
    }
    Some(l)
}

/// Resolves `u` against the page URL without a full URL parser: enough for the absolute,
/// scheme-relative and root-relative forms metadata uses.
fn resolve(base: Option<&str>, u: &str) -> String {
    let u = u.trim();
    if u.contains("://") {
        return u.to_string();
    }
    let Some(base) = base else { return u.to_string() };
    let Some((scheme, rest)) = base.split_once("://") else { return u.to_string() };
    if let Some(r) = u.strip_prefix("//") {
        return format!("{scheme}://{r}");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if u.starts_with('/') {
        return format!("{scheme}://{host}{u}");
    }
    let dir = match base.rfind('/') {
        Some(i) if i > scheme.len() + 2 => &base[..=i],
        _ => return format!("{scheme}://{host}/{u}"),
    };
    format!("{dir}{u}")
}

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "techarticle",
    "scholarlyarticle",
    "liveblogposting",
    "report",
    "socialmediaposting",
    "webpage",
];

fn parse_ld(raw: &str, ld: &mut Ld) {
    let cleaned = raw.trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
    let cleaned = cleaned.trim_start_matches("//<![CDATA[").trim_end_matches("//]]>").trim();
    let v: Value = match serde_json::from_str(cleaned) {
        Ok(v) => v,
        // Some CMSs emit raw newlines inside strings; retry with them flattened.
        Err(_) => match serde_json::from_str(&cleaned.replace(['\n', '\r', '\t'], " ")) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    let mut stack = vec![&v];
    let mut budget = 2000;
    // (object, is a real article type rather than a bare WebPage)
    let mut found: Vec<(&serde_json::Map<String, Value>, bool)> = Vec::new();
    while let Some(v) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                let types: Vec<String> = match o.get("@type") {
                    Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
                    Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).map(str::to_ascii_lowercase).collect(),
                    _ => Vec::new(),
                };
                if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                    found.push((o, !types.iter().all(|t| t == "webpage")));
                }
                if types.iter().any(|t| t == "website" || t == "organization" || t == "newsmediaorganization")
                    && ld.site.is_none()
                {
                    ld.site = o.get("name").and_then(str_of);
                }
            }
            _ => {}
        }
    }
    // Real article objects first, then WebPage; first value found wins per field.
    found.sort_by_key(|(_, strong)| !strong);
    for (o, strong) in found {
        let fill = |slot: &mut Option<String>, val: Option<String>| {
            if slot.is_none() {
                *slot = val;
            }
        };
        fill(&mut ld.headline, o.get("headline").or(o.get("name")).and_then(str_of));
        fill(&mut ld.published, o.get("datePublished").or(o.get("dateCreated")).and_then(str_of));
        fill(&mut ld.image, o.get("image").or(o.get("thumbnailUrl")).and_then(url_of));
        fill(&mut ld.url, o.get("url").or(o.get("mainEntityOfPage")).and_then(url_of));
        fill(&mut ld.language, o.get("inLanguage").and_then(str_of));
        fill(&mut ld.description, o.get("description").and_then(str_of));
        if let Some(b) = o.get("articleBody").and_then(str_of) {
            if ld.body.as_ref().is_none_or(|old| b.len() > old.len()) {
                ld.body = Some(b);
            }
        }
        if ld.site.is_none() {
            ld.site = o.get("publisher").and_then(|p| names_of(p).into_iter().next());
        }
        if strong && ld.authors.is_empty() {
            if let Some(a) = o.get("author").or(o.get("creator")) {
                ld.authors = names_of(a);
            }
        }
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => nonempty(s),
        Value::Array(a) => a.iter().find_map(str_of),
        _ => None,
    }
}

fn url_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => nonempty(s),
        Value::Array(a) => a.iter().find_map(url_of),
        Value::Object(o) => o.get("url").or(o.get("@id")).or(o.get("contentUrl")).and_then(url_of),
        _ => None,
    }
}

fn names_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => nonempty(s).into_iter().collect(),
        Value::Array(a) => a.iter().flat_map(names_of).collect(),
        Value::Object(o) => o.get("name").and_then(str_of).into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats() {
        let cases: &[(&str, Option<(&str, bool)>)] = &[
            ("2019-11-19T10:30:00Z", Some(("2019-11-19T10:30:00+00:00", true))),
            ("2019-11-19T10:30:00+01:00", Some(("2019-11-19T10:30:00+01:00", true))),
            ("2019-11-19T10:30:00.123-0500", Some(("2019-11-19T10:30:00.123-05:00", true))),
            ("2019-11-19T10:30:00", Some(("2019-11-19T10:30:00+00:00", false))),
            ("2019-11-19 10:30:00", Some(("2019-11-19T10:30:00+00:00", false))),
            ("2019-11-19", Some(("2019-11-19T00:00:00+00:00", false))),
            ("Tue, 19 Nov 2019 10:30:00 +0000", Some(("2019-11-19T10:30:00+00:00", true))),
            ("yesterday", None),
            ("", None),
        ];
        for (s, want) in cases {
            let got = parse_date(s).map(|p| (p.time.to_rfc3339(), p.zone_stated));
            assert_eq!(got, want.map(|(t, z)| (t.to_string(), z)), "{s:?}");
        }
    }

    #[test]
    fn url_dates() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://x.com/2019/11/19/some-story/", Some("2019-11-19")),
            ("https://x.com/news/2018-08-03-some-story", Some("2018-08-03")),
            ("https://x.com/a/20191119/story.html", Some("2019-11-19")),
            ("https://x.com/2019/11/story", Some("2019-11-01")),
            ("https://x.com/story-12345678901", None),
            ("https://x.com/2019/13/40/x", None),
        ];
        for (u, want) in cases {
            let got = date_from_url(u).map(|p| p.time.date_naive().to_string());
            assert_eq!(got.as_deref(), *want, "{u}");
            if let Some(p) = date_from_url(u) {
                assert!(!p.zone_stated);
            }
        }
    }

    #[test]
    fn site_suffix() {
        let cases = [
            ("Big News Today | The Daily", Some("The Daily"), None, "Big News Today"),
            ("Big News Today - Some Paper", None, None, "Big News Today"),
            ("A - B", None, None, "A - B"),
            ("Story headline here: more | Site", None, Some("Story headline here: more"), "Story headline here: more"),
        ];
        for (t, site, h1, want) in cases {
            assert_eq!(strip_site_suffix(t, site, h1), want);
        }
    }

    #[test]
    fn resolving() {
        assert_eq!(resolve(Some("https://a.com/x/y.html"), "/img.jpg"), "https://a.com/img.jpg");
        assert_eq!(resolve(Some("https://a.com/x/y.html"), "//cdn.com/i.jpg"), "https://cdn.com/i.jpg");
        assert_eq!(resolve(Some("https://a.com/x/y.html"), "i.jpg"), "https://a.com/x/i.jpg");
        assert_eq!(resolve(None, "i.jpg"), "i.jpg");
        assert_eq!(resolve(Some("https://a.com/x"), "http://b.com/i.jpg"), "http://b.com/i.jpg");
    }

    #[test]
    fn author_splitting() {
        assert_eq!(split_authors("By Jane Doe and John Roe"), vec!["Jane Doe", "John Roe"]);
        assert_eq!(split_authors("Jane Doe, John Roe"), vec!["Jane Doe", "John Roe"]);
        assert!(split_authors("https://facebook.com/someone").is_empty());
    }
}
