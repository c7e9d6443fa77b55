-- Self-service accounts: one-time links for email verification and password
-- reset. Only the SHA-256 digest of each 256-bit secret is stored. email is the
-- address the link was sent to: the link dies if the user's address changes.
-- The new_* columns hold what a sign-up that claims an existing password-less
-- customer wants to set; they are applied only when the link is used.
-- +goose Up
CREATE TABLE account_tokens (
    digest            TEXT PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose           TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email             TEXT NOT NULL,
    new_name          TEXT NOT NULL DEFAULT '',
    new_locale        TEXT NOT NULL DEFAULT '',
    new_password_hash TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    used_at           BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expires ON account_tokens (expires_at);

-- +goose Down
DROP TABLE account_tokens;
