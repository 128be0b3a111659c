package store

import (
	"context"
	"reflect"
	"testing"
)

// The permission index orders principals as the list's SQL does (names
// equal but for ASCII case side by side, members and partners together,
// ties on the key) and leaves out grants whose asset or principal the
// snapshot does not list, as the SQL's joins do: every page of one
// permission's grants, in either direction, is the SQL's slice of them.
func TestPermissionPagesEqualTheListQueryForHostileNames(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	id := newIntegration(t, s, 0, 3)
	run := syncBusiness(t, s, id, hostileBusiness())
	for _, perm := range []string{"ADMIN", "ANALYST", "BRAND_NEW_PERMISSION", "NO_SUCH_PERMISSION"} {
		for _, dir := range []string{SortAsc, SortDesc} {
			q := AccessQuery{ListQuery: ListQuery{Sort: "principal", Dir: dir}, Permission: perm}
			if !q.byPermission() {
				t.Fatalf("%+v is not read from the permission index", q)
			}
			want := generalAccess(t, s, run.ID, q)
			if len(want) < 20 && perm != "NO_SUCH_PERMISSION" {
				t.Fatalf("%s: %d rows, too few to compare", perm, len(want))
			}
			for _, per := range []int{1, 3, 100} {
				for p := 1; (p-1)*per <= len(want); p++ {
					q.Page, q.PerPage = p, per
					got, err := s.ListAccess(ctx, id, q)
					if err != nil {
						t.Fatal(err)
					}
					rows := want[(p-1)*per : min(p*per, len(want))]
					if got.Total != len(want) || len(got.Rows) != len(rows) {
						t.Fatalf("%s %s, %d a page, page %d: %d rows of %d, want %d of %d",
							perm, dir, per, p, len(got.Rows), got.Total, len(rows), len(want))
					}
					for i := range rows {
						if !reflect.DeepEqual(got.Rows[i], rows[i]) {
							t.Fatalf("%s %s, %d a page, page %d, row %d:\n got %+v\nwant %+v", perm, dir, per, p, i, got.Rows[i], rows[i])
						}
					}
				}
			}
		}
	}
}
