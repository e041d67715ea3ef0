-- Schema version 2: corpus work can run apart from the writers (newsgraph_store::CorpusWork).
-- Applied after schema.sql on a new database, and once to a version-1 database.

-- The order in which documents were assigned their near-duplicate group, story and
-- identities: replayed (by `seq`) to rebuild the corpus state, and the queue of what is not
-- yet assigned (stored documents without a row here).
CREATE TABLE corpus_log (
    seq    bigserial PRIMARY KEY,
    doc_id text COLLATE "C" NOT NULL UNIQUE
);
-- Version 1 assigned every document in its write, in insertion order.
INSERT INTO corpus_log(doc_id) SELECT id FROM documents ORDER BY ord;

-- Change sequence numbers (`documents.seq`) without a lock shared by every writer.
CREATE SEQUENCE change_seq;
SELECT setval('change_seq', (SELECT coalesce(max(seq), 0) + 1 FROM documents), false);

-- The row whose lock (`SELECT … FOR UPDATE`) serializes corpus work.
INSERT INTO meta(key, value) VALUES ('corpus_lock', '') ON CONFLICT (key) DO NOTHING;
DELETE FROM meta WHERE key = 'last_seq';
