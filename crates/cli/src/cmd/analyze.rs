//! `newsgraph analyze`: one input → every layer, readable or JSON.
use crate::cli::InputOpts;
use anyhow::Result;
use newsgraph_engine::Pipeline;
use newsgraph_ingest::Source;
use newsgraph_model::Document;
use std::io::Write;
use std::process::ExitCode;

pub fn run(input: &str, json: bool, opts: &InputOpts) -> Result<ExitCode> {
    let options = super::ingest_options(opts);
    let pipeline = Pipeline::standard();
    let mut docs = Vec::new();
    let mut bad = 0usize;
    for r in Source::open(input, &options)? {
        match r {
            Ok(ing) => {
                for w in &ing.warnings {
                    eprintln!("newsgraph: warning: {w}");
                }
                docs.push(ing.document);
            }
            Err(e) => {
                bad += 1;
                eprintln!("newsgraph: skipped: {e}");
                if opts.strict {
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    let docs = pipeline.process_batch(docs);
    let mut out = std::io::stdout().lock();
    if json {
        match docs.as_slice() {
            [one] => writeln!(out, "{}", one.to_json_pretty())?,
            many => writeln!(out, "{}", serde_json::to_string_pretty(many)?)?,
        }
    } else {
        for d in &docs {
            write_readable(&mut out, d)?;
        }
    }
    if docs.is_empty() {
        eprintln!("newsgraph: no article found in {input}");
        return Ok(ExitCode::from(1));
    }
    Ok(if bad > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The readable view of a document: metadata, then each layer.
pub fn write_readable(out: &mut impl Write, d: &Document) -> std::io::Result<()> {
    let m = &d.meta;
    writeln!(out, "== {} ==", m.title.as_deref().unwrap_or("(untitled)"))?;
    writeln!(out, "id          {}", d.id)?;
    let field = |out: &mut dyn Write, name: &str, v: Option<&str>| -> std::io::Result<()> {
        match v {
            Some(v) => writeln!(out, "{name:<11} {v}"),
            None => Ok(()),
        }
    };
    field(out, "url", m.url.as_deref())?;
    field(out, "canonical", m.canonical_url.as_deref())?;
    field(out, "source", m.source.as_deref())?;
    if let Some(p) = &m.published {
        let basis = match p.basis {
            newsgraph_model::TimeBasis::Stated => "",
            newsgraph_model::TimeBasis::AssumedUtc => " (no zone given: UTC assumed)",
        };
        writeln!(out, "published   {}{basis}", p.time.to_rfc3339())?;
    }
    if !m.authors.is_empty() {
        writeln!(out, "authors     {}", m.authors.join("; "))?;
    }
    field(out, "language", m.language.as_deref())?;
    field(out, "image", m.image_url.as_deref())?;
    if let Some(i) = &m.input {
        let rec = i.record.map(|r| format!(" #{r}")).unwrap_or_default();
        writeln!(out, "input       {} ({}){rec}", i.origin, i.format)?;
    }
    let l = &d.layers;
    writeln!(
        out,
        "layers      {} paragraphs, {} sections, {} sentences, {} tokens, {} words",
        l.paragraphs.len(),
        m.sections.len(),
        l.sentences.len(),
        l.tokens.len(),
        d.word_count()
    )?;
    for s in &m.sections {
        writeln!(out, "section     [{}..{}] {}", s.span.start, s.span.end, s.title)?;
    }
    writeln!(out, "-- sentences --")?;
    let mut para = u32::MAX;
    for (i, s) in l.sentences.iter().enumerate() {
        if s.paragraph != para {
            para = s.paragraph;
            let heading = l.paragraphs.get(para as usize).is_some_and(|p| p.heading);
            writeln!(out, "  ¶{}{}", para + 1, if heading { " (heading)" } else { "" })?;
        }
        writeln!(out, "  {:>3} [{}..{}] {}", i + 1, s.span.start, s.span.end, d.slice(s.span))?;
    }
    write_entities(out, d)?;
    write_quotes(out, d)?;
    write_record(out, d)?;
    writeln!(out)
}

/// Amounts (with count types), themes and tone: one line per amount, one per theme, one
/// for the tone.
fn write_record(out: &mut impl Write, d: &Document) -> std::io::Result<()> {
    let l = &d.layers;
    if !l.amounts.is_empty() {
        writeln!(
            out,
            "-- amounts ({}, {} counts) --",
            l.amounts.len(),
            l.amounts.iter().filter(|a| a.count_type.is_some()).count()
        )?;
        for a in &l.amounts {
            let bound = match a.bound {
                newsgraph_model::Bound::Exact => "",
                newsgraph_model::Bound::Approximate => "≈",
                newsgraph_model::Bound::AtLeast => "≥",
                newsgraph_model::Bound::AtMost => "≤",
            };
            let value = super::gdelt::fmt_amount(a.value);
            let currency = a.currency.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
            let object = a.object.as_deref().map(|o| format!(" {o}")).unwrap_or_default();
            writeln!(
                out,
                "  {:<10} {bound}{value}{currency}{object} — {:?}",
                a.count_type.as_deref().unwrap_or("amount"),
                d.slice(a.span)
            )?;
        }
    }
    if !l.themes.is_empty() {
        writeln!(out, "-- themes ({}) --", l.themes.len())?;
        let mut order: Vec<&newsgraph_model::Theme> = l.themes.iter().collect();
        order.sort_by_key(|t| std::cmp::Reverse(t.mentions.len()));
        for t in order {
            let mut words: Vec<String> = Vec::new();
            for s in &t.mentions {
                let w = d.slice(*s).to_lowercase();
                if !words.contains(&w) {
                    words.push(w);
                }
            }
            let gkg = t.gkg.as_deref().map(|g| format!(" ({g})")).unwrap_or_default();
            writeln!(out, "  {:<22} ×{:<3} {}", format!("{}{gkg}", t.id), t.mentions.len(), words.join(", "))?;
        }
    }
    if let Some(t) = &l.tone {
        writeln!(out, "-- tone --")?;
        writeln!(
            out,
            "  tone {:+.2} (positive {:.2}%, negative {:.2}%, polarity {:.2}%), activity {:.2}%, self/group {:.2}%, {} words",
            t.tone, t.positive, t.negative, t.polarity, t.activity, t.self_group, t.word_count
        )?;
        for e in t.evidence.iter().skip(2) {
            writeln!(out, "  {e}")?;
        }
    }
    Ok(())
}

/// The quotes layer: one line per quote — kind, speaker (and who relays it), the words.
fn write_quotes(out: &mut impl Write, d: &Document) -> std::io::Result<()> {
    let l = &d.layers;
    if l.quotes.is_empty() {
        return Ok(());
    }
    let name = |e: Option<u32>| e.and_then(|e| l.entities.get(e as usize)).map(|e| e.name.as_str());
    writeln!(out, "-- quotes ({}) --", l.quotes.len())?;
    for q in &l.quotes {
        let kind = serde_json::to_value(q.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let speaker = match (name(q.speaker), q.source) {
            (Some(n), Some(s)) if d.slice(s) != n => format!("{n} (as {:?})", d.slice(s)),
            (Some(n), _) => n.to_string(),
            (None, Some(s)) => format!("{:?}", d.slice(s)),
            (None, None) => "(unknown)".to_string(),
        };
        let by = name(q.reported_by).map(|n| format!(", reported by {n}")).unwrap_or_default();
        let cue = q.cue.map(|c| format!(" [{}]", d.slice(c))).unwrap_or_default();
        writeln!(out, "  {kind:<8} {speaker}{by}{cue}: {}", d.slice(q.content))?;
    }
    Ok(())
}

/// The entities layer: one line per entity (most mentioned first) with its written forms,
/// then one line per repaired spelling with the link's confidence and evidence.
fn write_entities(out: &mut impl Write, d: &Document) -> std::io::Result<()> {
    let l = &d.layers;
    if l.entities.is_empty() {
        return Ok(());
    }
    let mut count = vec![0usize; l.entities.len()];
    for m in &l.mentions {
        if let Some(e) = m.entity {
            count[e as usize] += 1;
        }
    }
    let mut order: Vec<usize> = (0..l.entities.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(count[i]), l.entities[i].name.clone()));
    writeln!(out, "-- entities ({}, {} mentions) --", l.entities.len(), l.mentions.len())?;
    for i in order {
        let e = &l.entities[i];
        let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let geo = e.geo.as_ref().map(|g| format!(" @{:.2},{:.2}", g.lat, g.lon)).unwrap_or_default();
        writeln!(out, "  {:<34} {:<12} ×{:<3} {}{} — as {}", e.id, kind, count[i], e.name, geo, e.aliases.join(" | "))?;
    }
    for m in &l.mentions {
        let (Some(link), Some(e)) = (&m.link, m.entity) else { continue };
        if let Some(r) = &link.repaired {
            let e = &l.entities[e as usize];
            writeln!(
                out,
                "  repaired {:?} → {r} ({}, {:.2}): {}",
                d.slice(m.span),
                e.id,
                link.confidence,
                link.evidence.join("; ")
            )?;
        }
    }
    Ok(())
}
