-- +goose Up
-- Every sort a list offers reads an index in order, so a page sorted by
-- any column costs what the default order does instead of sorting the
-- snapshot (100,000 members, say) on every view. A secondary index of a
-- WITHOUT ROWID table ends with its primary key, the sorts' tiebreak.
CREATE INDEX snap_members_email ON snap_members (run_id, email COLLATE NOCASE);
CREATE INDEX snap_members_created ON snap_members (run_id, created_time);
CREATE INDEX snap_members_role ON snap_members (run_id, business_roles, username COLLATE NOCASE);
CREATE INDEX snap_members_ext_id ON snap_members (run_id, length(ext_id), ext_id);
CREATE INDEX snap_partners_ext_id ON snap_partners (run_id, length(ext_id), ext_id);
CREATE INDEX snap_assets_owner_name ON snap_assets (run_id, owner_name COLLATE NOCASE);
CREATE INDEX snap_assets_created ON snap_assets (run_id, created_time);
CREATE INDEX snap_assets_updated ON snap_assets (run_id, updated_time);
CREATE INDEX snap_assets_ext_id ON snap_assets (run_id, length(ext_id), ext_id);
CREATE INDEX snap_pixels_status ON snap_pixels (run_id, status, name COLLATE NOCASE);
CREATE INDEX snap_pixels_last_fired ON snap_pixels (run_id, last_fired_time_ms);
CREATE INDEX snap_pixels_ext_id ON snap_pixels (run_id, length(ext_id), ext_id);

-- +goose Down
DROP INDEX snap_pixels_ext_id;
DROP INDEX snap_pixels_last_fired;
DROP INDEX snap_pixels_status;
DROP INDEX snap_assets_ext_id;
DROP INDEX snap_assets_updated;
DROP INDEX snap_assets_created;
DROP INDEX snap_assets_owner_name;
DROP INDEX snap_partners_ext_id;
DROP INDEX snap_members_ext_id;
DROP INDEX snap_members_role;
DROP INDEX snap_members_created;
DROP INDEX snap_members_email;
