package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

const callback = "http://localhost:9999/oauth/pinterest/callback"

var appCreds = [2]string{DefaultAppID, DefaultAppSecret}

func authorizeQuery(redirect, scope, state string) string {
	q := url.Values{"client_id": {DefaultAppID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {scope}, "state": {state}}
	return q.Encode()
}

// consent posts the consent form and returns the redirect's query.
func (h *harness) consent(t *testing.T, user, decision, redirect, state string) url.Values {
	t.Helper()
	form := url.Values{"client_id": {DefaultAppID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"biz_access:read,ads:read,user_accounts:read"}, "state": {state}, "user": {user}, "decision": {decision}}
	a := h.do(http.MethodPost, "/oauth/", "", form, [2]string{})
	if a.status != http.StatusFound {
		t.Fatalf("consent: status %d, want 302: %s", a.status, a.body)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirect {
		t.Fatalf("redirected to %s, want %s", got, redirect)
	}
	return loc.Query()
}

type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	RefreshToken          string `json:"refresh_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	RefreshTokenExpiresAt int64  `json:"refresh_token_expires_at"`
	ResponseType          string `json:"response_type"`
	Scope                 string `json:"scope"`
	TokenType             string `json:"token_type"`
}

func (h *harness) tokenRequest(form url.Values, creds [2]string) answer {
	return h.do(http.MethodPost, "/v5/oauth/token", "", form, creds)
}

func (h *harness) exchange(t *testing.T, code, redirect string) tokenAnswer {
	t.Helper()
	a := h.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}, appCreds)
	if a.status != 200 {
		t.Fatalf("code exchange: %d %s", a.status, a.body)
	}
	var tk tokenAnswer
	a.json(t, &tk)
	return tk
}

func (h *harness) refresh(t *testing.T, refresh string) (tokenAnswer, answer) {
	t.Helper()
	a := h.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, appCreds)
	var tk tokenAnswer
	if a.status == 200 {
		a.json(t, &tk)
	}
	return tk, a
}

func TestOAuthCodeFlow(t *testing.T) {
	h := newHarness(t, nil, nil)

	page := h.get("", "/oauth/?"+authorizeQuery(callback, "biz_access:read,ads:read,user_accounts:read", "st4te"))
	if page.status != 200 {
		t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(page.body)))
	if err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]string{AdminUsername: "Admin of", EmployeeUsername: "Employee of", OutsiderUsername: "Not a member"} {
		label := doc.Find(`[data-testid="account-` + user + `"]`).Parent()
		if label.Length() != 1 || !strings.Contains(label.Text(), role) {
			t.Errorf("the page does not list %s as %q: %q", user, role, label.Text())
		}
	}
	if doc.Find(`[data-testid="scopes"] li`).Length() != 3 {
		t.Error("the page does not list the three scopes")
	}
	if doc.Find("script").Length() != 0 || doc.Find("[style]").Length() != 0 || doc.Find("style").Length() != 0 {
		t.Error("the page has scripts or inline styles, which the dashboard's CSP blocks")
	}
	if href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href"); href != "sandbox.css" {
		t.Errorf("stylesheet href %q", href)
	} else if css := h.get("", "/oauth/sandbox.css"); css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.status, css.header.Get("Content-Type"))
	}
	if action, _ := doc.Find("form").Attr("action"); action != "." {
		t.Errorf("form action %q, want the page's own path", action)
	}

	q := h.consent(t, AdminUsername, "allow", callback, "st4te")
	if q.Get("state") != "st4te" || q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("callback query %v", q)
	}
	tk := h.exchange(t, q.Get("code"), callback)
	if !strings.HasPrefix(tk.AccessToken, "pina") || !strings.HasPrefix(tk.RefreshToken, "pinr") {
		t.Errorf("tokens %q %q lack Pinterest's prefixes", tk.AccessToken, tk.RefreshToken)
	}
	if tk.TokenType != "bearer" || tk.ResponseType != "authorization_code" || tk.Scope != "biz_access:read,ads:read,user_accounts:read" {
		t.Errorf("token answer %+v", tk)
	}
	if tk.ExpiresIn != int64((30*24*time.Hour).Seconds()) || tk.RefreshTokenExpiresIn != int64((60*24*time.Hour).Seconds()) ||
		tk.RefreshTokenExpiresAt != h.clock.Now().Add(60*24*time.Hour).Unix() {
		t.Errorf("lifetimes %+v", tk)
	}
	a := h.get(tk.AccessToken, "/v5/user_account")
	if a.status != 200 || !strings.Contains(string(a.body), `"username":"sandbox-admin"`) {
		t.Errorf("user_account with the new token: %d %s", a.status, a.body)
	}

	// The code is single-use; replaying it also revokes what it gave.
	replay := h.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {callback}}, appCreds)
	if replay.status != 400 {
		t.Errorf("replayed code: %d %s", replay.status, replay.body)
	}
	if a := h.get(tk.AccessToken, "/v5/user_account"); a.status != 401 {
		t.Errorf("token of a replayed code still works: %d", a.status)
	}
	if _, a := h.refresh(t, tk.RefreshToken); a.status != 400 {
		t.Errorf("refresh token of a replayed code still works: %d", a.status)
	}

	if h.v.Seen()["oauth/token"] == 0 {
		t.Error("the token endpoint was not checked against the description")
	}
}

func TestOAuthRefusals(t *testing.T) {
	h := newHarness(t, nil, func(o *Options) { o.RedirectBases = []string{"https://pinaccess.example.com/app"} })

	errorPage := func(t *testing.T, query string, want string) {
		t.Helper()
		a := h.get("", "/oauth/?"+query)
		if a.status != 400 || a.header.Get("Location") != "" {
			t.Fatalf("status %d location %q, want an error page", a.status, a.header.Get("Location"))
		}
		if !strings.Contains(string(a.body), want) {
			t.Errorf("error page lacks %q: %s", want, a.body)
		}
	}
	scope := "biz_access:read,ads:read"
	t.Run("unknown client", func(t *testing.T) {
		errorPage(t, "client_id=999&response_type=code&scope="+scope+"&redirect_uri="+url.QueryEscape(callback), "Invalid client_id")
	})
	t.Run("unregistered redirect URI", func(t *testing.T) {
		errorPage(t, authorizeQuery("https://evil.example.com/cb", scope, "s"), "Invalid redirect_uri")
		errorPage(t, authorizeQuery("https://pinaccess.example.com/application/cb", scope, "s"), "Invalid redirect_uri")
	})
	t.Run("bad scope", func(t *testing.T) {
		errorPage(t, authorizeQuery(callback, "biz_access:read,everything", "s"), "Invalid scope")
		errorPage(t, authorizeQuery(callback, "", "s"), "Invalid scope")
	})
	t.Run("accepted redirect URIs and consumer_id", func(t *testing.T) {
		for _, uri := range []string{"http://127.0.0.1:8080/cb", "http://[::1]/cb", "https://pinaccess.example.com/app/oauth/pinterest/callback"} {
			if a := h.get("", "/oauth/?"+authorizeQuery(uri, scope, "s")); a.status != 200 {
				t.Errorf("%s refused: %d", uri, a.status)
			}
		}
		q := "consumer_id=" + DefaultAppID + "&response_type=code&scope=" + scope + "&redirect_uri=" + url.QueryEscape(callback)
		if a := h.get("", "/oauth/?"+q); a.status != 200 {
			t.Errorf("consumer_id refused: %d %s", a.status, a.body)
		}
	})
	t.Run("posted form with an unregistered redirect URI", func(t *testing.T) {
		form := url.Values{"client_id": {DefaultAppID}, "redirect_uri": {"https://evil.example.com/cb"}, "response_type": {"code"},
			"scope": {scope}, "user": {AdminUsername}, "decision": {"allow"}}
		a := h.do(http.MethodPost, "/oauth/", "", form, [2]string{})
		if a.status != 400 || a.header.Get("Location") != "" {
			t.Errorf("status %d location %q", a.status, a.header.Get("Location"))
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		form := url.Values{"client_id": {DefaultAppID}, "redirect_uri": {callback}, "response_type": {"code"},
			"scope": {scope}, "user": {"<b>nobody</b>"}, "decision": {"allow"}}
		a := h.do(http.MethodPost, "/oauth/", "", form, [2]string{})
		if a.status != 400 || !strings.Contains(string(a.body), "&lt;b&gt;nobody&lt;/b&gt;") || strings.Contains(string(a.body), "<b>nobody") {
			t.Errorf("status %d, body not escaped or without the problem: %s", a.status, a.body)
		}
	})
	t.Run("deny", func(t *testing.T) {
		q := h.consent(t, AdminUsername, "deny", callback, "xyz")
		if q.Get("error") != "access_denied" || q.Get("state") != "xyz" || q.Get("code") != "" {
			t.Errorf("callback query %v", q)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		q := h.consent(t, AdminUsername, "allow", callback, "s")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {callback}}
		a := h.tokenRequest(form, [2]string{DefaultAppID, "wrong"})
		if a.status != 401 {
			t.Fatalf("status %d %s", a.status, a.body)
		}
		if code, _ := a.apiErr(t); code != 2 {
			t.Errorf("code %d, want 2", code)
		}
		if a := h.tokenRequest(form, [2]string{}); a.status != 401 {
			t.Errorf("no client authentication: %d", a.status)
		}
		// The code was not used up by the failed attempts.
		h.exchange(t, q.Get("code"), callback)
	})
	t.Run("wrong redirect URI", func(t *testing.T) {
		q := h.consent(t, AdminUsername, "allow", callback, "s")
		a := h.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {"http://localhost:9999/other"}}, appCreds)
		if a.status != 400 {
			t.Errorf("status %d %s", a.status, a.body)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		q := h.consent(t, AdminUsername, "allow", callback, "s")
		h.clock.Advance(11 * time.Minute)
		a := h.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {callback}}, appCreds)
		if a.status != 400 || !strings.Contains(string(a.body), "expired") {
			t.Errorf("status %d %s", a.status, a.body)
		}
	})
	t.Run("unsupported grant", func(t *testing.T) {
		if a := h.tokenRequest(url.Values{"grant_type": {"password"}}, appCreds); a.status != 400 {
			t.Errorf("status %d", a.status)
		}
	})
}

func TestRefreshRotatesAndRevocationSticks(t *testing.T) {
	h := newHarness(t, nil, nil)
	q := h.consent(t, EmployeeUsername, "allow", callback, "s")
	first := h.exchange(t, q.Get("code"), callback)

	h.clock.Advance(24 * time.Hour)
	second, a := h.refresh(t, first.RefreshToken)
	if a.status != 200 {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if second.ResponseType != "refresh_token" || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken ||
		second.AccessToken == first.AccessToken || second.RefreshTokenExpiresIn == 0 || second.RefreshTokenExpiresAt != h.clock.Now().Add(60*24*time.Hour).Unix() {
		t.Errorf("refresh answer %+v", second)
	}
	if _, a := h.refresh(t, first.RefreshToken); a.status != 400 {
		t.Errorf("the rotated-away refresh token still works: %d", a.status)
	}
	if a := h.get(second.AccessToken, "/v5/businesses/employers"); a.status != 200 {
		t.Errorf("new access token: %d %s", a.status, a.body)
	}

	// Narrowing the scope on refresh; widening is refused.
	narrow := h.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}, "scope": {"ads:read"}}, appCreds)
	var third tokenAnswer
	narrow.json(t, &third)
	if narrow.status != 200 || third.Scope != "ads:read" {
		t.Fatalf("narrowed refresh: %d %s", narrow.status, narrow.body)
	}
	if a := h.get(third.AccessToken, "/v5/businesses/employers"); a.status != 401 {
		t.Errorf("narrowed token still reads businesses: %d", a.status)
	}
	wide := h.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {third.RefreshToken}, "scope": {"ads:read,ads:write"}}, appCreds)
	if wide.status != 400 {
		t.Errorf("widened refresh: %d %s", wide.status, wide.body)
	}

	// Access tokens expire; refresh tokens outlive them.
	h.clock.Advance(31 * 24 * time.Hour)
	if a := h.get(third.AccessToken, "/v5/ad_accounts"); a.status != 401 {
		t.Errorf("expired access token: %d", a.status)
	} else if code, _ := a.apiErr(t); code != 2 {
		t.Errorf("expired access token: code %d, want 2", code)
	}
	fourth, a := h.refresh(t, third.RefreshToken)
	if a.status != 200 {
		t.Fatalf("refresh after access expiry: %d %s", a.status, a.body)
	}

	// Revocation.
	rv := h.do(http.MethodPost, "/v5/oauth/token/revoke", "", url.Values{"token": {fourth.AccessToken}, "token_type_hint": {"access_token"}}, appCreds)
	if rv.status != 200 {
		t.Fatalf("revoke: %d %s", rv.status, rv.body)
	}
	if a := h.get(fourth.AccessToken, "/v5/ad_accounts"); a.status != 401 {
		t.Errorf("revoked token: %d", a.status)
	}
	if _, a := h.refresh(t, fourth.RefreshToken); a.status != 400 {
		t.Errorf("refresh token of a revoked grant: %d", a.status)
	}
	if rv := h.do(http.MethodPost, "/v5/oauth/token/revoke", "", url.Values{"token": {"pina_unknown"}}, appCreds); rv.status != 200 {
		t.Errorf("revoking an unknown token: %d", rv.status)
	}
	if rv := h.do(http.MethodPost, "/v5/oauth/token/revoke", "", url.Values{"token": {fourth.AccessToken}}, [2]string{DefaultAppID, "bad"}); rv.status != 401 {
		t.Errorf("revoking with a wrong secret: %d", rv.status)
	}
	if h.v.Seen()["token/revoke"] == 0 {
		t.Error("revocation was not checked against the description")
	}
}

func TestRefreshTokensExpire(t *testing.T) {
	h := newHarness(t, nil, nil)
	_, refresh, err := h.sb.IssueToken(AdminUsername, []string{"ads:read"})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(61 * 24 * time.Hour)
	if _, a := h.refresh(t, refresh); a.status != 400 {
		t.Errorf("refresh token after 61 days: %d", a.status)
	}
	_, refresh, _ = h.sb.IssueToken(AdminUsername, []string{"ads:read"})
	h.sb.ExpireRefreshTokens()
	if _, a := h.refresh(t, refresh); a.status != 400 {
		t.Errorf("refresh token after ExpireRefreshTokens: %d", a.status)
	}
}

func TestClientCredentials(t *testing.T) {
	h := newHarness(t, nil, nil)
	a := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "scope": {"user_accounts:read,biz_access:read"}}, appCreds)
	if a.status != 200 {
		t.Fatalf("client credentials: %d %s", a.status, a.body)
	}
	var tk map[string]any
	json.Unmarshal(a.body, &tk)
	if _, ok := tk["refresh_token"]; ok || tk["response_type"] != "client_credentials" {
		t.Errorf("answer %v", tk)
	}
	access := tk["access_token"].(string)
	if a := h.get(access, "/v5/user_account"); a.status != 200 || !strings.Contains(string(a.body), AdminUsername) {
		t.Errorf("user_account with an app token: %d %s", a.status, a.body)
	}
	if a := h.get(access, "/v5/businesses/"+DefaultBusinessID+"/members"); a.status != 401 {
		t.Errorf("members with an app token: %d, want 401", a.status)
	} else if code, _ := a.apiErr(t); code != 3 {
		t.Errorf("code %d, want 3", code)
	}
}

func TestConsentPageEscapesDatasetText(t *testing.T) {
	d, _ := Generate("small", 1)
	d.Apps[0].Name = `<script>alert("app")</script>`
	d.Business.Name = `Acme <img src=x onerror=alert(1)>`
	h := newHarness(t, d, nil)
	a := h.get("", "/oauth/?"+authorizeQuery(callback, "ads:read", `"><script>alert(2)</script>`))
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	body := string(a.body)
	for _, raw := range []string{`<script>alert("app")`, `<img src=x`, `"><script>alert(2)`} {
		if strings.Contains(body, raw) {
			t.Errorf("page contains unescaped %s", raw)
		}
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if v, _ := doc.Find(`input[name="state"]`).Attr("value"); v != `"><script>alert(2)</script>` {
		t.Errorf("state not carried intact: %q", v)
	}
}

func TestUnusableTokensAreForgotten(t *testing.T) {
	h := newHarness(t, nil, nil)
	keep, _, _ := h.sb.IssueToken(AdminUsername, []string{"user_accounts:read"})
	for i := 0; i < 3000; i++ {
		a, _, _ := h.sb.IssueToken(EmployeeUsername, []string{"ads:read"})
		h.sb.Revoke(a)
	}
	h.sb.mu.Lock()
	n, fams := len(h.sb.tokens), len(h.sb.families)
	h.sb.mu.Unlock()
	if n > 2*1024+2 || fams > 1024+1 {
		t.Errorf("%d tokens and %d families kept after 3000 revoked grants", n, fams)
	}
	if a := h.get(keep, "/v5/user_account"); a.status != 200 {
		t.Errorf("a live token was forgotten: %d", a.status)
	}
}

func TestOAuthWithoutTrailingSlashAndTheIndex(t *testing.T) {
	h := newHarness(t, nil, nil)
	a := h.get("", "/oauth?client_id=1000001&scope=ads:read")
	if a.status != http.StatusMovedPermanently || a.header.Get("Location") != "oauth/?client_id=1000001&scope=ads:read" {
		t.Errorf("GET /oauth: %d %q", a.status, a.header.Get("Location"))
	}
	if a := h.get("", "/"); a.status != 200 || !strings.Contains(string(a.body), DefaultBusinessID) {
		t.Errorf("index: %d %s", a.status, a.body)
	}
}
