package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// The grants of one permission, by principal. SQLite finds a page of them
// by walking the principals in name order and seeking each one's grants
// of the permission in the permission index: a page of 50 ADMIN grants on
// xl visits about 50 principals and as many assets, 0.3 ms, which is most
// of what the page costs and the busiest filter an admin uses ("who has
// ADMIN?"). A snapshot never changes, so its grants of each permission, in
// the list's order, are kept instead, with what a row shows of each
// principal and asset: a page is then a slice of that order, read
// without SQLite, and a deep page costs no more than the first.

// accessPrincipal is what an access row shows of a member or a partner.
type accessPrincipal struct {
	partner                    bool
	id, username, email, roles string
	partnerType                string
}

// accessAsset is what an access row shows of an asset.
type accessAsset struct {
	typ, id, name string
	owned         bool
}

// permissionGrant is a grant of one permission: its principal and its
// asset, as positions in permissionIndex's lists.
type permissionGrant struct {
	principal, asset int32
}

// permissionIndex is a snapshot's grants of each permission, in the access
// list's order by principal (the principal's name without regard to case,
// then the snapshot's keys of the principal and of the asset).
type permissionIndex struct {
	principals []accessPrincipal // by name, then key
	assets     []accessAsset     // by key
	grants     map[string][]permissionGrant
}

// permissionIndex returns the snapshot's permission index, built once
// and kept with the list indexes: about 35 MB for the million grants of xl,
// built in about a second.
func (s *Store) permissionIndex(ctx context.Context, run int64) (*permissionIndex, error) {
	return cached(ctx, s.lists, cacheKey("permission index", "", []any{run}), func() (*permissionIndex, error) {
		ix, err := loadPermissionIndex(ctx, s.read, run)
		if err != nil {
			return nil, fmt.Errorf("store: permission index: %w", err)
		}
		return ix, nil
	})
}

func loadPermissionIndex(ctx context.Context, db queryer, run int64) (*permissionIndex, error) {
	ix := &permissionIndex{grants: map[string][]permissionGrant{}}
	principals := map[int64]int32{}
	err := eachScan(ctx, db, func(r *sql.Rows) error {
		var key int64
		var p accessPrincipal
		if err := r.Scan(&p.partner, &key, &p.id, &p.username, &p.email, &p.roles, &p.partnerType); err != nil {
			return err
		}
		principals[key] = int32(len(ix.principals))
		ix.principals = append(ix.principals, p)
		return nil
	}, `SELECT 0, id, ext_id, username, email, business_roles, '' FROM snap_members WHERE run_id = ?
		UNION ALL SELECT 1, id, ext_id, username, email, '', partner_type FROM snap_partners WHERE run_id = ?
		ORDER BY 4 COLLATE NOCASE, 2`, run, run)
	if err != nil {
		return nil, err
	}
	assets := map[int64]int32{}
	err = eachScan(ctx, db, func(r *sql.Rows) error {
		var key int64
		var a accessAsset
		if err := r.Scan(&key, &a.typ, &a.id, &a.name, &a.owned); err != nil {
			return err
		}
		assets[key] = int32(len(ix.assets))
		ix.assets = append(ix.assets, a)
		return nil
	}, `SELECT id, asset_type, ext_id, name, owned FROM snap_assets WHERE run_id = ? ORDER BY id`, run)
	if err != nil {
		return nil, err
	}
	permissions := map[int64]string{}
	err = eachScan(ctx, db, func(r *sql.Rows) error {
		var key int64
		var name string
		err := r.Scan(&key, &name)
		permissions[key] = name
		return err
	}, `SELECT id, name FROM access_roles WHERE kind = 'permission'`)
	if err != nil {
		return nil, err
	}
	// A grant shows in the list when its principal, asset and permission
	// do (the list joins them): so here too.
	err = eachScan(ctx, db, func(r *sql.Rows) error {
		var grantee, asset, permission int64
		if err := r.Scan(&grantee, &asset, &permission); err != nil {
			return err
		}
		p, okP := principals[grantee]
		a, okA := assets[asset]
		name, okR := permissions[permission]
		if okP && okA && okR {
			ix.grants[name] = append(ix.grants[name], permissionGrant{p, a})
		}
		return nil
	}, `SELECT grantee_id, asset_id, permission_id FROM snap_grants WHERE run_id = ?`, run)
	if err != nil {
		return nil, err
	}
	for name, g := range ix.grants {
		slices.SortFunc(g, func(a, b permissionGrant) int {
			return cmp.Or(cmp.Compare(a.principal, b.principal), cmp.Compare(a.asset, b.asset))
		})
		ix.grants[name] = slices.Clone(g) // without the room append left
	}
	return ix, nil
}

// eachScan runs query and calls scan on each row, checking ctx every few
// thousand rows.
func eachScan(ctx context.Context, db queryer, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// byPermission reports whether the permission index answers q: the
// grants of one permission, sorted by principal, with no other filter.
func (q AccessQuery) byPermission() bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	only := q
	only.Permission = ""
	return q.Permission != "" && sort == "principal" && !only.filtered()
}

// listAccessByPermission is ListAccess for a query byPermission answers.
func (s *Store) listAccessByPermission(ctx context.Context, run int64, q AccessQuery, page AccessPage) (AccessPage, error) {
	ix, err := s.permissionIndex(ctx, run)
	if err != nil {
		return AccessPage{}, err
	}
	grants := ix.grants[q.Permission]
	page.Total = len(grants)
	offset := (q.Page - 1) * q.PerPage
	for i := offset; i < min(offset+q.PerPage, len(grants)); i++ {
		g := grants[i]
		if page.Dir == SortDesc {
			g = grants[len(grants)-1-i]
		}
		p, a := ix.principals[g.principal], ix.assets[g.asset]
		row := AccessRow{PrincipalType: GranteeMember, PrincipalID: p.id, Username: p.username, Email: p.email,
			BusinessRoles: splitList(p.roles), AssetType: a.typ, AssetID: a.id, AssetName: a.name, AssetOwned: a.owned,
			Permission: q.Permission}
		if p.partner {
			row.PrincipalType, row.PartnerType = GranteePartner, p.partnerType
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}
