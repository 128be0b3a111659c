-- +goose Up
-- Indexes for browsing the inventory: each list's default sort reads an
-- index in order instead of sorting the whole snapshot, and the access list
-- filtered or sorted by permission reads one permission's grants. A
-- secondary index of a WITHOUT ROWID table ends with the primary key, so
-- (run_id, username) is ordered by (username, id) within a run.
CREATE INDEX snap_members_username ON snap_members (run_id, username COLLATE NOCASE);
CREATE INDEX snap_partners_username ON snap_partners (run_id, username COLLATE NOCASE);
CREATE INDEX snap_assets_name ON snap_assets (run_id, name COLLATE NOCASE);
CREATE INDEX snap_assets_type_name ON snap_assets (run_id, asset_type, name COLLATE NOCASE);
CREATE INDEX snap_grants_permission ON snap_grants (run_id, permission_id, grantee_id, asset_id);
CREATE INDEX snap_pixels_name ON snap_pixels (run_id, name COLLATE NOCASE);
-- The history of one member, partner or asset.
CREATE INDEX changes_subject ON changes (integration_id, subject_id);
CREATE INDEX changes_asset ON changes (integration_id, asset_id);

-- +goose Down
DROP INDEX changes_asset;
DROP INDEX changes_subject;
DROP INDEX snap_pixels_name;
DROP INDEX snap_grants_permission;
DROP INDEX snap_assets_type_name;
DROP INDEX snap_assets_name;
DROP INDEX snap_partners_username;
DROP INDEX snap_members_username;
