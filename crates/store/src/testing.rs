//! Fixtures for tests of store backends (feature `test-hooks`).

use newsgraph_model::{Document, DocumentBuilder, Metadata, Published, TimeBasis};

/// Article number `i` of a generated corpus: one of five kinds of story in one of seven
/// countries, then words drawn at random (seeded by the number); every seventh is a lightly
/// edited copy of the one before (a near-duplicate). Published 2025-08-09, URL
/// `https://example.org/{i}`.
pub fn generated_article(i: usize) -> Document {
    const WORDS: [&str; 24] = [
        "river", "bridge", "market", "school", "hospital", "council", "farmers", "police", "workers", "road",
        "harbour", "mayor", "village", "storm", "minister", "court", "prices", "budget", "army", "rail", "power",
        "water", "doctors", "union",
    ];
    const KINDS: [&str; 5] =
        ["An earthquake struck", "Floods hit", "An election was held", "A summit opened", "A strike closed factories"];
    const PLACES: [&str; 7] = ["Chile", "Peru", "Kenya", "Norway", "Japan", "Canada", "India"];
    let n = if i % 7 == 6 { i - 1 } else { i };
    let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let words: Vec<&str> = (0..40)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            WORDS[(x % WORDS.len() as u64) as usize]
        })
        .collect();
    let edit = if n != i { " Updated." } else { "" };
    let text = format!("{} in {}, reports said. {}.{edit}", KINDS[i % 5], PLACES[(i / 5) % 7], words.join(" "));
    DocumentBuilder::new(&text)
        .meta(Metadata {
            url: Some(format!("https://example.org/{i}")),
            title: Some(format!("Report {i}")),
            source: Some("Wire".into()),
            language: Some("en".into()),
            published: Some(Published {
                time: chrono::DateTime::parse_from_rfc3339("2025-08-09T10:00:00+00:00").expect("a valid time"),
                basis: TimeBasis::Stated,
            }),
            ..Metadata::default()
        })
        .build()
}
