-- +goose Up
-- An integration is one connected Pinterest Business Manager. Secrets (the
-- app secret and OAuth tokens) are sealed with the installation key.
CREATE TABLE integrations (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    environment           TEXT NOT NULL CHECK (environment IN ('pinterest', 'sandbox')),
    service_account       TEXT NOT NULL DEFAULT '',
    app_id                TEXT NOT NULL DEFAULT '',
    app_secret_sealed     BLOB,
    business_id           TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'connected', 'needs_reconnect', 'disconnected')),
    access_token_sealed   BLOB,
    refresh_token_sealed  BLOB,
    token_expires_at      INTEGER,
    refresh_expires_at    INTEGER,
    scopes                TEXT NOT NULL DEFAULT '',
    connected_by          INTEGER REFERENCES admins (id) ON DELETE SET NULL,
    connected_at          INTEGER,
    api_tier              TEXT NOT NULL DEFAULT 'standard' CHECK (api_tier IN ('trial', 'standard')),
    sync_interval         TEXT NOT NULL DEFAULT 'daily' CHECK (sync_interval IN ('off', 'hourly', 'daily', 'weekly')),
    review_threshold_pct  INTEGER NOT NULL DEFAULT 20 CHECK (review_threshold_pct BETWEEN 0 AND 100),
    retention_runs        INTEGER NOT NULL DEFAULT 30 CHECK (retention_runs >= 1),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE integrations;
