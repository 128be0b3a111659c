package web_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pinaccess/internal/browsertest"
	"pinaccess/internal/importer"
	"pinaccess/internal/integration"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
	"pinaccess/web"
)

// TestBrowserSyncNowShowsLiveProgressUntilItEnds presses Sync now on a
// connected integration whose Pinterest answers are held back by the test:
// the run page shows the sync running and polls; once the answers flow,
// the same page (no reload) turns to Succeeded with counts and stops
// polling.
func TestBrowserSyncNowShowsLiveProgressUntilItEnds(t *testing.T) {
	var hold atomic.Bool
	gate := make(chan struct{})
	var sb *sandbox.Sandbox
	srv := startWithAdmin(t, webtest.Options{
		Sandbox: func(base string) http.Handler {
			var err error
			sb, err = sandbox.New(sandbox.Options{BaseURL: base + "/sandbox", RedirectBases: []string{base}, Limits: sandbox.Limits{},
				Faults: sandbox.Faults{Latency: time.Nanosecond},
				Sleep: func(ctx context.Context, d time.Duration) error {
					if !hold.Load() {
						return nil
					}
					select {
					case <-gate:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			return sb
		},
		Deps: func(d *web.Deps) {
			envs := integration.Environments{SandboxURL: d.Config.BaseURL + "/sandbox"}
			conn := importer.StoreConnector{Store: d.Store, Box: d.Secrets, Endpoint: envs.Endpoint, Client: unpaced}
			m := importer.NewManager(d.Store, conn.Connect, importer.Options{ProgressEvery: 50 * time.Millisecond})
			t.Cleanup(m.Close)
			d.Syncs = m
		},
	})
	ctx := context.Background()
	access, _, err := sb.IssueToken(sandbox.AdminUsername, integration.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	id, err := srv.Store.CreateIntegration(ctx, store.IntegrationFields{Name: "Northwind", Environment: "sandbox", ServiceAccount: "sandbox-admin", AppID: sandbox.DefaultAppID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Store.SetIntegrationBusiness(ctx, id, sandbox.DefaultBusinessID)
	if err := srv.Store.ConnectIntegration(ctx, id, store.Connection{AccessSealed: srv.Box.Seal([]byte(access), store.SecretLabel(id, "access_token"))}); err != nil {
		t.Fatal(err)
	}

	bctx := browsertest.New(t)
	tid := browsertest.TestID
	hold.Store(true)
	released := false
	defer func() {
		if !released {
			close(gate)
		}
	}()
	err = chromedp.Do(bctx,
		browsertest.Login(srv.URL, adminEmail, adminPassword),
		chromedp.Navigate(srv.URL+"/integrations/"+strconv.FormatInt(id, 10)),
		chromedp.WaitVisible(tid("action-sync")),
		chromedp.Click(tid("action-sync")),
		chromedp.WaitVisible(tid("run-cancel")),
	)
	if err != nil {
		t.Fatalf("sync now: %v", err)
	}
	assertText(t, bctx, "run-status", "Running")
	if trig, err := chromedp.Run(bctx, chromedp.AttributeValue(tid("run"), "hx-trigger")); err != nil || trig.Value != "every 1s" {
		t.Fatalf("running run not polled: %q, %v", trig.Value, err)
	}
	browsertest.Screenshot(t, bctx, "sync-running")
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.__samePage = true`)); err != nil {
		t.Fatal(err)
	}

	hold.Store(false)
	close(gate)
	released = true
	status, err := chromedp.Run(bctx, chromedp.Poll[string](`(function () {
		var r = document.querySelector('[data-testid="run"]');
		return r && r.dataset.status !== "running" ? r.dataset.status : false;
	})()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || status != store.RunSucceeded {
		t.Fatalf("run ended as %q, %v", status, err)
	}
	same, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.__samePage === true && !document.querySelector('[data-testid="run"]').hasAttribute("hx-trigger")`))
	if err != nil || !same {
		t.Fatalf("the page reloaded, or still polls: %v, %v", same, err)
	}
	assertText(t, bctx, "run-counts", "Members")
	browsertest.Screenshot(t, bctx, "sync-finished")
	browsertest.AssertNoCSPViolations(t, bctx)
}
