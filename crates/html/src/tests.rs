//! Unit tests with small hand-written fixtures.

use crate::{extract, ExtractOptions, HtmlError};

const P1: &str = "The city council voted on Tuesday to approve the new budget, which increases spending on parks, schools and public transport by a significant margin.";
const P2: &str = "Opponents argued that the plan relies on optimistic revenue forecasts, and said they would push for an independent review before the money is spent.";
const P3: &str = "The mayor, who proposed the budget in the spring, called the vote a turning point for the city and promised quarterly reports on progress.";

fn page(head: &str, body: &str) -> String {
    format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>")
}

fn article(inner: &str) -> String {
    format!("<div class=\"article-body\"><p>{P1}</p>{inner}<p>{P2}</p><p>{P3}</p></div>")
}

fn body_of(html: &str, opts: &ExtractOptions) -> String {
    extract(html, opts).map(|e| e.body_text()).unwrap_or_default()
}

#[test]
fn boilerplate_is_dropped() {
    // (name, fragment placed around/inside the article, text that must not survive)
    let cases: &[(&str, String, &str)] = &[
        ("nav", format!("<nav><ul><li><a href=/a>World news section</a></li></ul></nav>{}", article("")), "World news section"),
        ("footer", format!("{}<footer><p>Copyright Example Media Group, all rights reserved worldwide.</p></footer>", article("")), "Copyright"),
        ("header", format!("<header><div>Example Media breaking bulletin of the day</div></header>{}", article("")), "bulletin"),
        (
            "related links",
            article("<div class=\"related-articles\"><h3>Related</h3><ul><li><a href=/x>Budget talks stall again as deadline nears</a></li><li><a href=/y>Parks department faces audit over spending</a></li></ul></div>"),
            "deadline nears",
        ),
        ("share bar", article("<div class=\"share-tools\"><a href=#>Share on Facebook</a> <a href=#>Share on Twitter</a></div>"), "Facebook"),
        (
            "newsletter box",
            article("<div class=\"newsletter-signup\"><p>Get the morning briefing delivered to your inbox every single weekday.</p></div>"),
            "morning briefing",
        ),
        ("ad", article("<div class=\"ad-container\"><p>Advertisement</p></div>"), "Advertisement"),
        ("script", article("<script>var secretTracking = 'should never appear in text';</script>"), "secretTracking"),
        ("style", article("<style>.x{color:red}</style>"), "color"),
        ("hidden", article("<div style=\"display: none\">Hidden promotional text for crawlers only.</div>"), "crawlers"),
        ("byline", format!("<div class=\"byline\">By Jane Reporter, Staff Writer</div>{}", article("")), "Jane"),
        (
            "comments",
            format!("{}<section id=\"comments\"><p>Great article, I completely agree with every word of it, thanks!</p></section>", article("")),
            "Great article",
        ),
        (
            "cookie notice",
            format!("<div class=\"cookie-banner\"><p>We use cookies to improve your experience on our website, by continuing you agree.</p></div>{}", article("")),
            "cookies",
        ),
    ];
    for (name, body, bad) in cases {
        let html = page("<title>Budget approved</title>", body);
        let text = body_of(&html, &ExtractOptions::default());
        assert!(text.contains(P1) && text.contains(P2) && text.contains(P3), "{name}: lost article text: {text:?}");
        assert!(!text.contains(bad), "{name}: kept {bad:?}: {text:?}");
    }
}

#[test]
fn captions_dropped_by_default_kept_with_option() {
    let html = page(
        "",
        &article("<figure><img src=a.jpg><figcaption>Council members gather before the vote in City Hall.</figcaption></figure>"),
    );
    let text = body_of(&html, &ExtractOptions::default());
    assert!(!text.contains("Council members gather"), "{text}");
    let text = body_of(&html, &ExtractOptions { include_captions: true, ..Default::default() });
    assert!(text.contains("Council members gather"), "{text}");
}

#[test]
fn comments_kept_with_option() {
    let html = page(
        "",
        &format!(
            "<div class=\"article-body\"><p>{P1}</p><p>{P2}</p><div class=\"comment-list\"><p>{P3}</p></div></div>"
        ),
    );
    assert!(!body_of(&html, &ExtractOptions::default()).contains(P3));
    assert!(body_of(&html, &ExtractOptions { include_comments: true, ..Default::default() }).contains(P3));
}

#[test]
fn headings_lists_quotes_marked_and_kept() {
    let html = page(
        "<title>Budget approved - Example News</title>",
        &format!(
            "<article><h1>Budget approved</h1><p>{P1}</p><h2>What changes</h2><ul><li>More money for parks and green spaces across town.</li><li>Longer opening hours at public libraries.</li></ul><blockquote><p>This is the best budget in a decade, the mayor said.</p></blockquote><p>{P2}</p><p>{P3}</p></article>"
        ),
    );
    let e = extract(&html, &ExtractOptions::default()).unwrap();
    let texts: Vec<(&str, bool)> = e.blocks.iter().map(|b| (b.text.as_str(), b.heading)).collect();
    assert_eq!(
        texts,
        vec![
            (P1, false),
            ("What changes", true),
            ("More money for parks and green spaces across town.", false),
            ("Longer opening hours at public libraries.", false),
            ("This is the best budget in a decade, the mayor said.", false),
            (P2, false),
            (P3, false),
        ]
    );
    assert_eq!(e.title.as_deref(), Some("Budget approved"));
}

#[test]
fn source_offsets_point_at_block_text() {
    let html = page(
        "",
        &format!("<div class=\"story\"><p>{P1}</p>\n  <p>\n   <b>Bold</b> start {P2}</p><p>A &amp; B: {P3}</p></div>"),
    );
    let e = extract(&html, &ExtractOptions::default()).unwrap();
    for b in &e.blocks {
        let first_word: String = b.text.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(html[b.source_offset..].starts_with(&first_word), "{:?} at {}", b.text, b.source_offset);
    }
}

#[test]
fn metadata_from_meta_tags() {
    let head = r#"<title>Budget approved | Example News</title>
        <meta property="og:title" content="Budget approved">
        <meta property="og:site_name" content="Example News">
        <meta property="og:image" content="/img/budget.jpg">
        <meta property="og:url" content="https://news.example.com/budget">
        <meta name="description" content="The council approved the budget.">
        <meta name="author" content="Jane Reporter and John Writer">
        <meta property="article:published_time" content="2024-03-05T10:15:00-05:00">"#;
    let html = page(head, &article(""));
    let opts = ExtractOptions { url: Some("https://news.example.com/budget?utm=x".into()), ..Default::default() };
    let e = extract(&html, &opts).unwrap();
    assert_eq!(e.title.as_deref(), Some("Budget approved"));
    assert_eq!(e.site_name.as_deref(), Some("Example News"));
    assert_eq!(e.image_url.as_deref(), Some("https://news.example.com/img/budget.jpg"));
    assert_eq!(e.canonical_url.as_deref(), Some("https://news.example.com/budget"));
    assert_eq!(e.description.as_deref(), Some("The council approved the budget."));
    assert_eq!(e.authors, vec!["Jane Reporter", "John Writer"]);
    assert_eq!(e.language.as_deref(), Some("en"));
    let p = e.published.unwrap();
    assert_eq!(p.time.to_rfc3339(), "2024-03-05T10:15:00-05:00");
    assert!(p.zone_stated);
}

#[test]
fn metadata_from_json_ld() {
    // (case, JSON-LD, expected headline, authors, published, image)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            "plain NewsArticle, author array",
            r#"{"@context":"https://schema.org","@type":"NewsArticle","headline":"Budget approved",
               "datePublished":"2024-03-05T15:15:00Z","image":["https://img.example.com/1.jpg"],
               "author":[{"@type":"Person","name":"Jane Reporter"},{"@type":"Person","name":"John Writer"}],
               "publisher":{"@type":"Organization","name":"Example News"}}"#,
            "Budget approved",
            &["Jane Reporter", "John Writer"],
            "2024-03-05T15:15:00+00:00",
            "https://img.example.com/1.jpg",
        ),
        (
            "@graph with WebPage and Article",
            r#"{"@context":"https://schema.org","@graph":[
                {"@type":"WebPage","name":"Example page name","datePublished":"2020-01-01"},
                {"@type":["Article"],"headline":"Graph headline","datePublished":"2024-03-05T15:15:00+01:00",
                 "author":{"@type":"Person","name":"Solo Author"},"image":{"@type":"ImageObject","url":"https://img.example.com/2.jpg"}}]}"#,
            "Graph headline",
            &["Solo Author"],
            "2024-03-05T15:15:00+01:00",
            "https://img.example.com/2.jpg",
        ),
        (
            "top-level array, string author",
            r#"[{"@type":"BlogPosting","headline":"Array headline","datePublished":"2024-03-05","author":"Ann Blogger","image":"https://img.example.com/3.jpg"}]"#,
            "Array headline",
            &["Ann Blogger"],
            "2024-03-05T00:00:00+00:00",
            "https://img.example.com/3.jpg",
        ),
    ];
    for (name, ld, headline, authors, published, image) in cases {
        let head = format!("<script type=\"application/ld+json\">{ld}</script>");
        let e = extract(&page(&head, &article("")), &ExtractOptions::default()).unwrap();
        assert_eq!(e.title.as_deref(), Some(*headline), "{name}");
        assert_eq!(e.authors, authors.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{name}");
        assert_eq!(e.published.map(|p| p.time.to_rfc3339()).as_deref(), Some(*published), "{name}");
        assert_eq!(e.image_url.as_deref(), Some(*image), "{name}");
    }
}

#[test]
fn json_ld_body_corrects_container_choice() {
    // The DOM scorer would prefer the long teaser list; the JSON-LD body says otherwise.
    let teasers: String = (0..12)
        .map(|i| {
            format!(
                "<p>Teaser number {i}, with commas, many commas, and more commas, about some other story entirely.</p>"
            )
        })
        .collect();
    let ld = format!(r#"{{"@type":"NewsArticle","headline":"H","articleBody":"{P1} {P2} {P3}"}}"#);
    let html = page(
        &format!("<script type=\"application/ld+json\">{ld}</script>"),
        &format!("<div class=\"x\"><div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div><div class=\"y\">{teasers}</div>"),
    );
    let text = body_of(&html, &ExtractOptions::default());
    assert!(text.contains(P1) && text.contains(P3), "{text}");
    assert!(!text.contains("Teaser number"), "{text}");
}

#[test]
fn time_element_and_url_dates() {
    let html = page("", &format!("<time datetime=\"2023-07-08T09:10:11+02:00\">8 July</time>{}", article("")));
    let e = extract(&html, &ExtractOptions::default()).unwrap();
    assert_eq!(e.published.unwrap().time.to_rfc3339(), "2023-07-08T09:10:11+02:00");

    let html = page("", &article(""));
    let opts = ExtractOptions {
        url: Some("https://news.example.com/2022/01/31/budget-approved/".into()),
        ..Default::default()
    };
    let p = extract(&html, &opts).unwrap().published.unwrap();
    assert_eq!(p.time.to_rfc3339(), "2022-01-31T00:00:00+00:00");
    assert!(!p.zone_stated);
}

#[test]
fn language_fallbacks() {
    let html = format!(
        "<html><head><meta property=\"og:locale\" content=\"pt_BR\"></head><body>{}</body></html>",
        article("")
    );
    assert_eq!(extract(&html, &ExtractOptions::default()).unwrap().language.as_deref(), Some("pt-BR"));
}

#[test]
fn broken_and_truncated_html() {
    let full = page("<title>T</title>", &article("<ul><li>One item in a list of things</li></ul>"));
    // Every prefix must be handled without panicking; long-enough ones still yield text.
    for cut in (0..full.len()).step_by(7) {
        let mut end = cut;
        while !full.is_char_boundary(end) {
            end -= 1;
        }
        let _ = extract(&full[..end], &ExtractOptions::default());
    }
    let cut = full.find(P2).unwrap() + 40;
    let text = body_of(&full[..cut], &ExtractOptions::default());
    assert!(text.contains(P1), "{text}");

    // Unclosed tags, stray end tags, mis-nesting.
    let messy = format!(
        "<html><body><div class=article-body><p>{P1}<p>{P2}</div></span></b><p><b><i>{P3}</b></i><div><table><td>"
    );
    let text = body_of(&messy, &ExtractOptions::default());
    assert!(text.contains(P1) && text.contains(P2) && text.contains(P3), "{text}");
}

#[test]
fn rejects_non_html() {
    let cases: &[(&str, String)] = &[
        ("empty", String::new()),
        ("whitespace", "   \n\t ".into()),
        ("binary junk", String::from_utf8_lossy(&(0u8..=255).cycle().take(4000).collect::<Vec<_>>()).into_owned()),
        ("nul bytes", "\0\0\0\u{1}\u{2}<p>\0\0\0\0\0\0\0\0".into()),
        ("plain text", "Just some plain text, no markup at all.".into()),
    ];
    for (name, input) in cases {
        match extract(input, &ExtractOptions::default()) {
            Err(HtmlError::NotHtml(_)) => {}
            other => panic!("{name}: expected NotHtml, got {other:?}"),
        }
    }
}

#[test]
fn no_text_found() {
    for html in ["<html><body></body></html>", "<html><body><nav><a href=/>Home</a></nav></body></html>", "<p>"] {
        match extract(html, &ExtractOptions::default()) {
            Err(HtmlError::NoText) => {}
            other => panic!("{html}: expected NoText, got {other:?}"),
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let html = format!("<html><body>{}<p>{P1}</p></body></html>", "<div>".repeat(3_000));
    assert!(body_of(&html, &ExtractOptions::default()).contains(P1));
}

#[test]
fn script_cutting_keeps_json_ld_and_maps_offsets_back() {
    let html = "<script>if (a < b) { x = '</p>'; }</script><SCRIPT type=\"application/ld+json\">{}</SCRIPT><style>p{}</style><p>x</p>";
    let (b, cuts) = crate::dom::strip_scripts(html);
    assert!(b.contains("{}</SCRIPT>"));
    assert!(!b.contains("x = "));
    assert!(b.ends_with("<style></style><p>x</p>"));
    // Every byte after the last cut maps back by the bytes cut before it.
    let (at, cut) = *cuts.last().unwrap();
    assert_eq!(&html[at as usize + cut as usize..], &b[at as usize..]);
    assert_eq!(cuts.len(), 2);
}

#[test]
fn block_offsets_point_into_the_page_after_cut_scripts() {
    let html = format!(
        "<html><body><script>{}</script><article><p>{P1}</p><style>.a{{}}</style><p>{P2}</p></article></body></html>",
        "var x = 1;".repeat(500)
    );
    let ex = crate::extract(&html, &ExtractOptions::default()).unwrap();
    for b in &ex.blocks {
        let at = b.source_offset;
        let head: String = b.text.trim().chars().take(20).collect();
        assert!(html[at..].starts_with(&head), "block {head:?} maps to {:?}", &html[at..at + 20]);
    }
}
