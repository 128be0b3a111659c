package store_test

import (
	"context"
	"fmt"
	"testing"

	"pinaccess/internal/store"
)

// deepPages checks pages far into a list (where the store seeks from a
// remembered row rather than stepping over the rows before the page)
// against the whole list read in order: page sizes that put pages on,
// just after and just before the store's seek points, and pages spread
// over the list. (The subtests run in parallel, as pages are read by
// concurrent requests.)
func deepPages(t *testing.T, list []string, page func(p, per int) ([]string, int)) {
	t.Helper()
	if len(list) < 3000 {
		t.Fatalf("the list has %d rows; the test wants one long enough to page deep into", len(list))
	}
	for _, per := range []int{7, 64, 500} {
		pages := (len(list) + per - 1) / per
		checked := map[int]bool{}
		for _, p := range []int{pages / 5, pages / 3, pages / 2, pages/2 + 1, 2 * pages / 3, pages - 4} {
			// and the page holding row 4096 (a seek point's row), or the
			// one holding the row before it
			for _, q := range []int{p, 4096/per + 1, 4095/per + 1} {
				if q < 1 || checked[q] {
					continue
				}
				checked[q] = true
				checkPage(t, list, q, per, page)
			}
		}
	}
}

func TestDeepPagesHoldTheirSliceOfTheList(t *testing.T) {
	st, id, _ := imported(t)
	ctx := context.Background()
	for _, c := range []struct{ sort, dir, text string }{
		{"username", store.SortAsc, ""}, {"username", store.SortDesc, ""}, {"email", store.SortAsc, ""},
		{"role", store.SortDesc, ""}, {"created", store.SortAsc, ""}, {"id", store.SortDesc, ""},
		{"username", store.SortAsc, "a"},
	} {
		t.Run(fmt.Sprintf("members by %s %s %q", c.sort, c.dir, c.text), func(t *testing.T) {
			t.Parallel()
			list, page := pagedMembers(t, st, id, store.MemberQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir, Q: c.text}})
			deepPages(t, list, page)
		})
	}
	for _, c := range []struct{ sort, dir string }{
		{"name", store.SortAsc}, {"type", store.SortDesc}, {"owner", store.SortAsc}, {"updated", store.SortDesc},
	} {
		t.Run("assets by "+c.sort+" "+c.dir, func(t *testing.T) {
			t.Parallel()
			list, page := pagedAssets(t, st, id, store.AssetQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir}})
			deepPages(t, list, page)
		})
	}
	for _, c := range []struct{ sort, dir string }{{"ad_account", store.SortAsc}, {"status", store.SortDesc}} {
		t.Run("pixels by "+c.sort+" "+c.dir, func(t *testing.T) {
			t.Parallel()
			list, page := pagedPixels(t, st, id, store.PixelQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir}})
			deepPages(t, list, page)
		})
	}
	for _, c := range []struct {
		sort, dir, text, perm string
	}{
		{"principal", store.SortAsc, "", ""}, {"principal", store.SortDesc, "", "ANALYST"},
		{"asset", store.SortAsc, "", ""}, {"asset_type", store.SortDesc, "", ""},
		{"permission", store.SortAsc, "", ""}, {"permission", store.SortDesc, "", ""},
		{"principal_type", store.SortDesc, "", ""}, {"principal", store.SortAsc, "kitchen", ""},
		{"asset", store.SortDesc, "an", ""},
		// A search no partner's name or asset holds: read from the
		// members alone.
		{"principal", store.SortAsc, "garcia", ""},
	} {
		t.Run(fmt.Sprintf("access by %s %s %q %s", c.sort, c.dir, c.text, c.perm), func(t *testing.T) {
			t.Parallel()
			q := store.AccessQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir, Q: c.text}, Permission: c.perm}
			if c.text == "garcia" {
				p, err := st.ListAccess(ctx, id, store.AccessQuery{ListQuery: q.ListQuery, PrincipalType: store.GranteePartner})
				if err != nil || p.Total != 0 {
					t.Fatalf("%d grants of partners match %q (%v); the case wants none", p.Total, c.text, err)
				}
			}
			list, page := pagedAccess(t, st, id, q)
			deepPages(t, list, page)
		})
	}
}
