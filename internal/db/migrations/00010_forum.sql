-- The community forum: topics, posts (question, idea, discussion), answers
-- and comments on answers, votes, views counted once per visitor and day,
-- follows, reports, the moderation log, and each member's standing
-- (reputation, trust, the specialist badge). Times are Unix milliseconds.
-- status: published (everyone sees it), queued (waiting for a moderator:
-- a new member's first post, or a high spam score), hidden (by staff).
-- +goose Up
CREATE TABLE forum_topics (
    id          {{.PK}},
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE forum_posts (
    id              {{.PK}},
    topic_id        BIGINT NOT NULL REFERENCES forum_topics (id),
    author_id       BIGINT NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('question', 'idea', 'discussion')),
    locale          TEXT NOT NULL,
    title           TEXT NOT NULL,
    title_terms     TEXT NOT NULL DEFAULT '', -- the title's analysed terms, " a b c ", for finding open questions
    body_md         TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('published', 'queued', 'hidden')),
    locked          BOOLEAN NOT NULL DEFAULT FALSE,
    spam_score      BIGINT NOT NULL DEFAULT 0,
    accepted_id     BIGINT NOT NULL DEFAULT 0,
    merged_into     BIGINT NOT NULL DEFAULT 0,
    ticket_id       BIGINT NOT NULL DEFAULT 0,
    article_id      BIGINT NOT NULL DEFAULT 0,
    vote_sum        BIGINT NOT NULL DEFAULT 0,
    vote_count      BIGINT NOT NULL DEFAULT 0,
    answer_count    BIGINT NOT NULL DEFAULT 0,
    view_count      BIGINT NOT NULL DEFAULT 0,
    follower_count  BIGINT NOT NULL DEFAULT 0,
    first_answer_at BIGINT NOT NULL DEFAULT 0,
    solved_at       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- Listings page by id (keyset), newest first, with or without a topic.
CREATE INDEX forum_posts_status ON forum_posts (status, id);
CREATE INDEX forum_posts_topic ON forum_posts (topic_id, status, id);
CREATE INDEX forum_posts_author ON forum_posts (author_id, created_at);

-- An answer to a post (parent_id 0) or a comment on an answer.
CREATE TABLE forum_answers (
    id         {{.PK}},
    post_id    BIGINT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    parent_id  BIGINT NOT NULL DEFAULT 0,
    author_id  BIGINT NOT NULL REFERENCES users (id),
    body_md    TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('published', 'queued', 'hidden')),
    official   BOOLEAN NOT NULL DEFAULT FALSE,
    spam_score BIGINT NOT NULL DEFAULT 0,
    vote_sum   BIGINT NOT NULL DEFAULT 0,
    vote_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX forum_answers_post ON forum_answers (post_id, id);
CREATE INDEX forum_answers_author ON forum_answers (author_id, created_at);

-- One vote per member and post or answer.
CREATE TABLE forum_votes (
    target     TEXT NOT NULL CHECK (target IN ('post', 'answer')),
    target_id  BIGINT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    value      BIGINT NOT NULL CHECK (value IN (-1, 1)),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (target, target_id, user_id)
);

-- A view counts once per visitor (member id, or an anonymous cookie) and day.
CREATE TABLE forum_views (
    post_id BIGINT NOT NULL,
    visitor TEXT NOT NULL,
    day     BIGINT NOT NULL,
    PRIMARY KEY (post_id, visitor, day)
){{if .SQLite}} WITHOUT ROWID{{end}};

CREATE TABLE forum_follows (
    post_id    BIGINT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE forum_reports (
    id          {{.PK}},
    target      TEXT NOT NULL CHECK (target IN ('post', 'answer')),
    target_id   BIGINT NOT NULL,
    post_id     BIGINT NOT NULL,
    reporter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    resolved_at BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX forum_reports_once ON forum_reports (target, target_id, reporter_id);
CREATE INDEX forum_reports_open ON forum_reports (resolved_at, id);

CREATE TABLE forum_modlog (
    id         {{.PK}},
    actor_id   BIGINT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    post_id    BIGINT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX forum_modlog_time ON forum_modlog (id);

-- A member's standing: reputation (accepted answers and votes), trusted
-- once a moderator approved a post of theirs (later posts skip the queue),
-- and the "community specialist" badge that staff award.
CREATE TABLE forum_members (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    reputation BIGINT NOT NULL DEFAULT 0,
    accepted   BIGINT NOT NULL DEFAULT 0,
    trusted    BOOLEAN NOT NULL DEFAULT FALSE,
    specialist BOOLEAN NOT NULL DEFAULT FALSE
);

-- Solved threads join the knowledge-base search index (kind 'forum'), so
-- the portal search and the chatbot find them. SQLite cannot change a CHECK
-- constraint in place: the table is rebuilt.
{{if .SQLite}}
CREATE TABLE kb_docs_new (
    id          {{.PK}},
    kind        TEXT NOT NULL CHECK (kind IN ('article', 'faq', 'forum')),
    ref_id      BIGINT NOT NULL,
    locale      TEXT NOT NULL,
    level       BIGINT NOT NULL,
    category_id BIGINT NOT NULL DEFAULT 0,
    section_id  BIGINT NOT NULL DEFAULT 0,
    labels      TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    words       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
INSERT INTO kb_docs_new SELECT id, kind, ref_id, locale, level, category_id, section_id, labels, title, body, words, updated_at FROM kb_docs;
DROP TABLE kb_docs;
ALTER TABLE kb_docs_new RENAME TO kb_docs;
CREATE UNIQUE INDEX kb_docs_ref ON kb_docs (kind, ref_id, locale);
{{else}}
ALTER TABLE kb_docs DROP CONSTRAINT kb_docs_kind_check;
ALTER TABLE kb_docs ADD CONSTRAINT kb_docs_kind_check CHECK (kind IN ('article', 'faq', 'forum'));
{{end}}

-- +goose Down
DELETE FROM kb_docs WHERE kind = 'forum';
DROP TABLE forum_members;
DROP TABLE forum_modlog;
DROP TABLE forum_reports;
DROP TABLE forum_follows;
DROP TABLE forum_views;
DROP TABLE forum_votes;
DROP TABLE forum_answers;
DROP TABLE forum_posts;
DROP TABLE forum_topics;
