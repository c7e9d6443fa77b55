-- Measure: survey responses (CSAT, NPS, CES), customer events (journey,
-- retention), and an index for reading the event log by time.
-- +goose Up
CREATE TABLE survey_responses (
    id          {{.PK}},
    kind        TEXT NOT NULL CHECK (kind IN ('csat', 'nps', 'ces')),
    ticket_id   BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    customer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the ticket's assignee, group and channel when the survey was offered
    agent_id    BIGINT,
    group_id    BIGINT,
    channel     TEXT NOT NULL DEFAULT '',
    -- csat: 1 (bad) .. 5 (good), good/bad stored as 5/1; nps: 0..10; ces: 1..7; NULL while offered
    score       BIGINT,
    comment     TEXT NOT NULL DEFAULT '',
    offered_at  BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (kind, ticket_id)
);
CREATE INDEX survey_responses_answered ON survey_responses (kind, answered_at);
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, kind, offered_at);

CREATE TABLE customer_events (
    id          {{.PK}},
    customer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    value_cents BIGINT NOT NULL DEFAULT 0,
    occurred_at BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX customer_events_customer ON customer_events (customer_id, occurred_at);
CREATE INDEX customer_events_type ON customer_events (type, occurred_at);

CREATE INDEX events_time ON events (created_at);

-- SMART goals: a KPI, a target, a deadline and an owner (a group or an agent).
CREATE TABLE kpi_goals (
    id             {{.PK}},
    name           TEXT NOT NULL,
    kpi            TEXT NOT NULL,
    target         DOUBLE PRECISION NOT NULL,
    start_at       BIGINT NOT NULL,
    deadline       BIGINT NOT NULL,
    owner_group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    owner_agent_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    created_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL
);

-- The agents' suggestion board: agents post, vote and comment; managers set the status.
CREATE TABLE suggestions (
    id         {{.PK}},
    author_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'planned', 'done', 'declined')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE suggestion_votes (
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (suggestion_id, user_id)
);
CREATE TABLE suggestion_comments (
    id            {{.PK}},
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX suggestion_comments_suggestion ON suggestion_comments (suggestion_id, id);

-- +goose Down
DROP TABLE suggestion_comments;
DROP TABLE suggestion_votes;
DROP TABLE suggestions;
DROP TABLE kpi_goals;
DROP INDEX events_time;
DROP TABLE customer_events;
DROP TABLE survey_responses;
