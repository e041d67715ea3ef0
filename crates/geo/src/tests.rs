use super::*;

/// (toponym, other toponyms of the article, article text, expected country, expected admin1
/// or "" for any, expected kind)
const CASES: &[(&str, &[&str], &str, &str, &str, Option<PlaceKind>)] = &[
    ("Paris", &[], "The summit opened in Paris on Monday.", "FR", "", Some(PlaceKind::Capital)),
    ("Paris", &["Texas"], "A storm hit Paris and other towns in Texas.", "US", "TX", None),
    ("Paris", &[], "He grew up in Paris, Texas, before the war.", "US", "TX", None),
    ("Kiev", &[], "Talks in Kiev ended without a deal.", "UA", "", Some(PlaceKind::Capital)),
    ("Georgia", &["Tbilisi"], "Protests in Georgia: crowds filled Tbilisi.", "GE", "", Some(PlaceKind::Country)),
    ("Georgia", &["Atlanta"], "Voters in Georgia lined up in Atlanta.", "US", "GA", Some(PlaceKind::Region)),
    ("Georgia", &[], "Georgia signed the agreement.", "GE", "", Some(PlaceKind::Country)),
    ("U.S.", &[], "The U.S. said so.", "US", "", Some(PlaceKind::Country)),
    ("Côte d'Ivoire", &[], "Rain in Côte d'Ivoire.", "CI", "", Some(PlaceKind::Country)),
    ("Africa", &[], "Across Africa.", "", "", Some(PlaceKind::Continent)),
    ("Springfield", &["Illinois"], "Springfield, the capital of Illinois.", "US", "IL", None),
];

#[test]
fn resolves_the_table() {
    let g = Geocoder::builtin();
    for (t, others, text, cc, a1, kind) in CASES {
        let mut all = vec![*t];
        all.extend(others.iter().copied());
        let r = g.resolve_all(&all, text);
        let r = r[0].as_ref().unwrap_or_else(|| panic!("{t}: unresolved"));
        assert_eq!(r.country, *cc, "{t} in {text:?}: {r:?}");
        if !a1.is_empty() {
            assert_eq!(r.admin1, *a1, "{t} in {text:?}: {r:?}");
        }
        if let Some(k) = kind {
            assert_eq!(r.kind, *k, "{t} in {text:?}: {r:?}");
        }
    }
}

#[test]
fn unknown_names_are_none_and_same_names_agree() {
    let g = Geocoder::builtin();
    let r = g.resolve_all(&["Xqzvbnm", "Paris", "paris"], "");
    assert!(r[0].is_none());
    assert_eq!(r[1], r[2]);
}

#[test]
fn extras_are_candidates() {
    let g = Geocoder::load().unwrap().with_extra([ExtraPlace {
        id: "loc:ua-dnipropetrovsk".into(),
        name: "Dnipropetrovsk Oblast".into(),
        aliases: vec!["Dnipropetrovsk region".into()],
        lat: 48.5,
        lon: 35.0,
        country: "ua".into(),
        kind: PlaceKind::Region,
        population: 3_000_000,
        geonameid: None,
    }]);
    let r = g.resolve("Dnipropetrovsk region", "").unwrap();
    assert_eq!((r.id.as_str(), r.country.as_str(), r.feature_class), ("loc:ua-dnipropetrovsk", "UA", 'A'));
}

#[test]
fn distance_is_haversine() {
    let d = distance_km(48.8566, 2.3522, 51.5074, -0.1278);
    assert!((d - 343.5).abs() < 2.0, "{d}");
}
