//! Backend-neutral request and response types of the [`Store`](crate::Store) trait.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// What one [`put_batch`](crate::Store::put_batch) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutReport {
    /// New articles stored.
    pub inserted: usize,
    /// Articles whose canonical URL was known and whose content changed: replaced in place, same id.
    pub updated: usize,
    /// Articles already stored with the same canonical URL and the same content: nothing done.
    pub unchanged: usize,
    /// Articles under another URL whose content is already stored: not stored again.
    pub duplicates: Vec<Duplicate>,
    /// For each input document, in input order, the id it is stored under.
    pub ids: Vec<String>,
}

/// An input document folded into an already stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The id the input document had.
    pub input_id: String,
    /// Its URL (canonical URL, else URL), recorded as an alias of `into`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The id of the stored document it duplicates.
    pub into: String,
}

/// A page of [`list`](crate::Store::list) results. Filters combine with AND.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub offset: u64,
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    /// Exact source (outlet) name.
    pub source: Option<String>,
    /// Exact language code.
    pub language: Option<String>,
    /// Published at or after this instant.
    pub published_from: Option<DateTime<Utc>>,
    /// Published strictly before this instant.
    pub published_to: Option<DateTime<Utc>>,
}

/// Largest page size `list` and `search` return.
pub const MAX_PAGE: u64 = 1000;

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { offset: 0, limit: 50, source: None, language: None, published_from: None, published_to: None }
    }
}

/// One page of items plus the total number of matching items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub items: Vec<T>,
}

/// The metadata of a stored document, without its text and layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSummary {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
    pub content_hash: String,
    /// When the document was first stored.
    pub ingested_at: DateTime<Utc>,
    /// When it was last stored or replaced.
    pub updated_at: DateTime<Utc>,
    /// Change sequence number: grows with every insert or update in the store.
    pub seq: u64,
}

/// A full-text search. Filters combine with AND; `text` empty = every document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// User query: words, `"phrases"`, `+must`, `-not`, `title:word`, `AND`/`OR`.
    /// Malformed syntax is tolerated (never an error).
    pub text: String,
    pub source: Option<String>,
    pub language: Option<String>,
    /// Published at or after this instant.
    pub published_from: Option<DateTime<Utc>>,
    /// Published strictly before this instant.
    pub published_to: Option<DateTime<Utc>>,
    /// Mentions a date (a resolved time expression in the text) at or after this instant.
    /// A period ("August 2025", "week 32", "2014") counts by its first and its last day.
    pub mentioned_from: Option<DateTime<Utc>>,
    /// Mentions a date strictly before this instant (same rule).
    pub mentioned_to: Option<DateTime<Utc>>,
    /// Has an event of this CAMEO root code ("03"), see [`Facets::events`].
    pub event: Option<String>,
    /// Mentions every one of these entities (entity ids as in [`EntitySummary::id`]: AND).
    #[serde(default)]
    pub entities: Vec<String>,
    /// Hits per page (capped at [`MAX_PAGE`]); 0 returns only the total and facets.
    pub limit: usize,
    pub offset: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            source: None,
            language: None,
            published_from: None,
            published_to: None,
            mentioned_from: None,
            mentioned_to: None,
            event: None,
            entities: Vec::new(),
            limit: 10,
            offset: 0,
        }
    }
}

impl SearchQuery {
    pub fn text(text: impl Into<String>) -> SearchQuery {
        SearchQuery { text: text.into(), ..SearchQuery::default() }
    }
}

/// Search results: one page of ranked hits, the total and facet counts over all matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of documents matching the query and filters.
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    /// Parts of the query text that could not be understood and were ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One ranked hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: String,
    pub score: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub snippet: Snippet,
    /// At most [`HIT_QUOTES`](crate::HIT_QUOTES) quotes of the article: those containing a
    /// word of the query (`quotes_match` true), else its first quotes in text order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<StoredQuote>,
    /// Whether `quotes` are quotes that contain a word of the query.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quotes_match: bool,
    /// Number of quotes the article has (0 also when the store predates the quote table).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub quotes_total: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A passage of the body with the matched terms located.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// Plain text of the passage.
    pub text: String,
    /// Byte ranges `[start, end)` in `text` of the matched terms, sorted, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The passage with every highlight wrapped in `<b>…</b>` (text HTML-escaped).
    pub fn to_html(&self) -> String {
        fn esc(out: &mut String, s: &str) {
            for c in s.chars() {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    '"' => out.push_str("&quot;"),
                    _ => out.push(c),
                }
            }
        }
        let mut out = String::new();
        let mut at = 0;
        for &(s, e) in &self.highlights {
            esc(&mut out, &self.text[at..s]);
            out.push_str("<b>");
            esc(&mut out, &self.text[s..e]);
            out.push_str("</b>");
            at = e;
        }
        esc(&mut out, &self.text[at..]);
        out
    }
}

/// Facet counts over the whole matched set, most frequent first (ties by value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub source: Vec<FacetCount>,
    pub language: Vec<FacetCount>,
    /// The entities most matched documents mention (at most [`ENTITY_FACET_LIMIT`](crate::ENTITY_FACET_LIMIT)).
    #[serde(default)]
    pub entities: Vec<EntityFacet>,
    /// CAMEO root codes of the matched documents' events ("03" express intent to cooperate,
    /// "19" fight): how many documents have an event of each.
    #[serde(default)]
    pub events: Vec<FacetCount>,
    /// Single days the matched documents mention (`YYYY-MM-DD`; a longer period such as a
    /// month or a year is not counted): how many mention each.
    #[serde(default)]
    pub mentioned: Vec<FacetCount>,
}

/// How many matched documents mention this entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityFacet {
    pub id: String,
    pub name: String,
    /// `person`, `organization`, `place`, `group` or `misc`.
    pub kind: String,
    /// Matched documents that mention it.
    pub count: u64,
}

/// How many matched documents have this value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Health of a store: document count and how far the search index has caught up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    pub documents: u64,
    /// Highest change sequence number in the document database.
    pub last_seq: u64,
    /// Highest change sequence number the search index covers (`== last_seq` when in sync).
    pub indexed_seq: u64,
    /// On-disk format version.
    pub format_version: u32,
    pub read_only: bool,
}

/// A page of [`entities`](crate::Store::entities): entities seen in stored articles, most
/// articles first. Filters combine with AND.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityQuery {
    /// Case-insensitive substring of the entity's name, id or a form it was written in.
    pub q: Option<String>,
    /// `person`, `organization`, `place`, `group` or `misc` (see [`ENTITY_KINDS`]).
    pub kind: Option<String>,
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    pub offset: u64,
}

impl Default for EntityQuery {
    fn default() -> Self {
        EntityQuery { q: None, kind: None, limit: 50, offset: 0 }
    }
}

/// The entity kinds, as stored and as accepted by [`EntityQuery::kind`].
pub const ENTITY_KINDS: [&str; 5] = ["person", "organization", "place", "group", "misc"];

/// A written form and how many mentions used it, over all stored articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCount {
    pub form: String,
    pub count: u64,
    /// A misspelled or differently transliterated form that linking repaired to the entity
    /// ("Vikof" for Witkoff): some of its mentions were read as another name.
    #[serde(default)]
    pub repaired: bool,
}

/// An entity across the stored articles.
///
/// Knowledge-base entities (`kb_id` present) are one identity across articles; a
/// document-local id (`local:person:sergei-markov`) is one identity per id string, and ids
/// merged across articles (close names, agreeing contexts; a knowledge-base entity absorbing
/// a local one) answer as one entity under the id listed, with `merged` the other ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySummary {
    pub id: String,
    /// Name in the most recent article that mentions it.
    pub name: String,
    /// `person`, `organization`, `place`, `group` or `misc`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_id: Option<String>,
    /// ISO 3166-1 alpha-2, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Stored articles that mention it.
    pub articles: u64,
    /// Mentions linked to it, over those articles.
    pub mentions: u64,
    /// Forms it was written in, with mention counts, most frequent first (repaired
    /// spellings marked).
    pub aliases: Vec<FormCount>,
    /// Misspelled forms that were repaired to it ("Vikof"), with mention counts.
    pub repaired: Vec<FormCount>,
    /// Other ids merged into this entity across articles (document-local ids with close
    /// names in agreeing contexts), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
}

/// An entity with its knowledge-base details and the articles that mention it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityDetail {
    #[serde(flatten)]
    pub summary: EntitySummary,
    /// Finer type (`head_of_state`, `region`, …), from the most recent article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// Roles at the most recent article's publication date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<newsgraph_model::Geo>,
    /// One page of the articles that mention it, newest published first (undated last);
    /// `total` equals `articles`.
    pub appears_in: Page<EntityArticle>,
    /// What it said: its newest quotes (at most [`ENTITY_QUOTES`](crate::ENTITY_QUOTES), the
    /// articles newest first) and how many it has (`total`); page through all of them with
    /// [`Store::quotes`](crate::Store::quotes) and [`QuoteQuery::speaker`]. `None` when the
    /// store predates the quote table (format version 3) and was not upgraded yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Page<QuoteHit>>,
    /// What others said about it: the newest quotes naming it ([`QuoteQuery::about`]), at
    /// most [`ENTITY_QUOTES`](crate::ENTITY_QUOTES), with their count. `None` as `quotes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotes_about: Option<Page<QuoteHit>>,
    /// What it did and what was done to it: its newest events as source and as target; page
    /// through all with [`Store::events`](crate::Store::events) and [`EventQuery::actor`].
    /// `None` when the store predates the event table (format version 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EntityEvents>,
}

/// An article that mentions an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityArticle {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
    /// Mentions of the entity in this article.
    pub mentions: u64,
}

/// A page of [`quotes`](crate::Store::quotes): who said what in the stored articles, the
/// newest articles first (undated last), each article's quotes in text order. Filters combine
/// with AND.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteQuery {
    /// Only quotes whose speaker is this entity (an id as in [`EntitySummary::id`]).
    pub speaker: Option<String>,
    /// Only quotes about this entity: their content names it, in one of the forms its
    /// article wrote it in (three characters or more), and it is not the speaker.
    pub about: Option<String>,
    /// Words the quote's content must contain (full-text, English stemming, any case):
    /// `words` (all of them), `"a phrase"`, `word*` (prefix), `-word` (not), `a OR b`.
    /// Any text is accepted; what is not a word is ignored.
    pub q: Option<String>,
    /// `direct`, `partial`, `indirect` or `mixed` (see [`QUOTE_KINDS`]).
    pub kind: Option<String>,
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    pub offset: u64,
}

impl Default for QuoteQuery {
    fn default() -> Self {
        QuoteQuery { speaker: None, about: None, q: None, kind: None, limit: 50, offset: 0 }
    }
}

/// The quote kinds, as stored and as accepted by [`QuoteQuery::kind`].
pub const QUOTE_KINDS: [&str; 4] = ["direct", "partial", "indirect", "mixed"];

/// An entity a quote is attributed to (speaker) or relayed by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteSpeaker {
    /// The entity id (`per:donald-trump`, `local:person:…`); absent when the article's entity
    /// has no id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name in that article.
    pub name: String,
    /// `person`, `organization`, `place`, `group` or `misc`.
    pub kind: String,
}

/// One quote of a stored article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredQuote {
    /// Position of the quote in the article's `quotes` layer (0-based).
    pub ordinal: u32,
    /// `direct`, `partial`, `indirect` or `mixed`.
    pub kind: String,
    /// What was said (whitespace collapsed): the content — for reported speech the clause
    /// (quoted words keep their marks), for a direct quote the words inside the marks, the
    /// pieces of one interrupted by its cue joined with ` … `.
    pub text: String,
    /// Byte range `[start, end)` of the content in the article's text.
    pub span: (usize, usize),
    /// The speaker, when resolved to an entity of the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<QuoteSpeaker>,
    /// Who relays the words when they are not the speaker's own report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<QuoteSpeaker>,
    /// The source as written ("he", "the statement", "Kremlin officials").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The attribution cue as written ("said", "according to").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
    pub confidence: f32,
}

/// A quote with the article it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteHit {
    #[serde(flatten)]
    pub quote: StoredQuote,
    pub article: QuoteArticle,
}

/// The article of a [`QuoteHit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteArticle {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The outlet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
}

/// A page of [`events`](crate::Store::events): who did what to whom, where and when, in the
/// stored articles; the latest event day first (undated last), then by article and position.
/// Filters combine with AND; check user values with [`EventQuery::check`] first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventQuery {
    /// An entity id (`per:vladimir-putin`: the actor is that entity) or a CAMEO actor code or
    /// its start (`RUSGOV`, `RUS`: the actor's code starts with it), as source or target.
    pub actor: Option<String>,
    /// With `actor`: only where the actor is the `source` or the `target`.
    pub role: Option<String>,
    /// A CAMEO event code or its start: `19` (all fights), `036`, `1312`.
    pub code: Option<String>,
    /// First day (inclusive) of the event's day.
    pub from: Option<chrono::NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<chrono::NaiveDate>,
    /// Events whose place lies within `km` of (`lat`, `lon`).
    pub near: Option<Near>,
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    pub offset: u64,
}

impl Default for EventQuery {
    fn default() -> Self {
        EventQuery { actor: None, role: None, code: None, from: None, to: None, near: None, limit: 50, offset: 0 }
    }
}

/// A circle on the earth: centre and radius in kilometres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Near {
    pub lat: f64,
    pub lon: f64,
    pub km: f64,
}

/// `source` or `target`, as accepted by [`EventQuery::role`].
pub const EVENT_ROLES: [&str; 2] = ["source", "target"];

/// An actor of a stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    /// The entity id, when the actor is a linked entity with an id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (the entity's, else the words).
    pub name: String,
    /// CAMEO actor code at the article's date (`USAGOV`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Where a stored event happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPlace {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One event of a stored article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Position of the event in the article's `events` layer (0-based).
    pub ordinal: u32,
    /// CAMEO event code (`036`), its root (`03`), PLOVER category, Goldstein value, QuadClass.
    pub code: String,
    pub root: String,
    pub plover: String,
    pub goldstein: f32,
    pub quad_class: u8,
    /// `happened`, `announced`, `hypothetical` or `negated`.
    pub modality: String,
    /// The trigger words as written.
    pub trigger: String,
    /// The sentence the event was read from (whitespace collapsed).
    pub text: String,
    /// Byte range `[start, end)` of that sentence in the article's text.
    pub span: (usize, usize),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventActor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<EventActor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<EventPlace>,
    /// The event's day (`YYYY-MM-DD`): its stated day-level date, else the article's
    /// publication day (UTC); absent when neither is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    /// The stated date's TIMEX3 value (`2025-08-15`, `2015`), when the text gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub confidence: f32,
}

/// An event with the article it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventHit {
    #[serde(flatten)]
    pub event: StoredEvent,
    pub article: QuoteArticle,
}

/// An entity's newest events as source and as target (at most
/// [`ENTITY_EVENTS`](crate::ENTITY_EVENTS) each, with their counts in `total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityEvents {
    pub as_source: Page<EventHit>,
    pub as_target: Page<EventHit>,
}

/// A page of [`stories`](crate::Store::stories): most articles first, then the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryQuery {
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    pub offset: u64,
}

impl Default for StoryQuery {
    fn default() -> Self {
        StoryQuery { limit: 50, offset: 0 }
    }
}

/// A story: articles on one news event, clustered as they arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorySummary {
    pub id: u64,
    /// Key entities, key word and place: "Donald Trump, Vladimir Putin — summit — Alaska".
    pub label: String,
    /// Publication time of its first and last article, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_published: Option<DateTime<Utc>>,
    /// Number of its articles.
    pub articles: u64,
}

/// A story among search results: the hits grouped by the story of their article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryHit {
    pub story: StorySummary,
    /// Its articles among the ranked hits considered (at most
    /// [`STORY_SEARCH_HITS`](crate::STORY_SEARCH_HITS) hits).
    pub matching: u64,
    /// Its best-ranked hit (with snippet and quotes, like a search hit).
    pub best: SearchHit,
}

/// An entity of a story's articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryEntity {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Articles of the story mentioning it.
    pub articles: u64,
    pub mentions: u64,
}

/// One dated item of a timeline (a story's or an entity's): an event, a quote, or (neither
/// set) an article, with its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// When it happened (`YYYY-MM-DD`): an event's stated day (else its article's publication
    /// day); a quote's article's publication day (UTC). Absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The article's publication time (Unix seconds), the tie-breaker within a day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<i64>,
    pub article: QuoteArticle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<StoredEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<StoredQuote>,
}

/// A story with its articles, entities and timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryDetail {
    #[serde(flatten)]
    pub summary: StorySummary,
    pub places: Vec<String>,
    pub keywords: Vec<String>,
    /// Dates its articles mention most.
    pub dates: Vec<String>,
    /// Its entities, most articles first (at most [`STORY_ENTITIES`](crate::STORY_ENTITIES)).
    pub entities: Vec<StoryEntity>,
    /// Its articles, oldest first (undated last): the page asked for ([`StoryPage`]).
    pub articles: Vec<QuoteArticle>,
    /// How many articles it has in all, and the position of `articles[0]` among them.
    #[serde(default)]
    pub articles_total: u64,
    #[serde(default)]
    pub articles_offset: u64,
    /// Its events and quotes ordered by the date of what happened (undated last): the page
    /// asked for ([`StoryPage`]) of its first [`STORY_TIMELINE`](crate::STORY_TIMELINE).
    pub timeline: Vec<TimelineItem>,
    /// How many timeline items there are in all (at most
    /// [`STORY_TIMELINE`](crate::STORY_TIMELINE)), and the position of `timeline[0]`.
    #[serde(default)]
    pub timeline_total: u64,
    #[serde(default)]
    pub timeline_offset: u64,
}

impl StoryDetail {
    /// Keeps one page of the articles and of the timeline (the totals stay those of the whole
    /// lists): what [`Store::story_page`](crate::Store::story_page) does by default.
    pub fn page(mut self, page: &StoryPage) -> StoryDetail {
        self.articles_total = self.articles_total.max(self.articles_offset + self.articles.len() as u64);
        self.timeline_total = self.timeline_total.max(self.timeline_offset + self.timeline.len() as u64);
        fn cut<T>(v: &mut Vec<T>, at: u64, offset: u64, limit: u64) {
            let skip = offset.saturating_sub(at).min(v.len() as u64) as usize;
            v.drain(..skip);
            v.truncate(limit.min(usize::MAX as u64) as usize);
        }
        cut(&mut self.articles, self.articles_offset, page.articles_offset, page.articles_limit);
        cut(&mut self.timeline, self.timeline_offset, page.timeline_offset, page.timeline_limit);
        self.articles_offset = page.articles_offset;
        self.timeline_offset = page.timeline_offset;
        self
    }
}

/// Which part of a story's articles and timeline [`Store::story_page`](crate::Store::story_page)
/// returns: an offset and a limit for each list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryPage {
    pub articles_offset: u64,
    /// At most this many articles (the API caps it at [`MAX_PAGE`]).
    pub articles_limit: u64,
    pub timeline_offset: u64,
    /// At most this many timeline items (never more than
    /// [`STORY_TIMELINE`](crate::STORY_TIMELINE) exist).
    pub timeline_limit: u64,
}

/// Articles of a story's detail when no page is asked for (`GET /stories/{id}`).
pub const STORY_ARTICLES_PAGE: u64 = 50;

/// Timeline items of a story's detail when no page is asked for.
pub const STORY_TIMELINE_PAGE: u64 = 200;

impl StoryPage {
    /// Every article and the whole timeline (what [`Store::story`](crate::Store::story) returns).
    pub const WHOLE: StoryPage =
        StoryPage { articles_offset: 0, articles_limit: u64::MAX, timeline_offset: 0, timeline_limit: u64::MAX };
    /// Neither articles nor timeline items: the story's head, entities and totals.
    pub const HEAD: StoryPage =
        StoryPage { articles_offset: 0, articles_limit: 0, timeline_offset: 0, timeline_limit: 0 };

    /// The part (`skip..end`) of a timeline of `total` items this page covers.
    pub fn timeline_window(&self, total: u64) -> (usize, usize) {
        let skip = self.timeline_offset.min(total);
        let end = self.timeline_offset.saturating_add(self.timeline_limit).min(total);
        (skip as usize, end as usize)
    }
}

impl Default for StoryPage {
    /// The first [`STORY_ARTICLES_PAGE`] articles and [`STORY_TIMELINE_PAGE`] timeline items.
    fn default() -> Self {
        StoryPage {
            articles_offset: 0,
            articles_limit: STORY_ARTICLES_PAGE,
            timeline_offset: 0,
            timeline_limit: STORY_TIMELINE_PAGE,
        }
    }
}

/// One member of a near-duplicate group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateMember {
    #[serde(flatten)]
    pub article: QuoteArticle,
    /// Whether it is the group's canonical copy (the earliest published).
    pub canonical: bool,
    /// The most similar earlier article when it was stored, and the estimated Jaccard
    /// similarity of their word 5-shingles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
}

/// An article's near-duplicate group: every member (itself included) oldest first. An article
/// without near-duplicates is a group of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// The article asked about.
    pub article: String,
    /// The canonical copy's id.
    pub canonical: String,
    pub members: Vec<DuplicateMember>,
}
