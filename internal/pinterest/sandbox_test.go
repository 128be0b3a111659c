package pinterest_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

// The expectations below are computed from the dataset directly, not from
// the sandbox's indexes, so a test fails if either side gets a list wrong.

func perms(p []string) string {
	s := slices.Clone(p)
	sort.Strings(s)
	return strings.Join(s, "+")
}

func sorted(lines []string) string {
	s := slices.Clone(lines)
	sort.Strings(s)
	return strings.Join(s, "\n")
}

func summaryLine(s *pinterest.BusinessMemberAssetsSummary) string {
	if s == nil {
		return "no summary"
	}
	var ad, pr []string
	for _, a := range s.AdAccounts {
		ad = append(ad, a.ID+":"+perms(a.Permissions))
	}
	for _, a := range s.Profiles {
		pr = append(pr, a.ID+":"+perms(a.Permissions))
	}
	sort.Strings(ad)
	sort.Strings(pr)
	return fmt.Sprintf("ad[%s] pr[%s]", strings.Join(ad, ","), strings.Join(pr, ","))
}

func assetIndex(ds *sandbox.Dataset) map[string]*sandbox.Asset {
	m := map[string]*sandbox.Asset{}
	for i := range ds.Assets {
		m[ds.Assets[i].ID] = &ds.Assets[i]
	}
	return m
}

func wantSummary(ds *sandbox.Dataset, member, partner string) string {
	assets := assetIndex(ds)
	s := &pinterest.BusinessMemberAssetsSummary{}
	for _, g := range ds.Grants {
		if (member != "" && g.MemberID != member) || (partner != "" && g.PartnerID != partner) {
			continue
		}
		a := assets[g.AssetID]
		switch a.Type {
		case sandbox.AssetAdAccount:
			s.AdAccounts = append(s.AdAccounts, pinterest.AssetPermissions{ID: a.ID, Permissions: g.Permissions})
		case sandbox.AssetProfile:
			s.Profiles = append(s.Profiles, pinterest.AssetPermissions{ID: a.ID, Permissions: g.Permissions})
		}
	}
	return summaryLine(s)
}

func wantMembers(ds *sandbox.Dataset, system bool) string {
	var lines []string
	for _, u := range ds.Users {
		if len(u.BusinessRoles) > 0 && u.IsSystemUser == system {
			lines = append(lines, fmt.Sprintf("%s %s %s %s %s", u.ID, u.Username, u.Email, perms(u.BusinessRoles), wantSummary(ds, u.ID, "")))
		}
	}
	return sorted(lines)
}

func gotMembers(t *testing.T, p pinterest.Pages[pinterest.UserBusinessRoleBinding]) string {
	t.Helper()
	var lines []string
	for m, err := range p.Items() {
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s", m.ID, m.User.Username, m.User.Email, perms(m.BusinessRoles), summaryLine(m.AssetsSummary)))
	}
	return sorted(lines)
}

func wantPartners(ds *sandbox.Dataset, typ string) string {
	var lines []string
	for _, p := range ds.Partners {
		if p.PartnerType == typ {
			lines = append(lines, fmt.Sprintf("%s %s %s %s %s", p.ID, p.Username, p.Email, "PARTNER", wantSummary(ds, "", p.ID)))
		}
	}
	return sorted(lines)
}

// visible reports whether the business sees asset a: it owns it, or an
// EXTERNAL partner shares it.
func visible(ds *sandbox.Dataset, a *sandbox.Asset) bool {
	if a.OwnerID == ds.Business.ID {
		return true
	}
	for _, g := range ds.Grants {
		if g.AssetID == a.ID && g.PartnerID == a.OwnerID {
			for _, p := range ds.Partners {
				if p.ID == g.PartnerID && p.PartnerType == sandbox.PartnerExternal {
					return true
				}
			}
		}
	}
	return false
}

func assetLine(ds *sandbox.Dataset, id, typ string, group *pinterest.AssetGroupBinding, cat *pinterest.CatalogInfo) string {
	s := id + " " + typ
	if group != nil {
		ids := append(append(append([]string{}, group.AdAccountsIDs...), group.ProfilesIDs...), group.CatalogsIDs...)
		s += fmt.Sprintf(" group %q [%s]", group.AssetGroupName, perms(ids))
	}
	if cat != nil {
		s += fmt.Sprintf(" catalog %q %s", cat.Name, cat.CatalogType)
	}
	return s
}

func wantAssets(ds *sandbox.Dataset, typ string) string {
	var lines []string
	for i := range ds.Assets {
		a := &ds.Assets[i]
		if a.Type != typ || !visible(ds, a) {
			continue
		}
		var g *pinterest.AssetGroupBinding
		var c *pinterest.CatalogInfo
		if typ == sandbox.AssetGroup {
			g = &pinterest.AssetGroupBinding{AssetGroupName: a.Name, AdAccountsIDs: a.Contents}
		}
		if typ == sandbox.AssetCatalog {
			c = &pinterest.CatalogInfo{Name: a.Name, CatalogType: a.CatalogType}
		}
		lines = append(lines, assetLine(ds, a.ID, a.Type, g, c))
	}
	return sorted(lines)
}

// wantGrants lists "asset perms" of one member or partner on one asset type.
func wantGrants(ds *sandbox.Dataset, member, partner, typ string) string {
	assets := assetIndex(ds)
	var lines []string
	for _, g := range ds.Grants {
		if (member != "" && g.MemberID == member) || (partner != "" && g.PartnerID == partner) {
			if assets[g.AssetID].Type == typ {
				lines = append(lines, g.AssetID+" "+perms(g.Permissions))
			}
		}
	}
	return sorted(lines)
}

// wantAssetHolders lists "holder perms" of the grants on one asset to
// members (system users or people) or to partners.
func wantAssetHolders(ds *sandbox.Dataset, asset string, partners, system bool) string {
	users := map[string]sandbox.User{}
	for _, u := range ds.Users {
		users[u.ID] = u
	}
	assets := assetIndex(ds)
	var lines []string
	for _, g := range ds.Grants {
		if g.AssetID != asset {
			continue
		}
		switch {
		case partners && g.PartnerID != "" && assets[asset].OwnerID == ds.Business.ID:
			lines = append(lines, g.PartnerID+" "+perms(g.Permissions))
		case !partners && g.MemberID != "" && users[g.MemberID].IsSystemUser == system:
			lines = append(lines, g.MemberID+" "+perms(g.Permissions))
		}
	}
	return sorted(lines)
}

func collect[T any](t *testing.T, p pinterest.Pages[T], line func(T) string) string {
	t.Helper()
	var lines []string
	pages := 0
	for page, err := range p {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page {
			lines = append(lines, line(it))
		}
	}
	return sorted(lines)
}

func compare(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got: %s\nwant: %s", what, strings.ReplaceAll(got, "\n", "\n      "), strings.ReplaceAll(want, "\n", "\n      "))
	}
	if want == "" {
		t.Errorf("%s: the dataset has nothing to compare; the test proves nothing", what)
	}
}

// TestEveryListReturnsWhatTheDatasetHolds runs every list the importer uses
// with a small page size, so each crosses page boundaries, and checks
// every request and answer against the OpenAPI description.
func TestEveryListReturnsWhatTheDatasetHolds(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ds := e.ds
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{})
	ctx := context.Background()
	biz := ds.Business.ID
	const size = 4
	po := pinterest.PageOptions{PageSize: size}

	t.Run("employers", func(t *testing.T) {
		emp, err := c.Employers(ctx, po).All()
		if err != nil {
			t.Fatal(err)
		}
		if len(emp) != 1 || emp[0].ID != biz || !emp[0].HasRole(pinterest.RoleBizAdmin) {
			t.Errorf("employers = %+v", emp)
		}
	})
	t.Run("user account", func(t *testing.T) {
		a, err := c.UserAccount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a.Username != sandbox.AdminUsername || a.ID == "" {
			t.Errorf("account = %+v", a)
		}
		lb, err := c.LinkedBusinesses(ctx)
		if err != nil || len(lb) != 1 || lb[0].Username != ds.Business.Username {
			t.Errorf("linked businesses = %+v, %v", lb, err)
		}
	})
	t.Run("members", func(t *testing.T) {
		for _, system := range []bool{false, true} {
			got := gotMembers(t, c.Members(ctx, biz, pinterest.MembersOptions{PageOptions: po, AssetsSummary: true, FetchSystemUsers: system}))
			compare(t, fmt.Sprintf("members (system users %v)", system), got, wantMembers(ds, system))
		}
	})
	t.Run("partners", func(t *testing.T) {
		for _, typ := range []string{pinterest.PartnerInternal, pinterest.PartnerExternal} {
			got := gotMembers(t, c.Partners(ctx, biz, pinterest.PartnersOptions{PageOptions: po, PartnerType: typ, AssetsSummary: true}))
			compare(t, typ+" partners", got, wantPartners(ds, typ))
		}
	})
	t.Run("assets", func(t *testing.T) {
		for _, typ := range []string{pinterest.AssetAdAccount, pinterest.AssetProfile, pinterest.AssetGroup, pinterest.AssetCatalog} {
			got := collect(t, c.Assets(ctx, biz, pinterest.AssetsOptions{PageOptions: po, AssetType: typ}), func(a pinterest.BusinessAsset) string {
				return assetLine(ds, a.AssetID, a.AssetType, a.AssetGroupInfo, a.CatalogInfo)
			})
			compare(t, typ+" assets", got, wantAssets(ds, typ))
		}
	})
	t.Run("member and partner assets", func(t *testing.T) {
		line := func(a pinterest.AssetIDPermissions) string { return a.AssetID + " " + perms(a.Permissions) }
		pline := func(a pinterest.PartnerAsset) string { return a.AssetID + " " + perms(a.Permissions) }
		compared := 0
		for _, u := range ds.Users {
			if len(u.BusinessRoles) == 0 {
				continue
			}
			for _, typ := range []string{pinterest.AssetAdAccount, pinterest.AssetProfile, pinterest.AssetGroup, pinterest.AssetCatalog} {
				want := wantGrants(ds, u.ID, "", typ)
				got := collect(t, c.MemberAssets(ctx, biz, u.ID, typ, po), line)
				if got != want {
					t.Errorf("member %s %s assets:\n got %q\nwant %q", u.ID, typ, got, want)
				}
				if want != "" {
					compared++
				}
			}
		}
		for _, p := range ds.Partners {
			for _, typ := range []string{pinterest.AssetAdAccount, pinterest.AssetProfile, pinterest.AssetGroup, pinterest.AssetCatalog} {
				want := wantGrants(ds, "", p.ID, typ)
				got := collect(t, c.PartnerAssets(ctx, biz, p.ID, p.PartnerType, typ, po), pline)
				if got != want {
					t.Errorf("partner %s %s assets:\n got %q\nwant %q", p.ID, typ, got, want)
				}
				if want != "" {
					compared++
				}
			}
		}
		if compared < 10 {
			t.Errorf("only %d non-empty lists compared", compared)
		}
	})
	t.Run("asset members and partners", func(t *testing.T) {
		line := func(b pinterest.UserSingleAssetBinding) string { return b.User.ID + " " + perms(b.Permissions) }
		compared := 0
		for i := range ds.Assets {
			a := &ds.Assets[i]
			if !visible(ds, a) {
				continue
			}
			for _, system := range []bool{false, true} {
				want := wantAssetHolders(ds, a.ID, false, system)
				got := collect(t, c.AssetMembers(ctx, biz, a.ID, system, po), line)
				if got != want {
					t.Errorf("asset %s members (system %v):\n got %q\nwant %q", a.ID, system, got, want)
				}
				if want != "" {
					compared++
				}
			}
			want := wantAssetHolders(ds, a.ID, true, false)
			got := collect(t, c.AssetPartners(ctx, biz, a.ID, po), line)
			if got != want {
				t.Errorf("asset %s partners:\n got %q\nwant %q", a.ID, got, want)
			}
		}
		if compared < 10 {
			t.Errorf("only %d non-empty lists compared", compared)
		}
	})
	t.Run("invites", func(t *testing.T) {
		for _, member := range []bool{true, false} {
			var want []string
			for _, inv := range ds.Invites {
				if (inv.InviteType == "MEMBER_INVITE") == member {
					want = append(want, fmt.Sprintf("%s %s %s %s", inv.ID, inv.InviteType, inv.InviteStatus, inv.Username))
				}
			}
			got := collect(t, c.Invites(ctx, biz, pinterest.InvitesOptions{PageOptions: po, IsMember: &member}), func(i pinterest.Invite) string {
				return fmt.Sprintf("%s %s %s %s", i.ID, i.InviteData.InviteType, i.InviteData.InviteStatus, i.User.Username)
			})
			compare(t, fmt.Sprintf("invites (member %v)", member), got, sorted(want))
		}
	})
	t.Run("ad accounts and conversion tags", func(t *testing.T) {
		var admin sandbox.User
		for _, u := range ds.Users {
			if u.Username == sandbox.AdminUsername {
				admin = u
			}
		}
		var want []string
		for i := range ds.Assets {
			a := &ds.Assets[i]
			if a.Type == sandbox.AssetAdAccount && (visible(ds, a) || a.OwnerID == admin.ID) {
				want = append(want, a.ID+" "+a.Name+" "+a.Currency)
			}
		}
		accounts, err := c.AdAccounts(ctx, pinterest.AdAccountsOptions{PageOptions: po}).All()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range accounts {
			got = append(got, a.ID+" "+a.Name+" "+a.Currency)
		}
		compare(t, "ad accounts", sorted(got), sorted(want))
		for _, a := range accounts[:min(3, len(accounts))] {
			one, err := c.AdAccount(ctx, a.ID)
			if err != nil || one.ID != a.ID || one.Name != a.Name || fmt.Sprint(one.Permissions) != fmt.Sprint(a.Permissions) {
				t.Errorf("ad account %s: %+v, %v; listed as %+v", a.ID, one, err, a)
			}
		}

		var wantTags, gotTags []string
		for _, tag := range ds.ConversionTags {
			wantTags = append(wantTags, tag.AdAccountID+" "+tag.ID+" "+tag.Name+" "+tag.Status)
		}
		for _, a := range accounts {
			tags, err := c.ConversionTags(ctx, a.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range tags {
				gotTags = append(gotTags, tag.AdAccountID+" "+tag.ID+" "+tag.Name+" "+tag.Status)
			}
		}
		compare(t, "conversion tags", sorted(gotTags), sorted(wantTags))
	})

	e.checkNoFailures()
	// The client's count matches what the sandbox answered, per operation.
	st, sst := c.Stats(), e.sb.Stats()
	if fmt.Sprint(st.Calls) != fmt.Sprint(sst.Calls) {
		t.Errorf("client counted %v\nsandbox answered %v", st.Calls, sst.Calls)
	}
	if st.Retries != 0 || st.RateLimited != 0 || sst.RateLimited != 0 {
		t.Errorf("a paced run met rate limits: client %+v, sandbox %+v", st, sst)
	}
	seen := e.val.Seen()
	for _, op := range []string{"user_account/get", "linked_business_accounts/get", "get/business_employers", "get/business_members",
		"get/business_partners", "business_assets/get", "business_member_assets/get", "business_partner_asset_access/get",
		"business_asset_members/get", "business_asset_partners/get", "get/invites", "ad_accounts/list", "ad_accounts/get", "conversion_tags/list"} {
		if seen[op] == 0 {
			t.Errorf("%s was never validated", op)
		}
	}
}

// TestDefaultPageSizeReadsAMediumBusiness reads the 300 members of the
// medium dataset with Pinterest's maximum page size: two pages.
func TestDefaultPageSizeReadsAMediumBusiness(t *testing.T) {
	e := newSandboxEnv(t, sandbox.DefaultDataset())
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{})
	pages := 0
	var lines []string
	for page, err := range c.Members(context.Background(), e.ds.Business.ID, pinterest.MembersOptions{AssetsSummary: true}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page) > pinterest.DefaultPageSize {
			t.Errorf("page of %d", len(page))
		}
		for _, m := range page {
			lines = append(lines, fmt.Sprintf("%s %s %s %s %s", m.ID, m.User.Username, m.User.Email, perms(m.BusinessRoles), summaryLine(m.AssetsSummary)))
		}
	}
	compare(t, "members", sorted(lines), wantMembers(e.ds, false))
	if want := (len(lines) + 249) / 250; pages != want {
		t.Errorf("%d pages for %d members, want %d", pages, len(lines), want)
	}
	e.checkNoFailures()
}
