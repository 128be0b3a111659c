package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
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

	// searchAssets, when set, is the keys (a JSON array) of the
	// snapshot's assets whose search text holds Q: the arms that match Q
	// on the asset read those rather than test every asset.
	searchAssets string
	// searchMembers, when set, is the keys (a JSON array) of the members
	// whose grants are the only ones the member arm that matches Q on the
	// principal need read for a page (see memberWindow).
	searchMembers string
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

// The access list is the union of two arms, grants to members and grants
// to partners, merged in order: each arm reads the index of its sort key
// (principal names, asset names, permissions) in order, so the first page
// of a million grants comes without sorting them. Ties break on the
// snapshot's keys, which the same indexes hold in order.
var accessSorts = sortKeys{
	def: "principal", defDir: SortAsc,
	keys: map[string]sortSpec{
		"principal":      {terms: []string{"uname COLLATE NOCASE", "gk", "ak", "pk"}},
		"principal_type": {terms: []string{"ptype", "uname COLLATE NOCASE", "gk", "ak", "pk"}},
		"asset":          {terms: []string{"aname COLLATE NOCASE", "ak", "gk", "pk"}},
		"asset_type":     {terms: []string{"atype", "aname COLLATE NOCASE", "ak", "gk", "pk"}},
		"permission":     {terms: []string{"perm", "gk", "ak"}},
	},
}

func (q AccessQuery) filtered() bool {
	return hasText(q.Q) || q.PrincipalType != "" || q.Permission != "" || q.AssetType != "" ||
		q.Owner == OwnerOurs || q.Owner == OwnerTheirs || q.Role != "" || q.PartnerType != "" ||
		q.PrincipalID != "" || q.AssetID != ""
}

// arm builds one side of the union: grants to members or to partners. For
// the listing (drive set) the table of the sort key leads the join (CROSS
// JOIN fixes SQLite's join order), so its index yields rows in order; for
// counting the planner chooses.
//
// match says how Q applies: searchEither (the principal or the asset
// matches), searchPrincipal (the principal matches) or searchAssetOnly (the
// asset matches and the principal does not); counting with Q adds the last
// two, each driven from the table whose search column it reads, so the
// count grows with the matches instead of with the grants.
func (q AccessQuery) arm(runID int64, kind, sort string, drive bool, match int) (string, []any) {
	cols, body, args := q.armParts(runID, kind, sort, drive, match)
	return "SELECT " + cols + " " + body, args
}

// armParts is arm as its select list and the rest (FROM to WHERE).
func (q AccessQuery) armParts(runID int64, kind, sort string, drive bool, match int) (string, string, []any) {
	var cols, table string
	if kind == GranteeMember {
		cols = `'member' AS ptype, x.ext_id AS pid, x.username AS uname, x.email AS email, x.business_roles AS roles, '' AS ptkind`
		table = "snap_members"
	} else {
		cols = `'partner' AS ptype, x.ext_id AS pid, x.username AS uname, x.email AS email, '' AS roles, x.partner_type AS ptkind`
		table = "snap_partners"
	}
	// hint names the grants index that yields the sort's order; without
	// statistics SQLite may otherwise pick one that does not.
	join, hint := "JOIN", map[string]string{}
	if drive {
		join = "CROSS JOIN"
		hint = map[string]string{"principal": " INDEXED BY sqlite_autoindex_snap_grants_1", "asset": " INDEXED BY snap_grants_asset",
			"permission": " INDEXED BY snap_grants_permission"}
		if q.Permission != "" {
			// Each principal's grants of one permission are a range of the
			// permission index (permission, grantee, asset), in asset
			// order as the sort wants: seek them rather than read all of
			// the principal's grants.
			hint["principal"] = hint["permission"]
		}
	}
	var from string
	switch sort {
	case "asset", "asset_type":
		from = `FROM snap_assets a ` + join + ` snap_grants g` + hint["asset"] + ` ON g.run_id = a.run_id AND g.asset_id = a.id
			JOIN ` + table + ` x ON x.run_id = g.run_id AND x.id = g.grantee_id
			JOIN access_roles r ON r.id = g.permission_id`
	case "permission":
		if drive && kind == GranteePartner {
			// Partners hold a few grants in a hundred: walking a
			// permission's grants in grantee order for the partners' steps
			// over every member's (130 ms on xl, sorted descending, before
			// the first partner). Each partner's grants of the permission
			// are instead a range of the permission index, in asset order.
			from = `FROM access_roles r CROSS JOIN ` + table + ` x CROSS JOIN snap_grants g` + hint["permission"] + `
				ON g.run_id = x.run_id AND g.permission_id = r.id AND g.grantee_id = x.id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id`
			break
		}
		from = `FROM access_roles r ` + join + ` snap_grants g` + hint["permission"] + ` ON g.permission_id = r.id
			JOIN ` + table + ` x ON x.run_id = g.run_id AND x.id = g.grantee_id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id`
	default:
		// The principals are read by name: with a seek's range on their
		// key (see seekConds), SQLite would otherwise read them by key and
		// test every name.
		byName := ""
		switch {
		case drive && q.searchMembers != "" && kind == GranteeMember && match == searchPrincipal:
			// A window of members (see memberWindow): read by key, and
			// their few grants sorted.
			byName = " INDEXED BY sqlite_autoindex_snap_members_1"
		case drive:
			byName = " INDEXED BY " + table + "_username"
		}
		from = `FROM ` + table + ` x` + byName + ` ` + join + ` snap_grants g` + hint["principal"] + ` ON g.run_id = x.run_id AND g.grantee_id = x.id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
			JOIN access_roles r ON r.id = g.permission_id`
	}
	var w where
	w.add("g.run_id = ? AND x.run_id = ? AND a.run_id = ?", runID, runID, runID)
	w.add("r.kind = 'permission'")
	if hasText(q.Q) {
		pat := likePattern(q.Q)
		switch {
		case q.searchAssets != "" && match == searchAssetOnly:
			w.add(`a.id IN (SELECT value FROM json_each(?)) AND x.search NOT LIKE ? ESCAPE '\'`, q.searchAssets, pat)
		case q.searchAssets != "" && match == searchAsset:
			w.add(`a.id IN (SELECT value FROM json_each(?))`, q.searchAssets)
		}
		switch match {
		case searchPrincipal:
			w.add(`x.search LIKE ? ESCAPE '\'`, pat)
			if q.searchMembers != "" && kind == GranteeMember {
				w.add(`x.id IN (SELECT value FROM json_each(?))`, q.searchMembers)
			}
		case searchAssetOnly:
			if q.searchAssets == "" {
				w.add(`a.search LIKE ? ESCAPE '\' AND x.search NOT LIKE ? ESCAPE '\'`, pat, pat)
			}
		case searchAsset:
			if q.searchAssets == "" {
				w.add(`a.search LIKE ? ESCAPE '\'`, pat)
			}
		case searchPrincipalOnly:
			w.add(`x.search LIKE ? ESCAPE '\' AND a.search NOT LIKE ? ESCAPE '\'`, pat, pat)
		default:
			w.add(`(x.search LIKE ? ESCAPE '\' OR a.search LIKE ? ESCAPE '\')`, pat, pat)
		}
	}
	if q.Permission != "" {
		// A constant subquery, so the permission index can narrow the grants.
		w.add("g.permission_id = (SELECT id FROM access_roles WHERE kind = 'permission' AND name = ?)", q.Permission)
	}
	if q.AssetType != "" {
		w.add("a.asset_type = ?", q.AssetType)
	}
	switch q.Owner {
	case OwnerOurs:
		w.add("a.owned = 1")
	case OwnerTheirs:
		w.add("a.owned = 0")
	}
	if q.Role != "" {
		w.add(roleCond("x.business_roles"), q.Role)
	}
	if q.PartnerType != "" {
		w.add("x.partner_type = ?", q.PartnerType)
	}
	// One principal or asset: looked up by its key first, so the grants'
	// primary key (or asset index) narrows the rows instead of a scan.
	if q.PrincipalID != "" {
		const key = `(SELECT id FROM entity_keys WHERE integration_id = (SELECT integration_id FROM sync_runs WHERE id = ?)
			AND kind = ? AND ext_id = ?)`
		w.add(`x.id = `+key+` AND g.grantee_id = `+key, runID, kind, q.PrincipalID, runID, kind, q.PrincipalID)
	}
	if q.AssetID != "" {
		w.add(`g.asset_id IN (SELECT id FROM entity_keys WHERE integration_id = (SELECT integration_id FROM sync_runs WHERE id = ?)
			AND kind = 'asset' AND ext_id = ?)`, runID, q.AssetID)
	}
	k := armKeys(sort, kind, drive)
	return cols + `, a.asset_type AS atype, a.ext_id AS aid, a.name AS aname, a.owned AS owned,
			r.name AS perm, ` + k["gk"] + ` AS gk, ` + k["ak"] + ` AS ak, ` + k["pk"] + ` AS pk`, from + w.sql(), w.args
}

// An arm's snapshot keys (gk, ak, pk: the grantee, the asset, the
// permission) are read from the tables it walks first, so that a seek on
// them (see seekConds) is a seek of the index the arm reads in order.
var (
	principalArmKeys  = map[string]string{"gk": "x.id", "ak": "g.asset_id", "pk": "g.permission_id"}
	assetArmKeys      = map[string]string{"gk": "g.grantee_id", "ak": "a.id", "pk": "g.permission_id"}
	permissionArmKeys = map[string]string{"gk": "g.grantee_id", "ak": "g.asset_id", "pk": "g.permission_id"}
)

// armKeys are the expressions of the keys of an arm that reads in the
// order of sort.
func armKeys(sort, kind string, drive bool) map[string]string {
	switch {
	case sort == "asset" || sort == "asset_type":
		return assetArmKeys
	case sort == "permission" && !(drive && kind == GranteePartner):
		return permissionArmKeys
	}
	return principalArmKeys
}

// accessTermColumns are the arms' expressions for the names that the
// sorts' terms use, besides the keys (armKeys) and the principal type
// (the arm's kind).
var accessTermColumns = map[string]string{
	"uname": "x.username", "aname": "a.name", "atype": "a.asset_type", "perm": "r.name",
}

// armTerms are the terms of the list's sort as an arm of kind that reads
// in the order of armSort writes them.
func armTerms(sort, armSort, kind string, drive bool) []string {
	terms := accessSorts.keys[sort].terms
	keys := armKeys(armSort, kind, drive)
	out := make([]string, len(terms))
	for i, t := range terms {
		name, rest, _ := strings.Cut(t, " ")
		col, ok := accessTermColumns[name]
		if !ok {
			col, ok = keys[name]
		}
		if name == "ptype" {
			col, ok = "'"+kind+"'", true
		}
		if !ok {
			panic("store: access sort term " + t + " has no column")
		}
		out[i] = strings.TrimSpace(col + " " + rest)
	}
	return out
}

// How an access arm applies the free-text search.
const (
	searchEither = iota
	searchPrincipal
	searchAssetOnly
	searchAsset
	searchPrincipalOnly
)

// arms lists the principal kinds the query can match: a business role is
// held by members only, a partner type belongs to partners only, so either
// rules out the other kind (and both, or an unknown principal type, match
// nothing).
func (q AccessQuery) arms() []string {
	var kinds []string
	if (q.PrincipalType == "" || q.PrincipalType == GranteeMember) && q.PartnerType == "" {
		kinds = append(kinds, GranteeMember)
	}
	if (q.PrincipalType == "" || q.PrincipalType == GranteePartner) && q.Role == "" {
		kinds = append(kinds, GranteePartner)
	}
	return kinds
}

// listArm is one part of a principal kind's rows: read in the order of
// sort, matching the search as match says.
type listArm struct {
	sort  string
	match int
}

// listArms splits a principal kind's rows for listing. Without a search, or
// for one principal or asset, it is one part. With a search, walking the
// sort's index and testing both sides of every grant finds few matches
// per grant read when they are rare (a name that only some assets carry,
// say); so the rows become those whose sort side matches, read in order
// from its index, and those where only the other side matches, found from
// that side and sorted. The two parts are disjoint and together are the
// rows either side matches.
func (q AccessQuery) listArms(sort string, drive bool) []listArm {
	if !hasText(q.Q) || !drive {
		return []listArm{{sort, searchEither}}
	}
	switch sort {
	case "principal", "principal_type":
		return []listArm{{sort, searchPrincipal}, {"asset", searchAssetOnly}}
	case "asset", "asset_type":
		return []listArm{{sort, searchAsset}, {"principal", searchPrincipalOnly}}
	}
	return []listArm{{sort, searchEither}}
}

func (q AccessQuery) sql(runID int64) (listSQL, string, string) {
	sort, dir, order := accessSorts.resolve(q.Sort, q.Dir)
	var l listSQL
	var parts, counts []string
	// What a deep page's queries are built from, when one is asked for.
	type listedArm struct {
		kind, sort string
		drive      bool
		cols, body string
		args       []any
	}
	var listed []listedArm
	for _, kind := range q.arms() {
		// One principal's or asset's grants are few: let SQLite start from
		// them and sort, rather than walk an index in order.
		drive := q.PrincipalID == "" && q.AssetID == ""
		for _, a := range q.listArms(sort, drive) {
			cols, body, args := q.armParts(runID, kind, a.sort, drive, a.match)
			parts = append(parts, "SELECT "+cols+" "+body)
			l.args = append(l.args, args...)
			listed = append(listed, listedArm{kind, a.sort, drive, cols, body, args})
		}
		if hasText(q.Q) {
			for _, c := range []struct {
				sort  string
				match int
			}{{"principal", searchPrincipal}, {"asset", searchAssetOnly}} {
				arm, args := q.arm(runID, kind, c.sort, true, c.match)
				counts = append(counts, "(SELECT count(*) FROM ("+arm+"))")
				l.countArgs = append(l.countArgs, args...)
			}
			continue
		}
		arm, args := q.arm(runID, kind, sort, false, searchEither)
		counts = append(counts, "(SELECT count(*) FROM ("+arm+"))")
		l.countArgs = append(l.countArgs, args...)
	}
	if len(parts) == 0 {
		// A contradictory filter (a partner with a business role): no rows.
		parts = []string{`SELECT '' AS ptype, '' AS pid, '' AS uname, '' AS email, '' AS roles, '' AS ptkind,
			'' AS atype, '' AS aid, '' AS aname, 0 AS owned, '' AS perm, 0 AS gk, 0 AS ak, 0 AS pk WHERE 0`}
		counts = []string{"0"}
	}
	l.query = strings.Join(parts, " UNION ALL ") + ` ORDER BY ` + order
	l.reversed = strings.Join(parts, " UNION ALL ") + ` ORDER BY ` + accessSorts.reversed(sort, dir)
	l.count = "SELECT " + strings.Join(counts, " + ")
	if len(listed) == 0 {
		return l, sort, dir
	}
	args := l.args
	l.deep = func() deepSQL {
		seeks := seekConds(accessSorts.keys[sort].terms, dir)
		var keys []string
		seekParts := make([][]string, len(seeks))  // each part's arms
		seekCounts := make([][]string, len(seeks)) // each part's arms, keys only
		for _, a := range listed {
			terms := armTerms(sort, a.sort, a.kind, a.drive)
			keyCols := make([]string, len(terms))
			for i, t := range accessSorts.keys[sort].terms {
				name, _, _ := strings.Cut(t, " ")
				keyCols[i] = strings.Fields(terms[i])[0] + " AS " + name
			}
			keys = append(keys, "SELECT "+strings.Join(keyCols, ", ")+" "+a.body)
			// The arm's WHERE is last in body: the seek's condition joins it.
			for i, c := range seekConds(terms, dir) {
				seekParts[i] = append(seekParts[i], "SELECT "+a.cols+" "+a.body+" AND "+c.cond)
				seekCounts[i] = append(seekCounts[i], "SELECT 1 "+a.body+" AND "+c.cond)
			}
		}
		d := deepSQL{
			keys:     strings.Join(keys, " UNION ALL ") + ` ORDER BY ` + order,
			keysArgs: args,
			seekArgs: func(part int, anchor []any) []any {
				var out []any
				for _, a := range listed {
					out = append(append(out, a.args...), seekParams(part, anchor)...)
				}
				return out
			},
		}
		for i, c := range seeks {
			d.seek = append(d.seek, seekPart{
				query: strings.Join(seekParts[i], " UNION ALL ") + ` ORDER BY ` + orderBy(c.order, dir, ""),
				count: "SELECT count(*) FROM (" + strings.Join(seekCounts[i], " UNION ALL ") + " LIMIT ?)",
			})
		}
		return d
	}
	return l, sort, dir
}

func scanAccessRow(r *sql.Rows) (AccessRow, error) {
	var a AccessRow
	var roles string
	var keys [3]int64 // the snapshot keys the order breaks ties on
	err := r.Scan(&a.PrincipalType, &a.PrincipalID, &a.Username, &a.Email, &roles, &a.PartnerType,
		&a.AssetType, &a.AssetID, &a.AssetName, &a.AssetOwned, &a.Permission, &keys[0], &keys[1], &keys[2])
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
	sort, dir, _ := accessSorts.resolve(q.Sort, q.Dir)
	page := AccessPage{Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}
	switch {
	case q.byPrincipal():
		return s.listAccessByPrincipal(ctx, run, q, page)
	case q.byPermission():
		return s.listAccessByPermission(ctx, run, q, page)
	case q.byPermissionSort():
		return s.listAccessByPermissionSort(ctx, run, q, page)
	}
	if hasText(q.Q) && q.PrincipalID == "" && q.AssetID == "" {
		if q.searchAssets, err = s.assetsMatching(ctx, integrationID, run, q.Q); err != nil {
			return AccessPage{}, err
		}
		if q.searchAssets == "[]" && q.byPrincipalSearch() {
			p, ok, err := s.listAccessByPrincipalSearch(ctx, run, q, page)
			if err != nil || ok {
				return p, err
			}
		}
		if q, err = s.withoutEmptyKind(ctx, run, q); err != nil {
			return AccessPage{}, err
		}
	}
	offset, limit := (q.Page-1)*q.PerPage, q.PerPage
	for _, part := range q.parts() {
		l, _, _ := part.sql(run)
		n, err := s.accessTotal(ctx, run, part, l)
		if err != nil {
			return AccessPage{}, err
		}
		page.Total += n
		if offset >= n {
			offset -= n
			continue
		}
		if limit > 0 {
			want := min(limit, n-offset)
			window, ok, err := s.memberWindow(ctx, run, part, offset, offset+want)
			if err != nil {
				return AccessPage{}, err
			}
			if ok {
				// The window's rows are the list's first ones, not all of
				// them: read from the start, never from an anchor or the end.
				part.searchMembers = window
				l, _, _ = part.sql(run)
				l.reversed, l.deep = "", nil
			}
			rows, err := pageRows(ctx, s, "list access", l, offset, want, n, scanAccessRow)
			if err != nil {
				return AccessPage{}, err
			}
			page.Rows = append(page.Rows, rows...)
			limit -= len(rows)
			offset = 0
		}
	}
	return page, nil
}

// withoutEmptyKind narrows a search to members or to partners when the
// other kind holds no match: walking every partner's name in order to find
// none (10,000 on xl, 7 ms on every page) is what a search that no
// partner's name holds would otherwise cost. Each kind's total is counted
// once per snapshot and search.
func (s *Store) withoutEmptyKind(ctx context.Context, run int64, q AccessQuery) (AccessQuery, error) {
	kinds := q.arms()
	if len(kinds) != 2 {
		return q, nil
	}
	for i, kind := range kinds {
		one := q
		one.PrincipalType = kind
		l, _, _ := one.sql(run)
		n, err := s.accessTotal(ctx, run, one, l)
		if err != nil {
			return q, err
		}
		if n == 0 {
			q.PrincipalType = kinds[1-i]
			return q, nil
		}
	}
	return q, nil
}

// parts splits the query into queries whose rows, one after the other, are
// its rows. Sorted by principal type, the members and the partners are two
// lists one after the other (each by principal), which SQLite reads from
// their name indexes; ordering the two together by the type would sort
// every grant. Any other query is its own one part.
func (q AccessQuery) parts() []AccessQuery {
	sort, dir, _ := accessSorts.resolve(q.Sort, q.Dir)
	if sort != "principal_type" {
		return []AccessQuery{q}
	}
	kinds := q.arms()
	if dir == SortDesc {
		slices.Reverse(kinds)
	}
	parts := []AccessQuery{}
	for _, k := range kinds {
		p := q
		p.PrincipalType, p.Sort, p.Dir = k, "principal", dir
		parts = append(parts, p)
	}
	return parts
}

// accessTotal is how many grants match q, whose list query is l: known
// from the run's record when q has no filter, summed from the snapshot's
// facets when it filters only on what they record, else counted once per
// snapshot.
func (s *Store) accessTotal(ctx context.Context, run int64, q AccessQuery, l listSQL) (int, error) {
	known := countCached
	switch {
	case !q.filtered():
		known = s.snapshotCount(ctx, run, "grants")
	case q.countsByFacets():
		facets, err := s.grantFacets(ctx, run)
		if err != nil {
			return 0, err
		}
		known = q.facetCount(facets)
	}
	return listTotal(ctx, s, "list access", l, known)
}

// EachAccess streams every grant matching q in the list's order: one call
// per principal × asset × permission.
func (s *Store) EachAccess(ctx context.Context, integrationID int64, q AccessQuery, fn func(AccessRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	for _, part := range q.parts() {
		if err := s.eachAccess(ctx, run, part, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) eachAccess(ctx context.Context, run int64, q AccessQuery, fn func(AccessRow) error) error {
	if order, desc, ok := q.byPrincipalOrder(); ok {
		return s.eachAccessByPrincipal(ctx, run, q, order, desc, fn)
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "access", l, scanAccessRow, fn)
}
