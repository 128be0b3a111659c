package main

import "pinaccess/internal/sandbox"

// DatasetFacts are the sizes of a generated dataset that the report and
// the call minimum need.
type DatasetFacts struct {
	Members, SystemUsers, Partners, Assets, Grants, GrantRows, Pixels, Invites int
	MinCalls                                                                   int
}

// datasetFacts describes d and computes the minimum number of API calls of
// the import strategy documented at the top of internal/importer/fetch.go:
//
//	Σ⌈V_t/250⌉ + ⌈Go/250⌉ + ⌈Co/250⌉ + ⌈M/250⌉ + ⌈S/250⌉ + ⌈I/250⌉ + ⌈E/250⌉
//	+ invite pages + ⌈A'/250⌉ + A + [Ao>0] + min(G+C, 2M) + min(G+C, 2S)·[S>0]
//	+ min(Go+Co, 2I)·[I>0] + E·(types shared)
//
// where a list with nothing still costs one call.
func datasetFacts(d *sandbox.Dataset) DatasetFacts {
	f := DatasetFacts{Partners: len(d.Partners), Assets: len(d.Assets), Grants: len(d.Grants),
		Pixels: len(d.ConversionTags), Invites: len(d.Invites)}
	for _, g := range d.Grants {
		f.GrantRows += len(g.Permissions)
	}
	pages := func(n int) int { return max(1, (n+249)/250) }
	biz := d.Business.ID
	ext := map[string]bool{}
	var internal, external int
	for _, p := range d.Partners {
		if p.PartnerType == sandbox.PartnerExternal {
			ext[p.ID] = true
			external++
		} else {
			internal++
		}
	}
	shared := map[string]bool{}
	for _, g := range d.Grants {
		if ext[g.PartnerID] {
			shared[g.AssetID] = true
		}
	}
	visible := map[string]int{}
	owned := map[string]int{}
	sharedGC := map[string]bool{}
	for _, a := range d.Assets {
		if a.OwnerID == biz {
			owned[a.Type]++
			visible[a.Type]++
		} else if shared[a.ID] {
			visible[a.Type]++
			if a.Type == sandbox.AssetGroup || a.Type == sandbox.AssetCatalog {
				sharedGC[a.Type] = true
			}
		}
	}
	for _, u := range d.Users {
		switch {
		case !u.IsMember():
		case u.IsSystemUser:
			f.SystemUsers++
		default:
			f.Members++
		}
	}
	var memberInv, partnerInv int
	for _, inv := range d.Invites {
		if inv.InviteType == "MEMBER_INVITE" {
			memberInv++
		} else {
			partnerInv++
		}
	}
	members, system := f.Members, f.SystemUsers
	gc := visible[sandbox.AssetGroup] + visible[sandbox.AssetCatalog]
	ownedGC := owned[sandbox.AssetGroup] + owned[sandbox.AssetCatalog]
	n := 0
	for _, t := range []string{sandbox.AssetAdAccount, sandbox.AssetProfile, sandbox.AssetGroup, sandbox.AssetCatalog} {
		n += pages(visible[t])
	}
	n += pages(owned[sandbox.AssetGroup]) + pages(owned[sandbox.AssetCatalog])
	n += pages(members) + pages(system) + pages(internal) + pages(external) + pages(memberInv) + pages(partnerInv)
	n += pages(visible[sandbox.AssetAdAccount]) // ad_accounts/list
	n += visible[sandbox.AssetAdAccount]        // conversion_tags/list per ad account
	if owned[sandbox.AssetAdAccount] > 0 {
		n++ // user_account/get: the business's name
	}
	if gc > 0 {
		n += min(gc, 2*members)
		if system > 0 {
			n += min(gc, 2*system)
		}
	}
	if internal > 0 && ownedGC > 0 {
		n += min(ownedGC, 2*internal)
	}
	n += len(sharedGC) * external
	f.MinCalls = n
	return f
}
