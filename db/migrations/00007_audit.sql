-- +goose Up
-- audit_log records what admins take out of pinaccess: every CSV export,
-- from the dashboard or the command line, with who, what, which filters and
-- how many rows. A row is written when the export starts (outcome
-- 'running') and completed when it ends, so an export cut short by a crash
-- still leaves a trace. Names are copied so the log outlives the admin or
-- the integration it mentions.
CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,             -- ms, when it started
    finished_at      INTEGER,                      -- ms, NULL while running
    actor            TEXT NOT NULL,                -- the admin's email, or 'cli'
    admin_id         INTEGER REFERENCES admins (id) ON DELETE SET NULL,
    action           TEXT NOT NULL,                -- 'export'
    integration_id   INTEGER REFERENCES integrations (id) ON DELETE SET NULL,
    integration_name TEXT NOT NULL DEFAULT '',
    business_id      TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL DEFAULT '',     -- members, access, …
    filters          TEXT NOT NULL DEFAULT '',     -- the list's query string
    rows             INTEGER NOT NULL DEFAULT 0,
    outcome          TEXT NOT NULL DEFAULT 'running'
                     CHECK (outcome IN ('running', 'completed', 'cancelled', 'failed')),
    detail           TEXT NOT NULL DEFAULT ''      -- why it failed
) STRICT;

CREATE INDEX audit_log_integration ON audit_log (integration_id, id);

-- +goose Down
DROP TABLE audit_log;
