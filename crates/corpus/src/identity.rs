//! Cross-document identity: document-local entities (`local:person:sergei-markov`, names the
//! knowledge base does not know) merged across articles when their names are close and their
//! contexts agree, and absorbed by a knowledge-base entity that a close name links to.
//!
//! [`Identities::add`] takes one article's entities at a time (incremental, like the
//! near-duplicate and story state) and returns the merges it decided:
//!
//! 1. **Names.** Each name is folded and split into words ([`newsgraph_kb::names::fold`]);
//!    honorifics ("Mr.", "Dr.") and middle initials are dropped. Two names are close when
//!    their words joined have one transliteration key (`Xi Jin-ping` / `Xi Jinping`,
//!    `Sergei` / `Sergey`), or, word by word, when the last words are alike
//!    ([`newsgraph_kb::names::forms_similarity`] ≥ 0.8: `Witkof` / `Witkoff`) and the first
//!    words are alike or one name is a surname alone (`Mr. Zelenskyy`). Persons only may be
//!    a surname alone; other kinds need as many words on both sides.
//! 2. **Contexts.** Each identity keeps the ids of the entities its articles named with it
//!    (people, organizations, places, by their merged ids) and the words of the roles
//!    attached to its mentions ("analyst"), with counts. A candidate agrees when the
//!    article's context shares enough with it, each shared feature weighted by its inverse
//!    document frequency (ubiquitous ones count little): [`IdentityConfig::same_key_context`]
//!    for names with one key, [`IdentityConfig::close_name_context`] otherwise.
//! 3. **Merging.** A local entity that agrees with an identity joins it. An identity that
//!    holds a knowledge-base entity is named by it (a later KB link absorbs earlier local
//!    ones); otherwise by its first local id. Two identities that one article bridges merge.
//!
//! Candidates come from a name-key index holding the most recent identities per key, so the
//! cost per article does not grow with the corpus. Groups (nationalities) and misc names are
//! left alone. Two different people with one exact name stay one id, as before: this only
//! merges ids that differ.
//!
//! ```
//! use newsgraph_corpus::identity::{Identities, EntityName};
//! let mut ids = Identities::default();
//! let ctx = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
//! let a = vec![EntityName::local("local:person:sergei-markov", "Sergei Markov", "person")];
//! ids.add(&a, &ctx(&["per:vladimir-putin", "org:kremlin", "loc:moscow"]));
//! let b = vec![EntityName::local("local:person:sergey-markov", "Sergey Markov", "person")];
//! let merges = ids.add(&b, &ctx(&["per:vladimir-putin", "org:kremlin", "loc:moscow"]));
//! assert_eq!(merges.mapped[0], ("local:person:sergey-markov".to_string(), "local:person:sergei-markov".to_string()));
//! ```
use newsgraph_kb::names::{fold, forms_similarity, translit_key, Forms};
use newsgraph_model::{Document, EntityType};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Parameters of [`Identities`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IdentityConfig {
    /// Shared context weight (sum of IDFs) needed when both names have one transliteration key.
    pub same_key_context: f32,
    /// Shared context weight needed for a close but different name (or a surname alone).
    pub close_name_context: f32,
    /// Similarity of last words needed for a close name.
    pub last_word: f32,
    /// Similarity of first words needed for a close name.
    pub first_word: f32,
    /// Identities kept per name key in the index (the most recent).
    pub per_key: usize,
    /// Context features kept per identity (the most frequent).
    pub context: usize,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            same_key_context: 1.0,
            close_name_context: 2.0,
            last_word: 0.8,
            first_word: 0.8,
            per_key: 16,
            context: 64,
        }
    }
}

/// One entity of an article, as the identity state sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityName {
    pub id: String,
    /// Knowledge-base entity (its id is global) rather than a document-local one.
    pub kb: bool,
    /// `person`, `organization`, `place`, `group`, `misc`.
    pub kind: String,
    /// Every form the article wrote it in (the name first).
    pub names: Vec<String>,
    /// Words of the roles attached to its mentions.
    pub roles: Vec<String>,
}

impl EntityName {
    pub fn local(id: &str, name: &str, kind: &str) -> EntityName {
        EntityName { id: id.into(), kb: false, kind: kind.into(), names: vec![name.into()], roles: Vec::new() }
    }

    pub fn kb(id: &str, name: &str, kind: &str) -> EntityName {
        EntityName { id: id.into(), kb: true, kind: kind.into(), names: vec![name.into()], roles: Vec::new() }
    }
}

/// What one article changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merges {
    /// `(entity id, identity id)`: ids now answered by another identity's id.
    pub mapped: Vec<(String, String)>,
    /// `(old identity id, new identity id)`: identities absorbed by another (every id mapped
    /// to the old one now maps to the new one).
    pub renamed: Vec<(String, String)>,
    /// Evidence per mapped id: name similarity and shared context weight.
    pub evidence: Vec<(String, f32, f32)>,
}

/// A name's words are stored as their folded form; the comparison views are recomputed.
mod forms_as_folded {
    use super::Forms;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[Forms], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|f| f.folded.as_str()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Forms>, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.iter().map(|w| Forms::new(w)).collect())
    }
}

/// A name, ready to compare.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Name {
    #[serde(with = "forms_as_folded")]
    words: Vec<Forms>,
    /// Transliteration key of the words joined.
    joined: String,
}

const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "dame",
    "gen",
    "col",
    "lt",
    "capt",
    "sgt",
    "rev",
    "st",
    "president",
    "minister",
    "senator",
    "sen",
    "rep",
    "gov",
    "judge",
    "mayor",
    "the",
];

fn name_of(s: &str) -> Option<Name> {
    let folded = fold(s);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).filter(|w| !HONORIFICS.contains(w)).collect();
    // Middle initials go; a name of initials alone is kept as it is.
    let kept: Vec<&str> = if words.len() > 2 {
        let mut v: Vec<&str> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if w.chars().count() > 1 || i == 0 || i + 1 == words.len() {
                v.push(w);
            }
        }
        v
    } else {
        words
    };
    if kept.is_empty() {
        return None;
    }
    let joined = translit_key(&kept.concat());
    if joined.chars().count() < 3 {
        return None;
    }
    Some(Name { words: kept.iter().map(|w| Forms::new(w)).collect(), joined })
}

/// How close two names are (0 when not close), and whether they share one key.
fn name_similarity(a: &Name, b: &Name, person: bool) -> (f32, bool) {
    if a.joined == b.joined {
        return (0.95, true);
    }
    let (la, lb) = (a.words.len(), b.words.len());
    if la != lb && !(person && la.min(lb) == 1) {
        return (0.0, false);
    }
    let last = forms_similarity(&a.words[la - 1], &b.words[lb - 1]);
    if last < IdentityConfig::default().last_word {
        return (0.0, false);
    }
    if la == lb {
        let mut worst = last;
        for i in 0..la - 1 {
            let (x, y) = (&a.words[i], &b.words[i]);
            let s = forms_similarity(x, y);
            // An initial matches a name with that first letter.
            let initial = (x.folded.chars().count() == 1 || y.folded.chars().count() == 1)
                && x.folded.chars().next() == y.folded.chars().next();
            if s < IdentityConfig::default().first_word && !initial {
                return (0.0, false);
            }
            worst = worst.min(if initial { 0.8 } else { s });
        }
        return (worst, false);
    }
    // A surname alone against a full name.
    (last * 0.9, false)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Identity {
    /// The id answering for the identity (a KB id when it holds one).
    id: String,
    kb: bool,
    kind: String,
    names: Vec<Name>,
    context: HashMap<String, u32>,
    alive: bool,
}

/// Incremental cross-document identity. See the module documentation.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Identities {
    cfg: IdentityConfig,
    identities: Vec<Identity>,
    /// Union-find over identities.
    parent: Vec<usize>,
    of_id: HashMap<String, usize>,
    /// Name key → the most recent identities with a name of that key.
    index: HashMap<String, Vec<usize>>,
    df: HashMap<String, u32>,
    docs: u32,
}

/// Kinds whose local entities are merged.
fn mergeable(kind: &str) -> bool {
    matches!(kind, "person" | "organization" | "place")
}

/// The `kind` string of an entity type.
fn kind_name(k: EntityType) -> &'static str {
    match k {
        EntityType::Person => "person",
        EntityType::Organization => "organization",
        EntityType::Place => "place",
        EntityType::Group => "group",
        _ => "misc",
    }
}

/// An article's entities as [`Identities::add`] takes them: each distinct id with its
/// forms (pronoun and description mentions left out) and role words.
pub fn entities_of(doc: &Document) -> Vec<EntityName> {
    let mut out: Vec<EntityName> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut slots = Vec::with_capacity(doc.layers.entities.len());
    for e in &doc.layers.entities {
        let id = e.id.trim();
        let i = *slot.entry(id).or_insert_with(|| {
            let kb = e.kb_id.is_some() || !id.starts_with("local:");
            out.push(EntityName {
                id: id.to_string(),
                kb,
                kind: kind_name(e.kind).to_string(),
                names: vec![e.name.clone()],
                roles: Vec::new(),
            });
            out.len() - 1
        });
        for a in &e.aliases {
            if !out[i].names.contains(a) {
                out[i].names.push(a.clone());
            }
        }
        slots.push(i);
    }
    for m in &doc.layers.mentions {
        let Some(&i) = m.entity.and_then(|e| slots.get(e as usize)) else { continue };
        if let Some(role) = m.role {
            for w in doc.slice(role).split(|c: char| !c.is_alphabetic()) {
                if let Some(w) = crate::story::content_word(w) {
                    if !out[i].roles.contains(&w) {
                        out[i].roles.push(w);
                    }
                }
            }
        }
    }
    out.retain(|n| !n.id.is_empty());
    out
}

impl Identities {
    pub fn new(cfg: IdentityConfig) -> Identities {
        Identities { cfg, ..Identities::default() }
    }

    fn root(&self, mut i: usize) -> usize {
        while self.parent[i] != i {
            i = self.parent[i];
        }
        i
    }

    /// The id answering for `id` (itself when it was never merged).
    pub fn resolve<'a>(&'a self, id: &'a str) -> &'a str {
        match self.of_id.get(id) {
            Some(&i) => &self.identities[self.root(i)].id,
            None => id,
        }
    }

    fn idf(&self, f: &str) -> f32 {
        let df = self.df.get(f).copied().unwrap_or(0).max(1);
        (1.0 + self.docs.max(1) as f32 / df as f32).ln()
    }

    fn shared(&self, ctx: &[String], ident: &Identity) -> f32 {
        ctx.iter().filter(|f| ident.context.contains_key(*f)).map(|f| self.idf(f)).sum()
    }

    fn keys(name: &Name) -> [String; 2] {
        [name.joined.clone(), format!("~{}", translit_key(&name.words[name.words.len() - 1].folded))]
    }

    fn new_identity(&mut self, n: &EntityName, names: Vec<Name>) -> usize {
        let i = self.identities.len();
        self.identities.push(Identity {
            id: n.id.clone(),
            kb: n.kb,
            kind: n.kind.clone(),
            names: Vec::new(),
            context: HashMap::new(),
            alive: true,
        });
        self.parent.push(i);
        self.of_id.insert(n.id.clone(), i);
        self.add_names(i, names);
        i
    }

    fn add_names(&mut self, i: usize, names: Vec<Name>) {
        for name in names {
            if self.identities[i].names.iter().any(|x| x.joined == name.joined) || self.identities[i].names.len() >= 16
            {
                continue;
            }
            for k in Self::keys(&name) {
                let v = self.index.entry(k).or_default();
                if !v.contains(&i) {
                    v.push(i);
                    if v.len() > self.cfg.per_key {
                        v.remove(0);
                    }
                }
            }
            self.identities[i].names.push(name);
        }
    }

    fn add_context(&mut self, i: usize, ctx: &[String]) {
        let keep = self.cfg.context;
        let c = &mut self.identities[i].context;
        for f in ctx {
            *c.entry(f.clone()).or_insert(0) += 1;
        }
        if c.len() > 2 * keep {
            let mut v: Vec<(String, u32)> = c.drain().collect();
            v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v.truncate(keep);
            *c = v.into_iter().collect();
        }
    }

    /// Merges identity `b` into `a` (or `a` into `b` when only `b` holds a KB id); returns the
    /// root kept and records the renaming.
    fn union(&mut self, a: usize, b: usize, out: &mut Merges) -> usize {
        let (a, b) = (self.root(a), self.root(b));
        if a == b {
            return a;
        }
        // Keep the KB one, else the older one.
        let (keep, gone) = match (self.identities[a].kb, self.identities[b].kb) {
            (false, true) => (b, a),
            (true, false) => (a, b),
            _ if a < b => (a, b),
            _ => (b, a),
        };
        self.parent[gone] = keep;
        let g = std::mem::replace(
            &mut self.identities[gone],
            Identity {
                id: String::new(),
                kb: false,
                kind: String::new(),
                names: Vec::new(),
                context: HashMap::new(),
                alive: false,
            },
        );
        self.identities[gone].id = g.id.clone();
        self.add_names(keep, g.names);
        let ctx: Vec<String> = g.context.into_iter().flat_map(|(f, n)| std::iter::repeat_n(f, n as usize)).collect();
        self.add_context(keep, &ctx);
        out.renamed.push((g.id, self.identities[keep].id.clone()));
        keep
    }

    /// The best agreeing identity for a local entity, with its name similarity and shared weight.
    fn best(&self, n: &EntityName, names: &[Name], ctx: &[String], me: Option<usize>) -> Option<(usize, f32, f32)> {
        let person = n.kind == "person";
        // Two knowledge-base entities are never merged.
        let me_kb = me.map_or(n.kb, |m| self.identities[m].kb);
        let mut best: Option<(usize, f32, f32)> = None;
        let mut seen: Vec<usize> = Vec::new();
        for name in names {
            for k in Self::keys(name) {
                for &c in self.index.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                    let r = self.root(c);
                    if Some(r) == me || seen.contains(&r) {
                        continue;
                    }
                    seen.push(r);
                    let ident = &self.identities[r];
                    if !ident.alive || !mergeable(&ident.kind) || (me_kb && ident.kb) {
                        continue;
                    }
                    let (mut sim, mut same_key) = (0.0f32, false);
                    for a in names {
                        for b in &ident.names {
                            let p = person && ident.kind == "person";
                            let (s, k) = name_similarity(a, b, p);
                            if s > sim {
                                (sim, same_key) = (s, k);
                            }
                        }
                    }
                    if sim <= 0.0 || (ident.kind != n.kind && !same_key) {
                        continue;
                    }
                    let shared = self.shared(ctx, ident);
                    let need = if same_key { self.cfg.same_key_context } else { self.cfg.close_name_context };
                    if shared < need {
                        continue;
                    }
                    let better = match best {
                        None => true,
                        Some((_, s, w)) => (sim, shared) > (s, w),
                    };
                    if better {
                        best = Some((r, sim, shared));
                    }
                }
            }
        }
        best
    }

    /// Adds one article: its entities and the ids of everything it names (`context`, e.g.
    /// [`context_of`]). Returns the merges decided.
    pub fn add(&mut self, entities: &[EntityName], context: &[String]) -> Merges {
        let mut out = Merges::default();
        self.docs += 1;
        // Context features by their current identity ids.
        let mut ctx: Vec<String> = context.iter().map(|c| self.resolve(c).to_string()).collect();
        ctx.sort();
        ctx.dedup();
        for f in &ctx {
            *self.df.entry(f.clone()).or_insert(0) += 1;
        }
        for n in entities {
            if !mergeable(&n.kind) {
                continue;
            }
            let names: Vec<Name> = n.names.iter().filter_map(|s| name_of(s)).collect();
            if names.is_empty() {
                continue;
            }
            let own = self.resolve(&n.id).to_string();
            let mut feats: Vec<String> = ctx.iter().filter(|f| **f != own && **f != n.id).cloned().collect();
            feats.extend(n.roles.iter().map(|r| format!("role:{r}")));
            let me = self.of_id.get(&n.id).map(|&i| self.root(i));
            let found = self.best(n, &names, &feats, me);
            let at = match (me, found) {
                (Some(m), Some((c, sim, w))) => {
                    // This article bridges two identities.
                    let kept = self.union(m, c, &mut out);
                    out.evidence.push((n.id.clone(), sim, w));
                    kept
                }
                (Some(m), None) => m,
                (None, Some((c, sim, w))) if !n.kb => {
                    self.of_id.insert(n.id.clone(), c);
                    out.mapped.push((n.id.clone(), self.identities[c].id.clone()));
                    out.evidence.push((n.id.clone(), sim, w));
                    c
                }
                (None, Some((c, sim, w))) => {
                    // A KB entity whose close name some local identity holds: it absorbs it.
                    let i = self.new_identity(n, Vec::new());
                    let kept = self.union(i, c, &mut out);
                    out.evidence.push((n.id.clone(), sim, w));
                    kept
                }
                (None, None) => self.new_identity(n, Vec::new()),
            };
            self.add_names(at, names);
            self.add_context(at, &feats);
        }
        out
    }

    /// Ids merged so far: `(entity id, identity id)` for every id answered by another.
    pub fn mapping(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .of_id
            .iter()
            .filter_map(|(id, &i)| {
                let r = &self.identities[self.root(i)].id;
                (r != id).then(|| (id.clone(), r.clone()))
            })
            .collect();
        v.sort();
        v
    }
}

/// The ids an article names (its context for identity): every entity id.
pub fn context_of(entities: &[EntityName]) -> Vec<String> {
    entities.iter().map(|n| n.id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article: (id, name, kind, kb) entities; the rest of its named ids are context.
    type Art<'a> = &'a [(&'a str, &'a str, &'a str, bool)];

    fn run(arts: &[Art]) -> Identities {
        let mut ids = Identities::default();
        for a in arts {
            let ents: Vec<EntityName> = a
                .iter()
                .map(
                    |(id, name, kind, kb)| {
                        if *kb {
                            EntityName::kb(id, name, kind)
                        } else {
                            EntityName::local(id, name, kind)
                        }
                    },
                )
                .collect();
            ids.add(&ents, &context_of(&ents));
        }
        ids
    }

    const PUTIN: (&str, &str, &str, bool) = ("per:vladimir-putin", "Vladimir Putin", "person", true);
    const KREMLIN: (&str, &str, &str, bool) = ("org:kremlin", "Kremlin", "organization", true);
    const MOSCOW: (&str, &str, &str, bool) = ("loc:moscow", "Moscow", "place", true);
    const US: (&str, &str, &str, bool) = ("loc:us", "United States", "place", true);

    #[test]
    fn identity_table() {
        // Background articles so that context weights mean something.
        let bg: Vec<[(&str, &str, &str, bool); 2]> = (0..6)
            .map(|i| [US, (["loc:a", "loc:b", "loc:c", "loc:d", "loc:e", "loc:f"][i], "X", "place", true)])
            .collect();
        // (case, articles, pairs that must be one identity, pairs that must stay apart)
        type Case<'a> = (&'a str, Vec<Art<'a>>, Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);
        let cases: Vec<Case> = vec![
            (
                "transliteration variant, same context",
                vec![
                    &[("local:person:sergei-markov", "Sergei Markov", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:sergey-markov", "Sergey Markov", "person", false), PUTIN, KREMLIN],
                ],
                vec![("local:person:sergey-markov", "local:person:sergei-markov")],
                vec![],
            ),
            (
                "same variant, unrelated context",
                vec![
                    &[("local:person:sergei-markov", "Sergei Markov", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[
                        ("local:person:sergey-markov", "Sergey Markov", "person", false),
                        ("org:nhl", "NHL", "organization", true),
                        ("loc:montreal", "Montreal", "place", true),
                    ],
                ],
                vec![],
                vec![("local:person:sergey-markov", "local:person:sergei-markov")],
            ),
            (
                "a surname spelled another way merges in context; a different surname does not",
                vec![
                    &[("local:person:steve-witkof", "Steve Witkof", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:steve-witkoff", "Steve Witkoff", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:steve-witkop", "Steve Witkop", "person", false), US],
                ],
                vec![("local:person:steve-witkoff", "local:person:steve-witkof")],
                vec![("local:person:steve-witkop", "local:person:steve-witkof")],
            ),
            (
                "different first names are different people, whatever the context",
                vec![
                    &[("local:person:maria-lopez", "Maria Lopez", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:mario-lopez", "Mario Lopez", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:anna-markova", "Anna Markova", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:ivan-markov", "Ivan Markov", "person", false), PUTIN, KREMLIN, MOSCOW],
                ],
                vec![],
                vec![
                    ("local:person:maria-lopez", "local:person:mario-lopez"),
                    ("local:person:anna-markova", "local:person:ivan-markov"),
                ],
            ),
            (
                "an honorific and a surname alone join the full name in context",
                vec![
                    &[("local:person:lena-orlova", "Lena Orlova", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:ms-orlova", "Ms. Orlova", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("local:person:orlova", "Orlova", "person", false), US],
                ],
                vec![("local:person:ms-orlova", "local:person:lena-orlova")],
                vec![("local:person:orlova", "local:person:lena-orlova")],
            ),
            (
                "a later knowledge-base link absorbs the local identity",
                vec![
                    &[("local:person:dmitry-s-peskov", "Dmitry S. Peskov", "person", false), PUTIN, KREMLIN, MOSCOW],
                    &[("per:dmitry-peskov", "Dmitry Peskov", "person", true), PUTIN, KREMLIN],
                    &[("local:person:dmitri-peskov", "Dmitri Peskov", "person", false), PUTIN, KREMLIN, MOSCOW],
                ],
                vec![
                    ("local:person:dmitry-s-peskov", "per:dmitry-peskov"),
                    ("local:person:dmitri-peskov", "per:dmitry-peskov"),
                ],
                vec![],
            ),
            (
                "places and organizations need every word, and kinds must agree unless the key is one",
                vec![
                    &[("local:place:east-donetsk", "East Donetsk", "place", false), PUTIN, KREMLIN, MOSCOW],
                    &[("loc:donetsk", "Donetsk", "place", true), PUTIN, KREMLIN, MOSCOW],
                    &[("local:organization:spartan-brigade", "Spartan Brigade", "organization", false), PUTIN, KREMLIN],
                    &[("local:place:spartan-brigad", "Spartan Brigad", "place", false), PUTIN, KREMLIN],
                    &[("local:place:kiyv", "Kiyv", "place", false), PUTIN, KREMLIN, MOSCOW],
                    &[("loc:kyiv", "Kyiv", "place", true), PUTIN, KREMLIN, MOSCOW],
                ],
                vec![("local:place:kiyv", "loc:kyiv")],
                vec![
                    ("local:place:east-donetsk", "loc:donetsk"),
                    ("local:organization:spartan-brigade", "local:place:spartan-brigad"),
                ],
            ),
            (
                "two KB entities never merge",
                vec![
                    &[("per:a-smith", "John Smith", "person", true), PUTIN, KREMLIN, MOSCOW],
                    &[("per:b-smith", "John Smith", "person", true), PUTIN, KREMLIN, MOSCOW],
                ],
                vec![],
                vec![("per:a-smith", "per:b-smith")],
            ),
        ];
        for (name, arts, same, apart) in cases {
            let mut all: Vec<Art> = bg.iter().map(|a| &a[..]).collect();
            all.extend(arts);
            let ids = run(&all);
            for (a, b) in same {
                assert_eq!(ids.resolve(a), ids.resolve(b), "{name}: {a} and {b} should be one: {:?}", ids.mapping());
            }
            for (a, b) in apart {
                assert_ne!(
                    ids.resolve(a),
                    ids.resolve(b),
                    "{name}: {a} and {b} should stay apart: {:?}",
                    ids.mapping()
                );
            }
        }
    }

    #[test]
    fn names() {
        let n = |s: &str| name_of(s).unwrap();
        assert_eq!(n("Mr. Zelenskyy").words.len(), 1);
        assert_eq!(n("Dmitry S. Peskov").joined, n("Dmitry Peskov").joined);
        assert_eq!(n("Xi Jin-ping").joined, n("Xi Jinping").joined);
        assert_eq!(name_similarity(&n("Zelenskyy"), &n("Volodymyr Zelensky"), true).0 > 0.8, true);
        assert_eq!(name_similarity(&n("Zelenskyy"), &n("Volodymyr Zelensky"), false).0, 0.0);
        assert!(name_of("Mr.").is_none());
    }
}
