package store

import (
	"context"
	"database/sql"
	"strings"
)

// memberFilters is what the members list's filters test of a member: its
// search text, its business roles (comma-separated, as stored), whether
// it is a system user.
type memberFilters struct {
	search string
	roles  string
	system bool
}

// memberIndex is the list index (by name) of a snapshot's members (see listIndex).
func (s *Store) memberIndex(ctx context.Context, run int64) (*listIndex[memberFilters], error) {
	return cached(ctx, s.lists, cacheKey("member index", "", []any{run}), func() (*listIndex[memberFilters], error) {
		return loadListIndex(ctx, s, "member", `SELECT id, search, business_roles, is_system_user FROM snap_members
			WHERE run_id = ? ORDER BY username COLLATE NOCASE, id`, []any{run},
			func(r *sql.Rows) (int64, memberFilters, error) {
				var key int64
				var f memberFilters
				err := r.Scan(&key, &f.search, &f.roles, &f.system)
				return key, f, err
			})
	})
}

// byIndex reports whether the member index can answer q: sorted by name,
// with a filter (an unfiltered page is as quick from SQLite's name index).
func (q MemberQuery) byIndex() bool {
	sort, _, _ := memberSorts.resolve(q.Sort, q.Dir)
	return sort == "username" && q.filtered()
}

// matcher is q's filter as a test of a member: the same as the SQL's (the
// search text and the query are both lower-cased, and LIKE's wildcards
// are escaped there, so LIKE is a substring test).
func (q MemberQuery) matcher() func(*memberFilters) bool {
	text := strings.ToLower(strings.TrimSpace(q.Q))
	role := "," + q.Role + ","
	return func(m *memberFilters) bool {
		switch {
		case text != "" && !strings.Contains(m.search, text):
			return false
		case q.Role != "" && !strings.Contains(","+m.roles+",", role):
			return false
		case q.SystemUser == "yes" && !m.system, q.SystemUser == "no" && m.system:
			return false
		}
		return true
	}
}

// listMembersByIndex is ListMembers for a filtered page by name, whose
// list query is l.
func (s *Store) listMembersByIndex(ctx context.Context, run int64, q MemberQuery, l listSQL, dir string) (MemberPage, error) {
	page := MemberPage{Page: q.Page, PerPage: q.PerPage, Sort: "username", Dir: dir}
	ix, err := s.memberIndex(ctx, run)
	if err != nil {
		return page, err
	}
	page.Rows, page.Total, err = listByIndex(ctx, s, "list members", ix, q.matcher(), l, q.ListQuery, dir, run,
		memberCols, "snap_members", "m", "", scanMemberRow)
	return page, err
}
