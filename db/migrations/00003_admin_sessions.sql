-- +goose Up
-- admin_sessions are signed-in browser sessions. The cookie carries a random
-- session id; only its hash is kept, so logging out (or deleting the row)
-- ends the session even if someone kept a copy of the cookie.
CREATE TABLE admin_sessions (
    id_hash      TEXT PRIMARY KEY,
    admin_id     INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;

CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);

-- +goose Down
DROP TABLE admin_sessions;
