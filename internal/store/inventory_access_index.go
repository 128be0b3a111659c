package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The access list by principal, in memory. SQLite finds a page of one
// permission's grants by walking the principals in name order and seeking
// each one's grants of the permission: a page of 50 ADMIN grants on xl
// visits about 50 principals and as many assets, 0.3 ms, most of what the
// page costs, on the filter admins use most ("who has ADMIN?"). A search
// for a person's name reads the matching members' grants, their assets,
// and sorts them: 0.3 ms too. A snapshot never changes, so its grants are
// kept in the list's order by principal, whole and per permission, with
// what a row shows of each principal and asset: such a page is then a
// slice of memory, and a deep page costs no more than the first.

// accessPrincipal is what an access row shows of a member or a partner,
// and the search text the list's search tests.
type accessPrincipal struct {
	key                        int64
	partner                    bool
	id, username, email, roles string
	partnerType                string
	search                     string
}

// accessAsset is what an access row shows of an asset.
type accessAsset struct {
	typ, id, name string
	owned         bool
}

// permissionGrant is a grant of one permission: its principal and its
// asset, as positions in accessIndex's lists.
type permissionGrant struct {
	principal, asset int32
}

// principalGrant is one of a principal's grants: its asset and its permission,
// as positions in accessIndex's lists.
type principalGrant struct {
	asset      int32
	permission int32
}

// accessIndex is a snapshot's grants in the access list's order by
// principal: the principal's name without regard to case, then the
// snapshot's keys of the principal, the asset and the permission.
type accessIndex struct {
	principals  []accessPrincipal // by name, then key
	assets      []accessAsset     // by key
	permissions []string          // by key
	// Each principal's grants are held[starts[i]:starts[i+1]], by asset
	// and permission.
	held   []principalGrant
	starts []int32
	// Each permission's grants, by principal and asset; and by the
	// principal's key and asset, with the permissions' names in order, for
	// the list sorted by permission.
	byPermission    map[string][]permissionGrant
	byPermissionKey map[string][]permissionGrant
	permissionNames []string
}

// accessIndex returns the snapshot's access index, built once and kept
// with the list indexes: about 70 MB for the million grants of xl, built
// in under 2 s.
func (s *Store) accessIndex(ctx context.Context, run int64) (*accessIndex, error) {
	return cached(ctx, s.lists, cacheKey("access index", "", []any{run}), func() (*accessIndex, error) {
		ix, err := loadAccessIndex(ctx, s.read, run)
		if err != nil {
			return nil, fmt.Errorf("store: access index: %w", err)
		}
		return ix, nil
	})
}

func loadAccessIndex(ctx context.Context, db queryer, run int64) (*accessIndex, error) {
	ix := &accessIndex{byPermission: map[string][]permissionGrant{}, byPermissionKey: map[string][]permissionGrant{}}
	principals := map[int64]int32{}
	err := eachScan(ctx, db, func(r *sql.Rows) error {
		var p accessPrincipal
		if err := r.Scan(&p.partner, &p.key, &p.id, &p.username, &p.email, &p.roles, &p.partnerType, &p.search); err != nil {
			return err
		}
		principals[p.key] = int32(len(ix.principals))
		ix.principals = append(ix.principals, p)
		return nil
	}, `SELECT 0, id, ext_id, username, email, business_roles, '', search FROM snap_members WHERE run_id = ?
		UNION ALL SELECT 1, id, ext_id, username, email, '', partner_type, search FROM snap_partners WHERE run_id = ?
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
	permissions := map[int64]int32{}
	err = eachScan(ctx, db, func(r *sql.Rows) error {
		var key int64
		var name string
		if err := r.Scan(&key, &name); err != nil {
			return err
		}
		permissions[key] = int32(len(ix.permissions))
		ix.permissions = append(ix.permissions, name)
		return nil
	}, `SELECT id, name FROM access_roles WHERE kind = 'permission' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	// A grant shows in the list when its principal, asset and permission
	// do (the list joins them): so here too.
	type grant struct{ principal, asset, permission int32 }
	var grants []grant
	err = eachScan(ctx, db, func(r *sql.Rows) error {
		var grantee, asset, permission int64
		if err := r.Scan(&grantee, &asset, &permission); err != nil {
			return err
		}
		p, okP := principals[grantee]
		a, okA := assets[asset]
		k, okK := permissions[permission]
		if okP && okA && okK {
			grants = append(grants, grant{p, a, k})
		}
		return nil
	}, `SELECT grantee_id, asset_id, permission_id FROM snap_grants WHERE run_id = ?`, run)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(grants, func(a, b grant) int {
		return cmp.Or(cmp.Compare(a.principal, b.principal), cmp.Compare(a.asset, b.asset), cmp.Compare(a.permission, b.permission))
	})
	ix.held = make([]principalGrant, len(grants))
	ix.starts = make([]int32, len(ix.principals)+1)
	perPermission := make([]int, len(ix.permissions))
	for i, g := range grants {
		ix.held[i] = principalGrant{g.asset, g.permission}
		ix.starts[g.principal+1]++
		perPermission[g.permission]++
	}
	for i := range ix.principals {
		ix.starts[i+1] += ix.starts[i]
	}
	for k, n := range perPermission {
		if n > 0 {
			ix.byPermission[ix.permissions[k]] = make([]permissionGrant, 0, n)
		}
	}
	for _, g := range grants {
		name := ix.permissions[g.permission]
		ix.byPermission[name] = append(ix.byPermission[name], permissionGrant{g.principal, g.asset})
	}
	for name, grants := range ix.byPermission {
		byKey := slices.Clone(grants)
		slices.SortFunc(byKey, func(a, b permissionGrant) int {
			return cmp.Or(cmp.Compare(ix.principals[a.principal].key, ix.principals[b.principal].key), cmp.Compare(a.asset, b.asset))
		})
		ix.byPermissionKey[name] = byKey
		ix.permissionNames = append(ix.permissionNames, name)
	}
	slices.Sort(ix.permissionNames) // as SQLite's BINARY collation orders them
	return ix, nil
}

// row is the access row of a grant.
func (ix *accessIndex) row(principal, asset int32, permission string) AccessRow {
	p, a := ix.principals[principal], ix.assets[asset]
	r := AccessRow{PrincipalType: GranteeMember, PrincipalID: p.id, Username: p.username, Email: p.email,
		BusinessRoles: splitList(p.roles), AssetType: a.typ, AssetID: a.id, AssetName: a.name, AssetOwned: a.owned,
		Permission: permission}
	if p.partner {
		r.PrincipalType, r.PartnerType = GranteePartner, p.partnerType
	}
	return r
}

// fillPage sets page's total to total and its rows to those of q's page
// of a list of that many rows, row(n) giving the n-th in ascending order.
func fillPage(page *AccessPage, q AccessQuery, total int, row func(n int) AccessRow) {
	page.Total = total
	offset := (q.Page - 1) * q.PerPage
	for i := offset; i < min(offset+q.PerPage, total); i++ {
		n := i
		if page.Dir == SortDesc {
			n = total - 1 - i
		}
		page.Rows = append(page.Rows, row(n))
	}
}

// blockOf returns which of a run of consecutive blocks holds position n,
// where ends[k] is the position after block k; and n's offset within it.
func blockOf[T int | int32](ends []T, n int) (block, within int) {
	k := sort.Search(len(ends), func(k int) bool { return int(ends[k]) > n })
	if k > 0 {
		n -= int(ends[k-1])
	}
	return k, n
}

// byPermission reports whether the access index answers q from its
// grants by permission: one permission's grants, sorted by principal,
// with no other filter.
func (q AccessQuery) byPermission() bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	only := q
	only.Permission = ""
	return q.Permission != "" && sort == "principal" && !only.filtered()
}

// listAccessByPermission is ListAccess for a query byPermission answers.
func (s *Store) listAccessByPermission(ctx context.Context, run int64, q AccessQuery, page AccessPage) (AccessPage, error) {
	ix, err := s.accessIndex(ctx, run)
	if err != nil {
		return AccessPage{}, err
	}
	grants := ix.byPermission[q.Permission]
	fillPage(&page, q, len(grants), func(n int) AccessRow {
		return ix.row(grants[n].principal, grants[n].asset, q.Permission)
	})
	return page, nil
}

// byPrincipal reports whether the access index answers q from its grants
// by principal: every grant, sorted by principal.
func (q AccessQuery) byPrincipal() bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	return sort == "principal" && !q.filtered()
}

// listAccessByPrincipal is ListAccess for a query byPrincipal answers.
func (s *Store) listAccessByPrincipal(ctx context.Context, run int64, q AccessQuery, page AccessPage) (AccessPage, error) {
	ix, err := s.accessIndex(ctx, run)
	if err != nil {
		return AccessPage{}, err
	}
	fillPage(&page, q, len(ix.held), func(n int) AccessRow {
		p, _ := blockOf(ix.starts[1:], n) // the principal whose grants hold it
		g := ix.held[n]
		return ix.row(int32(p), g.asset, ix.permissions[g.permission])
	})
	return page, nil
}

// byPermissionSort reports whether the access index answers q from its
// grants by permission and principal key: every grant, sorted by
// permission.
func (q AccessQuery) byPermissionSort() bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	return sort == "permission" && !q.filtered()
}

// listAccessByPermissionSort is ListAccess for a query byPermissionSort
// answers: each permission's grants in turn, in the order of their names.
func (s *Store) listAccessByPermissionSort(ctx context.Context, run int64, q AccessQuery, page AccessPage) (AccessPage, error) {
	ix, err := s.accessIndex(ctx, run)
	if err != nil {
		return AccessPage{}, err
	}
	// ends[k] is how many grants the first k+1 permissions (by name) hold.
	ends := make([]int, len(ix.permissionNames))
	total := 0
	for k, name := range ix.permissionNames {
		total += len(ix.byPermissionKey[name])
		ends[k] = total
	}
	fillPage(&page, q, total, func(n int) AccessRow {
		k, i := blockOf(ends, n)
		g := ix.byPermissionKey[ix.permissionNames[k]][i]
		return ix.row(g.principal, g.asset, ix.permissionNames[k])
	})
	return page, nil
}

// searchPrincipalsMax is how many matching principals principalsMatching
// lists: a search that matches more matches densely enough that SQLite
// finds a page of them quickly.
const searchPrincipalsMax = 20000

// principalsMatching returns the positions (in the access index) of the
// principals whose search text holds text, in order, or nil and false
// when more than searchPrincipalsMax do. It is kept per snapshot and
// search, as paging asks again on every page.
func (s *Store) principalsMatching(ctx context.Context, run int64, ix *accessIndex, text string) ([]int32, bool, error) {
	text = strings.ToLower(strings.TrimSpace(text))
	type matching struct {
		principals []int32
		ok         bool
	}
	m, err := cached(ctx, s.searches, cacheKey("principals matching", text, []any{run}), func() (matching, error) {
		var out []int32
		for i := range ix.principals {
			if !strings.Contains(ix.principals[i].search, text) {
				continue
			}
			if len(out) == searchPrincipalsMax {
				return matching{}, nil
			}
			out = append(out, int32(i))
		}
		return matching{slices.Clip(out), true}, nil
	})
	return m.principals, m.ok, err
}

// byPrincipalSearch reports whether the access index may answer q from
// its grants by principal: a search, sorted by principal, with no other
// filter (and, see listAccessByPrincipalSearch, no asset that matches).
func (q AccessQuery) byPrincipalSearch() bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	only := q
	only.Q = ""
	return hasText(q.Q) && sort == "principal" && !only.filtered()
}

// listAccessByPrincipalSearch is ListAccess for a query byPrincipalSearch
// names whose search no asset matches (assets is the JSON array of those
// that do, see assetsMatching): its rows are then every grant of the
// principals that match, one principal after another. It reports false
// when the index cannot answer (too many principals match).
func (s *Store) listAccessByPrincipalSearch(ctx context.Context, run int64, q AccessQuery, page AccessPage) (AccessPage, bool, error) {
	ix, err := s.accessIndex(ctx, run)
	if err != nil {
		return AccessPage{}, false, err
	}
	matching, ok, err := s.principalsMatching(ctx, run, ix, q.Q)
	if err != nil || !ok {
		return AccessPage{}, false, err
	}
	// ends[i] is how many rows the first i+1 matching principals hold.
	ends := make([]int, len(matching))
	total := 0
	for i, p := range matching {
		total += int(ix.starts[p+1] - ix.starts[p])
		ends[i] = total
	}
	fillPage(&page, q, total, func(n int) AccessRow {
		m, i := blockOf(ends, n)
		p := matching[m]
		g := ix.held[int(ix.starts[p])+i]
		return ix.row(p, g.asset, ix.permissions[g.permission])
	})
	return page, true, nil
}
