-- +goose Up
-- settings holds small key/value facts about this installation, such as the
-- sealed check value that proves the secret key matches the database.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER
) STRICT;

-- setup_tokens are one-time tokens for creating the first admin; only a hash
-- of the token is kept.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

-- +goose Down
DROP TABLE setup_tokens;
DROP TABLE admins;
DROP TABLE settings;
