-- Schema version 4: the latest snapshot of the corpus state (newsgraph_corpus::CorpusState),
-- so a process that takes over corpus work restores it and replays only the articles
-- assigned after it (corpus_log.seq above `upto`) instead of the whole log.
CREATE TABLE corpus_snapshot (
    id      int PRIMARY KEY CHECK (id = 1),
    -- The state holds every article assigned up to this corpus_log.seq.
    upto    bigint NOT NULL,
    data    bytea NOT NULL,
    written timestamptz NOT NULL DEFAULT now()
);
-- Already compact (postcard): stored out of line without compression.
ALTER TABLE corpus_snapshot ALTER COLUMN data SET STORAGE EXTERNAL;
