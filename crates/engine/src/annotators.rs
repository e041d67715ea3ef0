//! The annotators this crate ships: metadata completion and segmentation.
use crate::Annotator;
use newsgraph_model::{Document, LayerName};
use newsgraph_text::Segmenter;

/// Fills sentences and tokens (see `newsgraph-text`).
#[derive(Default)]
pub struct SegmentAnnotator {
    segmenter: Segmenter,
}

impl Annotator for SegmentAnnotator {
    fn name(&self) -> &'static str {
        "segment"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Paragraphs]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens]
    }
    fn annotate(&self, doc: &mut Document) {
        self.segmenter.annotate(doc);
    }
}

/// Completes metadata the input did not state: `language` (detected from the text with
/// whatlang when the input gave none and detection is reliable) and `source` (the URL's
/// host when no outlet name was given).
pub struct MetadataAnnotator;

impl Annotator for MetadataAnnotator {
    fn name(&self) -> &'static str {
        "metadata"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[]
    }
    fn annotate(&self, doc: &mut Document) {
        if doc.meta.language.is_none() {
            // A few thousand characters are plenty and keep this cheap on long articles.
            let text = doc.text();
            let mut cut = text.len().min(4000);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            if let Some(info) = whatlang::detect(&text[..cut]) {
                if info.is_reliable() {
                    doc.meta.language = Some(iso639_1(info.lang()).to_string());
                }
            }
        }
        if doc.meta.source.is_none() {
            let url = doc.meta.canonical_url.as_deref().or(doc.meta.url.as_deref());
            doc.meta.source = url.and_then(host_of);
        }
    }
}

/// The host of an http(s) URL, without `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host).to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn iso639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Rus => "ru",
        Ukr => "uk",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Nld => "nl",
        Pol => "pl",
        Tur => "tr",
        Ara => "ar",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Hin => "hi",
        Ben => "bn",
        Pes => "fa",
        Heb => "he",
        Ell => "el",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Ces => "cs",
        Slk => "sk",
        Hun => "hu",
        Ron => "ro",
        Bul => "bg",
        Hrv => "hr",
        Srp => "sr",
        Slv => "sl",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Tgl => "tl",
        Urd => "ur",
        Cat => "ca",
        Bel => "be",
        Kat => "ka",
        Hye => "hy",
        Aze => "az",
        Uzb => "uz",
        Afr => "af",
        Epo => "eo",
        _ => lang.code(),
    }
}

/// Finds and normalizes time expressions (see `newsgraph-time`): fills `timexes`,
/// resolving relative ones against the publication time and the dates the text mentions.
pub struct TimeAnnotator {
    tagger: &'static newsgraph_time::TimeTagger,
}

impl Default for TimeAnnotator {
    fn default() -> Self {
        TimeAnnotator { tagger: newsgraph_time::TimeTagger::global() }
    }
}

impl Annotator for TimeAnnotator {
    fn name(&self) -> &'static str {
        "time"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Timexes]
    }
    fn annotate(&self, doc: &mut Document) {
        self.tagger.annotate(doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hosts() {
        assert_eq!(host_of("https://www.cbc.ca/news/x").as_deref(), Some("cbc.ca"));
        assert_eq!(host_of("http://user@Example.com:8080?q").as_deref(), Some("example.com"));
        assert_eq!(host_of("not a url"), None);
    }
}
