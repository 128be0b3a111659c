package store

import (
	"context"
	"database/sql"
)

// AccessQuery selects and orders the grants of the current snapshot, one
// row per principal × asset × permission. PrincipalType is GranteeMember or
// GranteePartner; Permission an asset permission (ADMIN, ANALYST, …);
// AssetType an asset type; Owner OwnerOurs or OwnerTheirs; Role a business
// role members must hold; PartnerType INTERNAL or EXTERNAL (partners only);
// PrincipalID and AssetID narrow to one principal or asset (Pinterest IDs).
// Q searches the principal's and the asset's ID, name and email. Sort keys:
// principal (default), asset, permission, asset_type, principal_type.
type AccessQuery struct {
	ListQuery
	PrincipalType string
	Permission    string
	AssetType     string
	Owner         string
	Role          string
	PartnerType   string
	PrincipalID   string
	AssetID       string
}

// AccessRow is one grant: who (a member or a partner), on which asset, with
// which permission. For an EXTERNAL partner the asset is the partner's and
// the permission is what our business holds on it.
type AccessRow struct {
	PrincipalType string // member or partner
	PrincipalID   string
	Username      string
	Email         string
	BusinessRoles []string // members only
	PartnerType   string   // partners only
	AssetType     string
	AssetID       string
	AssetName     string
	AssetOwned    bool
	Permission    string
}

// AccessPage is one page of grants.
type AccessPage = Page[AccessRow]

var accessSorts = sortKeys{
	def: "principal", defDir: SortAsc, tiebreak: "k.kind, k.ext_id, a.ext_id, r.name",
	keys: map[string]sortSpec{
		"principal":      {terms: []string{"coalesce(m.username, p.username) COLLATE NOCASE"}},
		"principal_type": {terms: []string{"k.kind"}},
		"asset":          {terms: []string{"a.name COLLATE NOCASE", "a.ext_id"}},
		"asset_type":     {terms: []string{"a.asset_type"}},
		"permission":     {terms: []string{"r.name"}},
	},
}

func (q AccessQuery) filtered() bool {
	return hasText(q.Q) || q.PrincipalType != "" || q.Permission != "" || q.AssetType != "" ||
		q.Owner == OwnerOurs || q.Owner == OwnerTheirs || q.Role != "" || q.PartnerType != "" ||
		q.PrincipalID != "" || q.AssetID != ""
}

func (q AccessQuery) sql(runID int64) (listSQL, string, string) {
	l := listSQL{
		selectCols: `k.kind, k.ext_id, coalesce(m.username, p.username, ''), coalesce(m.email, p.email, ''),
			coalesce(m.business_roles, ''), coalesce(p.partner_type, ''),
			a.asset_type, a.ext_id, a.name, a.owned, r.name`,
		from: `FROM snap_grants g
			JOIN entity_keys k ON k.id = g.grantee_id
			LEFT JOIN snap_members m ON k.kind = 'member' AND m.run_id = g.run_id AND m.id = g.grantee_id
			LEFT JOIN snap_partners p ON k.kind = 'partner' AND p.run_id = g.run_id AND p.id = g.grantee_id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
			JOIN access_roles r ON r.id = g.permission_id`,
	}
	l.w.add("g.run_id = ?", runID)
	if hasText(q.Q) {
		pat := likePattern(q.Q)
		l.w.add(`(coalesce(m.search, p.search, '') LIKE ? ESCAPE '\' OR a.search LIKE ? ESCAPE '\')`, pat, pat)
	}
	if q.PrincipalType != "" {
		l.w.add("k.kind = ?", q.PrincipalType)
	}
	if q.Permission != "" {
		l.w.add("r.kind = 'permission' AND r.name = ?", q.Permission)
	}
	if q.AssetType != "" {
		l.w.add("a.asset_type = ?", q.AssetType)
	}
	switch q.Owner {
	case OwnerOurs:
		l.w.add("a.owned = 1")
	case OwnerTheirs:
		l.w.add("a.owned = 0")
	}
	if q.Role != "" {
		l.w.add(roleCond("m.business_roles"), q.Role)
	}
	if q.PartnerType != "" {
		l.w.add("p.partner_type = ?", q.PartnerType)
	}
	if q.PrincipalID != "" {
		l.w.add("k.ext_id = ?", q.PrincipalID)
	}
	if q.AssetID != "" {
		l.w.add("a.ext_id = ?", q.AssetID)
	}
	sort, dir, order := accessSorts.resolve(q.Sort, q.Dir)
	l.orderBy = order
	return l, sort, dir
}

func scanAccessRow(r *sql.Rows) (AccessRow, error) {
	var a AccessRow
	var roles string
	err := r.Scan(&a.PrincipalType, &a.PrincipalID, &a.Username, &a.Email, &roles, &a.PartnerType,
		&a.AssetType, &a.AssetID, &a.AssetName, &a.AssetOwned, &a.Permission)
	a.BusinessRoles = splitList(roles)
	return a, err
}

// ListAccess returns one page of the current snapshot's grants.
func (s *Store) ListAccess(ctx context.Context, integrationID int64, q AccessQuery) (AccessPage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return AccessPage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir := q.sql(run)
	known := -1
	if !q.filtered() {
		known = s.snapshotCount(ctx, run, "grants")
	}
	rows, total, err := listPage(ctx, s.r, "list access", l, q.ListQuery, known, scanAccessRow)
	return AccessPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachAccess streams every grant matching q in the list's order: one call
// per principal × asset × permission.
func (s *Store) EachAccess(ctx context.Context, integrationID int64, q AccessQuery, fn func(AccessRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.r, "access", l, scanAccessRow, fn)
}
