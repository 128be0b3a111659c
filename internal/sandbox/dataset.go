package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Asset types, as Pinterest names them.
const (
	AssetAdAccount = "AD_ACCOUNT"
	AssetProfile   = "PROFILE"
	AssetGroup     = "ASSET_GROUP"
	AssetCatalog   = "CATALOG"
)

// Business roles: members are BIZ_ADMIN or EMPLOYEE; partners show as
// PARTNER.
const (
	RoleBizAdmin = "BIZ_ADMIN"
	RoleEmployee = "EMPLOYEE"
	RolePartner  = "PARTNER"
)

// Partner types: an INTERNAL partner uses our assets, an EXTERNAL one
// shares its own with us.
const (
	PartnerInternal = "INTERNAL"
	PartnerExternal = "EXTERNAL"
)

// Dataset is everything the sandbox knows: one Business Manager with its
// people, partners, assets and grants, plus the registered apps. Its JSON
// form is the --dataset file format (see docs/sandbox.md); field names
// follow Pinterest's schemas. Times are Unix milliseconds.
type Dataset struct {
	Business       Business        `json:"business"`
	Users          []User          `json:"users"`
	Partners       []Partner       `json:"partners"`
	Assets         []Asset         `json:"assets"`
	Grants         []Grant         `json:"grants"`
	ConversionTags []ConversionTag `json:"conversion_tags"`
	Invites        []Invite        `json:"invites"`
	Apps           []App           `json:"apps"`
}

// Business is the Business Manager the dataset describes.
type Business struct {
	ID       string `json:"id"`       // digits, 1–20
	Username string `json:"username"` // the business account's username
	Name     string `json:"name"`
}

// User is a Pinterest account: a member of the business (BusinessRoles not
// empty), a system user of it, or an outsider who can still log in to the
// consent page.
type User struct {
	ID            string   `json:"id"`
	Username      string   `json:"username"`
	Name          string   `json:"name,omitempty"` // display name: /user_account's business_name for a BUSINESS account
	Email         string   `json:"email,omitempty"`
	AccountType   string   `json:"account_type,omitempty"`    // BUSINESS or PINNER; default BUSINESS
	BusinessRoles []string `json:"business_roles,omitempty"`  // BIZ_ADMIN or EMPLOYEE; empty for a non-member
	IsSystemUser  bool     `json:"is_system_user,omitempty"`  // listed only with fetch_system_users=true
	CreatedTime   int64    `json:"created_time,omitempty"`    // when the membership began
	CreatedByUser string   `json:"created_by_user,omitempty"` // ID of the member who added this one
}

// IsMember reports whether u belongs to the business.
func (u *User) IsMember() bool { return len(u.BusinessRoles) > 0 }

// HasRole reports whether u holds the business role r.
func (u *User) HasRole(r string) bool { return slices.Contains(u.BusinessRoles, r) }

// Partner is another business linked to ours. An INTERNAL partner uses our
// assets (grants give it permissions on assets we own); an EXTERNAL partner
// shares its own assets with us (grants give our business permissions on
// assets the partner owns).
type Partner struct {
	ID              string `json:"id"`
	Username        string `json:"username"`
	Email           string `json:"email,omitempty"`
	PartnerType     string `json:"partner_type"` // INTERNAL or EXTERNAL
	IsSharedPartner bool   `json:"is_shared_partner,omitempty"`
	CreatedTime     int64  `json:"created_time,omitempty"`
	CreatedByUser   string `json:"created_by_user,omitempty"`
}

// Asset is an ad account, profile, asset group or catalog. OwnerID is the
// business's ID for assets it owns, or an EXTERNAL partner's ID for assets
// shared with it.
type Asset struct {
	ID          string `json:"id"`
	Type        string `json:"type"` // AD_ACCOUNT, PROFILE, ASSET_GROUP or CATALOG
	Name        string `json:"name"`
	OwnerID     string `json:"owner_id"`
	CreatedTime int64  `json:"created_time,omitempty"`
	UpdatedTime int64  `json:"updated_time,omitempty"`

	// Ad accounts.
	Currency string `json:"currency,omitempty"` // ISO 4217, from the spec's Currency enum
	Country  string `json:"country,omitempty"`  // ISO 3166-1 alpha-2

	// Asset groups.
	Description string   `json:"description,omitempty"`
	GroupTypes  []string `json:"asset_group_types,omitempty"` // BRAND, LOCATION_OR_LANGUAGE, PRODUCT_LINE, OTHER
	Contents    []string `json:"contents,omitempty"`          // IDs of the ad accounts, profiles and catalogs in the group

	// Catalogs.
	CatalogType string `json:"catalog_type,omitempty"` // e.g. RETAIL, HOTEL
}

// Grant gives a member (MemberID) or a partner (PartnerID) permissions on an
// asset. For an EXTERNAL partner it is the other direction: the permissions
// our business holds on the partner's asset.
type Grant struct {
	AssetID     string   `json:"asset_id"`
	MemberID    string   `json:"member_id,omitempty"`
	PartnerID   string   `json:"partner_id,omitempty"`
	Permissions []string `json:"permissions"`
}

// ConversionTag is a Pinterest tag (pixel) of an ad account.
type ConversionTag struct {
	ID                  string  `json:"id"`
	AdAccountID         string  `json:"ad_account_id"`
	Name                string  `json:"name"`
	Status              string  `json:"status"` // ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT
	Version             string  `json:"version,omitempty"`
	LastFiredTimeMs     int64   `json:"last_fired_time_ms,omitempty"` // 0: never fired
	EnhancedMatchStatus string  `json:"enhanced_match_status,omitempty"`
	AEMEnabled          bool    `json:"aem_enabled,omitempty"`
	MDFrequency         float64 `json:"md_frequency,omitempty"`
}

// Invite is a pending or expired invitation or request.
type Invite struct {
	ID               string            `json:"id"`
	InviteType       string            `json:"invite_type"`   // MEMBER_INVITE, PARTNER_INVITE or PARTNER_REQUEST
	InviteStatus     string            `json:"invite_status"` // PENDING or EXPIRED
	UserID           string            `json:"user_id,omitempty"`
	Username         string            `json:"username,omitempty"`
	Email            string            `json:"email,omitempty"`
	BusinessRoles    []string          `json:"business_roles,omitempty"`
	IsReceivedInvite bool              `json:"is_received_invite,omitempty"`
	CreatedByUser    string            `json:"created_by_user,omitempty"`
	SentAt           int64             `json:"sent_at,omitempty"`
	Expiration       int64             `json:"invite_expiration,omitempty"`
	Assets           []AssetPermission `json:"assets,omitempty"` // ad accounts and profiles offered
}

// AssetPermission is an asset with permissions on it.
type AssetPermission struct {
	AssetID     string   `json:"asset_id"`
	Permissions []string `json:"permissions"`
}

// App is a registered Pinterest app. Besides loopback redirect URIs and the
// sandbox's RedirectBases, it accepts the exact RedirectURIs listed.
type App struct {
	ID           string   `json:"id"`
	Secret       string   `json:"secret"`
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	OwnerID      string   `json:"owner_id,omitempty"` // the user a client_credentials token acts for
}

// LoadDataset reads a dataset in the JSON file format and checks it.
func LoadDataset(r io.Reader) (*Dataset, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var d Dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("sandbox: read dataset: %w", err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// WriteJSON writes d in the dataset file format.
func (d *Dataset) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

func isDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var validPermissions = map[string]bool{
	"ADMIN": true, "ANALYST": true, "FINANCE_MANAGER": true, "FINANCE_EDIT": true, "FINANCE_VIEW": true,
	"AUDIENCE_MANAGER": true, "CAMPAIGN_MANAGER": true, "CATALOGS_MANAGER": true, "CATALOGS_VIEWER": true,
	"PROFILE_PUBLISHER": true, "CONSUMER_USER": true,
}

var validCurrencies = map[string]bool{}
var validCountries = map[string]bool{}

func init() {
	for _, c := range currencyEnum {
		validCurrencies[c] = true
	}
	for _, c := range countryEnum {
		validCountries[c] = true
	}
}

// Validate checks that d is consistent: IDs are digit strings in Pinterest's
// lengths and unique, references resolve, enums hold known values. It
// reports up to ten problems at once.
func (d *Dataset) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if !isDigits(d.Business.ID, 20) {
		add("business id %q: want 1–20 digits", d.Business.ID)
	}
	if d.Business.Username == "" {
		add("business: username is empty")
	}
	ids := make(map[string]string, 1+len(d.Users)+len(d.Partners)+len(d.Assets)+len(d.ConversionTags)+len(d.Invites))
	ids[d.Business.ID] = "business"
	claim := func(kind, id string, max int) {
		if !isDigits(id, max) {
			add("%s id %q: want 1–%d digits", kind, id, max)
			return
		}
		if other, dup := ids[id]; dup {
			add("%s id %s is also used by a %s", kind, id, other)
			return
		}
		ids[id] = kind
	}
	users := make(map[string]*User, len(d.Users))
	usernames := make(map[string]bool, len(d.Users))
	for i := range d.Users {
		u := &d.Users[i]
		claim("user", u.ID, 20)
		users[u.ID] = u
		if u.Username == "" || usernames[u.Username] {
			add("user %s: username %q is empty or not unique", u.ID, u.Username)
		}
		usernames[u.Username] = true
		for _, r := range u.BusinessRoles {
			if r != RoleBizAdmin && r != RoleEmployee {
				add("user %s: business role %q: want BIZ_ADMIN or EMPLOYEE", u.ID, r)
			}
		}
		if u.AccountType != "" && u.AccountType != "BUSINESS" && u.AccountType != "PINNER" {
			add("user %s: account_type %q: want BUSINESS or PINNER", u.ID, u.AccountType)
		}
		if u.IsSystemUser && !u.IsMember() {
			add("user %s: a system user needs a business role", u.ID)
		}
	}
	partners := make(map[string]*Partner, len(d.Partners))
	for i := range d.Partners {
		p := &d.Partners[i]
		claim("partner", p.ID, 20)
		partners[p.ID] = p
		if p.PartnerType != PartnerInternal && p.PartnerType != PartnerExternal {
			add("partner %s: partner_type %q: want INTERNAL or EXTERNAL", p.ID, p.PartnerType)
		}
	}
	assets := make(map[string]*Asset, len(d.Assets))
	for i := range d.Assets {
		a := &d.Assets[i]
		max := 20
		if a.Type == AssetAdAccount {
			max = 18
		}
		claim("asset", a.ID, max)
		assets[a.ID] = a
		switch a.Type {
		case AssetAdAccount:
			if !validCurrencies[a.Currency] {
				add("ad account %s: currency %q is not one Pinterest knows", a.ID, a.Currency)
			}
			if !validCountries[a.Country] {
				add("ad account %s: country %q is not one Pinterest knows", a.ID, a.Country)
			}
		case AssetProfile, AssetGroup, AssetCatalog:
		default:
			add("asset %s: type %q: want AD_ACCOUNT, PROFILE, ASSET_GROUP or CATALOG", a.ID, a.Type)
		}
		if a.OwnerID != d.Business.ID {
			if p := partners[a.OwnerID]; (p == nil || p.PartnerType != PartnerExternal) && users[a.OwnerID] == nil {
				add("asset %s: owner %q is neither the business, an EXTERNAL partner nor a user", a.ID, a.OwnerID)
			}
		}
	}
	for i := range d.Assets {
		a := &d.Assets[i]
		for _, c := range a.Contents {
			if ca := assets[c]; ca == nil || ca.Type == AssetGroup {
				add("asset group %s: content %q is not an ad account, profile or catalog of the dataset", a.ID, c)
			}
		}
		if len(a.Contents) > 0 && a.Type != AssetGroup {
			add("asset %s: only asset groups have contents", a.ID)
		}
	}
	type pair struct{ asset, member, partner string }
	seen := make(map[pair]struct{}, len(d.Grants))
	for i, g := range d.Grants {
		a := assets[g.AssetID]
		if a == nil {
			add("grant %d: unknown asset %q", i, g.AssetID)
			continue
		}
		switch {
		case g.MemberID != "" && g.PartnerID == "":
			if u := users[g.MemberID]; u == nil || !u.IsMember() {
				add("grant %d: %q is not a member", i, g.MemberID)
			}
		case g.PartnerID != "" && g.MemberID == "":
			p := partners[g.PartnerID]
			switch {
			case p == nil:
				add("grant %d: unknown partner %q", i, g.PartnerID)
			case p.PartnerType == PartnerInternal && a.OwnerID != d.Business.ID:
				add("grant %d: INTERNAL partner %s can only get assets the business owns", i, p.ID)
			case p.PartnerType == PartnerExternal && a.OwnerID != p.ID:
				add("grant %d: EXTERNAL partner %s can only share assets it owns", i, p.ID)
			}
		default:
			add("grant %d: set exactly one of member_id and partner_id", i)
		}
		if len(g.Permissions) == 0 {
			add("grant %d: no permissions", i)
		}
		for _, p := range g.Permissions {
			if !validPermissions[p] {
				add("grant %d: unknown permission %q", i, p)
			}
		}
		k := pair{g.AssetID, g.MemberID, g.PartnerID}
		if _, dup := seen[k]; dup {
			add("grant %d: a second grant for the same asset and grantee", i)
		}
		seen[k] = struct{}{}
	}
	for _, t := range d.ConversionTags {
		claim("conversion tag", t.ID, 18)
		if a := assets[t.AdAccountID]; a == nil || a.Type != AssetAdAccount {
			add("conversion tag %s: unknown ad account %q", t.ID, t.AdAccountID)
		}
		switch t.Status {
		case "ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT":
		default:
			add("conversion tag %s: status %q", t.ID, t.Status)
		}
		switch t.EnhancedMatchStatus {
		case "", "UNKNOWN", "NOT_VALIDATED", "VALIDATING_IN_PROGRESS", "VALIDATION_COMPLETE":
		default:
			add("conversion tag %s: enhanced_match_status %q", t.ID, t.EnhancedMatchStatus)
		}
	}
	for _, inv := range d.Invites {
		claim("invite", inv.ID, 20)
		switch inv.InviteType {
		case "MEMBER_INVITE", "PARTNER_INVITE", "PARTNER_REQUEST":
		default:
			add("invite %s: invite_type %q", inv.ID, inv.InviteType)
		}
		if inv.InviteStatus != "PENDING" && inv.InviteStatus != "EXPIRED" {
			add("invite %s: invite_status %q: want PENDING or EXPIRED", inv.ID, inv.InviteStatus)
		}
		for _, ap := range inv.Assets {
			if a := assets[ap.AssetID]; a == nil {
				add("invite %s: unknown asset %q", inv.ID, ap.AssetID)
			}
		}
	}
	appIDs := map[string]bool{}
	for _, a := range d.Apps {
		if !isDigits(a.ID, 20) || appIDs[a.ID] {
			add("app id %q: want unique digits", a.ID)
		}
		appIDs[a.ID] = true
		if a.Secret == "" {
			add("app %s: secret is empty", a.ID)
		}
		if a.OwnerID != "" && users[a.OwnerID] == nil {
			add("app %s: owner %q is not a user", a.ID, a.OwnerID)
		}
		for _, u := range a.RedirectURIs {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				add("app %s: redirect URI %q is not http(s)", a.ID, u)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sandbox: invalid dataset: %w", errors.Join(errs...))
	}
	return nil
}

// Clone returns a deep copy of d.
func (d *Dataset) Clone() *Dataset {
	c := *d
	c.Users = slices.Clone(d.Users)
	for i := range c.Users {
		c.Users[i].BusinessRoles = slices.Clone(c.Users[i].BusinessRoles)
	}
	c.Partners = slices.Clone(d.Partners)
	c.Assets = slices.Clone(d.Assets)
	for i := range c.Assets {
		c.Assets[i].GroupTypes = slices.Clone(c.Assets[i].GroupTypes)
		c.Assets[i].Contents = slices.Clone(c.Assets[i].Contents)
	}
	c.Grants = slices.Clone(d.Grants)
	for i := range c.Grants {
		c.Grants[i].Permissions = slices.Clone(c.Grants[i].Permissions)
	}
	c.ConversionTags = slices.Clone(d.ConversionTags)
	c.Invites = slices.Clone(d.Invites)
	for i := range c.Invites {
		c.Invites[i].BusinessRoles = slices.Clone(c.Invites[i].BusinessRoles)
		c.Invites[i].Assets = slices.Clone(c.Invites[i].Assets)
	}
	c.Apps = slices.Clone(d.Apps)
	for i := range c.Apps {
		c.Apps[i].RedirectURIs = slices.Clone(c.Apps[i].RedirectURIs)
	}
	return &c
}

// User returns the user with the given username, or nil.
func (d *Dataset) User(username string) *User {
	for i := range d.Users {
		if d.Users[i].Username == username {
			return &d.Users[i]
		}
	}
	return nil
}

// RemoveUser removes a user and the grants made to it; it reports whether
// the user existed. Tests use it inside Update.
func (d *Dataset) RemoveUser(id string) bool {
	n := len(d.Users)
	d.Users = slices.DeleteFunc(d.Users, func(u User) bool { return u.ID == id })
	d.Grants = slices.DeleteFunc(d.Grants, func(g Grant) bool { return g.MemberID == id })
	return len(d.Users) != n
}

// RemoveAsset removes an asset, the grants on it, its conversion tags and
// its place in asset groups; it reports whether the asset existed.
func (d *Dataset) RemoveAsset(id string) bool {
	n := len(d.Assets)
	d.Assets = slices.DeleteFunc(d.Assets, func(a Asset) bool { return a.ID == id })
	for i := range d.Assets {
		d.Assets[i].Contents = slices.DeleteFunc(d.Assets[i].Contents, func(c string) bool { return c == id })
	}
	d.Grants = slices.DeleteFunc(d.Grants, func(g Grant) bool { return g.AssetID == id })
	d.ConversionTags = slices.DeleteFunc(d.ConversionTags, func(t ConversionTag) bool { return t.AdAccountID == id })
	return len(d.Assets) != n
}

// RemovePartner removes a partner, the grants made to or by it, and the
// assets it owns (which the business could only see through it); it
// reports whether the partner existed.
func (d *Dataset) RemovePartner(id string) bool {
	n := len(d.Partners)
	d.Partners = slices.DeleteFunc(d.Partners, func(p Partner) bool { return p.ID == id })
	d.Grants = slices.DeleteFunc(d.Grants, func(g Grant) bool { return g.PartnerID == id })
	var owned []string
	for _, a := range d.Assets {
		if a.OwnerID == id {
			owned = append(owned, a.ID)
		}
	}
	for _, a := range owned {
		d.RemoveAsset(a)
	}
	return len(d.Partners) != n
}
