//! The CAMEO event-code table (`data/cameo.tsv`): code → name, root, Goldstein, QuadClass,
//! PLOVER category.
use std::collections::HashMap;

/// What a CAMEO event code means.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeInfo {
    /// Full code: `036`, `1312`.
    pub code: String,
    /// Root (first two digits): `03`, `13`.
    pub root: String,
    /// The codebook's short name: "Express intent to meet or negotiate".
    pub name: String,
    /// Goldstein scale value (-10 … +10).
    pub goldstein: f32,
    /// GDELT QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
    /// 4 material conflict.
    pub quad_class: u8,
    /// PLOVER category (the GSR's version; `STATEMENT` and `APPEAL` for CAMEO 01 and 02,
    /// which PLOVER drops).
    pub plover: String,
}

/// All CAMEO event codes. Build once ([`CameoTable::builtin`]).
#[derive(Debug, Clone)]
pub struct CameoTable {
    codes: HashMap<String, CodeInfo>,
}

impl CameoTable {
    /// The shipped table.
    pub fn builtin() -> CameoTable {
        CameoTable::parse(include_str!("../data/cameo.tsv"))
    }

    /// Reads `code<TAB>root<TAB>name<TAB>goldstein<TAB>quad<TAB>plover` lines (`#` comments);
    /// malformed lines are skipped.
    pub fn parse(src: &str) -> CameoTable {
        let mut codes = HashMap::new();
        for line in src.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 6 {
                continue;
            }
            let (Ok(goldstein), Ok(quad_class)) = (f[3].parse::<f32>(), f[4].parse::<u8>()) else { continue };
            codes.insert(
                f[0].to_string(),
                CodeInfo {
                    code: f[0].to_string(),
                    root: f[1].to_string(),
                    name: f[2].to_string(),
                    goldstein,
                    quad_class,
                    plover: f[5].to_string(),
                },
            );
        }
        CameoTable { codes }
    }

    /// The entry of a code, or of its nearest ancestor (`1831` → `183` → `18`).
    pub fn get(&self, code: &str) -> Option<&CodeInfo> {
        let mut c = code;
        loop {
            if let Some(i) = self.codes.get(c) {
                return Some(i);
            }
            if c.len() <= 2 {
                return None;
            }
            c = &c[..c.len() - 1];
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}
