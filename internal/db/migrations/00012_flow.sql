-- Collaboration on tickets: followers (staff kept informed of a ticket's
-- updates; CCs, the people copied on its public replies, are the email
-- channel's ticket_followers of 00003), in-app notifications (mentions in internal
-- notes, new messages on followed tickets), and side conversations: a
-- ticket-linked thread with a third party (another team, a supplier),
-- visible to staff only, never to the customer. The third party answers
-- through a link with a random token.
-- Times are Unix milliseconds (BIGINT) on both engines.
-- +goose Up
CREATE TABLE ticket_watchers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_watchers_user ON ticket_watchers (user_id);

-- One notification per person, reason and source (the comment or message
-- id): a replayed event does not notify twice.
CREATE TABLE notifications (
    id         {{.PK}},
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('mention', 'followed_update', 'side_reply')),
    source_id  BIGINT NOT NULL DEFAULT 0,
    actor_id   BIGINT NOT NULL DEFAULT 0,
    excerpt    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    read_at    BIGINT,
    UNIQUE (user_id, kind, source_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE side_conversations (
    id         {{.PK}},
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    subject    TEXT NOT NULL,
    to_email   TEXT NOT NULL,
    token      TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX side_conversations_ticket ON side_conversations (ticket_id, id);

-- author_id is the agent who wrote; 0 for the third party (from_email).
CREATE TABLE side_messages (
    id              {{.PK}},
    conversation_id BIGINT NOT NULL REFERENCES side_conversations (id) ON DELETE CASCADE,
    author_id       BIGINT NOT NULL DEFAULT 0,
    from_email      TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX side_messages_conversation ON side_messages (conversation_id, id);

-- The collaboration reader of the event log starts at its end.
INSERT INTO flow_cursors (name, last_event_id, updated_at) SELECT 'collab', COALESCE(MAX(id), 0), 0 FROM events;

-- +goose Down
DELETE FROM flow_cursors WHERE name = 'collab';
DROP TABLE side_messages;
DROP TABLE side_conversations;
DROP TABLE notifications;
DROP TABLE ticket_watchers;
