//! Disambiguation: score every candidate of every toponym of an article, then re-score
//! with the places the other toponyms resolved to ("minimum spread": same country, same
//! first-level region, nearby), iterated.
use crate::{distance_km, normalize, Geocoder, Place, PlaceKind};
use std::collections::HashMap;

/// A resolved toponym.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub geonameid: Option<u32>,
    /// `loc:xx` for countries, `loc:gn-ID` for GeoNames places, an extra's own id otherwise.
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2 (empty for continents).
    pub country: String,
    /// GeoNames admin1 code (US: the state's postal code); empty when unknown.
    pub admin1: String,
    pub feature_class: char,
    pub feature_code: &'static str,
    pub kind: PlaceKind,
    pub population: u64,
    /// 0..1: how far the chosen place's score stands above the runner-up's.
    pub confidence: f32,
    /// The features that decided, e.g. `name+pop+cc-context(3)+pattern`.
    pub evidence: String,
}

// Weights of the score (log population is weight 1).
const W_COUNTRY: f64 = 7.0;
const W_CONTINENT: f64 = 9.0;
/// Small: a region's population (summed over its places) already outweighs a namesake city's.
const W_REGION: f64 = 1.0;
const W_CAPITAL: f64 = 1.0;
const W_ALIAS: f64 = -0.5;
/// An alias match when another place bears the name as its own.
const W_ALIAS_BESIDE_NAME: f64 = -1.0;
const W_FALLBACK: f64 = -1.0;
/// A country or region named in the text (once or more) holding the candidate.
const W_TEXT_CC: f64 = 2.5;
const W_TEXT_A1: f64 = 3.0;
/// "Toponym, Container" in the text.
const W_PATTERN: f64 = 10.0;
/// Other toponyms of the article resolved into the candidate's country / region / nearby.
const W_CTX_CC: f64 = 2.0;
const W_CTX_A1: f64 = 2.5;
const W_CTX_NEAR: f64 = 2.0;
/// Other toponyms of the article resolved to places inside an area candidate.
const W_CTX_INSIDE: f64 = 7.0;
const NEAR_KM: f64 = 250.0;
const ITERATIONS: usize = 2;

/// Trailing generic words tried off when a name is not found ("Bulacan Province").
const GENERIC: &[&str] = &[
    "county",
    "parish",
    "city",
    "province",
    "state",
    "region",
    "district",
    "governorate",
    "prefecture",
    "municipality",
    "township",
    "town",
    "village",
    "oblast",
    "territory",
];

/// Country-level and region-level context found in the text itself.
#[derive(Default)]
struct TextContext {
    countries: HashMap<[u8; 2], f64>,
    regions: HashMap<([u8; 2], String), f64>,
    /// Extra regions without an admin1 code: (lat, lon, country).
    areas: Vec<(f32, f32, [u8; 2])>,
}

/// A candidate's score before the other toponyms are looked at.
struct Parts {
    /// Population, kind, name/alias, pattern.
    base: f64,
    /// Its country / region named in the text.
    text_country: f64,
    text_region: f64,
    evidence: String,
}

/// Support from the other toponyms' current resolutions.
#[derive(Default)]
struct Context {
    country: f64,
    region: f64,
    /// Holding other toponyms (areas), lying near them (points).
    other: f64,
    evidence: String,
}

struct Unit {
    cands: Vec<u32>,
    /// Whether each candidate matched by primary name (else by alias).
    primary: Vec<bool>,
    fallback: bool,
    /// Containers named right after the toponym ("Paris, Texas"): place indices.
    containers: Vec<u32>,
}

/// Words of a text with their byte offsets (punctuation trimmed, abbreviations kept).
fn words<'t>(text: &'t str) -> Vec<(usize, &'t str)> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes_end = text.len();
    let push = |s: usize, e: usize, out: &mut Vec<(usize, &'t str)>| {
        let w = &text[s..e];
        let lead = w.len() - w.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let w = &w[lead..];
        let mut w = w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.');
        if w.ends_with('.') && w[..w.len() - 1].find('.').is_none() && w.len() > 4 {
            w = &w[..w.len() - 1];
        }
        for suf in ["'s", "’s"] {
            if let Some(x) = w.strip_suffix(suf) {
                w = x;
            }
        }
        if !w.is_empty() {
            out.push((s + lead, w));
        }
    };
    for (i, c) in text.char_indices() {
        let sep = c.is_whitespace() || c == '-' || c == '/' || c == '—' || c == '–' || c == '(' || c == ')';
        match (sep, start) {
            (true, Some(s)) => {
                push(s, i, &mut out);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, bytes_end, &mut out);
    }
    out
}

impl Geocoder {
    /// Resolves the toponyms of one article together. `text_context` is the article text
    /// (or any text around the toponyms); it supplies countries and regions named in it and
    /// "City, State" / "City, Country" patterns. The same name in one call always resolves
    /// to the same place. `None` when no place bears the name.
    pub fn resolve_all(&self, toponyms: &[&str], text_context: &str) -> Vec<Option<Resolved>> {
        // One unit per distinct normalized name.
        let mut unit_of: Vec<Option<usize>> = Vec::with_capacity(toponyms.len());
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut raw: Vec<&str> = Vec::new();
        for t in toponyms {
            let key = normalize(t);
            if key.is_empty() {
                unit_of.push(None);
                continue;
            }
            if let Some(&u) = keys.get(&key) {
                unit_of.push(Some(u));
                continue;
            }
            let unit = self.unit(t, &key);
            keys.insert(key, units.len());
            unit_of.push(Some(units.len()));
            units.push(unit);
            raw.push(t);
        }
        let words = words(text_context);
        let text = self.text_context(&words);
        for (u, t) in units.iter_mut().zip(&raw) {
            // A region or country named first in a list ("Washington, Oregon and Idaho") is
            // not a city inside the next one.
            let is_area = u.cands.iter().zip(&u.primary).any(|(&c, &p)| p && self.places[c as usize].kind.is_area());
            if !is_area {
                u.containers.extend(self.containers(t, text_context, &words));
            }
        }

        let base: Vec<Vec<Parts>> = units.iter().map(|u| self.base_scores(u, &text)).collect();
        let mut scores: Vec<Vec<(f64, String)>> = base
            .iter()
            .map(|b| b.iter().map(|p| (p.base + p.text_country + p.text_region, p.evidence.clone())).collect())
            .collect();
        let mut choice: Vec<Option<usize>> = scores.iter().map(|s| argmax(s)).collect();
        for _ in 0..ITERATIONS {
            scores = units
                .iter()
                .enumerate()
                .map(|(ui, u)| {
                    u.cands
                        .iter()
                        .zip(&base[ui])
                        .map(|(&c, b)| {
                            let x = self.context_bonus(c, ui, &units, &choice);
                            // Country- and region-level support from the text and from the
                            // other toponyms overlap: the larger of each counts.
                            let s = b.base + b.text_country.max(x.country) + b.text_region.max(x.region) + x.other;
                            (s, format!("{}{}", b.evidence, x.evidence))
                        })
                        .collect()
                })
                .collect();
            let next: Vec<Option<usize>> = scores.iter().map(|s| argmax(s)).collect();
            if next == choice {
                break;
            }
            choice = next;
        }

        let resolved: Vec<Option<Resolved>> = units
            .iter()
            .zip(&scores)
            .zip(&choice)
            .map(|((u, s), c)| {
                let c = (*c)?;
                let best = s[c].0;
                let second =
                    s.iter().enumerate().filter(|&(i, _)| i != c).map(|(_, x)| x.0).fold(f64::NEG_INFINITY, f64::max);
                let conf = if second.is_finite() { 1.0 / (1.0 + (-(best - second)).exp()) } else { 0.95 };
                let conf = if u.fallback { conf * 0.7 } else { conf };
                Some(self.to_resolved(u.cands[c], conf as f32, s[c].1.clone()))
            })
            .collect();
        unit_of.into_iter().map(|u| u.and_then(|u| resolved[u].clone())).collect()
    }

    fn unit(&self, raw: &str, key: &str) -> Unit {
        let mut fallback = false;
        let mut containers = Vec::new();
        let mut found: &[u32] = self.lookup(key);
        let mut k = key.to_string();
        if found.is_empty() {
            // "Alexandria, Va." as one toponym.
            if let Some((head, tail)) = raw.split_once(',') {
                let hk = normalize(head);
                if !self.lookup(&hk).is_empty() {
                    containers.extend(
                        self.lookup(&normalize(tail)).iter().filter(|&&i| self.places[i as usize].kind.is_area()),
                    );
                    k = hk;
                    found = self.lookup(&k);
                }
            }
        }
        if found.is_empty() {
            let ws: Vec<&str> = key.split(' ').collect();
            if ws.len() > 1 && GENERIC.contains(ws.last().unwrap()) {
                k = ws[..ws.len() - 1].join(" ");
                found = self.lookup(&k);
                fallback = true;
            }
        }
        let cands = found.to_vec();
        let primary = cands.iter().map(|&i| normalize(&self.places[i as usize].name) == k).collect();
        Unit { cands, primary, fallback, containers }
    }

    /// Countries and regions named anywhere in the text (capitalized, 1–4 words).
    fn text_context(&self, words: &[(usize, &str)]) -> TextContext {
        let mut ctx = TextContext::default();
        for i in 0..words.len() {
            if !words[i].1.starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            for n in (1..=4).rev() {
                if i + n > words.len() {
                    continue;
                }
                let phrase: Vec<&str> = words[i..i + n].iter().map(|w| w.1).collect();
                let key = normalize(&phrase.join(" "));
                let hits: Vec<&Place> = self
                    .lookup(&key)
                    .iter()
                    .map(|&c| &self.places[c as usize])
                    .filter(|p| matches!(p.kind, PlaceKind::Country | PlaceKind::Region))
                    .collect();
                if hits.is_empty() {
                    continue;
                }
                let w = 1.0 / hits.len() as f64;
                for p in hits {
                    *ctx.countries.entry(p.country).or_default() += w;
                    if p.kind == PlaceKind::Region {
                        if p.admin1.is_empty() {
                            ctx.areas.push((p.lat, p.lon, p.country));
                        } else {
                            *ctx.regions.entry((p.country, p.admin1.to_string())).or_default() += w;
                        }
                    }
                }
                break;
            }
        }
        ctx
    }

    /// Areas named right after an occurrence of the toponym: "Paris, Texas", "Paris (Texas)".
    fn containers(&self, toponym: &str, text: &str, words: &[(usize, &str)]) -> Vec<u32> {
        let mut out = Vec::new();
        let tw = words_of(toponym);
        if tw.is_empty() {
            return out;
        }
        for i in 0..words.len() {
            if i + tw.len() >= words.len() || words[i..i + tw.len()].iter().map(|w| w.1).ne(tw.iter().copied()) {
                continue;
            }
            let last = words[i + tw.len() - 1];
            let end = last.0 + last.1.len();
            let next = words[i + tw.len()].0;
            let between = &text[end.min(next)..next];
            if !(between.trim() == "," || between.trim() == "(") {
                continue;
            }
            let j = i + tw.len();
            for n in (1..=3).rev() {
                if j + n > words.len() {
                    continue;
                }
                let phrase: Vec<&str> = words[j..j + n].iter().map(|w| w.1).collect();
                let hits: Vec<u32> = self
                    .lookup(&normalize(&phrase.join(" ")))
                    .iter()
                    .copied()
                    .filter(|&c| self.places[c as usize].kind.is_area())
                    .collect();
                if !hits.is_empty() {
                    out.extend(hits);
                    break;
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn base_scores(&self, u: &Unit, text: &TextContext) -> Vec<Parts> {
        u.cands
            .iter()
            .zip(&u.primary)
            .map(|(&c, &primary)| {
                let p = &self.places[c as usize];
                let any_primary = u.primary.iter().any(|&x| x);
                let mut s = (1.0 + p.population as f64).ln();
                let (mut text_country, mut text_region) = (0.0, 0.0);
                let mut ev = String::from(if primary { "name" } else { "alias" });
                if !primary {
                    s += if any_primary { W_ALIAS_BESIDE_NAME } else { W_ALIAS };
                }
                if u.fallback {
                    s += W_FALLBACK;
                }
                s += match p.kind {
                    PlaceKind::Country => W_COUNTRY,
                    PlaceKind::Continent => W_CONTINENT,
                    PlaceKind::Region => W_REGION,
                    PlaceKind::Capital => W_CAPITAL,
                    _ => 0.0,
                };
                if !p.kind.is_area() || p.kind == PlaceKind::Region {
                    if let Some(&n) = text.countries.get(&p.country) {
                        text_country = W_TEXT_CC * n.min(3.0).sqrt();
                        ev.push_str("+text-country");
                    }
                }
                if !p.kind.is_area() {
                    if let Some(&n) = text.regions.get(&(p.country, p.admin1.to_string())) {
                        text_region = W_TEXT_A1 * n.min(3.0).sqrt();
                        ev.push_str("+text-region");
                    } else if text.areas.iter().any(|a| a.2 == p.country && near(p, a.0, a.1, 2.0 * NEAR_KM)) {
                        text_region = W_TEXT_A1;
                        ev.push_str("+text-region");
                    }
                }
                if u.containers.iter().any(|&k| self.contains(k, p)) {
                    s += W_PATTERN;
                    ev.push_str("+pattern");
                }
                Parts { base: s, text_country, text_region, evidence: ev }
            })
            .collect()
    }

    /// Whether area `k` holds place `p`.
    fn contains(&self, k: u32, p: &Place) -> bool {
        let a = &self.places[k as usize];
        if std::ptr::eq(a, p) || a.country != p.country || a.country == [0, 0] || p.kind == PlaceKind::Country {
            return false;
        }
        match a.kind {
            PlaceKind::Country => true,
            PlaceKind::Region if !a.admin1.is_empty() => a.admin1 == p.admin1,
            PlaceKind::Region => near(p, a.lat, a.lon, 2.0 * NEAR_KM),
            _ => false,
        }
    }

    fn context_bonus(&self, c: u32, ui: usize, units: &[Unit], choice: &[Option<usize>]) -> Context {
        let p = &self.places[c as usize];
        let (mut cc, mut a1, mut nearby, mut inside) = (0usize, 0usize, 0usize, 0usize);
        for (uj, u) in units.iter().enumerate() {
            if uj == ui {
                continue;
            }
            let Some(k) = choice[uj] else { continue };
            let q = &self.places[u.cands[k] as usize];
            if p.kind.is_area() {
                if self.contains(c, q) {
                    inside += 1;
                } else if p.kind == PlaceKind::Region && q.country == p.country && p.country != [0, 0] {
                    cc += 1;
                }
                continue;
            }
            if q.country == p.country && p.country != [0, 0] {
                cc += 1;
                if !p.admin1.is_empty() && q.admin1 == p.admin1 && q.kind != PlaceKind::Country {
                    a1 += 1;
                }
            }
            if q.kind != PlaceKind::Country && q.kind != PlaceKind::Continent && near(p, q.lat, q.lon, NEAR_KM) {
                nearby += 1;
            }
        }
        let mut x = Context::default();
        if cc > 0 {
            x.country = W_CTX_CC * (1.0 + cc as f64).ln();
            x.evidence.push_str(&format!("+same-country({cc})"));
        }
        if a1 > 0 {
            x.region = W_CTX_A1 * (1.0 + a1 as f64).ln();
            x.evidence.push_str(&format!("+same-region({a1})"));
        }
        if inside > 0 {
            x.other += W_CTX_INSIDE * (1.0 + inside as f64).log2();
            x.evidence.push_str(&format!("+holds({inside})"));
        }
        if nearby > 0 {
            x.other += W_CTX_NEAR * (1.0 + nearby as f64).ln();
            x.evidence.push_str(&format!("+nearby({nearby})"));
        }
        x
    }

    fn to_resolved(&self, c: u32, confidence: f32, evidence: String) -> Resolved {
        let p = &self.places[c as usize];
        Resolved {
            geonameid: p.geonameid,
            id: p.stable_id(),
            name: p.name.to_string(),
            lat: p.lat as f64,
            lon: p.lon as f64,
            country: p.country_code().to_string(),
            admin1: p.admin1.to_string(),
            feature_class: p.kind.feature_class(),
            feature_code: p.kind.feature_code(),
            kind: p.kind,
            population: p.population,
            confidence,
            evidence,
        }
    }
}

fn words_of(s: &str) -> Vec<&str> {
    words(s).into_iter().map(|w| w.1).collect()
}

fn near(p: &Place, lat: f32, lon: f32, km: f64) -> bool {
    distance_km(p.lat as f64, p.lon as f64, lat as f64, lon as f64) <= km
}

fn argmax(s: &[(f64, String)]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, x) in s.iter().enumerate() {
        if best.is_none_or(|b| x.0 > s[b].0) {
            best = Some(i);
        }
    }
    best
}
