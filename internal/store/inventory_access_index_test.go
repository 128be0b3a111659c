package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"pinaccess/internal/store"
)

// Every grant by principal or by permission, and the grants of one
// permission by principal, are read from the snapshot's access index, not
// from SQL: each page holds, field for field, the
// rows the export streams for the same query (which the dataset tests
// check), at the start, in the middle and at the end of the list, in
// either direction.
func TestAccessPagesFromTheAccessIndexHoldTheRowsOfTheList(t *testing.T) {
	st, id, _ := imported(t)
	for _, c := range []struct{ sort, perm, dir string }{
		{"principal", "ADMIN", store.SortAsc}, {"principal", "ADMIN", store.SortDesc}, {"principal", "FINANCE_MANAGER", store.SortAsc},
		{"principal", "ANALYST", store.SortDesc}, {"permission", "", store.SortAsc}, {"permission", "", store.SortDesc},
		{"principal", "", store.SortAsc}, {"principal", "", store.SortDesc},
	} {
		t.Run(fmt.Sprintf("%s %s %s", c.sort, c.perm, c.dir), func(t *testing.T) {
			t.Parallel()
			q := store.AccessQuery{ListQuery: store.ListQuery{Sort: c.sort, Dir: c.dir}, Permission: c.perm}
			want := all(t, func(ctx context.Context, fn func(store.AccessRow) error) error { return st.EachAccess(ctx, id, q, fn) })
			if len(want) < 1000 {
				t.Fatalf("%d grants of %s; the case wants more", len(want), c.perm)
			}
			var members, partners int
			for _, r := range want {
				if c.perm != "" && r.Permission != c.perm {
					t.Fatalf("the export's rows hold %s, want only %s", r.Permission, c.perm)
				}
				if r.PrincipalType == store.GranteePartner {
					partners++
				} else {
					members++
				}
			}
			if members == 0 || partners == 0 {
				t.Fatalf("%d members' and %d partners' grants; the case wants both", members, partners)
			}
			for _, per := range []int{7, 50} {
				pages := (len(want) + per - 1) / per
				for _, p := range []int{1, 2, pages / 2, pages - 1, pages, pages + 1} {
					q.Page, q.PerPage = p, per
					got, err := st.ListAccess(context.Background(), id, q)
					if err != nil {
						t.Fatal(err)
					}
					rows := want[min((p-1)*per, len(want)):min(p*per, len(want))]
					if got.Total != len(want) || len(got.Rows) != len(rows) {
						t.Fatalf("%d a page, page %d: %d rows of %d, want %d of %d", per, p, len(got.Rows), got.Total, len(rows), len(want))
					}
					for i := range rows {
						if !reflect.DeepEqual(got.Rows[i], rows[i]) {
							t.Fatalf("%d a page, page %d, row %d:\n got %+v\nwant %+v", per, p, i, got.Rows[i], rows[i])
						}
					}
				}
			}
		})
	}
	t.Run("a permission nobody holds", func(t *testing.T) {
		p, err := st.ListAccess(context.Background(), id, store.AccessQuery{Permission: "NOT_A_PERMISSION"})
		if err != nil || p.Total != 0 || len(p.Rows) != 0 {
			t.Fatalf("%d rows of %d (%v), want none", len(p.Rows), p.Total, err)
		}
	})
}
