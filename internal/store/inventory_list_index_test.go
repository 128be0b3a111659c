package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"pinaccess/internal/store"
)

// Filtered pages of members and assets by name, and pages of tags by ad
// account (read from the store's list indexes), hold their slice of the
// list as SQLite streams it, with its total, for every combination of
// filters, either way.
func TestFilteredPagesByNameHoldTheirSliceOfTheList(t *testing.T) {
	st, id, _ := imported(t)
	check := func(t *testing.T, list []string, page func(p, per int) ([]string, int)) {
		t.Helper()
		for _, per := range []int{10, 37} {
			pages := (len(list) + per - 1) / per
			for _, p := range []int{1, 2, pages / 2, pages, pages + 1} {
				if p >= 1 {
					checkPage(t, list, p, per, page)
				}
			}
		}
	}
	var nonEmpty atomic.Int32
	// The subtests run in parallel, in a group that ends when they all have.
	t.Run("lists", func(t *testing.T) {
		for _, text := range []string{"", "garcia", "a", "zz-nobody"} {
			for _, role := range []string{"", "BIZ_ADMIN", "EMPLOYEE"} {
				for _, system := range []string{"", "yes", "no"} {
					for _, dir := range []string{store.SortAsc, store.SortDesc} {
						q := store.MemberQuery{ListQuery: store.ListQuery{Q: text, Dir: dir}, Role: role, SystemUser: system}
						t.Run(fmt.Sprintf("members %q %s %s %s", text, role, system, dir), func(t *testing.T) {
							t.Parallel()
							list, page := pagedMembers(t, st, id, q)
							nonEmpty.Add(int32(min(1, len(list))))
							check(t, list, page)
						})
					}
				}
			}
		}
		for _, text := range []string{"", "retarget", "s"} {
			for _, typ := range []string{"", "AD_ACCOUNT", "PROFILE"} {
				for _, owner := range []string{"", store.OwnerOurs, store.OwnerTheirs} {
					for _, admin := range []string{"", store.AdminServiceOnly} {
						dir := []string{store.SortAsc, store.SortDesc}[len(text+typ+owner+admin)%2]
						q := store.AssetQuery{ListQuery: store.ListQuery{Q: text, Dir: dir}, Type: typ, Owner: owner, Admin: admin}
						t.Run(fmt.Sprintf("assets %q %s %s %s %s", text, typ, owner, admin, dir), func(t *testing.T) {
							t.Parallel()
							list, page := pagedAssets(t, st, id, q)
							nonEmpty.Add(int32(min(1, len(list))))
							check(t, list, page)
						})
					}
				}
			}
		}
		for _, text := range []string{"", "checkout", "e"} {
			for _, status := range []string{"", "ACTIVE"} {
				for _, dir := range []string{store.SortAsc, store.SortDesc} {
					q := store.PixelQuery{ListQuery: store.ListQuery{Q: text, Sort: "ad_account", Dir: dir}, Status: status}
					t.Run(fmt.Sprintf("tags by ad account %q %s %s", text, status, dir), func(t *testing.T) {
						t.Parallel()
						list, page := pagedPixels(t, st, id, q)
						nonEmpty.Add(int32(min(1, len(list))))
						check(t, list, page)
					})
				}
			}
		}
	})
	if n := nonEmpty.Load(); n < 90 {
		t.Fatalf("only %d of the filters match anything", n)
	}
}
