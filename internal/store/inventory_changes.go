package store

import (
	"context"
	"database/sql"
	"time"
)

// ChangeQuery selects and orders an integration's recorded changes. FromRun
// and ToRun bound the runs (inclusive; 0 leaves that end open); Kind is a
// change kind (member_added, grant_changed, …); SubjectType member,
// partner, asset or pixel; Involving keeps the changes about one Pinterest
// ID, as the subject or as the asset. Sort keys: run (default, newest
// first), kind, subject, asset.
type ChangeQuery struct {
	ListQuery
	FromRun     int64
	ToRun       int64
	Kind        string
	SubjectType string
	Involving   string
}

// ChangeRow is a change with the time its run finished.
type ChangeRow struct {
	Change
	RunFinishedAt time.Time
}

// ChangePage is one page of changes.
type ChangePage = Page[ChangeRow]

var changeSorts = sortKeys{
	def: "run", defDir: SortDesc,
	keys: map[string]sortSpec{
		"run":     {terms: []string{"c.run_id", "c.id"}},
		"kind":    {terms: []string{"c.kind", "c.run_id", "c.id"}},
		"subject": {terms: []string{"c.subject_name COLLATE NOCASE", "c.id"}},
		"asset":   {terms: []string{"c.asset_name COLLATE NOCASE", "c.id"}},
	},
}

func (q ChangeQuery) sql(integrationID int64) (listSQL, string, string) {
	cols := `c.id, c.run_id, c.kind, c.subject_type, c.subject_id, c.subject_name, c.asset_id, c.asset_name,
		c.asset_type, c.before, c.after, coalesce(r.finished_at, r.started_at, 0)`
	from := `FROM changes c LEFT JOIN sync_runs r ON r.id = c.run_id`
	var w where
	w.add("c.integration_id = ?", integrationID)
	if q.FromRun > 0 {
		w.add("c.run_id >= ?", q.FromRun)
	}
	if q.ToRun > 0 {
		w.add("c.run_id <= ?", q.ToRun)
	}
	if hasText(q.Q) {
		w.add(`(c.search LIKE ? ESCAPE '\' OR lower(c.subject_name) LIKE ? ESCAPE '\' OR lower(c.asset_name) LIKE ? ESCAPE '\')`,
			likePattern(q.Q), likePattern(q.Q), likePattern(q.Q))
	}
	if q.Kind != "" {
		w.add("c.kind = ?", q.Kind)
	}
	if q.SubjectType != "" {
		w.add("c.subject_type = ?", q.SubjectType)
	}
	if q.Involving != "" {
		w.add("c.id IN (SELECT id FROM changes WHERE integration_id = ? AND subject_id = ? UNION SELECT id FROM changes WHERE integration_id = ? AND asset_id = ?)",
			integrationID, q.Involving, integrationID, q.Involving)
	}
	sort, dir, _ := changeSorts.resolve(q.Sort, q.Dir)
	return simpleList(cols, from, w, changeSorts, sort, dir), sort, dir
}

func scanChangeRow(r *sql.Rows) (ChangeRow, error) {
	var c ChangeRow
	var fin int64
	err := r.Scan(&c.ID, &c.RunID, &c.Kind, &c.SubjectType, &c.SubjectID, &c.SubjectName, &c.AssetID, &c.AssetName,
		&c.AssetType, &c.Before, &c.After, &fin)
	c.RunFinishedAt = fromMilli(fin)
	return c, err
}

// ListChanges returns one page of an integration's changes.
func (s *Store) ListChanges(ctx context.Context, integrationID int64, q ChangeQuery) (ChangePage, error) {
	normPage(&q.ListQuery)
	l, sort, dir := q.sql(integrationID)
	rows, total, err := listPage(ctx, s, "list changes", l, q.ListQuery, countLive, scanChangeRow)
	return ChangePage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachChange streams every change matching q in the list's order.
func (s *Store) EachChange(ctx context.Context, integrationID int64, q ChangeQuery, fn func(ChangeRow) error) error {
	l, _, _ := q.sql(integrationID)
	return eachRow(ctx, s.read, "changes", l, scanChangeRow, fn)
}

// RunQuery selects and orders an integration's sync runs. Status is a run
// status. Sort keys: started (default, newest first), status, changes.
type RunQuery struct {
	ListQuery
	Status string
}

// RunPage is one page of sync runs.
type RunPage = Page[Run]

var runSorts = sortKeys{
	def: "started", defDir: SortDesc,
	keys: map[string]sortSpec{
		"started": {terms: []string{"id"}},
		"status":  {terms: []string{"status", "id"}},
		"changes": {terms: []string{"changes", "id"}},
	},
}

// ListRuns returns one page of an integration's sync runs.
func (s *Store) ListRuns(ctx context.Context, integrationID int64, q RunQuery) (RunPage, error) {
	normPage(&q.ListQuery)
	var w where
	w.add("integration_id = ?", integrationID)
	if q.Status != "" {
		w.add("status = ?", q.Status)
	}
	sort, dir, _ := runSorts.resolve(q.Sort, q.Dir)
	l := simpleList(runColumns, "FROM sync_runs", w, runSorts, sort, dir)
	rows, total, err := listPage(ctx, s, "list runs", l, q.ListQuery, countLive, func(r *sql.Rows) (Run, error) { return scanRun(r) })
	return RunPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}
