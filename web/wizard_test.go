package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
)

// wizardEnv is a dashboard with the sandbox mounted at /sandbox/ and a
// signed-in admin; pages collects every body the admin's client read.
type wizardEnv struct {
	srv   *webtest.Server
	c     *webtest.Client
	sb    *sandbox.Sandbox
	pages []string
}

func startWizard(t *testing.T) *wizardEnv {
	t.Helper()
	w := &wizardEnv{}
	w.srv = startWithAdmin(t, webtest.Options{Sandbox: func(base string) http.Handler {
		sb, err := sandbox.New(sandbox.Options{BaseURL: base + "/sandbox", RedirectBases: []string{base}})
		if err != nil {
			t.Fatal(err)
		}
		w.sb = sb
		return sb
	}})
	w.c = w.srv.Client(t)
	w.c.Login(t, adminEmail, adminPassword)
	return w
}

func (w *wizardEnv) get(t *testing.T, path string) *webtest.Response {
	t.Helper()
	res := w.c.Get(t, path)
	w.record(res)
	return res
}

// record keeps the page for the secrets check, without the sandbox hint
// (which names the sandbox's public app secret on purpose).
func (w *wizardEnv) record(res *webtest.Response) {
	if res.Doc == nil {
		w.pages = append(w.pages, res.Body)
		return
	}
	doc := goquery.CloneDocument(res.Doc)
	doc.Find(`[data-testid="sandbox-hint"]`).Remove()
	html, _ := goquery.OuterHtml(doc.Selection)
	w.pages = append(w.pages, html)
}

func (w *wizardEnv) post(t *testing.T, path string, form url.Values) *webtest.Response {
	t.Helper()
	if w.c.CSRF == "" {
		w.get(t, "/")
	}
	res := w.c.PostForm(t, path, form)
	w.record(res)
	return res
}

func step1Form(account, secret string) url.Values {
	return url.Values{"name": {"Northwind"}, "environment": {"sandbox"}, "service_account": {account},
		"app_id": {sandbox.DefaultAppID}, "app_secret": {secret}}
}

var setupPathRE = regexp.MustCompile(`^/integrations/(\d+)/setup/business$`)

// createDraft saves steps 1 and 2 and returns the integration's id.
func (w *wizardEnv) createDraft(t *testing.T, account, secret, business string) int64 {
	t.Helper()
	w.get(t, "/integrations/new")
	res := w.post(t, "/integrations", step1Form(account, secret))
	m := setupPathRE.FindStringSubmatch(res.Location())
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("step 1: %d to %q", res.StatusCode, res.Location())
	}
	var id int64
	fmt.Sscan(m[1], &id)
	res = w.post(t, fmt.Sprintf("/integrations/%d/setup/business", id), url.Values{"business_id": {business}})
	if res.StatusCode != http.StatusSeeOther || res.Location() != fmt.Sprintf("/integrations/%d/setup/connect", id) {
		t.Fatalf("step 2: %d to %q", res.StatusCode, res.Location())
	}
	return id
}

// startConnect presses Connect and returns the consent page URL.
func (w *wizardEnv) startConnect(t *testing.T, id int64) *url.URL {
	t.Helper()
	w.get(t, fmt.Sprintf("/integrations/%d/setup/connect", id))
	res := w.post(t, fmt.Sprintf("/integrations/%d/connect", id), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: %d", res.StatusCode)
	}
	u, err := url.Parse(res.Location())
	if err != nil || !strings.HasPrefix(u.String(), w.srv.URL+"/sandbox/oauth/") {
		t.Fatalf("connect sent the browser to %q", res.Location())
	}
	q := u.Query()
	if q.Get("client_id") != sandbox.DefaultAppID || q.Get("redirect_uri") != w.srv.URL+"/oauth/pinterest/callback" ||
		q.Get("scope") != "biz_access:read,ads:read,user_accounts:read" || len(q.Get("state")) < 32 {
		t.Fatalf("consent URL parameters: %v", q)
	}
	return u
}

// consent answers the sandbox's consent page and returns the callback
// path with its query, as Pinterest would redirect the browser.
func (w *wizardEnv) consent(t *testing.T, consentURL *url.URL, user, decision string) string {
	t.Helper()
	form := consentURL.Query()
	form.Set("user", user)
	form.Set("decision", decision)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.PostForm(w.srv.URL+"/sandbox/oauth/", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode/100 != 3 || !strings.HasPrefix(loc, w.srv.URL+"/oauth/pinterest/callback?") {
		t.Fatalf("consent: %d to %q", res.StatusCode, loc)
	}
	return strings.TrimPrefix(loc, w.srv.URL)
}

func (w *wizardEnv) integration(t *testing.T, id int64) store.Integration {
	t.Helper()
	in, err := w.srv.Store.Integration(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// assertNoSecretsAnywhere checks the database file and its WAL, every page
// read and the server log for the app secret and for plain tokens.
func (w *wizardEnv) assertNoSecretsAnywhere(t *testing.T, appSecret string) {
	t.Helper()
	secrets := []string{appSecret, "pina_", "pinr_"}
	for _, path := range []string{w.srv.Config.DB, w.srv.Config.DB + "-wal"} {
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in plain text", path, s)
			}
		}
	}
	for i, p := range w.pages {
		for _, s := range secrets {
			if strings.Contains(p, s) {
				t.Errorf("page %d shows %q", i, s)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(w.srv.Logs(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

func TestWizardConnectsTheSandboxAdminAndKeepsSecretsSealed(t *testing.T) {
	w := startWizard(t)
	const appSecret = sandbox.DefaultAppSecret

	res := w.get(t, "/integrations/new")
	if res.StatusCode != 200 || res.TestID("step-1").AttrOr("data-state", "") != "current" ||
		res.TestID("redirect-uri").AttrOr("value", "") != w.srv.URL+"/oauth/pinterest/callback" ||
		!res.TestID("choice-environment-sandbox").Is("[checked]") {
		t.Fatalf("step 1 page: %d %q", res.StatusCode, res.TestID("redirect-uri").AttrOr("value", ""))
	}
	id := w.createDraft(t, "sandbox-admin", appSecret, " "+sandbox.DefaultBusinessID+" ")

	// Step 1 shown again: the secret is "saved — replace?", never its value.
	res = w.get(t, fmt.Sprintf("/integrations/%d/setup/service-account", id))
	if res.TestID("secret-saved").Length() != 1 || res.TestID("field-app_secret").AttrOr("value", "x") != "" ||
		res.TestID("field-service_account").AttrOr("value", "") != "sandbox-admin" {
		t.Fatalf("step 1 again does not show the saved state")
	}
	// Saving it without a secret keeps the saved one.
	form := step1Form("sandbox-admin", "")
	if res := w.post(t, fmt.Sprintf("/integrations/%d/setup/service-account", id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save step 1 without secret: %d %s", res.StatusCode, res.TestID("error-app_secret").Text())
	}
	if in := w.integration(t, id); in.BusinessID != sandbox.DefaultBusinessID || in.Status != store.IntegrationDraft || !in.HasAppSecret {
		t.Fatalf("after steps 1-2: %+v", in)
	}

	res = w.get(t, fmt.Sprintf("/integrations/%d/setup/connect", id))
	if res.TestID("step-1").AttrOr("data-state", "") != "done" || res.TestID("step-2").AttrOr("data-state", "") != "done" ||
		res.TestID("step-3").AttrOr("data-state", "") != "current" {
		t.Fatalf("stepper on step 3: %s", res.TestID("stepper").Text())
	}
	cb := w.consent(t, w.startConnect(t, id), "sandbox-admin", "allow")
	res = w.get(t, cb)
	if res.StatusCode != http.StatusSeeOther || res.Location() != fmt.Sprintf("/integrations/%d", id) {
		t.Fatalf("callback: %d to %q: %s", res.StatusCode, res.Location(), res.Body)
	}
	res = w.get(t, res.Location())
	if res.TestID("status-card").AttrOr("data-status", "") != "connected" || res.TestID("status-label").Text() != "Connected" ||
		res.TestID("status-sync").AttrOr("data-state", "") != "pending" || !strings.Contains(res.TestID("flash-success").Text(), "Connected Northwind") ||
		!strings.Contains(res.TestID("status-connected").Text(), adminEmail) {
		t.Fatalf("integration page after connecting: %s", res.TestID("status-card").Text())
	}
	in := w.integration(t, id)
	if in.Status != store.IntegrationConnected || !in.HasToken || in.ConnectedBy != adminEmail {
		t.Fatalf("stored: %+v", in)
	}
	res = w.get(t, "/")
	if res.TestID("integration").AttrOr("data-status", "") != "connected" || res.TestID("continue-setup").Length() != 0 {
		t.Fatalf("dashboard: %s", res.TestID("integrations").Text())
	}

	// The same answer from Pinterest a second time is refused, and the
	// connection is unchanged.
	before, _ := w.srv.Store.SyncTarget(context.Background(), id)
	res = w.get(t, cb)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.TestID("error-message").Text(), "does not match a connection started from this browser") {
		t.Fatalf("replayed callback: %d %s", res.StatusCode, res.TestID("error-message").Text())
	}
	after, _ := w.srv.Store.SyncTarget(context.Background(), id)
	if !bytes.Equal(before.AccessTokenSealed, after.AccessTokenSealed) || after.Status != store.IntegrationConnected {
		t.Fatal("a replayed callback changed the connection")
	}
	w.assertNoSecretsAnywhere(t, appSecret)
}

func TestBusinessIDIsCheckedBesideTheField(t *testing.T) {
	w := startWizard(t)
	id := w.createDraft(t, "sandbox-admin", sandbox.DefaultAppSecret, "1")
	path := fmt.Sprintf("/integrations/%d/setup/business", id)
	for _, tc := range []struct {
		name, input, want string
	}{
		{"letters", "48234490100245120a", "only digits"},
		{"21 digits", "123456789012345678901", "at most 20 digits"},
		{"empty", "", "Enter the Business Manager ID"},
		{"inner space", "4823 4490", "only digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.get(t, path)
			res := w.post(t, path, url.Values{"business_id": {tc.input}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.TestID("error-business_id").Text(), tc.want) ||
				res.TestID("field-business_id").AttrOr("value", "?") != tc.input {
				t.Fatalf("%d, error %q, value %q", res.StatusCode, res.TestID("error-business_id").Text(), res.TestID("field-business_id").AttrOr("value", "?"))
			}
			if got := w.integration(t, id).BusinessID; got != "1" {
				t.Fatalf("refused input changed the stored ID to %q", got)
			}
		})
	}
	t.Run("spaces around are trimmed", func(t *testing.T) {
		res := w.post(t, path, url.Values{"business_id": {"  482344901002451200\t"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%d %s", res.StatusCode, res.TestID("error-business_id").Text())
		}
		if got := w.integration(t, id).BusinessID; got != "482344901002451200" {
			t.Fatalf("stored %q", got)
		}
	})
}

func TestStep1KeepsInputAndNamesEachProblem(t *testing.T) {
	w := startWizard(t)
	w.get(t, "/integrations/new")
	form := url.Values{"name": {"Acme"}, "environment": {"pinterest"}, "service_account": {"john smith"}, "app_id": {"12ab"}, "app_secret": {"hunter2-secret"}}
	res := w.post(t, "/integrations", form)
	if res.StatusCode != http.StatusUnprocessableEntity || res.TestID("error-service_account").Length() != 1 || res.TestID("error-app_id").Length() != 1 ||
		res.TestID("error-name").Length() != 0 {
		t.Fatalf("%d; errors: %s", res.StatusCode, res.Find(`[data-testid^="error-"]`).Text())
	}
	if res.TestID("field-name").AttrOr("value", "") != "Acme" || res.TestID("field-app_id").AttrOr("value", "") != "12ab" ||
		!res.TestID("choice-environment-pinterest").Is("[checked]") || strings.Contains(res.Body, "hunter2-secret") {
		t.Fatal("the other input was not kept, or the secret was shown back")
	}
	if all, _ := w.srv.Store.Integrations(context.Background()); len(all) != 0 {
		t.Fatalf("refused step 1 created %d integrations", len(all))
	}
}

func TestConnectRefusalsExplainAndLeaveNothingConnected(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		account, secret, biz  string
		consentAs, decision   string
		tamper                bool
		reason, wantInMessage string
	}{
		{"deny on the consent page", "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID, "sandbox-admin", "deny", false, "declined", "You declined"},
		{"employee, not an admin", "sandbox-employee", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID, "sandbox-employee", "allow", false, "not_admin", "not an admin"},
		{"outsider, not a member", "sandbox-outsider", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID, "sandbox-outsider", "allow", false, "not_member", "not a member"},
		{"a business the account is not in", "sandbox-admin", sandbox.DefaultAppSecret, "99887766", "sandbox-admin", "allow", false, "not_member", "99887766"},
		{"another account consented", "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID, "sandbox-employee", "allow", false, "wrong_account", "sandbox-employee"},
		{"wrong app secret", "sandbox-admin", "wrong-secret", sandbox.DefaultBusinessID, "sandbox-admin", "allow", false, "app_secret", "app secret"},
		{"tampered state", "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID, "sandbox-admin", "allow", true, "state", "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := startWizard(t)
			id := w.createDraft(t, tc.account, tc.secret, tc.biz)
			cb := w.consent(t, w.startConnect(t, id), tc.consentAs, tc.decision)
			if tc.tamper {
				u, _ := url.Parse(cb)
				q := u.Query()
				q.Set("state", strings.ToUpper(q.Get("state")[:1])+q.Get("state")[1:]+"x")
				u.RawQuery = q.Encode()
				cb = u.String()
			}
			res := w.get(t, cb)
			connectPath := fmt.Sprintf("/integrations/%d/setup/connect", id)
			if res.StatusCode != http.StatusSeeOther || res.Location() != connectPath {
				t.Fatalf("callback: %d to %q", res.StatusCode, res.Location())
			}
			res = w.get(t, connectPath)
			f := res.TestID("connect-failure")
			if f.AttrOr("data-reason", "") != tc.reason || !strings.Contains(f.Text(), tc.wantInMessage) {
				t.Fatalf("failure shown: reason %q, %q", f.AttrOr("data-reason", ""), strings.TrimSpace(f.Text()))
			}
			if res.TestID("connect").Length() != 1 {
				t.Fatal("no way to retry on the page")
			}
			if in := w.integration(t, id); in.Status != store.IntegrationDraft || in.HasToken {
				t.Fatalf("after refusal: %+v", in)
			}
			// Shown once: reloading the page does not repeat it.
			if w.get(t, connectPath).TestID("connect-failure").Length() != 0 {
				t.Fatal("the refusal is shown again on reload")
			}
			w.assertNoSecretsAnywhere(t, tc.secret)
		})
	}
}

func TestCallbackWithoutAStartedConnectionIsRefused(t *testing.T) {
	w := startWizard(t)
	res := w.get(t, "/oauth/pinterest/callback?code=abc&state=def")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.TestID("error-message").Text(), "start connecting again") {
		t.Fatalf("%d %s", res.StatusCode, res.TestID("error-message").Text())
	}
}

func TestWizardResumesAtTheFirstUnfinishedStep(t *testing.T) {
	w := startWizard(t)
	w.get(t, "/integrations/new")
	res := w.post(t, "/integrations", step1Form("sandbox-admin", sandbox.DefaultAppSecret))
	m := setupPathRE.FindStringSubmatch(res.Location())
	if m == nil {
		t.Fatalf("step 1 went to %q", res.Location())
	}
	base := "/integrations/" + m[1]
	for _, path := range []string{base + "/setup", base + "/setup/connect"} {
		if res := w.get(t, path); res.StatusCode != http.StatusSeeOther || res.Location() != base+"/setup/business" {
			t.Errorf("%s: %d to %q", path, res.StatusCode, res.Location())
		}
	}
	res = w.get(t, "/")
	if res.TestID("continue-setup").AttrOr("href", "") != base+"/setup/business" {
		t.Fatalf("dashboard continue link: %q", res.TestID("continue-setup").AttrOr("href", ""))
	}
	if res := w.get(t, base+"/setup/business"); res.TestID("step-2").AttrOr("data-state", "") != "current" ||
		res.TestID("step-3").Find("a").Length() != 0 || res.TestID("step-1").Find("a").Length() != 1 {
		t.Fatalf("stepper on step 2: %s", res.TestID("stepper").Text())
	}
	if res := w.get(t, "/integrations/999/setup/business"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown integration: %d", res.StatusCode)
	}
}

func TestWizardStepsSwapInPlaceWithHtmx(t *testing.T) {
	w := startWizard(t)
	w.get(t, "/integrations/new")
	hx := func(path string, form url.Values) *webtest.Response {
		form.Set("_csrf", w.c.CSRF)
		req := w.c.NewRequest(t, http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "wizard")
		return w.c.Do(t, req)
	}
	res := hx("/integrations", step1Form("sandbox-admin", sandbox.DefaultAppSecret))
	push := res.Header.Get("HX-Push-Url")
	if res.StatusCode != 200 || !setupPathRE.MatchString(push) || strings.Contains(res.Body, "<html") ||
		res.TestID("step2-form").Length() != 1 || res.Find("#wizard").Length() != 1 {
		t.Fatalf("htmx step 1: %d push %q", res.StatusCode, push)
	}
	// A refused step answers 422 with the fragment (htmx swaps 422).
	res = hx(push, url.Values{"business_id": {"abc"}})
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Body, "<html") || res.TestID("error-business_id").Length() != 1 || res.Header.Get("HX-Push-Url") != "" {
		t.Fatalf("htmx refused step 2: %d", res.StatusCode)
	}
	res = hx(push, url.Values{"business_id": {sandbox.DefaultBusinessID}})
	if res.StatusCode != 200 || !strings.HasSuffix(res.Header.Get("HX-Push-Url"), "/setup/connect") || res.TestID("connect-form").Length() != 1 {
		t.Fatalf("htmx step 2: %d push %q", res.StatusCode, res.Header.Get("HX-Push-Url"))
	}
}

func TestDisconnectRevokesThenReconnectAndDelete(t *testing.T) {
	w := startWizard(t)
	id := w.createDraft(t, "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID)
	w.get(t, w.consent(t, w.startConnect(t, id), "sandbox-admin", "allow"))
	base := fmt.Sprintf("/integrations/%d", id)
	tgt, _ := w.srv.Store.SyncTarget(context.Background(), id)
	if tgt.Status != store.IntegrationConnected {
		t.Fatalf("not connected: %s", tgt.Status)
	}

	// Steps 1-2 of a connected integration cannot be changed.
	if res := w.post(t, base+"/setup/business", url.Values{"business_id": {"1"}}); res.Location() != base {
		t.Fatalf("editing a connected integration: %d to %q", res.StatusCode, res.Location())
	}
	w.get(t, base)
	res := w.post(t, base+"/disconnect", nil)
	if res.StatusCode != http.StatusSeeOther || res.Location() != base {
		t.Fatalf("disconnect: %d to %q", res.StatusCode, res.Location())
	}
	res = w.get(t, base)
	if res.TestID("status-card").AttrOr("data-status", "") != "disconnected" || !strings.Contains(res.TestID("flash-success").Text(), "revoked") ||
		res.TestID("action-reconnect").Length() != 1 {
		t.Fatalf("after disconnect: %s / %s", res.TestID("status-card").Text(), res.Find(`[data-testid^="flash-"]`).Text())
	}
	if in := w.integration(t, id); in.HasToken || in.Status != store.IntegrationDisconnected {
		t.Fatalf("tokens kept: %+v", in)
	}

	// Reconnect through the connect step.
	cb := w.consent(t, w.startConnect(t, id), "sandbox-admin", "allow")
	if res := w.get(t, cb); res.Location() != base {
		t.Fatalf("reconnect: %d to %q", res.StatusCode, res.Location())
	}
	if w.integration(t, id).Status != store.IntegrationConnected {
		t.Fatal("not connected again")
	}

	res = w.get(t, base+"/delete")
	if res.TestID("delete-confirm").Length() != 1 || w.integration(t, id).Status != store.IntegrationConnected {
		t.Fatal("the confirmation page is missing, or GET deleted")
	}
	res = w.post(t, base+"/delete", nil)
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/" {
		t.Fatalf("delete: %d to %q", res.StatusCode, res.Location())
	}
	if _, err := w.srv.Store.Integration(context.Background(), id); err != store.ErrNotFound {
		t.Fatalf("still there: %v", err)
	}
	res = w.get(t, "/")
	if res.TestID("empty-state").Length() != 1 || !strings.Contains(res.TestID("flash-success").Text(), "Deleted Northwind") {
		t.Fatal("dashboard after delete")
	}
	if res := w.get(t, base); res.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted integration page: %d", res.StatusCode)
	}
	w.assertNoSecretsAnywhere(t, sandbox.DefaultAppSecret)
}

func TestConnectStateExpiresAfterFifteenMinutes(t *testing.T) {
	clock := webtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	w := &wizardEnv{}
	w.srv = startWithAdmin(t, webtest.Options{Now: clock.Now, Sandbox: func(base string) http.Handler {
		sb, err := sandbox.New(sandbox.Options{BaseURL: base + "/sandbox", RedirectBases: []string{base}})
		if err != nil {
			t.Fatal(err)
		}
		w.sb = sb
		return sb
	}})
	w.c = w.srv.Client(t)
	w.c.Login(t, adminEmail, adminPassword)
	id := w.createDraft(t, "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID)
	cb := w.consent(t, w.startConnect(t, id), "sandbox-admin", "allow")
	clock.Advance(16 * time.Minute)
	res := w.get(t, cb)
	if res.Location() != fmt.Sprintf("/integrations/%d/setup/connect", id) {
		t.Fatalf("late callback: %d to %q", res.StatusCode, res.Location())
	}
	if got := w.get(t, res.Location()).TestID("connect-failure").AttrOr("data-reason", ""); got != "state" {
		t.Fatalf("reason %q", got)
	}
	if in := w.integration(t, id); in.Status != store.IntegrationDraft || in.HasToken {
		t.Fatalf("late callback connected: %+v", in)
	}
}

func TestPinterestEnvironmentGoesToPinterestsConsentPage(t *testing.T) {
	srv := startWithAdmin(t, webtest.Options{}) // sandbox off
	c := srv.Client(t)
	c.Login(t, adminEmail, adminPassword)
	res := c.Get(t, "/integrations/new")
	if res.TestID("choice-environment-sandbox").Length() != 0 || !res.TestID("choice-environment-pinterest").Is("[checked]") {
		t.Fatal("sandbox offered while it is off")
	}
	form := url.Values{"name": {"Acme"}, "environment": {"sandbox"}, "service_account": {"pinaccess@acme.example"}, "app_id": {"1234567"}, "app_secret": {"s3cret"}}
	if res := c.PostForm(t, "/integrations", form); res.StatusCode != http.StatusUnprocessableEntity || res.TestID("error-environment").Length() != 1 {
		t.Fatalf("sandbox while off: %d", res.StatusCode)
	}
	form.Set("environment", "pinterest")
	res = c.PostForm(t, "/integrations", form)
	m := setupPathRE.FindStringSubmatch(res.Location())
	if m == nil {
		t.Fatalf("step 1: %d to %q", res.StatusCode, res.Location())
	}
	base := "/integrations/" + m[1]
	c.PostForm(t, base+"/setup/business", url.Values{"business_id": {"482344901002451200"}})
	res = c.Get(t, base+"/setup/connect")
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "form-action 'self' https://www.pinterest.com") {
		t.Fatalf("connect page CSP: %s", res.Header.Get("Content-Security-Policy"))
	}
	res = c.PostForm(t, base+"/connect", nil)
	u, err := url.Parse(res.Location())
	if res.StatusCode != http.StatusSeeOther || err != nil || u.Scheme+"://"+u.Host+u.Path != "https://www.pinterest.com/oauth/" {
		t.Fatalf("connect: %d to %q", res.StatusCode, res.Location())
	}
	q := u.Query()
	if q.Get("client_id") != "1234567" || q.Get("response_type") != "code" || q.Get("redirect_uri") != srv.URL+"/oauth/pinterest/callback" ||
		q.Get("scope") != "biz_access:read,ads:read,user_accounts:read" || q.Get("state") == "" || q.Has("code_challenge") || strings.Contains(res.Location(), "s3cret") {
		t.Fatalf("consent URL: %s", res.Location())
	}
}
