package store

import (
	"context"
	"database/sql"
	"time"
)

// MemberQuery selects and orders the members of the current snapshot.
// Role is a business role (BIZ_ADMIN, EMPLOYEE); SystemUser is "yes", "no"
// or "" for both. Sort keys: username (default), email, role, created, id.
type MemberQuery struct {
	ListQuery
	Role       string
	SystemUser string
}

// MemberRow is a member as lists and exports show it.
type MemberRow struct {
	ID            string // Pinterest user ID
	Username      string
	Email         string
	BusinessRoles []string
	IsSystemUser  bool
	CreatedTime   time.Time // zero when unknown
	CreatedBy     string
	Assets        int // assets the member holds a permission on
}

// MemberPage is one page of members.
type MemberPage = Page[MemberRow]

var memberSorts = sortKeys{
	def: "username", defDir: SortAsc,
	keys: map[string]sortSpec{
		"username": {terms: []string{"m.username COLLATE NOCASE", "m.id"}},
		"email":    {terms: []string{"m.email COLLATE NOCASE", "m.id"}},
		"role":     {terms: []string{"m.business_roles", "m.username COLLATE NOCASE", "m.id"}},
		"created":  {terms: []string{"m.created_time", "m.id"}},
		"id":       {terms: []string{"length(m.ext_id)", "m.ext_id", "m.id"}},
	},
}

const memberCols = `m.ext_id, m.username, m.email, m.business_roles, m.is_system_user, m.created_time, m.created_by,
			(SELECT count(DISTINCT g.asset_id) FROM snap_grants g WHERE g.run_id = m.run_id AND g.grantee_id = m.id)`

func (q MemberQuery) filtered() bool {
	return hasText(q.Q) || q.Role != "" || q.SystemUser == "yes" || q.SystemUser == "no"
}

func (q MemberQuery) sql(runID int64) (listSQL, string, string) {
	cols := memberCols
	from := `FROM snap_members m`
	var w where
	w.add("m.run_id = ?", runID)
	if hasText(q.Q) {
		w.add(`m.search LIKE ? ESCAPE '\'`, likePattern(q.Q))
	}
	if q.Role != "" {
		w.add(roleCond("m.business_roles"), q.Role)
	}
	switch q.SystemUser {
	case "yes":
		w.add("m.is_system_user = 1")
	case "no":
		w.add("m.is_system_user = 0")
	}
	sort, dir, _ := memberSorts.resolve(q.Sort, q.Dir)
	l := simpleList(cols, from, w, memberSorts, sort, dir)
	return l, sort, dir
}

func scanMemberRow(r *sql.Rows) (MemberRow, error) {
	var m MemberRow
	var roles string
	var created int64
	err := r.Scan(&m.ID, &m.Username, &m.Email, &roles, &m.IsSystemUser, &created, &m.CreatedBy, &m.Assets)
	m.BusinessRoles = splitList(roles)
	m.CreatedTime = fromMilli(created)
	return m, err
}

// ListMembers returns one page of the current snapshot's members and how
// many match in all.
func (s *Store) ListMembers(ctx context.Context, integrationID int64, q MemberQuery) (MemberPage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return MemberPage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir := q.sql(run)
	if q.byIndex() {
		return s.listMembersByIndex(ctx, run, q, l, dir)
	}
	known := countCached
	if !q.filtered() {
		known = s.snapshotCount(ctx, run, "members")
	}
	rows, total, err := listPage(ctx, s, "list members", l, q.ListQuery, known, scanMemberRow)
	return MemberPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachMember streams every member matching q (its page is ignored) in the
// list's order. It stops when fn returns an error or ctx is cancelled.
func (s *Store) EachMember(ctx context.Context, integrationID int64, q MemberQuery, fn func(MemberRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "members", l, scanMemberRow, fn)
}
