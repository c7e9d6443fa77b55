-- The customer journey (internal/journey, docs/kpis.md "Customer journey").
-- Its figures join each customer's first purchase to the tickets they
-- opened: tickets_journey answers that from the index alone (requester,
-- creation time, deletion, channel, tags), without a lookup per ticket.
-- A ticket's tags at creation are the "before" of its first tag change:
-- events_tag_changes holds just those events, a small share of the log.
-- +goose Up
CREATE INDEX tickets_journey ON tickets (requester_id, created_at, deleted_at, via_channel, tags);
CREATE INDEX events_tag_changes ON events (ticket_id, id) WHERE type = 'ticket.field_changed' AND field = 'tags';

-- +goose Down
DROP INDEX events_tag_changes;
DROP INDEX tickets_journey;
