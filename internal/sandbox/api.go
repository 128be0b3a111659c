package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"pinaccess/internal/openapi"
)

// call is one authenticated API request being answered.
type call struct {
	*params
	s    *Sandbox
	st   *state
	tok  *token
	user *User
}

type handler func(c *call) (any, error)

func (s *Sandbox) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth/{$}", s.consentPage)
	m.HandleFunc("POST /oauth/{$}", s.consentDecision)
	m.HandleFunc("GET /oauth/sandbox.css", s.stylesheet)
	m.HandleFunc("GET /oauth", func(w http.ResponseWriter, r *http.Request) {
		// Relative, so it works under any mount point.
		target := "oauth/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", target) // not http.Redirect: it would make it absolute
		w.WriteHeader(http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /{$}", s.index)
	s.oauthRoute(m, "oauth/token", s.tokenGrant)
	s.oauthRoute(m, "token/revoke", s.revoke)
	for id, h := range map[string]handler{
		"user_account/get":                  s.userAccount,
		"linked_business_accounts/get":      s.linkedBusinesses,
		"get/business_employers":            s.employers,
		"get/business_members":              s.members,
		"get/business_partners":             s.partners,
		"business_assets/get":               s.businessAssets,
		"business_member_assets/get":        s.memberAssets,
		"business_partner_asset_access/get": s.partnerAssets,
		"business_asset_members/get":        s.assetMembers,
		"business_asset_partners/get":       s.assetPartners,
		"get/invites":                       s.invitesList,
		"ad_accounts/list":                  s.adAccounts,
		"ad_accounts/get":                   s.adAccount,
		"conversion_tags/list":              s.conversionTags,
		"conversion_tags/get":               s.conversionTag,
	} {
		s.apiRoute(m, id, h)
	}
	m.HandleFunc("/v5/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-pinterest-rid", s.requestID())
		writeError(w, &apiError{Status: http.StatusNotFound, Code: 404, Message: "Not found: the sandbox has no " + r.Method + " " + r.URL.Path + "."})
	})
	s.mux = m
}

// index says what this is to someone who opens the sandbox's root.
func (s *Sandbox) index(w http.ResponseWriter, r *http.Request) {
	s.dataMu.RLock()
	b := s.st.d.Business
	var apps []string
	for _, a := range s.st.d.Apps {
		apps = append(apps, a.ID)
	}
	s.dataMu.RUnlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Pinterest sandbox (an emulator of Pinterest API v5 for pinaccess).\n\n"+
		"API:          v5/ (bearer token)\nConsent page: oauth/?client_id=…&redirect_uri=…&response_type=code&scope=…&state=…\n"+
		"Token:        v5/oauth/token (HTTP Basic with the app ID and secret)\nApps:         %s\nBusiness ID:  %s (%s)\n",
		strings.Join(apps, ", "), b.ID, b.Name)
}

// Implemented lists the operationIds the sandbox answers.
func Implemented() []string {
	ids := []string{
		"oauth/token", "token/revoke", "user_account/get", "linked_business_accounts/get",
		"get/business_employers", "get/business_members", "get/business_partners", "business_assets/get",
		"business_member_assets/get", "business_partner_asset_access/get", "business_asset_members/get",
		"business_asset_partners/get", "get/invites", "ad_accounts/list", "ad_accounts/get",
		"conversion_tags/list", "conversion_tags/get",
	}
	slices.Sort(ids)
	return ids
}

func pattern(op openapi.Operation) string { return op.Method + " /v5" + op.Path }

// apiRoute serves one bearer-token operation: faults, authentication,
// scopes, rate limit, then the handler.
func (s *Sandbox) apiRoute(m *http.ServeMux, id string, h handler) {
	op, ok := s.ops[id]
	if !ok {
		panic("sandbox: operation " + id + " is not in the OpenAPI description")
	}
	m.HandleFunc(pattern(op), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-pinterest-rid", s.requestID())
		status, injected := s.serveAPI(w, r, op, h)
		if status != 0 {
			s.count(id, status, injected)
		}
	})
}

func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, op openapi.Operation, h handler) (status int, injected bool) {
	fail, err := s.fault(r.Context())
	if err != nil {
		return 0, false // the client went away
	}
	if fail != nil {
		writeError(w, fail)
		return fail.Status, true
	}
	tok, aerr := s.authenticate(r, op)
	if aerr != nil {
		if aerr.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pinterest"`)
		}
		writeError(w, aerr)
		return aerr.Status, false
	}
	if aerr := s.takeQuota(w, tok, op.Category); aerr != nil {
		writeError(w, aerr)
		return aerr.Status, false
	}
	s.dataMu.RLock()
	c := &call{params: newParams(r), s: s, st: s.st, tok: tok}
	c.user = c.st.users[tok.userID]
	var v any
	if c.user == nil {
		err = errAuth // the account is gone
	} else {
		v, err = h(c)
		if err == nil && c.err != nil {
			err = c.err
		}
	}
	s.dataMu.RUnlock()
	if err != nil {
		writeError(w, err)
		if ae, ok := err.(*apiError); ok {
			return ae.Status, false
		}
		return http.StatusInternalServerError, false
	}
	writeJSON(w, http.StatusOK, v)
	return http.StatusOK, false
}

// business checks the path's business_id and that the token's user is a
// BIZ_ADMIN of it. Pinterest does not tell a business it will not show
// from one that does not exist, so both are 403 code 29.
func (c *call) business() bool {
	id := c.path("business_id", 20)
	if c.err != nil {
		return false
	}
	if id != c.st.d.Business.ID || !c.user.HasRole(RoleBizAdmin) {
		c.err = errForbidden
		return false
	}
	return true
}

// JSON shapes, mirroring the OpenAPI schemas.

type userSummary struct {
	Email    *string `json:"email"`
	ID       string  `json:"id"`
	Username string  `json:"username"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func int64OrNil(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func (st *state) userRef(id string) *userSummary {
	if u := st.users[id]; u != nil {
		return &userSummary{Email: strOrNil(u.Email), ID: u.ID, Username: u.Username}
	}
	if p := st.partners[id]; p != nil {
		return &userSummary{Email: strOrNil(p.Email), ID: p.ID, Username: p.Username}
	}
	if id == st.d.Business.ID {
		return &userSummary{ID: id, Username: st.d.Business.Username}
	}
	return nil
}

type idPermissions struct {
	ID          string   `json:"id"`
	Permissions []string `json:"permissions"`
}

type assetsSummary struct {
	AdAccounts []idPermissions `json:"ad_accounts"`
	Profiles   []idPermissions `json:"profiles"`
}

type roleBinding struct {
	AssetsSummary     *assetsSummary `json:"assets_summary,omitempty"`
	BusinessRoles     []string       `json:"business_roles"`
	CreatedByBusiness *userSummary   `json:"created_by_business"`
	CreatedByUser     *userSummary   `json:"created_by_user"`
	CreatedTime       *int64         `json:"created_time"`
	ID                string         `json:"id"`
	IsSharedPartner   bool           `json:"is_shared_partner"`
	User              *userSummary   `json:"user"`
}

func (st *state) summary(grants []*Grant) *assetsSummary {
	sum := &assetsSummary{AdAccounts: []idPermissions{}, Profiles: []idPermissions{}}
	for _, g := range grants {
		a := st.assets[g.AssetID]
		switch {
		case a == nil:
		case a.Type == AssetAdAccount:
			sum.AdAccounts = append(sum.AdAccounts, idPermissions{a.ID, g.Permissions})
		case a.Type == AssetProfile:
			sum.Profiles = append(sum.Profiles, idPermissions{a.ID, g.Permissions})
		}
	}
	return sum
}

type assetGroupInfo struct {
	AdAccountsIDs []string     `json:"ad_accounts_ids"`
	Description   *string      `json:"asset_group_description"`
	Name          *string      `json:"asset_group_name"`
	Types         []string     `json:"asset_group_types"`
	CatalogsIDs   []string     `json:"catalogs_ids"`
	CreatedBy     *userSummary `json:"created_by"`
	CreatedTime   *int64       `json:"created_time"`
	ID            string       `json:"id"`
	Owner         *userSummary `json:"owner"`
	ProfilesIDs   []string     `json:"profiles_ids"`
	UpdatedTime   *int64       `json:"updated_time"`
}

func (st *state) groupInfo(a *Asset) *assetGroupInfo {
	if a.Type != AssetGroup {
		return nil
	}
	gi := &assetGroupInfo{
		AdAccountsIDs: []string{}, CatalogsIDs: []string{}, ProfilesIDs: []string{},
		Description: strOrNil(a.Description), Name: strOrNil(a.Name), Types: a.GroupTypes,
		CreatedTime: int64OrNil(a.CreatedTime), UpdatedTime: int64OrNil(a.UpdatedTime),
		ID: a.ID, Owner: st.userRef(a.OwnerID),
	}
	if gi.Types == nil {
		gi.Types = []string{}
	}
	for _, c := range a.Contents {
		switch ca := st.assets[c]; {
		case ca == nil:
		case ca.Type == AssetAdAccount:
			gi.AdAccountsIDs = append(gi.AdAccountsIDs, c)
		case ca.Type == AssetProfile:
			gi.ProfilesIDs = append(gi.ProfilesIDs, c)
		case ca.Type == AssetCatalog:
			gi.CatalogsIDs = append(gi.CatalogsIDs, c)
		}
	}
	return gi
}

// GET /user_account

type account struct {
	About          string  `json:"about"`
	AccountType    string  `json:"account_type"`
	BusinessName   *string `json:"business_name"`
	ID             string  `json:"id"`
	ProfileImage   string  `json:"profile_image"`
	Username       string  `json:"username"`
	WebsiteURL     string  `json:"website_url"`
	BoardCount     *int    `json:"board_count"`
	FollowerCount  *int    `json:"follower_count"`
	FollowingCount *int    `json:"following_count"`
	MonthlyViews   *int    `json:"monthly_views"`
	PinCount       *int    `json:"pin_count"`
}

func profileImage(username string) string {
	return "https://i.pinimg.com/sandbox/" + username + "_150.jpg"
}

func (s *Sandbox) userAccount(c *call) (any, error) {
	adID := c.id("ad_account_id", 18)
	if c.err != nil {
		return nil, c.err
	}
	if adID != "" {
		// The account that owns an ad account the user can access.
		a := c.st.assets[adID]
		if a == nil || a.Type != AssetAdAccount || len(c.st.adAccountPerms(c.user, a)) == 0 {
			return nil, &apiError{Status: http.StatusForbidden, Code: 403, Message: "Not authorized to access the user account."}
		}
		if a.OwnerID == c.st.d.Business.ID {
			b := c.st.d.Business
			return account{AccountType: "BUSINESS", BusinessName: strOrNil(b.Name), ID: b.ID, Username: b.Username, ProfileImage: profileImage(b.Username), WebsiteURL: "https://" + defaultBusinessEmail}, nil
		}
		if p := c.st.partners[a.OwnerID]; p != nil {
			return account{AccountType: "BUSINESS", BusinessName: strOrNil(p.Username), ID: p.ID, Username: p.Username, ProfileImage: profileImage(p.Username)}, nil
		}
	}
	u := c.user
	typ := u.AccountType
	if typ == "" {
		typ = "BUSINESS"
	}
	acc := account{AccountType: typ, ID: u.ID, Username: u.Username, ProfileImage: profileImage(u.Username)}
	if typ == "BUSINESS" {
		acc.BusinessName = strOrNil(u.Name)
	}
	return acc, nil
}

// GET /user_account/businesses

type linkedBusiness struct {
	ImageLargeURL  string `json:"image_large_url"`
	ImageMediumURL string `json:"image_medium_url"`
	ImageSmallURL  string `json:"image_small_url"`
	ImageXLargeURL string `json:"image_xlarge_url"`
	Username       string `json:"username"`
}

func (s *Sandbox) linkedBusinesses(c *call) (any, error) {
	out := []linkedBusiness{}
	if c.user.IsMember() {
		b := c.st.d.Business.Username
		img := "https://i.pinimg.com/sandbox/" + b
		out = append(out, linkedBusiness{img + "_280.jpg", img + "_75.jpg", img + "_30.jpg", img + "_600.jpg", b})
	}
	return out, nil
}

// GET /businesses/employers

func (s *Sandbox) employers(c *call) (any, error) {
	pg := s.paging(c.params, false)
	if c.err != nil {
		return nil, c.err
	}
	var list []string
	if c.user.IsMember() {
		list = []string{c.st.d.Business.ID}
	}
	ids, next := paginate(list, func(id string) string { return id }, nil, pg.after, 0, pg.size)
	items := make([]roleBinding, 0, len(ids))
	for range ids {
		b := c.st.d.Business
		items = append(items, roleBinding{
			BusinessRoles: c.user.BusinessRoles,
			CreatedByUser: c.st.userRef(c.user.CreatedByUser),
			CreatedTime:   int64OrNil(c.user.CreatedTime),
			ID:            b.ID,
			User:          &userSummary{ID: b.ID, Username: b.Username},
		})
	}
	return s.pageOf(items, pg, next), nil
}

// GET /businesses/{business_id}/members

func (s *Sandbox) members(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	system := c.boolean("fetch_system_users", false)
	withSummary := c.boolean("assets_summary", false)
	roles := c.enums("business_roles", RoleEmployee, RoleBizAdmin)
	ids, byIDs := c.idList("member_ids")
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	sys := 0
	if system {
		sys = 1
	}
	list := c.st.members[sys]
	if r := uniq(roles); len(r) == 1 {
		list = c.st.membersByRole[sys][r[0]]
	}
	if byIDs {
		var picked []*User
		for _, id := range ids {
			if u := c.st.users[id]; u != nil && u.IsMember() && u.IsSystemUser == system && (len(roles) == 0 || slices.ContainsFunc(roles, u.HasRole)) {
				picked = append(picked, u)
			}
		}
		slices.SortFunc(picked, func(a, b *User) int { return strings.Compare(a.ID, b.ID) })
		list = picked
	}
	users, next := paginate(list, func(u *User) string { return u.ID }, nil, pg.after, pg.start, pg.size)
	items := make([]roleBinding, 0, len(users))
	for _, u := range users {
		rb := roleBinding{
			BusinessRoles: u.BusinessRoles,
			CreatedByUser: c.st.userRef(u.CreatedByUser),
			CreatedTime:   int64OrNil(u.CreatedTime),
			ID:            u.ID,
			User:          &userSummary{Email: strOrNil(u.Email), ID: u.ID, Username: u.Username},
		}
		if withSummary {
			rb.AssetsSummary = c.st.summary(c.st.memberGrants[u.ID])
		}
		items = append(items, rb)
	}
	return s.pageOf(items, pg, next), nil
}

// GET /businesses/{business_id}/partners

func (s *Sandbox) partners(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	withSummary := c.boolean("assets_summary", false)
	typ := c.enum("partner_type", "", PartnerInternal, PartnerExternal)
	ids, byIDs := c.idList("partner_ids")
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	list := c.st.partnerList
	if typ != "" {
		list = c.st.partnersByTyp[typ]
	}
	if byIDs {
		var picked []*Partner
		for _, id := range ids {
			if p := c.st.partners[id]; p != nil && (typ == "" || p.PartnerType == typ) {
				picked = append(picked, p)
			}
		}
		slices.SortFunc(picked, func(a, b *Partner) int { return strings.Compare(a.ID, b.ID) })
		list = picked
	}
	ps, next := paginate(list, func(p *Partner) string { return p.ID }, nil, pg.after, pg.start, pg.size)
	items := make([]roleBinding, 0, len(ps))
	for _, p := range ps {
		rb := roleBinding{
			BusinessRoles:   []string{RolePartner},
			CreatedByUser:   c.st.userRef(p.CreatedByUser),
			CreatedTime:     int64OrNil(p.CreatedTime),
			ID:              p.ID,
			IsSharedPartner: p.IsSharedPartner,
			User:            &userSummary{Email: strOrNil(p.Email), ID: p.ID, Username: p.Username},
		}
		if withSummary {
			rb.AssetsSummary = c.st.summary(c.st.partnerGrants[p.ID])
		}
		items = append(items, rb)
	}
	return s.pageOf(items, pg, next), nil
}

// GET /businesses/{business_id}/assets

var assetTypes = []string{AssetAdAccount, AssetProfile, AssetGroup, AssetCatalog, "CONSUMER"}

type catalogInfo struct {
	CatalogType string `json:"catalog_type"`
	ID          string `json:"id"`
	Name        string `json:"name"`
}

type businessAsset struct {
	AssetGroupInfo *assetGroupInfo `json:"asset_group_info,omitempty"`
	AssetID        string          `json:"asset_id"`
	AssetType      string          `json:"asset_type"`
	CatalogInfo    *catalogInfo    `json:"catalog_info,omitempty"`
}

func (s *Sandbox) businessAssets(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	perms := c.enums("permissions", "ADMIN", "ANALYST", "FINANCE_MANAGER", "FINANCE_EDIT", "FINANCE_VIEW",
		"AUDIENCE_MANAGER", "CAMPAIGN_MANAGER", "CATALOGS_MANAGER", "CATALOGS_VIEWER", "PROFILE_PUBLISHER", "OWNER")
	child := c.id("child_asset_id", 20)
	group := c.id("asset_group_id", 20)
	typ := c.enum("asset_type", AssetAdAccount, assetTypes...)
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	st := c.st
	list := st.visible[typ]
	switch {
	case child != "":
		// The asset groups that hold child_asset_id.
		list = st.groupsContaining[child]
	case group != "":
		// The assets of asset_type inside asset_group_id.
		list = nil
		if g := st.visibleAsset(group); g != nil && g.Type == AssetGroup {
			for _, id := range g.Contents {
				if a := st.assets[id]; a != nil && a.Type == typ {
					list = append(list, a)
				}
			}
			slices.SortFunc(list, func(a, b *Asset) int { return strings.Compare(a.ID, b.ID) })
		}
	case len(perms) == 1 && perms[0] == "OWNER":
		list = st.owned[typ]
	}
	var match func(a *Asset) bool
	if len(perms) > 0 {
		match = func(a *Asset) bool {
			if a.OwnerID == st.d.Business.ID {
				return slices.Contains(perms, "OWNER")
			}
			return slices.ContainsFunc(st.bizPerms[a.ID], func(p string) bool { return slices.Contains(perms, p) })
		}
	}
	as, next := paginate(list, func(a *Asset) string { return a.ID }, match, pg.after, pg.start, pg.size)
	items := make([]businessAsset, 0, len(as))
	for _, a := range as {
		ba := businessAsset{AssetID: a.ID, AssetType: a.Type, AssetGroupInfo: st.groupInfo(a)}
		if a.Type == AssetCatalog {
			ba.CatalogInfo = &catalogInfo{CatalogType: a.CatalogType, ID: a.ID, Name: a.Name}
		}
		items = append(items, ba)
	}
	return s.pageOf(items, pg, next), nil
}

// GET /businesses/{business_id}/members/{member_id}/assets and
// GET /businesses/{business_id}/partners/{partner_id}/assets

type assetPermissions struct {
	AssetGroupInfo *assetGroupInfo `json:"asset_group_info,omitempty"`
	AssetID        string          `json:"asset_id"`
	AssetType      string          `json:"asset_type"`
	Permissions    []string        `json:"permissions"`
}

func (s *Sandbox) grantPage(c *call, grants []*Grant, typ string, pg paging) page {
	st := c.st
	match := func(g *Grant) bool {
		a := st.assets[g.AssetID]
		return a != nil && a.Type == typ
	}
	gs, next := paginate(grants, func(g *Grant) string { return g.AssetID }, match, pg.after, pg.start, pg.size)
	items := make([]assetPermissions, 0, len(gs))
	for _, g := range gs {
		a := st.assets[g.AssetID]
		items = append(items, assetPermissions{AssetID: a.ID, AssetType: a.Type, Permissions: g.Permissions, AssetGroupInfo: st.groupInfo(a)})
	}
	return s.pageOf(items, pg, next)
}

func (s *Sandbox) memberAssets(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	id := c.path("member_id", 20)
	typ := c.enum("asset_type", AssetAdAccount, assetTypes...)
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	u := c.st.users[id]
	if u == nil || !u.IsMember() {
		return nil, notFound("Member")
	}
	return s.grantPage(c, c.st.memberGrants[id], typ, pg), nil
}

func (s *Sandbox) partnerAssets(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	id := c.path("partner_id", 20)
	ptype := c.enum("partner_type", PartnerInternal, PartnerInternal, PartnerExternal)
	typ := c.enum("asset_type", AssetAdAccount, assetTypes...)
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	p := c.st.partners[id]
	if p == nil {
		return nil, notFound("Partner")
	}
	var grants []*Grant
	if p.PartnerType == ptype {
		grants = c.st.partnerGrants[id]
	}
	return s.grantPage(c, grants, typ, pg), nil
}

// GET /businesses/{business_id}/assets/{asset_id}/members and .../partners

type userAssetBinding struct {
	Permissions []string     `json:"permissions"`
	User        *userSummary `json:"user"`
}

func (s *Sandbox) assetMembers(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	id := c.path("asset_id", 20)
	system := c.boolean("fetch_system_users", false)
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	st := c.st
	if st.visibleAsset(id) == nil {
		return nil, notFound("Asset")
	}
	match := func(g *Grant) bool {
		u := st.users[g.MemberID]
		return u != nil && u.IsSystemUser == system
	}
	gs, next := paginate(st.assetMemberGrants[id], func(g *Grant) string { return g.MemberID }, match, pg.after, pg.start, pg.size)
	items := make([]userAssetBinding, 0, len(gs))
	for _, g := range gs {
		items = append(items, userAssetBinding{Permissions: g.Permissions, User: st.userRef(g.MemberID)})
	}
	return s.pageOf(items, pg, next), nil
}

func (s *Sandbox) assetPartners(c *call) (any, error) {
	if !c.business() {
		return nil, c.err
	}
	id := c.path("asset_id", 20)
	pg := s.paging(c.params, true)
	if c.err != nil {
		return nil, c.err
	}
	st := c.st
	a := st.visibleAsset(id)
	if a == nil {
		return nil, notFound("Asset")
	}
	var grants []*Grant
	if a.OwnerID == st.d.Business.ID { // empty for assets shared with us
		grants = st.assetPartnerGrants[id]
	}
	gs, next := paginate(grants, func(g *Grant) string { return g.PartnerID }, nil, pg.after, pg.start, pg.size)
	items := make([]userAssetBinding, 0, len(gs))
	for _, g := range gs {
		items = append(items, userAssetBinding{Permissions: g.Permissions, User: st.userRef(g.PartnerID)})
	}
	return s.pageOf(items, pg, next), nil
}

// GET /businesses/{business_id}/invites

type inviteData struct {
	InviteExpiration int64  `json:"invite_expiration"`
	InviteStatus     string `json:"invite_status"`
	InviteType       string `json:"invite_type"`
	LastUpdatedTime  int64  `json:"last_updated_time"`
	SentAt           int64  `json:"sent_at"`
}

type invite struct {
	AssetsSummary     *assetsSummary `json:"assets_summary"`
	BusinessRoles     []string       `json:"business_roles"`
	CreatedByBusiness *userSummary   `json:"created_by_business"`
	CreatedByUser     *userSummary   `json:"created_by_user"`
	CreatedTime       int64          `json:"created_time"`
	ID                string         `json:"id"`
	InviteData        inviteData     `json:"invite_data"`
	IsReceivedInvite  bool           `json:"is_received_invite"`
	User              inviteUser     `json:"user"`
}

// inviteUser is the invitee; an invite by email has no ID or username yet.
type inviteUser struct {
	Email    *string `json:"email"`
	ID       *string `json:"id"`
	Username *string `json:"username"`
}

func (s *Sandbox) invitesList(c *call) (any, error) {
	// This operation's business_id has no maxLength in the description.
	id := c.path("business_id", 64)
	if c.err == nil && (id != c.st.d.Business.ID || !c.user.HasRole(RoleBizAdmin)) {
		return nil, errForbidden
	}
	isMember := c.boolean("is_member", true)
	statuses := c.enums("invite_status", "PENDING", "EXPIRED")
	if len(statuses) > 2 {
		c.fail("Invalid parameter invite_status: give at most two values.")
	}
	typ := c.enum("invite_type", "", "MEMBER_INVITE", "PARTNER_INVITE", "PARTNER_REQUEST")
	pg := s.paging(c.params, false)
	if c.err != nil {
		return nil, c.err
	}
	st := c.st
	match := func(inv *Invite) bool {
		if (inv.InviteType == "MEMBER_INVITE") != isMember {
			return false
		}
		if typ != "" && inv.InviteType != typ {
			return false
		}
		return len(statuses) == 0 || slices.Contains(statuses, inv.InviteStatus)
	}
	invs, next := paginate(st.invites, func(i *Invite) string { return i.ID }, match, pg.after, 0, pg.size)
	items := make([]invite, 0, len(invs))
	for _, inv := range invs {
		sum := &assetsSummary{AdAccounts: []idPermissions{}, Profiles: []idPermissions{}}
		for _, ap := range inv.Assets {
			if a := st.assets[ap.AssetID]; a != nil && a.Type == AssetProfile {
				sum.Profiles = append(sum.Profiles, idPermissions{ap.AssetID, ap.Permissions})
			} else {
				sum.AdAccounts = append(sum.AdAccounts, idPermissions{ap.AssetID, ap.Permissions})
			}
		}
		roles := inv.BusinessRoles
		if roles == nil {
			roles = []string{}
		}
		items = append(items, invite{
			AssetsSummary: sum,
			BusinessRoles: roles,
			CreatedByUser: st.userRef(inv.CreatedByUser),
			CreatedTime:   inv.SentAt,
			ID:            inv.ID,
			InviteData: inviteData{
				InviteExpiration: inv.Expiration, InviteStatus: inv.InviteStatus, InviteType: inv.InviteType,
				LastUpdatedTime: inv.SentAt, SentAt: inv.SentAt,
			},
			IsReceivedInvite: inv.IsReceivedInvite,
			User:             inviteUser{Email: strOrNil(inv.Email), ID: strOrNil(inv.UserID), Username: strOrNil(inv.Username)},
		})
	}
	return s.pageOf(items, pg, next), nil
}

// GET /ad_accounts and /ad_accounts/{ad_account_id}

type adAccountOwner struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type adAccount struct {
	Country     string         `json:"country"`
	CreatedTime *int64         `json:"created_time"`
	Currency    string         `json:"currency"`
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Owner       adAccountOwner `json:"owner"`
	Permissions []string       `json:"permissions"`
	UpdatedTime *int64         `json:"updated_time"`
}

var accessRoles = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range businessAccessRoles {
		m[r] = true
	}
	return m
}()

func (st *state) adAccountJSON(a *Asset, perms []string) adAccount {
	owner := adAccountOwner{ID: a.OwnerID}
	if ref := st.userRef(a.OwnerID); ref != nil {
		owner.Username = ref.Username
	}
	// AdAccount.permissions holds BusinessAccessRole values only.
	out := make([]string, 0, len(perms))
	for _, p := range perms {
		if accessRoles[p] {
			out = append(out, p)
		}
	}
	secs := func(ms int64) *int64 { return int64OrNil(ms / 1000) }
	return adAccount{Country: a.Country, CreatedTime: secs(a.CreatedTime), Currency: a.Currency, ID: a.ID,
		Name: a.Name, Owner: owner, Permissions: out, UpdatedTime: secs(a.UpdatedTime)}
}

func (s *Sandbox) adAccounts(c *call) (any, error) {
	shared := c.boolean("include_shared_accounts", true)
	pg := s.paging(c.params, false)
	if c.err != nil {
		return nil, c.err
	}
	st, u := c.st, c.user
	var list []*Asset
	switch {
	case shared && u.HasRole(RoleBizAdmin):
		list = st.visible[AssetAdAccount]
	case shared:
		for _, g := range st.memberGrants[u.ID] {
			if a := st.assets[g.AssetID]; a != nil && a.Type == AssetAdAccount {
				list = append(list, a)
			}
		}
	}
	// Ad accounts the user owns personally.
	if own := st.personal[u.ID]; len(own) > 0 {
		list = append(slices.Clip(list), own...)
		slices.SortFunc(list, func(a, b *Asset) int { return strings.Compare(a.ID, b.ID) })
		list = slices.CompactFunc(list, func(a, b *Asset) bool { return a.ID == b.ID })
	}
	as, next := paginate(list, func(a *Asset) string { return a.ID }, nil, pg.after, 0, pg.size)
	items := make([]adAccount, 0, len(as))
	for _, a := range as {
		items = append(items, st.adAccountJSON(a, st.adAccountPerms(u, a)))
	}
	return s.pageOf(items, pg, next), nil
}

// accessibleAdAccount checks the path's ad_account_id against what the
// token's user may see.
func (c *call) accessibleAdAccount() (*Asset, []string) {
	id := c.path("ad_account_id", 18)
	if c.err != nil {
		return nil, nil
	}
	a := c.st.assets[id]
	if a == nil || a.Type != AssetAdAccount {
		c.err = &apiError{Status: http.StatusNotFound, Code: 2, Message: "AdAccount not found."}
		return nil, nil
	}
	perms := c.st.adAccountPerms(c.user, a)
	if len(perms) == 0 {
		c.err = errForbidden
		return nil, nil
	}
	return a, perms
}

func (s *Sandbox) adAccount(c *call) (any, error) {
	a, perms := c.accessibleAdAccount()
	if c.err != nil {
		return nil, c.err
	}
	return c.st.adAccountJSON(a, perms), nil
}

// GET /ad_accounts/{ad_account_id}/conversion_tags[/{conversion_tag_id}]

type tagConfigs struct {
	AEMEnabled  bool     `json:"aem_enabled"`
	MDFrequency float64  `json:"md_frequency"`
	Domains     []string `json:"no_code_capi_domains"`
}

type conversionTag struct {
	AdAccountID         string     `json:"ad_account_id"`
	CodeSnippet         string     `json:"code_snippet"`
	Configs             tagConfigs `json:"configs"`
	EnhancedMatchStatus *string    `json:"enhanced_match_status"`
	ID                  string     `json:"id"`
	LastFiredTimeMs     *int64     `json:"last_fired_time_ms"`
	Name                string     `json:"name"`
	Status              string     `json:"status"`
	Version             string     `json:"version"`
}

func tagJSON(t *ConversionTag) conversionTag {
	snippet := fmt.Sprintf("<script type=\"text/javascript\">!function(e){if(!window.pintrk){window.pintrk=function(){"+
		"window.pintrk.queue.push(Array.prototype.slice.call(arguments))};var n=window.pintrk;n.queue=[],n.version=\"3.0\";"+
		"var t=document.createElement(\"script\");t.async=!0,t.src=e;var r=document.getElementsByTagName(\"script\")[0];"+
		"r.parentNode.insertBefore(t,r)}}(\"https://s.pinimg.com/ct/core.js\");pintrk('load', '%s');pintrk('page');</script>", t.ID)
	mdf := t.MDFrequency
	if mdf == 0 {
		mdf = 1
	}
	return conversionTag{
		AdAccountID: t.AdAccountID, CodeSnippet: snippet,
		Configs:             tagConfigs{AEMEnabled: t.AEMEnabled, MDFrequency: mdf, Domains: []string{}},
		EnhancedMatchStatus: strOrNil(t.EnhancedMatchStatus), ID: t.ID, LastFiredTimeMs: int64OrNil(t.LastFiredTimeMs),
		Name: t.Name, Status: t.Status, Version: t.Version,
	}
}

func (s *Sandbox) conversionTags(c *call) (any, error) {
	a, _ := c.accessibleAdAccount()
	filterDeleted := c.boolean("filter_deleted", false)
	if c.err != nil {
		return nil, c.err
	}
	items := []conversionTag{}
	for _, t := range c.st.tags[a.ID] {
		if filterDeleted && (t.Status == "ARCHIVED" || t.Status == "DELETED_DRAFT") {
			continue
		}
		items = append(items, tagJSON(t))
	}
	return struct {
		Items []conversionTag `json:"items"`
	}{items}, nil
}

func (s *Sandbox) conversionTag(c *call) (any, error) {
	a, _ := c.accessibleAdAccount()
	id := c.path("conversion_tag_id", 18)
	if c.err != nil {
		return nil, c.err
	}
	for _, t := range c.st.tags[a.ID] {
		if t.ID == id {
			return tagJSON(t), nil
		}
	}
	return nil, notFound("Conversion tag")
}
