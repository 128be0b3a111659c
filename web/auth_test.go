package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pinaccess/internal/secret"
	"pinaccess/internal/webtest"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery"
)

func startWithAdmin(t *testing.T, opts webtest.Options) *webtest.Server {
	t.Helper()
	srv := webtest.Start(t, opts)
	srv.CreateAdmin(t, adminEmail, adminPassword)
	return srv
}

func countAdmins(t *testing.T, srv *webtest.Server) int {
	t.Helper()
	n, err := srv.Store.CountAdmins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantStatus(t *testing.T, res *webtest.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, truncate(res.Body))
	}
}

func truncate(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func TestSetupTokenCreatesTheFirstAdminOnce(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	setupURL := srv.SetupURL(t)
	path := strings.TrimPrefix(setupURL, srv.URL)
	token := strings.TrimPrefix(path, "/setup?token=")

	c := srv.Client(t)
	res := c.Get(t, path)
	wantStatus(t, res, http.StatusOK)
	if v, _ := res.Find(`input[name="token"]`).Attr("value"); v != token {
		t.Fatalf("setup form carries token %q, want the one from the link", v)
	}
	res = c.PostForm(t, "/setup", url.Values{"token": {token}, "email": {" Ada@Example.com "}, "password": {adminPassword}, "confirm": {adminPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/" {
		t.Fatalf("after setup, redirect to %q, want /", res.Location())
	}
	res = c.Get(t, "/")
	wantStatus(t, res, http.StatusOK)
	if got := res.TestID("current-admin").Text(); got != "ada@example.com" {
		t.Fatalf("signed in as %q, want ada@example.com (normalised)", got)
	}
	if !strings.Contains(res.TestID("flash-success").Text(), "Welcome") {
		t.Fatalf("no welcome flash after setup")
	}

	// The same token again, from another browser: refused, nothing changes.
	other := srv.Client(t)
	other.Get(t, "/login")
	res = other.PostForm(t, "/setup", url.Values{"token": {token}, "email": {"eve@example.com"}, "password": {"another long password"}, "confirm": {"another long password"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.TestID("setup-unavailable").Text(), "no longer works") {
		t.Fatalf("reused token: message %q", res.TestID("setup-unavailable").Text())
	}
	res = other.Get(t, path)
	wantStatus(t, res, http.StatusConflict)
	if n := countAdmins(t, srv); n != 1 {
		t.Fatalf("admins = %d after reusing the setup token, want 1", n)
	}
}

func TestSetupRefusesAWrongToken(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	good := strings.TrimPrefix(srv.SetupURL(t), srv.URL+"/setup?token=")
	c := srv.Client(t)
	for _, path := range []string{"/setup", "/setup?token=", "/setup?token=not-the-token", "/setup?token=" + good + "x"} {
		res := c.Get(t, path)
		wantStatus(t, res, http.StatusForbidden)
		if !strings.Contains(res.TestID("setup-unavailable").Text(), "Restart pinaccess") {
			t.Fatalf("%s: message %q", path, res.TestID("setup-unavailable").Text())
		}
		if res.Find(`[data-testid="setup-form"]`).Length() != 0 {
			t.Fatalf("%s: the setup form is shown for a wrong token", path)
		}
	}
	res := c.PostForm(t, "/setup", url.Values{"token": {"not-the-token"}, "email": {"eve@example.com"}, "password": {adminPassword}, "confirm": {adminPassword}})
	wantStatus(t, res, http.StatusForbidden)
	if n := countAdmins(t, srv); n != 0 {
		t.Fatalf("admins = %d after a wrong token, want 0", n)
	}
}

func TestSetupRefusesBadInputAndKeepsTheToken(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	token := strings.TrimPrefix(srv.SetupURL(t), srv.URL+"/setup?token=")
	c := srv.Client(t)
	c.Get(t, "/setup?token="+token)
	cases := []struct {
		name, email, password, confirm string
		field, message                 string
	}{
		{"short password", "ada@example.com", "elevenchars", "elevenchars", "password", "at least 12 characters"},
		{"malformed email", "ada.example.com", adminPassword, adminPassword, "email", "like name@example.com"},
		{"email without domain dot", "ada@localhost", adminPassword, adminPassword, "email", "like name@example.com"},
		{"empty email", "", adminPassword, adminPassword, "email", "Enter an email address"},
		{"passwords differ", "ada@example.com", adminPassword, adminPassword + "!", "confirm", "do not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.PostForm(t, "/setup", url.Values{"token": {token}, "email": {tc.email}, "password": {tc.password}, "confirm": {tc.confirm}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if got := res.TestID("error-" + tc.field).Text(); !strings.Contains(got, tc.message) {
				t.Fatalf("error beside %s = %q, want %q", tc.field, got, tc.message)
			}
			if v, _ := res.TestID("field-email").Attr("value"); v != tc.email {
				t.Fatalf("email field = %q, want the typed %q kept", v, tc.email)
			}
			if v, _ := res.TestID("field-password").Attr("value"); v != "" {
				t.Fatalf("the password is echoed back into the page")
			}
			if n := countAdmins(t, srv); n != 0 {
				t.Fatalf("admins = %d after bad input, want 0", n)
			}
		})
	}
	// The token still works after the refusals.
	res := c.PostForm(t, "/setup", url.Values{"token": {token}, "email": {"ada@example.com"}, "password": {adminPassword}, "confirm": {adminPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestLoginFailsTheSameWayForUnknownEmailAndWrongPassword(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	var bodies []string
	for _, creds := range [][2]string{{adminEmail, "wrong password here"}, {"nobody@example.com", adminPassword}} {
		c := srv.Client(t)
		c.Get(t, "/login")
		res := c.PostForm(t, "/login", url.Values{"email": {creds[0]}, "password": {creds[1]}})
		wantStatus(t, res, http.StatusUnauthorized)
		msg := res.TestID("form-error").Text()
		if msg != "Email or password is incorrect." {
			t.Fatalf("login as %s: message %q", creds[0], msg)
		}
		bodies = append(bodies, msg)
		if v, _ := res.TestID("field-email").Attr("value"); v != creds[0] {
			t.Fatalf("email field = %q, want %q kept", v, creds[0])
		}
		// No session: the dashboard still sends this browser to sign in.
		res = c.Get(t, "/")
		wantStatus(t, res, http.StatusSeeOther)
	}
	if bodies[0] != bodies[1] {
		t.Fatalf("messages differ: %q vs %q", bodies[0], bodies[1])
	}
}

func TestLoginIsCaseInsensitiveAndFollowsOnlyLocalNext(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	cases := map[string]string{
		"/integrations/5/members?q=x": "/integrations/5/members?q=x",
		"//evil.example.com/":         "/",
		"https://evil.example.com/":   "/",
		"/\\evil.example.com":         "/",
		"":                            "/",
	}
	for next, want := range cases {
		c := srv.Client(t)
		c.Get(t, "/login?next="+url.QueryEscape(next))
		res := c.PostForm(t, "/login", url.Values{"email": {"ADMIN@example.com "}, "password": {adminPassword}, "next": {next}})
		wantStatus(t, res, http.StatusSeeOther)
		if res.Location() != want {
			t.Errorf("next=%q: redirect to %q, want %q", next, res.Location(), want)
		}
	}
}

func TestLoginIsThrottledPerEmail(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	srv := startWithAdmin(t, webtest.Options{Now: clock.Now})
	c := srv.Client(t)
	c.Get(t, "/login")
	for i := range 5 {
		res := c.PostForm(t, "/login", url.Values{"email": {adminEmail}, "password": {"wrong password " + string(rune('a'+i))}})
		wantStatus(t, res, http.StatusUnauthorized)
	}
	res := c.PostForm(t, "/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if msg := res.TestID("form-error").Text(); !strings.Contains(msg, "Too many failed sign-in attempts. Wait 15 minutes") {
		t.Fatalf("throttled message %q", msg)
	}
	clock.Advance(15*time.Minute + time.Second)
	res = c.PostForm(t, "/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestLoginRenewsTheSessionAndLogoutEndsIt(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{})
	c := srv.Client(t)
	c.Get(t, "/login")
	before := c.Cookies()
	csrfBefore := c.CSRF
	c.Login(t, adminEmail, adminPassword)
	if c.CSRF == csrfBefore {
		t.Fatal("the CSRF token is the same before and after login")
	}

	// Signing in again gives a new session id: a copy of the previous
	// session's cookie stops working (no session fixation).
	earlier := srv.Client(t)
	setCookies(t, earlier, srv, c.Cookies())
	wantStatus(t, earlier.Get(t, "/"), http.StatusOK)
	res := c.PostForm(t, "/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	c.Get(t, "/")
	wantStatus(t, earlier.Get(t, "/"), http.StatusSeeOther)
	_ = before

	// A copy of the signed-in cookie works until logout, and not after.
	copied := srv.Client(t)
	setCookies(t, copied, srv, c.Cookies())
	wantStatus(t, copied.Get(t, "/"), http.StatusOK)
	res = c.PostForm(t, "/logout", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/login" {
		t.Fatalf("logout redirects to %q, want /login", res.Location())
	}
	wantStatus(t, c.Get(t, "/"), http.StatusSeeOther)
	wantStatus(t, copied.Get(t, "/"), http.StatusSeeOther)
}

func setCookies(t *testing.T, c *webtest.Client, srv *webtest.Server, cookies []*http.Cookie) {
	t.Helper()
	if len(cookies) == 0 {
		t.Fatal("no cookies to copy")
	}
	for _, ck := range cookies {
		c.SetCookie(ck)
	}
}

func TestSessionsExpireWhenIdleAndAfterAWeek(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	srv := startWithAdmin(t, webtest.Options{Now: clock.Now})

	idle := srv.Client(t)
	idle.Login(t, adminEmail, adminPassword)
	clock.Advance(11 * time.Hour)
	wantStatus(t, idle.Get(t, "/"), http.StatusOK)
	clock.Advance(12*time.Hour + time.Minute)
	wantStatus(t, idle.Get(t, "/"), http.StatusSeeOther)

	busy := srv.Client(t)
	busy.Login(t, adminEmail, adminPassword)
	for range 15 { // active every 11 hours for a week
		clock.Advance(11 * time.Hour)
		wantStatus(t, busy.Get(t, "/"), http.StatusOK)
	}
	clock.Advance(11 * time.Hour) // 176 h > 7 days since sign-in
	wantStatus(t, busy.Get(t, "/"), http.StatusSeeOther)
}

func TestSessionsSurviveARestart(t *testing.T) {
	dbPath := t.TempDir() + "/pinaccess.db"
	key := secret.NewKey()
	first := startWithAdmin(t, webtest.Options{DBPath: dbPath, SecretKey: key})
	c := first.Client(t)
	c.Login(t, adminEmail, adminPassword)

	second := webtest.Start(t, webtest.Options{DBPath: dbPath, SecretKey: key})
	again := second.Client(t)
	setCookies(t, again, second, c.Cookies())
	res := again.Get(t, "/")
	wantStatus(t, res, http.StatusOK)
	if res.TestID("current-admin").Text() != adminEmail {
		t.Fatal("the restarted server does not know the session's admin")
	}
}
