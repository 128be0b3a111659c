package importer

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/store"
)

// The import strategy: the complete picture of one Business Manager with
// the fewest calls. Every business-access call is in the ads_read category
// (1,000 a minute on Standard), so the number of calls is what bounds a
// large import. With V visible assets of a type, M members, S system users,
// I INTERNAL and E EXTERNAL partners, A ad accounts, G asset groups and C
// catalogs (Go, Co: the ones the business owns), and pages of 250:
//
// Phase 1, lists (counts become known):
//   - business_assets/get once per type (AD_ACCOUNT, PROFILE, ASSET_GROUP,
//     CATALOG): ⌈V/250⌉ each, since the filter defaults to AD_ACCOUNT.
//   - business_assets/get with permissions=OWNER for ASSET_GROUP and
//     CATALOG: ⌈Go/250⌉ + ⌈Co/250⌉. It tells which groups and catalogs are
//     shared with us, which decides the partner lookups below. (Ad accounts
//     and profiles shared with us show up in EXTERNAL partners' summaries,
//     so they need no such list.)
//   - get/business_members with assets_summary=true, people and then
//     fetch_system_users=true: ⌈M/250⌉ + ⌈S/250⌉. The summaries carry
//     every member's permissions on ad accounts and profiles, so no
//     per-member call is needed for those two types.
//   - get/business_partners with assets_summary=true, partner_type INTERNAL
//     and EXTERNAL (no default): ⌈I/250⌉ + ⌈E/250⌉, same summaries.
//   - get/invites with is_member=true and false (the default lists member
//     invites only): two lists.
//
// Phase 2, details and the grants the summaries lack:
//   - ad_accounts/list: ⌈A'/250⌉ (A' = ad accounts the service account can
//     see, a superset of the business's): name, currency, country, owner,
//     which business_assets/get does not give.
//   - user_account/get with ad_account_id of one ad account the business
//     owns, once: the business's name. Every other answer names an owner
//     by its username only; without an ad account (or if Pinterest
//     refuses) the business's assets show its username.
//   - conversion_tags/list once per ad account of the business: A calls.
//     Not paged, and it makes the single-tag GET unnecessary.
//   - Member grants on asset groups and catalogs, by the cheaper side,
//     chosen separately for people and for system users:
//     per asset, business_asset_members/get on each of the G+C (once
//     without and, if S > 0, once with fetch_system_users), costing G+C per
//     kind; or per person, business_member_assets/get with
//     asset_type=ASSET_GROUP and CATALOG, costing 2M (or 2S).
//   - INTERNAL partner grants on groups and catalogs: per owned asset,
//     business_asset_partners/get (Go+Co calls; it is empty for assets
//     shared with us), or per partner, business_partner_asset_access/get
//     for both types (2I), whichever is fewer; none when I = 0.
//   - EXTERNAL partner grants on groups and catalogs shared with us: only
//     when the OWNER lists showed such assets, business_partner_asset_access/get
//     with partner_type=EXTERNAL for each EXTERNAL partner and each type
//     that has shared assets (E per type): business_asset_partners/get is
//     empty for assets shared with us and catalog_info names no owner, so
//     the partner's side is the only way to these grants.
//
// Minimum = Σ⌈V_t/250⌉ + ⌈Go/250⌉ + ⌈Co/250⌉ + ⌈M/250⌉ + ⌈S/250⌉ + ⌈I/250⌉ +
// ⌈E/250⌉ + invites pages + ⌈A'/250⌉ + [A>0] + A + min(G+C, 2M) + min(G+C, 2S)·[S>0]
// + min(Go+Co, 2I)·[I>0] + E·(types shared)  (a list with nothing still
// costs one call, and a per-asset list with more than 250 holders costs
// more pages). Calls run concurrently, bounded by the client's pacing. For
// the sandbox's large dataset that is 6,381 calls, 5,000 of them pixels.

// plan is the choice made for the lookups of phase 2.
type plan struct {
	membersPerAsset, systemPerAsset, internalPerAsset bool
}

// String names the strategy for the run record.
func (p plan) String() string {
	side := func(perAsset bool) string {
		if perAsset {
			return "per asset"
		}
		return "per person"
	}
	return "groups and catalogs: members " + side(p.membersPerAsset) + ", system users " + side(p.systemPerAsset) +
		", internal partners " + side(p.internalPerAsset)
}

func choosePlan(groupsAndCatalogs, ownedGC, members, systemUsers, internal int) plan {
	return plan{
		membersPerAsset:  groupsAndCatalogs <= 2*members,
		systemPerAsset:   groupsAndCatalogs <= 2*systemUsers,
		internalPerAsset: ownedGC <= 2*internal,
	}
}

// fetcher runs one import: it calls Pinterest and streams what it reads
// into the snapshot writer, keeping only IDs in memory.
type fetcher struct {
	c   *pinterest.Client
	biz string
	w   *store.SnapshotWriter
	p   *progress

	mu          sync.Mutex
	assetType   map[string]string // asset ID → type, for every asset the business sees
	adAccounts  []string
	groupsCats  []string
	ownedGC     map[string]bool
	members     []string
	systemUsers []string
	internal    []string
	external    []string
	sharedTypes map[string]bool // ASSET_GROUP / CATALOG types that have assets shared with us
	plan        plan

	// The business's name, for its assets' owner: businessName as
	// user_account/get tells it, else the username answers give as the
	// owner's. ownAdAccount is an ad account the business owns, to ask
	// user_account/get about.
	businessName     string
	businessUsername string
	ownAdAccount     string
}

func (f *fetcher) run(ctx context.Context) error {
	f.assetType = map[string]string{}
	f.ownedGC = map[string]bool{}
	f.sharedTypes = map[string]bool{}

	f.p.setPhase("Listing assets, members, partners and invites")
	var phase1 []task
	for _, t := range []string{pinterest.AssetAdAccount, pinterest.AssetProfile, pinterest.AssetGroup, pinterest.AssetCatalog} {
		phase1 = append(phase1, func(ctx context.Context) error { return f.listAssets(ctx, t) })
	}
	for _, t := range []string{pinterest.AssetGroup, pinterest.AssetCatalog} {
		phase1 = append(phase1, func(ctx context.Context) error { return f.listOwned(ctx, t) })
	}
	for _, sys := range []bool{false, true} {
		phase1 = append(phase1, func(ctx context.Context) error { return f.listMembers(ctx, sys) })
	}
	for _, t := range []string{pinterest.PartnerInternal, pinterest.PartnerExternal} {
		phase1 = append(phase1, func(ctx context.Context) error { return f.listPartners(ctx, t) })
	}
	for _, m := range []bool{true, false} {
		phase1 = append(phase1, func(ctx context.Context) error { return f.listInvites(ctx, m) })
	}
	f.p.addTotal(int64(len(phase1)))
	if err := f.runTasks(ctx, phase1); err != nil {
		return err
	}

	f.p.setPhase("Reading ad accounts, pixels and grants on asset groups and catalogs")
	for _, id := range f.groupsCats {
		if !f.ownedGC[id] {
			f.sharedTypes[f.assetType[id]] = true
		}
	}
	owned := 0
	for range f.ownedGC {
		owned++
	}
	f.plan = choosePlan(len(f.groupsCats), owned, len(f.members), len(f.systemUsers), len(f.internal))
	var phase2 []task
	phase2 = append(phase2, f.listAdAccounts)
	for _, id := range f.adAccounts {
		phase2 = append(phase2, func(ctx context.Context) error { return f.tags(ctx, id) })
	}
	gcTypes := []string{pinterest.AssetGroup, pinterest.AssetCatalog}
	memberSide := func(perAsset, system bool, people []string) {
		if len(people) == 0 || len(f.groupsCats) == 0 {
			return
		}
		if perAsset {
			for _, id := range f.groupsCats {
				phase2 = append(phase2, func(ctx context.Context) error { return f.assetMembers(ctx, id, system) })
			}
			return
		}
		for _, m := range people {
			for _, t := range gcTypes {
				phase2 = append(phase2, func(ctx context.Context) error { return f.memberAssets(ctx, m, t) })
			}
		}
	}
	memberSide(f.plan.membersPerAsset, false, f.members)
	memberSide(f.plan.systemPerAsset, true, f.systemUsers)
	if len(f.internal) > 0 && owned > 0 {
		if f.plan.internalPerAsset {
			for _, id := range f.groupsCats {
				if f.ownedGC[id] {
					phase2 = append(phase2, func(ctx context.Context) error { return f.assetPartners(ctx, id) })
				}
			}
		} else {
			for _, p := range f.internal {
				for _, t := range gcTypes {
					phase2 = append(phase2, func(ctx context.Context) error { return f.partnerAssets(ctx, p, pinterest.PartnerInternal, t) })
				}
			}
		}
	}
	for _, t := range gcTypes {
		if !f.sharedTypes[t] {
			continue
		}
		for _, p := range f.external {
			phase2 = append(phase2, func(ctx context.Context) error { return f.partnerAssets(ctx, p, pinterest.PartnerExternal, t) })
		}
	}
	f.p.addTotal(int64(len(phase2)))
	f.p.totalKnown()
	if err := f.runTasks(ctx, phase2); err != nil {
		return err
	}
	f.p.setPhase("Saving the snapshot")
	name := f.businessName
	if name == "" {
		name = f.businessUsername
	}
	return f.w.Complete(ctx, f.biz, name)
}

// task is one unit of work: a list (all its pages) or a single call.
type task func(ctx context.Context) error

// runTasks runs tasks on a few more workers than the client lets requests
// fly, so a worker writing to the database never leaves the client idle.
// The first error cancels the rest.
func (f *fetcher) runTasks(ctx context.Context, tasks []task) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	workers := min(len(tasks), f.c.Concurrency()+2)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) || ctx.Err() != nil {
					return
				}
				if err := tasks[i](ctx); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				f.p.taskDone()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

func (f *fetcher) listAssets(ctx context.Context, typ string) error {
	for page, err := range f.c.Assets(ctx, f.biz, pinterest.AssetsOptions{AssetType: typ}) {
		if err != nil {
			return err
		}
		rows := make([]store.Asset, 0, len(page))
		f.mu.Lock()
		for _, a := range page {
			if a.AssetID == "" {
				continue
			}
			t := a.AssetType
			if t == "" {
				t = typ
			}
			if _, seen := f.assetType[a.AssetID]; !seen {
				f.assetType[a.AssetID] = t
				switch t {
				case pinterest.AssetAdAccount:
					f.adAccounts = append(f.adAccounts, a.AssetID)
				case pinterest.AssetGroup, pinterest.AssetCatalog:
					f.groupsCats = append(f.groupsCats, a.AssetID)
				}
			}
			row := assetRow(a, t)
			f.ownerName(&row)
			rows = append(rows, row)
		}
		f.mu.Unlock()
		if err := f.w.AddAssets(ctx, rows...); err != nil {
			return err
		}
	}
	return nil
}

func assetRow(a pinterest.BusinessAsset, typ string) store.Asset {
	row := store.Asset{ID: a.AssetID, Type: typ}
	if g := a.AssetGroupInfo; g != nil {
		row.Name = g.AssetGroupName
		row.Description = g.AssetGroupDescription
		row.GroupTypes = g.AssetGroupTypes
		row.CreatedTime = g.CreatedTime
		row.UpdatedTime = g.UpdatedTime
		if g.Owner != nil {
			row.OwnerID, row.OwnerName = g.Owner.ID, g.Owner.Username
		}
		row.Contents = slices.Concat(g.AdAccountsIDs, g.ProfilesIDs, g.CatalogsIDs)
	}
	if c := a.CatalogInfo; c != nil {
		row.Name = c.Name
		row.CatalogType = c.CatalogType
	}
	return row
}

func (f *fetcher) listOwned(ctx context.Context, typ string) error {
	opts := pinterest.AssetsOptions{AssetType: typ, Permissions: []string{pinterest.PermissionOwner}}
	for page, err := range f.c.Assets(ctx, f.biz, opts) {
		if err != nil {
			return err
		}
		f.mu.Lock()
		for _, a := range page {
			f.ownedGC[a.AssetID] = true
		}
		f.mu.Unlock()
	}
	return nil
}

func summaryGrants(kind, who string, sum *pinterest.BusinessMemberAssetsSummary) []store.Grant {
	if sum == nil {
		return nil
	}
	var gs []store.Grant
	for _, list := range [][]pinterest.AssetPermissions{sum.AdAccounts, sum.Profiles} {
		for _, ap := range list {
			if ap.ID != "" && len(ap.Permissions) > 0 {
				gs = append(gs, store.Grant{GranteeType: kind, GranteeID: who, AssetID: ap.ID, Permissions: ap.Permissions})
			}
		}
	}
	return gs
}

func (f *fetcher) listMembers(ctx context.Context, system bool) error {
	opts := pinterest.MembersOptions{AssetsSummary: true, FetchSystemUsers: system}
	for page, err := range f.c.Members(ctx, f.biz, opts) {
		if err != nil {
			return err
		}
		rows := make([]store.Member, 0, len(page))
		var grants []store.Grant
		ids := make([]string, 0, len(page))
		for _, m := range page {
			id := m.ID
			if id == "" && m.User != nil {
				id = m.User.ID
			}
			if id == "" {
				continue
			}
			row := store.Member{ID: id, BusinessRoles: m.BusinessRoles, IsSystemUser: system, CreatedTime: m.CreatedTime}
			if m.User != nil {
				row.Username, row.Email = m.User.Username, m.User.Email
			}
			if m.CreatedByUser != nil {
				row.CreatedBy = m.CreatedByUser.ID
			}
			rows = append(rows, row)
			ids = append(ids, id)
			grants = append(grants, summaryGrants(store.GranteeMember, id, m.AssetsSummary)...)
		}
		f.mu.Lock()
		if system {
			f.systemUsers = append(f.systemUsers, ids...)
		} else {
			f.members = append(f.members, ids...)
		}
		f.mu.Unlock()
		if err := f.w.AddMembers(ctx, rows...); err != nil {
			return err
		}
		if err := f.w.AddGrants(ctx, grants...); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) listPartners(ctx context.Context, typ string) error {
	opts := pinterest.PartnersOptions{AssetsSummary: true, PartnerType: typ}
	for page, err := range f.c.Partners(ctx, f.biz, opts) {
		if err != nil {
			return err
		}
		rows := make([]store.Partner, 0, len(page))
		var grants []store.Grant
		var shared []store.Asset
		ids := make([]string, 0, len(page))
		for _, p := range page {
			id := p.ID
			if id == "" && p.User != nil {
				id = p.User.ID
			}
			if id == "" {
				continue
			}
			row := store.Partner{ID: id, PartnerType: typ, IsSharedPartner: p.IsSharedPartner, CreatedTime: p.CreatedTime}
			if p.User != nil {
				row.Username, row.Email = p.User.Username, p.User.Email
			}
			if p.CreatedByUser != nil {
				row.CreatedBy = p.CreatedByUser.ID
			}
			rows = append(rows, row)
			ids = append(ids, id)
			gs := summaryGrants(store.GranteePartner, id, p.AssetsSummary)
			grants = append(grants, gs...)
			if typ == pinterest.PartnerExternal {
				// An EXTERNAL partner's assets are shared with us: it owns them.
				for _, g := range gs {
					shared = append(shared, store.Asset{ID: g.AssetID, OwnerID: id})
				}
			}
		}
		f.mu.Lock()
		if typ == pinterest.PartnerInternal {
			f.internal = append(f.internal, ids...)
		} else {
			f.external = append(f.external, ids...)
		}
		f.mu.Unlock()
		if err := f.w.AddPartners(ctx, rows...); err != nil {
			return err
		}
		if err := f.w.AddGrants(ctx, grants...); err != nil {
			return err
		}
		if err := f.w.AddAssets(ctx, shared...); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) listInvites(ctx context.Context, member bool) error {
	for page, err := range f.c.Invites(ctx, f.biz, pinterest.InvitesOptions{IsMember: &member}) {
		if err != nil {
			return err
		}
		rows := make([]store.Invite, 0, len(page))
		for _, inv := range page {
			if inv.ID == "" {
				continue
			}
			row := store.Invite{ID: inv.ID, BusinessRoles: inv.BusinessRoles, IsReceived: inv.IsReceivedInvite}
			if d := inv.InviteData; d != nil {
				row.Type, row.Status, row.SentAt, row.Expiration = d.InviteType, d.InviteStatus, d.SentAt, d.InviteExpiration
			}
			if u := inv.User; u != nil {
				row.UserID, row.Username, row.Email = u.ID, u.Username, u.Email
			}
			if inv.CreatedByUser != nil {
				row.CreatedBy = inv.CreatedByUser.ID
			}
			if s := inv.AssetsSummary; s != nil {
				for _, ap := range slices.Concat(s.AdAccounts, s.Profiles) {
					row.Assets = append(row.Assets, store.InviteAsset{AssetID: ap.ID, Permissions: ap.Permissions})
				}
			}
			rows = append(rows, row)
		}
		if err := f.w.AddInvites(ctx, rows...); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) listAdAccounts(ctx context.Context) error {
	for page, err := range f.c.AdAccounts(ctx, pinterest.AdAccountsOptions{}) {
		if err != nil {
			return err
		}
		rows := make([]store.Asset, 0, len(page))
		f.mu.Lock()
		for _, a := range page {
			// The list also has ad accounts the service account holds
			// outside the business; keep the business's.
			if f.assetType[a.ID] != pinterest.AssetAdAccount {
				continue
			}
			row := store.Asset{ID: a.ID, Type: pinterest.AssetAdAccount, Name: a.Name, Currency: a.Currency,
				Country: a.Country, CreatedTime: a.CreatedTime * 1000, UpdatedTime: a.UpdatedTime * 1000}
			if a.Owner != nil {
				row.OwnerID, row.OwnerName = a.Owner.ID, a.Owner.Username
				if a.Owner.ID == f.biz && f.ownAdAccount == "" {
					f.ownAdAccount = a.ID
				}
			}
			f.ownerName(&row)
			rows = append(rows, row)
		}
		f.mu.Unlock()
		if err := f.w.AddAssets(ctx, rows...); err != nil {
			return err
		}
	}
	return f.readBusinessName(ctx)
}

// ownerName leaves the owner's name of the business's own assets empty, so
// that Complete gives them the business's name, and keeps the username the
// answer gave as the name of last resort. Call it with f.mu held.
func (f *fetcher) ownerName(row *store.Asset) {
	if row.OwnerID != f.biz {
		return
	}
	if f.businessUsername == "" {
		f.businessUsername = row.OwnerName
	}
	row.OwnerName = ""
}

// readBusinessName asks Pinterest for the account that owns one of the
// business's ad accounts: its business_name is the business's name. A
// refusal (the service account lacks the scope, or access to that account)
// leaves the username; other errors end the sync as any call's do.
func (f *fetcher) readBusinessName(ctx context.Context) error {
	f.mu.Lock()
	id := f.ownAdAccount
	f.mu.Unlock()
	if id == "" {
		return nil
	}
	acct, err := f.c.AdAccountOwner(ctx, id)
	var apiErr *pinterest.APIError
	switch {
	case errors.As(err, &apiErr) && !apiErr.Reconnect && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests:
		return nil
	case err != nil:
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if acct.ID == f.biz {
		f.businessName = strings.TrimSpace(acct.BusinessName)
		if f.businessUsername == "" {
			f.businessUsername = acct.Username
		}
	}
	return nil
}

func (f *fetcher) tags(ctx context.Context, adAccountID string) error {
	tags, err := f.c.ConversionTags(ctx, adAccountID, false)
	if err != nil {
		return err
	}
	rows := make([]store.Pixel, 0, len(tags))
	for _, t := range tags {
		if t.ID == "" {
			continue
		}
		row := store.Pixel{ID: t.ID, AdAccountID: adAccountID, Name: t.Name, Status: t.Status, Version: t.Version,
			EnhancedMatchStatus: t.EnhancedMatchStatus}
		if t.LastFiredTimeMs != nil {
			row.LastFiredTimeMs = int64(*t.LastFiredTimeMs)
		}
		if c := t.Configs; c != nil {
			if c.AEMEnabled != nil {
				row.AEMEnabled = *c.AEMEnabled
			}
			if c.MDFrequency != nil {
				row.MDFrequency = *c.MDFrequency
			}
		}
		rows = append(rows, row)
	}
	return f.w.AddPixels(ctx, rows...)
}

func (f *fetcher) assetMembers(ctx context.Context, assetID string, system bool) error {
	for page, err := range f.c.AssetMembers(ctx, f.biz, assetID, system, pinterest.PageOptions{}) {
		if err != nil {
			return err
		}
		if err := f.w.AddGrants(ctx, holderGrants(store.GranteeMember, assetID, page)...); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) assetPartners(ctx context.Context, assetID string) error {
	for page, err := range f.c.AssetPartners(ctx, f.biz, assetID, pinterest.PageOptions{}) {
		if err != nil {
			return err
		}
		if err := f.w.AddGrants(ctx, holderGrants(store.GranteePartner, assetID, page)...); err != nil {
			return err
		}
	}
	return nil
}

func holderGrants(kind, assetID string, page []pinterest.UserSingleAssetBinding) []store.Grant {
	gs := make([]store.Grant, 0, len(page))
	for _, b := range page {
		if b.User != nil && b.User.ID != "" && len(b.Permissions) > 0 {
			gs = append(gs, store.Grant{GranteeType: kind, GranteeID: b.User.ID, AssetID: assetID, Permissions: b.Permissions})
		}
	}
	return gs
}

func (f *fetcher) memberAssets(ctx context.Context, memberID, typ string) error {
	for page, err := range f.c.MemberAssets(ctx, f.biz, memberID, typ, pinterest.PageOptions{}) {
		if err != nil {
			return err
		}
		gs := make([]store.Grant, 0, len(page))
		for _, a := range page {
			if a.AssetID != "" && len(a.Permissions) > 0 {
				gs = append(gs, store.Grant{GranteeType: store.GranteeMember, GranteeID: memberID, AssetID: a.AssetID, Permissions: a.Permissions})
			}
		}
		if err := f.w.AddGrants(ctx, gs...); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) partnerAssets(ctx context.Context, partnerID, partnerType, typ string) error {
	for page, err := range f.c.PartnerAssets(ctx, f.biz, partnerID, partnerType, typ, pinterest.PageOptions{}) {
		if err != nil {
			return err
		}
		gs := make([]store.Grant, 0, len(page))
		var shared []store.Asset
		for _, a := range page {
			if a.AssetID == "" {
				continue
			}
			if len(a.Permissions) > 0 {
				gs = append(gs, store.Grant{GranteeType: store.GranteePartner, GranteeID: partnerID, AssetID: a.AssetID, Permissions: a.Permissions})
			}
			if partnerType == pinterest.PartnerExternal {
				shared = append(shared, store.Asset{ID: a.AssetID, OwnerID: partnerID})
			}
		}
		if err := f.w.AddGrants(ctx, gs...); err != nil {
			return err
		}
		if err := f.w.AddAssets(ctx, shared...); err != nil {
			return err
		}
	}
	return nil
}
