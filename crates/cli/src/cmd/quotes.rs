//! `newsgraph eval quotes`: attributions (quotes) on PolNeAR's brat layout.
use anyhow::{Context, Result};
use newsgraph_engine::Pipeline;
use newsgraph_eval::quotes::{
    gold_conventions, read_polnear, score, Article, Attribution, CharIndex, GoldConventions, Kind, KindReport,
    QuoteErrors, QuotesReport, Shown, Spans,
};
use newsgraph_ingest::{IngestOptions, Source};
use newsgraph_model::{Document, QuoteKind, Span};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The article as `ingest` makes it from a `.txt` file (title line, headings and
/// trailer handled as for any plain-text article).
fn ingest_text(name: &str, text: &str) -> Option<Document> {
    let src = Source::from_bytes(&format!("{name}.txt"), text.as_bytes().to_vec(), None, &IngestOptions::default());
    match src.documents().next() {
        Some(Ok(doc)) => Some(doc),
        Some(Err(e)) => {
            eprintln!("newsgraph: {name}: {e}");
            None
        }
        None => None,
    }
}

fn to_chars(doc: &Document, ix: &CharIndex, s: Span) -> Option<(usize, usize)> {
    let a = ix.char_of(doc.source_map.to_source(s.start as usize)?);
    let b = ix.char_of(doc.source_map.to_source(s.end as usize)?);
    (a < b).then_some((a, b))
}

/// The document's quotes as attributions in character offsets of the original text.
fn predictions(doc: &Document, ix: &CharIndex) -> Vec<Attribution> {
    let spans = |v: &[Span]| -> Option<Spans> {
        let out: Spans = v.iter().filter_map(|&s| to_chars(doc, ix, s)).collect();
        (!out.is_empty()).then_some(out)
    };
    doc.layers
        .quotes
        .iter()
        .filter_map(|q| {
            let content = if q.parts.is_empty() { spans(&[q.content])? } else { spans(&q.parts)? };
            Some(Attribution {
                content,
                source: q.source.and_then(|s| spans(&[s])),
                cue: q.cue.and_then(|s| spans(&[s])),
                speaker_mentions: q
                    .speaker
                    .map(|e| {
                        doc.layers
                            .mentions
                            .iter()
                            .filter(|m| m.entity == Some(e))
                            .filter_map(|m| spans(&[m.span]))
                            .collect()
                    })
                    .unwrap_or_default(),
                kind: match q.kind {
                    QuoteKind::Direct => Kind::Direct,
                    QuoteKind::Partial | QuoteKind::Indirect | QuoteKind::Mixed => Kind::Indirect,
                },
            })
        })
        .collect()
}

pub fn eval(dir: &Path, json: bool, report: Option<&Path>) -> Result<ExitCode> {
    let articles = read_polnear(dir).with_context(|| format!("cannot read PolNeAR folder {}", dir.display()))?;
    let pipeline = Pipeline::standard();
    let mut docs = Vec::with_capacity(articles.len());
    let mut body_start = Vec::with_capacity(articles.len());
    for a in &articles {
        let ix = CharIndex::new(&a.text);
        let doc = ingest_text(&a.name, &a.text);
        body_start.push(doc.as_ref().and_then(|d| d.source_map.to_source(0)).map_or(0, |b| ix.char_of(b)));
        docs.push(doc);
    }
    let present: Vec<Document> = docs.iter().flatten().cloned().collect();
    let mut done = pipeline.process_batch(present).into_iter();
    let mut predicted = Vec::with_capacity(articles.len());
    for (a, d) in articles.iter().zip(&docs) {
        predicted.push(match d {
            Some(_) => {
                let doc = done.next().expect("one annotated document per ingested one");
                predictions(&doc, &CharIndex::new(&a.text))
            }
            None => Vec::new(),
        });
    }
    let triples: Vec<(&str, &[Attribution], &[Attribution])> =
        articles.iter().zip(&predicted).map(|(a, p)| (a.text.as_str(), &a.gold[..], &p[..])).collect();
    let (r, errors) = score(&triples);
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", table(&r));
    }
    if let Some(path) = report {
        // Gold contents that end before the ingested body starts (in a title line).
        let in_title: usize = articles
            .iter()
            .zip(&body_start)
            .map(|(a, &b)| a.gold.iter().filter(|g| g.content.last().is_some_and(|x| x.1 <= b)).count())
            .sum();
        let md = markdown(&r, dir, &articles, &errors, &gold_conventions(&articles), in_title);
        std::fs::write(path, md).with_context(|| format!("cannot write report {}", path.display()))?;
        eprintln!("newsgraph: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn table(r: &QuotesReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "documents {}", r.documents);
    let _ = writeln!(
        s,
        "{:<10} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "", "gold", "pred", "cont P", "cont R", "cont F1", "exact F1", "src F1", "cue F1", "speaker", "spk ent"
    );
    for (name, k) in [("all", &r.all), ("direct", &r.direct), ("indirect", &r.indirect)] {
        let c = &k.content_overlap;
        let _ = writeln!(
            s,
            "{:<10} {:>6} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            name,
            k.gold_attributions,
            k.predicted_attributions,
            c.precision,
            c.recall,
            k.content_f1,
            k.content_exact_f1,
            k.source_f1,
            k.cue_f1,
            k.speaker_accuracy,
            k.speaker_entity_accuracy
        );
    }
    let conf: Vec<String> = r.kind_confusion.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        s,
        "kinds of matched contents (gold->predicted): {}",
        if conf.is_empty() { "-".into() } else { conf.join(", ") }
    );
    s
}

fn md_escape(t: &str) -> String {
    t.replace('|', "\\|").replace('\n', " ")
}

fn clip(t: &str, n: usize) -> String {
    if t.chars().count() <= n {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(n).collect::<String>())
    }
}

fn shown_row(articles: &[Article], x: &Shown) -> String {
    format!(
        "| {} | {} | {} | {} | {} |",
        md_escape(&clip(&articles[x.doc].name, 40)),
        x.kind.name(),
        md_escape(&clip(&x.content, 160)),
        md_escape(x.cue.as_deref().unwrap_or("")),
        md_escape(x.source.as_deref().unwrap_or(""))
    )
}

fn kind_rows(s: &mut String, r: &QuotesReport) {
    let _ = writeln!(
        s,
        "| attributions | gold | predicted | content P | content R | content F1 (overlap) | content F1 (exact) | source F1 | cue F1 | speaker accuracy | speaker (entity) |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, k) in [("all", &r.all), ("direct", &r.direct), ("indirect", &r.indirect)] {
        let c = &k.content_overlap;
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} ({}/{}) | {:.3} ({}/{}) |",
            k.gold_attributions,
            k.predicted_attributions,
            c.precision,
            c.recall,
            k.content_f1,
            k.content_exact_f1,
            k.source_f1,
            k.cue_f1,
            k.speaker_accuracy,
            k.speaker_correct,
            k.speaker_total,
            k.speaker_entity_accuracy,
            k.speaker_entity_correct,
            k.speaker_total
        );
    }
}

fn counts_rows(s: &mut String, r: &QuotesReport) {
    let _ = writeln!(s, "| measure | kind | gold | predicted | gold matched | predicted matched | P | R | F1 |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    let kinds: [(&str, &KindReport); 3] = [("all", &r.all), ("direct", &r.direct), ("indirect", &r.indirect)];
    for (m, get) in [
        ("content (overlap)", (|k: &KindReport| k.content_overlap.clone()) as fn(&KindReport) -> _),
        ("content (exact)", |k: &KindReport| k.content_exact.clone()),
        ("source", |k: &KindReport| k.source.clone()),
        ("cue", |k: &KindReport| k.cue.clone()),
    ] {
        for (name, k) in kinds {
            let p = get(k);
            let _ = writeln!(
                s,
                "| {m} | {name} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
                p.gold, p.predicted, p.gold_matched, p.predicted_matched, p.precision, p.recall, p.f1
            );
        }
    }
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "0 %".into()
    } else {
        format!("{:.0} %", 100.0 * a as f64 / b as f64)
    }
}

fn conventions(s: &mut String, g: &GoldConventions) {
    let n = g.attributions;
    let _ = writeln!(s, "## What the gold looks like (PolNeAR conventions)\n");
    let _ = writeln!(s, "| convention | count | share |\n|---|---|---|");
    let rows: Vec<(&str, usize, usize)> = vec![
        ("attributions (with a content)", n, n),
        ("direct (≥ 99 % of the content's letters inside quotation marks)", g.direct, n),
        ("indirect (reported speech, partial and mixed quotes)", g.indirect, n),
        ("direct: content span starts with the quotation mark", g.direct_starting_with_mark, g.direct),
        ("direct: content span ends with the quotation mark", g.direct_ending_with_mark, g.direct),
        ("direct: ends `,”` (comma kept inside)", g.direct_ending_comma_mark, g.direct),
        ("direct: ends `.”`", g.direct_ending_period_mark, g.direct),
        ("direct: no source", g.direct_without_source, g.direct),
        ("direct: source is a pronoun", g.direct_pronoun_sources, g.direct),
        ("direct: source after the content (“…,” he said)", g.direct_source_after_content, g.direct),
        ("indirect: content starts with \"that\"", g.indirect_starting_that, g.indirect),
        ("indirect: \"that \" just before the content (left out)", g.indirect_after_that, g.indirect),
        ("indirect: content ends with . ! ?", g.indirect_ending_punct, g.indirect),
        ("indirect: content followed by `.` (left out)", g.indirect_followed_by_period, g.indirect),
        ("content in several fragments", g.discontinuous, n),
        ("content of several sentences", g.multi_sentence, n),
        ("direct: content of several sentences", g.direct_multi_sentence, g.direct),
        ("content across paragraphs", g.multi_paragraph, n),
        ("cue before the content", g.cue_before_content, n),
        ("no source", g.without_source, n),
        ("no cue", g.without_cue, n),
        ("source is a pronoun", g.pronoun_sources, n),
        ("source after the content", g.source_after_content, n),
    ];
    for (what, a, b) in rows {
        let _ = writeln!(s, "| {what} | {a} | {} |", pct(a, b));
    }
    let list =
        |v: &[(String, usize)]| v.iter().map(|(t, c)| format!("{} ({c})", md_escape(t))).collect::<Vec<_>>().join(", ");
    let _ = writeln!(s, "\nMost frequent cues: {}.\n", list(&g.top_cues));
    let _ = writeln!(s, "Most frequent cues of direct quotes: {}.\n", list(&g.top_direct_cues));
    let _ = writeln!(s, "Most frequent sources: {}.\n", list(&g.top_sources));
}

fn markdown(
    r: &QuotesReport,
    dir: &Path,
    articles: &[Article],
    e: &QuoteErrors,
    g: &GoldConventions,
    in_title: usize,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Quotes (attributions) on PolNeAR: {}\n", dir.display());
    let _ = writeln!(s, "Produced by `newsgraph eval quotes --polnear {} --report <this file>`.\n", dir.display());
    let _ = writeln!(
        s,
        "Each `text/*.txt` is read as `ingest` reads a plain-text article (a heading-like first line becomes the title, \
         outside the body) and run through the standard pipeline; the `quotes` layer (content `parts` when present, else \
         `content`; source; cue) is mapped back to the file's characters and compared with the first `attributions/*.ann` \
         of the article (sorted by name; two articles were annotated by all six annotators). \
         Contents match one to one by the largest overlap in letters and digits; *exact* compares spans after trimming \
         whitespace, quotation marks and punctuation at both ends and a leading \"that\". Sources and cues are matched \
         by overlap over the distinct spans. Speaker accuracy: among matched contents whose gold has a source, the share \
         whose predicted source overlaps it; *speaker (entity)* also accepts a prediction whose resolved speaker \
         entity has a mention overlapping the gold source. Gold direct = at least 99 % of the content's letters and digits inside \
         quotation marks, else indirect; predicted `direct` → direct, `partial`/`indirect`/`mixed` → indirect. \
         Per kind, recall counts the gold of that kind and precision the predictions of that kind (the matching is \
         done once over all). Rules in `crates/eval/src/quotes.rs`.\n"
    );
    let _ = writeln!(s, "Documents {}.\n", r.documents);
    kind_rows(&mut s, r);
    let conf: Vec<String> = r.kind_confusion.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        s,
        "\nKinds of matched contents (gold → predicted): {}.\n",
        if conf.is_empty() { "none".into() } else { conf.join(", ") }
    );
    let _ = writeln!(
        s,
        "Floors (issue 5, held by `crates/cli/tests/gold.rs::polnear_dev_quote_floors`): direct content overlap F1 ≥ 0.85 \
         and direct speaker accuracy ≥ 0.80; all attributions content overlap F1 ≥ 0.60.\n"
    );
    let _ = writeln!(
        s,
        "{in_title} gold attributions lie in a title line that ingest keeps out of the body (they count as missed).\n"
    );
    let _ = writeln!(s, "### Counts\n");
    counts_rows(&mut s, r);
    s.push('\n');
    conventions(&mut s, g);

    let _ = writeln!(s, "## Errors\n");
    let _ = writeln!(s, "### Most frequent cues of missed gold attributions ({} missed)\n", e.missed.len());
    let _ = writeln!(s, "| cue | missed |\n|---|---|");
    for (t, n) in e.missed_cues().iter().take(20) {
        let _ = writeln!(s, "| {} | {n} |", md_escape(t));
    }
    let _ = writeln!(s, "\n### Most frequent cues of spurious predictions ({} spurious)\n", e.spurious.len());
    let _ = writeln!(s, "| cue | spurious |\n|---|---|");
    for (t, n) in e.spurious_cues().iter().take(20) {
        let _ = writeln!(s, "| {} | {n} |", md_escape(t));
    }
    let head = "| article | kind | content | cue | source |\n|---|---|---|---|---|";
    let _ = writeln!(s, "\n### First 40 missed gold contents\n\n{head}");
    for x in e.missed.iter().take(40) {
        let _ = writeln!(s, "{}", shown_row(articles, x));
    }
    let _ = writeln!(s, "\n### First 40 spurious predicted contents\n\n{head}");
    for x in e.spurious.iter().take(40) {
        let _ = writeln!(s, "{}", shown_row(articles, x));
    }
    let _ = writeln!(
        s,
        "\n### First 30 boundary differences ({} matched contents not exact)\n\n| article | gold | predicted |\n|---|---|---|",
        e.boundary.len()
    );
    for (gx, px) in e.boundary.iter().take(30) {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            md_escape(&clip(&articles[gx.doc].name, 40)),
            md_escape(&clip(&gx.content, 140)),
            md_escape(&clip(&px.content, 140))
        );
    }
    let _ = writeln!(
        s,
        "\n### First 30 wrong speakers ({} matched contents)\n\n| article | kind | content | gold source | predicted source |\n|---|---|---|---|---|",
        e.wrong_speaker.len()
    );
    for w in e.wrong_speaker.iter().take(30) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            md_escape(&clip(&articles[w.gold.doc].name, 40)),
            w.gold.kind.name(),
            md_escape(&clip(&w.gold.content, 120)),
            md_escape(w.gold.source.as_deref().unwrap_or("")),
            md_escape(w.predicted_source.as_deref().unwrap_or("(none)"))
        );
    }
    s
}
