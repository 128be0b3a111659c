package pinterest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Endpoint holds the three URLs of a Pinterest deployment.
type Endpoint struct {
	AuthURL  string // the browser's consent page
	TokenURL string // code exchange and refresh
	APIURL   string // base of the API, ending in /v5
}

// Production is Pinterest itself.
var Production = Endpoint{
	AuthURL:  "https://www.pinterest.com/oauth/",
	TokenURL: "https://api.pinterest.com/v5/oauth/token",
	APIURL:   "https://api.pinterest.com/v5",
}

// SandboxEndpoint returns the endpoint of a pinaccess sandbox mounted at
// base (such as "http://127.0.0.1:8080/sandbox").
func SandboxEndpoint(base string) Endpoint {
	base = strings.TrimRight(base, "/")
	return Endpoint{
		AuthURL:  base + "/oauth/",
		TokenURL: base + "/v5/oauth/token",
		APIURL:   base + "/v5",
	}
}

// APIEndpoint is the endpoint of an API base ending in /v5 (Pinterest's or a
// sandbox's), with the token URL beneath it; it has no consent page, so it
// serves integrations connected with an existing token.
func APIEndpoint(api string) Endpoint {
	api = strings.TrimRight(api, "/")
	return Endpoint{APIURL: api, TokenURL: api + "/oauth/token"}
}

// Config is a Pinterest app's OAuth2 configuration.
type Config struct {
	Endpoint     Endpoint
	ClientID     string // the app ID
	ClientSecret string // the app secret
	RedirectURL  string // as registered with the app
	Scopes       []string

	// HTTPClient sends the token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock token expiries are computed with; nil means
	// time.Now.
	Now func() time.Time
	// Logger receives one line per token request (never a token or a
	// secret); nil means no logging.
	Logger *slog.Logger
}

// OAuth2 returns the golang.org/x/oauth2 configuration: client
// authentication in the Authorization header, as Pinterest requires.
// Its Scopes are empty because x/oauth2 joins scopes with spaces and
// Pinterest wants commas; AuthCodeURL adds them.
func (c *Config) OAuth2() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.Endpoint.AuthURL,
			TokenURL:  c.Endpoint.TokenURL,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// AuthCodeURL returns the consent page URL to send the admin's browser to,
// with the scopes joined by commas and state to check on the callback.
func (c *Config) AuthCodeURL(state string, opts ...oauth2.AuthCodeOption) string {
	opts = append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("scope", strings.Join(c.Scopes, ","))}, opts...)
	return c.OAuth2().AuthCodeURL(state, opts...)
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Config) ctx(ctx context.Context) context.Context {
	if c.HTTPClient != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, c.HTTPClient)
	}
	return ctx
}

func (c *Config) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return discard
}

// Exchange trades the code from the consent callback for a token. It is
// tried once: a code is good for one exchange only. It asks for continuous
// refresh (continuous_refresh=true), which apps created before 2025-09-25
// need and newer apps get anyway. The token keeps Pinterest's extra fields
// (scope, refresh_token_expires_in, ...); see TokenScopes and
// RefreshExpiry.
func (c *Config) Exchange(ctx context.Context, code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	start := time.Now()
	opts = append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("continuous_refresh", "true")}, opts...)
	tok, err := c.OAuth2().Exchange(c.ctx(ctx), code, opts...)
	if err != nil {
		err = tokenError(ctx, err)
		c.log().LogAttrs(ctx, slog.LevelWarn, "pinterest token exchange failed", slog.String("error", err.Error()))
		return nil, err
	}
	c.fixExpiry(tok)
	c.log().LogAttrs(ctx, slog.LevelDebug, "pinterest token exchange", slog.Duration("took", time.Since(start)))
	return tok, nil
}

// fixExpiry recomputes the expiry on the configured clock (x/oauth2 uses
// the wall clock).
func (c *Config) fixExpiry(tok *oauth2.Token) {
	if tok.ExpiresIn > 0 {
		tok.Expiry = c.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
}

// tokenError turns a failed token request into an error that carries no
// token or response body: an *APIError (with Reconnect set when Pinterest
// refused the grant) or a transient error to retry.
func tokenError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("pinterest: oauth/token: %w", ctx.Err())
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		e := &APIError{Operation: opToken.id, Status: re.Response.StatusCode, RequestID: re.Response.Header.Get("x-pinterest-rid")}
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			e.Code, e.Message = body.Code, scrub(body.Message)
		}
		if e.Message == "" && re.ErrorCode != "" {
			e.Message = scrub(re.ErrorCode)
		}
		switch {
		case e.Status == http.StatusTooManyRequests || e.Status >= 500:
			return transient{e}
		case e.Status >= 400 || re.ErrorCode == "invalid_grant":
			e.Reconnect = true
		}
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is not secret, but keep errors short
	}
	return transient{fmt.Errorf("pinterest: oauth/token: %w", err)}
}

// transient marks an error worth retrying.
type transient struct{ err error }

func (t transient) Error() string { return t.err.Error() }
func (t transient) Unwrap() error { return t.err }

// Revoke asks Pinterest to revoke a token (Pinterest only revokes
// system-user tokens; others get a 403 *APIError). hint is "access_token",
// "refresh_token" or empty.
func (c *Config) Revoke(ctx context.Context, token, hint string) error {
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.Endpoint.TokenURL, "/")+"/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("pinterest: token/revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("pinterest: token/revoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("pinterest: token/revoke: read answer: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		c.log().LogAttrs(ctx, slog.LevelInfo, "pinterest token revoked")
		return nil
	}
	return newAPIError(opRevoke, resp, body)
}

// TokenScopes returns the scopes Pinterest granted with tok (its "scope"
// field, comma- or space-separated), or nil if it did not say.
func TokenScopes(tok *oauth2.Token) []string {
	s, _ := tok.Extra("scope").(string)
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// RefreshExpiry returns when tok's refresh token expires, from Pinterest's
// refresh_token_expires_at (Unix seconds), or the zero time if unknown.
func RefreshExpiry(tok *oauth2.Token) time.Time {
	if f, ok := tok.Extra("refresh_token_expires_at").(float64); ok && f > 0 {
		return time.Unix(int64(f), 0)
	}
	return time.Time{}
}

// TokenSource gives the client access tokens.
type TokenSource interface {
	// Token returns a token that is valid now.
	Token(ctx context.Context) (*oauth2.Token, error)
	// Refresh returns a token newer than stale, renewing it if no one has
	// yet; an error matching ErrReconnect means it cannot.
	Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error)
}

// SaveFunc stores a token the source obtained, refresh token included
// (Pinterest rotates it on every refresh, so the old one stops working).
type SaveFunc func(ctx context.Context, tok *oauth2.Token) error

// Tokens is a TokenSource that renews the access token with the refresh
// token shortly before it expires (or when Pinterest refuses it) and hands
// every new token to a SaveFunc. It is safe for concurrent use; concurrent
// callers share one refresh.
type Tokens struct {
	cfg   *Config
	save  SaveFunc
	early time.Duration

	mu         sync.Mutex
	tok        *oauth2.Token
	retryAfter time.Time // no early renewal before then
	refreshes  atomic.Int64
}

// DefaultRefreshMargin is how long before its expiry a token is renewed.
const DefaultRefreshMargin = 5 * time.Minute

// TokenSource returns a source that starts from tok and saves each renewed
// token with save (which may be nil).
func (c *Config) TokenSource(tok *oauth2.Token, save SaveFunc) *Tokens {
	return &Tokens{cfg: c, save: save, tok: tok, early: DefaultRefreshMargin}
}

// SetRefreshMargin changes how long before expiry the token is renewed.
func (t *Tokens) SetRefreshMargin(d time.Duration) { t.early = d }

// Refreshes returns how many times the token was renewed.
func (t *Tokens) Refreshes() int { return int(t.refreshes.Load()) }

// Token returns the current token, renewed first if it expires within the
// refresh margin.
func (t *Tokens) Token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil {
		return nil, fmt.Errorf("%w: no token stored", ErrReconnect)
	}
	now := t.cfg.now()
	if t.tok.Expiry.IsZero() || now.Add(t.early).Before(t.tok.Expiry) {
		return t.tok, nil
	}
	stillValid := now.Before(t.tok.Expiry)
	if stillValid && now.Before(t.retryAfter) {
		return t.tok, nil // a renewal failed a moment ago; no need to insist yet
	}
	next, err := t.refreshLocked(ctx)
	if err != nil && stillValid && ctx.Err() == nil {
		// The token works for a few more minutes: use it, and try to renew
		// again in a while rather than on every call.
		t.retryAfter = now.Add(renewRetry)
		return t.tok, nil
	}
	return next, err
}

// renewRetry is how long a still-valid token is used after its early
// renewal failed, before the renewal is tried again.
const renewRetry = 30 * time.Second

// Refresh renews the token unless it already changed since stale was
// handed out.
func (t *Tokens) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && stale != nil && t.tok.AccessToken != stale.AccessToken {
		return t.tok, nil
	}
	return t.refreshLocked(ctx)
}

func (t *Tokens) refreshLocked(ctx context.Context) (*oauth2.Token, error) {
	if t.tok == nil || t.tok.RefreshToken == "" {
		return nil, fmt.Errorf("%w: the token cannot be renewed (no refresh token)", ErrReconnect)
	}
	log := t.cfg.log()
	start := time.Now()
	// A token with only a refresh token makes x/oauth2 refresh at once.
	next, err := t.cfg.OAuth2().TokenSource(t.cfg.ctx(ctx), &oauth2.Token{RefreshToken: t.tok.RefreshToken}).Token()
	t.refreshes.Add(1)
	if err != nil {
		err = tokenError(ctx, err)
		log.LogAttrs(ctx, slog.LevelWarn, "pinterest token refresh failed", slog.String("error", err.Error()),
			slog.Bool("reconnect", errors.Is(err, ErrReconnect)))
		return nil, err
	}
	t.cfg.fixExpiry(next)
	t.tok = next
	log.LogAttrs(ctx, slog.LevelInfo, "pinterest token refreshed",
		slog.Time("expires", next.Expiry), slog.Duration("took", time.Since(start)))
	if t.save != nil {
		if err := t.save(ctx, next); err != nil {
			// The new token works for this process, but the stored one
			// was just invalidated by rotation: say so loudly.
			log.LogAttrs(ctx, slog.LevelError, "pinterest renewed token could not be stored", slog.String("error", err.Error()))
			return nil, fmt.Errorf("pinterest: store renewed token: %w", err)
		}
	}
	return next, nil
}

// StaticToken is a TokenSource for a token that cannot be renewed (for
// example an access token given on the command line); when Pinterest
// refuses it, the client reports ErrReconnect.
func StaticToken(tok *oauth2.Token) TokenSource { return staticToken{tok} }

type staticToken struct{ tok *oauth2.Token }

func (s staticToken) Token(context.Context) (*oauth2.Token, error) { return s.tok, nil }
func (s staticToken) Refresh(context.Context, *oauth2.Token) (*oauth2.Token, error) {
	return nil, fmt.Errorf("%w: Pinterest refused the access token and it cannot be renewed", ErrReconnect)
}

// NewClient returns a client for the config's API whose tokens start from
// tok and renew with save. Empty fields of opts take the config's: the
// endpoint's APIURL, HTTPClient, Logger and Now.
func (c *Config) NewClient(tok *oauth2.Token, save SaveFunc, opts Options) (*Client, error) {
	if opts.APIURL == "" {
		opts.APIURL = c.Endpoint.APIURL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = c.HTTPClient
	}
	if opts.Logger == nil {
		opts.Logger = c.Logger
	}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	return New(c.TokenSource(tok, save), opts)
}
