package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pinaccess/internal/config"
	"pinaccess/internal/webtest"
	"pinaccess/static"
)

func TestChangesWithoutTheCSRFTokenAreRefused(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)

	for name, form := range map[string]url.Values{
		"no token":    {},
		"wrong token": {"_csrf": {"forged"}},
		"empty token": {"_csrf": {""}},
	} {
		t.Run(name, func(t *testing.T) {
			res := c.PostFormRaw(t, "/logout", form)
			wantStatus(t, res, http.StatusForbidden)
			if msg := res.TestID("error-message").Text(); !strings.Contains(msg, "reload the page") {
				t.Fatalf("403 page message %q", msg)
			}
			// Refused means nothing happened: still signed in.
			wantStatus(t, c.Get(t, "/"), http.StatusOK)
		})
	}
	// A login form posted from elsewhere is refused too.
	other := srv.Client(t)
	res := other.PostFormRaw(t, "/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	wantStatus(t, res, http.StatusForbidden)

	// htmx sends the token in a header instead.
	req := c.NewRequest(t, http.MethodPost, "/logout", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	res = c.Do(t, req)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") != "/login" {
		t.Fatalf("htmx logout with X-CSRF-Token: %d, HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	wantStatus(t, c.Get(t, "/"), http.StatusSeeOther)
}

func TestEveryNonPublicPageNeedsLogin(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	c := srv.Client(t)
	for _, path := range []string{
		"/", "/integrations/new", "/integrations/1", "/integrations/1/members?q=ada", "/integrations/1/export/members.csv",
		"/oauth/pinterest/callback?code=x&state=y", "/no-such-page",
	} {
		res := c.Get(t, path)
		wantStatus(t, res, http.StatusSeeOther)
		want := "/login"
		if path != "/" {
			want += "?next=" + url.QueryEscape(path)
		}
		if res.Location() != want {
			t.Errorf("GET %s: redirect to %q, want %q", path, res.Location(), want)
		}
	}
	c.Get(t, "/login")
	for _, path := range []string{"/", "/integrations", "/integrations/1/sync"} {
		res := c.PostForm(t, path, url.Values{})
		wantStatus(t, res, http.StatusSeeOther)
		if res.Location() != "/login" {
			t.Errorf("POST %s: redirect to %q, want /login", path, res.Location())
		}
	}
	// An htmx request is redirected with HX-Redirect, so htmx loads the
	// whole sign-in page instead of swapping it into a fragment.
	req := c.NewRequest(t, http.MethodGet, "/integrations/1/members", nil)
	req.Header.Set("HX-Request", "true")
	res := c.Do(t, req)
	if got := res.Header.Get("HX-Redirect"); got != "/login?next=%2Fintegrations%2F1%2Fmembers" {
		t.Fatalf("htmx request: HX-Redirect %q", got)
	}
	// The public pages answer without a session.
	for _, path := range []string{"/healthz", "/login", static.URL("app.css"), static.URL("htmx.min.js")} {
		wantStatus(t, c.Get(t, path), http.StatusOK)
	}
	wantStatus(t, c.Get(t, "/setup"), http.StatusConflict) // an admin exists
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	sandbox := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "sandbox saw "+r.URL.Path)
	})
	srv := startWithAdmin(t, webtest.Options{Sandbox: func(string) http.Handler { return sandbox }})
	c := srv.Client(t)
	signedIn := srv.Client(t)
	signedIn.Login(t, adminEmail, adminPassword)
	check := func(name string, res *webtest.Response) {
		t.Helper()
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self' https://www.pinterest.com"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", name, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe-inline or unsafe-eval: %q", name, csp)
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", name, k, got, want)
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain http", name)
		}
	}
	check("login", c.Get(t, "/login"))
	check("healthz", c.Get(t, "/healthz"))
	check("static", c.Get(t, static.URL("app.css")))
	check("dashboard", signedIn.Get(t, "/"))
	check("404", signedIn.Get(t, "/no-such-page"))
	res := c.Get(t, "/sandbox/oauth/")
	check("sandbox", res)
	if res.Body != "sandbox saw /oauth/" {
		t.Fatalf("sandbox mounted with the prefix kept: %q", res.Body)
	}

	for _, ck := range c.Get(t, "/login").Cookies() {
		if ck.Name == "pinaccess_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure) {
			t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Lax, not Secure on http", ck.HttpOnly, ck.SameSite, ck.Secure)
		}
	}
}

func TestHTTPSBaseURLMakesCookiesSecureAndSendsHSTS(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{Configure: func(cfg *config.Config) { cfg.BaseURL = "https://pinaccess.example.com" }})
	res := srv.Client(t).Get(t, "/login")
	if h := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
		t.Errorf("HSTS = %q with an https base URL", h)
	}
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "pinaccess_session" {
			found = true
			if !ck.Secure {
				t.Error("session cookie not Secure with an https base URL")
			}
		}
	}
	if !found {
		t.Fatal("no session cookie set on /login")
	}
}

func TestStaticAssetsAreHashedAndCachedForever(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	c := srv.Client(t)
	page := c.Get(t, "/login")
	css, _ := page.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := page.Find(`script[src]`).Attr("src")
	if css != static.URL("app.css") || js != static.URL("htmx.min.js") {
		t.Fatalf("page links %q and %q, want the hashed URLs", css, js)
	}
	for url, ctype := range map[string]string{css: "text/css", js: "text/javascript"} {
		res := c.Get(t, url)
		wantStatus(t, res, http.StatusOK)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", url, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
	}
	wantStatus(t, c.Get(t, "/static/app.css"), http.StatusNotFound)
	wantStatus(t, c.Get(t, "/static/app.000000000000.css"), http.StatusNotFound)
}

func TestOversizedBodyIsRefusedWithAClearMessage(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	setup := strings.TrimPrefix(srv.SetupURL(t), srv.URL)
	token := strings.TrimPrefix(setup, "/setup?token=")
	c := srv.Client(t)
	c.Get(t, setup)
	big := url.Values{"token": {token}, "email": {adminEmail}, "password": {strings.Repeat("x", 2<<20)}, "_csrf": {c.CSRF}}.Encode()
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(bytes.NewReader([]byte(big))) // no length: sent chunked
		}
		req := c.NewRequest(t, http.MethodPost, "/setup", body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := c.Do(t, req)
		wantStatus(t, res, http.StatusRequestEntityTooLarge)
		if msg := res.TestID("error-message").Text(); !strings.Contains(msg, "larger than pinaccess accepts (1 MB)") {
			t.Fatalf("chunked=%v: message %q", chunked, msg)
		}
	}
	if n := countAdmins(t, srv); n != 0 {
		t.Fatalf("admins = %d after oversized posts, want 0", n)
	}
	// Nothing was used up: the same token still sets up the admin.
	res := c.PostForm(t, "/setup", url.Values{"token": {token}, "email": {adminEmail}, "password": {adminPassword}, "confirm": {adminPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestHealthz(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	c := srv.Client(t)
	res := c.Get(t, "/healthz")
	wantStatus(t, res, http.StatusOK)
	if strings.TrimSpace(res.Body) != `{"status":"ok"}` {
		t.Fatalf("body %q", res.Body)
	}
	if head := c.Do(t, c.NewRequest(t, http.MethodHead, "/healthz", nil)); head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD /healthz = %d", head.StatusCode)
	}
	srv.Store.Close()
	res = c.Get(t, "/healthz")
	wantStatus(t, res, http.StatusServiceUnavailable)
}

func TestErrorPagesAndFragments(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)
	res := c.Get(t, "/no-such-page")
	wantStatus(t, res, http.StatusNotFound)
	if res.TestID("error-page").Length() != 1 || res.TestID("current-admin").Text() != adminEmail {
		t.Fatal("404 page is not in the dashboard's layout")
	}
	if res.Header.Get("X-Request-Id") == "" || !strings.Contains(res.Body, res.Header.Get("X-Request-Id")) {
		t.Fatal("404 page does not show the request id")
	}

	// htmx gets the bare component; a boosted request gets the whole page.
	req := c.NewRequest(t, http.MethodGet, "/", nil)
	req.Header.Set("HX-Request", "true")
	res = c.Do(t, req)
	if strings.Contains(res.Body, "<html") || res.TestID("empty-state").Length() != 1 {
		t.Fatalf("htmx request got %q", truncate(res.Body))
	}
	req.Header.Set("HX-Boosted", "true")
	res = c.Do(t, req)
	if !strings.Contains(res.Body, "<html") {
		t.Fatal("boosted request did not get the full page")
	}
}

func TestLogsHoldNoTokensPasswordsOrCookies(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	setup := srv.SetupURL(t)
	token := strings.TrimPrefix(setup, srv.URL+"/setup?token=")
	c := srv.Client(t)
	c.Get(t, strings.TrimPrefix(setup, srv.URL))
	c.PostForm(t, "/setup", url.Values{"token": {token}, "email": {adminEmail}, "password": {adminPassword}, "confirm": {adminPassword}})
	c.Get(t, "/?code=oauth-code-secret")
	logs := srv.Logs()
	if !strings.Contains(logs, "path=/setup") {
		t.Fatalf("request log lacks the setup request:\n%s", logs)
	}
	secrets := []string{token, adminPassword, c.CSRF, "oauth-code-secret"}
	for _, ck := range c.Cookies() {
		secrets = append(secrets, ck.Value)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("the log contains a secret %q:\n%s", s, logs)
		}
	}
}
