package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGrantChangesMatchASetComparison checks the merge diff against a plain
// comparison of the two grant sets, on random snapshots where grants
// appear, vanish and change permissions.
func TestGrantChangesMatchASetComparison(t *testing.T) {
	ctx := context.Background()
	perms := []string{"ADMIN", "ANALYST", "CAMPAIGN_MANAGER", "FINANCE_VIEW"}
	gen := func(rng *rand.Rand) business {
		b := sampleBusiness(40)
		b.grants = nil
		for _, m := range b.members {
			for _, a := range b.assets {
				if rng.IntN(3) == 0 {
					continue
				}
				var ps []string
				for _, p := range perms {
					if rng.IntN(3) == 0 {
						ps = append(ps, p)
					}
				}
				if len(ps) > 0 {
					b.grants = append(b.grants, Grant{GranteeType: GranteeMember, GranteeID: m.ID, AssetID: a.ID, Permissions: ps})
				}
			}
		}
		return b
	}
	for seed := range uint64(5) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			s := openTemp(t)
			integ := newIntegration(t, s, 0, 30)
			a, b := gen(rng), gen(rng)
			syncBusiness(t, s, integ, a)
			run := syncBusiness(t, s, integ, b)
			key := func(g Grant) string { return g.GranteeID + "/" + g.AssetID }
			before, after := map[string]string{}, map[string]string{}
			removedRows := 0
			for _, g := range a.grants {
				before[key(g)] = joinSorted(g.Permissions)
			}
			for _, g := range b.grants {
				after[key(g)] = joinSorted(g.Permissions)
			}
			for k, ps := range before {
				for _, p := range splitList(ps) {
					if !slices.Contains(splitList(after[k]), p) {
						removedRows++
					}
				}
			}
			var want []string
			for k := range before {
				if before[k] != after[k] {
					want = append(want, k+" "+before[k]+" > "+after[k])
				}
			}
			for k := range after {
				if _, ok := before[k]; !ok {
					want = append(want, k+"  > "+after[k])
				}
			}
			changes, _ := s.Changes(ctx, run.ID)
			var got []string
			for _, c := range changes {
				got = append(got, c.SubjectID+"/"+c.AssetID+" "+c.Before+" > "+c.After)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%d changes, want %d\n got %v\nwant %v", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
			}
			if run.Removed.Grants != int64(removedRows) {
				t.Fatalf("removed grant rows %d, want %d", run.Removed.Grants, removedRows)
			}
		})
	}
}
