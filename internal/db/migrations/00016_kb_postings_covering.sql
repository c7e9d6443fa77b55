-- PostgreSQL keeps a table apart from its primary key, so reading a term's
-- best postings fetched a heap row for each one only to test its level:
-- with the level in the key's leaf entries the read is an index-only scan.
-- (SQLite's kb_postings is WITHOUT ROWID: the key holds the row already.)
-- +goose Up
{{if .Postgres}}
ALTER TABLE kb_postings DROP CONSTRAINT kb_postings_pkey,
    ADD CONSTRAINT kb_postings_pkey PRIMARY KEY (term, weight, doc_id) INCLUDE (level);
{{else}}
SELECT 1;
{{end}}

-- +goose Down
{{if .Postgres}}
ALTER TABLE kb_postings DROP CONSTRAINT kb_postings_pkey,
    ADD CONSTRAINT kb_postings_pkey PRIMARY KEY (term, weight, doc_id);
{{else}}
SELECT 1;
{{end}}
