//! The newsgraph knowledge base.
//!
//! Entries (persons, organizations, places, groups) are read from tab-separated data files
//! (`data/kb/*.tsv`, format in `data/kb/FORMAT.md`); the committed files are compiled into
//! the binary and users can add their own with [`Kb::add_file`]. The base answers three
//! questions for the linker:
//!
//! * which entries carry exactly this name or alias ([`Kb::exact`], case- and
//!   accent-insensitive);
//! * which entries carry a name *like* this one ([`Kb::search`]): transliteration-aware
//!   fuzzy and phonetic matching over name tokens (see [`names`]), through a
//!   deletion-neighbourhood index so that a lookup touches a few dozen names, not all;
//! * what an entry is and was: type, subtype, country, roles with date ranges.
//!
//! ```
//! let kb = newsgraph_kb::Kb::parse("t.tsv", "per:a\tperson\tpolitician\tVolodymyr Zelenskyy\tZelenskyy\tUA\tPresident|UA|GOV|2019-05-20|\t\n").unwrap();
//! let hits = kb.search("Volodimir Zelenski", 3);
//! assert_eq!(kb.entry(hits[0].entry).id, "per:a");
//! assert!(hits[0].score > 0.9);
//! ```
pub mod names;

use chrono::NaiveDate;
use names::{fold, forms_prefix_similarity, forms_similarity, skeleton, translit_key, Forms};
use newsgraph_model::EntityType;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// A malformed knowledge-base line.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct KbError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A role held over a period ("President of Russia since 2012-05-07").
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub title: String,
    /// ISO 3166-1 alpha-2 of the country served (empty for international posts).
    pub country: String,
    /// CAMEO-style sector: GOV, MIL, LEG, JUD, OPP, REB, IGO, NGO, BUS, MED, EDU, SPY, PTY.
    pub sector: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Role {
    /// Whether the role was held on `date` (open ends count as held).
    pub fn held_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// One knowledge-base entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub kind: EntityType,
    pub subtype: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2, or empty.
    pub country: String,
    pub roles: Vec<Role>,
    pub attrs: Vec<(String, String)>,
}

impl Entry {
    /// The value of an attribute (`qid`, `lat`, `hq`, `demonym`, …).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    /// The canonical name, then the aliases, then (countries) the demonyms.
    pub fn names(&self) -> impl Iterator<Item = (&str, NameKind)> {
        std::iter::once((self.name.as_str(), NameKind::Canonical))
            .chain(self.aliases.iter().map(|a| (a.as_str(), NameKind::Alias)))
            .chain(self.attr("demonym").into_iter().flat_map(|d| d.split('|')).map(|d| (d, NameKind::Demonym)))
    }
    /// Roles held on a date.
    pub fn roles_on(&self, date: NaiveDate) -> impl Iterator<Item = &Role> {
        self.roles.iter().filter(move |r| r.held_on(date))
    }
    /// Latitude and longitude, when the entry has them.
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        Some((self.attr("lat")?.parse().ok()?, self.attr("lon")?.parse().ok()?))
    }
}

/// How a name belongs to its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Canonical,
    Alias,
    /// A nationality word of a country ("Russian"): refers to the group, not the place.
    Demonym,
}

/// An entry found by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub entry: u32,
    /// The entry's name or alias that matched best.
    pub name: String,
    pub name_kind: NameKind,
    /// Name similarity, 0..=1 (1: equal after folding).
    pub score: f32,
    /// How much of the searched name the match explains, 0..=1 (weighted by word rarity):
    /// "Hunter Biden" explains only half of itself by "Joe Biden".
    pub coverage: f32,
    /// How much of the entry's name the searched name explains, 0..=1: "Supreme Court"
    /// explains little of "Supreme Court of India".
    pub name_coverage: f32,
}

/// Words that carry no identity in names ("Institute *for the* Study *of* War").
const NAME_STOPWORDS: &[&str] =
    &["of", "the", "for", "and", "in", "on", "at", "de", "du", "des", "la", "le", "da", "do", "al", "el", "von", "van"];

/// Designators a place's name may carry or drop ("Sumy Oblast" is also "Sumy"): on the
/// name's side they count only when the mention has them too.
const OPTIONAL_DESIGNATORS: &[&str] = &[
    "oblast",
    "region",
    "province",
    "governorate",
    "prefecture",
    "county",
    "district",
    "krai",
    "okrug",
    "voivodeship",
];

fn name_tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|t| !t.is_empty() && !NAME_STOPWORDS.contains(t))
}

/// FNV-1a: the index keys are short strings, for which SipHash's setup dominates.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// One distinct name token of the vocabulary.
struct Vocab {
    forms: Forms,
    /// How many names contain it (for weighting: rare tokens identify, common ones do not).
    df: u32,
    /// (entry, name index in `Entry::names()`) pairs that contain it.
    names: Vec<(u32, u16)>,
}

/// The knowledge base and its indexes.
#[derive(Default)]
pub struct Kb {
    entries: Vec<Entry>,
    by_id: HashMap<String, u32>,
    /// Folded full name → (entry, name kind).
    exact: FastMap<String, Vec<(u32, NameKind)>>,
    /// Per entry, its names folded (in `Entry::names()` order).
    folded_names: Vec<Vec<String>>,
    vocab: Vec<Vocab>,
    vocab_ids: FastMap<String, u32>,
    /// Translit key, its one-letter deletions and its skeleton → vocab ids.
    neighbours: FastMap<String, Vec<u32>>,
}

/// The committed knowledge-base files, compiled in.
pub static BUILTIN_FILES: &[(&str, &str)] = &[
    ("countries.tsv", include_str!("../../../data/kb/countries.tsv")),
    ("regions.tsv", include_str!("../../../data/kb/regions.tsv")),
    ("persons.tsv", include_str!("../../../data/kb/persons.tsv")),
    ("organizations.tsv", include_str!("../../../data/kb/organizations.tsv")),
    ("groups.tsv", include_str!("../../../data/kb/groups.tsv")),
    ("geo-features.tsv", include_str!("../../../data/kb/geo-features.tsv")),
];

/// The knowledge base of the committed files plus the user's files named by the environment
/// variable `NEWSGRAPH_KB` (files or folders of `*.tsv`, separated by `:`), built once. A user
/// file that does not parse is skipped with a warning on stderr naming the file and line.
pub fn builtin() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| {
        let mut kb = Kb::default();
        for (file, text) in BUILTIN_FILES {
            kb.add_file(file, text).expect("committed knowledge-base files parse (checked by tests)");
        }
        if let Ok(spec) = std::env::var("NEWSGRAPH_KB") {
            for warning in kb.add_user_files(&spec) {
                eprintln!("newsgraph: warning: knowledge base: {warning}");
            }
        }
        kb
    })
}

fn parse_date(s: &str, end: bool) -> Option<NaiveDate> {
    let p: Vec<&str> = s.split('-').collect();
    let y: i32 = p.first()?.parse().ok()?;
    match p.len() {
        1 => NaiveDate::from_ymd_opt(y, if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        2 => {
            let m: u32 = p[1].parse().ok()?;
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            if end {
                let next =
                    if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(y, m + 1, 1)? };
                next.pred_opt()
            } else {
                Some(first)
            }
        }
        3 => NaiveDate::from_ymd_opt(y, p[1].parse().ok()?, p[2].parse().ok()?),
        _ => None,
    }
}

fn parse_kind(s: &str) -> Option<EntityType> {
    Some(match s {
        "person" => EntityType::Person,
        "organization" => EntityType::Organization,
        "place" => EntityType::Place,
        "group" => EntityType::Group,
        _ => return None,
    })
}

fn parse_line(line: &str) -> Result<Entry, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() != 8 {
        return Err(format!("expected 8 tab-separated columns, found {}", cols.len()));
    }
    let kind = parse_kind(cols[1]).ok_or_else(|| format!("unknown type {:?}", cols[1]))?;
    if cols[0].is_empty() || cols[3].is_empty() {
        return Err("id and name must not be empty".into());
    }
    let mut roles = Vec::new();
    for r in cols[6].split(';').filter(|r| !r.trim().is_empty()) {
        let f: Vec<&str> = r.split('|').collect();
        if f.len() != 5 {
            return Err(format!("role {r:?}: expected Title|CC|SECTOR|from|to"));
        }
        let date = |s: &str, end: bool| -> Result<Option<NaiveDate>, String> {
            if s.is_empty() {
                Ok(None)
            } else {
                parse_date(s, end).map(Some).ok_or_else(|| format!("role {r:?}: bad date {s:?}"))
            }
        };
        roles.push(Role {
            title: f[0].to_string(),
            country: f[1].to_string(),
            sector: f[2].to_string(),
            from: date(f[3], false)?,
            to: date(f[4], true)?,
        });
    }
    let mut attrs = Vec::new();
    for a in cols[7].split(';').filter(|a| !a.trim().is_empty()) {
        let (k, v) = a.split_once('=').ok_or_else(|| format!("attribute {a:?}: expected key=value"))?;
        attrs.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Entry {
        id: cols[0].to_string(),
        kind,
        subtype: cols[2].to_string(),
        name: cols[3].to_string(),
        aliases: cols[4].split('|').map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect(),
        country: cols[5].to_string(),
        roles,
        attrs,
    })
}

fn deletions(key: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = key.chars().collect();
    let n = if chars.len() >= 4 { chars.len() } else { 0 };
    (0..n).map(move |i| chars.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| *c).collect())
}

impl Kb {
    /// A knowledge base of one file's text.
    pub fn parse(file: &str, text: &str) -> Result<Kb, KbError> {
        let mut kb = Kb::default();
        kb.add_file(file, text)?;
        Ok(kb)
    }

    /// Adds the entries of one file. An entry whose id is already present replaces the
    /// earlier one's names and attributes (a user file can correct a committed entry).
    /// On error nothing of this file is added.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), KbError> {
        let mut parsed = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            parsed.push(parse_line(line).map_err(|message| KbError {
                file: file.to_string(),
                line: i + 1,
                message,
            })?);
        }
        for e in parsed {
            self.insert(e);
        }
        Ok(())
    }

    /// Adds user files: `spec` lists files or folders (their `*.tsv`, in name order)
    /// separated by `:`. Returns one message per file that could not be read or parsed
    /// (those files add nothing).
    pub fn add_user_files(&mut self, spec: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut files = Vec::new();
        for part in spec.split(':').filter(|p| !p.trim().is_empty()) {
            let path = std::path::Path::new(part.trim());
            if path.is_dir() {
                match std::fs::read_dir(path) {
                    Ok(rd) => {
                        let mut tsv: Vec<_> = rd
                            .filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
                            .collect();
                        tsv.sort();
                        files.extend(tsv);
                    }
                    Err(e) => warnings.push(format!("{}: {e}", path.display())),
                }
            } else {
                files.push(path.to_path_buf());
            }
        }
        for f in files {
            let name = f.display().to_string();
            match std::fs::read(&f) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        if let Err(e) = self.add_file(&name, &text) {
                            warnings.push(format!("{e} (file skipped)"));
                        }
                    }
                    Err(e) => warnings
                        .push(format!("{name}: not UTF-8 (byte {}; file skipped)", e.utf8_error().valid_up_to())),
                },
                Err(e) => warnings.push(format!("{name}: {e}")),
            }
        }
        warnings
    }

    fn insert(&mut self, e: Entry) {
        if let Some(&old) = self.by_id.get(&e.id) {
            // Replace in place. The old names leave the exact index; stale token rows stay
            // but are harmless (search scores the entry's current names).
            let names: Vec<String> = self.entries[old as usize].names().map(|(n, _)| fold(n)).collect();
            for n in names {
                if let Some(v) = self.exact.get_mut(&n) {
                    v.retain(|&(i, _)| i != old);
                }
            }
            self.entries[old as usize] = e;
            self.index_names(old);
            return;
        }
        let id = self.entries.len() as u32;
        self.by_id.insert(e.id.clone(), id);
        self.entries.push(e);
        self.index_names(id);
    }

    fn index_names(&mut self, id: u32) {
        let names: Vec<(String, NameKind)> = self.entries[id as usize].names().map(|(n, k)| (fold(n), k)).collect();
        let folded: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
        if self.folded_names.len() <= id as usize {
            self.folded_names.resize(id as usize + 1, Vec::new());
        }
        self.folded_names[id as usize] = folded;
        for (ni, (folded, kind)) in names.iter().enumerate().filter(|(_, (n, _))| !n.is_empty()) {
            let slot = self.exact.entry(folded.clone()).or_default();
            if !slot.contains(&(id, *kind)) {
                slot.push((id, *kind));
            }
            let toks: HashSet<&str> = name_tokens(folded).collect();
            for t in toks {
                let v = match self.vocab_ids.get(t) {
                    Some(&v) => v,
                    None => {
                        let v = self.vocab.len() as u32;
                        self.vocab.push(Vocab { forms: Forms::new(t), df: 0, names: Vec::new() });
                        self.vocab_ids.insert(t.to_string(), v);
                        let key = translit_key(t);
                        let mut keys: Vec<String> = deletions(&key).collect();
                        keys.push(skeleton(&key));
                        keys.push(key);
                        for k in keys {
                            self.neighbours.entry(k).or_default().push(v);
                        }
                        v
                    }
                };
                let voc = &mut self.vocab[v as usize];
                voc.df += 1;
                voc.names.push((id, ni as u16));
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i as usize])
    }
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// Entries with exactly this name (after folding), with how the name belongs to each.
    pub fn exact(&self, name: &str) -> Vec<(u32, NameKind)> {
        self.exact_folded(&fold(name)).to_vec()
    }

    /// [`Kb::exact`] for a name already passed through [`names::fold`].
    pub fn exact_folded(&self, folded: &str) -> &[(u32, NameKind)] {
        self.exact.get(folded).map_or(&[], Vec::as_slice)
    }

    /// Token weight: rare name tokens identify an entry, common ones ("institute",
    /// "national") barely do.
    fn weight(&self, word: &str) -> f32 {
        let df = self.vocab_ids.get(word).map(|&v| self.vocab[v as usize].df).unwrap_or(1);
        (1.0 + (self.entries.len().max(2) as f32 / df as f32).ln()).max(0.5)
    }

    /// Name similarity of two folded names, 0..=1: a weighted, order-free alignment of their
    /// tokens (each mention token to its most similar name token, exact, transliterated,
    /// fuzzy or as a truncated prefix), combining both sides' coverage (harmonic mean for a
    /// one-word mention; 0.6 × the mention's + 0.4 × the name's otherwise).
    pub fn name_similarity(&self, mention: &str, name: &str) -> f32 {
        if mention == name {
            return 1.0;
        }
        let m: Vec<Forms> = name_tokens(mention).map(Forms::new).collect();
        self.similarity_to(&m, name).0
    }

    /// The forms of a name token: the vocabulary's, computed once, when the token is known.
    fn forms_of<'s>(&'s self, token: &str, scratch: &'s mut Option<Forms>) -> &'s Forms {
        match self.vocab_ids.get(token) {
            Some(&v) => &self.vocab[v as usize].forms,
            None => scratch.insert(Forms::new(token)),
        }
    }

    /// (similarity, coverage of the mention, coverage of the name) — see
    /// [`Kb::name_similarity`] and [`Candidate`].
    fn similarity_to(&self, m: &[Forms], name: &str) -> (f32, f32, f32) {
        let n: Vec<&str> = name_tokens(name).collect();
        if m.is_empty() || n.is_empty() {
            return (0.0, 0.0, 0.0);
        }
        let mut scratch: Vec<Option<Forms>> = vec![None; n.len()];
        let nf: Vec<&Forms> = n.iter().zip(scratch.iter_mut()).map(|(t, s)| self.forms_of(t, s)).collect();
        let mut best_n = vec![0f32; n.len()];
        let (mut cover_m, mut total_m) = (0f32, 0f32);
        // The most distinctive written word must be well explained ("Spartan Brigade" is not
        // "Separate Assault Brigade" just because brigades share a word).
        let mut key_word = (0f32, 0f32); // (weight, similarity) of the heaviest mention token
        for a in m {
            let mut best = (0f32, usize::MAX);
            for (j, b) in nf.iter().enumerate() {
                let s =
                    forms_similarity(a, b).max(forms_prefix_similarity(a, b)).max(0.9 * forms_prefix_similarity(b, a));
                if s > best.0 {
                    best = (s, j);
                }
            }
            // A mention token is weighed by what it matched (an unknown token by itself).
            let w = if best.1 != usize::MAX { self.weight(n[best.1]) } else { self.weight(&a.folded) };
            total_m += w;
            if w > key_word.0 {
                key_word = (w, best.0);
            }
            if best.1 != usize::MAX && best.0 >= 0.55 {
                cover_m += w * best.0;
                best_n[best.1] = best_n[best.1].max(best.0);
            }
        }
        let (mut cover_n, mut total_n) = (0f32, 0f32);
        for (j, b) in n.iter().enumerate() {
            if best_n[j] == 0.0 && OPTIONAL_DESIGNATORS.contains(b) {
                continue;
            }
            let w = self.weight(b);
            total_n += w;
            cover_n += w * best_n[j];
        }
        if total_n == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let (cm, cn) = (cover_m / total_m, cover_n / total_n);
        let cm = if m.len() > 1 && key_word.1 < 0.7 { 0.8 * cm } else { cm };
        let score = if cm + cn == 0.0 {
            0.0
        } else if m.len() == 1 {
            2.0 * cm * cn / (cm + cn)
        } else {
            // Translation drops words of long names more often than it invents words, so
            // for a name of several words, explaining what was written weighs more than
            // finding every word of the entry's name.
            0.6 * cm + 0.4 * cn
        };
        (score, cm, cn)
    }

    /// Entries whose names resemble `name`, best first (at most `limit`): one candidate per
    /// entry, scored by [`Kb::name_similarity`] with the entry's best-matching name.
    pub fn search(&self, name: &str, limit: usize) -> Vec<Candidate> {
        let folded = fold(name);
        let forms: Vec<Forms> = name_tokens(&folded).map(Forms::new).collect();
        let mut names: HashSet<(u32, u16)> = HashSet::new();
        for (t, tf) in name_tokens(&folded).zip(&forms) {
            let key = translit_key(t);
            let mut probes: Vec<String> = deletions(&key).collect();
            probes.push(skeleton(&key));
            probes.push(key);
            let mut seen = HashSet::new();
            for p in probes {
                for &v in self.neighbours.get(&p).into_iter().flatten() {
                    if seen.insert(v) {
                        let voc = &self.vocab[v as usize];
                        // A very common word ("john", "national") identifies nothing.
                        if voc.df > 100 {
                            continue;
                        }
                        if forms_similarity(tf, &voc.forms) >= 0.55 {
                            names.extend(voc.names.iter().copied());
                        }
                    }
                }
            }
        }
        // In a fixed order, so that ties between an entry's names resolve the same way each run.
        let mut names: Vec<(u32, u16)> = names.into_iter().collect();
        names.sort_unstable();
        let mut best: HashMap<u32, Candidate> = HashMap::new();
        for (e, ni) in names {
            let entry = &self.entries[e as usize];
            let Some((n, kind)) = entry.names().nth(ni as usize) else { continue };
            let f = &self.folded_names[e as usize][ni as usize];
            let (score, coverage, name_coverage) =
                if *f == folded { (1.0, 1.0, 1.0) } else { self.similarity_to(&forms, f) };
            let cand = Candidate { entry: e, name: n.to_string(), name_kind: kind, score, coverage, name_coverage };
            match best.get(&e) {
                Some(c) if c.score >= score => {}
                _ => {
                    best.insert(e, cand);
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().filter(|c| c.score > 0.0).collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        out.truncate(limit);
        out
    }

    /// Entries with a name token that begins like `prefix` (a truncated name: "Crem"):
    /// (entry, the name, prefix similarity), best first.
    pub fn prefix_search(&self, prefix: &str, limit: usize) -> Vec<Candidate> {
        let p = fold(prefix);
        if p.contains(' ') || translit_key(&p).chars().count() < 3 {
            return Vec::new();
        }
        let pf = Forms::new(&p);
        let mut best: HashMap<u32, Candidate> = HashMap::new();
        for voc in &self.vocab {
            let s = forms_prefix_similarity(&pf, &voc.forms);
            if s == 0.0 {
                continue;
            }
            for &(e, ni) in &voc.names {
                let entry = &self.entries[e as usize];
                let Some((n, kind)) = entry.names().nth(ni as usize) else { continue };
                // Only single-word names: "Crem" stands for "Kremlin", not for "Kremlin Palace".
                if self.folded_names[e as usize][ni as usize].contains(' ') {
                    continue;
                }
                let c = best.entry(e).or_insert(Candidate {
                    entry: e,
                    name: n.to_string(),
                    name_kind: kind,
                    score: 0.0,
                    coverage: s,
                    name_coverage: s,
                });
                if s > c.score {
                    *c = Candidate {
                        entry: e,
                        name: n.to_string(),
                        name_kind: kind,
                        score: s,
                        coverage: s,
                        name_coverage: s,
                    };
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "\
# id\ttype\tsubtype\tname\taliases\tcountry\troles\tattrs
per:xi\tperson\thead_of_state\tXi Jinping\tXi|President Xi\tCN\tPresident|CN|GOV|2013-03-14|\tqid=Q15031
per:witkoff\tperson\tdiplomat\tSteve Witkoff\tWitkoff|Steven Witkoff\tUS\tSpecial Envoy|US|GOV|2025-01|\t
per:zelenskyy\tperson\thead_of_state\tVolodymyr Zelenskyy\tZelenskyy|Zelensky|Zelenskiy\tUA\tPresident|UA|GOV|2019-05-20|\t
per:gaddafi\tperson\thead_of_state\tMuammar Gaddafi\tGaddafi\tLY\tLeader|LY|GOV|1969|2011-10-20\t
per:navalny\tperson\tpolitician\tAlexei Navalny\tNavalny\tRU\t\t
org:isw\torganization\tthink_tank\tInstitute for the Study of War\tISW|Washington-based Institute for the Study of War\tUS\t\thq=Washington
org:winep\torganization\tthink_tank\tWashington Institute for Near East Policy\t\tUS\t\thq=Washington
org:kremlin\torganization\tgovernment_body\tKremlin\tthe Kremlin\tRU\t\thq=Moscow
loc:ua\tplace\tcountry\tUkraine\t\tUA\t\tdemonym=Ukrainian|Ukrainians;lat=49;lon=32
loc:ua-sumy\tplace\tregion\tSumy Oblast\tSumy region|Sumy\tUA\t\tlat=50.9;lon=34.8;parent=loc:ua
loc:ua-dnipropetrovsk\tplace\tregion\tDnipropetrovsk Oblast\tDnipropetrovsk region|Dnipropetrovsk\tUA\t\tparent=loc:ua
";

    fn kb() -> Kb {
        Kb::parse("fixture.tsv", FIXTURE).unwrap()
    }

    fn top(kb: &Kb, name: &str) -> (String, f32) {
        let c = kb.search(name, 5);
        assert!(!c.is_empty(), "no candidate for {name}");
        (kb.entry(c[0].entry).id.clone(), c[0].score)
    }

    #[test]
    fn parses_entries_roles_and_attributes() {
        let kb = kb();
        assert_eq!(kb.len(), 11);
        let xi = kb.get("per:xi").unwrap();
        assert_eq!(xi.attr("qid"), Some("Q15031"));
        assert!(xi.roles_on(NaiveDate::from_ymd_opt(2025, 8, 8).unwrap()).any(|r| r.title == "President"));
        assert!(xi.roles_on(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()).next().is_none());
        let g = kb.get("per:gaddafi").unwrap();
        assert!(!g.roles[0].held_on(NaiveDate::from_ymd_opt(2011, 10, 21).unwrap()));
        assert!(g.roles[0].held_on(NaiveDate::from_ymd_opt(1969, 1, 1).unwrap()));
        assert_eq!(kb.get("loc:ua-sumy").unwrap().coordinates(), Some((50.9, 34.8)));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        for (text, want) in [
            ("per:a\tperson\tx\tA\n", "t.tsv:1: expected 8"),
            ("# c\nper:a\tbeing\tx\tA\t\t\t\t\n", "t.tsv:2: unknown type"),
            ("per:a\tperson\tx\tA\t\t\tPresident|US|GOV|2020-13-01|\t\n", "bad date"),
            ("per:a\tperson\tx\tA\t\t\tPresident\t\n", "Title|CC|SECTOR|from|to"),
            ("per:a\tperson\tx\tA\t\t\t\tqid\n", "key=value"),
        ] {
            let err = Kb::parse("t.tsv", text).err().expect(text).to_string();
            assert!(err.contains(want), "{err} lacks {want}");
        }
        // A bad file adds nothing.
        let mut kb = kb();
        assert!(kb.add_file("bad.tsv", "per:new\tperson\tx\tNew\t\t\t\t\nbroken\n").is_err());
        assert!(kb.get("per:new").is_none());
    }

    #[test]
    fn exact_lookup_is_case_and_accent_insensitive() {
        let kb = kb();
        let hit = |n: &str| kb.exact(n).iter().map(|&(i, k)| (kb.entry(i).id.clone(), k)).collect::<Vec<_>>();
        assert_eq!(hit("ZELENSKY"), vec![("per:zelenskyy".to_string(), NameKind::Alias)]);
        assert_eq!(hit("Ukrainians"), vec![("loc:ua".to_string(), NameKind::Demonym)]);
        assert_eq!(hit("the kremlin"), vec![("org:kremlin".to_string(), NameKind::Alias)]);
        assert!(hit("Zelenski").is_empty());
    }

    #[test]
    fn fuzzy_search_repairs_names() {
        let kb = kb();
        // (as written, expected entry, minimum score)
        for (written, want, min) in [
            ("Ci Jinping", "per:xi", 0.9),
            ("Volodimir Zelenski", "per:zelenskyy", 0.9),
            ("Zelenskyi", "per:zelenskyy", 0.9),
            ("Steve Vikof", "per:witkoff", 0.75),
            ("Stiven Witkof", "per:witkoff", 0.75),
            ("Moammar Qaddafi", "per:gaddafi", 0.7),
            ("Muammar al-Kadhafi", "per:gaddafi", 0.7),
            ("Alexey Navalnyy", "per:navalny", 0.85),
            ("Aleksei Navalni", "per:navalny", 0.85),
            ("Denpropetrovsk", "loc:ua-dnipropetrovsk", 0.75),
            ("Warri Wash Institute", "org:isw", 0.55),
        ] {
            let (id, score) = top(&kb, written);
            assert_eq!(id, want, "{written}");
            assert!(score >= min, "{written}: {score}");
        }
        assert!(kb.search("Angela Merkel", 3).iter().all(|c| c.score < 0.5));
    }

    #[test]
    fn truncated_names_found_by_prefix() {
        let kb = kb();
        let c = kb.prefix_search("Crem", 3);
        assert_eq!(kb.entry(c[0].entry).id, "org:kremlin");
        assert!(kb.prefix_search("Zz", 3).is_empty());
    }

    #[test]
    fn user_files_from_folders_and_paths() {
        let dir = std::env::temp_dir().join(format!("newsgraph-kb-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.tsv"), "per:new\tperson\tanalyst\tSergei Markov\tMarkov\tRU\t\t\n").unwrap();
        std::fs::write(dir.join("b.tsv"), "broken line\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        let bad_utf8 = dir.join("c.tsv.bin");
        std::fs::write(&bad_utf8, [0xff, 0xfe]).unwrap();
        let mut kb = kb();
        let spec = format!("{}:{}:/no/such/file.tsv", dir.display(), bad_utf8.display());
        let warnings = kb.add_user_files(&spec);
        assert!(kb.get("per:new").is_some());
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("b.tsv:1: expected 8"), "{warnings:?}");
        assert!(warnings[1].contains("not UTF-8"), "{warnings:?}");
        assert!(warnings[2].contains("/no/such/file.tsv"), "{warnings:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn replacing_an_entry_by_id() {
        let mut kb = kb();
        kb.add_file("user.tsv", "per:navalny\tperson\tpolitician\tAlexei Navalny\tNavalny|Lyokha\tRU\t\t\n").unwrap();
        assert_eq!(kb.len(), 11);
        assert_eq!(kb.exact("Lyokha").len(), 1);
    }

    #[test]
    fn committed_files_parse_and_are_all_compiled_in() {
        let kb = builtin();
        let ids: HashSet<&str> = kb.entries().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), kb.len());
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kb");
        for f in std::fs::read_dir(dir).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".tsv") {
                assert!(BUILTIN_FILES.iter().any(|(n, _)| *n == name), "data/kb/{name} is not in BUILTIN_FILES");
            }
        }
        // Every committed id is unique across files (a later file would silently replace).
        let total: usize = BUILTIN_FILES
            .iter()
            .map(|(_, t)| t.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).count())
            .sum();
        assert_eq!(total, kb.len(), "duplicate ids across the committed files");
    }

    #[test]
    fn designators_are_optional() {
        let kb = kb();
        let c = kb.search("Dnipropetrovsk", 3);
        assert_eq!(kb.entry(c[0].entry).id, "loc:ua-dnipropetrovsk");
        assert!(kb.name_similarity("sumy", "sumy oblast") > 0.99);
        assert!(kb.name_similarity("sumy oblast", "sumy") < 0.9);
    }
}
