-- The email channel (support addresses, inbound messages kept raw, threading
-- keys, followers, bounces, auto-reply limits) and the durable job queue.
-- Times are Unix milliseconds (BIGINT) on both engines.
-- +goose Up
CREATE TABLE email_addresses (
    id            {{.PK}},
    email         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    group_id      BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    locale        TEXT NOT NULL DEFAULT 'en',
    -- imap[s]://USER:PASS@HOST:PORT/FOLDER and smtp[s]://USER:PASS@HOST:PORT;
    -- never logged or returned with the password.
    imap_url      TEXT NOT NULL DEFAULT '',
    smtp_url      TEXT NOT NULL DEFAULT '',
    -- What a reply from someone who is not a participant of the ticket does:
    -- 'new_ticket' (default) or 'hold' (waits for an agent's approval).
    unknown_reply TEXT NOT NULL DEFAULT 'new_ticket' CHECK (unknown_reply IN ('new_ticket', 'hold')),
    dkim_selector TEXT NOT NULL DEFAULT '',
    dkim_key      TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_addresses_email ON email_addresses (email);

-- Every inbound message, once, keyed by its Message-ID (or a content hash
-- when it has none). The raw bytes stay in the blob store for agents.
CREATE TABLE email_messages (
    id          {{.PK}},
    dedupe_key  TEXT NOT NULL,
    message_id  TEXT NOT NULL DEFAULT '',
    address_id  BIGINT REFERENCES email_addresses (id) ON DELETE SET NULL,
    source      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('received', 'ingested', 'failed', 'held', 'ignored', 'bounce')),
    reason      TEXT NOT NULL DEFAULT '',
    -- The raw message: in raw when small (one write with the row), else in
    -- the blob store under raw_key; raw_key 'db:' marks the inline copy.
    raw_key     TEXT NOT NULL DEFAULT '',
    raw         {{.Blob}},
    size        BIGINT NOT NULL DEFAULT 0,
    from_addr   TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    full_text   TEXT NOT NULL DEFAULT '',
    ticket_id   BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    comment_id  BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_messages_dedupe ON email_messages (dedupe_key);
CREATE INDEX email_messages_status ON email_messages (status, id);
CREATE INDEX email_messages_ticket ON email_messages (ticket_id, id);
CREATE INDEX email_messages_message_id ON email_messages (message_id);

-- Message-IDs we sent, for threading replies by In-Reply-To/References.
CREATE TABLE email_outbound (
    message_id TEXT PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX email_outbound_ticket ON email_outbound (ticket_id);

-- The per-ticket reply token (support+TOKEN@domain) and the address the
-- conversation runs through.
CREATE TABLE email_threads (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    token      TEXT NOT NULL,
    address_id BIGINT REFERENCES email_addresses (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_threads_token ON email_threads (token);

-- People copied on a ticket (CC'd on an email): they receive its public
-- replies and may answer into it.
CREATE TABLE ticket_followers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_followers_user ON ticket_followers (user_id);

-- Addresses that bounced: no more mail goes to them until cleared.
CREATE TABLE email_bounces (
    email      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL DEFAULT '',
    count      BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Auto-replies sent, for the per-sender rate limit.
CREATE TABLE email_autoreplies (
    id         {{.PK}},
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX email_autoreplies_email ON email_autoreplies (email, created_at);

-- The durable job queue (internal/jobs).
CREATE TABLE jobs (
    id           {{.PK}},
    queue        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    dedupe_key   TEXT,
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 10,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (queue, state, run_at, id);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key);

-- How far each reader of the event log has read (notifications replay from
-- here after a restart). Readers start at the end of the existing log.
CREATE TABLE event_cursors (
    name    TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL
);
INSERT INTO event_cursors (name, last_id) SELECT 'email.notify', COALESCE(MAX(id), 0) FROM events;

-- +goose Down
DROP TABLE event_cursors;
DROP TABLE jobs;
DROP TABLE email_autoreplies;
DROP TABLE email_bounces;
DROP TABLE ticket_followers;
DROP TABLE email_threads;
DROP TABLE email_outbound;
DROP TABLE email_messages;
DROP TABLE email_addresses;
