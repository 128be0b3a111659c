-- +goose Up
-- The inventory: sync runs, the immutable snapshot each run writes (every
-- snapshot table is keyed by run_id first), the changes between consecutive
-- snapshots, and the catalogue of roles and permissions.
--
-- A run's rows are invisible until integrations.current_run_id points at the
-- run; that pointer moves in one transaction when a run succeeds (or a held
-- run is accepted), so a failed or crashed run never shows partial data.

-- sync_runs records every run: status, timing, progress, counts, calls.
CREATE TABLE sync_runs (
    id               INTEGER PRIMARY KEY,
    integration_id   INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    trigger          TEXT NOT NULL DEFAULT 'manual',
    status           TEXT NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled',
                                       'interrupted', 'needs_review', 'discarded')),
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    -- progress while running, readable by the UI and the CLI
    phase            TEXT NOT NULL DEFAULT '',
    progress_done    INTEGER NOT NULL DEFAULT 0,
    progress_total   INTEGER NOT NULL DEFAULT 0,
    -- the error in words when the run failed, the reason when held for review
    error            TEXT NOT NULL DEFAULT '',
    review_reason    TEXT NOT NULL DEFAULT '',
    -- per-entity counts of the snapshot
    members          INTEGER NOT NULL DEFAULT 0,
    partners         INTEGER NOT NULL DEFAULT 0,
    assets           INTEGER NOT NULL DEFAULT 0,
    grants           INTEGER NOT NULL DEFAULT 0,
    pixels           INTEGER NOT NULL DEFAULT 0,
    invites          INTEGER NOT NULL DEFAULT 0,
    changes          INTEGER NOT NULL DEFAULT 0,
    -- removals compared with the snapshot current when the run finished
    members_removed  INTEGER NOT NULL DEFAULT 0,
    partners_removed INTEGER NOT NULL DEFAULT 0,
    grants_removed   INTEGER NOT NULL DEFAULT 0,
    -- API usage: a JSON object operation -> calls, and their sum
    api_calls        TEXT NOT NULL DEFAULT '{}',
    api_calls_total  INTEGER NOT NULL DEFAULT 0,
    retries          INTEGER NOT NULL DEFAULT 0,
    strategy         TEXT NOT NULL DEFAULT '',
    -- the run whose snapshot this one was compared with (the previous current)
    base_run_id      INTEGER,
    -- 1 while the run's snapshot rows exist (until pruned or discarded)
    has_snapshot     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX sync_runs_integration ON sync_runs (integration_id, id);
-- At most one running run per integration, whichever process started it.
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (integration_id) WHERE status = 'running';

ALTER TABLE integrations ADD COLUMN current_run_id INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL;

-- entity_keys gives every Pinterest ID seen in an integration a stable
-- integer key, so snapshots compare and join on small integers.
-- kind: member, partner, asset, pixel, invite.
CREATE TABLE entity_keys (
    id             INTEGER PRIMARY KEY,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    ext_id         TEXT NOT NULL,
    UNIQUE (integration_id, kind, ext_id)
) STRICT;

-- access_roles is the catalogue of business roles and asset permissions,
-- with a plain-language description of each. Grants refer to it by id.
-- kind: business_role or permission.
CREATE TABLE access_roles (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('business_role', 'permission')),
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (kind, name)
) STRICT;

INSERT INTO access_roles (kind, name, description) VALUES
    ('business_role', 'BIZ_ADMIN', 'Business admin: manages the Business Manager, its members, partners and assets.'),
    ('business_role', 'EMPLOYEE', 'Employee: a member who works only with the assets they have been given.'),
    ('business_role', 'PARTNER', 'Partner: another business linked to this one.'),
    ('permission', 'OWNER', 'Owns the asset.'),
    ('permission', 'ADMIN', 'Full control of the asset, including who else can access it.'),
    ('permission', 'ANALYST', 'Can view reporting and campaigns, but not change them.'),
    ('permission', 'CAMPAIGN_MANAGER', 'Can create and edit campaigns and view reporting.'),
    ('permission', 'FINANCE_MANAGER', 'Can manage billing and view invoices.'),
    ('permission', 'FINANCE_EDIT', 'Can edit billing details.'),
    ('permission', 'FINANCE_VIEW', 'Can view billing details and invoices.'),
    ('permission', 'AUDIENCE_MANAGER', 'Can create, edit and share audiences.'),
    ('permission', 'CATALOGS_MANAGER', 'Can edit catalogs and product groups.'),
    ('permission', 'CATALOGS_VIEWER', 'Can view catalogs and product groups.'),
    ('permission', 'PROFILE_PUBLISHER', 'Can publish Pins and manage content on the profile.'),
    ('permission', 'CONSUMER_USER', 'Can use the asset as a consumer (Pinterest''s consumer access).');

-- Snapshot tables. Every primary key starts with run_id; ids are entity_keys.

CREATE TABLE snap_members (
    run_id          INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    ext_id          TEXT NOT NULL,
    username        TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    business_roles  TEXT NOT NULL DEFAULT '', -- comma-separated, sorted
    is_system_user  INTEGER NOT NULL DEFAULT 0,
    created_time    INTEGER NOT NULL DEFAULT 0, -- ms
    created_by      TEXT NOT NULL DEFAULT '',   -- Pinterest ID of the member who added this one
    search          TEXT NOT NULL DEFAULT '',   -- lower-cased id, username and email
    PRIMARY KEY (run_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE snap_partners (
    run_id            INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    ext_id            TEXT NOT NULL,
    username          TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    partner_type      TEXT NOT NULL DEFAULT '', -- INTERNAL or EXTERNAL
    is_shared_partner INTEGER NOT NULL DEFAULT 0,
    created_time      INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL DEFAULT '',
    search            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE snap_assets (
    run_id       INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    ext_id       TEXT NOT NULL,
    asset_type   TEXT NOT NULL,            -- AD_ACCOUNT, PROFILE, ASSET_GROUP, CATALOG
    name         TEXT NOT NULL DEFAULT '',
    owner_id     TEXT NOT NULL DEFAULT '', -- Pinterest ID of the owner (business or partner)
    owner_name   TEXT NOT NULL DEFAULT '',
    owned        INTEGER NOT NULL DEFAULT 0, -- 1 when the business owns it
    currency     TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    group_types  TEXT NOT NULL DEFAULT '', -- comma-separated
    catalog_type TEXT NOT NULL DEFAULT '',
    created_time INTEGER NOT NULL DEFAULT 0,
    updated_time INTEGER NOT NULL DEFAULT 0,
    search       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX snap_assets_type ON snap_assets (run_id, asset_type);

-- snap_group_contents lists the assets inside each asset group.
CREATE TABLE snap_group_contents (
    run_id   INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    asset_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, group_id, asset_id)
) STRICT, WITHOUT ROWID;

-- snap_grants: one row per grantee × asset × permission. A grantee is a
-- member or a partner (entity_keys.kind says which). For an EXTERNAL partner
-- the row is the permission our business holds on the partner's asset.
CREATE TABLE snap_grants (
    run_id        INTEGER NOT NULL,
    grantee_id    INTEGER NOT NULL,
    asset_id      INTEGER NOT NULL,
    permission_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, grantee_id, asset_id, permission_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX snap_grants_asset ON snap_grants (run_id, asset_id, grantee_id);

CREATE TABLE snap_pixels (
    run_id                INTEGER NOT NULL,
    id                    INTEGER NOT NULL,
    ext_id                TEXT NOT NULL,
    ad_account_id         INTEGER NOT NULL, -- entity key of the ad account
    ad_account_ext_id     TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL DEFAULT '',
    version               TEXT NOT NULL DEFAULT '',
    last_fired_time_ms    INTEGER NOT NULL DEFAULT 0,
    enhanced_match_status TEXT NOT NULL DEFAULT '',
    aem_enabled           INTEGER NOT NULL DEFAULT 0,
    md_frequency          REAL NOT NULL DEFAULT 0,
    search                TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX snap_pixels_ad_account ON snap_pixels (run_id, ad_account_id);

CREATE TABLE snap_invites (
    run_id           INTEGER NOT NULL,
    id               INTEGER NOT NULL,
    ext_id           TEXT NOT NULL,
    invite_type      TEXT NOT NULL DEFAULT '',
    invite_status    TEXT NOT NULL DEFAULT '',
    user_id          TEXT NOT NULL DEFAULT '',
    username         TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    business_roles   TEXT NOT NULL DEFAULT '',
    is_received      INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL DEFAULT '',
    sent_at          INTEGER NOT NULL DEFAULT 0,
    expiration       INTEGER NOT NULL DEFAULT 0,
    search           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, id)
) STRICT, WITHOUT ROWID;

-- snap_invite_assets: the assets an invite offers, one row per permission.
CREATE TABLE snap_invite_assets (
    run_id        INTEGER NOT NULL,
    invite_id     INTEGER NOT NULL,
    asset_ext_id  TEXT NOT NULL,
    permission_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, invite_id, asset_ext_id, permission_id)
) STRICT, WITHOUT ROWID;

-- changes between a run's snapshot and the one current before it. Names are
-- copied so the list survives pruning of either snapshot.
-- kind: member_added, member_removed, partner_added, partner_removed,
-- asset_added, asset_removed, pixel_added, pixel_removed, role_changed,
-- grant_added, grant_removed, grant_changed.
CREATE TABLE changes (
    id             INTEGER PRIMARY KEY,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    run_id         INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    subject_type   TEXT NOT NULL DEFAULT '', -- member, partner, asset, pixel
    subject_id     TEXT NOT NULL DEFAULT '', -- Pinterest ID
    subject_name   TEXT NOT NULL DEFAULT '',
    asset_id       TEXT NOT NULL DEFAULT '', -- for grants and pixels: the asset
    asset_name     TEXT NOT NULL DEFAULT '',
    asset_type     TEXT NOT NULL DEFAULT '',
    before         TEXT NOT NULL DEFAULT '', -- role or permissions before
    after          TEXT NOT NULL DEFAULT '',
    search         TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX changes_run ON changes (run_id, kind);
CREATE INDEX changes_integration ON changes (integration_id, run_id);

-- +goose Down
DROP TABLE changes;
DROP TABLE snap_invite_assets;
DROP TABLE snap_invites;
DROP TABLE snap_pixels;
DROP TABLE snap_grants;
DROP TABLE snap_group_contents;
DROP TABLE snap_assets;
DROP TABLE snap_partners;
DROP TABLE snap_members;
DROP TABLE access_roles;
DROP TABLE entity_keys;
ALTER TABLE integrations DROP COLUMN current_run_id;
DROP TABLE sync_runs;
