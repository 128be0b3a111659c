package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pinaccess/internal/sandbox"
)

// generalAccess collects q's rows through the access list's own query.
func generalAccess(t *testing.T, s *Store, runID int64, q AccessQuery) []AccessRow {
	t.Helper()
	l, _, _ := q.sql(runID)
	var rows []AccessRow
	if err := eachRow(context.Background(), s.r, "access", l, scanAccessRow, func(r AccessRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("general path, %+v: %v", q, err)
	}
	return rows
}

// byPrincipalAccess collects q's rows exported by principal, failing when
// q is not a shape that path serves.
func byPrincipalAccess(t *testing.T, s *Store, runID int64, q AccessQuery) []AccessRow {
	t.Helper()
	order, desc, ok := q.byPrincipalOrder()
	if !ok {
		t.Fatalf("%+v is not exported by principal", q)
	}
	var rows []AccessRow
	if err := s.eachAccessByPrincipal(context.Background(), runID, q, order, desc, func(r AccessRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("by principal, %+v: %v", q, err)
	}
	return rows
}

// sameAccessRows fails at the first row where the two paths differ.
func sameAccessRows(t *testing.T, q AccessQuery, got, want []AccessRow) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%+v: row %d by principal\n%+v\nthe list's query\n%+v", q, i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%+v: %d rows by principal, the list's query has %d", q, len(got), len(want))
	}
}

// sortsAndDirs are the sorts the export by principal serves, each way (the
// four orders first), then the same orders asked for otherwise: the
// defaults, and an unknown sort and direction, which mean the default.
var sortsAndDirs = []ListQuery{
	{}, {Sort: "principal_type", Dir: SortDesc}, {Sort: "principal", Dir: SortDesc}, {Sort: "principal_type"},
	{Sort: "principal", Dir: SortAsc}, {Dir: SortDesc}, {Sort: "bogus", Dir: "sideways"},
}

// importAccessDataset writes a sandbox dataset's principals, assets and
// grants as the current snapshot of a new integration (what the access
// list reads), as a sync would, and returns the run.
func importAccessDataset(t *testing.T, s *Store, d *sandbox.Dataset) Run {
	t.Helper()
	var b business
	for _, u := range d.Users {
		if u.IsMember() {
			b.members = append(b.members, Member{ID: u.ID, Username: u.Username, Email: u.Email, BusinessRoles: u.BusinessRoles})
		}
	}
	for _, p := range d.Partners {
		b.partners = append(b.partners, Partner{ID: p.ID, Username: p.Username, Email: p.Email, PartnerType: p.PartnerType})
	}
	for _, a := range d.Assets {
		b.assets = append(b.assets, Asset{ID: a.ID, Type: a.Type, Name: a.Name, OwnerID: a.OwnerID, Owned: a.OwnerID == d.Business.ID})
	}
	for _, g := range d.Grants {
		sg := Grant{GranteeType: GranteeMember, GranteeID: g.MemberID, AssetID: g.AssetID, Permissions: g.Permissions}
		if g.PartnerID != "" {
			sg.GranteeType, sg.GranteeID = GranteePartner, g.PartnerID
		}
		b.grants = append(b.grants, sg)
	}
	return syncBusiness(t, s, newIntegration(t, s, 0, 3), b)
}

// accessFilters are the filters the export by principal accepts, alone and
// combined; user and asset are a principal's and an asset's name to
// search for.
func accessFilters(user, asset string) []AccessQuery {
	return []AccessQuery{
		{PrincipalType: GranteeMember}, {PrincipalType: GranteePartner}, {PrincipalType: "robot"},
		{Permission: "ADMIN"}, {Permission: "ANALYST"}, {Permission: "NO_SUCH"},
		{AssetType: "AD_ACCOUNT"}, {AssetType: "CATALOG"}, {AssetType: "ASSET_GROUP"},
		{Owner: OwnerOurs}, {Owner: OwnerTheirs}, {Owner: "anyone"},
		{Role: "BIZ_ADMIN"}, {Role: "EMPLOYEE"}, {PartnerType: "INTERNAL"}, {PartnerType: "EXTERNAL"},
		{ListQuery: ListQuery{Q: user}}, {ListQuery: ListQuery{Q: asset}}, {ListQuery: ListQuery{Q: "%"}},
		{ListQuery: ListQuery{Q: "_"}}, {ListQuery: ListQuery{Q: "  "}}, {ListQuery: ListQuery{Q: "no such thing"}},
		{PrincipalType: GranteePartner, PartnerType: "EXTERNAL", Owner: OwnerTheirs},
		{Role: "EMPLOYEE", Permission: "ANALYST", AssetType: "AD_ACCOUNT", ListQuery: ListQuery{Q: "a"}},
		{Role: "BIZ_ADMIN", PrincipalType: GranteePartner},
		{Owner: OwnerOurs, Permission: "ADMIN", ListQuery: ListQuery{Q: asset}},
	}
}

// importSandbox imports a sandbox dataset and returns the store, the run,
// how many grant permissions it has, and a member's username and an asset
// name's last word to search for.
func importSandbox(t *testing.T, size string) (s *Store, run Run, grants int, user, asset string) {
	d, err := sandbox.Generate(size, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range d.Grants {
		grants += len(g.Permissions)
	}
	s = openTemp(t)
	run = importAccessDataset(t, s, d)
	for _, u := range d.Users {
		if u.IsMember() && len(u.Username) > 6 {
			user = strings.ToUpper(u.Username[1:5])
			break
		}
	}
	asset = d.Assets[len(d.Assets)/2].Name
	asset = asset[strings.LastIndexByte(asset, ' ')+1:]
	return s, run, grants, user, asset
}

func TestAccessExportByPrincipalEqualsTheListQueryOnTheLargeDataset(t *testing.T) {
	s, run, grants, user, asset := importSandbox(t, "large")
	// The list's query is the slow side under the race detector, so it
	// runs ascending only: descending, every term of the order turns and
	// the last ones are the grant's key, so the order is the ascending one
	// reversed.
	for _, sort := range []string{"principal", "principal_type"} {
		q := AccessQuery{ListQuery: ListQuery{Sort: sort, Dir: SortAsc}}
		want := generalAccess(t, s, run.ID, q)
		if len(want) != grants {
			t.Fatalf("%+v: %d rows, the dataset has %d grant permissions", q, len(want), grants)
		}
		sameAccessRows(t, q, byPrincipalAccess(t, s, run.ID, q), want)
		q.Dir = SortDesc
		slices.Reverse(want)
		sameAccessRows(t, q, byPrincipalAccess(t, s, run.ID, q), want)
	}
	for _, q := range []AccessQuery{
		{PrincipalType: GranteePartner, PartnerType: "EXTERNAL", Owner: OwnerTheirs, ListQuery: ListQuery{Sort: "principal_type", Dir: SortDesc}},
		{Role: "EMPLOYEE", Permission: "ANALYST", AssetType: "AD_ACCOUNT", ListQuery: ListQuery{Q: user[:2] + " ", Dir: SortDesc}},
		{Owner: OwnerOurs, Permission: "ADMIN", ListQuery: ListQuery{Q: asset}},
	} {
		want := generalAccess(t, s, run.ID, q)
		if len(want) == 0 || len(want) == grants {
			t.Fatalf("%+v selects %d of %d rows: the comparison proves little", q, len(want), grants)
		}
		sameAccessRows(t, q, byPrincipalAccess(t, s, run.ID, q), want)
	}
}

func TestAccessExportByPrincipalEqualsTheListQueryUnderEverySortAndFilter(t *testing.T) {
	s, run, grants, user, asset := importSandbox(t, "medium")
	for _, lq := range sortsAndDirs {
		q := AccessQuery{ListQuery: lq}
		got := byPrincipalAccess(t, s, run.ID, q)
		if len(got) != grants {
			t.Fatalf("%+v: %d rows, the dataset has %d grant permissions", q, len(got), grants)
		}
		sameAccessRows(t, q, got, generalAccess(t, s, run.ID, q))
	}
	filters := accessFilters(user, asset)
	some := 0
	for _, f := range filters {
		for _, lq := range sortsAndDirs[:4] {
			q := f
			q.Sort, q.Dir = lq.Sort, lq.Dir
			want := generalAccess(t, s, run.ID, q)
			sameAccessRows(t, q, byPrincipalAccess(t, s, run.ID, q), want)
			if lq == sortsAndDirs[0] && len(want) > 0 && len(want) < grants {
				some++
			}
		}
	}
	if some < len(filters)*2/3 {
		t.Fatalf("only %d of %d filters select some but not all rows: the comparison proves little", some, len(filters))
	}
}

// hostileBusiness has principals whose usernames are equal but for ASCII
// case (between members, between partners and across both), usernames only
// Unicode case tells apart (SQLite's NOCASE does not fold them), usernames
// around the letters in ASCII ("Z" < "_" < "a", but NOCASE puts "_" before
// "z"), empty usernames, and values CSV and LIKE treat specially.
func hostileBusiness() business {
	names := []string{"alice", "Alice", "ALICE", "aLiCe", "Zed", "zed", "_under", "[bracket", "`tick", "~tilde",
		"", "", "Ärger", "ärger", "émile", "Émile", "ß", "SS", "ss", "a%b", "a_b", `a\b`, "=cmd|' /C calc'!A0",
		"-minus", "@at", "comma, inc", `quote "q"`, "line\nbreak", "日本", "alice "}
	var b business
	for i, n := range names {
		id := fmt.Sprint(1000 + i)
		if i%3 == 2 {
			types := []string{"INTERNAL", "EXTERNAL"}
			b.partners = append(b.partners, Partner{ID: id, Username: n, Email: strings.ToLower(n) + "@partner.example", PartnerType: types[i%2]})
			continue
		}
		roles := [][]string{{"EMPLOYEE"}, {"BIZ_ADMIN"}, {"BIZ_ADMIN", "EMPLOYEE"}, nil}[i%4]
		b.members = append(b.members, Member{ID: id, Username: n, Email: "+" + n + "@example.com", BusinessRoles: roles})
	}
	assets := []string{"Main, Inc", "main", "MAIN", `"quoted"`, "=SUM(A1)", "Shop ALICE", "Ärger GmbH", "", "zed catalog"}
	types := []string{"AD_ACCOUNT", "PROFILE", "CATALOG", "ASSET_GROUP"}
	for i, n := range assets {
		b.assets = append(b.assets, Asset{ID: fmt.Sprint(3000 + i), Type: types[i%len(types)], Name: n, Owned: i%2 == 0})
	}
	perms := []string{"ADMIN", "ANALYST", "CAMPAIGN_MANAGER", "BRAND_NEW_PERMISSION"}
	add := func(kind, id string, i int) {
		for j, a := range b.assets {
			if (i+j)%3 == 0 {
				continue
			}
			ps := perms[(i+j)%len(perms):]
			if (i*j)%2 == 1 {
				ps = ps[:1]
			}
			b.grants = append(b.grants, Grant{GranteeType: kind, GranteeID: id, AssetID: a.ID, Permissions: ps})
		}
		// A grant on an asset the snapshot does not list is no row.
		b.grants = append(b.grants, Grant{GranteeType: kind, GranteeID: id, AssetID: "9999", Permissions: []string{"ADMIN"}})
	}
	for i, m := range b.members {
		if i != 3 { // one member holds nothing
			add(GranteeMember, m.ID, i)
		}
	}
	for i, p := range b.partners {
		add(GranteePartner, p.ID, i+7)
	}
	// Grants to a principal the snapshot does not list are no rows either.
	b.grants = append(b.grants, Grant{GranteeType: GranteeMember, GranteeID: "8888", AssetID: "3000", Permissions: []string{"ADMIN"}})
	return b
}

func TestAccessExportByPrincipalEqualsTheListQueryForHostileNames(t *testing.T) {
	s := openTemp(t)
	run := syncBusiness(t, s, newIntegration(t, s, 0, 3), hostileBusiness())

	filters := []AccessQuery{{}, {PrincipalType: GranteeMember}, {PrincipalType: GranteePartner}, {Permission: "ANALYST"},
		{Permission: "BRAND_NEW_PERMISSION"}, {AssetType: "CATALOG"}, {Owner: OwnerOurs}, {Owner: OwnerTheirs},
		{Role: "BIZ_ADMIN"}, {PartnerType: "EXTERNAL"}, {Role: "EMPLOYEE", Owner: OwnerTheirs, Permission: "ADMIN"}}
	for _, search := range []string{"alice", "ALI", "Ärger", "ärger", "main", "%", "_", `\`, "a_b", `a\b`, "=", "\n", "zzz"} {
		filters = append(filters, AccessQuery{ListQuery: ListQuery{Q: search}},
			AccessQuery{ListQuery: ListQuery{Q: search}, PrincipalType: GranteePartner, AssetType: "PROFILE"})
	}
	all := 0
	for _, f := range filters {
		for _, lq := range sortsAndDirs {
			q := f
			q.Sort, q.Dir = lq.Sort, lq.Dir
			want := generalAccess(t, s, run.ID, q)
			sameAccessRows(t, q, byPrincipalAccess(t, s, run.ID, q), want)
			all = max(all, len(want))
		}
	}
	if all < 100 {
		t.Fatalf("the hostile dataset has %d rows: too few to compare", all)
	}

	// The ties on the name are real: principals NOCASE finds equal, with
	// both members and partners among them.
	rows := byPrincipalAccess(t, s, run.ID, AccessQuery{})
	kinds := map[string]bool{}
	for _, r := range rows {
		if strings.EqualFold(r.Username, "alice") {
			kinds[r.PrincipalType+"/"+r.PrincipalID] = true
		}
	}
	if len(kinds) < 4 {
		t.Fatalf("%d principals named alice in some case hold grants, want at least 4: %v", len(kinds), kinds)
	}
}

func TestAccessExportDispatchesByShape(t *testing.T) {
	cases := []struct {
		q    AccessQuery
		want bool
	}{
		{AccessQuery{}, true},
		{AccessQuery{ListQuery: ListQuery{Sort: "principal_type", Dir: SortDesc, Q: "x"}, Permission: "ADMIN", Owner: OwnerOurs}, true},
		{AccessQuery{ListQuery: ListQuery{Sort: "asset"}}, false},
		{AccessQuery{ListQuery: ListQuery{Sort: "asset_type"}}, false},
		{AccessQuery{ListQuery: ListQuery{Sort: "permission"}}, false},
		{AccessQuery{PrincipalID: "1"}, false},
		{AccessQuery{AssetID: "1"}, false},
	}
	for _, c := range cases {
		if _, _, ok := c.q.byPrincipalOrder(); ok != c.want {
			t.Errorf("%+v exported by principal: %v, want %v", c.q, ok, c.want)
		}
	}
}

func TestAccessExportStopsWhenCancelledOrWhenTheCallerFails(t *testing.T) {
	s := openTemp(t)
	b := sampleBusiness(3000) // 4,501 grant permissions
	integ := newIntegration(t, s, 0, 3)
	syncBusiness(t, s, integ, b)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := s.EachAccess(ctx, integ, AccessQuery{}, func(AccessRow) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("EachAccess after cancel = %v, want context.Canceled", err)
	}
	if n > 10+1024 {
		t.Fatalf("%d rows after the cancel", n-10)
	}

	stop := errors.New("disk full")
	n = 0
	err = s.EachAccess(context.Background(), integ, AccessQuery{}, func(AccessRow) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("EachAccess after the callback failed = %v with %d rows, want %v after 3", err, n, stop)
	}
}

func TestPrincipalGrantsParseInOrderAndRefuseGarbage(t *testing.T) {
	cases := []struct {
		in   string
		desc bool
		want []heldGrant
	}{
		{"1,4", false, []heldGrant{{1, 4}}},
		{"7,2;3,9;3,1;12,1", false, []heldGrant{{3, 1}, {3, 9}, {7, 2}, {12, 1}}},
		{"7,2;3,9;3,1;12,1", true, []heldGrant{{12, 1}, {7, 2}, {3, 9}, {3, 1}}},
	}
	for _, c := range cases {
		got, err := principalGrants(nil, []byte(c.in), c.desc)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("principalGrants(%q, desc %v) = %v, %v, want %v", c.in, c.desc, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "1", "1,", ",1", "1,2;", "1;2", "1,2,3", "a,b", "1,2;;3,4", "1,2 ", "99999999999999999999,1"} {
		if got, err := principalGrants(nil, []byte(bad), false); err == nil {
			t.Errorf("principalGrants(%q) = %v, want an error", bad, got)
		}
	}
}
