-- +goose Up
-- api_url is the API base of an integration added with
-- `pinaccess integration add --api-url` (a sandbox running on its own, say);
-- empty means the environment's own API (Pinterest's, or the dashboard's
-- embedded sandbox).
ALTER TABLE integrations ADD COLUMN api_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE integrations DROP COLUMN api_url;
