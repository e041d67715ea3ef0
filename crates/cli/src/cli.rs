//! Every command and flag, defined once (help text comes from these definitions).
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "newsgraph",
    version,
    about = "Turns news articles into a searchable graph of who did and said what, where and when."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct StoreArg {
    /// Store directory, or a PostgreSQL database URL (postgres://user@host:port/db).
    #[arg(long, env = "NEWSGRAPH_STORE", default_value = "newsgraph-data", value_name = "DIR|URL")]
    pub store: PathBuf,
}

#[derive(Args, Debug, Clone, Default)]
pub struct InputOpts {
    /// Fail on the first bad record (and treat warnings as errors) instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Keep figure captions of HTML pages in the body text.
    #[arg(long)]
    pub include_captions: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyze articles (a file, folder, URL or - for stdin) and print every layer.
    Analyze {
        /// The input: file, folder, http(s) URL, or - for stdin.
        input: String,
        /// Print the documents as JSON (one object, or an array when the input holds several).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        opts: InputOpts,
    },
    /// Ingest files, folders, URLs or stdin into a store (idempotent).
    Ingest {
        /// Inputs: files, folders (recursive), http(s) URLs (feeds or pages), or - for stdin.
        #[arg(required = true)]
        inputs: Vec<String>,
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        opts: InputOpts,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Hide the progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// Publish the articles to the NATS JetStream work stream (workers annotate and
        /// store them) instead of storing them here. Comma-separated URLs for a cluster.
        #[arg(long, env = "NEWSGRAPH_NATS", value_name = "URL")]
        nats: Option<String>,
    },
    /// Full-text search with filters; prints ranked hits with snippets.
    Search {
        /// Query: words, "phrases", +must, -not, title:word, AND/OR. Empty = everything.
        #[arg(default_value = "")]
        query: String,
        #[command(flatten)]
        store: StoreArg,
        /// Only articles from this source (outlet or host).
        #[arg(long)]
        source: Option<String>,
        /// Only articles in this language (ISO 639-1, e.g. en).
        #[arg(long)]
        language: Option<String>,
        /// Published on or after this date (YYYY-MM-DD or RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Published on or before this date (YYYY-MM-DD, inclusive, or RFC 3339).
        #[arg(long)]
        to: Option<String>,
        /// The text mentions a date on or after this one (a mentioned period counts by its
        /// first and last day).
        #[arg(long)]
        mentioned_from: Option<String>,
        /// The text mentions a date on or before this one (YYYY-MM-DD, inclusive).
        #[arg(long)]
        mentioned_to: Option<String>,
        /// Only articles that mention this entity (an id from `newsgraph entities`, e.g.
        /// per:vladimir-putin). Repeat to require several.
        #[arg(long = "entity", value_name = "ID")]
        entities: Vec<String>,
        /// Only articles with an event of this CAMEO root code (two digits: 03 intend to
        /// cooperate, 04 consult, 13 threaten, 19 fight).
        #[arg(long, value_name = "ROOT", value_parser = parse_cameo_root)]
        event: Option<String>,
        /// Group the hits by story: each story with its label, span, matching articles and
        /// best hit (--limit and --offset then page the stories).
        #[arg(long)]
        stories: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long)]
        json: bool,
    },
    /// List the entities of the stored articles, most articles first.
    Entities {
        /// Only entities whose name, id or a written form contains this (any case).
        #[arg(long, value_name = "NAME")]
        q: Option<String>,
        /// Only entities of this kind.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(newsgraph_store::ENTITY_KINDS))]
        kind: Option<String>,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// Show one entity: forms seen, repaired spellings, details, the articles mentioning it and
    /// what it said (its newest quotes).
    Entity {
        /// Entity id (as printed by `newsgraph entities`), e.g. per:vladimir-putin.
        id: String,
        #[command(flatten)]
        store: StoreArg,
        /// Print its timeline instead: events, quotes and articles by the date of what happened.
        #[arg(long)]
        timeline: bool,
        /// Articles (timeline items with --timeline) per page.
        #[arg(long, default_value_t = 20)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// List who said what in the stored articles (quotes), newest articles first.
    Quotes {
        /// Only quotes of this speaker (an entity id from `newsgraph entities`, e.g. per:donald-trump).
        #[arg(long, value_name = "ID")]
        speaker: Option<String>,
        /// Only quotes about this entity (naming it; not its own).
        #[arg(long, value_name = "ID")]
        about: Option<String>,
        /// Only quotes containing these words (stemmed, any case): words, "a phrase", word*,
        /// -word, a OR b.
        #[arg(long, value_name = "TEXT")]
        q: Option<String>,
        /// Only quotes of this kind.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(newsgraph_store::QUOTE_KINDS))]
        kind: Option<String>,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, default_value_t = 20)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// List who did what to whom in the stored articles (CAMEO-coded events), latest day first.
    Events {
        /// Only events with this actor (source or target): an entity id (per:vladimir-putin) or a
        /// CAMEO actor code or its start (RUSGOV, RUS).
        #[arg(long, value_name = "ID|CODE")]
        actor: Option<String>,
        /// With --actor: only where it is the source (who acted) or the target.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(newsgraph_store::EVENT_ROLES))]
        role: Option<String>,
        /// Only events with this CAMEO code or code start (19 = all fights, 036, 1312).
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        /// First day (YYYY-MM-DD, inclusive) of the event.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, inclusive).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only events placed within KM of LAT,LON (e.g. 48.5,37.9,50).
        #[arg(long, value_name = "LAT,LON,KM", allow_hyphen_values = true)]
        near: Option<String>,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, default_value_t = 20)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// List the stories of the stored articles (articles clustered as they were stored), most
    /// articles first: label, time span, article count.
    Stories {
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// Show one story: its articles (with their near-duplicates), entities and timeline of
    /// events and quotes ordered by the date of what happened.
    Story {
        /// Story id (as printed by `newsgraph stories`).
        id: u64,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long)]
        json: bool,
    },
    /// Show one stored article with every layer.
    Show {
        /// Article id (as printed by ingest, search or export).
        id: String,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long)]
        json: bool,
    },
    /// Export the store: every article with all its layers (jsonl), or GDELT 2.0 tables
    /// (events, mentions, GKG 2.1; tab-separated as GDELT ships them), or a folder of Parquet
    /// tables (see crates/cli/EXPORT.md).
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Write here instead of stdout (parquet: the folder to write, required).
        #[arg(long, short, visible_alias = "out")]
        output: Option<PathBuf>,
        /// GDELT formats: first line with the published column names (GDELT's own files have none).
        #[arg(long)]
        header: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Article count and index state of a store.
    Stats {
        #[command(flatten)]
        store: StoreArg,
        #[arg(long)]
        json: bool,
    },
    /// Serve the HTTP JSON API (see crates/server/openapi.yaml) and the web UI at /.
    Serve {
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
    /// Score the engine against gold data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure throughput and peak memory.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Train a model from gold data.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Near-duplicate groups among the stored articles (MinHash + LSH over word 5-shingles).
    Dedup {
        #[command(flatten)]
        store: StoreArg,
        /// Estimated Jaccard similarity of shingles at or above which articles are near-duplicates.
        #[arg(long, default_value_t = newsgraph_corpus::DEFAULT_THRESHOLD)]
        threshold: f32,
        #[arg(long)]
        json: bool,
    },
    /// Scale-out: set up and watch the NATS JetStream work stream.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Scale-out: pull articles from the work stream, annotate them, store them, acknowledge.
    Worker {
        /// NATS server URL(s), comma-separated.
        #[arg(long, env = "NEWSGRAPH_NATS", value_name = "URL")]
        nats: String,
        #[command(flatten)]
        store: StoreArg,
        /// Articles per fetch and per store transaction.
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// Exit once nothing has been left to deliver or acknowledge for this many seconds.
        #[arg(long, value_name = "SECONDS")]
        exit_when_idle: Option<f64>,
        /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9187).
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// On a PostgreSQL store, do the corpus work (near-duplicates, stories, identity) in
        /// this worker's own transactions, serialized with the other writers', instead of
        /// handing it to the `newsgraph corpus` leader.
        #[arg(long)]
        inline_corpus: bool,
        /// Print the final report as JSON.
        #[arg(long)]
        json: bool,
        /// No progress lines.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Corpus work for the workers on a PostgreSQL store: near-duplicate groups, stories and
    /// cross-document identity, in one elected process (start several: one leads, the others
    /// stand by and take over when it dies).
    Corpus {
        /// NATS server URL(s), comma-separated.
        #[arg(long, env = "NEWSGRAPH_NATS", value_name = "URL")]
        nats: String,
        /// The workers' store (postgres://…).
        #[command(flatten)]
        store: StoreArg,
        /// Article ids per fetch and per assignment transaction.
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Exit once neither the workers' stream nor the extracted stream has had anything to
        /// deliver or acknowledge for this many seconds.
        #[arg(long, value_name = "SECONDS")]
        exit_when_idle: Option<f64>,
        /// Serve Prometheus metrics at http://ADDR/metrics.
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// Print the final report as JSON.
        #[arg(long)]
        json: bool,
        /// No progress lines.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Ingest the bundled examples into a fresh store and print what was found.
    Demo {
        /// The examples folder.
        #[arg(long, default_value = "examples")]
        examples: PathBuf,
        /// The demo store (deleted and recreated).
        #[arg(long, default_value = "newsgraph-demo")]
        store: PathBuf,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One article a line, the model's JSON with every layer.
    Jsonl,
    /// GDELT 2.0 Event table: 61 tab-separated columns, one event a line.
    GdeltEvents,
    /// GDELT 2.0 Mentions table: 16 tab-separated columns, one event mention a line.
    GdeltMentions,
    /// GDELT GKG 2.1: 27 tab-separated columns, one article a line.
    GdeltGkg,
    /// A folder (--out DIR) of Parquet files: articles, entities, quotes, events, timexes.
    Parquet,
}

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Named entities on a CoNLL file: exact-span precision, recall and F1 per type and
    /// overall (conlleval semantics), the model run on the gold tokens.
    Ner {
        #[arg(long, value_name = "FILE")]
        conll: PathBuf,
        #[arg(long, value_enum, default_value_t = Scheme::Iob1)]
        scheme: Scheme,
        /// Map the file's labels onto ours, e.g. `Person=PER,Organisation=ORG,Location=LOC,Nationality=MISC`;
        /// unmapped labels are ignored on both sides.
        #[arg(long, value_name = "LABELS")]
        map: Option<String>,
        /// A weights file instead of the committed model.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Re-case every word first (robustness to all-caps or lower-case text).
        #[arg(long, value_enum)]
        recase: Option<Recase>,
        /// Score the whole entity stage (tagger, rules, knowledge base, linking: the mentions
        /// `analyze` shows) on each document rebuilt from the gold tokens, instead of the
        /// tagger alone. Mentions are mapped to the tokens they cover.
        #[arg(long, conflicts_with = "model")]
        pipeline: bool,
        /// With --pipeline: score each mention's extent, the title attached in front of a
        /// person and a leading "the" included ("Foreign Secretary Boris Johnson", "the UN"),
        /// as ACE-style sets such as re3d mark it; by default the name alone, as CoNLL does.
        #[arg(long, requires = "pipeline")]
        extent: bool,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/ner-conll2003-testb.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Also write every sentence whose predicted spans differ from the gold ones here,
        /// with the missed and the spurious spans (for error analysis).
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
    },
    /// Main-text extraction: token-shingle P/R/F1 of the article body per page, averaged
    /// (the article-extraction-benchmark's own metric).
    Extract {
        /// The benchmark folder (holds html/ and ground-truth.json).
        #[arg(long, value_name = "DIR")]
        benchmark: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/extract.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Geocoding on a geoparsing corpus (GeoVirus, LGL, TR-News XML): accuracy within 161 km,
    /// mean and median error (km), AUC of the log error, each gold toponym resolved in its
    /// article; with --end-to-end also our own toponym recognition (P/R/F1 by span overlap).
    Geo {
        /// The corpus file (e.g. ../shared/data/geoparsing/Corpora/GeoVirus.xml).
        #[arg(long, value_name = "FILE")]
        corpus: PathBuf,
        /// Also recognize toponyms with the engine (place mentions) and score them.
        #[arg(long)]
        end_to_end: bool,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/geo-geovirus.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Time expressions on TimeML (every .tml under DIR): TempEval-3 strict/relaxed extent
    /// P/R/F1, type and value accuracy, value F1.
    Timex {
        /// A folder of TimeML files (searched recursively).
        #[arg(long, value_name = "DIR")]
        tml: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/timex.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Story clustering on ECB+ (topic folders `N/` of `N_Mecb.xml` and `N_Mecbplus.xml`):
    /// B³ and pairwise precision/recall/F1 against the gold sub-topics (topic + ECB/ECB+) and
    /// topics.
    Stories {
        /// The ECB+ folder (e.g. ../shared/data/ecbplus/ECB+).
        #[arg(long, value_name = "DIR")]
        ecbplus: PathBuf,
        /// Only these topics, e.g. `1-11` or `1,3,5-7`.
        #[arg(long, value_name = "LIST")]
        topics: Option<String>,
        /// Join threshold instead of the default (for experiments).
        #[arg(long, value_name = "X")]
        threshold: Option<f32>,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/stories-ecbplus.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Quotes (attributions) on PolNeAR's brat layout: content span F1 (exact and overlap),
    /// source and cue F1, speaker accuracy, for direct and indirect attributions and all.
    Quotes {
        /// A PolNeAR compartment holding text/ and attributions/ (e.g. ../shared/data/polnear/data/dev).
        #[arg(long, value_name = "DIR")]
        polnear: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/quotes-polnear-dev.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Events (CAMEO codes) on gold records: event precision/recall, root-code and full-code
    /// accuracy, source and target accuracy. Reads the PLOVER gold-standard records (a JSON
    /// array) or gold sentences as JSONL (`{"id","text","date","events":[{"source","target","code"}]}`).
    Events {
        /// The gold file (e.g. ../shared/data/plover-cameo/PLOVER_GSR_CAMEO.json).
        #[arg(long, value_name = "FILE")]
        plover: PathBuf,
        /// The CAMEO manual's reference folder, to recover the PLOVER records' full codes
        /// (default: `cameo-gdelt-reference` next to the gold file's folder, if present).
        #[arg(long, value_name = "DIR")]
        codebook: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Also write a Markdown report here (e.g. eval/reports/events-plover.md).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Named entities: train the averaged perceptron on a CoNLL file (fixed seed and order,
    /// so reproducible); prints dev F1 per epoch and keeps the best epoch.
    Ner {
        /// Training data (CoNLL, any IOB scheme; types PER, ORG, LOC, MISC); repeat the
        /// flag to train on several files.
        #[arg(long, value_name = "FILE", default_values = ["../shared/data/conll2003/eng.train"])]
        conll: Vec<PathBuf>,
        /// Development data for per-epoch F1 and choosing the epoch.
        #[arg(long, value_name = "FILE")]
        dev: Option<PathBuf>,
        /// Where to write the weights.
        #[arg(long, value_name = "FILE", default_value = "crates/entity/data/ner.bin")]
        out: PathBuf,
        #[arg(long, default_value_t = 12)]
        epochs: usize,
        /// Hashed feature table size: 2^bits rows.
        #[arg(long, default_value_t = 20)]
        bits: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Drop quantized weights smaller than this (smaller file).
        #[arg(long, default_value_t = 0)]
        prune: i16,
        /// Train without the place-name gazetteer features.
        #[arg(long)]
        no_gazetteer: bool,
        /// Add every N-th document again in upper case and another in lower case (0 = none).
        #[arg(long, default_value_t = 10, value_name = "N")]
        augment_case: usize,
        /// Learn a case lexicon (words mostly lower-case vs capitalized) as extra features.
        #[arg(long)]
        case_lexicon: bool,
    },
}

/// Re-casing of the input words.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recase {
    Upper,
    Lower,
}

/// Tagging scheme of a CoNLL file (decoded with conlleval's rules either way).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Iob1,
    Iob2,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Iob1 => "iob1",
            Scheme::Iob2 => "iob2",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Create (or update) the work stream, the dead-letter stream and the workers' consumer.
    Init {
        /// NATS server URL(s), comma-separated.
        #[arg(long, env = "NEWSGRAPH_NATS", value_name = "URL")]
        nats: String,
        /// Stream replicas (3 on a 3-node NATS cluster).
        #[arg(long, default_value_t = 1)]
        replicas: usize,
        /// Deliveries of an article before it goes to the dead-letter stream.
        #[arg(long, default_value_t = 5)]
        max_deliver: i64,
        /// Seconds a worker may hold an article before it is redelivered.
        #[arg(long, default_value_t = 60)]
        ack_wait: u64,
        #[arg(long)]
        json: bool,
    },
    /// Stream depth, articles in progress, redeliveries, dead letters.
    Status {
        #[arg(long, env = "NEWSGRAPH_NATS", value_name = "URL")]
        nats: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Ingest cost per article as the store grows (near-duplicates, stories and identity on):
    /// articles derived from analyzed base articles by recombining paragraphs with their
    /// layers, stored into a fresh temporary store; CPU time per article by slice, peak memory.
    Corpus {
        /// Base articles (files or folders) whose paragraphs are recombined; missing ones are skipped.
        #[arg(long = "input", default_values_t = ["examples".to_string(), "../shared/data/article-extraction-benchmark/html".to_string()])]
        inputs: Vec<String>,
        /// Corpus sizes to run (each into its own fresh store).
        #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
        sizes: Vec<usize>,
        /// Build each store under DIR (DIR/N for N articles) and keep it, for `serve --store
        /// DIR/N` on a large store; by default the stores are temporary.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Near-duplicate detection: documents per CPU-second for signature + query + insert,
    /// over documents re-mixed from a corpus's texts with planted near-copies.
    Dedup {
        /// Folder (or file) of articles whose texts are re-mixed.
        #[arg(long, default_value = "../shared/data/article-extraction-benchmark/html")]
        corpus: String,
        /// Number of documents to generate.
        #[arg(long, default_value_t = 10_000)]
        docs: usize,
        #[arg(long)]
        json: bool,
    },
    /// The entity stage (tagger over segmented documents): words per CPU-second, peak memory.
    Entities {
        /// CoNLL files (one document per -DOCSTART-), text files or folders of .txt/.md.
        #[arg(default_values_t = ["../shared/data/conll2003/eng.testb".to_string()])]
        inputs: Vec<String>,
        /// Passes over the documents.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        #[arg(long)]
        json: bool,
    },
    /// HTML main-text extraction: pages and MB per CPU-second, peak memory.
    Extract {
        /// A folder of .html / .html.gz pages.
        #[arg(long, value_name = "DIR", default_value = "../shared/data/article-extraction-benchmark/html")]
        corpus: PathBuf,
        /// Passes over the corpus (the figures are over all passes).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        #[arg(long)]
        json: bool,
    },
    /// Time expressions (segmentation + time tagging of TimeML bodies): words per CPU-second.
    Timex {
        /// A folder of TimeML files (searched recursively).
        #[arg(long, value_name = "DIR", default_value = "../shared/data/tempeval3/Training/TBAQ-cleaned")]
        corpus: PathBuf,
        /// Passes over the documents.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        #[arg(long)]
        json: bool,
    },
    /// Quotes: words per CPU-second for the quote stage and for the pipeline up to it.
    Quotes {
        /// A folder of .html / .html.gz news pages (their main text is used).
        #[arg(long, value_name = "DIR", default_value = "../shared/data/article-extraction-benchmark/html")]
        corpus: PathBuf,
        /// Passes of the quote stage over the documents.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        #[arg(long)]
        json: bool,
    },
    /// Events: sentences per CPU-second for the whole standard pipeline up to events (one
    /// thread), and for the event stage alone.
    Events {
        /// Inputs (files or folders) whose articles are analyzed.
        #[arg(default_values_t = ["examples".to_string(), "../shared/data/article-extraction-benchmark/html".to_string()])]
        inputs: Vec<String>,
        /// Passes over the documents.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        #[arg(long)]
        json: bool,
    },
    /// Articles through NATS JetStream and worker processes into a store, against one process.
    Cluster {
        /// Inputs (files or folders).
        #[arg(default_values_t = ["examples".to_string(), "../shared/data/article-extraction-benchmark/html".to_string()])]
        inputs: Vec<String>,
        /// Worker processes (more than one needs --store postgres://…).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// Each article this many times (as distinct articles).
        #[arg(long, default_value_t = 2)]
        copies: usize,
        /// NATS URL; by default a nats-server is started on a free loopback port.
        #[arg(long, value_name = "URL")]
        nats: Option<String>,
        /// The workers' store; by default a temporary embedded store.
        #[arg(long, value_name = "SPEC")]
        store: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Ingest into a fresh temporary store: articles per second, peak memory.
    Ingest {
        /// Inputs to ingest (files or folders).
        #[arg(default_values_t = ["examples".to_string(), "../shared/data/article-extraction-benchmark/html".to_string()])]
        inputs: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

/// A CAMEO root code: two digits, 01 to 20.
fn parse_cameo_root(s: &str) -> Result<String, String> {
    match s.trim().parse::<u8>() {
        Ok(n @ 1..=20) if s.trim().len() == 2 => Ok(format!("{n:02}")),
        _ => Err(format!("expected a CAMEO root code, 01 to 20, got {s:?}")),
    }
}
