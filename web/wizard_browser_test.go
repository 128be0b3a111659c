package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pinaccess/internal/browsertest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
)

// startBrowserWizard serves the dashboard with the sandbox and signs the
// admin in, in Chromium.
func startBrowserWizard(t *testing.T) (*webtest.Server, context.Context) {
	t.Helper()
	srv := startWithAdmin(t, webtest.Options{Sandbox: func(base string) http.Handler {
		sb, err := sandbox.New(sandbox.Options{BaseURL: base + "/sandbox", RedirectBases: []string{base}})
		if err != nil {
			t.Fatal(err)
		}
		return sb
	}})
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, browsertest.Login(srv.URL, adminEmail, adminPassword)); err != nil {
		t.Fatalf("login: %v", err)
	}
	return srv, ctx
}

// fillStep1 fills the first step for the sandbox as account and submits it.
func fillStep1(account string) chromedp.Action[chromedp.Void] {
	id := browsertest.TestID
	return chromedp.Steps(
		chromedp.WaitVisible(id("step1-form")),
		chromedp.SendKeys(id("field-name"), "Northwind"),
		chromedp.Click(id("choice-environment-sandbox")),
		chromedp.SendKeys(id("field-service_account"), account),
		chromedp.SendKeys(id("field-app_id"), sandbox.DefaultAppID),
		chromedp.SendKeys(id("field-app_secret"), sandbox.DefaultAppSecret),
	)
}

func onlyIntegration(t *testing.T, srv *webtest.Server) store.Integration {
	t.Helper()
	all, err := srv.Store.Integrations(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("integrations: %d, %v", len(all), err)
	}
	return all[0]
}

// TestBrowserWizardConnectsTheSandboxAdmin walks the whole wizard as an
// admin would, against the embedded sandbox: step 1 (the copy button
// copies the redirect URI), step 2 with a refused ID then a good one, the
// connect step, the sandbox's consent page as sandbox-admin, and the
// integration page, connected. Steps swap in place with htmx and the URL
// follows. Screenshots of each step go to docs/screenshots/wizard-*.png.
func TestBrowserWizardConnectsTheSandboxAdmin(t *testing.T) {
	srv, ctx := startBrowserWizard(t)
	id := browsertest.TestID

	err := chromedp.Do(ctx,
		chromedp.Click(id("nav-integrations")),
		chromedp.WaitVisible(id("step1-form")),
	)
	if err != nil {
		t.Fatalf("open the wizard: %v", err)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(id("redirect-uri"))); err != nil || v != srv.URL+"/oauth/pinterest/callback" {
		t.Fatalf("redirect URI shown = %q, %v", v, err)
	}
	browsertest.Screenshot(t, ctx, "wizard-1-service-account")

	// The copy button copies the redirect URI (or, where the clipboard is
	// not allowed, selects it for Ctrl+C).
	if err := chromedp.Do(ctx, chromedp.Click(id("copy-redirect-uri"))); err != nil {
		t.Fatal(err)
	}
	copied, err := chromedp.Run(ctx,
		chromedp.Poll[string](`document.querySelector('[data-testid="copy-redirect-uri"]').dataset.copied === "true" ? "copied" : (document.activeElement && document.activeElement.selectionEnd > 0 ? document.activeElement.value : false)`),
	)
	if err != nil || (copied != "copied" && copied != srv.URL+"/oauth/pinterest/callback") {
		t.Fatalf("copy button: %q, %v", copied, err)
	}

	err = chromedp.Do(ctx,
		fillStep1("sandbox-admin"),
		chromedp.Click(id("step1-next")),
		chromedp.WaitVisible(id("step2-form")),
	)
	if err != nil {
		t.Fatalf("step 1: %v", err)
	}
	in := onlyIntegration(t, srv)
	step2 := fmt.Sprintf("%s/integrations/%d/setup/business", srv.URL, in.ID)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != step2 {
		t.Fatalf("after step 1 the URL is %s; want %s", loc, step2)
	}
	assertText(t, ctx, "wizard-integration", "Northwind")
	browsertest.Screenshot(t, ctx, "wizard-2-business")

	// A Business Manager ID with a letter: the message beside the field.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(id("field-business_id"), "48234490100245120O"),
		chromedp.Click(id("step2-next")),
		chromedp.WaitVisible(id("error-business_id")),
	)
	if err != nil {
		t.Fatalf("refused business ID: %v", err)
	}
	assertText(t, ctx, "error-business_id", "only digits")
	browsertest.Screenshot(t, ctx, "wizard-2-business-error")

	err = chromedp.Do(ctx,
		chromedp.Clear(id("field-business_id")),
		chromedp.SendKeys(id("field-business_id"), " "+sandbox.DefaultBusinessID+" "),
		chromedp.Click(id("step2-next")),
		chromedp.WaitVisible(id("connect-form")),
	)
	if err != nil {
		t.Fatalf("step 2: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/setup/connect") {
		t.Fatalf("after step 2 the URL is %s", loc)
	}
	assertText(t, ctx, "connect-summary", sandbox.DefaultBusinessID)
	browsertest.Screenshot(t, ctx, "wizard-3-connect")

	err = chromedp.Do(ctx,
		chromedp.Click(id("connect")),
		chromedp.WaitVisible(id("account-sandbox-admin")),
	)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	browsertest.Screenshot(t, ctx, "wizard-4-consent")
	err = chromedp.Do(ctx,
		chromedp.Click(id("account-sandbox-admin")),
		chromedp.Click(id("allow")),
		chromedp.WaitVisible(id("status-card")),
	)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != fmt.Sprintf("%s/integrations/%d", srv.URL, in.ID) {
		t.Fatalf("landed on %s", loc)
	}
	assertText(t, ctx, "status-label", "Connected")
	assertText(t, ctx, "status-sync", "Sync pending")
	assertText(t, ctx, "flash-success", "Connected Northwind")
	browsertest.Screenshot(t, ctx, "wizard-5-connected")
	if got := onlyIntegration(t, srv); got.Status != store.IntegrationConnected || got.BusinessID != sandbox.DefaultBusinessID {
		t.Fatalf("stored: %+v", got)
	}
	browsertest.AssertNoCSPViolations(t, ctx)
}

// TestBrowserDenyOnConsentPageExplainsAndOffersRetry presses Cancel on the
// sandbox's consent page: back on the connect step, "you declined" and a
// Connect again button; nothing connected.
func TestBrowserDenyOnConsentPageExplainsAndOffersRetry(t *testing.T) {
	srv, ctx := startBrowserWizard(t)
	id := browsertest.TestID
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/integrations/new"),
		fillStep1("sandbox-admin"),
		chromedp.Click(id("step1-next")),
		chromedp.WaitVisible(id("step2-form")),
		chromedp.SendKeys(id("field-business_id"), sandbox.DefaultBusinessID),
		chromedp.Click(id("step2-next")),
		chromedp.WaitVisible(id("connect-form")),
		chromedp.Click(id("connect")),
		chromedp.WaitVisible(id("deny")),
		chromedp.Click(id("deny")),
		chromedp.WaitVisible(id("connect-failure")),
	)
	if err != nil {
		t.Fatalf("deny: %v", err)
	}
	assertText(t, ctx, "connect-failure", "You declined")
	assertText(t, ctx, "connect", "Connect again")
	browsertest.Screenshot(t, ctx, "wizard-3-connect-declined")
	if got := onlyIntegration(t, srv); got.Status != store.IntegrationDraft || got.HasToken {
		t.Fatalf("stored after deny: %+v", got)
	}
	browsertest.AssertNoCSPViolations(t, ctx)
}
