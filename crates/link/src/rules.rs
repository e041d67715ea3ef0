//! Mentions a sequence tagger misses, nationality groups, and roles attached to persons.
use crate::{link, Ctx, Target, Work};
use newsgraph_kb::{Kb, NameKind};
use newsgraph_model::{EntityType, Mention, Span};
use std::collections::{HashMap, HashSet};

/// Which tokens lie inside a mention.
pub(crate) fn covered(ctx: &Ctx, work: &[Work]) -> Vec<bool> {
    let mut cov = vec![false; ctx.toks.len()];
    for w in work {
        let (a, b) = ctx.tok_range(w.mention.span);
        for c in &mut cov[a..b] {
            *c = true;
        }
    }
    cov
}

/// Cleans the tagger's mentions before linking: a capitalized mention ends before its first
/// quote mark or lower-case word that is not a name connector ("XI “expressed support…" →
/// "XI", "West after Moscow" → "West"); a person mention loses its leading titles to its
/// role ("US President Donald Trump" → "Donald Trump").
pub fn trim(ctx: &Ctx, work: &mut Vec<Work>) {
    let lex = ctx.lex;
    work.retain_mut(|w| {
        let (a, b) = ctx.tok_range(w.mention.span);
        if a >= b || !ctx.toks[a].cap {
            return a < b;
        }
        let bad = |t: &crate::Tok| {
            !t.text.chars().any(char::is_alphanumeric) && t.text.chars().any(|c| "“”\"«»„‘’()[]".contains(c))
                || t.text.chars().next().is_some_and(char::is_lowercase) && !lex.connectors.contains(&t.folded)
        };
        let mut end = (a..b).find(|&i| i > a && bad(&ctx.toks[i])).unwrap_or(b);
        while end > a + 1 && lex.connectors.contains(&ctx.toks[end - 1].folded) {
            end -= 1;
        }
        // Leading titles (with their country and modifier words) go to the role, for a
        // person or for any mention whose leading run holds a title ("Foreign Minister …").
        let mut start = a;
        let mut titled = false;
        while start + 1 < end && {
            let t = &ctx.toks[start];
            let title = lex.titles.contains(&t.folded);
            titled |= title;
            title || lex.modifiers.contains(&t.folded) || t.country.is_some()
        } {
            start += 1;
        }
        if !(titled || w.mention.kind == EntityType::Person) {
            start = a;
        }
        if (start, end) != (a, b) {
            w.mention.span = Span::new(ctx.toks[start].span.start as usize, ctx.toks[end - 1].span.end as usize);
        }
        true
    });
}

/// Splits a mention that joins two known names the knowledge base does not know as one:
/// "US-Russia" → US, Russia; "Crimean Peninsula of Ukraine" → Crimean Peninsula, Ukraine.
pub fn split_joined(ctx: &Ctx, work: &mut Vec<Work>) {
    let mut out = Vec::with_capacity(work.len());
    for w in work.drain(..) {
        let written = ctx.slice(w.mention.span);
        if w.target.is_some() || !ctx.kb.exact(written).is_empty() {
            out.push(w);
            continue;
        }
        let base = w.mention.span.start as usize;
        // Cut points: inner hyphens of one token, or an "of"/"in"/"and" between tokens.
        let mut cuts: Vec<(usize, usize)> =
            written.char_indices().filter(|&(_, c)| c == '-' || c == '‑').map(|(i, c)| (i, i + c.len_utf8())).collect();
        let (a, b) = ctx.tok_range(w.mention.span);
        for t in &ctx.toks[a..b] {
            if matches!(t.folded.as_str(), "of" | "in" | "and") {
                let s = t.span.start as usize - base;
                cuts.push((s.saturating_sub(1), t.span.end as usize - base + 1));
            }
        }
        let parts: Option<Vec<(usize, usize)>> = cuts.iter().find_map(|&(l, r)| {
            let (left, right) = (written.get(..l)?.trim_end(), written.get(r.min(written.len())..)?.trim_start());
            let known = |p: &str| {
                !p.is_empty() && p.chars().next().is_some_and(char::is_uppercase) && !ctx.kb.exact(p).is_empty()
            };
            (known(left) && known(right)).then(|| {
                let rs = written.len() - right.len();
                vec![(0, left.len()), (rs, written.len())]
            })
        });
        match parts {
            Some(parts) => {
                for (s, e) in parts {
                    let span = Span::new(base + s, base + e);
                    let mut m = w.mention.clone();
                    m.span = span;
                    out.push(Work { mention: m, target: None });
                }
            }
            None => out.push(w),
        }
    }
    *work = out;
}

/// The kind a knowledge-base name gives a mention.
fn kind_of(kb: &Kb, entry: u32, name_kind: NameKind) -> EntityType {
    if name_kind == NameKind::Demonym {
        EntityType::Group
    } else {
        kb.entry(entry).kind
    }
}

/// The country entry a word names as a nationality ("Russian") or country ("Russia").
pub(crate) fn country_of_word(kb: &Kb, word: &str) -> Option<(u32, NameKind)> {
    country_of_folded(kb, &newsgraph_kb::names::fold(word))
}

/// [`country_of_word`] for a folded word.
pub(crate) fn country_of_folded(kb: &Kb, folded: &str) -> Option<(u32, NameKind)> {
    kb.exact_folded(folded).iter().copied().find(|&(e, k)| {
        let entry = kb.entry(e);
        entry.kind == EntityType::Place && entry.subtype == "country" || k == NameKind::Demonym
    })
}

/// Adds knowledge-base names the tagger missed: capitalized token runs that are exactly a
/// known organization, place or multi-word person name.
pub fn add_missed(ctx: &Ctx, work: &mut Vec<Work>) {
    let mut cov = covered(ctx, work);
    let lower_words: HashSet<&str> = ctx.toks.iter().filter(|t| !t.cap).map(|t| t.folded.as_str()).collect();
    let n = ctx.toks.len();
    let mut i = 0;
    while i < n {
        let t = &ctx.toks[i];
        if cov[i] || !t.cap || t.folded.is_empty() {
            i += 1;
            continue;
        }
        let mut found = None;
        for len in (1..=5).rev() {
            let j = i + len;
            if j > n || ctx.toks[j - 1].sentence != t.sentence || cov[i..j].iter().any(|&c| c) || !ctx.toks[j - 1].cap {
                continue;
            }
            let span = Span::new(t.span.start as usize, ctx.toks[j - 1].span.end as usize);
            let hits = ctx.kb.exact(ctx.slice(span));
            // Single persons' short names come later, from coreference; a capitalized word
            // at a sentence start that the article also writes in lower case is a common word.
            let sentence_initial = i == 0 || ctx.toks[i - 1].sentence != t.sentence;
            let hit = hits.into_iter().find(|&(e, _)| len > 1 || ctx.kb.entry(e).kind != EntityType::Person);
            if let Some((e, k)) = hit {
                if len == 1 && sentence_initial && lower_words.contains(t.folded.as_str()) {
                    continue;
                }
                found = Some((j, e, k, span));
                break;
            }
        }
        if let Some((j, e, k, span)) = found {
            let m = Mention::new(span, kind_of(ctx.kb, e, k), 0.8, "kb-name");
            work.push(Work { mention: m, target: None });
            for c in &mut cov[i..j] {
                *c = true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
}

/// Truncated names after `pro-` or `anti-` ("pro-Crem" → pro-Kremlin): the name is matched
/// as a prefix of knowledge-base names; entries already linked in the article come first.
pub fn pro_anti(ctx: &Ctx, work: &mut Vec<Work>) {
    let linked: std::collections::HashSet<u32> =
        work.iter().filter_map(|w| if let Some(Target::Kb(e)) = w.target { Some(e) } else { None }).collect();
    let mut add = Vec::new();
    for t in &ctx.toks {
        let Some((prefix, rest)) = t.text.split_once(['-', '‑']) else { continue };
        if !matches!(prefix.to_lowercase().as_str(), "pro" | "anti")
            || !rest.chars().next().is_some_and(char::is_uppercase)
        {
            continue;
        }
        let start =
            t.span.start as usize + prefix.len() + t.text[prefix.len()..].chars().next().map_or(1, char::len_utf8);
        let span = Span::new(start, t.span.end as usize);
        if work.iter().any(|w| w.mention.span.overlaps(span)) {
            continue;
        }
        if let Some(&(e, k)) = ctx.kb.exact(rest).first() {
            let mut m = Mention::new(span, kind_of(ctx.kb, e, k), 0.8, "kb-name");
            m.link = link(0.85, "exact", None, vec![format!("known name {rest:?} after {prefix}-")]);
            let target = if k == NameKind::Demonym { Target::Group(e, "nationality".into()) } else { Target::Kb(e) };
            add.push(Work { mention: m, target: Some(target) });
            continue;
        }
        let mut cands: Vec<(f32, newsgraph_kb::Candidate)> = ctx
            .kb
            .prefix_search(rest, 5)
            .into_iter()
            .filter(|c| c.name_kind != NameKind::Demonym)
            .map(|c| (c.score + if linked.contains(&c.entry) { 0.1 } else { 0.0 }, c))
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some((s, best)) = cands.first() else { continue };
        let runner_up = cands.get(1).map_or(0.0, |c| c.0);
        if *s < 0.7 || s - runner_up < 0.05 {
            continue;
        }
        let entry = ctx.kb.entry(best.entry);
        let mut m = Mention::new(span, entry.kind, *s, "rule:pro-anti-prefix");
        let mut evidence = vec![format!(
            "{prefix}-{rest} read as {prefix}-{} (truncated name, similarity {:.2})",
            best.name, best.score
        )];
        if linked.contains(&best.entry) {
            evidence.push(format!("{} is named elsewhere in the article", entry.name));
        }
        m.link = link(s.min(0.9), "prefix", Some(best.name.clone()), evidence);
        add.push(Work { mention: m, target: Some(Target::Kb(best.entry)) });
    }
    work.extend(add);
}

/// Nationality words become groups, with a following group noun when there is one:
/// "Ukrainian forces" → the Ukrainian military, "Russian" → Russians.
pub fn groups(ctx: &Ctx, work: &mut [Work]) {
    let cov = covered(ctx, work);
    for w in work.iter_mut() {
        if w.target.is_some() {
            continue;
        }
        let written = ctx.slice(w.mention.span);
        let Some((e, NameKind::Demonym)) = country_of_word(ctx.kb, written) else { continue };
        let (_, b) = ctx.tok_range(w.mention.span);
        let noun = ctx.toks.get(b).filter(|t| !cov[b] && t.sentence == ctx.toks[b - 1].sentence);
        let subtype = match noun.and_then(|t| ctx.lex.groups.get(&t.folded)) {
            Some(sub) => {
                w.mention.span = Span::new(w.mention.span.start as usize, noun.unwrap().span.end as usize);
                sub.clone()
            }
            None => "nationality".to_string(),
        };
        let entry = ctx.kb.entry(e);
        w.mention.kind = EntityType::Group;
        w.mention.link = link(0.9, "exact", None, vec![format!("nationality of {}", entry.name)]);
        w.target = Some(Target::Group(e, subtype));
    }
}

/// Place names written after a direction ("in northern sums") or next to a region noun
/// ("the region of Denpropetrovsk") that no mention covers: matched against the places of
/// the countries the article is about, so a lower-case or misspelled name is still found.
pub fn direction_places(ctx: &Ctx, work: &mut Vec<Work>, focus: &HashMap<String, f32>) {
    let cov = covered(ctx, work);
    let n = ctx.toks.len();
    let mut add = Vec::new();
    for j in 0..n {
        let t = &ctx.toks[j];
        if cov[j]
            || t.folded.chars().count() < 4
            || !t.folded.chars().all(char::is_alphabetic)
            || ctx.lex.place_nouns.contains(&t.folded)
            || ctx.lex.directions.contains(&t.folded)
        {
            continue;
        }
        let same = |k: usize| k < n && ctx.toks[k].sentence == t.sentence;
        let cue = if j > 0 && same(j - 1) && ctx.lex.directions.contains(&ctx.toks[j - 1].folded) {
            Some(ctx.toks[j - 1].text)
        } else if same(j + 1) && ctx.lex.place_nouns.contains(&ctx.toks[j + 1].folded) {
            Some(ctx.toks[j + 1].text)
        } else {
            None
        };
        let Some(cue) = cue else { continue };
        let sentence_countries: HashSet<String> = ctx
            .toks
            .iter()
            .filter(|o| o.sentence == t.sentence && o.cap)
            .filter_map(|o| o.country.map(|(e, _)| ctx.kb.entry(e).country.clone()))
            .collect();
        let mut best: Option<(f32, u32, String, f32)> = None;
        for c in ctx.kb.search(t.text, 12) {
            let e = ctx.kb.entry(c.entry);
            if e.kind != EntityType::Place || !matches!(e.subtype.as_str(), "region" | "city" | "capital") {
                continue;
            }
            let in_sentence = sentence_countries.contains(&e.country);
            let weight = focus.get(&e.country).copied().unwrap_or(0.0);
            if c.score < 0.55 || (!in_sentence && weight < 2.0) {
                continue;
            }
            // "northern Sumy" is most often the northern part of a region.
            let s = c.score + if in_sentence { 0.1 } else { 0.0 } + if e.subtype == "region" { 0.1 } else { 0.0 };
            if best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, c.entry, c.name.clone(), c.score));
            }
        }
        let Some((s, e, name, sim)) = best else { continue };
        let entry = ctx.kb.entry(e);
        let exact = sim >= 1.0;
        let mut m = Mention::new(t.span, EntityType::Place, s.min(0.95), "rule:place-cue");
        let mut evidence = vec![format!("place name next to {cue:?}")];
        if !exact {
            evidence.push(format!("{} ~ {} (similarity {:.2})", t.text, name, sim));
        }
        evidence.push(format!("a place of {}, which the article is about", entry.country));
        m.link =
            link((s - 0.05).min(0.9), if exact { "exact" } else { "fuzzy" }, (!exact).then(|| name.clone()), evidence);
        add.push(Work { mention: m, target: Some(Target::Kb(e)) });
    }
    work.extend(add);
}

/// Attaches each person mention's role: title words before the name ("US President",
/// "Trump's envoy", "Chinese leader") or an appositive after it (", commander of a drone
/// unit in the Spartan Brigade", ", a pro-Kremlin Moscow analyst"). A name the knowledge
/// base does not know, tagged misc, becomes a person when such an appositive follows it
/// ("Buddha, commander of a drone unit": a call sign).
pub fn roles(ctx: &Ctx, work: &mut [Work]) {
    let lex = ctx.lex;
    let is_title = |s: &str| lex.titles.contains(s);
    for w in work.iter_mut() {
        let unknown_misc = w.mention.kind == EntityType::Misc && matches!(w.target, Some(Target::Local(_)));
        if !(w.mention.kind == EntityType::Person || unknown_misc)
            || w.mention.link.as_ref().is_some_and(|l| l.method == "pronoun")
        {
            continue;
        }
        let (a, b) = ctx.tok_range(w.mention.span);
        if a == b {
            continue;
        }
        let sent = ctx.toks[a].sentence;
        // Before: title and modifier words, nationality or country names, a possessive name.
        let mut start = a;
        let mut has_title = false;
        while start > 0 && ctx.toks[start - 1].sentence == sent && a - start < 6 {
            let t = &ctx.toks[start - 1];
            let f = t.folded.as_str();
            let ok = if is_title(f) || is_title(&t.text.to_lowercase()) {
                has_title = true;
                true
            } else if lex.modifiers.contains(f) {
                true
            } else if (f == "s") && start >= 2 && ctx.toks[start - 2].cap {
                start -= 1; // the possessor: "Trump’s"
                true
            } else {
                t.cap && t.country.is_some()
            };
            if !ok {
                break;
            }
            start -= 1;
        }
        // Only a run with a title word is a role ("US President", not "US").
        if has_title && start < a && !unknown_misc {
            w.mention.role = Some(Span::new(
                ctx.toks[start].span.start as usize,
                ctx.toks[a - 1].span.start as usize + ctx.toks[a - 1].text.len(),
            ));
            continue;
        }
        // After: ", [a|the] … title … ," up to the clause end.
        if b < ctx.toks.len() && ctx.toks[b].text == "," && ctx.toks[b].sentence == sent {
            let mut end = b + 1;
            let mut title = false;
            while end < ctx.toks.len() && ctx.toks[end].sentence == sent && end - b <= 14 {
                let t = ctx.toks[end].text;
                if matches!(t, "," | "." | ";" | ":" | "“" | "”" | "\"" | "(" | ")" | "—" | "–") {
                    break;
                }
                title |= is_title(&ctx.toks[end].folded);
                end += 1;
            }
            let first = ctx.toks.get(b + 1).map(|t| t.folded.as_str()).unwrap_or("");
            let opens = matches!(first, "a" | "an" | "the") || is_title(first) || lex.modifiers.contains(first);
            if title && opens && end > b + 1 {
                let last = &ctx.toks[end - 1];
                w.mention.role = Some(Span::new(ctx.toks[b + 1].span.start as usize, last.span.end as usize));
                if unknown_misc {
                    w.mention.kind = EntityType::Person;
                    if let Some(l) = w.mention.link.as_mut() {
                        l.evidence.push("a person: an appositive role follows the name".into());
                    }
                }
            }
        }
    }
}
