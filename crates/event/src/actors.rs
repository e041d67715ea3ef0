//! CAMEO actor codes from linked entities: country (ISO 3166-1 alpha-3, as CAMEO uses) and
//! sector (`GOV`, `MIL`, …) from the knowledge base's roles at the article's date, the
//! subtype of organizations and groups.
use chrono::NaiveDate;
use newsgraph_kb::Kb;
use newsgraph_model::{Entity, EntityType};

/// ISO 3166-1 alpha-2 → alpha-3 through the knowledge base's countries (`iso3=` attribute).
pub fn iso3(kb: &Kb, cc: &str) -> Option<String> {
    if cc.is_empty() {
        return None;
    }
    kb.get(&format!("loc:{}", cc.to_ascii_lowercase())).and_then(|e| e.attr("iso3")).map(str::to_string)
}

/// The CAMEO sector of an organization's knowledge-base subtype.
fn org_sector(subtype: &str) -> &'static str {
    match subtype {
        "government_body" => "GOV",
        "military" => "MIL",
        "legislature" => "LEG",
        "court" => "JUD",
        "party" => "PTY",
        "armed_group" => "REB",
        "news_agency" => "MED",
        "think_tank" | "ngo" => "NGO",
        "company" => "BUS",
        _ => "",
    }
}

/// The CAMEO sector a head noun names: "officials" → GOV, "troops" → MIL. Used for a
/// nationality word or an "X of Y" phrase ("Hungarian officials", "the army of the Kremlin").
pub fn noun_sector(noun: &str) -> Option<&'static str> {
    Some(match noun {
        "official" | "officials" | "government" | "minister" | "ministers" | "president" | "leader" | "leaders"
        | "authorities" | "diplomat" | "diplomats" | "negotiator" | "negotiators" | "envoy" | "spokesman"
        | "delegation" | "administration" | "premier" => "GOV",
        "forces" | "force" | "troops" | "soldiers" | "army" | "military" | "armies" | "navy" | "units"
        | "commander" | "commanders" | "warplanes" | "jets" | "artillery" => "MIL",
        "police" | "policemen" => "COP",
        "rebels" | "insurgents" | "guerrillas" | "militants" | "separatists" => "REB",
        "opposition" => "OPP",
        "lawmakers" | "parliament" | "legislators" => "LEG",
        "refugees" => "REF",
        _ => return None,
    })
}

/// The CAMEO actor code of an entity at `date` (the article's publication date): `USAGOV`
/// for the US president, `RUSMIL` for "Russian troops", `RUS` for Russia, `IGO` for an
/// international organization. `None` for entities the knowledge base does not know.
pub fn entity_code(kb: &Kb, e: &Entity, date: Option<NaiveDate>) -> Option<String> {
    let country = e.country.as_deref().and_then(|c| iso3(kb, c));
    match e.kind {
        EntityType::Group => {
            let sector = match e.subtype.as_deref() {
                Some("military") => "MIL",
                Some("government") => "GOV",
                Some("police") => "COP",
                _ => "",
            };
            country.map(|c| format!("{c}{sector}"))
        }
        EntityType::Person => {
            let entry = kb.get(e.kb_id.as_deref()?)?;
            let role = match date {
                Some(d) => entry.roles_on(d).find(|r| !r.sector.is_empty()),
                None => entry.roles.iter().find(|r| r.to.is_none() && !r.sector.is_empty()),
            };
            match role {
                Some(r) if r.country.is_empty() => Some("IGO".to_string()),
                Some(r) => Some(format!("{}{}", iso3(kb, &r.country).unwrap_or_default(), r.sector)),
                None => country,
            }
        }
        EntityType::Organization => {
            let sub = e.subtype.as_deref().unwrap_or("");
            if sub == "intl_org" || (e.kb_id.is_some() && e.country.is_none()) {
                return e.kb_id.as_ref().map(|_| "IGO".to_string());
            }
            country.map(|c| format!("{c}{}", org_sector(sub)))
        }
        EntityType::Place => match e.subtype.as_deref() {
            Some("capital") => country.map(|c| format!("{c}GOV")),
            _ => country,
        },
        _ => None,
    }
}
