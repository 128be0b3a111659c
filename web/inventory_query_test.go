package web

import (
	"cmp"
	"context"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"pinaccess/internal/export"
	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// parseCase is a list's query string, the store query it must become and
// its canonical query string.
type parseCase[Q any] struct {
	query string
	want  Q
	canon string
}

// checkParser runs a parser over its cases. The canonical query string
// must parse into the same store query and be its own canonical form, so a
// bookmark of the pushed URL shows the same page.
func checkParser[Q any](t *testing.T, parse func(url.Values) (Q, url.Values), cases []parseCase[Q]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, canon := parse(v)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("store query\n got %+v\nwant %+v", got, tc.want)
			}
			if canon.Encode() != tc.canon {
				t.Errorf("canonical query %q, want %q", canon.Encode(), tc.canon)
			}
			again, canon2 := parse(canon)
			if !reflect.DeepEqual(again, got) || canon2.Encode() != canon.Encode() {
				t.Errorf("the canonical query %q parses into %+v (canonical %q), not the same page", canon.Encode(), again, canon2.Encode())
			}
		})
	}
}

// page is the ListQuery of a paged list: the defaults unless given.
func page(q, sort, dir string, pg, perPage int) store.ListQuery {
	return store.ListQuery{Q: q, Sort: sort, Dir: dir, Page: max(pg, 1), PerPage: cmp.Or(perPage, store.DefaultPerPage)}
}

func TestMemberQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, memberQuery, []parseCase[store.MemberQuery]{
		{"", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		// The filter form as htmx submits it untouched: every field, empty
		// or at its default.
		{"q=&role=&system_user=&per_page=50", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"q=+ann+&role=biz_admin&system_user=YES", store.MemberQuery{ListQuery: page("ann", "", "", 1, 0), Role: "BIZ_ADMIN", SystemUser: "yes"},
			"q=ann&role=BIZ_ADMIN&system_user=yes"},
		{"q=%25_%5C%27", store.MemberQuery{ListQuery: page(`%_\'`, "", "", 1, 0)}, "q=%25_%5C%27"},
		{"role=OWNER&system_user=maybe&foo=bar&_csrf=x", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"role=EMPLOYEE&role=BIZ_ADMIN", store.MemberQuery{ListQuery: page("", "", "", 1, 0), Role: "EMPLOYEE"}, "role=EMPLOYEE"},
		{"sort=username&dir=asc&page=1&per_page=50", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=username&dir=desc", store.MemberQuery{ListQuery: page("", "", "desc", 1, 0)}, "dir=desc"},
		{"sort=email&dir=asc", store.MemberQuery{ListQuery: page("", "email", "", 1, 0)}, "sort=email"},
		{"sort=email&dir=desc&page=3&per_page=250", store.MemberQuery{ListQuery: page("", "email", "desc", 3, 250)},
			"dir=desc&page=3&per_page=250&sort=email"},
		{"sort=EMAIL&dir=DESC&page=-2&per_page=51", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=name%3BDROP+TABLE&page=x&per_page=99999999999999999999", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		// A page past any list's end is capped where its offset cannot
		// overflow; the list page then shows its last page.
		{"page=9223372036854775807", store.MemberQuery{ListQuery: page("", "", "", maxPage, 0)}, "page=2147483647"},
		{"page=99999999999999999999999", store.MemberQuery{ListQuery: page("", "", "", maxPage, 0)}, "page=2147483647"},
		{"page=-99999999999999999999999", store.MemberQuery{ListQuery: page("", "", "", 1, 0)}, ""},
	})
}

func TestPartnerQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, partnerQuery, []parseCase[store.PartnerQuery]{
		{"q=&type=&per_page=50", store.PartnerQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"type=external&q=agency", store.PartnerQuery{ListQuery: page("agency", "", "", 1, 0), Type: "EXTERNAL"}, "q=agency&type=EXTERNAL"},
		{"type=INTERNAL&sort=type&dir=desc&per_page=25", store.PartnerQuery{ListQuery: page("", "type", "desc", 1, 25), Type: "INTERNAL"},
			"dir=desc&per_page=25&sort=type&type=INTERNAL"},
		{"type=AGENCY&sort=updated", store.PartnerQuery{ListQuery: page("", "", "", 1, 0)}, ""},
	})
}

func TestAssetQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, assetQuery, []parseCase[store.AssetQuery]{
		{"q=&type=&owner=&admin=&per_page=50", store.AssetQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"type=ad_account&owner=OURS&admin=service_only", store.AssetQuery{ListQuery: page("", "", "", 1, 0),
			Type: "AD_ACCOUNT", Owner: store.OwnerOurs, Admin: store.AdminServiceOnly}, "admin=service_only&owner=ours&type=AD_ACCOUNT"},
		{"owner=mine&admin=anyone&type=PIN", store.AssetQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=updated&dir=desc&page=2", store.AssetQuery{ListQuery: page("", "updated", "desc", 2, 0)}, "dir=desc&page=2&sort=updated"},
		{"sort=name&dir=asc", store.AssetQuery{ListQuery: page("", "", "", 1, 0)}, ""},
	})
}

func TestAccessQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, accessQuery, []parseCase[store.AccessQuery]{
		{"q=&permission=&principal_type=&asset_type=&owner=&role=&partner_type=&per_page=50",
			store.AccessQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"permission=admin&principal_type=PARTNER&asset_type=catalog&owner=theirs&role=employee&partner_type=external",
			store.AccessQuery{ListQuery: page("", "", "", 1, 0), Permission: "ADMIN", PrincipalType: store.GranteePartner,
				AssetType: "CATALOG", Owner: store.OwnerTheirs, Role: "EMPLOYEE", PartnerType: "EXTERNAL"},
			"asset_type=CATALOG&owner=theirs&partner_type=EXTERNAL&permission=ADMIN&principal_type=partner&role=EMPLOYEE"},
		{"principal=+123456789012345678+&asset=549755813888&q=x", store.AccessQuery{ListQuery: page("x", "", "", 1, 0),
			PrincipalID: "123456789012345678", AssetID: "549755813888"}, "asset=549755813888&principal=123456789012345678&q=x"},
		{"principal=+&asset=&permission=OWNER", store.AccessQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=permission&dir=asc&page=5&per_page=100", store.AccessQuery{ListQuery: page("", "permission", "", 5, 100)},
			"page=5&per_page=100&sort=permission"},
		{"sort=principal&dir=desc", store.AccessQuery{ListQuery: page("", "", "desc", 1, 0)}, "dir=desc"},
	})
}

func TestRoleQueryHasNoPages(t *testing.T) {
	checkParser(t, roleQuery, []parseCase[store.RoleQuery]{
		{"", store.RoleQuery{}, ""},
		{"q=&kind=&page=4&per_page=100", store.RoleQuery{}, ""},
		{"kind=Permission&sort=holders&dir=desc", store.RoleQuery{ListQuery: store.ListQuery{Sort: "holders", Dir: "desc"}, Kind: "permission"},
			"dir=desc&kind=permission&sort=holders"},
		{"kind=role&sort=grants&q=+admin", store.RoleQuery{ListQuery: store.ListQuery{Q: "admin"}}, "q=admin"},
	})
}

func TestPixelQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, pixelQuery, []parseCase[store.PixelQuery]{
		{"q=&status=&per_page=50", store.PixelQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"status=paused&ad_account=549755813999", store.PixelQuery{ListQuery: page("", "", "", 1, 0), Status: "PAUSED", AdAccountID: "549755813999"},
			"ad_account=549755813999&status=PAUSED"},
		{"status=ON&sort=last_fired&dir=desc", store.PixelQuery{ListQuery: page("", "last_fired", "desc", 1, 0)}, "dir=desc&sort=last_fired"},
	})
}

func TestInviteQueryCountsAgeFromNow(t *testing.T) {
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	parse := func(v url.Values) (store.InviteQuery, url.Values) { return inviteQuery(v, now) }
	checkParser(t, parse, []parseCase[store.InviteQuery]{
		{"q=&type=&status=&older_than=&per_page=50", store.InviteQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"type=partner_request&status=Pending&older_than=30", store.InviteQuery{ListQuery: page("", "", "", 1, 0),
			Type: "PARTNER_REQUEST", Status: "PENDING", SentBefore: now.Add(-30 * 24 * time.Hour)},
			"older_than=30&status=PENDING&type=PARTNER_REQUEST"},
		{"older_than=31&status=ACCEPTED", store.InviteQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=sent&dir=desc", store.InviteQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=sent&dir=asc", store.InviteQuery{ListQuery: page("", "", "asc", 1, 0)}, "dir=asc"},
		{"sort=expires", store.InviteQuery{ListQuery: page("", "expires", "", 1, 0)}, "sort=expires"},
	})
}

func TestChangeQueryTakesARangeOfRuns(t *testing.T) {
	checkParser(t, changeQuery, []parseCase[store.ChangeQuery]{
		{"q=&from=&to=&kind=&subject_type=&per_page=50", store.ChangeQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"from=3&to=7", store.ChangeQuery{ListQuery: page("", "", "", 1, 0), FromRun: 3, ToRun: 7}, "from=3&to=7"},
		// A reversed range is the same range.
		{"from=7&to=3", store.ChangeQuery{ListQuery: page("", "", "", 1, 0), FromRun: 3, ToRun: 7}, "from=3&to=7"},
		{"from=0012", store.ChangeQuery{ListQuery: page("", "", "", 1, 0), FromRun: 12}, "from=12"},
		{"from=-2&to=x", store.ChangeQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"to=5&kind=GRANT_ADDED&subject_type=Member&involving=+42+", store.ChangeQuery{ListQuery: page("", "", "", 1, 0),
			ToRun: 5, Kind: store.ChangeGrantAdded, SubjectType: "member", Involving: "42"},
			"involving=42&kind=grant_added&subject_type=member&to=5"},
		{"kind=anything&subject_type=pin", store.ChangeQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=run&dir=desc", store.ChangeQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"sort=run&dir=asc", store.ChangeQuery{ListQuery: page("", "", "asc", 1, 0)}, "dir=asc"},
		{"sort=subject&dir=asc", store.ChangeQuery{ListQuery: page("", "subject", "", 1, 0)}, "sort=subject"},
	})
}

func TestRunQueryKeepsOnlyWhatChangesTheList(t *testing.T) {
	checkParser(t, runQuery, []parseCase[store.RunQuery]{
		{"status=&per_page=50", store.RunQuery{ListQuery: page("", "", "", 1, 0)}, ""},
		{"status=FAILED&sort=changes&dir=desc", store.RunQuery{ListQuery: page("", "changes", "desc", 1, 0), Status: store.RunFailed},
			"dir=desc&sort=changes&status=failed"},
		{"sort=started&dir=desc", store.RunQuery{ListQuery: page("", "", "", 1, 0)}, ""},
	})
}

// TestExportParsesLikeItsListPage: a download's query is the one its list
// page's parser makes of the same query string.
func TestExportParsesLikeItsListPage(t *testing.T) {
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	raw := "q=+a+&role=biz_admin&type=external&owner=ours&permission=ADMIN&kind=permission&status=paused&older_than=7" +
		"&from=9&to=2&sort=email&dir=desc&page=2&per_page=25&principal=1&ad_account=2&involving=3"
	v, _ := url.ParseQuery(raw)
	same := func(q any, canon url.Values) func(any, url.Values) bool {
		return func(gq any, gc url.Values) bool { return reflect.DeepEqual(q, gq) && gc.Encode() == canon.Encode() }
	}
	for kind, want := range map[string]func(any, url.Values) bool{
		export.Members:  same(memberQuery(v)),
		export.Partners: same(partnerQuery(v)),
		export.Assets:   same(assetQuery(v)),
		export.Access:   same(accessQuery(v)),
		export.Roles:    same(roleQuery(v)),
		export.Pixels:   same(pixelQuery(v)),
		export.Invites:  same(inviteQuery(v, now)),
		export.Changes:  same(changeQuery(v)),
	} {
		if q, canon := exportQuery(kind, v, now); !want(q, canon) {
			t.Errorf("the %s export parses %q into %+v (%q), unlike its list page", kind, raw, q, canon.Encode())
		}
	}
	if len(export.Kinds()) != 8 {
		t.Errorf("export kinds %v: a new kind needs its list page's parser here", export.Kinds())
	}
}

// TestSortingsAreTheStores checks the lists' sort keys and default orders
// against the store's: a canonical URL leaves the default order out, so
// it must be the order the store applies to a query naming none.
func TestSortingsAreTheStores(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := inventorytest.Import(ctx, st, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	type order func(store.ListQuery) (string, string, error)
	for name, tc := range map[string]struct {
		s    store.Sorting
		list order
	}{
		"members": {store.MemberSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListMembers(ctx, id, store.MemberQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"partners": {store.PartnerSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListPartners(ctx, id, store.PartnerQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"assets": {store.AssetSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListAssets(ctx, id, store.AssetQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"access": {store.AccessSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListAccess(ctx, id, store.AccessQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"roles": {store.RoleSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListRoles(ctx, id, store.RoleQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"pixels": {store.PixelSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListPixels(ctx, id, store.PixelQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"invites": {store.InviteSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListInvites(ctx, id, store.InviteQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"changes": {store.ChangeSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListChanges(ctx, id, store.ChangeQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
		"syncs": {store.RunSorting, func(lq store.ListQuery) (string, string, error) {
			p, err := st.ListRuns(ctx, id, store.RunQuery{ListQuery: lq})
			return p.Sort, p.Dir, err
		}},
	} {
		t.Run(name, func(t *testing.T) {
			check := func(lq store.ListQuery, wantSort, wantDir string) {
				t.Helper()
				sort, dir, err := tc.list(lq)
				if err != nil {
					t.Fatal(err)
				}
				if sort != wantSort || dir != wantDir {
					t.Errorf("sort %q dir %q: the store orders by %s %s, want %s %s", lq.Sort, lq.Dir, sort, dir, wantSort, wantDir)
				}
			}
			check(store.ListQuery{}, tc.s.Default, tc.s.Dir)
			check(store.ListQuery{Sort: "no_such_column"}, tc.s.Default, tc.s.Dir)
			for _, key := range tc.s.Keys {
				check(store.ListQuery{Sort: key}, key, tc.s.DefaultDir(key))
				check(store.ListQuery{Sort: key, Dir: store.SortAsc}, key, store.SortAsc)
				check(store.ListQuery{Sort: key, Dir: store.SortDesc}, key, store.SortDesc)
			}
		})
	}
}

// TestReadPageNeverReadsPastTheEnd: a page past the end of a list shows
// its last page, and the store is never asked to skip to a deep offset it
// does not have, which costs a scan of the whole list.
func TestReadPageNeverReadsPastTheEnd(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := inventorytest.Import(ctx, st, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.ListAccess(ctx, id, store.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	last := (all.Total + 24) / 25
	if last < 2 {
		t.Fatalf("%d grants: one page", all.Total)
	}
	lastPage := url.Values{"page": {strconv.Itoa(last)}, "per_page": {"25"}}
	for _, tc := range []struct {
		query     string
		wantPage  int
		wantCanon string
		wantReads int
	}{
		{"per_page=25&page=2", 2, "page=2&per_page=25", 1},
		{"per_page=25&page=" + strconv.Itoa(last), last, lastPage.Encode(), 1},
		// Shallow: read, found past the end, read again at the last page.
		{"per_page=25&page=" + strconv.Itoa(last+1), last, lastPage.Encode(), 2},
		// Deep: counted on one row first, then the last page read.
		{"per_page=25&page=999999", last, lastPage.Encode(), 2},
		{"per_page=25&page=99999999999999999999", last, lastPage.Encode(), 2},
		{"per_page=25&page=999999&q=no+such+grant", 1, "per_page=25&q=no+such+grant", 2},
		{"per_page=25&page=3&q=no+such+grant", 1, "per_page=25&q=no+such+grant", 1},
	} {
		t.Run(tc.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			q, canon := accessQuery(v)
			var reads []store.ListQuery
			p, err := readPage(&q.ListQuery, canon, func() (store.AccessPage, error) {
				reads = append(reads, q.ListQuery)
				return st.ListAccess(ctx, id, q)
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.Page != tc.wantPage || canon.Encode() != tc.wantCanon {
				t.Errorf("page %d, canonical %q; want page %d, %q", p.Page, canon.Encode(), tc.wantPage, tc.wantCanon)
			}
			if want := min(25, p.Total-(p.Page-1)*25); len(p.Rows) != want {
				t.Errorf("%d rows on page %d of %d rows, want %d", len(p.Rows), p.Page, p.Total, want)
			}
			for _, r := range reads {
				if off := (r.Page - 1) * r.PerPage; off >= countFirstFrom && off >= p.Total {
					t.Errorf("the store was asked to skip %d rows of %d", off, p.Total)
				}
			}
			if len(reads) != tc.wantReads {
				t.Errorf("%d reads %+v, want %d", len(reads), reads, tc.wantReads)
			}
		})
	}
}
