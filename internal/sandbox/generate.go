package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The identities every generated dataset has, so the wizard and scripts can
// rely on them whatever the size or seed.
const (
	DefaultBusinessID    = "482344901002451200"
	DefaultAppID         = "1000001"
	DefaultAppSecret     = "sandbox-secret"
	AdminUsername        = "sandbox-admin"
	EmployeeUsername     = "sandbox-employee"
	OutsiderUsername     = "sandbox-outsider"
	adminID              = "700000000000000001"
	employeeID           = "700000000000000002"
	outsiderID           = "700000000000000003"
	defaultBusinessUser  = "northwind-outfitters"
	defaultBusinessName  = "Northwind Outfitters"
	defaultBusinessEmail = "northwind-outfitters.com"
)

// Sizes lists the named dataset sizes, smallest first.
var Sizes = []string{"small", "medium", "large", "xl"}

type sizeSpec struct {
	members, systemUsers, partners      int
	adAccounts, profiles, groups, catal int
	grants, tags, invites               int
}

var sizeSpecs = map[string]sizeSpec{
	"small":  {members: 30, systemUsers: 2, partners: 6, adAccounts: 12, profiles: 6, groups: 3, catal: 2, grants: 150, tags: 20, invites: 6},
	"medium": {members: 300, systemUsers: 6, partners: 40, adAccounts: 150, profiles: 60, groups: 12, catal: 6, grants: 2500, tags: 300, invites: 30},
	"large":  {members: 10000, systemUsers: 50, partners: 1000, adAccounts: 5000, profiles: 2000, groups: 300, catal: 100, grants: 100000, tags: 10000, invites: 500},
	"xl":     {members: 100000, systemUsers: 500, partners: 10000, adAccounts: 50000, profiles: 20000, groups: 3000, catal: 1000, grants: 1000000, tags: 100000, invites: 5000},
}

// DefaultDataset returns a new copy of the dataset the sandbox serves when
// nothing else is asked for: Generate("medium", 1).
func DefaultDataset() *Dataset {
	d, err := Generate("medium", 1)
	if err != nil {
		panic(err) // the generator is deterministic and tested
	}
	return d
}

// Generate builds a realistic dataset of the named size ("small", "medium",
// "large" or "xl"), the same for the same seed. Every dataset has the
// business DefaultBusinessID, the accounts sandbox-admin (BIZ_ADMIN),
// sandbox-employee (EMPLOYEE) and sandbox-outsider (not a member), and the
// app DefaultAppID with secret DefaultAppSecret.
//
// Grants share their Permissions slices; give a grant a new slice rather
// than changing one in place.
func Generate(size string, seed int64) (*Dataset, error) {
	spec, ok := sizeSpecs[size]
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown dataset size %q (want small, medium, large or xl)", size)
	}
	g := &generator{
		rng:  rand.New(rand.NewPCG(uint64(seed), 0x5eed_5a4d_b0c5)),
		spec: spec,
	}
	return g.run(), nil
}

type generator struct {
	rng  *rand.Rand
	spec sizeSpec
	d    *Dataset
}

// Time range of generated creation times: 2019-01-01 to 2026-06-01 UTC.
const (
	genStartMs = 1546300800000
	genEndMs   = 1780272000000
)

func (g *generator) timeMs() int64 { return genStartMs + g.rng.Int64N(genEndMs-genStartMs) }

// id returns the i-th ID of a kind: increasing with i, unique, and not
// evenly spaced.
func (g *generator) id(base uint64, step uint64, i int) string {
	return strconv.FormatUint(base+uint64(i)*step+g.rng.Uint64N(step), 10)
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

type name struct{ display, ascii string }

var firstNames = []name{
	{"Maria", "maria"}, {"James", "james"}, {"Aisha", "aisha"}, {"Chen", "chen"}, {"Olivia", "olivia"},
	{"Noah", "noah"}, {"Sofia", "sofia"}, {"Liam", "liam"}, {"Emma", "emma"}, {"Lucas", "lucas"},
	{"Priya", "priya"}, {"Daniel", "daniel"}, {"Hannah", "hannah"}, {"Mateo", "mateo"}, {"Grace", "grace"},
	{"Kenji", "kenji"}, {"Amara", "amara"}, {"Ethan", "ethan"}, {"Fatima", "fatima"}, {"Oscar", "oscar"},
	{"José", "jose"}, {"Zoë", "zoe"}, {"Łukasz", "lukasz"}, {"Søren", "soren"}, {"Chloé", "chloe"},
	{"Björn", "bjorn"}, {"Ana Lucía", "analucia"}, {"Даниил", "daniil"}, {"陈静", "chenjing"}, {"Nguyễn", "nguyen"},
}

var lastNames = []name{
	{"Smith", "smith"}, {"Garcia", "garcia"}, {"Johnson", "johnson"}, {"Patel", "patel"}, {"Kim", "kim"},
	{"Brown", "brown"}, {"Rossi", "rossi"}, {"Okafor", "okafor"}, {"Wilson", "wilson"}, {"Tanaka", "tanaka"},
	{"Martin", "martin"}, {"Silva", "silva"}, {"Cohen", "cohen"}, {"Novak", "novak"}, {"Walker", "walker"},
	{"Müller", "muller"}, {"Gonçalves", "goncalves"}, {"Ødegård", "odegard"}, {"Kowalczyk", "kowalczyk"}, {"Nuñez", "nunez"},
	{"Çelik", "celik"}, {"Dvořák", "dvorak"}, {"Иванова", "ivanova"}, {"山田", "yamada"}, {"Lefèvre", "lefevre"},
}

var agencyWords = []string{"Bright", "North", "Pixel", "Harbor", "Summit", "Blue", "Cedar", "Atlas", "Nova", "Maple",
	"Lumen", "Orbit", "Crimson", "Willow", "Vertex", "Kite", "Meridian", "Falcon", "Copper", "Juniper"}
var agencyKinds = []string{"Media", "Digital", "Partners", "Creative", "Collective", "Studio", "Agency", "Labs", "Group", "Brands"}
var markets = []string{"US", "Canada", "UK & Ireland", "DACH", "France", "Nordics", "España", "Brasil", "México", "Japan",
	"日本", "Deutschland", "Österreich", "Québec", "Česko", "Türkiye", "Polska", "Italia", "Australia", "India"}
var lines = []string{"Home", "Outdoor", "Kids", "Footwear", "Apparel", "Gifts", "Beauty", "Kitchen", "Garden", "Café",
	"Accessories", "Sale", "Prospecting", "Retargeting", "Brand Awareness", "Seasonal", "Holiday", "Back to School", "Wedding", "Crème"}
var catalogTypes = []string{"RETAIL", "RETAIL", "RETAIL", "HOTEL", "CREATIVE_ASSETS"}
var groupTypes = []string{"BRAND", "LOCATION_OR_LANGUAGE", "PRODUCT_LINE", "OTHER"}
var tagEvents = []string{"Checkout", "Add to cart", "Sign-up", "Lead", "Page visit", "Search", "Watch video", "Bestellung", "Compra", "購入"}

// Common currency/country pairs, weighted towards large markets.
var adMarkets = []struct{ currency, country string }{
	{"USD", "US"}, {"USD", "US"}, {"USD", "US"}, {"USD", "US"}, {"GBP", "GB"}, {"GBP", "GB"}, {"EUR", "DE"},
	{"EUR", "FR"}, {"EUR", "ES"}, {"EUR", "IT"}, {"EUR", "NL"}, {"EUR", "IE"}, {"EUR", "AT"}, {"CAD", "CA"},
	{"CAD", "CA"}, {"AUD", "AU"}, {"NZD", "NZ"}, {"JPY", "JP"}, {"BRL", "BR"}, {"MXN", "MX"}, {"SEK", "SE"},
	{"DKK", "DK"}, {"NOK", "NO"}, {"PLN", "PL"}, {"CHF", "CH"}, {"CZK", "CZ"}, {"INR", "IN"}, {"TRY", "TR"},
	{"KRW", "KR"}, {"SGD", "SG"}, {"HKD", "HK"}, {"ARS", "AR"}, {"CLP", "CL"}, {"COP", "CO"}, {"ILS", "IL"},
	{"HUF", "HU"}, {"RON", "RO"},
}

// Permission sets by asset type; grants share these slices (cap == len, so
// an append never writes into a shared array).
var permSets = map[string][][]string{
	AssetAdAccount: {
		{"ADMIN"}, {"ANALYST"}, {"ANALYST"}, {"CAMPAIGN_MANAGER"}, {"CAMPAIGN_MANAGER", "ANALYST"},
		{"FINANCE_MANAGER"}, {"AUDIENCE_MANAGER"}, {"CAMPAIGN_MANAGER", "AUDIENCE_MANAGER"}, {"FINANCE_VIEW"},
	},
	AssetProfile: {{"ADMIN"}, {"PROFILE_PUBLISHER"}, {"PROFILE_PUBLISHER"}, {"ANALYST"}},
	AssetGroup:   {{"ADMIN"}, {"ANALYST"}, {"CAMPAIGN_MANAGER"}, {"ANALYST", "CAMPAIGN_MANAGER"}},
	AssetCatalog: {{"CATALOGS_MANAGER"}, {"CATALOGS_VIEWER"}, {"CATALOGS_VIEWER"}},
}

func (g *generator) perms(assetType string) []string {
	sets := permSets[assetType]
	s := sets[g.rng.IntN(len(sets))]
	return s[:len(s):len(s)]
}

func (g *generator) run() *Dataset {
	sp := g.spec
	d := &Dataset{
		Business: Business{ID: DefaultBusinessID, Username: defaultBusinessUser, Name: defaultBusinessName},
		Users:    make([]User, 0, sp.members+1),
		Partners: make([]Partner, 0, sp.partners),
		Assets:   make([]Asset, 0, sp.adAccounts+sp.profiles+sp.groups+sp.catal),
		Grants:   make([]Grant, 0, sp.grants+sp.grants/20),
	}
	g.d = d
	g.users()
	g.partners()
	g.assets()
	g.grants()
	g.tags()
	g.invites()
	d.Apps = []App{{ID: DefaultAppID, Secret: DefaultAppSecret, Name: "pinaccess sandbox app", OwnerID: adminID}}
	return d
}

func (g *generator) users() {
	d, sp := g.d, g.spec
	d.Users = append(d.Users,
		User{ID: adminID, Username: AdminUsername, Name: "Sandbox Admin", Email: "sandbox-admin@" + defaultBusinessEmail, AccountType: "BUSINESS",
			BusinessRoles: []string{RoleBizAdmin}, CreatedTime: genStartMs},
		User{ID: employeeID, Username: EmployeeUsername, Name: "Sandbox Employee", Email: "sandbox-employee@" + defaultBusinessEmail, AccountType: "BUSINESS",
			BusinessRoles: []string{RoleEmployee}, CreatedTime: genStartMs + 86_400_000, CreatedByUser: adminID},
		User{ID: outsiderID, Username: OutsiderUsername, Name: "Sandbox Outsider", Email: "sandbox-outsider@example.com", AccountType: "PINNER"},
	)
	admins := []string{adminID}
	bizAdmin := []string{RoleBizAdmin}
	employee := []string{RoleEmployee}
	humans := sp.members - sp.systemUsers - 2
	for i := 0; i < humans; i++ {
		f, l := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
		u := User{
			ID:          g.id(383791336900000000, 9973, i),
			Name:        f.display + " " + l.display,
			AccountType: "BUSINESS",
			CreatedTime: g.timeMs(),
		}
		u.Username = f.ascii + l.ascii + strconv.Itoa(i)
		domain := defaultBusinessEmail
		if g.rng.IntN(8) == 0 {
			domain = strings.ToLower(g.pick(agencyWords)) + "-" + strings.ToLower(g.pick(agencyKinds)) + ".com"
		}
		u.Email = f.ascii + "." + l.ascii + strconv.Itoa(i) + "@" + domain
		if g.rng.IntN(12) == 0 {
			u.BusinessRoles = bizAdmin[:1:1]
			admins = append(admins, u.ID)
		} else {
			u.BusinessRoles = employee[:1:1]
		}
		u.CreatedByUser = admins[g.rng.IntN(len(admins))]
		d.Users = append(d.Users, u)
	}
	bots := []string{"reporting", "bidding", "catalog-sync", "conversions-api", "audience-sync", "budget-alerts"}
	for i := 0; i < sp.systemUsers; i++ {
		d.Users = append(d.Users, User{
			ID:            g.id(399500000000000000, 7919, i),
			Username:      "sys-" + bots[i%len(bots)] + "-" + strconv.Itoa(i),
			AccountType:   "BUSINESS",
			BusinessRoles: employee[:1:1],
			IsSystemUser:  true,
			CreatedTime:   g.timeMs(),
			CreatedByUser: admins[g.rng.IntN(len(admins))],
		})
	}
}

func (g *generator) partners() {
	d, sp := g.d, g.spec
	for i := 0; i < sp.partners; i++ {
		w, k := g.pick(agencyWords), g.pick(agencyKinds)
		p := Partner{
			ID:          g.id(644245094400000000, 6007, i),
			Username:    strings.ToLower(w+k) + strconv.Itoa(i),
			PartnerType: PartnerInternal,
			CreatedTime: g.timeMs(),
		}
		p.Email = "partners@" + strings.ToLower(w+"-"+k) + strconv.Itoa(i) + ".com"
		if g.rng.IntN(5) < 2 {
			p.PartnerType = PartnerExternal
		}
		p.IsSharedPartner = g.rng.IntN(10) == 0
		p.CreatedByUser = adminID
		d.Partners = append(d.Partners, p)
	}
}

// owner returns the business's ID most of the time, otherwise an EXTERNAL
// partner's (an asset shared with the business).
// The second asset of each type is always shared, so every dataset has some.
func (g *generator) owner(externals []string, sharePercent, i int) string {
	if len(externals) > 0 && (i == 1 || g.rng.IntN(100) < sharePercent) {
		return externals[g.rng.IntN(len(externals))]
	}
	return g.d.Business.ID
}

func (g *generator) assets() {
	d, sp := g.d, g.spec
	var externals []string
	for _, p := range d.Partners {
		if p.PartnerType == PartnerExternal {
			externals = append(externals, p.ID)
		}
	}
	for i := 0; i < sp.adAccounts; i++ {
		m := adMarkets[g.rng.IntN(len(adMarkets))]
		created := g.timeMs() / 1000 * 1000
		d.Assets = append(d.Assets, Asset{
			ID:          g.id(549755000000, 997, i),
			Type:        AssetAdAccount,
			Name:        g.pick(lines) + " – " + g.pick(markets) + " " + strconv.Itoa(i),
			OwnerID:     g.owner(externals, 20, i),
			Currency:    m.currency,
			Country:     m.country,
			CreatedTime: created,
			UpdatedTime: created + g.rng.Int64N(genEndMs-created+1)/1000*1000,
		})
	}
	for i := 0; i < sp.profiles; i++ {
		w := g.pick(agencyWords)
		d.Assets = append(d.Assets, Asset{
			ID:          g.id(630433785246000000, 7919, i),
			Type:        AssetProfile,
			Name:        w + " " + g.pick(lines) + " " + g.pick(markets),
			OwnerID:     g.owner(externals, 10, i),
			CreatedTime: g.timeMs(),
		})
	}
	for i := 0; i < sp.catal; i++ {
		d.Assets = append(d.Assets, Asset{
			ID:          g.id(483685904000, 1013, i),
			Type:        AssetCatalog,
			Name:        g.pick(markets) + " catalog " + strconv.Itoa(i),
			OwnerID:     g.owner(externals, 15, i),
			CatalogType: g.pick(catalogTypes),
			CreatedTime: g.timeMs(),
		})
	}
	// Asset groups hold some of the business's own ad accounts, profiles
	// and catalogs.
	owned := make([]int, 0, len(d.Assets))
	for i := range d.Assets {
		if d.Assets[i].OwnerID == d.Business.ID {
			owned = append(owned, i)
		}
	}
	for i := 0; i < sp.groups; i++ {
		n := 1 + g.rng.IntN(8)
		var contents []string
		for j := 0; j < n && len(owned) > 0; j++ {
			c := d.Assets[owned[g.rng.IntN(len(owned))]].ID
			dup := false
			for _, x := range contents {
				dup = dup || x == c
			}
			if !dup {
				contents = append(contents, c)
			}
		}
		gt := g.pick(groupTypes)
		market := g.pick(markets)
		d.Assets = append(d.Assets, Asset{
			ID:          g.id(7078106104000, 1009, i),
			Type:        AssetGroup,
			Name:        market + " " + g.pick(lines) + " group",
			Description: "Assets for " + market,
			GroupTypes:  []string{gt},
			Contents:    contents,
			OwnerID:     d.Business.ID,
			CreatedTime: g.timeMs(),
		})
	}
}

func (g *generator) grants() {
	d, sp := g.d, g.spec
	var owned, shared []int
	for i := range d.Assets {
		if d.Assets[i].OwnerID == d.Business.ID {
			owned = append(owned, i)
		} else {
			shared = append(shared, i)
		}
	}
	// Every asset an EXTERNAL partner owns is shared with the business.
	for _, i := range shared {
		a := &d.Assets[i]
		d.Grants = append(d.Grants, Grant{AssetID: a.ID, PartnerID: a.OwnerID, Permissions: g.perms(a.Type)})
	}
	// INTERNAL partners get a few of the business's assets; the first one
	// gets one asset of each type, so every dataset has some of each.
	first := true
	for _, p := range d.Partners {
		if p.PartnerType != PartnerInternal || len(owned) == 0 {
			continue
		}
		var picked []int
		if first {
			first = false
			for _, typ := range []string{AssetAdAccount, AssetProfile, AssetGroup, AssetCatalog} {
				for _, i := range owned {
					if d.Assets[i].Type == typ {
						picked = append(picked, i)
						break
					}
				}
			}
		}
		for _, i := range picked {
			a := &d.Assets[i]
			d.Grants = append(d.Grants, Grant{AssetID: a.ID, PartnerID: p.ID, Permissions: g.perms(a.Type)})
		}
		n := 1 + g.rng.IntN(5)
		g.grantSome(owned, n, func(a *Asset) {
			for _, i := range picked {
				if d.Assets[i].ID == a.ID {
					return
				}
			}
			d.Grants = append(d.Grants, Grant{AssetID: a.ID, PartnerID: p.ID, Permissions: g.perms(a.Type)})
		})
	}
	// Members share the rest, unevenly: some hold many grants.
	all := make([]int, len(d.Assets))
	for i := range all {
		all[i] = i
	}
	members := make([]int, 0, len(d.Users))
	for i := range d.Users {
		if d.Users[i].IsMember() {
			members = append(members, i)
		}
	}
	left := sp.grants - len(d.Grants)
	for k, mi := range members {
		if left <= 0 {
			break
		}
		avg := left / (len(members) - k)
		n := avg
		if avg > 0 {
			n = g.rng.IntN(2*avg + 1)
		}
		if d.Users[mi].Username == EmployeeUsername || d.Users[mi].Username == AdminUsername {
			n = max(n, 3)
		}
		n = min(n, left, len(all))
		u := &d.Users[mi]
		before := len(d.Grants)
		g.grantSome(all, n, func(a *Asset) {
			d.Grants = append(d.Grants, Grant{AssetID: a.ID, MemberID: u.ID, Permissions: g.perms(a.Type)})
		})
		left -= len(d.Grants) - before
	}
}

// grantSome calls add for up to n distinct assets picked from candidates.
func (g *generator) grantSome(candidates []int, n int, add func(a *Asset)) {
	picked := make([]int, 0, n)
	for tries := 0; len(picked) < n && tries < 3*n; tries++ {
		c := candidates[g.rng.IntN(len(candidates))]
		dup := false
		for _, p := range picked {
			dup = dup || p == c
		}
		if !dup {
			picked = append(picked, c)
			add(&g.d.Assets[c])
		}
	}
}

func (g *generator) tags() {
	d, sp := g.d, g.spec
	var ads []int
	for i := range d.Assets {
		if d.Assets[i].Type == AssetAdAccount {
			ads = append(ads, i)
		}
	}
	if len(ads) == 0 {
		return
	}
	d.ConversionTags = make([]ConversionTag, 0, sp.tags)
	statuses := []string{"ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT"}
	matches := []string{"UNKNOWN", "NOT_VALIDATED", "VALIDATING_IN_PROGRESS", "VALIDATION_COMPLETE", "VALIDATION_COMPLETE"}
	for i := 0; i < sp.tags; i++ {
		// Most ad accounts get one or two tags, a few none.
		a := &d.Assets[ads[(i*7+g.rng.IntN(3))%len(ads)]]
		t := ConversionTag{
			ID:                  g.id(2617998000000, 101, i),
			AdAccountID:         a.ID,
			Name:                g.pick(tagEvents) + " tag " + strconv.Itoa(i),
			Status:              g.pick(statuses),
			Version:             "3",
			EnhancedMatchStatus: g.pick(matches),
			AEMEnabled:          g.rng.IntN(2) == 0,
			MDFrequency:         1,
		}
		if t.Status == "ACTIVE" || g.rng.IntN(3) == 0 {
			t.LastFiredTimeMs = g.timeMs()
		}
		d.ConversionTags = append(d.ConversionTags, t)
	}
}

func (g *generator) invites() {
	d, sp := g.d, g.spec
	var ads []string
	for i := range d.Assets {
		if d.Assets[i].Type == AssetAdAccount && d.Assets[i].OwnerID == d.Business.ID {
			ads = append(ads, d.Assets[i].ID)
		}
	}
	for i := 0; i < sp.invites; i++ {
		f, l := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
		sent := g.timeMs()
		inv := Invite{
			ID:            g.id(383800000000000000, 104729, i),
			InviteType:    "MEMBER_INVITE",
			InviteStatus:  "PENDING",
			BusinessRoles: []string{RoleEmployee},
			CreatedByUser: adminID,
			SentAt:        sent,
			Expiration:    sent + 30*86_400_000,
		}
		switch r := g.rng.IntN(10); {
		case r < 6:
			inv.Email = f.ascii + "." + l.ascii + ".invite" + strconv.Itoa(i) + "@" + defaultBusinessEmail
			if r == 0 {
				inv.BusinessRoles = []string{RoleBizAdmin}
			}
		case r < 8:
			inv.InviteType = "PARTNER_INVITE"
			inv.BusinessRoles = []string{RolePartner}
			inv.Username = strings.ToLower(g.pick(agencyWords)+g.pick(agencyKinds)) + "invite" + strconv.Itoa(i)
		default:
			inv.InviteType = "PARTNER_REQUEST"
			inv.BusinessRoles = []string{RolePartner}
			inv.IsReceivedInvite = true
			inv.Username = strings.ToLower(g.pick(agencyWords)+g.pick(agencyKinds)) + "request" + strconv.Itoa(i)
		}
		if inv.Username != "" {
			inv.UserID = g.id(655000000000000000, 104729, i)
		}
		if g.rng.IntN(4) == 0 {
			inv.InviteStatus = "EXPIRED"
		}
		if len(ads) > 0 && g.rng.IntN(2) == 0 {
			inv.Assets = []AssetPermission{{AssetID: ads[g.rng.IntN(len(ads))], Permissions: g.perms(AssetAdAccount)}}
		}
		d.Invites = append(d.Invites, inv)
	}
}
