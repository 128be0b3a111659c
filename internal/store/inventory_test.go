package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// largeInventory is the large sandbox dataset imported once for the query
// tests, which only read it.
var largeInventory = struct {
	once sync.Once
	st   *store.Store
	id   int64
	d    *sandbox.Dataset
	err  error
	dir  string
}{}

func imported(t *testing.T) (*store.Store, int64, *sandbox.Dataset) {
	t.Helper()
	li := &largeInventory
	li.once.Do(func() {
		li.d, li.err = sandbox.Generate("large", 3)
		if li.err != nil {
			return
		}
		dir, err := mkTemp()
		if err != nil {
			li.err = err
			return
		}
		li.dir = dir
		ctx := context.Background()
		li.st, li.err = store.Open(ctx, filepath.Join(dir, "pinaccess.db"))
		if li.err != nil {
			return
		}
		li.id, _, li.err = inventorytest.Import(ctx, li.st, li.d, inventorytest.Integration{})
	})
	if li.err != nil {
		t.Fatal(li.err)
	}
	return li.st, li.id, li.d
}

// nocase folds ASCII letters the way SQLite's NOCASE collation does.
func nocase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func contains(q string, fields ...string) bool {
	return strings.Contains(strings.ToLower(strings.Join(fields, " ")), strings.ToLower(q))
}

// all streams every row of a list through each.
func all[T any](t *testing.T, each func(context.Context, func(T) error) error) []T {
	t.Helper()
	var out []T
	if err := each(context.Background(), func(v T) error { out = append(out, v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedIDs(ids []string) []string {
	c := slices.Clone(ids)
	slices.Sort(c)
	return c
}

// checkSet fails unless got and want hold the same IDs.
func checkSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := sortedIDs(got), sortedIDs(want)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got %d rows, want %d (first got %v, first want %v)", what, len(g), len(w), head(g), head(w))
	}
}

func head(s []string) []string { return s[:min(5, len(s))] }

func members(d *sandbox.Dataset) []sandbox.User {
	var out []sandbox.User
	for _, u := range d.Users {
		if u.IsMember() {
			out = append(out, u)
		}
	}
	return out
}

func TestListMembersMatchesTheDataset(t *testing.T) {
	st, id, d := imported(t)
	ms := members(d)
	for _, tc := range []struct {
		name string
		q    store.MemberQuery
		keep func(sandbox.User) bool
	}{
		{"all", store.MemberQuery{}, func(sandbox.User) bool { return true }},
		{"business admins", store.MemberQuery{Role: "BIZ_ADMIN"}, func(u sandbox.User) bool { return u.HasRole("BIZ_ADMIN") }},
		{"employees", store.MemberQuery{Role: "EMPLOYEE"}, func(u sandbox.User) bool { return u.HasRole("EMPLOYEE") }},
		{"system users", store.MemberQuery{SystemUser: "yes"}, func(u sandbox.User) bool { return u.IsSystemUser }},
		{"people", store.MemberQuery{SystemUser: "no"}, func(u sandbox.User) bool { return !u.IsSystemUser }},
		{"search", store.MemberQuery{ListQuery: store.ListQuery{Q: "Maria"}}, func(u sandbox.User) bool { return contains("maria", u.ID, u.Username, u.Email) }},
		{"search and role", store.MemberQuery{ListQuery: store.ListQuery{Q: "garcia"}, Role: "EMPLOYEE"},
			func(u sandbox.User) bool {
				return u.HasRole("EMPLOYEE") && contains("garcia", u.ID, u.Username, u.Email)
			}},
		{"wildcards match themselves", store.MemberQuery{ListQuery: store.ListQuery{Q: "%"}}, func(u sandbox.User) bool { return contains("%", u.ID, u.Username, u.Email) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			byID := map[string]sandbox.User{}
			for _, u := range ms {
				if tc.keep(u) {
					want = append(want, u.ID)
					byID[u.ID] = u
				}
			}
			if len(want) == 0 && tc.name != "wildcards match themselves" {
				t.Fatal("the filter matches nothing in the dataset, so it tests nothing")
			}
			rows := all(t, func(ctx context.Context, fn func(store.MemberRow) error) error {
				return st.EachMember(ctx, id, tc.q, fn)
			})
			var got []string
			for i, r := range rows {
				got = append(got, r.ID)
				u := byID[r.ID]
				if r.Username != u.Username || r.Email != u.Email || !slices.Equal(r.BusinessRoles, sortedIDs(u.BusinessRoles)) || r.IsSystemUser != u.IsSystemUser {
					t.Fatalf("row %+v differs from the dataset's %+v", r, u)
				}
				if i > 0 && nocase(rows[i-1].Username) > nocase(r.Username) {
					t.Fatalf("not sorted by username: %q before %q", rows[i-1].Username, r.Username)
				}
			}
			checkSet(t, "members", got, want)
			p, err := st.ListMembers(context.Background(), id, store.MemberQuery{ListQuery: store.ListQuery{Q: tc.q.Q, Page: 2, PerPage: 25},
				Role: tc.q.Role, SystemUser: tc.q.SystemUser})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != len(want) {
				t.Errorf("total %d, want %d", p.Total, len(want))
			}
			if wantPage := rows[min(25, len(rows)):min(50, len(rows))]; len(p.Rows) != len(wantPage) || (len(wantPage) > 0 && p.Rows[0].ID != wantPage[0].ID) {
				t.Errorf("page 2 has %d rows, want the stream's rows 26–50 (%d)", len(p.Rows), len(wantPage))
			}
		})
	}
}

func TestListMembersSortsEitherWay(t *testing.T) {
	st, id, _ := imported(t)
	for _, s := range []string{"username", "email", "created", "role", "id", "no-such-key; DROP TABLE snap_members"} {
		for _, dir := range []string{"asc", "desc"} {
			p, err := st.ListMembers(context.Background(), id, store.MemberQuery{ListQuery: store.ListQuery{Sort: s, Dir: dir, PerPage: 200}})
			if err != nil {
				t.Fatalf("sort %s %s: %v", s, dir, err)
			}
			for i := 1; i < len(p.Rows); i++ {
				a, b := p.Rows[i-1], p.Rows[i]
				var cmp int
				switch p.Sort {
				case "username":
					cmp = strings.Compare(nocase(a.Username), nocase(b.Username))
				case "email":
					cmp = strings.Compare(nocase(a.Email), nocase(b.Email))
				case "created":
					cmp = a.CreatedTime.Compare(b.CreatedTime)
				case "role":
					cmp = strings.Compare(strings.Join(a.BusinessRoles, ","), strings.Join(b.BusinessRoles, ","))
				case "id":
					cmp = len(a.ID) - len(b.ID)
					if cmp == 0 {
						cmp = strings.Compare(a.ID, b.ID)
					}
				}
				if (p.Dir == "asc" && cmp > 0) || (p.Dir == "desc" && cmp < 0) {
					t.Fatalf("sort %s %s: %+v before %+v", p.Sort, p.Dir, a, b)
				}
			}
			if s == "no-such-key; DROP TABLE snap_members" && p.Sort != "username" {
				t.Errorf("an unknown sort key gave sort %q, want the default", p.Sort)
			}
		}
	}
}

func TestListPartnersAndAssetsMatchTheDataset(t *testing.T) {
	st, id, d := imported(t)
	for _, typ := range []string{"", "INTERNAL", "EXTERNAL"} {
		var want []string
		for _, p := range d.Partners {
			if typ == "" || p.PartnerType == typ {
				want = append(want, p.ID)
			}
		}
		rows := all(t, func(ctx context.Context, fn func(store.PartnerRow) error) error {
			return st.EachPartner(ctx, id, store.PartnerQuery{Type: typ}, fn)
		})
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
		}
		checkSet(t, "partners "+typ, got, want)
	}

	// Who holds ADMIN on what, from the dataset.
	admins := map[string][]string{} // asset -> grantees with ADMIN
	for _, g := range d.Grants {
		if slices.Contains(g.Permissions, "ADMIN") {
			admins[g.AssetID] = append(admins[g.AssetID], g.MemberID+g.PartnerID)
		}
	}
	service := d.User(sandbox.AdminUsername).ID
	for _, tc := range []struct {
		name string
		q    store.AssetQuery
		keep func(sandbox.Asset) bool
	}{
		{"all", store.AssetQuery{}, func(sandbox.Asset) bool { return true }},
		{"ad accounts", store.AssetQuery{Type: "AD_ACCOUNT"}, func(a sandbox.Asset) bool { return a.Type == "AD_ACCOUNT" }},
		{"ours", store.AssetQuery{Owner: store.OwnerOurs}, func(a sandbox.Asset) bool { return a.OwnerID == d.Business.ID }},
		{"partners' profiles", store.AssetQuery{Owner: store.OwnerTheirs, Type: "PROFILE"}, func(a sandbox.Asset) bool {
			return a.OwnerID != d.Business.ID && a.Type == "PROFILE"
		}},
		{"search", store.AssetQuery{ListQuery: store.ListQuery{Q: "retarget"}}, func(a sandbox.Asset) bool { return contains("retarget", a.ID, a.Name) }},
		{"only the service account can manage", store.AssetQuery{Admin: store.AdminServiceOnly}, func(a sandbox.Asset) bool {
			if a.OwnerID != d.Business.ID {
				return false
			}
			for _, who := range admins[a.ID] {
				if who != service {
					return false
				}
			}
			return true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, a := range d.Assets {
				if tc.keep(a) {
					want = append(want, a.ID)
				}
			}
			if len(want) == 0 {
				t.Fatal("the filter matches nothing in the dataset, so it tests nothing")
			}
			rows := all(t, func(ctx context.Context, fn func(store.AssetRow) error) error { return st.EachAsset(ctx, id, tc.q, fn) })
			var got []string
			for _, r := range rows {
				got = append(got, r.ID)
			}
			checkSet(t, "assets", got, want)
			p, err := st.ListAssets(context.Background(), id, tc.q)
			if err != nil || p.Total != len(want) {
				t.Errorf("ListAssets total %d, err %v; want %d", p.Total, err, len(want))
			}
		})
	}
}

// grantKey names one grant row: principal, asset, permission.
func grantKey(who, asset, perm string) string { return who + "|" + asset + "|" + perm }

// grantRow is one grant permission of a dataset, with what the access
// list shows and filters on.
type grantRow struct {
	kind, who, name, email, partnerType string
	roles                               []string
	asset                               sandbox.Asset
	perm                                string
}

// grantRows lists every grant permission of the dataset.
func grantRows(d *sandbox.Dataset) []grantRow {
	users := map[string]sandbox.User{}
	for _, u := range d.Users {
		users[u.ID] = u
	}
	partners := map[string]sandbox.Partner{}
	for _, p := range d.Partners {
		partners[p.ID] = p
	}
	assets := map[string]sandbox.Asset{}
	for _, a := range d.Assets {
		assets[a.ID] = a
	}
	var rows []grantRow
	for _, g := range d.Grants {
		for _, p := range g.Permissions {
			r := grantRow{asset: assets[g.AssetID], perm: p}
			if g.MemberID != "" {
				u := users[g.MemberID]
				r.kind, r.who, r.name, r.email, r.roles = "member", u.ID, u.Username, u.Email, u.BusinessRoles
			} else {
				x := partners[g.PartnerID]
				r.kind, r.who, r.name, r.email, r.partnerType = "partner", x.ID, x.Username, x.Email, x.PartnerType
			}
			rows = append(rows, r)
		}
	}
	return rows
}

func TestListAccessMatchesTheDataset(t *testing.T) {
	st, id, d := imported(t)
	rows := grantRows(d)
	someMember := d.Grants[len(d.Grants)/2].MemberID
	for _, tc := range []struct {
		name string
		q    store.AccessQuery
		keep func(grantRow) bool
	}{
		{"every grant", store.AccessQuery{}, func(grantRow) bool { return true }},
		{"partners with admin on ours", store.AccessQuery{PrincipalType: "partner", Permission: "ADMIN", Owner: store.OwnerOurs},
			func(r grantRow) bool {
				return r.kind == "partner" && r.perm == "ADMIN" && r.asset.OwnerID == d.Business.ID
			}},
		{"external partners with finance", store.AccessQuery{PartnerType: "EXTERNAL", Permission: "FINANCE_MANAGER"},
			func(r grantRow) bool { return r.partnerType == "EXTERNAL" && r.perm == "FINANCE_MANAGER" }},
		{"employees on profiles", store.AccessQuery{Role: "EMPLOYEE", AssetType: "PROFILE"},
			func(r grantRow) bool { return slices.Contains(r.roles, "EMPLOYEE") && r.asset.Type == "PROFILE" }},
		{"search either side", store.AccessQuery{ListQuery: store.ListQuery{Q: "Kitchen"}}, func(r grantRow) bool {
			return contains("kitchen", r.who, r.name, r.email) || contains("kitchen", r.asset.ID, r.asset.Name)
		}},
		{"search people", store.AccessQuery{ListQuery: store.ListQuery{Q: "tanaka"}, PrincipalType: "member"}, func(r grantRow) bool {
			return r.kind == "member" && (contains("tanaka", r.who, r.name, r.email) || contains("tanaka", r.asset.ID, r.asset.Name))
		}},
		{"one member", store.AccessQuery{PrincipalID: someMember}, func(r grantRow) bool { return r.who == someMember }},
		{"contradiction", store.AccessQuery{PrincipalType: "partner", Role: "BIZ_ADMIN"}, func(grantRow) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, r := range rows {
				if tc.keep(r) {
					want = append(want, grantKey(r.who, r.asset.ID, r.perm))
				}
			}
			if len(want) == 0 && tc.name != "contradiction" {
				t.Fatal("the filter matches nothing in the dataset, so it tests nothing")
			}
			for _, sortKey := range []string{"principal", "asset", "permission", "principal_type"} {
				q := tc.q
				q.Sort = sortKey
				got := all(t, func(ctx context.Context, fn func(store.AccessRow) error) error { return st.EachAccess(ctx, id, q, fn) })
				var keys []string
				for i, g := range got {
					keys = append(keys, grantKey(g.PrincipalID, g.AssetID, g.Permission))
					if i == 0 {
						continue
					}
					prev := got[i-1]
					var a, b string
					switch sortKey {
					case "principal":
						a, b = nocase(prev.Username), nocase(g.Username)
					case "asset":
						a, b = nocase(prev.AssetName), nocase(g.AssetName)
					case "permission":
						a, b = prev.Permission, g.Permission
					case "principal_type":
						a, b = prev.PrincipalType+"\x00"+nocase(prev.Username), g.PrincipalType+"\x00"+nocase(g.Username)
					}
					if a > b {
						t.Fatalf("sort %s: %q before %q", sortKey, a, b)
					}
				}
				checkSet(t, "grants sorted by "+sortKey, keys, want)
			}
			p, err := st.ListAccess(context.Background(), id, tc.q)
			if err != nil || p.Total != len(want) {
				t.Errorf("ListAccess total %d, err %v; want %d", p.Total, err, len(want))
			}
		})
	}
}

func TestListPixelsInvitesAndRolesMatchTheDataset(t *testing.T) {
	st, id, d := imported(t)
	account := d.ConversionTags[0].AdAccountID
	for _, tc := range []struct {
		q    store.PixelQuery
		keep func(sandbox.ConversionTag) bool
	}{
		{store.PixelQuery{}, func(sandbox.ConversionTag) bool { return true }},
		{store.PixelQuery{Status: "PAUSED"}, func(x sandbox.ConversionTag) bool { return x.Status == "PAUSED" }},
		{store.PixelQuery{AdAccountID: account}, func(x sandbox.ConversionTag) bool { return x.AdAccountID == account }},
	} {
		var want, got []string
		for _, x := range d.ConversionTags {
			if tc.keep(x) {
				want = append(want, x.ID)
			}
		}
		for _, r := range all(t, func(ctx context.Context, fn func(store.PixelRow) error) error { return st.EachPixel(ctx, id, tc.q, fn) }) {
			got = append(got, r.ID)
		}
		checkSet(t, fmt.Sprintf("pixels %+v", tc.q), got, want)
	}

	cut := time.UnixMilli(d.Invites[len(d.Invites)/2].SentAt)
	var want, got []string
	for _, inv := range d.Invites {
		if inv.InviteStatus == "PENDING" && inv.SentAt > 0 && inv.SentAt < cut.UnixMilli() {
			want = append(want, inv.ID)
		}
	}
	rows := all(t, func(ctx context.Context, fn func(store.InviteRow) error) error {
		return st.EachInvite(ctx, id, store.InviteQuery{Status: "PENDING", SentBefore: cut}, fn)
	})
	for i, r := range rows {
		got = append(got, r.ID)
		if i > 0 && rows[i-1].SentAt.Before(r.SentAt) {
			t.Fatalf("invites not newest first")
		}
	}
	checkSet(t, "old pending invites", got, want)
	stale, err := st.StaleInvites(context.Background(), id, cut)
	if err != nil || stale != len(want) {
		t.Errorf("StaleInvites = %d, %v; want %d", stale, err, len(want))
	}
	// The list's total for a cut-off, of one status or of any, counts what
	// the dataset sent strictly before it (the cut is one invite's time).
	for _, status := range []string{"PENDING", ""} {
		n := 0
		for _, inv := range d.Invites {
			if (status == "" || inv.InviteStatus == status) && inv.SentAt > 0 && inv.SentAt < cut.UnixMilli() {
				n++
			}
		}
		p, err := st.ListInvites(context.Background(), id, store.InviteQuery{Status: status, SentBefore: cut})
		if err != nil || p.Total != n || n == 0 {
			t.Errorf("invites of status %q sent before the cut: total %d, %v; want %d (not 0)", status, p.Total, err, n)
		}
	}

	holders := map[string]map[string]bool{}
	grants := map[string]int{}
	for _, g := range d.Grants {
		for _, p := range g.Permissions {
			if holders[p] == nil {
				holders[p] = map[string]bool{}
			}
			holders[p][g.MemberID+g.PartnerID] = true
			grants[p]++
		}
	}
	bizAdmins := 0
	for _, u := range members(d) {
		if u.HasRole("BIZ_ADMIN") {
			bizAdmins++
		}
	}
	roles, err := st.ListRoles(context.Background(), id, store.RoleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range roles.Rows {
		switch {
		case r.Kind == "permission":
			seen++
			if r.Holders != len(holders[r.Name]) || r.Grants != grants[r.Name] {
				t.Errorf("%s: %d holders and %d grants, want %d and %d", r.Name, r.Holders, r.Grants, len(holders[r.Name]), grants[r.Name])
			}
		case r.Name == "BIZ_ADMIN" && r.Holders != bizAdmins:
			t.Errorf("BIZ_ADMIN held by %d, want %d", r.Holders, bizAdmins)
		case r.Name == "PARTNER" && r.Holders != len(d.Partners):
			t.Errorf("PARTNER held by %d, want %d", r.Holders, len(d.Partners))
		}
		if r.Description == "" {
			t.Errorf("%s has no description", r.Name)
		}
	}
	if seen == 0 {
		t.Error("no permissions listed")
	}
}

func TestDetailsMatchTheDataset(t *testing.T) {
	st, id, d := imported(t)
	ctx := context.Background()
	var g sandbox.Grant
	for _, x := range d.Grants[len(d.Grants)/3:] {
		if x.MemberID != "" {
			g = x
			break
		}
	}
	memberID := g.MemberID
	want := map[string][]string{}
	for _, x := range d.Grants {
		if x.MemberID == memberID {
			want[x.AssetID] = sortedIDs(x.Permissions)
		}
	}
	m, err := st.MemberDetail(ctx, id, memberID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Grants) != len(want) {
		t.Fatalf("member holds %d assets, want %d", len(m.Grants), len(want))
	}
	for i, ag := range m.Grants {
		if !slices.Equal(ag.Permissions, want[ag.AssetID]) {
			t.Errorf("asset %s: permissions %v, want %v", ag.AssetID, ag.Permissions, want[ag.AssetID])
		}
		if i > 0 && m.Grants[i-1].AssetType > ag.AssetType {
			t.Errorf("grants not grouped by asset type")
		}
	}

	a, err := st.AssetDetail(ctx, id, g.AssetID)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, x := range d.Grants {
		if x.AssetID == g.AssetID {
			who = append(who, x.MemberID+x.PartnerID)
		}
	}
	var gotWho []string
	for _, p := range a.Access {
		gotWho = append(gotWho, p.PrincipalID)
	}
	checkSet(t, "who can access the asset", gotWho, who)
	var tags []string
	for _, x := range d.ConversionTags {
		if x.AdAccountID == g.AssetID {
			tags = append(tags, x.ID)
		}
	}
	var gotTags []string
	for _, p := range a.Pixels {
		gotTags = append(gotTags, p.ID)
	}
	checkSet(t, "asset pixels", gotTags, tags)

	for _, grp := range d.Assets {
		if grp.Type != sandbox.AssetGroup || len(grp.Contents) == 0 {
			continue
		}
		ad, err := st.AssetDetail(ctx, id, grp.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range ad.Contents {
			got = append(got, c.ID)
		}
		checkSet(t, "group contents", got, grp.Contents)
		break
	}

	var ext sandbox.Partner
	for _, p := range d.Partners {
		if p.PartnerType == sandbox.PartnerExternal {
			ext = p
			break
		}
	}
	pd, err := st.PartnerDetail(ctx, id, ext.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ownedWant, ownedGot []string
	for _, a := range d.Assets {
		if a.OwnerID == ext.ID {
			ownedWant = append(ownedWant, a.ID)
		}
	}
	for _, a := range pd.OwnedAssets {
		ownedGot = append(ownedGot, a.ID)
	}
	checkSet(t, "external partner's assets", ownedGot, ownedWant)
	for _, ag := range pd.Grants {
		if ag.Owned {
			t.Errorf("an external partner's grant on our asset %s", ag.AssetID)
		}
	}

	for _, fn := range []func() error{
		func() error { _, err := st.MemberDetail(ctx, id, "1"); return err },
		func() error { _, err := st.PartnerDetail(ctx, id, "1"); return err },
		func() error { _, err := st.AssetDetail(ctx, id, "1"); return err },
		func() error { _, err := st.MemberDetail(ctx, id+100, memberID); return err },
	} {
		if err := fn(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown ID: err %v, want ErrNotFound", err)
		}
	}
}

func TestOverviewCountsTheDataset(t *testing.T) {
	st, id, d := imported(t)
	o, err := st.InventoryOverview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]int{}
	for _, a := range d.Assets {
		byType[a.Type]++
	}
	for _, c := range o.AssetsByType {
		if c.N != byType[c.Label] {
			t.Errorf("%s: %d assets, want %d", c.Label, c.N, byType[c.Label])
		}
	}
	perms := map[string]int{}
	partnersWithAdmin := map[string]bool{}
	for _, g := range d.Grants {
		for _, p := range g.Permissions {
			perms[p]++
			if p == "ADMIN" && g.PartnerID != "" {
				for _, a := range d.Assets {
					if a.ID == g.AssetID && a.OwnerID == d.Business.ID {
						partnersWithAdmin[g.PartnerID] = true
					}
				}
			}
		}
	}
	total := 0
	for _, c := range o.GrantsByPermission {
		total += c.N
		if c.N != perms[c.Label] {
			t.Errorf("%s: %d grants, want %d", c.Label, c.N, perms[c.Label])
		}
	}
	if int64(total) != o.Counts.Grants {
		t.Errorf("grants by permission sum to %d, the run counted %d", total, o.Counts.Grants)
	}
	if !sort.SliceIsSorted(o.GrantsByPermission, func(i, j int) bool { return o.GrantsByPermission[i].N > o.GrantsByPermission[j].N }) {
		t.Error("grants by permission not biggest first")
	}
	if o.Findings.PartnersWithAdmin != len(partnersWithAdmin) {
		t.Errorf("partners with admin: %d, want %d", o.Findings.PartnersWithAdmin, len(partnersWithAdmin))
	}
	svc, err := st.ListAssets(context.Background(), id, store.AssetQuery{Admin: store.AdminServiceOnly})
	if err != nil || o.Findings.ServiceOnlyAssets != svc.Total {
		t.Errorf("service-only finding %d, the list behind it has %d (%v)", o.Findings.ServiceOnlyAssets, svc.Total, err)
	}
}

func TestEachStopsWhenAskedTo(t *testing.T) {
	st, id, _ := imported(t)
	stop := errors.New("enough")
	n := 0
	err := st.EachAccess(context.Background(), id, store.AccessQuery{}, func(store.AccessRow) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("after fn's error: err %v after %d rows", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = st.EachAccess(ctx, id, store.AccessQuery{}, func(store.AccessRow) error {
		n++
		if n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 5000 {
		t.Errorf("after cancel: err %v after %d rows", err, n)
	}
}

func mkTemp() (string, error) { return os.MkdirTemp("", "pinaccess-inventory-") }

// TestMain removes the shared imported dataset after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if li := &largeInventory; li.st != nil {
		li.st.Close()
		os.RemoveAll(li.dir)
	}
	os.Exit(code)
}

func TestListChangesOverRunRanges(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := sandbox.Generate("small", 5)
	if err != nil {
		t.Fatal(err)
	}
	id, first, err := inventorytest.Import(ctx, st, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	gone := members(d)[5]
	d.RemoveUser(gone.ID)
	second, err := inventorytest.Sync(ctx, st, id, d)
	if err != nil {
		t.Fatal(err)
	}
	asset := d.Assets[3]
	d.RemoveAsset(asset.ID)
	third, err := inventorytest.Sync(ctx, st, id, d)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(q store.ChangeQuery) map[string][]string {
		out := map[string][]string{}
		for _, c := range all(t, func(ctx context.Context, fn func(store.ChangeRow) error) error { return st.EachChange(ctx, id, q, fn) }) {
			out[c.Kind] = append(out[c.Kind], c.SubjectID)
			if c.RunFinishedAt.IsZero() {
				t.Errorf("change %d has no run time", c.ID)
			}
		}
		return out
	}
	only2 := kinds(store.ChangeQuery{FromRun: second.ID, ToRun: second.ID})
	if !slices.Equal(only2[store.ChangeMemberRemoved], []string{gone.ID}) || len(only2[store.ChangeAssetRemoved]) != 0 {
		t.Errorf("changes of the second sync: %v", only2)
	}
	both := kinds(store.ChangeQuery{FromRun: second.ID, ToRun: third.ID})
	if !slices.Equal(both[store.ChangeMemberRemoved], []string{gone.ID}) || !slices.Equal(both[store.ChangeAssetRemoved], []string{asset.ID}) {
		t.Errorf("changes of syncs 2–3: %v", both)
	}
	if first := kinds(store.ChangeQuery{ToRun: first.ID}); len(first) != 0 {
		t.Errorf("the first import recorded changes: %v", first)
	}
	about := kinds(store.ChangeQuery{Involving: asset.ID})
	if !slices.Contains(about[store.ChangeAssetRemoved], asset.ID) {
		t.Errorf("the asset's history lacks its removal: %v", about)
	}
	runs, err := st.ListRuns(ctx, id, store.RunQuery{})
	if err != nil || runs.Total != 3 || runs.Rows[0].ID != third.ID {
		t.Errorf("runs: total %d, first %+v, err %v", runs.Total, runs.Rows, err)
	}
	now, err := st.ListMembers(ctx, id, store.MemberQuery{ListQuery: store.ListQuery{Q: gone.ID}})
	if err != nil || now.Total != 0 {
		t.Errorf("the removed member is still listed: %+v %v", now.Rows, err)
	}
}

// Counts and the overview are kept per snapshot run. Deleting an integration
// frees its run IDs for new runs; what was kept must not outlive them.
func TestKeptCountsDoNotOutliveADeletedIntegration(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sandbox.Generate("medium", 2)
	if err != nil {
		t.Fatal(err)
	}
	admins := func(d *sandbox.Dataset) int {
		n := 0
		for _, u := range members(d) {
			if slices.Contains(u.BusinessRoles, "BIZ_ADMIN") {
				n++
			}
		}
		return n
	}
	id1, run1, err := inventorytest.Import(ctx, st, first, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	q := store.MemberQuery{Role: "BIZ_ADMIN"}
	for range 2 { // the second answer comes from what was kept
		p, err := st.ListMembers(ctx, id1, q)
		if err != nil || p.Total != admins(first) {
			t.Fatalf("first integration: %d admins (%v), want %d", p.Total, err, admins(first))
		}
	}
	o1, err := st.InventoryOverview(ctx, id1)
	if err != nil || o1.Counts.Members != int64(len(members(first))) {
		t.Fatalf("first overview: %d members (%v)", o1.Counts.Members, err)
	}
	if err := st.DeleteIntegration(ctx, id1); err != nil {
		t.Fatal(err)
	}
	id2, run2, err := inventorytest.Import(ctx, st, second, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	if run2.ID != run1.ID {
		t.Logf("the new run has ID %d, the deleted one had %d", run2.ID, run1.ID)
	}
	p, err := st.ListMembers(ctx, id2, q)
	if err != nil || p.Total != admins(second) {
		t.Fatalf("second integration: %d admins (%v), want %d", p.Total, err, admins(second))
	}
	o2, err := st.InventoryOverview(ctx, id2)
	if err != nil || o2.Counts.Members != int64(len(members(second))) || o2.RunID != run2.ID {
		t.Fatalf("second overview: run %d, %d members (%v); want run %d, %d members",
			o2.RunID, o2.Counts.Members, err, run2.ID, len(members(second)))
	}
}

// Every combination of the access list's structured filters counts what
// the dataset holds: the totals come from per-snapshot facets, so each is
// checked against the dataset, not against the SQL that lists the rows.
func TestAccessTotalsOfEveryFilterCombination(t *testing.T) {
	st, id, d := imported(t)
	rows := grantRows(d)
	ctx := context.Background()
	n := 0
	for _, ptype := range []string{"", "member", "partner", "robot"} {
		for _, perm := range []string{"", "ADMIN", "NOPE"} {
			for _, atype := range []string{"", "PROFILE"} {
				for _, owner := range []string{"", store.OwnerOurs, store.OwnerTheirs} {
					for _, role := range []string{"", "BIZ_ADMIN"} {
						for _, ptk := range []string{"", "EXTERNAL"} {
							q := store.AccessQuery{PrincipalType: ptype, Permission: perm, AssetType: atype,
								Owner: owner, Role: role, PartnerType: ptk, ListQuery: store.ListQuery{PerPage: 1}}
							want := 0
							for _, r := range rows {
								if (ptype == "" || r.kind == ptype) && (perm == "" || r.perm == perm) &&
									(atype == "" || r.asset.Type == atype) &&
									(owner == "" || (r.asset.OwnerID == d.Business.ID) == (owner == store.OwnerOurs)) &&
									(role == "" || (r.kind == "member" && slices.Contains(r.roles, role))) &&
									(ptk == "" || (r.kind == "partner" && r.partnerType == ptk)) {
									want++
								}
							}
							if want > 0 {
								n++
							}
							p, err := st.ListAccess(ctx, id, q)
							if err != nil || p.Total != want {
								t.Fatalf("%+v: total %d (%v), want %d", q, p.Total, err, want)
							}
						}
					}
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d combinations match anything: the test checks too little", n)
	}
}

// Pages in the second half of a list are read backwards from its end; every
// page, either half, holds exactly the rows the whole list has there.
// checkPage checks page p of per rows of a list, as page reads it, against
// the whole list read in order: the page's slice of it (none past its
// end), and its total.
func checkPage(t *testing.T, list []string, p, per int, page func(p, per int) ([]string, int)) {
	t.Helper()
	got, total := page(p, per)
	want := list[min((p-1)*per, len(list)):min(p*per, len(list))]
	if total != len(list) || !slices.Equal(got, want) {
		t.Fatalf("%d a page, page %d of %d: %d rows %v (total %d), want %d rows %v (total %d)",
			per, p, (len(list)+per-1)/per, len(got), head(got), total, len(want), head(want), len(list))
	}
}

func TestEveryPageHoldsItsSliceOfTheList(t *testing.T) {
	st, id, _ := imported(t)
	const per = 7
	check := func(t *testing.T, rows []string, page func(int) ([]string, int)) {
		t.Helper()
		pages := (len(rows) + per - 1) / per
		for _, p := range []int{1, 2, pages / 2, pages/2 + 1, pages/2 + 2, pages, pages + 1} {
			if p >= 1 {
				checkPage(t, rows, p, per, func(p, _ int) ([]string, int) { return page(p) })
			}
		}
	}
	// A search that matches few members is read by filtering and sorting,
	// one that matches many by walking the sort's index.
	for _, c := range []struct{ sort, dir, text string }{
		{"username", store.SortAsc, ""}, {"email", store.SortDesc, ""},
		{"username", store.SortAsc, "tanaka"}, {"created", store.SortDesc, "tanaka"},
	} {
		t.Run("members by "+c.sort+" "+c.dir+" "+c.text, func(t *testing.T) {
			t.Parallel()
			list, page := pagedMembers(t, st, id, store.MemberQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir, Q: c.text}, Role: "EMPLOYEE"})
			if c.text != "" && (len(list) < 2*per || len(list) > 500) {
				t.Fatalf("the search matches %d members; the test wants a few pages of them, and at most 500", len(list))
			}
			check(t, list, func(p int) ([]string, int) { return page(p, per) })
		})
	}
	for _, c := range []struct{ sort, dir, text string }{
		{"principal", store.SortAsc, ""}, {"principal", store.SortDesc, "kitchen"},
		{"asset", store.SortDesc, ""}, {"asset", store.SortAsc, "kitchen"}, {"permission", store.SortAsc, ""},
		{"principal_type", store.SortAsc, ""}, {"principal_type", store.SortDesc, "kitchen"},
	} {
		t.Run("access by "+c.sort+" "+c.dir+" "+c.text, func(t *testing.T) {
			t.Parallel()
			list, page := pagedAccess(t, st, id, store.AccessQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir, Q: c.text}, Owner: store.OwnerOurs})
			check(t, list, func(p int) ([]string, int) { return page(p, per) })
		})
	}
}

// A search that matches nothing shows no rows and a total of 0, on every
// page.
func TestSearchThatMatchesNothing(t *testing.T) {
	st, id, _ := imported(t)
	for _, page := range []int{1, 3} {
		p, err := st.ListMembers(context.Background(), id, store.MemberQuery{ListQuery: store.ListQuery{Q: "zzq-no-such-name", Page: page}})
		if err != nil || p.Total != 0 || len(p.Rows) != 0 {
			t.Fatalf("page %d: %d rows, total %d, %v", page, len(p.Rows), p.Total, err)
		}
		a, err := st.ListAssets(context.Background(), id, store.AssetQuery{ListQuery: store.ListQuery{Q: "zzq-no-such-name", Page: page}})
		if err != nil || a.Total != 0 || len(a.Rows) != 0 {
			t.Fatalf("assets page %d: %d rows, total %d, %v", page, len(a.Rows), a.Total, err)
		}
	}
}

// Sorted by principal type, members come before partners (after them,
// descending), each by name: the descending list is the ascending one
// turned around, since the order is total.
func TestAccessByPrincipalTypeEitherWay(t *testing.T) {
	st, id, _ := imported(t)
	keys := func(dir string) []string {
		q := store.AccessQuery{ListQuery: store.ListQuery{Sort: "principal_type", Dir: dir}, AssetType: "PROFILE"}
		var out []string
		for _, g := range all(t, func(ctx context.Context, fn func(store.AccessRow) error) error { return st.EachAccess(ctx, id, q, fn) }) {
			out = append(out, g.PrincipalType+"|"+grantKey(g.PrincipalID, g.AssetID, g.Permission))
		}
		return out
	}
	asc, desc := keys(store.SortAsc), keys(store.SortDesc)
	if len(asc) == 0 || !strings.HasPrefix(asc[0], "member|") || !strings.HasPrefix(asc[len(asc)-1], "partner|") {
		t.Fatalf("ascending: %d rows from %v to %v; want members first, partners last", len(asc), head(asc), asc[len(asc)-1:])
	}
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) {
		t.Fatal("the descending list is not the ascending one turned around")
	}
}

// paged streams a list (each) into the keys of its rows, in order, and
// returns them with a reader of one page of the same list (list): for
// checking pages against the whole list.
func paged[R any](t *testing.T, each func(context.Context, func(R) error) error, key func(R) string,
	list func(p, per int) ([]R, int, error)) ([]string, func(p, per int) ([]string, int)) {
	t.Helper()
	var keys []string
	for _, r := range all(t, each) {
		keys = append(keys, key(r))
	}
	return keys, func(p, per int) ([]string, int) {
		rows, total, err := list(p, per)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = key(r)
		}
		return out, total
	}
}

func pagedMembers(t *testing.T, st *store.Store, id int64, q store.MemberQuery) ([]string, func(p, per int) ([]string, int)) {
	return paged(t, func(ctx context.Context, fn func(store.MemberRow) error) error { return st.EachMember(ctx, id, q, fn) },
		func(m store.MemberRow) string { return m.ID },
		func(p, per int) ([]store.MemberRow, int, error) {
			q.Page, q.PerPage = p, per
			pg, err := st.ListMembers(context.Background(), id, q)
			return pg.Rows, pg.Total, err
		})
}

func pagedAssets(t *testing.T, st *store.Store, id int64, q store.AssetQuery) ([]string, func(p, per int) ([]string, int)) {
	return paged(t, func(ctx context.Context, fn func(store.AssetRow) error) error { return st.EachAsset(ctx, id, q, fn) },
		func(a store.AssetRow) string { return a.ID },
		func(p, per int) ([]store.AssetRow, int, error) {
			q.Page, q.PerPage = p, per
			pg, err := st.ListAssets(context.Background(), id, q)
			return pg.Rows, pg.Total, err
		})
}

func pagedPixels(t *testing.T, st *store.Store, id int64, q store.PixelQuery) ([]string, func(p, per int) ([]string, int)) {
	return paged(t, func(ctx context.Context, fn func(store.PixelRow) error) error { return st.EachPixel(ctx, id, q, fn) },
		func(x store.PixelRow) string { return x.ID },
		func(p, per int) ([]store.PixelRow, int, error) {
			q.Page, q.PerPage = p, per
			pg, err := st.ListPixels(context.Background(), id, q)
			return pg.Rows, pg.Total, err
		})
}

func pagedAccess(t *testing.T, st *store.Store, id int64, q store.AccessQuery) ([]string, func(p, per int) ([]string, int)) {
	return paged(t, func(ctx context.Context, fn func(store.AccessRow) error) error { return st.EachAccess(ctx, id, q, fn) },
		func(g store.AccessRow) string {
			return grantKey(g.PrincipalType+":"+g.PrincipalID, g.AssetID, g.Permission)
		},
		func(p, per int) ([]store.AccessRow, int, error) {
			q.Page, q.PerPage = p, per
			pg, err := st.ListAccess(context.Background(), id, q)
			return pg.Rows, pg.Total, err
		})
}
