package store

import (
	"context"
	"reflect"
	"testing"
)

// samePages fails unless every page of q, at a few sizes, is its slice of
// want.
func samePages(t *testing.T, s *Store, id int64, q AccessQuery, want []AccessRow) {
	t.Helper()
	for _, per := range []int{1, 3, 100} {
		for p := 1; (p-1)*per <= len(want); p++ {
			q.Page, q.PerPage = p, per
			got, err := s.ListAccess(context.Background(), id, q)
			if err != nil {
				t.Fatal(err)
			}
			rows := want[(p-1)*per : min(p*per, len(want))]
			if got.Total != len(want) || len(got.Rows) != len(rows) {
				t.Fatalf("%+v, %d a page, page %d: %d rows of %d, want %d of %d", q, per, p, len(got.Rows), got.Total, len(rows), len(want))
			}
			for i := range rows {
				if !reflect.DeepEqual(got.Rows[i], rows[i]) {
					t.Fatalf("%+v, %d a page, page %d, row %d:\n got %+v\nwant %+v", q, per, p, i, got.Rows[i], rows[i])
				}
			}
		}
	}
}

// The access index orders principals as the list's SQL does (names equal
// but for ASCII case side by side, members and partners together, ties on
// the key) and leaves out grants whose asset or principal the snapshot
// does not list, as the SQL's joins do: every page of every grant (by
// principal or by permission), of one permission's grants and of a search
// no asset matches, in either direction, is the SQL's slice of them.
func TestAccessIndexPagesEqualTheListQueryForHostileNames(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	id := newIntegration(t, s, 0, 3)
	run := syncBusiness(t, s, id, hostileBusiness())
	ix, err := s.accessIndex(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{SortAsc, SortDesc} {
		for _, perm := range []string{"ADMIN", "ANALYST", "BRAND_NEW_PERMISSION", "NO_SUCH_PERMISSION"} {
			q := AccessQuery{ListQuery: ListQuery{Sort: "principal", Dir: dir}, Permission: perm}
			if !q.byPermission() {
				t.Fatalf("%+v is not read from the access index", q)
			}
			want := generalAccess(t, s, run.ID, q)
			if len(want) < 20 && perm != "NO_SUCH_PERMISSION" {
				t.Fatalf("%s: %d rows, too few to compare", perm, len(want))
			}
			samePages(t, s, id, q, want)
		}
		// Every grant, by principal and by permission.
		q := AccessQuery{ListQuery: ListQuery{Sort: "principal", Dir: dir}}
		if !q.byPrincipal() {
			t.Fatalf("%+v is not read from the access index", q)
		}
		samePages(t, s, id, q, generalAccess(t, s, run.ID, q))
		q = AccessQuery{ListQuery: ListQuery{Sort: "permission", Dir: dir}}
		if !q.byPermissionSort() {
			t.Fatalf("%+v is not read from the access index", q)
		}
		samePages(t, s, id, q, generalAccess(t, s, run.ID, q))
		// Searches that principals' names, emails or IDs match and no
		// asset's: wildcards, Unicode case, IDs and nothing at all.
		for _, text := range []string{"example", "Émile", "ss", "a%b", "a_b", `a\b`, "under", "日本", "100", " LINE", "nomatch"} {
			q := AccessQuery{ListQuery: ListQuery{Sort: "principal", Dir: dir, Q: text}}
			assets, err := s.assetsMatching(ctx, id, run.ID, text)
			if err != nil || assets != "[]" || !q.byPrincipalSearch() {
				t.Fatalf("%q: assets %s (%v); the case wants a search the access index answers", text, assets, err)
			}
			if _, ok, err := s.principalsMatching(ctx, run.ID, ix, text); !ok || err != nil {
				t.Fatalf("%q: the access index cannot answer (%v)", text, err)
			}
			want := generalAccess(t, s, run.ID, q)
			if len(want) == 0 && text != "nomatch" {
				t.Fatalf("%q matches nothing, so it tests nothing", text)
			}
			samePages(t, s, id, q, want)
		}
	}
}
