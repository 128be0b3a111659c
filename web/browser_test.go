package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pinaccess/internal/browsertest"
	"pinaccess/internal/webtest"
)

// TestBrowserSetupLogoutFailedLoginLogin walks the first use of pinaccess in
// Chromium: the setup link creates the admin, who logs out, mistypes the
// password (error shown, still signed out), then signs in to the dashboard.
func TestBrowserSetupLogoutFailedLoginLogin(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	setupURL := srv.SetupURL(t)
	ctx := browsertest.New(t)
	const email, password = "ada@example.com", "a long enough password"
	id := browsertest.TestID

	// Setup: create the first admin and land on the dashboard, signed in.
	err := chromedp.Do(ctx,
		chromedp.Navigate(setupURL),
		chromedp.WaitVisible(id("setup-form")),
		chromedp.SendKeys(id("field-email"), email),
		chromedp.SendKeys(id("field-password"), password),
		chromedp.SendKeys(id("field-confirm"), password),
		chromedp.Click(id("setup-submit")),
		chromedp.WaitVisible(id("empty-state")),
	)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	assertText(t, ctx, "current-admin", email)
	assertText(t, ctx, "flash-success", "Welcome to pinaccess")
	assertStyledUnderCSP(t, ctx)

	// Log out.
	if err := chromedp.Do(ctx, chromedp.Click(id("logout")), chromedp.WaitVisible(id("login-form"))); err != nil {
		t.Fatalf("logout: %v", err)
	}
	assertText(t, ctx, "flash-info", "You are signed out")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(id("login-form"))); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "login")

	// A wrong password: the error is shown and no session is made.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(id("field-email"), email),
		chromedp.SendKeys(id("field-password"), "not the password at all"),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("form-error")),
	)
	if err != nil {
		t.Fatalf("failed login: %v", err)
	}
	assertText(t, ctx, "form-error", "Email or password is incorrect.")
	if v, err := chromedp.Run(ctx, chromedp.Value(id("field-email"))); err != nil || v != email {
		t.Errorf("email field after a failed login = %q, %v; want the typed %q kept", v, err, email)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(id("login-form"))); err != nil {
		t.Fatalf("after a failed login, / should lead to the login form: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, srv.URL+"/login") {
		t.Fatalf("after a failed login, / went to %s; want /login", loc)
	}

	// The right password: the dashboard.
	if err := chromedp.Do(ctx, browsertest.Login(srv.URL, email, password), chromedp.WaitVisible(id("empty-state"))); err != nil {
		t.Fatalf("login: %v", err)
	}
	assertText(t, ctx, "empty-state", "No integrations yet")
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(id("add-integration"), "href"))
	if err != nil || href.Value != "/integrations/new" {
		t.Errorf("add link href = %q, %v; want /integrations/new", href.Value, err)
	}
	browsertest.Screenshot(t, ctx, "dashboard")
	browsertest.AssertNoCSPViolations(t, ctx)
}

func assertText(t *testing.T, ctx context.Context, testID, want string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Text(browsertest.TestID(testID)))
	if err != nil {
		t.Fatalf("text of %s: %v", testID, err)
	}
	if !strings.Contains(got, want) {
		t.Fatalf("text of %s = %q; want it to contain %q", testID, got, want)
	}
}

// assertStyledUnderCSP checks that the strict CSP lets the page work: the
// stylesheet applied, htmx loaded, and htmx injected no inline <style>.
func assertStyledUnderCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('[data-testid="logout"]')).borderTopStyle`))
	if err != nil || bg != "solid" {
		t.Errorf("logout button border = %q, %v; want solid (app.css not applied?)", bg, err)
	}
	htmx, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof htmx === "object" && htmx.config.includeIndicatorStyles === false && htmx.config.responseHandling.some(r => r.code === "422" && r.swap)`))
	if err != nil || !htmx {
		t.Errorf("htmx loaded with its meta config (no indicator styles, 422 swapped): %v, %v", htmx, err)
	}
	styles, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("style").length`))
	if err != nil || styles != 0 {
		t.Errorf("inline <style> elements = %d, %v; want 0 (the CSP forbids them)", styles, err)
	}
}
