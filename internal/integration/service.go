package integration

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// Scopes are what pinaccess asks Pinterest for: business access (members,
// partners, assets, invites), ads (pixels) and the user account (to check
// who consented).
var Scopes = []string{"biz_access:read", "ads:read", "user_accounts:read"}

// CallbackPath is where Pinterest sends the admin back after consent.
const CallbackPath = "/oauth/pinterest/callback"

// Environments knows where each environment's Pinterest is.
type Environments struct {
	// SandboxURL is the sandbox's base URL (such as
	// http://127.0.0.1:8080/sandbox); "" when the sandbox is off.
	SandboxURL string
	// HTTPClient sends token and API requests; nil means a client with a
	// 30-second timeout.
	HTTPClient *http.Client
}

// Endpoint returns the URLs of an environment; it has the signature of
// importer.StoreConnector's Endpoint.
func (e Environments) Endpoint(env string) (pinterest.Endpoint, error) {
	switch env {
	case EnvPinterest:
		return pinterest.Production, nil
	case EnvSandbox:
		if e.SandboxURL == "" {
			return pinterest.Endpoint{}, errors.New("the sandbox is turned off on this server (--sandbox=off)")
		}
		return pinterest.SandboxEndpoint(e.SandboxURL), nil
	}
	return pinterest.Endpoint{}, fmt.Errorf("unknown environment %q", env)
}

func (e Environments) client() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return defaultHTTP
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Service runs the wizard's steps and the connection on a store.
type Service struct {
	Store *store.Store
	Box   *secret.Box
	Envs  Environments
	// BaseURL is the dashboard's public URL; the OAuth redirect URI is
	// BaseURL + CallbackPath.
	BaseURL string
	Log     *slog.Logger
}

// RedirectURI is the redirect URI to register with the Pinterest app.
func (s *Service) RedirectURI() string { return strings.TrimRight(s.BaseURL, "/") + CallbackPath }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) seal(id int64, field, plain string) []byte {
	return s.Box.Seal([]byte(plain), store.SecretLabel(id, field))
}

func (s *Service) open(id int64, field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := s.Box.Open(sealed, store.SecretLabel(id, field))
	if err != nil {
		return "", fmt.Errorf("integration %d: the %s cannot be opened with this installation's secret key: %w", id, strings.ReplaceAll(field, "_", " "), err)
	}
	return string(b), nil
}

// Create validates the first step and saves a draft integration with its
// app secret sealed. Refused input comes back as FieldErrors.
func (s *Service) Create(ctx context.Context, in Setup) (int64, error) {
	if fe := in.Normalize(true, s.Envs.SandboxURL != ""); fe != nil {
		return 0, fe
	}
	return s.Store.CreateIntegration(ctx, fields(in), func(id int64) []byte { return s.seal(id, "app_secret", in.AppSecret) })
}

// Update validates and saves the first step of an unconnected integration;
// an empty app secret keeps the saved one.
func (s *Service) Update(ctx context.Context, id int64, in Setup) error {
	cur, err := s.Store.Integration(ctx, id)
	if err != nil {
		return err
	}
	if fe := in.Normalize(!cur.HasAppSecret, s.Envs.SandboxURL != ""); fe != nil {
		return fe
	}
	var sealed []byte
	if in.AppSecret != "" {
		sealed = s.seal(id, "app_secret", in.AppSecret)
	}
	return s.Store.UpdateIntegrationFields(ctx, id, fields(in), sealed)
}

func fields(in Setup) store.IntegrationFields {
	return store.IntegrationFields{Name: in.Name, Environment: in.Environment, ServiceAccount: in.ServiceAccount, AppID: in.AppID}
}

// SetBusiness validates and saves the Business Manager ID (second step).
func (s *Service) SetBusiness(ctx context.Context, id int64, raw string) error {
	v, msg := ParseBusinessID(raw)
	if msg != "" {
		return FieldErrors{"business_id": msg}
	}
	return s.Store.SetIntegrationBusiness(ctx, id, v)
}

// Step is a wizard step.
type Step int

// The wizard's steps, in order.
const (
	StepServiceAccount Step = iota + 1
	StepBusiness
	StepConnect
	StepDone
)

// FirstUnfinished is the step the wizard resumes at.
func FirstUnfinished(in store.Integration) Step {
	switch {
	case in.Name == "" || in.ServiceAccount == "" || in.AppID == "" || !in.HasAppSecret:
		return StepServiceAccount
	case in.BusinessID == "":
		return StepBusiness
	case in.Status != store.IntegrationConnected:
		return StepConnect
	}
	return StepDone
}

// config is the OAuth configuration of an integration's app.
func (s *Service) config(id int64, t store.SyncTarget) (*pinterest.Config, error) {
	ep, err := s.Envs.Endpoint(t.Environment)
	if err != nil {
		return nil, err
	}
	secret, err := s.open(id, "app_secret", t.AppSecretSealed)
	if err != nil {
		return nil, err
	}
	return &pinterest.Config{Endpoint: ep, ClientID: t.AppID, ClientSecret: secret, RedirectURL: s.RedirectURI(),
		Scopes: Scopes, HTTPClient: s.Envs.client(), Logger: s.Log}, nil
}

// AuthURL returns the consent page to send the admin to for integration
// id, carrying state. It refuses (ReasonSetup) when the earlier steps are
// not finished.
func (s *Service) AuthURL(ctx context.Context, id int64, state string) (string, error) {
	in, err := s.Store.Integration(ctx, id)
	if err != nil {
		return "", err
	}
	if FirstUnfinished(in) < StepConnect {
		return "", refuse(ReasonSetup, nil, "Finish the earlier steps first.")
	}
	t, err := s.Store.SyncTarget(ctx, id)
	if err != nil {
		return "", err
	}
	cfg, err := s.config(id, t)
	if err != nil {
		return "", err
	}
	return cfg.AuthCodeURL(state), nil
}

// Complete finishes a connection after consent: it exchanges the code,
// then checks the granted scopes, that the account that consented is the
// service account, and that it is a BIZ_ADMIN of the business. Only when
// every check passes are the (sealed) tokens stored and the integration
// marked connected by adminID; otherwise it is left as it was and the
// error is a *ConnectError.
func (s *Service) Complete(ctx context.Context, id int64, code string, adminID int64) error {
	in, err := s.Store.Integration(ctx, id)
	if err != nil {
		return err
	}
	if FirstUnfinished(in) < StepConnect {
		return refuse(ReasonSetup, nil, "Finish the earlier steps first.")
	}
	t, err := s.Store.SyncTarget(ctx, id)
	if err != nil {
		return err
	}
	cfg, err := s.config(id, t)
	if err != nil {
		return err
	}
	if code == "" || len(code) > 1024 {
		return refuse(ReasonConsent, nil, "Pinterest's answer had no authorization code. Press Connect to try again.")
	}
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return exchangeError(err)
	}
	granted := pinterest.TokenScopes(tok)
	if missing := missingScopes(granted); granted != nil && len(missing) > 0 {
		s.revoke(ctx, cfg, tok.AccessToken)
		return refuse(ReasonScopes, nil, "Pinterest did not grant every permission pinaccess needs (missing: %s). Press Connect and allow all of them.",
			strings.Join(missing, ", "))
	}
	client, err := s.apiClient(cfg.Endpoint, pinterest.StaticToken(tok), t.APITier)
	if err != nil {
		return err
	}
	if _, err := Verify(ctx, client, in.BusinessID, in.ServiceAccount); err != nil {
		s.revoke(ctx, cfg, tok.AccessToken)
		return err
	}
	c := store.Connection{
		AccessSealed:   s.seal(id, "access_token", tok.AccessToken),
		Expires:        tok.Expiry,
		RefreshExpires: pinterest.RefreshExpiry(tok),
		Scopes:         granted,
		AdminID:        adminID,
	}
	if tok.RefreshToken != "" {
		c.RefreshSealed = s.seal(id, "refresh_token", tok.RefreshToken)
	}
	if granted == nil {
		c.Scopes = Scopes
	}
	if err := s.Store.ConnectIntegration(ctx, id, c); err != nil {
		return err
	}
	s.log().Info("integration connected", "integration", id, "business", in.BusinessID, "environment", in.Environment)
	return nil
}

func (s *Service) apiClient(ep pinterest.Endpoint, ts pinterest.TokenSource, tier string) (*pinterest.Client, error) {
	opts := pinterest.Options{APIURL: ep.APIURL, HTTPClient: s.Envs.client(), Logger: s.Log,
		Retry: pinterest.RetryPolicy{MaxAttempts: 3}}
	if tier != "" {
		t, err := pinterest.ParseTier(tier)
		if err != nil {
			return nil, err
		}
		opts.Tier = t
	}
	return pinterest.New(ts, opts)
}

// revoke tries to revoke a token that failed the checks; Pinterest only
// revokes some tokens, so a failure is only logged.
func (s *Service) revoke(ctx context.Context, cfg *pinterest.Config, token string) {
	if err := cfg.Revoke(ctx, token, "access_token"); err != nil {
		s.log().Debug("revoke refused token", "err", err)
	}
}

func missingScopes(granted []string) []string {
	var missing []string
	for _, want := range Scopes {
		ok := false
		for _, g := range granted {
			ok = ok || g == want
		}
		if !ok {
			missing = append(missing, want)
		}
	}
	return missing
}

func exchangeError(err error) error {
	var ae *pinterest.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden:
			return refuse(ReasonAppSecret, err, "Pinterest refused the app ID or app secret. Check both on your app's page at developers.pinterest.com, save them in step 1, then connect again.")
		case ae.Status == http.StatusBadRequest:
			return refuse(ReasonCode, err, "Pinterest no longer accepts this authorization (it was used already or has expired). Press Connect to start again.")
		}
	}
	return refuse(ReasonPinterest, err, "pinaccess could not complete the connection with Pinterest. Try again in a moment.")
}

// Verify checks that the token behind client acts for the service account
// (a username, compared case-insensitively, or an email) and that this
// account is a BIZ_ADMIN of businessID. It returns the account.
func Verify(ctx context.Context, client *pinterest.Client, businessID, serviceAccount string) (*pinterest.Account, error) {
	acct, err := client.UserAccount(ctx)
	if err != nil {
		return nil, apiRefusal(err)
	}
	byEmail := strings.Contains(serviceAccount, "@")
	if !byEmail && serviceAccount != "" && !strings.EqualFold(acct.Username, serviceAccount) {
		return nil, refuse(ReasonWrongAccount, nil, "You gave access as %q, but the service account entered in step 1 is %q. Log out of Pinterest (or switch accounts), then connect again as %q — or change the service account in step 1.",
			acct.Username, serviceAccount, serviceAccount)
	}
	employers, err := client.Employers(ctx, pinterest.PageOptions{}).All()
	if err != nil {
		return nil, apiRefusal(err)
	}
	var binding *pinterest.UserBusinessRoleBinding
	for i := range employers {
		if employers[i].ID == businessID {
			binding = &employers[i]
		}
	}
	if binding == nil {
		if len(employers) == 0 {
			return nil, refuse(ReasonNotMember, nil, "The account %q is not a member of any Business Manager. Invite it to Business Manager %s with the Admin role, accept the invitation, then connect again.",
				acct.Username, businessID)
		}
		return nil, refuse(ReasonNotMember, nil, "The account %q is not a member of Business Manager %s. Check the ID in step 2, or invite the account with the Admin role, then connect again.",
			acct.Username, businessID)
	}
	admin := false
	for _, r := range binding.BusinessRoles {
		admin = admin || r == "BIZ_ADMIN"
	}
	if !admin {
		return nil, refuse(ReasonNotAdmin, nil, "The account %q is a member of Business Manager %s but not an admin, so Pinterest will not show it who has access. Give it the Admin role on Pinterest, then connect again.",
			acct.Username, businessID)
	}
	if byEmail {
		members, err := client.Members(ctx, businessID, pinterest.MembersOptions{MemberIDs: []string{acct.ID}}).All()
		if err != nil {
			return nil, apiRefusal(err)
		}
		email := ""
		for _, m := range members {
			if m.User != nil && m.User.ID == acct.ID {
				email = m.User.Email
			}
		}
		if !strings.EqualFold(email, serviceAccount) {
			return nil, refuse(ReasonWrongAccount, nil, "You gave access as %q, whose email is not %q (the service account entered in step 1). Connect again as the service account, or change it in step 1.",
				acct.Username, serviceAccount)
		}
	}
	return acct, nil
}

// apiRefusal explains an API error met while checking a new token.
func apiRefusal(err error) error {
	var ae *pinterest.APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
		return refuse(ReasonScopes, err, "Pinterest refused the token (%s). Connect again and allow every permission pinaccess asks for.", ae.Message)
	}
	return refuse(ReasonPinterest, err, "pinaccess could not check the account with Pinterest. Try again in a moment.")
}

// ConsentOrigin returns scheme://host of the environment's consent page,
// for the form-action policy of the page that posts to it.
func (s *Service) ConsentOrigin(env string) string {
	ep, err := s.Envs.Endpoint(env)
	if err != nil {
		return ""
	}
	u, err := url.Parse(ep.AuthURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
