package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pinaccess/internal/export"
	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
	"pinaccess/web"
)

const exportAdmin, exportPassword = "auditor@example.com", "correct horse battery staple"

// exportServer starts a server whose store holds an imported dataset of
// the given size, and a client signed in as an admin.
func exportServer(t *testing.T, size string, clock *webtest.Clock) (*webtest.Server, *webtest.Client, int64) {
	t.Helper()
	srv := webtest.Start(t, webtest.Options{Now: clock.Now})
	d, err := sandbox.Generate(size, 1)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := inventorytest.Import(context.Background(), srv.Store, d, inventorytest.Integration{Name: "Acme <b>Ads</b>"})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateAdmin(t, exportAdmin, exportPassword)
	c := srv.Client(t)
	c.Login(t, exportAdmin, exportPassword)
	return srv, c, id
}

func TestExportNeedsASignedInAdmin(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, _, id := exportServer(t, "small", clock)
	path := fmt.Sprintf("/integrations/%d/export/access.csv?permission=ADMIN", id)
	res := srv.Client(t).Get(t, path)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login?next=") {
		t.Fatalf("signed-out download: status %d, location %q; want a redirect to sign in", res.StatusCode, res.Location())
	}
	if strings.Contains(res.Body, "principal_type") || res.Header.Get("Content-Disposition") != "" {
		t.Fatal("a signed-out visitor got the file")
	}
	if page, _ := srv.Store.AuditEntries(context.Background(), store.AuditQuery{}); page.Total != 0 {
		t.Fatalf("a refused download was recorded as an export: %+v", page.Rows)
	}
}

func TestExportDownloadsTheFilteredListAndRecordsIt(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, c, id := exportServer(t, "medium", clock)
	ctx := context.Background()

	res := c.Get(t, fmt.Sprintf("/integrations/%d/export/access.csv?permission=ADMIN&sort=asset&dir=desc&page=3&per_page=10&q=", id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: status %d: %.300s", res.StatusCode, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	wantName := "pinaccess-" + sandbox.DefaultBusinessID + "-access-20261126T230509Z.csv"
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="`+wantName+`"` {
		t.Errorf("Content-Disposition = %q, want an attachment named %s", cd, wantName)
	}
	// The same bytes as the exporter writes for the same query: the
	// filters and sort of the URL apply, the page does not.
	var want bytes.Buffer
	n, err := export.Write(ctx, &want, srv.Store, export.Access, id, store.AccessQuery{Permission: "ADMIN",
		ListQuery: store.ListQuery{Sort: "asset", Dir: "desc"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Body != want.String() {
		t.Fatalf("the download (%d bytes) differs from the export of the same query (%d bytes)", len(res.Body), want.Len())
	}
	recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	all, _ := srv.Store.ListAccess(ctx, id, store.AccessQuery{})
	if n == 0 || int(n) >= all.Total {
		t.Fatalf("the ADMIN filter kept %d of %d grants", n, all.Total)
	}
	for _, r := range recs[1:] {
		if r[10] != "ADMIN" {
			t.Fatalf("a row with permission %q passed the ADMIN filter", r[10])
		}
	}

	page, err := srv.Store.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 {
		t.Fatalf("%d audit entries, want 1", page.Total)
	}
	e := page.Rows[0]
	if e.Actor != exportAdmin || e.AdminID == 0 || e.Kind != export.Access || e.Filters != "dir=desc&permission=ADMIN&sort=asset" ||
		e.Rows != n || e.Outcome != store.AuditCompleted || e.IntegrationID != id || !e.At.Equal(clock.Now()) {
		t.Fatalf("audit entry %+v", e)
	}

	log := c.Get(t, "/audit")
	if log.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", log.StatusCode)
	}
	entry := log.TestID("audit-entry")
	if entry.Length() != 1 {
		t.Fatalf("the audit page shows %d entries, want 1", entry.Length())
	}
	for sel, want := range map[string]string{"audit-actor": exportAdmin, "audit-what": "Export access",
		"audit-filters": "dir=desc&permission=ADMIN&sort=asset", "audit-rows": fmt.Sprint(n), "audit-outcome": "completed"} {
		if got := strings.Join(strings.Fields(entry.Find(`[data-testid="`+sel+`"]`).Text()), " "); got != want {
			t.Errorf("audit page %s = %q, want %q", sel, got, want)
		}
	}
	if !strings.Contains(log.Body, "Acme &lt;b&gt;Ads&lt;/b&gt;") {
		t.Error("the integration's name is not escaped on the audit page")
	}
	if other := c.Get(t, fmt.Sprintf("/audit?integration=%d", id+1)); other.TestID("audit-entry").Length() != 0 || other.TestID("audit-empty").Length() != 1 {
		t.Error("another integration's audit log shows this export")
	}
}

func TestExportRefusesUnknownKindsAndIntegrations(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, c, id := exportServer(t, "small", clock)
	for _, p := range []string{
		fmt.Sprintf("/integrations/%d/export/secrets.csv", id),
		fmt.Sprintf("/integrations/%d/export/members", id),
		fmt.Sprintf("/integrations/%d/export/members.json", id),
		fmt.Sprintf("/integrations/%d/export/members.csv", id+1),
		"/integrations/x/export/members.csv",
	} {
		res := c.Get(t, p)
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Disposition") != "" {
			t.Errorf("GET %s: status %d, Content-Disposition %q; want a 404 page", p, res.StatusCode, res.Header.Get("Content-Disposition"))
		}
	}
	if page, _ := srv.Store.AuditEntries(context.Background(), store.AuditQuery{}); page.Total != 0 {
		t.Fatalf("refused downloads were recorded: %+v", page.Rows)
	}
}

func TestExportStreamsCompressedAndStopsWhenTheClientLeaves(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, c, id := exportServer(t, "large", clock)
	ctx := context.Background()

	// Compressed, the file arrives whole and identical.
	req := c.NewRequest(t, http.MethodGet, fmt.Sprintf("/integrations/%d/export/members.csv", id), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gz := c.Do(t, req)
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", gz.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(gz.Body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if _, err := export.Write(ctx, &want, srv.Store, export.Members, id, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("the compressed download (%d bytes) differs from the export (%d bytes)", len(got), want.Len())
	}

	// A second server on the same database, so the test can wait for its
	// handlers to finish (Close waits for them).
	e, err := web.New(web.Deps{Store: srv.Store, Secrets: srv.Box, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(e)
	defer hs.Close()
	all, err := srv.Store.ListAccess(ctx, id, store.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	hreq, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/integrations/%d/export/access.csv", hs.URL, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.Cookies() {
		hreq.AddCookie(ck)
	}
	hreq.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	// The header row arrives before the export is done: read it, then
	// hang up with millions of bytes still to come.
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "principal_type,") {
		t.Fatalf("first line %q, %v", line, err)
	}
	resp.Body.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	hs.Close() // returns once the export handler has returned

	page, err := srv.Store.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	e0 := page.Rows[0]
	if e0.Kind != export.Access || e0.Outcome != store.AuditCancelled || e0.Rows >= int64(all.Total) {
		t.Fatalf("export after the client left: %+v (the list has %d rows); want cancelled part-way", e0, all.Total)
	}
}

// TestExportHoldsTheRowsItsListPageShows follows each list page's
// "Download CSV" link for a filtered, sorted list: the file holds the
// rows of every page of the list, in the page's order, and the audit log
// records the filters the link carries.
func TestExportHoldsTheRowsItsListPageShows(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, c, id := exportServer(t, "small", clock)
	d, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	resync(t, srv, id, d)
	base := fmt.Sprintf("/integrations/%d", id)
	lastCell := func(s *goquery.Selection) string { return strings.TrimSpace(s.Find("td").Last().Text()) }
	lastSegment := func(s *goquery.Selection) string {
		h := s.AttrOr("href", "")
		return h[strings.LastIndex(h, "/")+1:]
	}
	for _, tc := range []struct {
		kind, query string
		pageKey     func(row *goquery.Selection) string
		csvKey      []string // the CSV columns that make the same key
	}{
		{export.Members, "q=&role=EMPLOYEE&system_user=&sort=email&dir=desc&per_page=25", lastCell, []string{"id"}},
		{export.Partners, "q=&type=INTERNAL&sort=created&dir=desc", lastCell, []string{"id"}},
		{export.Assets, "q=&type=AD_ACCOUNT&owner=ours&admin=&sort=name&dir=desc&per_page=25", lastCell, []string{"id"}},
		{export.Access, "q=&permission=&principal_type=member&sort=asset&dir=desc&per_page=25&page=2", func(s *goquery.Selection) string {
			return lastSegment(s.Find(`[data-testid="access-who"] a`)) + "|" + lastSegment(s.Find(`[data-testid="access-asset"] a`))
		}, []string{"principal_id", "asset_id"}},
		{export.Roles, "q=&kind=permission&sort=holders&dir=desc", func(s *goquery.Selection) string {
			return strings.TrimSpace(s.Find(`[data-testid="role-name"] div`).Text())
		}, []string{"name"}},
		{export.Pixels, "q=&status=&sort=last_fired&dir=desc&per_page=25", lastCell, []string{"id"}},
		{export.Invites, "q=&type=&status=&older_than=&sort=email", lastCell, []string{"id"}},
		{export.Changes, "q=&from=&to=&kind=&subject_type=&sort=subject&dir=asc&per_page=25", func(s *goquery.Selection) string {
			run := strings.TrimPrefix(strings.TrimSpace(s.Find("td a").First().Text()), "#")
			return run + "|" + strings.TrimSpace(s.Find(`[data-testid="change-subject"] div`).Text())
		}, []string{"run_id", "subject_id"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			// Every page of the list, from the one asked for to the last
			// and back to the first.
			first := c.Get(t, base+"/"+tc.kind+"?"+tc.query)
			if first.StatusCode != http.StatusOK {
				t.Fatalf("list: status %d", first.StatusCode)
			}
			href := first.TestID("download-csv").AttrOr("href", "")
			for res := first; ; {
				prev := res.TestID("page-prev").AttrOr("href", "")
				if prev == "" {
					first = res
					break
				}
				res = c.Get(t, prev)
			}
			var shown []string
			for res := first; ; {
				res.Find(`[data-testid="list-results"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
					shown = append(shown, tc.pageKey(s))
				})
				next := res.TestID("page-next").AttrOr("href", "")
				if next == "" {
					break
				}
				res = c.Get(t, next)
			}
			total, _ := strconv.Atoi(first.TestID("result-count").AttrOr("data-total", ""))
			if len(shown) == 0 || len(shown) != total {
				t.Fatalf("the list's pages show %d rows of a count of %d", len(shown), total)
			}

			u, err := url.Parse(href)
			if err != nil || u.Path != base+"/export/"+tc.kind+".csv" {
				t.Fatalf("the CSV link %q", href)
			}
			for k, vs := range u.Query() {
				if vs[0] == "" || k == "page" || k == "per_page" {
					t.Errorf("the CSV link %q carries %s=%q", href, k, vs[0])
				}
			}
			res := c.Get(t, href)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("download: status %d", res.StatusCode)
			}
			recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var cols []int
			for _, name := range tc.csvKey {
				i := slices.Index(recs[0], name)
				if i < 0 {
					t.Fatalf("no column %s in %v", name, recs[0])
				}
				cols = append(cols, i)
			}
			var exported []string
			for _, r := range recs[1:] {
				var key []string
				for _, i := range cols {
					key = append(key, r[i])
				}
				exported = append(exported, strings.Join(key, "|"))
			}
			if !slices.Equal(exported, shown) {
				t.Errorf("the download holds %d rows, the list's pages %d; first rows %q and %q",
					len(exported), len(shown), exported[:min(3, len(exported))], shown[:min(3, len(shown))])
			}
			log, err := srv.Store.AuditEntries(context.Background(), store.AuditQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if e := log.Rows[0]; e.Kind != tc.kind || e.Filters != u.RawQuery || e.Rows != int64(len(shown)) {
				t.Errorf("audit entry %s %q %d rows; want %s %q %d rows", e.Kind, e.Filters, e.Rows, tc.kind, u.RawQuery, len(shown))
			}
		})
	}
}

func TestExportRecordsOnlyTheFiltersItApplied(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 11, 26, 23, 5, 9, 0, time.UTC))
	srv, c, id := exportServer(t, "small", clock)
	ctx := context.Background()
	res := c.Get(t, fmt.Sprintf("/integrations/%d/export/members.csv?q=+&role=OWNER&system_user=yes&sort=username&dir=asc&foo=1&_csrf=x&page=2", id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: status %d", res.StatusCode)
	}
	var want bytes.Buffer
	if _, err := export.Write(ctx, &want, srv.Store, export.Members, id, store.MemberQuery{SystemUser: "yes"}); err != nil {
		t.Fatal(err)
	}
	if res.Body != want.String() {
		t.Errorf("the download differs from the export of system users in the default order:\n%s\nwant\n%s", res.Body, want.String())
	}
	log, err := srv.Store.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := log.Rows[0].Filters; got != "system_user=yes" {
		t.Errorf("the audit log records the filters %q, want only the one applied: system_user=yes", got)
	}
}
