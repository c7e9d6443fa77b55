-- The language a ticket is written in (en, id or fa; '' when unknown):
-- detected from the first message when the ticket is made, changeable by
-- agents. Routing and triggers match on it, searches filter by it.
-- +goose Up
ALTER TABLE tickets ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tickets DROP COLUMN language;
