//! Resolving each mention to a knowledge-base entry, or to a new document-local entity.
//!
//! Candidates come from the knowledge base by exact name, else by fuzzy name search
//! ([`newsgraph_kb::Kb::search`]). Each candidate's name similarity is adjusted by context,
//! and every adjustment is written into the link's evidence:
//!
//! | signal | effect |
//! |---|---|
//! | a word of a role the entry held at publication near the mention ("envoy") | +0.10 |
//! | a nationality or country word of the entry's country near the mention ("Chinese") | +0.08 |
//! | the entry's country among the countries the article names | +0.05 |
//! | an organization's seat named in the sentence ("Washington") | +0.10 |
//! | a region noun next to the name ("region of …"): regions +0.10, cities −0.05 | |
//! | the entry held a role at publication / all its roles ended years before | +0.05 / −0.10 |
//! | the tagger's type agrees / disagrees | +0.05 / −0.10 |
//!
//! An exact name is accepted when it is the best candidate. A repair (fuzzy match) needs the
//! article to be about the entry's country (or a specific clue: role word, nationality word,
//! seat, region noun), is never made on an acronym, and needs: for several words, 0.75 of
//! what was written explained, name similarity 0.6 and combined 0.75 (or 0.62 and 0.7 with a
//! lead of 0.15); for one word, name similarity 0.75, combined 0.85 and a specific clue.
use crate::{link, Ctx, Target, Work};
use newsgraph_kb::{names::fold, Candidate, Entry, NameKind};
use newsgraph_model::EntityType;
use std::collections::HashMap;

/// Links every mention without a target; returns the article's countries with weights
/// (how many linked mentions belong to each).
pub fn link_all(ctx: &Ctx, work: &mut [Work]) -> HashMap<String, f32> {
    let countries = article_countries(ctx);
    let mut searched: HashMap<String, Vec<Candidate>> = HashMap::new();
    for w in work.iter_mut() {
        if w.target.is_some() {
            continue;
        }
        resolve(ctx, w, &countries, &mut searched);
    }
    let mut focus: HashMap<String, f32> = HashMap::new();
    for w in work.iter() {
        let entry = match &w.target {
            Some(Target::Kb(e)) | Some(Target::Group(e, _)) => ctx.kb.entry(*e),
            _ => continue,
        };
        if !entry.country.is_empty() {
            *focus.entry(entry.country.clone()).or_default() += 1.0;
        }
    }
    focus
}

/// Countries the article names (country names and nationality words, capitalized).
fn article_countries(ctx: &Ctx) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for t in ctx.toks.iter().filter(|t| t.cap && t.folded.len() > 1) {
        if let Some((e, _)) = t.country {
            *out.entry(ctx.kb.entry(e).country.clone()).or_default() += 1;
        }
    }
    out
}

/// The mention's name as the knowledge base would write it: no leading "the", no possessive.
fn clean(written: &str) -> &str {
    let s = written.trim();
    let s = s.strip_prefix("the ").or_else(|| s.strip_prefix("The ")).unwrap_or(s);
    s.strip_suffix("’s").or_else(|| s.strip_suffix("'s")).unwrap_or(s)
}

/// `searched` memoizes fuzzy searches within the document (names repeat).
fn resolve(ctx: &Ctx, w: &mut Work, countries: &HashMap<String, u32>, searched: &mut HashMap<String, Vec<Candidate>>) {
    let written = clean(ctx.slice(w.mention.span)).to_string();
    let exact = ctx.kb.exact(&written);
    let fuzzy = exact.is_empty();
    // A repaired name must agree with the tagger's type (an exact name may correct it).
    let agrees = |c: &Candidate| {
        let kind = if c.name_kind == NameKind::Demonym { EntityType::Group } else { ctx.kb.entry(c.entry).kind };
        // A misc mention (events, works, products) is never repaired into a named entity.
        kind == w.mention.kind || confusable(kind, w.mention.kind)
    };
    // An acronym is never repaired ("CDF" is not "KDF"), nor is a misc name: no search then.
    let acronym = written.chars().count() <= 5 && written.chars().all(|c| c.is_uppercase() || !c.is_alphabetic());
    let repairable =
        !acronym && matches!(w.mention.kind, EntityType::Person | EntityType::Organization | EntityType::Place);
    let cands: Vec<Candidate> = if fuzzy && !repairable {
        Vec::new()
    } else if fuzzy {
        let found = searched.entry(written.clone()).or_insert_with(|| ctx.kb.search(&written, 8));
        found.iter().filter(|c| c.score >= 0.55 && agrees(c)).cloned().collect()
    } else {
        exact
            .iter()
            .map(|&(e, k)| Candidate {
                entry: e,
                name: written.clone(),
                name_kind: k,
                score: 1.0,
                coverage: 1.0,
                name_coverage: 1.0,
            })
            .collect()
    };
    let mut scored: Vec<(f32, &Candidate, Context)> = cands
        .iter()
        .map(|c| {
            let cx = context(ctx, w, ctx.kb.entry(c.entry), c.name_kind, countries);
            (c.score + cx.bonus, c, cx)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.entry.cmp(&b.1.entry)));
    let runner_up = scored.get(1).map_or(0.0, |s| s.0);
    let accepted = scored.first().filter(|(s, c, cx)| {
        if !fuzzy {
            return true;
        }
        let entry = ctx.kb.entry(c.entry);
        // A repair needs the article to be about the entry's country, or a specific clue.
        let grounded = cx.specific || entry.country.is_empty() || countries.contains_key(&entry.country);
        if !grounded {
            return false;
        }
        // Correctly spelled words that are only part of a longer name are a generic name,
        // not a misspelling: "Supreme Court" is not "Supreme Court of India".
        if c.coverage >= 0.999 && c.name_coverage < 0.7 {
            return false;
        }
        if fold(&written).contains(' ') {
            let margin = s - runner_up;
            c.coverage >= 0.75 && ((*s >= 0.75 && c.score >= 0.6) || (*s >= 0.7 && margin >= 0.15 && c.score >= 0.62))
        } else {
            // One word alone is often another real name ("Holmes", "Kali"): only with a
            // specific clue (a role word, a nationality word, a region noun, a seat).
            c.score >= 0.75 && *s >= 0.85 && cx.specific
        }
    });
    let Some((s, c, Context { mut evidence, .. })) = accepted.cloned() else {
        // A name the knowledge base does not know: a document-local entity.
        let mut evidence = vec!["no knowledge-base entry".to_string()];
        let head = fold(&written).rsplit(' ').next().unwrap_or_default().to_string();
        if ctx.lex.org_heads.contains(&head) && w.mention.kind != EntityType::Organization {
            evidence.push(format!("organization head word {head:?} (tagger: {:?})", w.mention.kind));
            w.mention.kind = EntityType::Organization;
        }
        w.target = Some(Target::Local(fold(&written)));
        w.mention.link = link(w.mention.confidence * 0.8, "new", None, evidence);
        return;
    };
    let entry = ctx.kb.entry(c.entry);
    let kind = if c.name_kind == NameKind::Demonym { EntityType::Group } else { entry.kind };
    if kind != w.mention.kind {
        evidence.push(format!("type {kind:?} from the knowledge base (tagger: {:?})", w.mention.kind));
        w.mention.kind = kind;
    }
    let (confidence, method, repaired) = if fuzzy {
        evidence.insert(0, format!("{written} ~ {} (name similarity {:.2})", c.name, c.score));
        ((s - 0.1).min(0.95), "fuzzy", Some(entry.name.clone()))
    } else {
        let ambiguous = scored.len() > 1 && s - runner_up < 0.05;
        if ambiguous {
            evidence.push(format!("{} entries share this name", scored.len()));
        }
        evidence.insert(0, format!("known name {:?}", c.name));
        ((0.9 + (s - 1.0).min(0.09) - if ambiguous { 0.2 } else { 0.0 }).max(0.5), "exact", None)
    };
    w.mention.link = link(confidence, method, repaired, evidence);
    w.target = Some(if c.name_kind == NameKind::Demonym {
        Target::Group(c.entry, "nationality".into())
    } else {
        Target::Kb(c.entry)
    });
}

/// Types a tagger confuses: organizations and places (a government by its seat), not persons.
fn confusable(a: EntityType, b: EntityType) -> bool {
    let place_or_org = |k: EntityType| matches!(k, EntityType::Place | EntityType::Organization);
    place_or_org(a) && place_or_org(b)
}

/// What the context says about one candidate.
#[derive(Debug, Clone)]
struct Context {
    bonus: f32,
    /// A clue specific to this entry near the mention (role word, nationality word, region
    /// noun, the seat), beyond the article's countries.
    specific: bool,
    evidence: Vec<String>,
}

/// Context adjustment of one candidate, with its reasons.
fn context(ctx: &Ctx, w: &Work, entry: &Entry, name_kind: NameKind, countries: &HashMap<String, u32>) -> Context {
    let mut bonus = 0.0;
    let mut specific = false;
    let mut ev = Vec::new();
    let (a, b) = ctx.tok_range(w.mention.span);
    let sent = ctx.toks.get(a).map_or(u32::MAX, |t| t.sentence);
    let lo = a.saturating_sub(8);
    let hi = (b + 8).min(ctx.toks.len());
    let window: Vec<&crate::Tok> =
        (lo..hi).filter(|&i| (i < a || i >= b) && ctx.toks[i].sentence == sent).map(|i| &ctx.toks[i]).collect();

    let roles: Vec<&newsgraph_kb::Role> = match ctx.date {
        Some(d) => entry.roles_on(d).collect(),
        None => entry.roles.iter().collect(),
    };
    // A role word near the mention.
    'roles: for r in &roles {
        let title = fold(&r.title);
        for t in &window {
            if ctx.lex.titles.contains(&t.folded) && title.split(' ').any(|x| x == t.folded) {
                bonus += 0.10;
                specific = true;
                ev.push(format!("role word {:?} ({})", t.text, r.title));
                break 'roles;
            }
        }
    }
    // A nationality or country word of the entry's country near the mention.
    if !entry.country.is_empty() && entry.subtype != "country" {
        if let Some(t) =
            window.iter().find(|t| t.cap && t.country.is_some_and(|(e, _)| ctx.kb.entry(e).country == entry.country))
        {
            bonus += 0.08;
            specific = true;
            ev.push(format!("{:?} near the name", t.text));
        }
    }
    if !entry.country.is_empty() && countries.contains_key(&entry.country) {
        bonus += 0.05;
        ev.push(format!("the article names {}", entry.country));
    }
    // An organization's seat named in the sentence.
    if let Some(hq) = entry.attr("hq") {
        let hq = fold(hq);
        let seen = ctx
            .toks
            .iter()
            .filter(|t| t.sentence == sent && t.cap)
            .find(|t| t.folded == hq || newsgraph_kb::names::prefix_similarity(&t.folded, &hq) >= 0.6);
        if let Some(t) = seen {
            bonus += 0.10;
            specific = true;
            ev.push(format!("seat {} named in the sentence ({:?})", entry.attr("hq").unwrap_or(""), t.text));
        }
    }
    // Region nouns next to the name.
    let near_region_noun = (b < ctx.toks.len() && ctx.lex.place_nouns.contains(&ctx.toks[b].folded))
        || (a >= 2 && ctx.toks[a - 1].folded == "of" && ctx.lex.place_nouns.contains(&ctx.toks[a - 2].folded));
    if near_region_noun && entry.kind == EntityType::Place {
        match entry.subtype.as_str() {
            "region" => {
                bonus += 0.10;
                specific = true;
                ev.push("a region noun next to the name".into());
            }
            "city" | "capital" => bonus -= 0.05,
            _ => {}
        }
    }
    // The publication date against the entry's roles.
    if let Some(date) = ctx.date {
        if entry.roles.iter().any(|r| r.held_on(date)) {
            bonus += 0.05;
        } else if !entry.roles.is_empty()
            && entry.roles.iter().all(|r| r.to.is_some_and(|t| (date - t).num_days() > 3 * 365))
        {
            bonus -= 0.10;
            ev.push("no role held within three years of publication".into());
        }
    }
    // Among places of one name, the more prominent kind (Washington the capital, not the state).
    if entry.kind == EntityType::Place {
        bonus += match entry.subtype.as_str() {
            "country" => 0.04,
            "capital" => 0.03,
            "city" => 0.02,
            "region" => 0.01,
            _ => 0.0,
        };
    }
    // The tagger's type.
    let kind = if name_kind == NameKind::Demonym { EntityType::Group } else { entry.kind };
    if w.mention.kind == kind {
        bonus += 0.05;
    } else if confusable(kind, w.mention.kind) {
        bonus -= 0.03;
    } else if !matches!(w.mention.kind, EntityType::Misc) {
        bonus -= 0.10;
    }
    Context { bonus, specific, evidence: ev }
}
