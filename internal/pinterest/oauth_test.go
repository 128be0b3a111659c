package pinterest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

func TestEndpoints(t *testing.T) {
	if p := pinterest.Production; p.AuthURL != "https://www.pinterest.com/oauth/" ||
		p.TokenURL != "https://api.pinterest.com/v5/oauth/token" || p.APIURL != "https://api.pinterest.com/v5" {
		t.Errorf("production = %+v", p)
	}
	s := pinterest.SandboxEndpoint("http://127.0.0.1:8080/sandbox/")
	if s.AuthURL != "http://127.0.0.1:8080/sandbox/oauth/" || s.TokenURL != "http://127.0.0.1:8080/sandbox/v5/oauth/token" ||
		s.APIURL != "http://127.0.0.1:8080/sandbox/v5" {
		t.Errorf("sandbox = %+v", s)
	}
}

func TestAuthCodeURLJoinsScopesWithCommas(t *testing.T) {
	cfg := &pinterest.Config{Endpoint: pinterest.Production, ClientID: "1234", RedirectURL: "https://dash.example/oauth/pinterest/callback",
		Scopes: pinterest.ImportScopes()}
	u, err := url.Parse(cfg.AuthCodeURL("st4te"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != "https://www.pinterest.com/oauth/" {
		t.Errorf("URL = %s", u)
	}
	want := map[string]string{"client_id": "1234", "redirect_uri": "https://dash.example/oauth/pinterest/callback",
		"response_type": "code", "state": "st4te", "scope": "biz_access:read,ads:read,user_accounts:read"}
	for k, v := range want {
		if got := q.Get(k); got != v || len(q[k]) != 1 {
			t.Errorf("%s = %q, want %q", k, q[k], v)
		}
	}
	if o := cfg.OAuth2(); o.Endpoint.AuthStyle != oauth2.AuthStyleInHeader {
		t.Errorf("auth style = %v", o.Endpoint.AuthStyle)
	}
}

func TestConsentExchangeAndRevokeAgainstTheSandbox(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ctx := context.Background()
	q := e.consent(e.cfg.AuthCodeURL("s-123"), sandbox.AdminUsername, "allow")
	if q.Get("state") != "s-123" || q.Get("code") == "" {
		t.Fatalf("callback = %v", q)
	}
	tok, err := e.cfg.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "pina") || !strings.HasPrefix(tok.RefreshToken, "pinr") {
		t.Errorf("token kinds: access %.4s…, refresh %.4s…", tok.AccessToken, tok.RefreshToken)
	}
	if got := pinterest.TokenScopes(tok); !slices.Equal(got, pinterest.ImportScopes()) {
		t.Errorf("scopes = %v", got)
	}
	if got, want := tok.Expiry, e.clk.Now().Add(30*24*time.Hour); !got.Equal(want) {
		t.Errorf("expiry = %s, want %s (on the configured clock)", got, want)
	}
	if got, want := pinterest.RefreshExpiry(tok), e.clk.Now().Add(60*24*time.Hour); !got.Equal(want) {
		t.Errorf("refresh expiry = %s, want %s", got, want)
	}

	c, err := e.cfg.NewClient(tok, e.save, pinterest.Options{Sleep: e.clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.UserAccount(ctx)
	if err != nil || a.Username != sandbox.AdminUsername {
		t.Fatalf("account %+v, %v", a, err)
	}
	emp, err := c.Employers(ctx, pinterest.PageOptions{}).All()
	if err != nil || len(emp) != 1 || emp[0].ID != sandbox.DefaultBusinessID || !emp[0].HasRole(pinterest.RoleBizAdmin) {
		t.Fatalf("employers %+v, %v", emp, err)
	}

	// Disconnecting revokes the token (and the sandbox, like Pinterest for
	// system users, everything of that authorization).
	if err := e.cfg.Revoke(ctx, tok.AccessToken, "access_token"); err != nil {
		t.Fatal(err)
	}
	_, err = c.UserAccount(ctx)
	if !errors.Is(err, pinterest.ErrReconnect) {
		t.Errorf("after revoking: %v, want ErrReconnect", err)
	}
	e.checkNoFailures()
}

func TestReplayedCodeIsRefused(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ctx := context.Background()
	code := e.consent(e.cfg.AuthCodeURL("s"), sandbox.AdminUsername, "allow").Get("code")
	tok, err := e.cfg.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cfg.Exchange(ctx, code)
	var ae *pinterest.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Operation != "oauth/token" {
		t.Fatalf("second exchange: %v", err)
	}
	if strings.Contains(err.Error(), code) {
		t.Error("the error repeats the code")
	}
	// Pinterest-style: a replayed code revokes what it was exchanged for.
	c, _ := e.client(tok, pinterest.Options{})
	if _, err := c.UserAccount(ctx); !errors.Is(err, pinterest.ErrReconnect) {
		t.Errorf("token of a replayed code: %v", err)
	}
}

func TestRevokeWithWrongSecretIsAnAPIError(t *testing.T) {
	e := newSandboxEnv(t, nil)
	cfg := *e.cfg
	cfg.ClientSecret = "wrong-secret-value"
	err := cfg.Revoke(context.Background(), e.issue(sandbox.AdminUsername).AccessToken, "")
	var ae *pinterest.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Operation != "token/revoke" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Error("the error holds the secret")
	}
}

func TestExpiredAccessTokenIsRefreshedOnceAndSaved(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ctx := context.Background()
	orig := e.issue(sandbox.AdminUsername)
	c, ts := e.client(orig, pinterest.Options{})
	if _, err := c.UserAccount(ctx); err != nil {
		t.Fatal(err)
	}
	e.sb.ExpireAccessTokens()
	if _, err := c.UserAccount(ctx); err != nil {
		t.Fatal(err)
	}
	saved := e.savedTokens()
	if len(saved) != 1 {
		t.Fatalf("%d tokens saved, want 1", len(saved))
	}
	if saved[0].AccessToken == orig.AccessToken || saved[0].RefreshToken == orig.RefreshToken || saved[0].RefreshToken == "" {
		t.Error("the saved token is not the renewed, rotated one")
	}
	st := c.Stats()
	if st.Refreshes != 1 || st.Retries != 1 || st.Calls["oauth/token"] != 1 || st.Calls["user_account/get"] != 3 {
		t.Errorf("stats = %+v", st)
	}
	// The rotated refresh token is the one used next time.
	e.sb.ExpireAccessTokens()
	if _, err := c.UserAccount(ctx); err != nil {
		t.Fatalf("second renewal: %v", err)
	}
	if n := len(e.savedTokens()); n != 2 || ts.Refreshes() != 2 {
		t.Errorf("%d saved, %d refreshes", n, ts.Refreshes())
	}
	e.checkNoFailures()
}

func TestConcurrentCallsShareOneRefresh(t *testing.T) {
	e := newSandboxEnv(t, nil)
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{})
	e.sb.ExpireAccessTokens()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.Members(context.Background(), sandbox.DefaultBusinessID, pinterest.MembersOptions{}).All()
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(e.savedTokens()); n != 1 {
		t.Errorf("%d refreshes for one expired token, want 1", n)
	}
	if n := e.sb.Stats().Calls["oauth/token"]; n != 1 {
		t.Errorf("sandbox answered %d token requests", n)
	}
}

func TestTokenNearExpiryIsRenewedBeforeUse(t *testing.T) {
	e := newSandboxEnv(t, nil)
	tok := e.issue(sandbox.AdminUsername)
	tok.Expiry = e.clk.Now().Add(2 * time.Minute) // within the 5-minute margin
	c, _ := e.client(tok, pinterest.Options{})
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.savedTokens()); n != 1 {
		t.Errorf("%d tokens saved, want 1", n)
	}
	sst := e.sb.Stats()
	if sst.Calls["user_account/get"] != 1 {
		t.Errorf("sandbox answered %d account requests: the renewal should come first", sst.Calls["user_account/get"])
	}
	if st := c.Stats(); st.Retries != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestRejectedRefreshAsksToReconnect(t *testing.T) {
	cases := map[string]func(*sandboxEnv){
		"refresh token expired": func(e *sandboxEnv) { e.sb.ExpireAccessTokens(); e.sb.ExpireRefreshTokens() },
		"access revoked":        func(e *sandboxEnv) { e.sb.RevokeAll() },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSandboxEnv(t, nil)
			tok := e.issue(sandbox.AdminUsername)
			c, _ := e.client(tok, pinterest.Options{})
			breakIt(e)
			_, err := c.Members(context.Background(), sandbox.DefaultBusinessID, pinterest.MembersOptions{}).All()
			if !errors.Is(err, pinterest.ErrReconnect) {
				t.Fatalf("err = %v, want ErrReconnect", err)
			}
			var ae *pinterest.APIError
			if !errors.As(err, &ae) || ae.Operation != "oauth/token" || ae.Status != 400 {
				t.Errorf("err = %#v", err)
			}
			if !strings.Contains(err.Error(), "reconnect needed") {
				t.Errorf("message %q does not say what to do", err)
			}
			if n := len(e.savedTokens()); n != 0 {
				t.Errorf("%d tokens saved after a failed refresh", n)
			}
			if st := c.Stats(); st.Calls["get/business_members"] != 1 {
				t.Errorf("stats = %+v: a rejected refresh must not be retried", st)
			}
			e.checkNoFailures()
		})
	}
}

func TestTokenThatCannotBeRenewedAsksToReconnect(t *testing.T) {
	e := newSandboxEnv(t, nil)
	tok := e.issue(sandbox.AdminUsername)
	for name, ts := range map[string]pinterest.TokenSource{
		"static token":     pinterest.StaticToken(&oauth2.Token{AccessToken: tok.AccessToken}),
		"no refresh token": e.cfg.TokenSource(&oauth2.Token{AccessToken: tok.AccessToken}, nil),
	} {
		c, err := pinterest.New(ts, pinterest.Options{APIURL: e.cfg.Endpoint.APIURL, HTTPClient: e.hc, Now: e.clk.Now, Sleep: e.clk.Sleep})
		if err != nil {
			t.Fatal(err)
		}
		e.sb.ExpireAccessTokens()
		if _, err := c.UserAccount(context.Background()); !errors.Is(err, pinterest.ErrReconnect) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestFailingSaveIsReported(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ts := e.cfg.TokenSource(e.issue(sandbox.AdminUsername), func(context.Context, *oauth2.Token) error {
		return errors.New("disk full")
	})
	c, err := pinterest.New(ts, pinterest.Options{APIURL: e.cfg.Endpoint.APIURL, HTTPClient: e.hc, Now: e.clk.Now, Sleep: e.clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	e.sb.ExpireAccessTokens()
	_, err = c.UserAccount(context.Background())
	if err == nil || !strings.Contains(err.Error(), "store renewed token: disk full") {
		t.Fatalf("err = %v", err)
	}
}

func TestTokenRequestsAuthenticateInTheHeader(t *testing.T) {
	var forms []url.Values
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "1234" || secret != "s3cret" {
			t.Errorf("basic auth = %q %q %v", id, secret, ok)
		}
		r.ParseForm()
		forms = append(forms, r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"pina_new","token_type":"bearer","expires_in":2592000,"scope":"ads:read,biz_access:read",
			"refresh_token":"pinr_new","refresh_token_expires_in":5184000,"refresh_token_expires_at":1790000000,"response_type":"authorization_code"}`)
	})
	clk := newFakeClock()
	cfg := &pinterest.Config{Endpoint: pinterest.SandboxEndpoint(srv.URL), ClientID: "1234", ClientSecret: "s3cret",
		RedirectURL: "http://localhost/cb", HTTPClient: srv.Client(), Now: clk.Now}
	tok, err := cfg.Exchange(context.Background(), "c0de")
	if err != nil {
		t.Fatal(err)
	}
	if got := pinterest.TokenScopes(tok); !slices.Equal(got, []string{"ads:read", "biz_access:read"}) {
		t.Errorf("scopes = %v", got)
	}
	if got := pinterest.RefreshExpiry(tok); got.Unix() != 1790000000 {
		t.Errorf("refresh expiry = %v", got)
	}
	ts := cfg.TokenSource(&oauth2.Token{AccessToken: "pina_old", RefreshToken: "pinr_old", Expiry: clk.Now().Add(time.Minute)}, nil)
	if tok, err = ts.Token(context.Background()); err != nil || tok.AccessToken != "pina_new" {
		t.Fatalf("token %v, %v", tok, err)
	}
	want := []string{
		"code=c0de&continuous_refresh=true&grant_type=authorization_code&redirect_uri=http%3A%2F%2Flocalhost%2Fcb",
		"grant_type=refresh_token&refresh_token=pinr_old",
	}
	for i, f := range forms {
		if f.Encode() != want[i] {
			t.Errorf("request %d form = %s, want %s", i, f.Encode(), want[i])
		}
	}
}

func TestFailedEarlyRenewalKeepsUsingTheValidToken(t *testing.T) {
	e := newSandboxEnv(t, nil)
	tok := e.issue(sandbox.AdminUsername)
	tok.Expiry = e.clk.Now().Add(2 * time.Minute) // within the renewal margin
	c, ts := e.client(tok, pinterest.Options{})
	e.sb.ExpireRefreshTokens() // the renewal will be refused
	for range 3 {
		if _, err := c.UserAccount(context.Background()); err != nil {
			t.Fatalf("a still-valid token was not used: %v", err)
		}
	}
	if n := ts.Refreshes(); n != 1 {
		t.Errorf("%d renewals tried within 30s, want 1", n)
	}
	e.clk.Advance(31 * time.Second)
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := ts.Refreshes(); n != 2 {
		t.Errorf("%d renewals after 31s, want 2", n)
	}
	// Once the token has expired, the refused renewal is the answer.
	e.clk.Advance(2 * time.Minute)
	if _, err := c.UserAccount(context.Background()); !errors.Is(err, pinterest.ErrReconnect) {
		t.Errorf("after expiry: %v", err)
	}
}
