package pinterest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"pinaccess/internal/openapi"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

// sandboxEnv is the sandbox mounted at /sandbox on a test server, sharing a
// virtual clock with the client, with every exchange the client makes
// checked against Pinterest's OpenAPI description.
type sandboxEnv struct {
	t    *testing.T
	sb   *sandbox.Sandbox
	ds   *sandbox.Dataset // what the sandbox serves
	srv  *httptest.Server
	base string
	clk  *fakeClock
	val  *openapi.Validator
	hc   *http.Client
	cfg  *pinterest.Config
	logs *logBuffer

	// arrivals receives a value for every request the server gets.
	arrivals chan struct{}

	mu    sync.Mutex
	saved []*oauth2.Token
}

func newSandboxEnv(t *testing.T, ds *sandbox.Dataset) *sandboxEnv {
	t.Helper()
	e := &sandboxEnv{t: t, clk: newFakeClock(), logs: &logBuffer{}, arrivals: make(chan struct{}, 10000)}
	var h http.Handler = http.NotFoundHandler()
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case e.arrivals <- struct{}{}:
		default:
		}
		h.ServeHTTP(w, r)
	}))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.base = e.srv.URL + "/sandbox"
	if ds == nil {
		var err error
		if ds, err = sandbox.Generate("small", 7); err != nil {
			t.Fatal(err)
		}
	}
	sb, err := sandbox.New(sandbox.Options{Dataset: ds, BaseURL: e.base, Clock: e.clk.Now, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.sb = sb
	h = sb
	e.ds = sb.Snapshot()
	e.val = openapi.NewValidator(t)
	e.hc = &http.Client{
		Transport: e.val.Transport(nil),
		// The consent page redirects to the app; tests read the Location.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.cfg = &pinterest.Config{
		Endpoint:     pinterest.SandboxEndpoint(e.base),
		ClientID:     sandbox.DefaultAppID,
		ClientSecret: sandbox.DefaultAppSecret,
		RedirectURL:  "http://127.0.0.1:9/oauth/pinterest/callback",
		Scopes:       pinterest.ImportScopes(),
		HTTPClient:   e.hc,
		Now:          e.clk.Now,
		Logger:       e.logs.Logger(),
	}
	return e
}

// issue returns a token for a sandbox account as the dashboard would store
// it after the consent.
func (e *sandboxEnv) issue(username string) *oauth2.Token {
	e.t.Helper()
	access, refresh, err := e.sb.IssueToken(username, pinterest.ImportScopes())
	if err != nil {
		e.t.Fatal(err)
	}
	return &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: e.clk.Now().Add(30 * 24 * time.Hour)}
}

func (e *sandboxEnv) save(_ context.Context, tok *oauth2.Token) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.saved = append(e.saved, tok)
	return nil
}

func (e *sandboxEnv) savedTokens() []*oauth2.Token {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*oauth2.Token(nil), e.saved...)
}

// client returns a client for tok whose renewed tokens are saved in e.
func (e *sandboxEnv) client(tok *oauth2.Token, opts pinterest.Options) (*pinterest.Client, *pinterest.Tokens) {
	e.t.Helper()
	ts := e.cfg.TokenSource(tok, e.save)
	opts.APIURL = e.cfg.Endpoint.APIURL
	opts.HTTPClient = e.hc
	if opts.Now == nil {
		opts.Now, opts.Sleep = e.clk.Now, e.clk.Sleep
	}
	if opts.Logger == nil {
		opts.Logger = e.logs.Logger()
	}
	c, err := pinterest.New(ts, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, ts
}

// consent drives the sandbox's consent page as the admin's browser would
// and returns the callback's query.
func (e *sandboxEnv) consent(authURL, user, decision string) url.Values {
	e.t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := e.hc.Get(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("consent page: %s", resp.Status)
	}
	form := u.Query()
	form.Set("user", user)
	form.Set("decision", decision)
	resp, err = e.hc.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 {
		e.t.Fatalf("consent decision: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	if !strings.HasPrefix(loc.String(), e.cfg.RedirectURL) {
		e.t.Fatalf("redirected to %s", loc)
	}
	return loc.Query()
}

// checkNoFailures fails the test if any exchange broke the description.
func (e *sandboxEnv) checkNoFailures() {
	e.t.Helper()
	for _, f := range e.val.Failures() {
		e.t.Errorf("openapi: %s", f)
	}
}
