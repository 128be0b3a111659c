package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// PixelQuery selects and orders the conversion tags of the current
// snapshot. Status is a tag status (ACTIVE, PAUSED, …); AdAccountID narrows
// to one ad account. Sort keys: name (default), status, last_fired,
// ad_account, id.
type PixelQuery struct {
	ListQuery
	Status      string
	AdAccountID string
}

// PixelRow is a conversion tag as lists and exports show it.
type PixelRow struct {
	ID                  string
	Name                string
	Status              string
	Version             string
	LastFired           time.Time // zero: never fired
	EnhancedMatchStatus string
	AEMEnabled          bool
	AdAccountID         string
	AdAccountName       string
}

// PixelPage is one page of conversion tags.
type PixelPage = Page[PixelRow]

var pixelSorts = sortKeys{
	def: "name", defDir: SortAsc,
	keys: map[string]sortSpec{
		"name":       {terms: []string{"x.name COLLATE NOCASE", "x.id"}},
		"status":     {terms: []string{"x.status", "x.name COLLATE NOCASE", "x.id"}},
		"last_fired": {terms: []string{"x.last_fired_time_ms", "x.id"}},
		"ad_account": {terms: []string{"coalesce(a.name, '') COLLATE NOCASE", "x.ad_account_id", "x.id"}},
		"id":         {terms: []string{"length(x.ext_id)", "x.ext_id", "x.id"}},
	},
}

func (q PixelQuery) filtered() bool { return hasText(q.Q) || q.Status != "" || q.AdAccountID != "" }

// pixelCols are the columns of the tags list, from snap_pixels x and
// pixelJoins.
const pixelCols = `x.ext_id, x.name, x.status, x.version, x.last_fired_time_ms, x.enhanced_match_status, x.aem_enabled,
		x.ad_account_ext_id, coalesce(a.name, '')`

const pixelJoins = `LEFT JOIN snap_assets a ON a.run_id = x.run_id AND a.id = x.ad_account_id`

func (q PixelQuery) sql(runID int64) (listSQL, string, string) {
	cols := pixelCols
	from := `FROM snap_pixels x ` + pixelJoins
	if q.AdAccountID != "" {
		// One ad account's tags are few: read them by account rather than
		// walk the name index of every tag for the order.
		from = `FROM snap_pixels x INDEXED BY snap_pixels_ad_account
			LEFT JOIN snap_assets a ON a.run_id = x.run_id AND a.id = x.ad_account_id`
	}
	var w where
	w.add("x.run_id = ?", runID)
	if hasText(q.Q) {
		w.add(`x.search LIKE ? ESCAPE '\'`, likePattern(q.Q))
	}
	if q.Status != "" {
		w.add("x.status = ?", q.Status)
	}
	if q.AdAccountID != "" {
		// By key, so the ad-account index finds the tags.
		w.add(`x.ad_account_id = (SELECT id FROM entity_keys WHERE integration_id = (SELECT integration_id FROM sync_runs WHERE id = ?)
			AND kind = 'asset' AND ext_id = ?)`, runID, q.AdAccountID)
	}
	sort, dir, _ := pixelSorts.resolve(q.Sort, q.Dir)
	return simpleList(cols, from, w, pixelSorts, sort, dir), sort, dir
}

func scanPixelRow(r *sql.Rows) (PixelRow, error) {
	var p PixelRow
	var fired int64
	err := r.Scan(&p.ID, &p.Name, &p.Status, &p.Version, &fired, &p.EnhancedMatchStatus, &p.AEMEnabled,
		&p.AdAccountID, &p.AdAccountName)
	p.LastFired = fromMilli(fired)
	return p, err
}

// ListPixels returns one page of the current snapshot's conversion tags.
func (s *Store) ListPixels(ctx context.Context, integrationID int64, q PixelQuery) (PixelPage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return PixelPage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir := q.sql(run)
	if q.byIndex() {
		page := PixelPage{Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}
		ix, err := s.pixelIndex(ctx, run)
		if err != nil {
			return page, err
		}
		page.Rows, page.Total, err = listByIndex(ctx, s, "list pixels", ix, q.matcher(), l, q.ListQuery, dir, run,
			pixelCols, "snap_pixels", "x", pixelJoins, scanPixelRow)
		return page, err
	}
	known := countCached
	if !q.filtered() {
		known = s.snapshotCount(ctx, run, "pixels")
	}
	rows, total, err := listPage(ctx, s, "list pixels", l, q.ListQuery, known, scanPixelRow)
	return PixelPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachPixel streams every conversion tag matching q in the list's order.
func (s *Store) EachPixel(ctx context.Context, integrationID int64, q PixelQuery, fn func(PixelRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "pixels", l, scanPixelRow, fn)
}

// pixelFilters is what the tags list's filters test of a tag, besides its
// ad account: its search text and status.
type pixelFilters struct {
	search, status string
}

// pixelIndex is the list index of a snapshot's tags by their ad account's
// name (see listIndex), an order no index serves.
func (s *Store) pixelIndex(ctx context.Context, run int64) (*listIndex[pixelFilters], error) {
	return cached(ctx, s.lists, cacheKey("pixel index", "", []any{run}), func() (*listIndex[pixelFilters], error) {
		query := `SELECT x.id, x.search, x.status FROM snap_pixels x ` + pixelJoins + ` WHERE x.run_id = ?
			ORDER BY ` + pixelSorts.clause("ad_account", SortAsc, "")
		return loadListIndex(ctx, s, "pixel", query, []any{run}, func(r *sql.Rows) (int64, pixelFilters, error) {
			var key int64
			var f pixelFilters
			err := r.Scan(&key, &f.search, &f.status)
			return key, f, err
		})
	})
}

// byIndex reports whether the tag index can answer q: sorted by ad
// account, over every ad account (one account's tags are few, and read by
// account).
func (q PixelQuery) byIndex() bool {
	sort, _, _ := pixelSorts.resolve(q.Sort, q.Dir)
	return sort == "ad_account" && q.AdAccountID == ""
}

// matcher is q's filter as a test of a tag, the same as the SQL's.
func (q PixelQuery) matcher() func(*pixelFilters) bool {
	text := strings.ToLower(strings.TrimSpace(q.Q))
	return func(x *pixelFilters) bool {
		return (text == "" || strings.Contains(x.search, text)) && (q.Status == "" || x.status == q.Status)
	}
}
