-- Flow of work: business hours, SLA policies, triggers, automations, macros,
-- webhooks (objects kept as JSON bodies, one table), the event-log cursor of
-- the automation reader, SLA clocks per ticket, automation runs, agent
-- availability for routing, and the webhook delivery log.
-- Times are Unix milliseconds (BIGINT) on both engines.
-- +goose Up
CREATE TABLE flow_objects (
    id         {{.PK}},
    kind       TEXT NOT NULL CHECK (kind IN ('schedule', 'sla_policy', 'trigger', 'automation', 'macro', 'webhook', 'routing', 'settings')),
    title      TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   BIGINT NOT NULL DEFAULT 0,
    body       TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX flow_objects_kind ON flow_objects (kind, position, id);

-- The last event id each reader has processed (replay after a crash).
CREATE TABLE flow_cursors (
    name          TEXT PRIMARY KEY,
    last_event_id BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);

-- Current SLA clocks per ticket, for views and the ticket page.
CREATE TABLE ticket_slas (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    policy_id  BIGINT NOT NULL,
    state      TEXT NOT NULL DEFAULT '',
    next_due_at BIGINT,
    clocks     TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL
);
CREATE INDEX ticket_slas_due ON ticket_slas (state, next_due_at);

-- An automation fires once per ticket per status period (stamp: when the
-- status last changed).
CREATE TABLE automation_runs (
    rule_id    BIGINT NOT NULL,
    ticket_id  BIGINT NOT NULL,
    stamp      BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, stamp)
);

CREATE TABLE agent_availability (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status     TEXT NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away', 'out_of_office', 'offline')),
    ooo_from   BIGINT,
    ooo_until  BIGINT,
    capacity   BIGINT NOT NULL DEFAULT 0,
    skills     TEXT NOT NULL DEFAULT '',
    languages  TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id          {{.PK}},
    webhook_id  BIGINT NOT NULL,
    event_id    BIGINT NOT NULL DEFAULT 0,
    event_type  TEXT NOT NULL,
    ticket_id   BIGINT NOT NULL DEFAULT 0,
    attempt     BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'refused')),
    http_status BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE agent_availability;
DROP TABLE automation_runs;
DROP TABLE ticket_slas;
DROP TABLE flow_cursors;
DROP TABLE flow_objects;
