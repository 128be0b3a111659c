package store_test

import (
	"context"
	"fmt"
	"testing"

	"pinaccess/internal/store"
)

// A search of the access list pages from a window of the members that
// match: every page near the start of the list, at sizes that end pages
// inside a member's grants and across several members', holds its slice of
// the list read in order, whichever side of a grant matches and in either
// direction.
func TestAccessSearchPagesNearTheStartHoldTheirSlice(t *testing.T) {
	st, id, _ := imported(t)
	ctx := context.Background()
	for _, c := range []struct {
		sort, dir, text, role, principals string
		why                               string
	}{
		{"principal", store.SortAsc, "garcia", "", "", "members alone match"},
		{"principal", store.SortDesc, "garcia", "", "", "members alone match, from the end"},
		{"principal", store.SortAsc, "garcia", "EMPLOYEE", "", "members who hold a role, side by side"},
		{"principal", store.SortDesc, "garcia", "EMPLOYEE", "", "members who hold a role, from the end"},
		{"principal", store.SortAsc, "101", "", "", "members' and assets' IDs and names match"},
		{"principal", store.SortDesc, "101", "", "", "members and assets, from the end"},
		{"principal_type", store.SortAsc, "orbit", "", "", "members' emails and partners' names match"},
		{"principal_type", store.SortDesc, "orbit", "", "", "partners first, then members"},
		{"principal", store.SortAsc, "orbit", "EMPLOYEE", "", "members who hold a role"},
		{"principal", store.SortAsc, "101", "", store.GranteeMember, "members only"},
	} {
		t.Run(fmt.Sprintf("%s %s %q %s %s", c.sort, c.dir, c.text, c.role, c.principals), func(t *testing.T) {
			t.Parallel()
			q := store.AccessQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir, Q: c.text}, Role: c.role, PrincipalType: c.principals}
			list, page := pagedAccess(t, st, id, q)
			if len(list) < 1200 {
				t.Fatalf("%s: %d grants match; the case wants more than a window's worth", c.why, len(list))
			}
			for _, per := range []int{7, 50, 500} {
				for p := 1; (p-1)*per <= 1200; p++ {
					checkPage(t, list, p, per, page)
				}
			}
		})
	}
	// Both sides match in the "101" case, or it tests no interleaving.
	var members, assets int
	err := st.EachAccess(ctx, id, store.AccessQuery{ListQuery: store.ListQuery{Q: "101"}}, func(r store.AccessRow) error {
		switch {
		case contains("101", r.PrincipalID, r.Username, r.Email):
			members++
		case contains("101", r.AssetID, r.AssetName):
			assets++
		}
		return nil
	})
	if err != nil || members == 0 || assets == 0 {
		t.Fatalf("\"101\" matches %d grants by principal, %d by asset alone (%v): the case wants both", members, assets, err)
	}
}
