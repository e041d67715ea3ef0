//! Places the knowledge base does not know, found in the GeoNames gazetteer.
use crate::{link, Ctx, Target, Work};
use newsgraph_geo::{ExtraPlace, Geocoder, PlaceKind, Resolved};
use newsgraph_kb::Kb;
use newsgraph_model::EntityType;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The knowledge base's places with coordinates, as extra gazetteer places: regions the
/// gazetteer lacks become places; countries and cities lend their names to the GeoNames place
/// of the same id.
pub fn kb_places(kb: &Kb) -> Vec<ExtraPlace> {
    kb.entries()
        .iter()
        .filter(|e| e.kind == EntityType::Place)
        .filter_map(|e| {
            let (lat, lon) = e.coordinates()?;
            let kind = match e.subtype.as_str() {
                "country" => PlaceKind::Country,
                "region" => PlaceKind::Region,
                "capital" => PlaceKind::Capital,
                "city" => PlaceKind::City,
                "continent" => PlaceKind::Continent,
                _ => PlaceKind::Other,
            };
            Some(ExtraPlace {
                id: e.id.clone(),
                name: e.name.clone(),
                aliases: e.aliases.clone(),
                lat,
                lon,
                country: e.country.clone(),
                kind,
                population: e.attr("population").and_then(|p| p.parse().ok()).unwrap_or(0),
                geonameid: e.attr("geonameid").and_then(|g| g.parse().ok()),
            })
        })
        .collect()
}

/// The shipped gazetteer with the committed knowledge base's places, loaded once (on the
/// first article that needs it).
pub fn geocoder() -> Option<&'static Geocoder> {
    static G: OnceLock<Option<Geocoder>> = OnceLock::new();
    G.get_or_init(|| Geocoder::load().ok().map(|g| g.with_extra(kb_places(newsgraph_kb::builtin())))).as_ref()
}

/// Resolves the place mentions no knowledge-base entry took (all of the article's together,
/// so they disambiguate each other); returns the places found by id. A place is kept when it
/// lies in a country the article is about (`focus`) or is a large place (50,000 people or
/// more); bare directions ("the West") are not places.
pub fn places(ctx: &Ctx, work: &mut [Work], focus: &HashMap<String, f32>) -> HashMap<String, Resolved> {
    let mut out = HashMap::new();
    let todo: Vec<usize> = (0..work.len())
        .filter(|&i| work[i].mention.kind == EntityType::Place && matches!(work[i].target, Some(Target::Local(_))))
        .filter(|&i| !ctx.lex.directions.contains(&newsgraph_kb::names::fold(ctx.slice(work[i].mention.span))))
        .collect();
    if todo.is_empty() {
        return out;
    }
    let Some(g) = geocoder() else { return out };
    let names: Vec<&str> = todo.iter().map(|&i| ctx.slice(work[i].mention.span)).collect();
    for (&i, r) in todo.iter().zip(g.resolve_all(&names, ctx.text)) {
        let Some(r) = r else { continue };
        if !(focus.contains_key(&r.country) || r.population >= 50_000) {
            continue;
        }
        let w = &mut work[i];
        w.mention.link = link(
            (0.5 + 0.5 * r.confidence).min(0.95),
            "gazetteer",
            None,
            vec![format!("GeoNames place {} ({}, {})", r.name, r.country, r.evidence)],
        );
        w.target = Some(Target::Geo(r.id.clone()));
        out.insert(r.id.clone(), r);
    }
    out
}
