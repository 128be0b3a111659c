package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// listing is a paginated request and the keys its pages must add up to,
// computed from the dataset directly rather than through the sandbox's
// indexes.
type listing struct {
	name string
	path string // with a query
	key  string // dotted path of the item's key: "id", "asset_id", "user.id"
	want []string
}

func itemKey(t testing.TB, raw json.RawMessage, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("item %s has no %s", raw, path)
		}
		v = m[part]
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("item %s: %s is not a string", raw, path)
	}
	return s
}

func isVisible(d *Dataset, a *Asset) bool {
	if a.OwnerID == d.Business.ID {
		return true
	}
	for _, g := range d.Grants {
		if g.AssetID == a.ID && g.PartnerID == a.OwnerID {
			return true
		}
	}
	return false
}

func assetType(d *Dataset, id string) string {
	for _, a := range d.Assets {
		if a.ID == id {
			return a.Type
		}
	}
	return ""
}

func listings(d *Dataset) []listing {
	biz := "/v5/businesses/" + d.Business.ID
	var ls []listing
	ls = append(ls, listing{"employers", "/v5/businesses/employers?", "id", []string{d.Business.ID}})

	var humans, systems, admins []string
	for _, u := range d.Users {
		switch {
		case !u.IsMember():
		case u.IsSystemUser:
			systems = append(systems, u.ID)
		default:
			humans = append(humans, u.ID)
			if u.HasRole(RoleBizAdmin) {
				admins = append(admins, u.ID)
			}
		}
	}
	ls = append(ls,
		listing{"members", biz + "/members?assets_summary=true", "id", humans},
		listing{"system users", biz + "/members?fetch_system_users=true", "id", systems},
		listing{"admins", biz + "/members?business_roles=BIZ_ADMIN", "id", admins},
		listing{"both roles", biz + "/members?business_roles=BIZ_ADMIN&business_roles=EMPLOYEE", "id", humans},
	)

	byType := map[string][]string{}
	for _, p := range d.Partners {
		byType[""] = append(byType[""], p.ID)
		byType[p.PartnerType] = append(byType[p.PartnerType], p.ID)
	}
	ls = append(ls,
		listing{"partners", biz + "/partners?assets_summary=true", "id", byType[""]},
		listing{"internal partners", biz + "/partners?partner_type=INTERNAL", "id", byType[PartnerInternal]},
		listing{"external partners", biz + "/partners?partner_type=EXTERNAL&assets_summary=true", "id", byType[PartnerExternal]},
	)

	for _, typ := range []string{AssetAdAccount, AssetProfile, AssetGroup, AssetCatalog} {
		var all, owned []string
		for i := range d.Assets {
			a := &d.Assets[i]
			if a.Type == typ && isVisible(d, a) {
				all = append(all, a.ID)
				if a.OwnerID == d.Business.ID {
					owned = append(owned, a.ID)
				}
			}
		}
		ls = append(ls,
			listing{"assets " + typ, biz + "/assets?asset_type=" + typ, "asset_id", all},
			listing{"owned assets " + typ, biz + "/assets?permissions=OWNER&asset_type=" + typ, "asset_id", owned},
		)
	}

	// Per asset type, the member and partners with the most grants of it.
	types := map[string]string{}
	for _, a := range d.Assets {
		types[a.ID] = a.Type
	}
	partnerType := map[string]string{}
	for _, p := range d.Partners {
		partnerType[p.ID] = p.PartnerType
	}
	count := map[string]int{}
	for _, g := range d.Grants {
		t := types[g.AssetID]
		if g.MemberID != "" {
			count["m"+t+"/"+g.MemberID]++
			count["am/"+g.AssetID]++
		} else {
			count["p"+partnerType[g.PartnerID]+t+"/"+g.PartnerID]++
			count["ap/"+g.AssetID]++
		}
	}
	best := func(prefix string, ok func(id string) bool) string {
		prefix += "/"
		id, n := "", -1
		for k, c := range count {
			if strings.HasPrefix(k, prefix) && ok(k[len(prefix):]) && (c > n || c == n && k[len(prefix):] < id) {
				id, n = k[len(prefix):], c
			}
		}
		return id
	}
	any := func(string) bool { return true }
	for _, typ := range []string{AssetAdAccount, AssetProfile, AssetGroup, AssetCatalog} {
		member := best("m"+typ, any)
		internal := best("p"+PartnerInternal+typ, any)
		external := best("p"+PartnerExternal+typ, any)
		var m, pi, pe []string
		for _, g := range d.Grants {
			if types[g.AssetID] != typ {
				continue
			}
			switch {
			case g.MemberID != "" && g.MemberID == member:
				m = append(m, g.AssetID)
			case g.PartnerID != "" && g.PartnerID == internal:
				pi = append(pi, g.AssetID)
			case g.PartnerID != "" && g.PartnerID == external:
				pe = append(pe, g.AssetID)
			}
		}
		ls = append(ls,
			listing{"member assets " + typ, biz + "/members/" + member + "/assets?asset_type=" + typ, "asset_id", m},
			listing{"internal partner assets " + typ, biz + "/partners/" + internal + "/assets?partner_type=INTERNAL&asset_type=" + typ, "asset_id", pi},
		)
		if typ != AssetGroup { // asset groups are never shared by partners
			ls = append(ls, listing{"external partner assets " + typ, biz + "/partners/" + external + "/assets?partner_type=EXTERNAL&asset_type=" + typ, "asset_id", pe})
		}
	}
	asset := best("am", any)
	owned := best("ap", func(id string) bool {
		for _, a := range d.Assets {
			if a.ID == id {
				return a.OwnerID == d.Business.ID
			}
		}
		return false
	})
	var am, ap []string
	for _, g := range d.Grants {
		if g.AssetID == asset && g.MemberID != "" {
			for _, u := range d.Users {
				if u.ID == g.MemberID && !u.IsSystemUser {
					am = append(am, u.ID)
				}
			}
		}
		if g.AssetID == owned && g.PartnerID != "" {
			ap = append(ap, g.PartnerID)
		}
	}
	ls = append(ls,
		listing{"asset members", biz + "/assets/" + asset + "/members?", "user.id", am},
		listing{"asset partners", biz + "/assets/" + owned + "/partners?", "user.id", ap},
	)

	var memberInv, partnerInv []string
	for _, inv := range d.Invites {
		if inv.InviteType == "MEMBER_INVITE" {
			memberInv = append(memberInv, inv.ID)
		} else {
			partnerInv = append(partnerInv, inv.ID)
		}
	}
	ls = append(ls,
		listing{"member invites", biz + "/invites?", "id", memberInv},
		listing{"partner invites", biz + "/invites?is_member=false", "id", partnerInv},
	)

	var ads []string
	for i := range d.Assets {
		if a := &d.Assets[i]; a.Type == AssetAdAccount && isVisible(d, a) {
			ads = append(ads, a.ID)
		}
	}
	ls = append(ls, listing{"ad accounts", "/v5/ad_accounts?", "id", ads})
	return ls
}

func TestPaginationUnionIsTheFullSetWithoutDuplicates(t *testing.T) {
	for _, size := range []string{"small", "medium"} {
		d, err := Generate(size, 11)
		if err != nil {
			t.Fatal(err)
		}
		ls := listings(d.Clone())
		h := newHarness(t, d, func(o *Options) { o.Limits = Limits{} })
		tok := h.token(AdminUsername)
		for _, l := range ls {
			if len(l.want) == 0 {
				t.Errorf("%s %s: the dataset gives an empty listing; the test would prove nothing", size, l.name)
			}
			for _, ps := range []int{1, 7, 25, 250} {
				t.Run(fmt.Sprintf("%s/%s/page_size=%d", size, l.name, ps), func(t *testing.T) {
					sep := "&"
					if strings.HasSuffix(l.path, "?") {
						sep = ""
					}
					items := h.all(t, tok, l.path+sep+fmt.Sprintf("page_size=%d", ps))
					seen := map[string]bool{}
					for _, it := range items {
						k := itemKey(t, it, l.key)
						if seen[k] {
							t.Errorf("%s appears twice", k)
						}
						seen[k] = true
					}
					got := make([]string, 0, len(seen))
					for k := range seen {
						got = append(got, k)
					}
					want := slices.Clone(l.want)
					slices.Sort(got)
					slices.Sort(want)
					want = slices.Compact(want)
					if !slices.Equal(got, want) {
						t.Errorf("got %d items, want %d\n got %v\nwant %v", len(got), len(want), got, want)
					}
				})
			}
		}
	}
}
