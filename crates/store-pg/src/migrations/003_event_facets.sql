-- Schema version 3: search by event type, facets of event types and mentioned days.
-- The CAMEO root codes of each article's events (newsgraph_store::rows::event_roots).
ALTER TABLE articles ADD COLUMN event_roots text[] NOT NULL DEFAULT '{}';
UPDATE articles a SET event_roots = coalesce(
    (SELECT array_agg(DISTINCT e.root ORDER BY e.root) FROM events e WHERE e.doc_id = a.id AND e.root <> ''),
    '{}');
CREATE INDEX articles_event_roots ON articles USING gin (event_roots);
-- The single days each article mentions (newsgraph_store::rows::exact_days_of): the
-- dates-mentioned facet, filled from the documents' time layers by `backfill_days` (lib.rs).
ALTER TABLE articles ADD COLUMN days bigint[] NOT NULL DEFAULT '{}';
