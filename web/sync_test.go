package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/importer"
	"pinaccess/internal/integration"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
	"pinaccess/web"
)

// fakeSyncs is a sync manager whose answers the test decides.
type fakeSyncs struct {
	mu        sync.Mutex
	running   map[int64]int64 // integration -> run
	progress  importer.Progress
	startErr  error
	cancelled []int64
}

func (f *fakeSyncs) Start(ctx context.Context, integrationID int64, trigger string) (int64, error) {
	return 0, f.startErr
}

func (f *fakeSyncs) Cancel(runID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.running {
		if r == runID {
			f.cancelled = append(f.cancelled, runID)
			return true
		}
	}
	return false
}

func (f *fakeSyncs) RunningRun(integrationID int64) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.running[integrationID]
	return r, ok
}

func (f *fakeSyncs) Progress(ctx context.Context, runID int64) (importer.Progress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.progress, nil
}

// connectedIntegration stores a connected integration directly.
func connectedIntegration(t *testing.T, st *store.Store, threshold int) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateIntegration(ctx, store.IntegrationFields{Name: "Acme <Shop>", Environment: "sandbox", ServiceAccount: "svc", AppID: "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetIntegrationBusiness(ctx, id, "42"); err != nil {
		t.Fatal(err)
	}
	if err := st.ConnectIntegration(ctx, id, store.Connection{AccessSealed: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRunPagePollsWhileRunningAndStopsWhenEnded(t *testing.T) {
	f := &fakeSyncs{running: map[int64]int64{}, startErr: importer.ErrAlreadyRunning}
	srv := startWithAdmin(t, webtest.Options{Deps: func(d *web.Deps) { d.Syncs = f }})
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)
	ctx := context.Background()
	id := connectedIntegration(t, srv.Store, 20)
	run, err := srv.Store.StartRun(ctx, id, "manual")
	if err != nil {
		t.Fatal(err)
	}
	f.running[id] = run.ID
	f.progress = importer.Progress{RunID: run.ID, Phase: "Listing members", Done: 3, Total: 10, Calls: 7, Status: store.RunRunning}
	runURL := fmt.Sprintf("/integrations/%d/syncs/%d", id, run.ID)

	res := c.Get(t, runURL)
	r := res.TestID("run")
	if res.StatusCode != 200 || r.AttrOr("hx-trigger", "") != "every 1s" || r.AttrOr("hx-get", "") != runURL+"/progress" ||
		res.TestID("run-progress").AttrOr("value", "") != "3" || res.TestID("run-progress").AttrOr("max", "") != "10" ||
		res.TestID("run-percent").Text() != "30%" || !strings.Contains(res.TestID("run-phase").Text(), "Listing members") {
		t.Fatalf("running run page: %d %s", res.StatusCode, r.Text())
	}
	// The integration page shows the same live part.
	if res := c.Get(t, fmt.Sprintf("/integrations/%d", id)); res.TestID("run").AttrOr("hx-trigger", "") != "every 1s" ||
		res.TestID("status-sync").AttrOr("data-state", "") != "running" {
		t.Fatal("integration page does not show the running sync")
	}

	// Sync now while one runs: 409.
	res = c.PostForm(t, fmt.Sprintf("/integrations/%d/sync", id), nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.TestID("error-message").Text(), "already running") {
		t.Fatalf("second sync: %d", res.StatusCode)
	}
	res = c.Get(t, runURL)
	if res := c.PostForm(t, runURL+"/cancel", nil); res.StatusCode != http.StatusSeeOther || len(f.cancelled) != 1 || f.cancelled[0] != run.ID {
		t.Fatalf("cancel: %d %v", res.StatusCode, f.cancelled)
	}

	// The run ends: the polled fragment has no trigger any more.
	if err := srv.Store.FailRun(ctx, run.ID, store.RunCancelled, "Cancelled by an admin.", store.RunStats{}); err != nil {
		t.Fatal(err)
	}
	delete(f.running, id)
	req := c.NewRequest(t, http.MethodGet, runURL+"/progress", nil)
	req.Header.Set("HX-Request", "true")
	res = c.Do(t, req)
	r = res.TestID("run")
	if _, polling := r.Attr("hx-trigger"); polling || r.AttrOr("data-status", "") != "cancelled" || strings.Contains(res.Body, "<html") ||
		res.TestID("run-cancel").Length() != 0 {
		t.Fatalf("ended run fragment: status %q, body %s", r.AttrOr("data-status", ""), res.Body)
	}
	if res.Header.Get("HX-Refresh") != "" {
		t.Fatal("the run page is reloaded instead of swapped")
	}
	// Polled from the integration page, the ended run reloads that page.
	req = c.NewRequest(t, http.MethodGet, runURL+"/progress", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", fmt.Sprintf("%s/integrations/%d", srv.URL, id))
	if res := c.Do(t, req); res.Header.Get("HX-Refresh") != "true" {
		t.Fatal("the integration page is not reloaded when its sync ends")
	}
	if res := c.Get(t, fmt.Sprintf("/integrations/%d/syncs/%d", id+1, run.ID)); res.StatusCode != http.StatusNotFound {
		t.Fatalf("run under another integration: %d", res.StatusCode)
	}
}

// heldRun makes an integration with a current sync of many members and a
// second sync, held for review, in which most of them are gone.
func heldRun(t *testing.T, st *store.Store, id int64) (current, held store.Run) {
	t.Helper()
	ctx := context.Background()
	sync := func(n int) store.Run {
		r, err := st.StartRun(ctx, id, "manual")
		if err != nil {
			t.Fatal(err)
		}
		w, err := st.NewSnapshotWriter(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := w.AddMembers(ctx, store.Member{ID: fmt.Sprint(100 + i), Username: fmt.Sprintf("<b>user%d</b>", i), BusinessRoles: []string{"EMPLOYEE"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		fin, err := st.FinishRun(ctx, r.ID, store.RunStats{})
		if err != nil {
			t.Fatal(err)
		}
		return fin
	}
	current, held = sync(10), sync(2)
	if current.Status != store.RunSucceeded || held.Status != store.RunNeedsReview {
		t.Fatalf("fixture: %s then %s", current.Status, held.Status)
	}
	return current, held
}

func TestHeldRunShowsRemovalsThenAcceptOrDiscard(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)
	ctx := context.Background()
	for _, accept := range []bool{true, false} {
		t.Run(fmt.Sprintf("accept=%v", accept), func(t *testing.T) {
			id := connectedIntegration(t, srv.Store, 20)
			current, held := heldRun(t, srv.Store, id)
			runURL := fmt.Sprintf("/integrations/%d/syncs/%d", id, held.ID)
			res := c.Get(t, runURL)
			if res.TestID("review").Length() != 1 || res.TestID("review-removal").Length() != 8 ||
				!strings.Contains(res.TestID("review-removed").Text(), "8 members removed") || res.TestID("review-reason").Text() == "" {
				t.Fatalf("review: %s", res.TestID("review").Text())
			}
			if !strings.Contains(res.Body, "&lt;b&gt;user9&lt;/b&gt;") {
				t.Fatal("imported names are not escaped")
			}
			action := "/discard"
			if accept {
				action = "/accept"
			}
			if res := c.PostForm(t, runURL+action, url.Values{}); res.StatusCode != http.StatusSeeOther || res.Location() != runURL {
				t.Fatalf("%s: %d", action, res.StatusCode)
			}
			cur, _ := srv.Store.CurrentRunID(ctx, id)
			want := current.ID
			if accept {
				want = held.ID
			}
			if cur != want {
				t.Fatalf("current run %d, want %d", cur, want)
			}
			res = c.Get(t, runURL)
			if res.TestID("review").Length() != 0 {
				t.Fatal("review still offered after the decision")
			}
			if res := c.PostForm(t, runURL+action, url.Values{}); res.StatusCode != http.StatusConflict {
				t.Fatalf("second decision: %d", res.StatusCode)
			}
		})
	}
}

// unpaced lifts the client's quotas, so the test measures pinaccess rather
// than Pinterest's rate limits.
var unpaced = pinterest.Options{Limits: map[pinterest.Category]pinterest.Limit{
	pinterest.AdsRead:    pinterest.Quota(10_000_000, time.Minute),
	pinterest.AllTraffic: pinterest.Quota(10_000_000, time.Minute),
	pinterest.OrgRead:    pinterest.Quota(10_000_000, time.Minute),
}}

func TestWizardStartsTheFirstSyncAndItsPageShowsTheResult(t *testing.T) {
	var m *importer.Manager
	w := &wizardEnv{}
	w.srv = startWithAdmin(t, webtest.Options{
		Sandbox: func(base string) http.Handler {
			sb, err := sandbox.New(sandbox.Options{BaseURL: base + "/sandbox", RedirectBases: []string{base}, Limits: sandbox.Limits{}})
			if err != nil {
				t.Fatal(err)
			}
			w.sb = sb
			return sb
		},
		Deps: func(d *web.Deps) {
			envs := integration.Environments{SandboxURL: d.Config.BaseURL + "/sandbox"}
			conn := importer.StoreConnector{Store: d.Store, Box: d.Secrets, Endpoint: envs.Endpoint, Client: unpaced}
			m = importer.NewManager(d.Store, conn.Connect, importer.Options{})
			t.Cleanup(m.Close)
			d.Syncs = m
		},
	})
	w.c = w.srv.Client(t)
	w.c.Login(t, adminEmail, adminPassword)
	ctx := context.Background()

	id := w.createDraft(t, "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID)
	res := w.get(t, w.consent(t, w.startConnect(t, id), "sandbox-admin", "allow"))
	if res.Location() != fmt.Sprintf("/integrations/%d", id) {
		t.Fatalf("callback went to %q", res.Location())
	}
	res = w.get(t, res.Location())
	if !strings.Contains(res.TestID("flash-success").Text(), "The first sync has started") {
		t.Fatalf("flash: %s", res.Find(`[data-testid^="flash-"]`).Text())
	}
	runs, err := w.srv.Store.Runs(ctx, id, 0)
	if err != nil || len(runs) != 1 || runs[0].Trigger != "wizard" {
		t.Fatalf("runs: %+v, %v", runs, err)
	}
	final, err := m.Wait(ctx, runs[0].ID)
	if err != nil || final.Status != store.RunSucceeded {
		t.Fatalf("first sync: %s %s %v", final.Status, final.Error, err)
	}
	res = w.get(t, fmt.Sprintf("/integrations/%d/syncs/%d", id, final.ID))
	if res.TestID("run").AttrOr("data-status", "") != "succeeded" || res.TestID("run-counts").Length() != 1 ||
		!strings.Contains(res.TestID("run-counts").Text(), "Members") {
		t.Fatalf("run page: %s", res.TestID("run").Text())
	}
	if _, polling := res.TestID("run").Attr("hx-trigger"); polling {
		t.Fatal("a finished run is still polled")
	}
	res = w.get(t, "/")
	if !strings.Contains(res.TestID("integration-counts").Text(), "members") || !strings.Contains(res.TestID("integration").Text(), "last sync succeeded") {
		t.Fatalf("dashboard: %s", res.TestID("integration").Text())
	}
	// Sync now from the integration page starts another one.
	w.get(t, fmt.Sprintf("/integrations/%d", id))
	res = w.post(t, fmt.Sprintf("/integrations/%d/sync", id), nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), fmt.Sprintf("/integrations/%d/syncs/", id)) {
		t.Fatalf("sync now: %d to %q", res.StatusCode, res.Location())
	}
	runs, _ = w.srv.Store.Runs(ctx, id, 0)
	if _, err := m.Wait(ctx, runs[0].ID); err != nil {
		t.Fatal(err)
	}
	w.assertNoSecretsAnywhere(t, sandbox.DefaultAppSecret)
}

func TestNeedsReconnectAndDeleteWhileASyncRuns(t *testing.T) {
	f := &fakeSyncs{running: map[int64]int64{}}
	srv := startWithAdmin(t, webtest.Options{Deps: func(d *web.Deps) { d.Syncs = f }})
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)
	ctx := context.Background()
	id := connectedIntegration(t, srv.Store, 20)
	if err := srv.Store.MarkNeedsReconnect(ctx, id); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/integrations/%d", id)
	res := c.Get(t, base)
	if res.TestID("status-card").AttrOr("data-status", "") != "needs_reconnect" || !strings.Contains(res.TestID("status-hint").Text(), "Connect again") ||
		res.TestID("action-reconnect").AttrOr("href", "") != base+"/setup/connect" || res.TestID("action-sync").Length() != 0 {
		t.Fatalf("needs reconnect card: %s", res.TestID("status-card").Text())
	}
	if !strings.Contains(res.TestID("integration-name").Text(), "Acme <Shop>") || strings.Contains(res.Body, "Acme <Shop>") {
		t.Fatal("the name is not shown escaped")
	}
	if res := c.Get(t, "/"); res.TestID("integration-status").Text() != "Needs reconnecting" {
		t.Fatalf("dashboard status %q", res.TestID("integration-status").Text())
	}

	run, err := srv.Store.StartRun(ctx, id, "manual")
	if err != nil {
		t.Fatal(err)
	}
	f.running[id] = run.ID
	res = c.Get(t, base+"/delete")
	if res.TestID("delete-blocked").Length() != 1 || !res.TestID("delete-submit").Is("[disabled]") {
		t.Fatal("delete offered while a sync runs")
	}
	res = c.PostForm(t, base+"/delete", nil)
	if res.StatusCode != http.StatusSeeOther || res.Location() != base+"/delete" {
		t.Fatalf("delete while running: %d to %q", res.StatusCode, res.Location())
	}
	if _, err := srv.Store.Integration(ctx, id); err != nil {
		t.Fatalf("deleted while a sync ran: %v", err)
	}
	// Disconnecting stops the running sync first.
	c.Get(t, base)
	if res := c.PostForm(t, base+"/disconnect", nil); res.StatusCode != http.StatusSeeOther || len(f.cancelled) != 1 {
		t.Fatalf("disconnect: %d, cancelled %v", res.StatusCode, f.cancelled)
	}
}
