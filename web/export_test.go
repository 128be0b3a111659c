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
	"strings"
	"testing"
	"time"

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
