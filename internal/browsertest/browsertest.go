// Package browsertest runs Chromium for tests through chromedp: headless,
// with a fresh profile, under a deadline. Browser tests never skip: without
// Chromium they fail and say how to install it.
//
//	srv := webtest.Start(t, webtest.Options{})
//	ctx := browsertest.New(t)
//	err := chromedp.Do(ctx,
//		chromedp.Navigate(srv.URL+"/login"),
//		browsertest.Login(srv.URL, "admin@example.com", "correct horse battery"),
//	)
//	browsertest.Screenshot(t, ctx, "dashboard")
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Timeout is how long a browser test may run before its context ends.
const Timeout = 90 * time.Second

// ScreenshotsEnv names the environment variable that, set to 1, makes
// Screenshot save images under docs/screenshots/.
const ScreenshotsEnv = "PINACCESS_SCREENSHOTS"

// ChromePath finds Chromium: $CHROME_PATH, /usr/bin/chromium, or a
// chromium/google-chrome on $PATH.
func ChromePath() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROME_PATH=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: install it (Debian/Ubuntu: apt-get install chromium; or run make chromium) or set CHROME_PATH to a Chrome or Chromium binary")
}

// New starts a headless Chromium with a fresh profile in t.TempDir() and
// returns a context for chromedp actions that ends after Timeout or with the
// test. The window is 1280×900, so screenshots are the same size every time.
func New(t testing.TB) context.Context {
	t.Helper()
	path, err := ChromePath()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(bctx, watchCSP); err != nil {
		t.Fatalf("browsertest: start Chromium (%s): %v", path, err)
	}
	return bctx
}

// cspWatcher runs in every page before its own scripts and records each
// Content-Security-Policy violation in sessionStorage, so the record
// survives navigation within the tab.
const cspWatcher = `document.addEventListener("securitypolicyviolation", function (e) {
	var v = JSON.parse(sessionStorage.getItem("__csp") || "[]");
	v.push(location.pathname + ": " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline"));
	sessionStorage.setItem("__csp", JSON.stringify(v));
});`

var watchCSP = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatcher})
	return err
})

// AssertNoCSPViolations fails the test if the current tab's origin has
// seen any Content-Security-Policy violation since the browser started.
func AssertNoCSPViolations(t testing.TB, ctx context.Context) {
	t.Helper()
	v, err := CSPViolations(ctx)
	if err != nil {
		t.Fatalf("browsertest: read CSP violations: %v", err)
	}
	if len(v) > 0 {
		t.Fatalf("Content-Security-Policy violations: %v", v)
	}
}

// Screenshot saves a full-page PNG of the current page as
// docs/screenshots/<name>.png when PINACCESS_SCREENSHOTS=1; otherwise it
// does nothing.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv(ScreenshotsEnv) != "1" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	dir := filepath.Join(ModuleRoot(t), "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved screenshot %s", path)
}

// ModuleRoot returns the directory holding go.mod, found from the test's
// working directory upwards.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// TestID is the CSS selector of the element with data-testid=id.
func TestID(id string) chromedp.CSS {
	return chromedp.CSS(`[data-testid="` + id + `"]`)
}

// Login signs in through the login page at baseURL and waits for the page
// after it (the dashboard, or where "next" pointed).
func Login(baseURL, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(baseURL+"/login"),
		chromedp.WaitVisible(TestID("login-form")),
		chromedp.SendKeys(TestID("field-email"), email),
		chromedp.SendKeys(TestID("field-password"), password),
		chromedp.Click(TestID("login-submit")),
		chromedp.WaitVisible(TestID("current-admin")),
	)
}

// CSPViolations returns the Content-Security-Policy violations the current
// tab's origin has recorded, as "path: directive blocked URI".
func CSPViolations(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](`JSON.parse(sessionStorage.getItem("__csp") || "[]")`))
}
