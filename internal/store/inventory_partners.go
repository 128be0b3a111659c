package store

import (
	"context"
	"database/sql"
	"time"
)

// PartnerQuery selects and orders the partners of the current snapshot.
// Type is INTERNAL or EXTERNAL. Sort keys: username (default), email, type,
// created, id.
type PartnerQuery struct {
	ListQuery
	Type string
}

// PartnerRow is a partner as lists and exports show it. Assets counts our
// assets an INTERNAL partner can access, or the partner's assets our
// business can access for an EXTERNAL one.
type PartnerRow struct {
	ID              string
	Username        string
	Email           string
	PartnerType     string
	IsSharedPartner bool
	CreatedTime     time.Time
	CreatedBy       string
	Assets          int
}

// PartnerPage is one page of partners.
type PartnerPage = Page[PartnerRow]

var partnerSorts = sortKeys{
	def: "username", defDir: SortAsc,
	keys: map[string]sortSpec{
		"username": {terms: []string{"p.username COLLATE NOCASE", "p.id"}},
		"email":    {terms: []string{"p.email COLLATE NOCASE", "p.id"}},
		"type":     {terms: []string{"p.partner_type", "p.username COLLATE NOCASE", "p.id"}},
		"created":  {terms: []string{"p.created_time", "p.id"}},
		"id":       {terms: []string{"length(p.ext_id)", "p.ext_id", "p.id"}},
	},
}

const partnerCols = `p.ext_id, p.username, p.email, p.partner_type, p.is_shared_partner, p.created_time, p.created_by,
			(SELECT count(DISTINCT g.asset_id) FROM snap_grants g WHERE g.run_id = p.run_id AND g.grantee_id = p.id)`

func (q PartnerQuery) filtered() bool { return hasText(q.Q) || q.Type != "" }

func (q PartnerQuery) sql(runID int64) (listSQL, string, string) {
	cols := partnerCols
	from := `FROM snap_partners p`
	var w where
	w.add("p.run_id = ?", runID)
	if hasText(q.Q) {
		w.add(`p.search LIKE ? ESCAPE '\'`, likePattern(q.Q))
	}
	if q.Type != "" {
		w.add("p.partner_type = ?", q.Type)
	}
	sort, dir, _ := partnerSorts.resolve(q.Sort, q.Dir)
	l := simpleList(cols, from, w, partnerSorts, sort, dir)
	return l, sort, dir
}

func scanPartnerRow(r *sql.Rows) (PartnerRow, error) {
	var p PartnerRow
	var created int64
	err := r.Scan(&p.ID, &p.Username, &p.Email, &p.PartnerType, &p.IsSharedPartner, &created, &p.CreatedBy, &p.Assets)
	p.CreatedTime = fromMilli(created)
	return p, err
}

// ListPartners returns one page of the current snapshot's partners.
func (s *Store) ListPartners(ctx context.Context, integrationID int64, q PartnerQuery) (PartnerPage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return PartnerPage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir := q.sql(run)
	known := countCached
	if !q.filtered() {
		known = s.snapshotCount(ctx, run, "partners")
	}
	rows, total, err := listPage(ctx, s, "list partners", l, q.ListQuery, known, scanPartnerRow)
	return PartnerPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachPartner streams every partner matching q in the list's order.
func (s *Store) EachPartner(ctx context.Context, integrationID int64, q PartnerQuery, fn func(PartnerRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "partners", l, scanPartnerRow, fn)
}
