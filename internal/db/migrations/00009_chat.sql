-- Live chat: visitors, conversations (each backed by a ticket with channel
-- "chat"), their messages with a per-conversation sequence number, visitor
-- uploads, agents' presence, canned replies and the workspace's chat settings.
-- Times are Unix milliseconds.
-- +goose Up
CREATE TABLE chat_settings (
    id                BIGINT PRIMARY KEY,
    workspace_key     TEXT NOT NULL,
    identity_secret   TEXT NOT NULL,
    token_key         TEXT NOT NULL,
    max_chats         INTEGER NOT NULL DEFAULT 3,
    idle_away_minutes INTEGER NOT NULL DEFAULT 5
);

CREATE TABLE chat_visitors (
    id         {{.PK}},
    uuid       TEXT NOT NULL UNIQUE,
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE chat_conversations (
    id               {{.PK}},
    uuid             TEXT NOT NULL UNIQUE,
    visitor_id       BIGINT NOT NULL REFERENCES chat_visitors (id),
    ticket_id        BIGINT NOT NULL REFERENCES tickets (id),
    status           TEXT NOT NULL CHECK (status IN ('queued', 'active', 'ended', 'offline')),
    agent_id         BIGINT REFERENCES users (id),
    group_id         BIGINT REFERENCES groups (id),
    name             TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    topic            TEXT NOT NULL DEFAULT '',
    locale           TEXT NOT NULL DEFAULT 'en',
    last_seq         BIGINT NOT NULL DEFAULT 0,
    visitor_read_seq BIGINT NOT NULL DEFAULT 0,
    agent_read_seq   BIGINT NOT NULL DEFAULT 0,
    requested_at     BIGINT NOT NULL,
    answered_at      BIGINT,
    ended_at         BIGINT,
    visitor_left_at  BIGINT -- the visitor's last socket closed while queued
);
CREATE INDEX chat_conversations_visitor ON chat_conversations (visitor_id, status);
CREATE INDEX chat_conversations_status ON chat_conversations (status, requested_at);
CREATE INDEX chat_conversations_agent ON chat_conversations (agent_id, status);

CREATE TABLE chat_messages (
    id              {{.PK}},
    conversation_id BIGINT NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    author_kind     TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
    author_id       BIGINT,
    author_name     TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    attachments     TEXT NOT NULL DEFAULT '',
    client_ref      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX chat_messages_seq ON chat_messages (conversation_id, seq);
CREATE UNIQUE INDEX chat_messages_ref ON chat_messages (conversation_id, author_kind, client_ref);

CREATE TABLE chat_uploads (
    id           {{.PK}},
    token        TEXT NOT NULL UNIQUE,
    visitor_id   BIGINT NOT NULL REFERENCES chat_visitors (id),
    blob_key     TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL
);

CREATE TABLE chat_presence (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
    last_seen_at   BIGINT NOT NULL,
    last_active_at BIGINT NOT NULL
);

CREATE TABLE chat_canned (
    id         {{.PK}},
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE chat_canned;
DROP TABLE chat_presence;
DROP TABLE chat_uploads;
DROP INDEX chat_messages_ref;
DROP INDEX chat_messages_seq;
DROP TABLE chat_messages;
DROP INDEX chat_conversations_agent;
DROP INDEX chat_conversations_status;
DROP INDEX chat_conversations_visitor;
DROP TABLE chat_conversations;
DROP TABLE chat_visitors;
DROP TABLE chat_settings;
