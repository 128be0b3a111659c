package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A filtered page of members by name, found in the member index, holds
// the rows SQLite's query finds, in the same order, with the same total:
// for searches with LIKE's wildcards and escape, non-ASCII case, spaces
// and roles, either way, on every page.
func TestMemberIndexAnswersAsTheQueryDoes(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	id := newIntegration(t, s, 0, 2)
	b := sampleBusiness(60)
	names := []string{"50%_off", "under_score", `back\slash`, "ÜNAL", "ünal", "İstanbul", "istanbul", "Straße", "STRASSE",
		"Ana Garcia", "ana garcía", "ANA GARCIA", "x%y", "x_y", "xay", "  spaced  ", "K", "k", "\u212a"}
	for i, n := range names {
		b.members[i].Username = n
		b.members[i].Email = fmt.Sprintf("m%d@%s.example", i, []string{"Shop", "shop", "SHOP"}[i%3])
	}
	for i := range b.members {
		switch i % 4 {
		case 0:
			b.members[i].BusinessRoles = []string{"BIZ_ADMIN"}
		case 1:
			b.members[i].BusinessRoles = []string{"BIZ_ADMIN", "EMPLOYEE"}
		}
		b.members[i].IsSystemUser = i%5 == 0
	}
	syncBusiness(t, s, id, b)
	run, err := s.currentRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	searches := []string{"", "%", "_", `\`, "x%y", "x_y", "ünal", "ÜNAL", "İ", "i̇", "straße", "strasse", "garcia", "garcía",
		" ana ", "  garcia  ", "k", "\u212a", "shop", "SHOP", "user1", "nobody", "50%_"}
	compared := 0
	for _, text := range searches {
		for _, role := range []string{"", "BIZ_ADMIN", "EMPLOYEE", "BIZ"} {
			for _, system := range []string{"", "yes", "no"} {
				for _, dir := range []string{SortAsc, SortDesc} {
					q := MemberQuery{ListQuery: ListQuery{Q: text, Dir: dir, PerPage: 4}, Role: role, SystemUser: system}
					if !q.byIndex() {
						continue
					}
					l, _, _ := q.sql(run)
					for page := 1; page <= 20; page++ {
						q.Page = page
						want, wantTotal, err := listPage(ctx, s, "list members", l, q.ListQuery, countLive, scanMemberRow)
						if err != nil {
							t.Fatal(err)
						}
						got, err := s.ListMembers(ctx, id, q)
						if err != nil {
							t.Fatal(err)
						}
						if got.Total != wantTotal || !slices.EqualFunc(got.Rows, want, func(a, b MemberRow) bool { return a.ID == b.ID && a.Assets == b.Assets }) {
							t.Fatalf("%q role %q system %q %s page %d: %d rows %v of %d, want %d rows %v of %d",
								text, role, system, dir, page, len(got.Rows), got.Rows, got.Total, len(want), want, wantTotal)
						}
						compared += len(want)
						if len(want) == 0 {
							break
						}
					}
				}
			}
		}
	}
	if compared < 500 {
		t.Fatalf("only %d rows compared", compared)
	}
}
