//! Within-document identity: short names, descriptions and pronoun subjects.
use crate::rules::covered;
use crate::{link, Ctx, Target, Work};
use newsgraph_kb::names::{fold, translit_key};
use newsgraph_model::{EntityType, Mention, Span};
use std::collections::HashMap;

/// Joins mentions of one entity (see the module docs): runs after linking.
pub fn join(ctx: &Ctx, work: &mut Vec<Work>) {
    short_names(ctx, work);
    short_name_scan(ctx, work);
    descriptions(ctx, work);
    pronouns(ctx, work);
}

/// The single-word names a person is called by in a text: the last word of each name of
/// the entity, the knowledge base's one-word aliases.
fn person_short_names(ctx: &Ctx, work: &[Work]) -> HashMap<String, Target> {
    let mut out: HashMap<String, Target> = HashMap::new();
    for w in work {
        if w.mention.kind != EntityType::Person {
            continue;
        }
        let Some(target) = &w.target else { continue };
        let mut names: Vec<String> = Vec::new();
        match target {
            Target::Kb(e) => {
                for (n, _) in ctx.kb.entry(*e).names() {
                    let f = fold(n);
                    names.push(f.rsplit(' ').next().unwrap_or(&f).to_string());
                }
            }
            Target::Local(key) if key.contains(' ') => names.push(key.rsplit(' ').next().unwrap_or(key).to_string()),
            _ => continue,
        }
        for n in names {
            if n.chars().count() >= 2 {
                out.entry(n).or_insert_with(|| target.clone());
            }
        }
    }
    out
}

/// A one-word local person ("Markov") that is the last name of a linked or longer person
/// of the same document joins it.
fn short_names(ctx: &Ctx, work: &mut [Work]) {
    let names = person_short_names(ctx, work);
    let mut sorted: Vec<(&String, &Target)> = names.iter().collect();
    sorted.sort();
    let mut by_key: HashMap<String, &Target> = HashMap::new();
    for (n, t) in sorted {
        by_key.entry(translit_key(n)).or_insert(t);
    }
    for w in work.iter_mut() {
        let Some(Target::Local(key)) = &w.target else { continue };
        if key.contains(' ')
            || !matches!(w.mention.kind, EntityType::Person | EntityType::Organization | EntityType::Misc)
        {
            continue;
        }
        // The short name itself, or a transliteration variant ("Zelenski" for "Zelenskyy").
        let found = names.get(key).or_else(|| by_key.get(&translit_key(key)).copied());
        if let Some(t) = found {
            if t != w.target.as_ref().unwrap() {
                w.mention.kind = EntityType::Person;
                w.mention.link = link(
                    0.85,
                    "coreference",
                    None,
                    vec![format!("short name of a person named earlier or later in the article")],
                );
                w.target = Some(t.clone());
            }
        }
    }
}

/// Capitalized words no mention covers that are a short name of a person linked in this
/// document ("the XI" after "Ci Jinping" was linked to Xi Jinping).
fn short_name_scan(ctx: &Ctx, work: &mut Vec<Work>) {
    let names = person_short_names(ctx, work);
    let cov = covered(ctx, work);
    for (i, t) in ctx.toks.iter().enumerate() {
        if cov[i] || !t.cap {
            continue;
        }
        let Some(target) = names.get(&t.folded) else { continue };
        let mut m = Mention::new(t.span, EntityType::Person, 0.75, "coreference");
        let name = match target {
            Target::Kb(e) => ctx.kb.entry(*e).name.clone(),
            Target::Local(k) => k.clone(),
            Target::Group(..) | Target::Geo(_) => continue,
        };
        m.link = link(0.8, "coreference", None, vec![format!("short name of {name}, named elsewhere in the article")]);
        work.push(Work { mention: m, target: Some(target.clone()) });
    }
}

/// "the Russian leader", "the US president": a nationality or country and a description
/// noun, standing alone, resolve to the person of the document (else of the knowledge
/// base) who held a matching role of that country at publication.
fn descriptions(ctx: &Ctx, work: &mut Vec<Work>) {
    let Some(date) = ctx.date else { return };
    let cov = covered(ctx, work);
    let n = ctx.toks.len();
    let mut add = Vec::new();
    for i in 0..n.saturating_sub(2) {
        if ctx.toks[i].folded != "the" || cov[i + 1] && !ctx.toks[i + 1].cap {
            continue;
        }
        let Some((country, _)) = ctx.toks[i + 1].country else { continue };
        let cc = ctx.kb.entry(country).country.clone();
        for (head, titles) in &ctx.lex.descriptions {
            let end = i + 2 + head.len();
            if end > n || (0..head.len()).any(|k| ctx.toks[i + 2 + k].folded != head[k]) {
                continue;
            }
            // Followed by a name, it is a role ("the Chinese leader Xi"), not a description.
            if end < n && ctx.toks[end].cap && ctx.toks[end].sentence == ctx.toks[i].sentence {
                break;
            }
            let fits = |e: u32| {
                ctx.kb
                    .entry(e)
                    .roles_on(date)
                    .any(|r| r.country == cc && titles.iter().any(|t| fold(&r.title).contains(t.as_str())))
            };
            // Prefer a person already in the document.
            let in_doc = work.iter().find_map(|w| match &w.target {
                Some(Target::Kb(e)) if ctx.kb.entry(*e).kind == EntityType::Person && fits(*e) => Some(*e),
                _ => None,
            });
            let found = in_doc.map(|e| (e, true)).or_else(|| {
                let all: Vec<u32> = (0..ctx.kb.len() as u32)
                    .filter(|&e| ctx.kb.entry(e).kind == EntityType::Person && ctx.kb.entry(e).country == cc && fits(e))
                    .collect();
                (all.len() == 1).then(|| (all[0], false))
            });
            let Some((e, seen)) = found else { break };
            let span = Span::new(ctx.toks[i].span.start as usize, ctx.toks[end - 1].span.end as usize);
            let mut m = Mention::new(span, EntityType::Person, 0.8, "description");
            let entry = ctx.kb.entry(e);
            let role = entry.roles_on(date).find(|r| r.country == cc).map(|r| r.title.clone()).unwrap_or_default();
            m.link = link(
                if seen { 0.85 } else { 0.7 },
                "description",
                None,
                vec![format!(
                    "{} held {role} ({cc}) at publication{}",
                    entry.name,
                    if seen { ", named in the article" } else { "" }
                )],
            );
            add.push(Work { mention: m, target: Some(Target::Kb(e)) });
            break;
        }
    }
    work.extend(add);
}

/// "he" / "she" as a subject: the subject person of the same sentence when it precedes the
/// pronoun, else of the nearest of the two previous sentences that has one.
fn pronouns(ctx: &Ctx, work: &mut Vec<Work>) {
    work.sort_by_key(|w| w.mention.span.start);
    let n = ctx.toks.len();
    let mut add: Vec<Work> = Vec::new();
    for i in 0..n {
        let t = &ctx.toks[i];
        if !matches!(t.folded.as_str(), "he" | "she") {
            continue;
        }
        // A subject: followed by a lower-case word (its verb).
        if !ctx
            .toks
            .get(i + 1)
            .is_some_and(|x| x.sentence == t.sentence && !x.cap && x.folded.chars().all(char::is_alphabetic))
        {
            continue;
        }
        let first_person_of = |s: u32, before: u32| -> Option<Target> {
            work.iter()
                .chain(add.iter())
                .filter(|w| w.mention.kind == EntityType::Person && w.mention.span.start < before)
                .filter(|w| ctx.toks[ctx.tok_at(w.mention.span.start).min(n - 1)].sentence == s)
                .min_by_key(|w| w.mention.span.start)
                .and_then(|w| w.target.clone())
        };
        let mut found = first_person_of(t.sentence, t.span.start);
        let mut s = t.sentence;
        while found.is_none() && s > 0 && t.sentence - s < 2 {
            s -= 1;
            found = first_person_of(s, u32::MAX);
        }
        let Some(target) = found else { continue };
        let name = match &target {
            Target::Kb(e) => ctx.kb.entry(*e).name.clone(),
            Target::Local(_) => work
                .iter()
                .find(|w| {
                    w.target.as_ref() == Some(&target) && w.mention.link.as_ref().is_some_and(|l| l.method != "pronoun")
                })
                .map_or_else(String::new, |w| ctx.slice(w.mention.span).to_string()),
            Target::Group(..) | Target::Geo(_) => continue,
        };
        let mut m = Mention::new(t.span, EntityType::Person, 0.6, "pronoun");
        let where_ = if s == t.sentence { "this sentence" } else { "a previous sentence" };
        m.link = link(0.6, "pronoun", None, vec![format!("subject pronoun; the subject of {where_} is {name}")]);
        add.push(Work { mention: m, target: Some(target) });
    }
    work.extend(add);
}
