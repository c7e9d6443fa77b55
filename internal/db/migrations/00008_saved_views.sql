-- Saved inbox views: a named filter (the inbox's query string) of one agent,
-- or shared with all staff. Times are Unix milliseconds.
-- +goose Up
CREATE TABLE saved_views (
    id         {{.PK}},
    owner_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL DEFAULT '',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX saved_views_owner ON saved_views (owner_id);

-- +goose Down
DROP INDEX saved_views_owner;
DROP TABLE saved_views;
