//! Entity linking: from the recognizer's mentions to the entities of a document.
//!
//! Contract: reads the `tokens`, `sentences` and `mentions` layers and the publication
//! time; rewrites `mentions` (adds mentions the recognizer missed, retypes mentions the
//! knowledge base contradicts, attaches roles) and fills the `entities` layer. Every mention
//! it links carries a [`newsgraph_model::Link`] with method, confidence, evidence and, for
//! misspelled names, the repaired name.
//!
//! Steps (each in its own module):
//! 1. [`rules`] trims the tagger's mentions (titles go to the role, a run-on mention ends
//!    at a quote or a lower-case word) and adds what a sequence tagger misses: knowledge-base names in capitalized text,
//!    nationality groups ("Ukrainian forces"), truncated names after `pro-`/`anti-`, place
//!    names after a direction ("northern Sumy") or before a region noun, and each person's
//!    role ("US President …", "…, a Moscow analyst").
//! 2. [`resolve`] links each mention to a knowledge-base entry: exact names first, then
//!    transliteration-aware fuzzy matching weighed by context (role words, nationality and
//!    country words, the other entities of the article, an organization's seat, the
//!    publication date against the entry's role dates). Unmatched names become
//!    document-local entities.
//! 3. [`coref`] joins mentions of one entity within the document: a surname used after the
//!    full name, the entity's short names written again ("the XI"), descriptions ("the
//!    Russian leader") and pronoun subjects ("he said").
//! 4. [`geocode`] places the knowledge base does not know in the GeoNames gazetteer
//!    (`crates/geo`), all of an article's toponyms together.
//! 5. The entities layer is built: one entity per knowledge-base entry or local name, with
//!    every written form, the repaired spellings, roles held at publication and coordinates.
pub mod coref;
pub mod geocode;
pub mod lexicon;
pub mod resolve;
pub mod rules;

use chrono::NaiveDate;
use newsgraph_kb::{names::fold, Kb};
use newsgraph_model::{Document, Entity, EntityType, Geo, Link, Mention, Span};
use std::collections::HashMap;

pub use lexicon::Lexicon;

/// A token of the document, with the views the linker needs.
#[derive(Debug, Clone)]
pub struct Tok<'d> {
    pub text: &'d str,
    pub folded: String,
    pub span: Span,
    pub sentence: u32,
    /// First letter upper case.
    pub cap: bool,
    /// The country entry this word names as a country or nationality ("Russia", "Russian").
    pub country: Option<(u32, newsgraph_kb::NameKind)>,
}

/// What a mention refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A knowledge-base entry (by index).
    Kb(u32),
    /// A nationality group of a country entry, with the group's subtype.
    Group(u32, String),
    /// A name the knowledge base does not know (its folded form).
    Local(String),
    /// A place the knowledge base does not know, found in the gazetteer (by its id).
    Geo(String),
}

/// A mention being linked.
#[derive(Debug, Clone)]
pub struct Work {
    pub mention: Mention,
    pub target: Option<Target>,
}

/// Everything the steps share about one document.
pub struct Ctx<'a, 'd> {
    pub kb: &'a Kb,
    pub lex: &'a Lexicon,
    pub text: &'d str,
    pub toks: Vec<Tok<'d>>,
    pub date: Option<NaiveDate>,
}

impl Ctx<'_, '_> {
    /// Index of the token starting at or after byte `at`.
    pub fn tok_at(&self, at: u32) -> usize {
        self.toks.partition_point(|t| t.span.start < at)
    }
    /// Token range `[a, b)` covered by a span.
    pub fn tok_range(&self, span: Span) -> (usize, usize) {
        (self.tok_at(span.start), self.toks.partition_point(|t| t.span.start < span.end))
    }
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }
}

/// The linker: a knowledge base and a lexicon.
pub struct Linker<'a> {
    pub kb: &'a Kb,
    pub lex: &'a Lexicon,
}

impl Linker<'static> {
    /// The committed knowledge base and lexicon.
    pub fn builtin() -> Linker<'static> {
        Linker { kb: newsgraph_kb::builtin(), lex: Lexicon::builtin() }
    }
}

impl Linker<'_> {
    /// Links the document's mentions and fills its entities layer (see the crate docs).
    pub fn link(&self, doc: &mut Document) {
        let date = doc.meta.published.as_ref().map(|p| p.time.date_naive());
        let text = doc.text();
        let toks: Vec<Tok> = doc
            .layers
            .tokens
            .iter()
            .map(|t| {
                let s = &text[t.span.start as usize..t.span.end as usize];
                let folded = fold(s);
                let country = rules::country_of_folded(self.kb, &folded);
                Tok {
                    text: s,
                    folded,
                    span: t.span,
                    sentence: t.sentence,
                    cap: s.chars().next().is_some_and(char::is_uppercase),
                    country,
                }
            })
            .collect();
        let ctx = Ctx { kb: self.kb, lex: self.lex, text, toks, date };
        let mut work: Vec<Work> =
            doc.layers.mentions.iter().cloned().map(|m| Work { mention: m, target: None }).collect();

        rules::trim(&ctx, &mut work);
        rules::split_joined(&ctx, &mut work);
        rules::add_missed(&ctx, &mut work);
        rules::groups(&ctx, &mut work);
        let focus = resolve::link_all(&ctx, &mut work);
        rules::pro_anti(&ctx, &mut work);
        rules::direction_places(&ctx, &mut work, &focus);
        coref::join(&ctx, &mut work);
        let places = geocode::places(&ctx, &mut work, &focus);
        rules::roles(&ctx, &mut work);

        work.sort_by_key(|w| (w.mention.span.start, std::cmp::Reverse(w.mention.span.end)));
        let (mentions, entities) = build_entities(&ctx, work, &places);
        doc.layers.mentions = mentions;
        doc.layers.entities = entities;
    }
}

fn kind_name(k: EntityType) -> &'static str {
    match k {
        EntityType::Person => "person",
        EntityType::Organization => "organization",
        EntityType::Place => "place",
        EntityType::Group => "group",
        _ => "misc",
    }
}

/// One entity per target; mentions point at them.
fn build_entities(
    ctx: &Ctx,
    work: Vec<Work>,
    places: &HashMap<String, newsgraph_geo::Resolved>,
) -> (Vec<Mention>, Vec<Entity>) {
    let mut index: HashMap<Target, u32> = HashMap::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut mentions = Vec::with_capacity(work.len());
    for w in work {
        let mut m = w.mention;
        let Some(target) = w.target else {
            mentions.push(m);
            continue;
        };
        let written = ctx.slice(m.span).to_string();
        let i = *index.entry(target.clone()).or_insert_with(|| {
            entities.push(new_entity(ctx, &target, &m, &written, places));
            entities.len() as u32 - 1
        });
        let e = &mut entities[i as usize];
        if m.link.as_ref().is_none_or(|l| l.method != "pronoun") && !e.aliases.contains(&written) {
            e.aliases.push(written.clone());
        }
        if let Some(l) = &m.link {
            e.confidence = e.confidence.max(l.confidence);
            if l.repaired.is_some() && !e.repaired.contains(&written) {
                e.repaired.push(written.clone());
            }
        }
        // A local entity is named by its longest written form.
        if matches!(target, Target::Local(_))
            && written.len() > e.name.len()
            && m.link.as_ref().is_some_and(|l| l.method != "pronoun")
        {
            e.name = written;
        }
        m.entity = Some(i);
        mentions.push(m);
    }
    (mentions, entities)
}

fn new_entity(
    ctx: &Ctx,
    target: &Target,
    m: &Mention,
    written: &str,
    places: &HashMap<String, newsgraph_geo::Resolved>,
) -> Entity {
    let mut e = Entity::new(String::new(), written, m.kind);
    match target {
        Target::Kb(i) => {
            let entry = ctx.kb.entry(*i);
            e.id = entry.id.clone();
            e.name = entry.name.clone();
            e.kind = entry.kind;
            e.kb_id = Some(entry.id.clone());
            e.subtype = Some(entry.subtype.clone()).filter(|s| !s.is_empty());
            e.country = Some(entry.country.clone()).filter(|s| !s.is_empty());
            e.qid = entry.attr("qid").map(String::from);
            if let Some(date) = ctx.date {
                e.roles = entry
                    .roles_on(date)
                    .map(
                        |r| if r.country.is_empty() { r.title.clone() } else { format!("{} ({})", r.title, r.country) },
                    )
                    .collect();
            }
            if let Some((lat, lon)) = entry.coordinates() {
                e.geo = Some(Geo {
                    lat,
                    lon,
                    country: entry.country.clone(),
                    admin1: entry.attr("parent").filter(|p| p.matches('-').count() > 0).map(String::from),
                    geonameid: entry.attr("geonameid").and_then(|g| g.parse().ok()),
                    feature: entry.subtype.clone(),
                });
            }
        }
        Target::Group(i, subtype) => {
            let entry = ctx.kb.entry(*i);
            let cc = entry.country.to_lowercase();
            e.id = format!("grp:{cc}-{subtype}");
            e.kind = EntityType::Group;
            e.kb_id = Some(entry.id.clone());
            e.subtype = Some(subtype.clone());
            e.country = Some(entry.country.clone()).filter(|s| !s.is_empty());
            let demonym = entry.attr("demonym").and_then(|d| d.split('|').next()).unwrap_or(&entry.name);
            e.name = match subtype.as_str() {
                "nationality" => demonym.to_string(),
                "military" => format!("{demonym} military"),
                "government" => format!("{demonym} government"),
                other => format!("{demonym} {other}"),
            };
        }
        Target::Local(key) => {
            e.id = format!("local:{}:{}", kind_name(m.kind), key.replace(' ', "-"));
        }
        Target::Geo(id) => {
            e.id = id.clone();
            e.kind = EntityType::Place;
            if let Some(r) = places.get(id) {
                e.name = r.name.clone();
                e.country = Some(r.country.clone()).filter(|c| !c.is_empty());
                e.subtype = Some(format!("{:?}", r.kind).to_lowercase());
                e.geo = Some(Geo {
                    lat: r.lat,
                    lon: r.lon,
                    country: r.country.clone(),
                    admin1: Some(r.admin1.clone()).filter(|a| !a.is_empty()),
                    geonameid: r.geonameid,
                    feature: r.feature_code.to_string(),
                });
            }
        }
    }
    e
}

/// A link record.
pub(crate) fn link(confidence: f32, method: &str, repaired: Option<String>, evidence: Vec<String>) -> Option<Link> {
    Some(Link { confidence: confidence.clamp(0.0, 1.0), method: method.to_string(), repaired, evidence })
}

#[cfg(test)]
mod tests;
