package integration

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

func TestParseBusinessID(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"482344901002451200", "482344901002451200", true},
		{"  482344901002451200 \t", "482344901002451200", true},
		{"1", "1", true},
		{"12345678901234567890", "12345678901234567890", true},
		{"123456789012345678901", "", false},
		{"", "", false},
		{"   ", "", false},
		{"48234490100245120a", "", false},
		{"4823 4490", "", false},
		{"-482344", "", false},
		{"４８２", "", false}, // full-width digits
	} {
		got, msg := ParseBusinessID(tc.in)
		if got != tc.want || (msg == "") != tc.ok {
			t.Errorf("ParseBusinessID(%q) = %q, %q; want %q ok=%v", tc.in, got, msg, tc.want, tc.ok)
		}
	}
}

func TestSetupNormalizeNamesEachBadField(t *testing.T) {
	good := Setup{Name: " Acme ", Environment: "sandbox", ServiceAccount: "@Sandbox-Admin", AppID: " 1000001 ", AppSecret: " s3cret "}
	if fe := good.Normalize(true, true); fe != nil {
		t.Fatalf("good setup refused: %v", fe)
	}
	if good.Name != "Acme" || good.ServiceAccount != "Sandbox-Admin" || good.AppID != "1000001" || good.AppSecret != "s3cret" {
		t.Fatalf("not trimmed: %+v", good)
	}
	for _, tc := range []struct {
		name   string
		change func(*Setup)
		field  string
	}{
		{"empty name", func(s *Setup) { s.Name = "  " }, "name"},
		{"unknown environment", func(s *Setup) { s.Environment = "prod" }, "environment"},
		{"sandbox off", func(s *Setup) {}, ""},
		{"account with spaces", func(s *Setup) { s.ServiceAccount = "john smith" }, "service_account"},
		{"bad email", func(s *Setup) { s.ServiceAccount = "a@b" }, "service_account"},
		{"letters in app id", func(s *Setup) { s.AppID = "12a" }, "app_id"},
		{"missing secret", func(s *Setup) { s.AppSecret = "" }, "app_secret"},
		{"secret with a space", func(s *Setup) { s.AppSecret = "ab cd" }, "app_secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Setup{Name: "Acme", Environment: "sandbox", ServiceAccount: "svc@example.com", AppID: "1", AppSecret: "x"}
			tc.change(&s)
			fe := s.Normalize(true, tc.field != "")
			if tc.field == "" {
				if fe["environment"] == "" || len(fe) != 1 {
					t.Fatalf("sandbox off: %v", fe)
				}
				return
			}
			if fe[tc.field] == "" || len(fe) != 1 {
				t.Fatalf("errors = %v, want only %s", fe, tc.field)
			}
		})
	}
	keep := Setup{Name: "Acme", Environment: "pinterest", ServiceAccount: "svc", AppID: "1"}
	if fe := keep.Normalize(false, false); fe != nil {
		t.Fatalf("keeping the saved secret refused: %v", fe)
	}
}

// env is a store and a sandbox to connect to.
type env struct {
	svc  *Service
	sb   *sandbox.Sandbox
	logs *bytes.Buffer
	db   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	sb, err := sandbox.New(sandbox.Options{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = sb
	hs.Start()
	t.Cleanup(hs.Close)
	db := filepath.Join(t.TempDir(), "p.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secret.New(secret.NewKey())
	logs := &bytes.Buffer{}
	svc := &Service{Store: st, Box: box, Envs: Environments{SandboxURL: base}, BaseURL: "http://127.0.0.1:1",
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	return &env{svc: svc, sb: sb, logs: logs, db: db}
}

func (e *env) draft(t *testing.T, account, secret, business string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := e.svc.Create(ctx, Setup{Name: "Northwind", Environment: EnvSandbox, ServiceAccount: account,
		AppID: sandbox.DefaultAppID, AppSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetBusiness(ctx, id, business); err != nil {
		t.Fatal(err)
	}
	return id
}

// consent answers the sandbox's consent page as user and returns the code.
func (e *env) consent(t *testing.T, id int64, user string) string {
	t.Helper()
	auth, err := e.svc.AuthURL(context.Background(), id, "st4te")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(auth)
	form := u.Query()
	form.Set("user", user)
	form.Set("decision", "allow")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(strings.Split(auth, "?")[0], form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st4te" {
		t.Fatalf("consent answered %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.HasPrefix(loc.String(), e.svc.RedirectURI()) {
		t.Fatalf("consent went back to %s, not the redirect URI", loc)
	}
	return loc.Query().Get("code")
}

func TestCompleteConnectsOnlyTheServiceAccountAsBusinessAdmin(t *testing.T) {
	for _, tc := range []struct {
		name, account, secret, business, consentAs string
		reason                                     Reason
	}{
		{"admin", "sandbox-admin", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-admin", ""},
		{"admin by email, other case", "SANDBOX-ADMIN@northwind-outfitters.com", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-admin", ""},
		{"employee", "sandbox-employee", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-employee", ReasonNotAdmin},
		{"outsider", "sandbox-outsider", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-outsider", ReasonNotMember},
		{"another business", "sandbox-admin", "sandbox-secret", "123456789", "sandbox-admin", ReasonNotMember},
		{"someone else consented", "sandbox-admin", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-employee", ReasonWrongAccount},
		{"email of someone else", "boss@example.com", "sandbox-secret", sandbox.DefaultBusinessID, "sandbox-admin", ReasonWrongAccount},
		{"wrong app secret", "sandbox-admin", "not-the-secret", sandbox.DefaultBusinessID, "sandbox-admin", ReasonAppSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			id := e.draft(t, tc.account, tc.secret, tc.business)
			code := e.consent(t, id, tc.consentAs)
			err := e.svc.Complete(ctx, id, code, 0)
			in, gerr := e.svc.Store.Integration(ctx, id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Complete: %v", err)
				}
				if in.Status != store.IntegrationConnected || !in.HasToken {
					t.Fatalf("not connected: %+v", in)
				}
				// The stored token works and is sealed under its label.
				tgt, _ := e.svc.Store.SyncTarget(ctx, id)
				tok, err := e.svc.open(id, "access_token", tgt.AccessTokenSealed)
				if err != nil || !strings.HasPrefix(tok, "pina_") {
					t.Fatalf("stored token %q, %v", tok, err)
				}
				// The code was good for one exchange only.
				if err := e.svc.Complete(ctx, id, code, 0); ReasonOf(err) != ReasonCode {
					t.Fatalf("replayed code: %v", err)
				}
				return
			}
			if got := ReasonOf(err); got != tc.reason {
				t.Fatalf("reason = %q (%v), want %q", got, err, tc.reason)
			}
			var ce *ConnectError
			errors.As(err, &ce)
			if len(ce.Message) < 30 {
				t.Errorf("message too thin: %q", ce.Message)
			}
			if in.Status != store.IntegrationDraft || in.HasToken {
				t.Fatalf("refused connection left %+v", in)
			}
		})
	}
}

func TestDisconnectRevokesTheTokenAndForgetsIt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.draft(t, "sandbox-admin", sandbox.DefaultAppSecret, sandbox.DefaultBusinessID)
	if err := e.svc.Complete(ctx, id, e.consent(t, id, "sandbox-admin"), 0); err != nil {
		t.Fatal(err)
	}
	tgt, _ := e.svc.Store.SyncTarget(ctx, id)
	tok, _ := e.svc.open(id, "access_token", tgt.AccessTokenSealed)
	if err := e.svc.Disconnect(ctx, id); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	in, _ := e.svc.Store.Integration(ctx, id)
	if in.Status != store.IntegrationDisconnected || in.HasToken {
		t.Fatalf("after disconnect: %+v", in)
	}
	ep, _ := e.svc.Envs.Endpoint(EnvSandbox)
	req, _ := http.NewRequest("GET", ep.APIURL+"/user_account", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token still answers %d", res.StatusCode)
	}
}

func TestAddWithTokenChecksTheAccountLikeTheWizard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ep, _ := e.svc.Envs.Endpoint(EnvSandbox)
	adminTok, _, err := e.sb.IssueToken("sandbox-admin", Scopes)
	if err != nil {
		t.Fatal(err)
	}
	empTok, _, _ := e.sb.IssueToken("sandbox-employee", Scopes)
	if _, _, err := e.svc.AddWithToken(ctx, TokenSetup{BusinessID: sandbox.DefaultBusinessID, APIURL: ep.APIURL, AccessToken: empTok}); ReasonOf(err) != ReasonNotAdmin {
		t.Fatalf("employee token: %v", err)
	}
	if _, _, err := e.svc.AddWithToken(ctx, TokenSetup{BusinessID: "12x", APIURL: ep.APIURL, AccessToken: adminTok}); err == nil {
		t.Fatal("bad business ID accepted")
	}
	id, user, err := e.svc.AddWithToken(ctx, TokenSetup{BusinessID: " " + sandbox.DefaultBusinessID + " ", APIURL: ep.APIURL, AccessToken: adminTok})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := e.svc.Store.Integration(ctx, id)
	if user != "sandbox-admin" || in.Status != store.IntegrationConnected || in.BusinessID != sandbox.DefaultBusinessID ||
		in.Environment != EnvSandbox || in.ServiceAccount != "sandbox-admin" {
		t.Fatalf("added %+v as %q", in, user)
	}
	all, _ := e.svc.Store.Integrations(ctx)
	if len(all) != 1 {
		t.Fatalf("refused adds left integrations behind: %d", len(all))
	}
	if strings.Contains(e.logs.String(), adminTok) {
		t.Fatal("a token was logged")
	}
}
