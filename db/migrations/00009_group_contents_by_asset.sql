-- +goose Up
-- An asset's page lists the asset groups it is in: find them by the asset
-- rather than read every group's contents.
CREATE INDEX snap_group_contents_asset ON snap_group_contents (run_id, asset_id);

-- +goose Down
DROP INDEX snap_group_contents_asset;
