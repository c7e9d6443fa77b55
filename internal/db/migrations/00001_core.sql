-- The ticket core. Times are Unix milliseconds (BIGINT) on both engines.
-- +goose Up
CREATE TABLE groups (
    id          {{.PK}},
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (name);

CREATE TABLE organizations (
    id              {{.PK}},
    name            TEXT NOT NULL,
    details         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    external_id     TEXT,
    group_id        BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    shared_tickets  BOOLEAN NOT NULL DEFAULT FALSE,
    shared_comments BOOLEAN NOT NULL DEFAULT FALSE,
    tags            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (name);
CREATE UNIQUE INDEX organizations_external_id ON organizations (external_id);

CREATE TABLE organization_domains (
    domain          TEXT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains (organization_id);

CREATE TABLE users (
    id                   {{.PK}},
    name                 TEXT NOT NULL,
    email                TEXT,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'light_agent', 'end_user')),
    locale               TEXT NOT NULL DEFAULT 'en',
    time_zone            TEXT NOT NULL DEFAULT 'UTC',
    organization_id      BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    default_group_id     BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    external_id          TEXT,
    phone                TEXT NOT NULL DEFAULT '',
    details              TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    tags                 TEXT NOT NULL DEFAULT '',
    restricted_to_groups BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash        TEXT NOT NULL DEFAULT '',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    suspended            BOOLEAN NOT NULL DEFAULT FALSE,
    verified             BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at        BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_external_id ON users (external_id);
CREATE INDEX users_organization ON users (organization_id);
CREATE INDEX users_role ON users (role, id);

-- The customer-success manager who gets an organisation's tickets first.
ALTER TABLE organizations ADD COLUMN account_owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL;

CREATE TABLE group_memberships (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id   BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX group_memberships_group ON group_memberships (group_id);

CREATE TABLE ticket_fields (
    id                   {{.PK}},
    title                TEXT NOT NULL,
    type                 TEXT NOT NULL CHECK (type IN ('text', 'textarea', 'checkbox', 'date', 'integer', 'decimal', 'tagger', 'multiselect')),
    description          TEXT NOT NULL DEFAULT '',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    required             BOOLEAN NOT NULL DEFAULT FALSE,
    visible_in_portal    BOOLEAN NOT NULL DEFAULT FALSE,
    editable_in_portal   BOOLEAN NOT NULL DEFAULT FALSE,
    options              TEXT NOT NULL DEFAULT '[]',
    position             BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE tickets (
    id              {{.PK}},
    subject         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'hold', 'solved', 'closed')),
    priority        TEXT NOT NULL DEFAULT '' CHECK (priority IN ('', 'low', 'normal', 'high', 'urgent')),
    type            TEXT NOT NULL DEFAULT '' CHECK (type IN ('', 'question', 'incident', 'problem', 'task')),
    via_channel     TEXT NOT NULL DEFAULT 'api',
    requester_id    BIGINT NOT NULL REFERENCES users (id),
    submitter_id    BIGINT NOT NULL REFERENCES users (id),
    assignee_id     BIGINT REFERENCES users (id),
    group_id        BIGINT REFERENCES groups (id),
    organization_id BIGINT REFERENCES organizations (id),
    tags            TEXT NOT NULL DEFAULT '',
    custom_fields   TEXT NOT NULL DEFAULT '{}',
    external_id     TEXT,
    due_at          BIGINT,
    solved_at       BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    deleted_at      BIGINT
);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at);
CREATE INDEX tickets_group ON tickets (group_id, status, updated_at);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at);
CREATE INDEX tickets_organization ON tickets (organization_id, updated_at);
CREATE INDEX tickets_external_id ON tickets (external_id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

CREATE TABLE comments (
    id          {{.PK}},
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id   BIGINT NOT NULL REFERENCES users (id),
    public      BOOLEAN NOT NULL,
    body        TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    via_channel TEXT NOT NULL DEFAULT 'api',
    created_at  BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE attachments (
    id           {{.PK}},
    token        TEXT NOT NULL,
    comment_id   BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    uploader_id  BIGINT NOT NULL REFERENCES users (id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    blob_key     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX attachments_token ON attachments (token);
CREATE INDEX attachments_comment ON attachments (comment_id);

-- The event log: every change, written in the same transaction as the change.
CREATE TABLE events (
    id         {{.PK}},
    ticket_id  BIGINT REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    type       TEXT NOT NULL,
    field      TEXT NOT NULL DEFAULT '',
    before     TEXT,
    after      TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, id);
CREATE INDEX events_type_time ON events (type, created_at);

CREATE TABLE api_tokens (
    id           {{.PK}},
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    digest       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_digest ON api_tokens (digest);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
    digest     TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Full-text index of tickets: analysed terms (search/analyze) of the subject
-- and of every comment, one row per ticket.
{{if .SQLite}}
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 0');
{{else}}
CREATE TABLE ticket_fts (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    subject   TEXT NOT NULL DEFAULT '',
    body      TEXT NOT NULL DEFAULT '',
    tsv       tsvector GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || body)) STORED
);
CREATE INDEX ticket_fts_tsv ON ticket_fts USING GIN (tsv);
{{end}}

-- +goose Down
DROP TABLE ticket_fts;
DROP TABLE settings;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE events;
DROP TABLE attachments;
DROP TABLE comments;
DROP TABLE ticket_tags;
DROP TABLE tickets;
DROP TABLE ticket_fields;
DROP TABLE group_memberships;
DROP TABLE users;
DROP TABLE organization_domains;
DROP TABLE organizations;
DROP TABLE groups;
