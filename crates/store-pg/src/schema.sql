-- newsgraph PostgreSQL store, schema version 1 (FORMAT.md in this crate describes every table).
-- Run once, in one transaction, by the first writable PgStore::connect on an empty database
-- (or schema: the tables are created in the first schema of the connection's search_path).
-- Identifiers and other text that is sorted or compared use the "C" collation, so orders match
-- the embedded store's (byte order) whatever the database's default collation is.

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

-- One row per stored article: identity (unique keys), metadata and the whole document as JSON.
CREATE TABLE documents (
    id            text COLLATE "C" PRIMARY KEY,
    ord           bigserial NOT NULL UNIQUE,
    url_key       text COLLATE "C" UNIQUE,
    content_hash  text COLLATE "C" NOT NULL UNIQUE,
    url           text,
    title         text,
    source        text COLLATE "C",
    language      text COLLATE "C",
    published     bigint,
    published_raw text,
    ingested_at   bigint NOT NULL,
    updated_at    bigint NOT NULL,
    seq           bigint NOT NULL UNIQUE,
    doc           text NOT NULL
);
CREATE INDEX documents_published ON documents (published);
CREATE INDEX documents_source    ON documents (source, published);
CREATE INDEX documents_language  ON documents (language, published);

-- The search side of each article, partitioned by month of publication (UTC). Partitions
-- `articles_pYYYYMM` are created by the writer before the batch that needs them; undated
-- articles (month '0001-01-01') and months outside 1900..2200 live in `articles_other`.
CREATE TABLE articles (
    id        text COLLATE "C" NOT NULL,
    month     date NOT NULL,
    published bigint,
    source    text COLLATE "C",
    language  text COLLATE "C",
    title     text,
    body      text NOT NULL,
    mentioned bigint[] NOT NULL,
    entities  text[] NOT NULL,
    tsv       tsvector NOT NULL,
    PRIMARY KEY (id, month)
) PARTITION BY RANGE (month);
CREATE TABLE articles_other PARTITION OF articles DEFAULT;
CREATE INDEX articles_tsv       ON articles USING gin (tsv);
CREATE INDEX articles_entities  ON articles USING gin (entities);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_source    ON articles (source);
CREATE INDEX articles_language  ON articles (language);

CREATE TABLE aliases (
    url_key  text COLLATE "C" PRIMARY KEY,
    url      text NOT NULL,
    doc_id   text COLLATE "C" NOT NULL,
    added_at bigint NOT NULL
);
CREATE INDEX aliases_doc ON aliases (doc_id);

CREATE TABLE entity_occurrences (
    entity_id text COLLATE "C" NOT NULL,
    doc_id    text COLLATE "C" NOT NULL,
    name      text COLLATE "C" NOT NULL,
    kind      text COLLATE "C" NOT NULL,
    kb_id     text,
    country   text,
    mentions  bigint NOT NULL,
    aliases   text NOT NULL,
    repaired  text NOT NULL,
    info      text NOT NULL,
    PRIMARY KEY (entity_id, doc_id)
);
CREATE INDEX entity_occurrences_doc  ON entity_occurrences (doc_id);
CREATE INDEX entity_occurrences_kind ON entity_occurrences (kind, entity_id);

CREATE TABLE quotes (
    id               bigserial PRIMARY KEY,
    doc_id           text COLLATE "C" NOT NULL,
    ordinal          bigint NOT NULL,
    published        bigint,
    kind             text NOT NULL,
    content          text NOT NULL,
    span_start       bigint NOT NULL,
    span_end         bigint NOT NULL,
    source           text,
    cue              text,
    speaker_id       text COLLATE "C",
    speaker_name     text,
    speaker_kind     text,
    reported_by_id   text COLLATE "C",
    reported_by_name text,
    reported_by_kind text,
    confidence       double precision NOT NULL,
    tsv              tsvector NOT NULL,
    UNIQUE (doc_id, ordinal)
);
CREATE INDEX quotes_speaker   ON quotes (speaker_id, published);
CREATE INDEX quotes_published ON quotes (published);
CREATE INDEX quotes_tsv       ON quotes USING gin (tsv);

CREATE TABLE events (
    id            bigserial PRIMARY KEY,
    doc_id        text COLLATE "C" NOT NULL,
    ordinal       bigint NOT NULL,
    published     bigint,
    day           text COLLATE "C",
    date_value    text,
    code          text COLLATE "C" NOT NULL,
    root          text NOT NULL,
    plover        text NOT NULL,
    goldstein     double precision NOT NULL,
    quad_class    bigint NOT NULL,
    modality      text NOT NULL,
    trigger       text NOT NULL,
    content       text NOT NULL,
    span_start    bigint NOT NULL,
    span_end      bigint NOT NULL,
    source_id     text COLLATE "C",
    source_name   text,
    source_code   text COLLATE "C",
    target_id     text COLLATE "C",
    target_name   text,
    target_code   text COLLATE "C",
    place_id      text,
    place_name    text,
    place_country text,
    lat           double precision,
    lon           double precision,
    confidence    double precision NOT NULL,
    UNIQUE (doc_id, ordinal)
);
CREATE INDEX events_source_id   ON events (source_id, day);
CREATE INDEX events_target_id   ON events (target_id, day);
CREATE INDEX events_source_code ON events (source_code text_pattern_ops);
CREATE INDEX events_target_code ON events (target_code text_pattern_ops);
CREATE INDEX events_code        ON events (code text_pattern_ops);
CREATE INDEX events_day         ON events (day);
CREATE INDEX events_lat         ON events (lat);

CREATE TABLE duplicates (
    doc_id     text COLLATE "C" PRIMARY KEY,
    canonical  text COLLATE "C" NOT NULL,
    nearest    text,
    similarity double precision
);
CREATE INDEX duplicates_canonical ON duplicates (canonical);

CREATE TABLE stories (
    id              bigint PRIMARY KEY,
    label           text NOT NULL,
    entities        text NOT NULL,
    places          text NOT NULL,
    keywords        text NOT NULL,
    dates           text NOT NULL,
    first_published bigint,
    last_published  bigint,
    articles        bigint NOT NULL
);
CREATE INDEX stories_articles ON stories (articles, last_published);

-- Cross-document identity: entity ids answered by another id (newsgraph_corpus::identity).
CREATE TABLE entity_merges (
    entity_id       text COLLATE "C" PRIMARY KEY,
    canonical       text COLLATE "C" NOT NULL,
    name_similarity double precision,
    context         double precision
);
CREATE INDEX entity_merges_canonical ON entity_merges (canonical);

CREATE TABLE story_articles (
    doc_id   text COLLATE "C" PRIMARY KEY,
    story_id bigint NOT NULL
);
CREATE INDEX story_articles_story ON story_articles (story_id);
