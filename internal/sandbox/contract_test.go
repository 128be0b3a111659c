package sandbox

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// contractCase is one request and the answer it must get; every answer is
// also checked against the OpenAPI description by the harness.
type contractCase struct {
	name     string
	user     string   // token's user; "" sends no token
	scopes   []string // nil: biz_access:read, ads:read, user_accounts:read
	bearer   string   // overrides the token
	path     string
	status   int
	code     int // Pinterest error code expected when status >= 400
	contains string
}

// sample picks IDs of each kind from a dataset for the cases.
type sample struct {
	biz, member, system, partnerInt, partnerExt, adAccount, sharedAd, foreignAd, profile, group, child, catalog, tagAd, tag, employeeAd string
}

func pickSample(t *testing.T, d *Dataset) sample {
	t.Helper()
	s := sample{biz: d.Business.ID}
	for _, u := range d.Users {
		switch {
		case u.IsSystemUser && s.system == "":
			s.system = u.ID
		case u.IsMember() && !u.IsSystemUser && s.member == "" && !strings.HasPrefix(u.Username, "sandbox-"):
			s.member = u.ID
		}
	}
	for _, p := range d.Partners {
		if p.PartnerType == PartnerInternal && s.partnerInt == "" {
			s.partnerInt = p.ID
		}
		if p.PartnerType == PartnerExternal && s.partnerExt == "" {
			s.partnerExt = p.ID
		}
	}
	for _, a := range d.Assets {
		switch {
		case a.Type == AssetAdAccount && a.OwnerID == d.Business.ID && s.adAccount == "":
			s.adAccount = a.ID
		case a.Type == AssetAdAccount && a.OwnerID != d.Business.ID && s.sharedAd == "" && isVisible(d, &a):
			s.sharedAd = a.ID
		case a.Type == AssetProfile && s.profile == "":
			s.profile = a.ID
		case a.Type == AssetGroup && s.group == "" && len(a.Contents) > 0:
			s.group, s.child = a.ID, a.Contents[0]
		case a.Type == AssetCatalog && s.catalog == "":
			s.catalog = a.ID
		}
	}
	for _, tg := range d.ConversionTags {
		s.tagAd, s.tag = tg.AdAccountID, tg.ID
		break
	}
	emp := d.User(EmployeeUsername)
	for _, g := range d.Grants {
		if g.MemberID == emp.ID && assetType(d, g.AssetID) == AssetAdAccount {
			s.employeeAd = g.AssetID
		}
	}
	for _, a := range d.Assets {
		if a.Type == AssetAdAccount && a.ID != s.employeeAd {
			granted := false
			for _, g := range d.Grants {
				granted = granted || (g.MemberID == emp.ID && g.AssetID == a.ID)
			}
			if !granted {
				s.foreignAd = a.ID
				break
			}
		}
	}
	for name, v := range map[string]string{"member": s.member, "system": s.system, "internal partner": s.partnerInt,
		"external partner": s.partnerExt, "ad account": s.adAccount, "shared ad account": s.sharedAd, "profile": s.profile,
		"group": s.group, "catalog": s.catalog, "tag": s.tag, "employee ad account": s.employeeAd, "foreign ad account": s.foreignAd} {
		if v == "" {
			t.Fatalf("the dataset has no %s", name)
		}
	}
	return s
}

func contractCases(s sample) []contractCase {
	biz := "/v5/businesses/" + s.biz
	admin := AdminUsername
	return []contractCase{
		// Every operation, with every query parameter.
		{name: "user account", user: admin, path: "/v5/user_account", status: 200, contains: `"username":"sandbox-admin"`},
		{name: "user account of outsider", user: OutsiderUsername, path: "/v5/user_account", status: 200, contains: `"account_type":"PINNER"`},
		{name: "ad account owner's account", user: admin, path: "/v5/user_account?ad_account_id=" + s.adAccount, status: 200, contains: `"id":"` + s.biz + `"`},
		{name: "linked businesses", user: admin, path: "/v5/user_account/businesses", status: 200, contains: `"username":"` + defaultBusinessUser + `"`},
		{name: "linked businesses of outsider", user: OutsiderUsername, path: "/v5/user_account/businesses", status: 200, contains: `[]`},
		{name: "employers", user: admin, path: "/v5/businesses/employers?page_size=250", status: 200, contains: `"business_roles":["BIZ_ADMIN"]`},
		{name: "employers of employee", user: EmployeeUsername, path: "/v5/businesses/employers", status: 200, contains: `"business_roles":["EMPLOYEE"]`},
		{name: "employers of outsider", user: OutsiderUsername, path: "/v5/businesses/employers", status: 200, contains: `"items":[]`},
		{name: "members", user: admin, path: biz + "/members", status: 200},
		{name: "members with summary", user: admin, path: biz + "/members?assets_summary=true&page_size=250", status: 200, contains: `"assets_summary":{"ad_accounts":[`},
		{name: "system users", user: admin, path: biz + "/members?fetch_system_users=true&assets_summary=true", status: 200, contains: s.system},
		{name: "members by role", user: admin, path: biz + "/members?business_roles=EMPLOYEE&start_index=2", status: 200},
		{name: "members by id", user: admin, path: biz + "/members?member_ids=" + s.member + ",1", status: 200, contains: s.member},
		{name: "partners", user: admin, path: biz + "/partners", status: 200},
		{name: "partners with summary", user: admin, path: biz + "/partners?assets_summary=true&partner_type=EXTERNAL&page_size=250", status: 200, contains: s.partnerExt},
		{name: "partners by id", user: admin, path: biz + "/partners?partner_ids=" + s.partnerInt + "&partner_type=INTERNAL&start_index=0", status: 200, contains: s.partnerInt},
		{name: "assets", user: admin, path: biz + "/assets", status: 200, contains: `"asset_type":"AD_ACCOUNT"`},
		{name: "asset groups", user: admin, path: biz + "/assets?asset_type=ASSET_GROUP&page_size=250", status: 200, contains: `"asset_group_info":{`},
		{name: "catalogs", user: admin, path: biz + "/assets?asset_type=CATALOG", status: 200, contains: `"catalog_info":{`},
		{name: "profiles owned", user: admin, path: biz + "/assets?asset_type=PROFILE&permissions=OWNER", status: 200},
		{name: "assets shared with permissions", user: admin, path: biz + "/assets?permissions=ADMIN&permissions=ANALYST&permissions=CAMPAIGN_MANAGER", status: 200},
		{name: "consumer assets", user: admin, path: biz + "/assets?asset_type=CONSUMER", status: 200, contains: `"items":[]`},
		{name: "groups holding a child", user: admin, path: biz + "/assets?child_asset_id=" + s.child, status: 200, contains: s.group},
		{name: "assets in a group", user: admin, path: biz + "/assets?asset_group_id=" + s.group + "&asset_type=" + "AD_ACCOUNT", status: 200},
		{name: "member assets", user: admin, path: biz + "/members/" + s.member + "/assets", status: 200},
		{name: "member asset groups", user: admin, path: biz + "/members/" + s.member + "/assets?asset_type=ASSET_GROUP&start_index=0&page_size=5", status: 200},
		{name: "internal partner assets", user: admin, path: biz + "/partners/" + s.partnerInt + "/assets?partner_type=INTERNAL&asset_type=AD_ACCOUNT", status: 200},
		{name: "external partner assets", user: admin, path: biz + "/partners/" + s.partnerExt + "/assets?partner_type=EXTERNAL&asset_type=PROFILE&start_index=0", status: 200},
		{name: "partner assets default type", user: admin, path: biz + "/partners/" + s.partnerExt + "/assets", status: 200, contains: `"items":[]`},
		{name: "asset members", user: admin, path: biz + "/assets/" + s.adAccount + "/members", status: 200},
		{name: "asset system users", user: admin, path: biz + "/assets/" + s.adAccount + "/members?fetch_system_users=true&start_index=0", status: 200},
		{name: "asset partners", user: admin, path: biz + "/assets/" + s.adAccount + "/partners?page_size=3&start_index=0", status: 200},
		{name: "shared asset has no partners", user: admin, path: biz + "/assets/" + s.sharedAd + "/partners", status: 200, contains: `"items":[]`},
		{name: "invites", user: admin, path: biz + "/invites", status: 200},
		{name: "pending partner requests", user: admin, path: biz + "/invites?is_member=false&invite_type=PARTNER_REQUEST&invite_status=PENDING", status: 200},
		{name: "invites both statuses", user: admin, path: biz + "/invites?invite_status=PENDING&invite_status=EXPIRED&page_size=250", status: 200},
		{name: "ad accounts", user: admin, path: "/v5/ad_accounts?page_size=250", status: 200, contains: `"permissions":["ADMIN"`},
		{name: "own ad accounts only", user: admin, path: "/v5/ad_accounts?include_shared_accounts=false", status: 200, contains: `"items":[]`},
		{name: "employee ad accounts", user: EmployeeUsername, path: "/v5/ad_accounts", status: 200, contains: s.employeeAd},
		{name: "ad account", user: admin, path: "/v5/ad_accounts/" + s.adAccount, status: 200, contains: `"owner":{"id":"` + s.biz},
		{name: "shared ad account", user: admin, path: "/v5/ad_accounts/" + s.sharedAd, status: 200},
		{name: "conversion tags", user: admin, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags", status: 200, contains: s.tag},
		{name: "conversion tags not deleted", user: admin, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags?filter_deleted=true", status: 200},
		{name: "conversion tag", user: admin, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags/" + s.tag, status: 200, contains: `"code_snippet":`},
		{name: "client credentials style scope set", user: admin, scopes: []string{"ads:read"}, path: "/v5/ad_accounts", status: 200},

		// Authentication and authorization.
		{name: "no token", path: biz + "/members", status: 401, code: 2},
		{name: "unknown token", bearer: "pina_nope", path: biz + "/members", status: 401, code: 2},
		{name: "missing scope", user: admin, scopes: []string{"ads:read"}, path: biz + "/members", status: 401, code: 3, contains: "biz_access:read"},
		{name: "missing ads scope", user: admin, scopes: []string{"biz_access:read"}, path: "/v5/ad_accounts", status: 401, code: 3},
		{name: "employee sees no members", user: EmployeeUsername, path: biz + "/members", status: 403, code: 29},
		{name: "outsider sees no assets", user: OutsiderUsername, path: biz + "/assets", status: 403, code: 29},
		{name: "employee sees no invites", user: EmployeeUsername, path: biz + "/invites", status: 403, code: 29},
		{name: "another business", user: admin, path: "/v5/businesses/123/members", status: 403, code: 29},
		{name: "employee cannot open another ad account", user: EmployeeUsername, path: "/v5/ad_accounts/" + s.foreignAd, status: 403, code: 29},
		{name: "outsider cannot read tags", user: OutsiderUsername, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags", status: 403, code: 29},
		{name: "owner of an inaccessible ad account", user: OutsiderUsername, path: "/v5/user_account?ad_account_id=" + s.adAccount, status: 403, code: 403},

		// Malformed input.
		{name: "business id with letters", user: admin, path: "/v5/businesses/12a4/members", status: 400, code: 1},
		{name: "business id too long", user: admin, path: "/v5/businesses/" + strings.Repeat("9", 21) + "/partners", status: 400, code: 1},
		{name: "member id with letters", user: admin, path: biz + "/members/abc/assets", status: 400, code: 1},
		{name: "asset id too long", user: admin, path: biz + "/assets/" + strings.Repeat("1", 21) + "/members", status: 400, code: 1},
		{name: "ad account id too long", user: admin, path: "/v5/ad_accounts/" + strings.Repeat("1", 19), status: 400, code: 1},
		{name: "tag id with letters", user: admin, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags/x1", status: 400, code: 1},
		{name: "page size zero", user: admin, path: biz + "/members?page_size=0", status: 400, code: 1, contains: "page_size"},
		{name: "page size 251", user: admin, path: biz + "/partners?page_size=251", status: 400, code: 1, contains: "page_size"},
		{name: "page size not a number", user: admin, path: "/v5/ad_accounts?page_size=many", status: 400, code: 1},
		{name: "negative start index", user: admin, path: biz + "/assets?start_index=-1", status: 400, code: 1},
		{name: "unknown asset type", user: admin, path: biz + "/assets?asset_type=BOARD", status: 400, code: 1, contains: "asset_type"},
		{name: "unknown partner type", user: admin, path: biz + "/partners?partner_type=FRIENDLY", status: 400, code: 1},
		{name: "unknown role", user: admin, path: biz + "/members?business_roles=PARTNER", status: 400, code: 1},
		{name: "unknown permission", user: admin, path: biz + "/assets?permissions=GOD", status: 400, code: 1},
		{name: "member ids that are not ids match nothing", user: admin, path: biz + "/members?member_ids=two,-3", status: 200, contains: `"items":[]`},
		{name: "member ids too long", user: admin, path: biz + "/members?member_ids=" + strings.Repeat("1,", 251), status: 400, code: 1},
		{name: "boolean not a boolean", user: admin, path: biz + "/members?fetch_system_users=yes", status: 400, code: 1},
		{name: "boolean as 1", user: admin, path: biz + "/members?fetch_system_users=1", status: 200, contains: s.system},
		{name: "child id malformed", user: admin, path: biz + "/assets?child_asset_id=-5", status: 400, code: 1},
		{name: "unknown invite status", user: admin, path: biz + "/invites?invite_status=ACCEPTED", status: 400, code: 1},
		{name: "garbage bookmark", user: admin, path: biz + "/members?bookmark=not-a-bookmark", status: 400, code: 1, contains: "bookmark"},
		{name: "ad account id not in dataset", user: admin, path: "/v5/ad_accounts/1", status: 404, code: 2},
		{name: "member not in dataset", user: admin, path: biz + "/members/42/assets", status: 404, code: 404},
		{name: "asset not in dataset", user: admin, path: biz + "/assets/42/partners", status: 404, code: 404},
		{name: "tag not in dataset", user: admin, path: "/v5/ad_accounts/" + s.tagAd + "/conversion_tags/42", status: 404, code: 404},
	}
}

func TestEveryOperationAnswersAsTheDescriptionSays(t *testing.T) {
	for _, size := range []string{"small", "medium", "large"} {
		t.Run(size, func(t *testing.T) {
			d, err := Generate(size, 5)
			if err != nil {
				t.Fatal(err)
			}
			s := pickSample(t, d)
			h := newHarness(t, d, func(o *Options) { o.Limits = Limits{} })
			tokens := map[string]string{}
			for _, c := range contractCases(s) {
				t.Run(c.name, func(t *testing.T) {
					bearer := c.bearer
					if bearer == "" && c.user != "" {
						key := c.user + "|" + strings.Join(c.scopes, ",")
						if tokens[key] == "" {
							tokens[key] = h.token(c.user, c.scopes...)
						}
						bearer = tokens[key]
					}
					a := h.get(bearer, c.path)
					if a.status != c.status {
						t.Fatalf("status %d, want %d: %s", a.status, c.status, a.body)
					}
					if a.header.Get("x-pinterest-rid") == "" {
						t.Error("no x-pinterest-rid header")
					}
					if a.header.Get("Retry-After") != "" {
						t.Error("a Retry-After header, which is off by default")
					}
					if c.status >= 400 {
						code, msg := a.apiErr(t)
						if code != c.code {
							t.Errorf("code %d (%s), want %d", code, msg, c.code)
						}
					}
					if c.contains != "" && !strings.Contains(string(a.body), c.contains) {
						t.Errorf("answer lacks %s: %.600s", c.contains, a.body)
					}
				})
			}
			seen := h.v.Seen()
			for _, id := range Implemented() {
				if id == "oauth/token" || id == "token/revoke" {
					continue // the OAuth tests cover them
				}
				if seen[id] == 0 {
					t.Errorf("no case exercised %s", id)
				}
			}
		})
	}
}

func TestBookmarksAreTamperProof(t *testing.T) {
	h := newHarness(t, nil, nil)
	tok := h.token(AdminUsername)
	biz := "/v5/businesses/" + DefaultBusinessID
	a := h.get(tok, biz+"/members?page_size=5")
	var p pageOf
	a.json(t, &p)
	if a.status != 200 || p.Bookmark == nil {
		t.Fatalf("first page: %d %s", a.status, a.body)
	}
	bm := *p.Bookmark
	if last := itemKey(t, p.Items[len(p.Items)-1], "id"); strings.Contains(bm, last) {
		t.Error("the bookmark shows the last ID in clear")
	}
	flipped := []byte(bm)
	flipped[len(flipped)/2] ^= 1
	if flipped[len(flipped)/2] == '-'^1 || flipped[len(flipped)/2] == '_'^1 {
		flipped[len(flipped)/2] = 'A'
	}
	for name, path := range map[string]string{
		"changed":            biz + "/members?page_size=5&bookmark=" + url.QueryEscape(string(flipped)),
		"truncated":          biz + "/members?page_size=5&bookmark=" + url.QueryEscape(bm[:len(bm)-4]),
		"other filter":       biz + "/members?page_size=5&business_roles=EMPLOYEE&bookmark=" + url.QueryEscape(bm),
		"other operation":    biz + "/partners?page_size=5&bookmark=" + url.QueryEscape(bm),
		"other system users": biz + "/members?fetch_system_users=true&bookmark=" + url.QueryEscape(bm),
	} {
		a := h.get(tok, path)
		if a.status != 400 {
			t.Errorf("%s bookmark: status %d, want 400: %s", name, a.status, a.body)
			continue
		}
		if code, _ := a.apiErr(t); code != 1 {
			t.Errorf("%s bookmark: code %d, want 1", name, code)
		}
	}
	// Another page size may follow the same bookmark.
	if a := h.get(tok, biz+"/members?page_size=50&bookmark="+url.QueryEscape(bm)); a.status != 200 {
		t.Errorf("bookmark with another page size: %d %s", a.status, a.body)
	}
	// A bookmark from another sandbox is refused.
	other := newHarness(t, nil, nil)
	if a := other.get(other.token(AdminUsername), biz+"/members?page_size=5&bookmark="+url.QueryEscape(bm)); a.status != 400 {
		t.Errorf("bookmark from another sandbox: %d", a.status)
	}
	// A stale bookmark is refused.
	h.clock.Advance(2 * time.Hour)
	if a := h.get(tok, biz+"/members?page_size=5&bookmark="+url.QueryEscape(bm)); a.status != 400 {
		t.Errorf("stale bookmark: %d %s", a.status, a.body)
	}
}
