package sandbox

import (
	"cmp"
	"slices"
)

// state is a dataset with the indexes that make a page cost O(page size):
// every list is sorted by the key its bookmarks continue from.
type state struct {
	d *Dataset

	users      map[string]*User
	byUsername map[string]*User
	partners   map[string]*Partner
	assets     map[string]*Asset
	apps       map[string]*App

	// members[system] sorted by ID; membersByRole[system][role] likewise.
	members       [2][]*User
	membersByRole [2]map[string][]*User

	partnerList   []*Partner            // sorted by ID
	partnersByTyp map[string][]*Partner // by partner type, sorted by ID

	// Assets the business can see (owned or shared with it), by type,
	// sorted by ID; owned and shared separately too.
	visible map[string][]*Asset
	owned   map[string][]*Asset
	shared  map[string][]*Asset
	// bizPerms holds the business's permissions on a shared asset.
	bizPerms map[string][]string

	memberGrants       map[string][]*Grant // by member ID, sorted by asset ID
	partnerGrants      map[string][]*Grant // by partner ID, sorted by asset ID
	assetMemberGrants  map[string][]*Grant // by asset ID, sorted by member ID
	assetPartnerGrants map[string][]*Grant // by asset ID, sorted by partner ID

	groupsContaining map[string][]*Asset // child asset ID → asset groups, sorted by ID
	personal         map[string][]*Asset // user ID → ad accounts the user owns, sorted by ID
	tags             map[string][]*ConversionTag
	invites          []*Invite // sorted by ID
}

func buildState(d *Dataset) *state {
	st := &state{
		d:                  d,
		users:              make(map[string]*User, len(d.Users)),
		byUsername:         make(map[string]*User, len(d.Users)),
		partners:           make(map[string]*Partner, len(d.Partners)),
		assets:             make(map[string]*Asset, len(d.Assets)),
		apps:               map[string]*App{},
		partnersByTyp:      map[string][]*Partner{},
		visible:            map[string][]*Asset{},
		owned:              map[string][]*Asset{},
		shared:             map[string][]*Asset{},
		bizPerms:           map[string][]string{},
		memberGrants:       make(map[string][]*Grant, len(d.Users)),
		partnerGrants:      make(map[string][]*Grant, len(d.Partners)),
		assetMemberGrants:  make(map[string][]*Grant, len(d.Assets)),
		assetPartnerGrants: make(map[string][]*Grant, len(d.Assets)/4),
		groupsContaining:   map[string][]*Asset{},
		personal:           map[string][]*Asset{},
		tags:               map[string][]*ConversionTag{},
	}
	st.membersByRole[0] = map[string][]*User{}
	st.membersByRole[1] = map[string][]*User{}
	for i := range d.Users {
		u := &d.Users[i]
		st.users[u.ID] = u
		st.byUsername[u.Username] = u
		if !u.IsMember() {
			continue
		}
		sys := 0
		if u.IsSystemUser {
			sys = 1
		}
		st.members[sys] = append(st.members[sys], u)
		for _, r := range uniq(u.BusinessRoles) {
			st.membersByRole[sys][r] = append(st.membersByRole[sys][r], u)
		}
	}
	byID := func(a, b *User) int { return cmp.Compare(a.ID, b.ID) }
	for sys := range 2 {
		slices.SortFunc(st.members[sys], byID)
		for _, l := range st.membersByRole[sys] {
			slices.SortFunc(l, byID)
		}
	}
	for i := range d.Partners {
		p := &d.Partners[i]
		st.partners[p.ID] = p
		st.partnerList = append(st.partnerList, p)
		st.partnersByTyp[p.PartnerType] = append(st.partnersByTyp[p.PartnerType], p)
	}
	pByID := func(a, b *Partner) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(st.partnerList, pByID)
	for _, l := range st.partnersByTyp {
		slices.SortFunc(l, pByID)
	}
	for i := range d.Assets {
		a := &d.Assets[i]
		st.assets[a.ID] = a
	}
	for i := range d.Grants {
		g := &d.Grants[i]
		if g.MemberID != "" {
			st.memberGrants[g.MemberID] = append(st.memberGrants[g.MemberID], g)
			st.assetMemberGrants[g.AssetID] = append(st.assetMemberGrants[g.AssetID], g)
			continue
		}
		st.partnerGrants[g.PartnerID] = append(st.partnerGrants[g.PartnerID], g)
		st.assetPartnerGrants[g.AssetID] = append(st.assetPartnerGrants[g.AssetID], g)
		if p := st.partners[g.PartnerID]; p != nil && p.PartnerType == PartnerExternal {
			st.bizPerms[g.AssetID] = union(st.bizPerms[g.AssetID], g.Permissions)
		}
	}
	for i := range d.Assets {
		a := &d.Assets[i]
		switch {
		case a.OwnerID == d.Business.ID:
			st.owned[a.Type] = append(st.owned[a.Type], a)
			st.visible[a.Type] = append(st.visible[a.Type], a)
		case st.bizPerms[a.ID] != nil:
			st.shared[a.Type] = append(st.shared[a.Type], a)
			st.visible[a.Type] = append(st.visible[a.Type], a)
		}
		for _, c := range a.Contents {
			st.groupsContaining[c] = append(st.groupsContaining[c], a)
		}
		if a.Type == AssetAdAccount && st.users[a.OwnerID] != nil {
			st.personal[a.OwnerID] = append(st.personal[a.OwnerID], a)
		}
	}
	aByID := func(a, b *Asset) int { return cmp.Compare(a.ID, b.ID) }
	for _, m := range []map[string][]*Asset{st.visible, st.owned, st.shared, st.groupsContaining, st.personal} {
		for _, l := range m {
			slices.SortFunc(l, aByID)
		}
	}
	byAsset := func(a, b *Grant) int { return cmp.Compare(a.AssetID, b.AssetID) }
	for _, l := range st.memberGrants {
		slices.SortFunc(l, byAsset)
	}
	for _, l := range st.partnerGrants {
		slices.SortFunc(l, byAsset)
	}
	for _, l := range st.assetMemberGrants {
		slices.SortFunc(l, func(a, b *Grant) int { return cmp.Compare(a.MemberID, b.MemberID) })
	}
	for _, l := range st.assetPartnerGrants {
		slices.SortFunc(l, func(a, b *Grant) int { return cmp.Compare(a.PartnerID, b.PartnerID) })
	}
	for i := range d.ConversionTags {
		t := &d.ConversionTags[i]
		st.tags[t.AdAccountID] = append(st.tags[t.AdAccountID], t)
	}
	for _, l := range st.tags {
		slices.SortFunc(l, func(a, b *ConversionTag) int { return cmp.Compare(a.ID, b.ID) })
	}
	for i := range d.Invites {
		st.invites = append(st.invites, &d.Invites[i])
	}
	slices.SortFunc(st.invites, func(a, b *Invite) int { return cmp.Compare(a.ID, b.ID) })
	for i := range d.Apps {
		st.apps[d.Apps[i].ID] = &d.Apps[i]
	}
	return st
}

func uniq(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// union returns a ∪ b without duplicates; it never writes into a's or b's
// array, since permission slices are shared.
func union(a, b []string) []string {
	out := slices.Clip(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// visibleAsset returns an asset the business owns or that is shared with it.
func (st *state) visibleAsset(id string) *Asset {
	a := st.assets[id]
	if a == nil {
		return nil
	}
	if a.OwnerID == st.d.Business.ID || st.bizPerms[id] != nil {
		return a
	}
	return nil
}

// adAccountPerms returns the permissions u holds on ad account a, nil if
// none: OWNER for a personal ad account; for a BIZ_ADMIN, ADMIN on the
// business's own ad accounts and the business's permissions on those
// shared with it; plus u's own grants.
func (st *state) adAccountPerms(u *User, a *Asset) []string {
	var perms []string
	if a.OwnerID == u.ID {
		perms = append(perms, "OWNER")
	}
	if u.HasRole(RoleBizAdmin) {
		if a.OwnerID == st.d.Business.ID {
			perms = union(perms, []string{"ADMIN"})
		} else {
			perms = union(perms, st.bizPerms[a.ID])
		}
	}
	for _, g := range st.assetMemberGrants[a.ID] {
		if g.MemberID == u.ID {
			perms = union(perms, g.Permissions)
		}
	}
	return perms
}
