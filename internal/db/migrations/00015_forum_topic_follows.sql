-- Topic follows: a member who follows a community topic is mailed about each
-- new post in it (post follows cover the answers). Times are Unix milliseconds.
-- +goose Up
CREATE TABLE forum_topic_follows (
    topic_id   BIGINT NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);
CREATE INDEX forum_topic_follows_user ON forum_topic_follows (user_id);

-- +goose Down
DROP INDEX forum_topic_follows_user;
DROP TABLE forum_topic_follows;
