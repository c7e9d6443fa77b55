-- Every list and search reads only live tickets (deleted_at IS NULL): partial
-- indexes let counts and sorted pages walk the index alone instead of the
-- whole table (inbox page 1 of 100,000: 33 ms → 5 ms of CPU on SQLite).
-- +goose Up
DROP INDEX tickets_status_updated;
DROP INDEX tickets_updated;
DROP INDEX tickets_assignee;
DROP INDEX tickets_group;
DROP INDEX tickets_requester;
DROP INDEX tickets_organization;
CREATE INDEX tickets_live_updated ON tickets (updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_created ON tickets (created_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_status ON tickets (status, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_assignee ON tickets (assignee_id, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_group ON tickets (group_id, status, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_requester ON tickets (requester_id, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_live_organization ON tickets (organization_id, updated_at) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX tickets_live_updated;
DROP INDEX tickets_live_created;
DROP INDEX tickets_live_status;
DROP INDEX tickets_live_assignee;
DROP INDEX tickets_live_group;
DROP INDEX tickets_live_requester;
DROP INDEX tickets_live_organization;
CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at);
CREATE INDEX tickets_group ON tickets (group_id, status, updated_at);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at);
CREATE INDEX tickets_organization ON tickets (organization_id, updated_at);
