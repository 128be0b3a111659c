-- +goose Up
-- A partner's page lists the assets it owns: find them by owner rather
-- than read every asset of the snapshot. The invites list shows the newest
-- first: read them in that order rather than sort them.
CREATE INDEX snap_assets_owner ON snap_assets (run_id, owner_id);
CREATE INDEX snap_invites_sent ON snap_invites (run_id, sent_at);

-- +goose Down
DROP INDEX snap_invites_sent;
DROP INDEX snap_assets_owner;
