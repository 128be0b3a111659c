package store

import (
	"context"
	"database/sql"
	"slices"
)

// RoleQuery selects and orders the catalogue of business roles and asset
// permissions. Kind is business_role or permission. Sort keys: name
// (default), kind, holders.
type RoleQuery struct {
	ListQuery
	Kind string
}

// RoleRow is a business role or permission with what it allows and how many
// hold it in the current snapshot: for a business role the members (or,
// for PARTNER, the partners) with it; for a permission the members and
// partners holding it on at least one asset, and the grants of it.
type RoleRow struct {
	Kind        string
	Name        string
	Description string
	Holders     int
	Grants      int
}

// RolePage is the (short) list of roles.
type RolePage = Page[RoleRow]

var roleSorts = sortKeys{
	def: "name", defDir: SortAsc,
	keys: map[string]sortSpec{
		"name":    {terms: []string{"kind", "name"}},
		"kind":    {terms: []string{"kind", "name"}},
		"holders": {terms: []string{"holders", "name"}},
	},
}

func (q RoleQuery) sql(runID int64) (listSQL, string, string) {
	cols := `kind, name, description, holders, grants`
	from := `FROM (
		WITH perm AS (
			SELECT permission_id AS id, count(DISTINCT grantee_id) AS holders, count(*) AS grants
			FROM snap_grants WHERE run_id = ? GROUP BY permission_id)
		SELECT r.kind AS kind, r.name AS name, r.description AS description,
			CASE WHEN r.kind = 'permission' THEN coalesce(p.holders, 0)
				WHEN r.name = 'PARTNER' THEN (SELECT count(*) FROM snap_partners x WHERE x.run_id = ?)
				ELSE (SELECT count(*) FROM snap_members m WHERE m.run_id = ?
					AND instr(',' || m.business_roles || ',', ',' || r.name || ',') > 0) END AS holders,
			coalesce(p.grants, 0) AS grants
		FROM access_roles r LEFT JOIN perm p ON p.id = r.id)`
	var w where
	if hasText(q.Q) {
		w.add(`(lower(name) LIKE ? ESCAPE '\' OR lower(description) LIKE ? ESCAPE '\')`, likePattern(q.Q), likePattern(q.Q))
	}
	if q.Kind != "" {
		w.add("kind = ?", q.Kind)
	}
	sort, dir, _ := roleSorts.resolve(q.Sort, q.Dir)
	l := simpleList(cols, from, w, roleSorts, sort, dir)
	pre := []any{runID, runID, runID}
	l.args = append(pre, l.args...)
	l.countArgs = l.args
	// A few dozen rows: never a page deep enough to seek.
	l.deep = nil
	return l, sort, dir
}

func scanRoleRow(r *sql.Rows) (RoleRow, error) {
	var x RoleRow
	err := r.Scan(&x.Kind, &x.Name, &x.Description, &x.Holders, &x.Grants)
	return x, err
}

// ListRoles returns the roles and permissions with their holders in the
// current snapshot (every row: the catalogue is short).
func (s *Store) ListRoles(ctx context.Context, integrationID int64, q RoleQuery) (RolePage, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil {
		return RolePage{}, err
	}
	l, sort, dir := q.sql(run)
	// Counting holders reads every grant: once per snapshot and query.
	rows, err := cached(ctx, s.cache, cacheKey("roles", l.query, l.args), func() ([]RoleRow, error) {
		var rows []RoleRow
		err := eachRow(ctx, s.read, "list roles", l, scanRoleRow, func(r RoleRow) error {
			rows = append(rows, r)
			return nil
		})
		return rows, err
	})
	rows = slices.Clone(rows) // the cached slice stays as it is
	return RolePage{Rows: rows, Total: len(rows), Page: 1, PerPage: len(rows), Sort: sort, Dir: dir}, err
}

// EachRole streams the roles matching q in the list's order.
func (s *Store) EachRole(ctx context.Context, integrationID int64, q RoleQuery, fn func(RoleRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "roles", l, scanRoleRow, fn)
}

// IsRoleKind reports whether kind names a kind of access role.
func IsRoleKind(kind string) bool { return kind == "business_role" || kind == "permission" }
