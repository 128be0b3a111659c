package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Exporting the access list in principal order (the default) streams the
// principals instead of the grants: one row per principal, in the list's
// order, carrying its grants as "asset,permission" pairs, while the
// snapshot's assets and the permission names are read once into memory.
// A million grants then cost a million binary searches in Go rather than
// a million B-tree lookups, column reads and scans through database/sql.
// Memory grows with the snapshot's assets (tens of bytes each beside
// their ID and name), not with its grants.
//
// The rows and their order are exactly the list query's: SQLite orders the
// principals by the sort's terms up to the principal's key (gk), so the
// merge of members and partners and the NOCASE collation are its own, and
// the remaining terms (ak, pk) order each principal's grants in Go. Filters
// on the principal stay in SQL, filters on the asset pick which assets are
// loaded, and the search is evaluated by SQLite's LIKE on both sides.

// byPrincipalTerms are the access list's order terms that a principal row
// carries; a sort is exported by principal when its terms are some of
// these, ending with gk, followed by exactly ak and pk.
var byPrincipalTerms = map[string]bool{"ptype": true, "uname COLLATE NOCASE": true, "gk": true}

// byPrincipalOrder returns the ORDER BY of the principal rows when q can be
// exported by principal, and ok false when it needs the list's own query:
// a sort led by the asset or the permission, or a single principal or
// asset (few grants, which that query finds through the indexes).
func (q AccessQuery) byPrincipalOrder() (order string, desc bool, ok bool) {
	if q.PrincipalID != "" || q.AssetID != "" {
		return "", false, false
	}
	sort, dir, _ := accessSorts.resolve(q.Sort, q.Dir)
	terms := accessSorts.keys[sort].terms
	n := len(terms)
	if n < 3 || terms[n-3] != "gk" || terms[n-2] != "ak" || terms[n-1] != "pk" {
		return "", false, false
	}
	parts := make([]string, 0, n-2)
	for _, t := range terms[:n-2] {
		if !byPrincipalTerms[t] {
			return "", false, false
		}
		parts = append(parts, t+" "+strings.ToUpper(dir))
	}
	return strings.Join(parts, ", "), dir == SortDesc, true
}

// exportAssets are the snapshot's assets as the access export shows them,
// in id order. Their IDs and names live in one string, so a row's cells
// are slices of it: a few bytes per asset beside the text, no allocation
// per row.
type exportAssets struct {
	ids   []int64
	cells []assetCells
	text  string
	types []string
}

type assetCells struct {
	off, extLen, nameLen uint32 // extID then name, at off in text
	typ                  uint8  // index in types
	owned                bool
	hit                  bool // its search column matches the query's search
}

// find returns the position of the asset with snapshot key id.
func (a *exportAssets) find(id int64) (int, bool) {
	return slices.BinarySearch(a.ids, id)
}

// fill sets r's asset cells from the asset at position i.
func (a *exportAssets) fill(r *AccessRow, i int) {
	c := a.cells[i]
	ext := c.off + c.extLen
	r.AssetType, r.AssetID, r.AssetName, r.AssetOwned = a.types[c.typ], a.text[c.off:ext], a.text[ext:ext+c.nameLen], c.owned
}

// loadExportAssets reads the run's assets that pass q's asset filters, with
// whether each matches q's search.
func loadExportAssets(ctx context.Context, tx *sql.Tx, runID int64, q AccessQuery) (*exportAssets, error) {
	hit, args := "0", []any{}
	if hasText(q.Q) {
		hit = `search LIKE ? ESCAPE '\'`
		args = append(args, likePattern(q.Q))
	}
	var w where
	w.add("run_id = ?", runID)
	if q.AssetType != "" {
		w.add("asset_type = ?", q.AssetType)
	}
	switch q.Owner {
	case OwnerOurs:
		w.add("owned = 1")
	case OwnerTheirs:
		w.add("owned = 0")
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, asset_type, ext_id, name, owned, `+hit+` FROM snap_assets`+w.sql()+` ORDER BY id`,
		append(args, w.args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: access export assets: %w", err)
	}
	defer rows.Close()
	a := &exportAssets{}
	var text strings.Builder
	var typ, ext, name sql.RawBytes
	for rows.Next() {
		var id int64
		var c assetCells
		if err := rows.Scan(&id, &typ, &ext, &name, &c.owned, &c.hit); err != nil {
			return nil, fmt.Errorf("store: access export assets: %w", err)
		}
		t := slices.Index(a.types, string(typ))
		if t < 0 {
			if len(a.types) == 256 {
				return nil, errors.New("store: access export assets: too many asset types")
			}
			t = len(a.types)
			a.types = append(a.types, string(typ))
		}
		if text.Len()+len(ext)+len(name) > math.MaxUint32 {
			return nil, errors.New("store: access export assets: too much text")
		}
		c.typ, c.off, c.extLen, c.nameLen = uint8(t), uint32(text.Len()), uint32(len(ext)), uint32(len(name))
		text.Write(ext)
		text.Write(name)
		a.ids = append(a.ids, id)
		a.cells = append(a.cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: access export assets: %w", err)
	}
	a.text = text.String()
	return a, nil
}

// exportPermission is the name of an asset permission by its id.
type exportPermission struct {
	id   int64
	name string
}

// loadExportPermissions reads the asset permissions (a dozen).
func loadExportPermissions(ctx context.Context, tx *sql.Tx) ([]exportPermission, error) {
	return queryAll(ctx, tx, "access export permissions", func(r *sql.Rows) (exportPermission, error) {
		var p exportPermission
		return p, r.Scan(&p.id, &p.name)
	}, `SELECT id, name FROM access_roles WHERE kind = 'permission'`)
}

// principalsSQL is the query of the principals q can match, each with its
// grants, ordered by order: columns ptype, gk, pid, uname, email, roles,
// ptkind, hit (the principal matches q's search) and grants ("asset,
// permission" pairs joined with ";", NULL when it has none).
func (q AccessQuery) principalsSQL(runID int64, order string) (string, []any) {
	var parts []string
	var args []any
	for _, kind := range q.arms() {
		cols, table := `'member' AS ptype, x.id AS gk, x.ext_id AS pid, x.username AS uname, x.email AS email,
			x.business_roles AS roles, '' AS ptkind`, "snap_members"
		if kind == GranteePartner {
			cols, table = `'partner' AS ptype, x.id AS gk, x.ext_id AS pid, x.username AS uname, x.email AS email,
			'' AS roles, x.partner_type AS ptkind`, "snap_partners"
		}
		hit := "1"
		if hasText(q.Q) {
			hit = `x.search LIKE ? ESCAPE '\'`
			args = append(args, likePattern(q.Q))
		}
		perm := ""
		if q.Permission != "" {
			perm = " AND g.permission_id = (SELECT id FROM access_roles WHERE kind = 'permission' AND name = ?)"
			args = append(args, q.Permission)
		}
		var w where
		w.add("x.run_id = ?", runID)
		if q.Role != "" {
			w.add(roleCond("x.business_roles"), q.Role)
		}
		if q.PartnerType != "" {
			w.add("x.partner_type = ?", q.PartnerType)
		}
		parts = append(parts, `SELECT `+cols+`, `+hit+` AS hit,
			(SELECT group_concat(g.asset_id || ',' || g.permission_id, ';') FROM snap_grants g
				WHERE g.run_id = x.run_id AND g.grantee_id = x.id`+perm+`) AS grants
			FROM `+table+` x`+w.sql())
		args = append(args, w.args...)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return strings.Join(parts, " UNION ALL ") + " ORDER BY " + order, args
}

// heldGrant is one grant of a principal: an asset and a permission.
type heldGrant struct{ asset, perm int64 }

// principalGrants appends to ps the grants of a principal's grants column
// ("asset,permission" pairs joined with ";"), ordered by asset then
// permission, or the other way round when desc.
func principalGrants(ps []heldGrant, b []byte, desc bool) ([]heldGrant, error) {
	start := len(ps)
	for len(b) > 0 {
		pair := b
		if i := bytes.IndexByte(b, ';'); i >= 0 {
			pair, b = b[:i], b[i+1:]
			if len(b) == 0 {
				return ps, errors.New("malformed grants: a trailing ';'")
			}
		} else {
			b = nil
		}
		a, p, ok := bytes.Cut(pair, []byte{','})
		if !ok {
			return ps, fmt.Errorf("malformed grants: %q is no asset,permission pair", pair)
		}
		asset, err1 := strconv.ParseInt(string(a), 10, 64)
		perm, err2 := strconv.ParseInt(string(p), 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return ps, fmt.Errorf("malformed grants: %w", err)
		}
		ps = append(ps, heldGrant{asset, perm})
	}
	if len(ps) == start {
		return ps, errors.New("malformed grants: none")
	}
	// SQLite concatenates in the primary key's order, but only a query's
	// ORDER BY promises an order.
	held := ps[start:]
	if !slices.IsSortedFunc(held, compareGrants) {
		slices.SortFunc(held, compareGrants)
	}
	if desc {
		slices.Reverse(held)
	}
	return ps, nil
}

func compareGrants(a, b heldGrant) int {
	if c := cmp.Compare(a.asset, b.asset); c != 0 {
		return c
	}
	return cmp.Compare(a.perm, b.perm)
}

// eachAccessByPrincipal streams q's grants of run runID by principal (see
// above), calling fn once per grant in the list's order. order and desc
// come from q.byPrincipalOrder. The rows of one principal share its
// BusinessRoles slice.
func (s *Store) eachAccessByPrincipal(ctx context.Context, runID int64, q AccessQuery, order string, desc bool, fn func(AccessRow) error) error {
	query, args := q.principalsSQL(runID, order)
	if query == "" {
		return nil // a contradictory filter: no principal can match
	}
	// One read transaction: the assets and the grants come from the same
	// state of the database.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: access export: %w", err)
	}
	defer tx.Rollback()
	perms, err := loadExportPermissions(ctx, tx)
	if err != nil {
		return err
	}
	assets, err := loadExportAssets(ctx, tx, runID, q)
	if err != nil {
		return err
	}
	search := hasText(q.Q)

	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: access export: %w", err)
	}
	defer rows.Close()
	var (
		p        AccessRow
		gk       int64
		roles    string
		hit      bool
		grants   sql.RawBytes
		pairs    []heldGrant
		rowCount int
	)
	for principals := 1; rows.Next(); principals++ {
		if principals%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&p.PrincipalType, &gk, &p.PrincipalID, &p.Username, &p.Email, &roles, &p.PartnerType, &hit, &grants); err != nil {
			return fmt.Errorf("store: access export: %w", err)
		}
		if grants == nil {
			continue // no grants (or none with the permission asked for)
		}
		if pairs, err = principalGrants(pairs[:0], grants, desc); err != nil {
			return fmt.Errorf("store: access export: principal %s: %w", p.PrincipalID, err)
		}
		p.BusinessRoles = splitList(roles)
		for _, g := range pairs {
			pi := slices.IndexFunc(perms, func(p exportPermission) bool { return p.id == g.perm })
			if pi < 0 {
				continue
			}
			ai, ok := assets.find(g.asset)
			if !ok {
				continue
			}
			if search && !hit && !assets.cells[ai].hit {
				continue
			}
			r := p
			assets.fill(&r, ai)
			r.Permission = perms[pi].name
			if err := fn(r); err != nil {
				return err
			}
			rowCount++
			if rowCount%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("store: access export: %w", err)
	}
	return ctx.Err()
}
