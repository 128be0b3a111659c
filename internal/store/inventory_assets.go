package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Asset ownership filters.
const (
	OwnerOurs   = "ours"   // assets the business owns
	OwnerTheirs = "theirs" // assets EXTERNAL partners share with us
)

// AdminServiceOnly is the AssetQuery.Admin filter for owned assets that no
// member or partner other than the integration's service account holds
// ADMIN on: if that account lost access, nobody could manage them.
const AdminServiceOnly = "service_only"

// AssetQuery selects and orders the assets of the current snapshot. Type is
// an asset type (AD_ACCOUNT, PROFILE, ASSET_GROUP, CATALOG); Owner is
// OwnerOurs, OwnerTheirs or "" for both; Admin is AdminServiceOnly or "".
// Sort keys: name (default), type, owner, created, updated, id.
type AssetQuery struct {
	ListQuery
	Type  string
	Owner string
	Admin string
}

// AssetRow is an asset as lists and exports show it.
type AssetRow struct {
	ID          string
	Type        string
	Name        string
	OwnerID     string
	OwnerName   string
	Owned       bool
	Currency    string
	Country     string
	CatalogType string
	GroupTypes  []string
	CreatedTime time.Time
	UpdatedTime time.Time
	Principals  int // members and partners holding a permission on it
	Pixels      int
}

// AssetPage is one page of assets.
type AssetPage = Page[AssetRow]

var assetSorts = sortKeys{
	def: "name", defDir: SortAsc,
	keys: map[string]sortSpec{
		"name":    {terms: []string{"a.name COLLATE NOCASE", "a.id"}},
		"type":    {terms: []string{"a.asset_type", "a.name COLLATE NOCASE", "a.id"}},
		"owner":   {terms: []string{"a.owner_name COLLATE NOCASE", "a.id"}},
		"created": {terms: []string{"a.created_time", "a.id"}},
		"updated": {terms: []string{"a.updated_time", "a.id"}},
		"id":      {terms: []string{"length(a.ext_id)", "a.ext_id", "a.id"}},
	},
}

func (q AssetQuery) filtered() bool {
	return hasText(q.Q) || q.Type != "" || q.Owner == OwnerOurs || q.Owner == OwnerTheirs || q.Admin == AdminServiceOnly
}

const assetCols = `a.ext_id, a.asset_type, a.name, a.owner_id, a.owner_name, a.owned, a.currency, a.country,
	a.catalog_type, a.group_types, a.created_time, a.updated_time`

// assetListCols are the columns of the assets list: the asset's and how
// many principals and pixels it has.
const assetListCols = assetCols + `,
			(SELECT count(DISTINCT g.grantee_id) FROM snap_grants g WHERE g.run_id = a.run_id AND g.asset_id = a.id),
			(SELECT count(*) FROM snap_pixels x WHERE x.run_id = a.run_id AND x.ad_account_id = a.id)`

func (s *Store) assetSQL(ctx context.Context, integrationID, runID int64, q AssetQuery) (listSQL, string, string, error) {
	cols := assetListCols
	from := `FROM snap_assets a`
	var w where
	w.add("a.run_id = ?", runID)
	if hasText(q.Q) {
		w.add(`a.search LIKE ? ESCAPE '\'`, likePattern(q.Q))
	}
	if q.Type != "" {
		w.add("a.asset_type = ?", q.Type)
	}
	switch q.Owner {
	case OwnerOurs:
		w.add("a.owned = 1")
	case OwnerTheirs:
		w.add("a.owned = 0")
	}
	if q.Admin == AdminServiceOnly {
		keys, err := s.serviceAccountKeys(ctx, integrationID, runID)
		if err != nil {
			return listSQL{}, "", "", err
		}
		cond, args := serviceOnlyCond(keys)
		w.add(cond, args...)
	}
	sort, dir, _ := assetSorts.resolve(q.Sort, q.Dir)
	l := simpleList(cols, from, w, assetSorts, sort, dir)
	return l, sort, dir, nil
}

// serviceOnlyCond is the condition that asset a is owned and nobody but
// the given grantees holds ADMIN on it.
func serviceOnlyCond(keys []int64) (string, []any) {
	cond := `a.owned = 1 AND NOT EXISTS (SELECT 1 FROM snap_grants g
		JOIN access_roles r ON r.id = g.permission_id AND r.kind = 'permission' AND r.name = 'ADMIN'
		WHERE g.run_id = a.run_id AND g.asset_id = a.id`
	args := make([]any, 0, len(keys))
	if len(keys) > 0 {
		cond += ` AND g.grantee_id NOT IN (` + strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",") + `)`
		for _, k := range keys {
			args = append(args, k)
		}
	}
	return cond + `)`, args
}

// serviceAccountKeys returns the snapshot keys of the members that are the
// integration's service account (matched by username or email). Finding
// them reads every member, so the answer is kept per snapshot and account.
func (s *Store) serviceAccountKeys(ctx context.Context, integrationID, runID int64) ([]int64, error) {
	var account string
	err := s.read.QueryRowContext(ctx, `SELECT lower(trim(service_account)) FROM integrations WHERE id = ?`, integrationID).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: service account: %w", err)
	}
	if account == "" {
		return nil, nil
	}
	return cached(ctx, s.cache, cacheKey("service account", "", []any{runID, account}), func() ([]int64, error) {
		return queryAll(ctx, s.read, "service account", func(r *sql.Rows) (int64, error) {
			var k int64
			return k, r.Scan(&k)
		}, `SELECT m.id FROM snap_members m WHERE m.run_id = ?1 AND (lower(m.username) = ?2 OR lower(m.email) = ?2)`,
			runID, account)
	})
}

func scanAssetRow(r *sql.Rows) (AssetRow, error) {
	var a AssetRow
	var types string
	var created, updated int64
	err := r.Scan(&a.ID, &a.Type, &a.Name, &a.OwnerID, &a.OwnerName, &a.Owned, &a.Currency, &a.Country,
		&a.CatalogType, &types, &created, &updated, &a.Principals, &a.Pixels)
	a.GroupTypes = splitList(types)
	a.CreatedTime = fromMilli(created)
	a.UpdatedTime = fromMilli(updated)
	return a, err
}

// ListAssets returns one page of the current snapshot's assets.
func (s *Store) ListAssets(ctx context.Context, integrationID int64, q AssetQuery) (AssetPage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return AssetPage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir, err := s.assetSQL(ctx, integrationID, run, q)
	if err != nil {
		return AssetPage{}, fmt.Errorf("store: list assets: %w", err)
	}
	if q.byIndex() {
		page := AssetPage{Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}
		ix, err := s.assetIndex(ctx, integrationID, run)
		if err != nil {
			return page, err
		}
		page.Rows, page.Total, err = listByIndex(ctx, s, "list assets", ix, q.matcher(), l, q.ListQuery, dir, run,
			assetListCols, "snap_assets", "a", "", scanAssetRow)
		return page, err
	}
	known := countCached
	if !q.filtered() {
		known = s.snapshotCount(ctx, run, "assets")
	}
	rows, total, err := listPage(ctx, s, "list assets", l, q.ListQuery, known, scanAssetRow)
	return AssetPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachAsset streams every asset matching q in the list's order.
func (s *Store) EachAsset(ctx context.Context, integrationID int64, q AssetQuery, fn func(AssetRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _, err := s.assetSQL(ctx, integrationID, run, q)
	if err != nil {
		return fmt.Errorf("store: assets: %w", err)
	}
	return eachRow(ctx, s.read, "assets", l, scanAssetRow, fn)
}

// assetFilters is what the assets list's filters test of an asset: its
// search text and type, whether the business owns it, and whether nobody
// but the service account holds ADMIN on it (see serviceOnlyCond).
type assetFilters struct {
	search, typ        string
	owned, serviceOnly bool
}

// assetIndex is the list index (by name) of a snapshot's assets (see listIndex), for
// the integration's service account as it is now.
func (s *Store) assetIndex(ctx context.Context, integrationID, run int64) (*listIndex[assetFilters], error) {
	keys, err := s.serviceAccountKeys(ctx, integrationID, run)
	if err != nil {
		return nil, err
	}
	cond, args := serviceOnlyCond(keys)
	args = append(args, run)
	return cached(ctx, s.lists, cacheKey("asset index", cond, args), func() (*listIndex[assetFilters], error) {
		return loadListIndex(ctx, s, "asset", `SELECT a.id, a.search, a.asset_type, a.owned, `+cond+` FROM snap_assets a
			WHERE a.run_id = ? ORDER BY a.name COLLATE NOCASE, a.id`, args,
			func(r *sql.Rows) (int64, assetFilters, error) {
				var key int64
				var f assetFilters
				err := r.Scan(&key, &f.search, &f.typ, &f.owned, &f.serviceOnly)
				return key, f, err
			})
	})
}

// byIndex reports whether the asset index can answer q: sorted by name,
// with a filter.
func (q AssetQuery) byIndex() bool {
	sort, _, _ := assetSorts.resolve(q.Sort, q.Dir)
	return sort == "name" && q.filtered()
}

// matcher is q's filter as a test of an asset, the same as the SQL's.
func (q AssetQuery) matcher() func(*assetFilters) bool {
	text := strings.ToLower(strings.TrimSpace(q.Q))
	return func(a *assetFilters) bool {
		switch {
		case text != "" && !strings.Contains(a.search, text):
			return false
		case q.Type != "" && a.typ != q.Type:
			return false
		case q.Owner == OwnerOurs && !a.owned, q.Owner == OwnerTheirs && a.owned:
			return false
		case q.Admin == AdminServiceOnly && !a.serviceOnly:
			return false
		}
		return true
	}
}

// searchAssetsMax is how many matching assets assetsMatching lists: a list
// of keys is quicker to read than a test of every asset's search text
// while it is short.
const searchAssetsMax = 1000

// searchesKept bounds the searches whose matching assets or principals are
// kept: at most a thousand assets' keys (8 kB) or searchPrincipalsMax
// principals' positions (80 kB) each.
const searchesKept = 256

// assetsMatching returns the keys (a JSON array) of the snapshot's assets
// whose search text holds text, found in the asset index, or "" when more
// than searchAssetsMax do.
// The answer is kept per snapshot and search, as paging through one
// search asks again on every page (a pass over xl's 74,000 assets takes
// about 2 ms).
func (s *Store) assetsMatching(ctx context.Context, integrationID, run int64, text string) (string, error) {
	ix, err := s.assetIndex(ctx, integrationID, run)
	if err != nil {
		return "", err
	}
	text = strings.ToLower(strings.TrimSpace(text))
	return cached(ctx, s.searches, cacheKey("assets matching", text, []any{run}), func() (string, error) {
		match := AssetQuery{ListQuery: ListQuery{Q: text}}.matcher()
		keys := ix.page(match, SortAsc, 0, searchAssetsMax+1)
		if len(keys) > searchAssetsMax {
			return "", nil
		}
		list, err := json.Marshal(keys)
		return string(list), err
	})
}
