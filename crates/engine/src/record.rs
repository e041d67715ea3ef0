//! The annotators of the rest of the GKG record: amounts (`newsgraph-measure`), themes
//! (`newsgraph-theme`) and tone (`newsgraph-tone`). Their word data are English; documents
//! in another (detected or stated) language are left without these layers.
use crate::Annotator;
use newsgraph_measure::Measurer;
use newsgraph_model::{Document, LayerName};
use newsgraph_theme::ThemeTagger;
use newsgraph_tone::ToneScorer;

/// The three lexicons are English: a document whose language is known and is not English
/// gets no amounts, themes or tone (an unknown language is tried).
fn english(doc: &Document) -> bool {
    doc.meta.language.as_deref().is_none_or(|l| l.eq_ignore_ascii_case("en"))
}

/// Fills the `amounts` layer: numbers with their bound, currency, counted object and GKG
/// count type (see `crates/measure`).
pub struct AmountAnnotator {
    measurer: &'static Measurer,
}

impl Default for AmountAnnotator {
    fn default() -> Self {
        AmountAnnotator { measurer: Measurer::builtin() }
    }
}

impl Annotator for AmountAnnotator {
    fn name(&self) -> &'static str {
        "amounts"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens, LayerName::Timexes, LayerName::Mentions]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Amounts]
    }
    fn annotate(&self, doc: &mut Document) {
        if english(doc) {
            self.measurer.annotate(doc);
        }
    }
}

/// Fills the `themes` layer from our taxonomy (see `crates/theme`).
pub struct ThemeAnnotator {
    tagger: &'static ThemeTagger,
}

impl Default for ThemeAnnotator {
    fn default() -> Self {
        ThemeAnnotator { tagger: ThemeTagger::builtin() }
    }
}

impl Annotator for ThemeAnnotator {
    fn name(&self) -> &'static str {
        "themes"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Sentences, LayerName::Tokens, LayerName::Mentions]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Themes]
    }
    fn annotate(&self, doc: &mut Document) {
        if english(doc) {
            self.tagger.annotate(doc);
        }
    }
}

/// Fills `tone`: GKG's tone fields from the VADER lexicon (see `crates/tone`).
pub struct ToneAnnotator {
    scorer: &'static ToneScorer,
}

impl Default for ToneAnnotator {
    fn default() -> Self {
        ToneAnnotator { scorer: ToneScorer::builtin() }
    }
}

impl Annotator for ToneAnnotator {
    fn name(&self) -> &'static str {
        "tone"
    }
    fn requires(&self) -> &'static [LayerName] {
        &[LayerName::Tokens, LayerName::Mentions]
    }
    fn assigns(&self) -> &'static [LayerName] {
        &[LayerName::Tone]
    }
    fn annotate(&self, doc: &mut Document) {
        if english(doc) {
            self.scorer.annotate(doc);
        }
    }
}
