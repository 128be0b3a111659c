package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pinaccess/internal/openapi"
)

// token is an access or refresh token the sandbox issued.
type token struct {
	value   string
	refresh bool
	client  bool // a client_credentials token
	appID   string
	userID  string
	scopes  []string
	expires time.Time
	family  string // tokens from one authorization share a family
	used    bool   // a refresh token already exchanged (rotated away)
}

// family groups the tokens of one authorization, so replaying its code or
// revoking one token can revoke them all.
type family struct {
	revoked bool
}

// authCode is an authorization code waiting to be exchanged.
type authCode struct {
	appID       string
	userID      string
	scopes      []string
	redirectURI string
	expires     time.Time
	used        bool
	family      string
}

func randomString(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// newFamily must be called with s.mu held.
func (s *Sandbox) newFamily() string {
	id := randomString("")
	s.families[id] = &family{}
	return id
}

// issue creates an access token and, unless client, a refresh token;
// s.mu must be held.
func (s *Sandbox) issue(appID, userID string, scopes []string, fam string, client bool) (access, refresh *token) {
	now := s.clock()
	s.issued++
	access = &token{value: randomString("pina_"), client: client, appID: appID, userID: userID, scopes: scopes,
		expires: now.Add(s.opts.AccessTokenTTL), family: fam}
	s.tokens[access.value] = access
	if client {
		return access, nil
	}
	refresh = &token{value: randomString("pinr_"), refresh: true, appID: appID, userID: userID, scopes: scopes,
		expires: now.Add(s.opts.RefreshTokenTTL), family: fam}
	s.tokens[refresh.value] = refresh
	return access, refresh
}

// IssueToken returns a fresh access and refresh token of the first app for
// the named user with the given scopes, as if the user had allowed the
// consent page: for tests and automation that skip the browser.
func (s *Sandbox) IssueToken(username string, scopes []string) (access, refresh string, err error) {
	s.dataMu.RLock()
	u := s.st.byUsername[username]
	var appID string
	if len(s.st.d.Apps) > 0 {
		appID = s.st.d.Apps[0].ID
	}
	s.dataMu.RUnlock()
	if u == nil {
		return "", "", fmt.Errorf("sandbox: no user %q", username)
	}
	if appID == "" {
		return "", "", fmt.Errorf("sandbox: the dataset has no app")
	}
	for _, sc := range scopes {
		if !knownScopes[sc] {
			return "", "", fmt.Errorf("sandbox: unknown scope %q", sc)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maybePrune()
	a, r := s.issue(appID, u.ID, slices.Clone(scopes), s.newFamily(), false)
	return a.value, r.value, nil
}

// ExpireAccessTokens makes every access token issued so far expired, as if
// its lifetime had passed; refresh tokens keep working.
func (s *Sandbox) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.clock().Add(-time.Second)
	for _, t := range s.tokens {
		if !t.refresh {
			t.expires = past
		}
	}
}

// ExpireRefreshTokens makes every refresh token issued so far expired.
func (s *Sandbox) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.clock().Add(-time.Second)
	for _, t := range s.tokens {
		if t.refresh {
			t.expires = past
		}
	}
}

// RevokeAll revokes every token issued so far, as a user removing the app's
// access would.
func (s *Sandbox) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.families {
		f.revoked = true
	}
}

// Revoke revokes one token and every token of the same authorization; it
// reports whether the token was known.
func (s *Sandbox) Revoke(value string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[value]
	if t == nil {
		return false
	}
	if f := s.families[t.family]; f != nil {
		f.revoked = true
	}
	return true
}

// valid reports whether t may be used now; s.mu must be held.
func (s *Sandbox) valid(t *token) bool {
	return t != nil && !t.used && s.families[t.family] != nil && !s.families[t.family].revoked && s.clock().Before(t.expires)
}

// authenticate checks the bearer token and the operation's scopes.
func (s *Sandbox) authenticate(r *http.Request, op openapi.Operation) (*token, *apiError) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return nil, errAuth
	}
	s.mu.Lock()
	t := s.tokens[strings.TrimSpace(h[len(prefix):])]
	ok := s.valid(t) && !t.refresh
	s.mu.Unlock()
	if !ok {
		return nil, errAuth
	}
	scheme := "pinterest_oauth2"
	if t.client {
		scheme = "client_credentials"
	}
	need, accepted := op.Scopes[scheme]
	if !accepted {
		return nil, &apiError{Status: http.StatusUnauthorized, Code: 3, Message: "Authorization failed: this operation does not accept " + strings.ReplaceAll(scheme, "_", " ") + " tokens."}
	}
	var missing []string
	for _, sc := range need {
		if !slices.Contains(t.scopes, sc) {
			missing = append(missing, sc)
		}
	}
	if len(missing) > 0 {
		return nil, &apiError{Status: http.StatusUnauthorized, Code: 3, Message: "Authorization failed: the token lacks the scope " + strings.Join(missing, ", ") + "."}
	}
	return t, nil
}

// window counts calls in one fixed rate-limit window.
type window struct {
	start time.Time
	n     int
}

// takeQuota counts a call against the token's user-and-app quota in its
// category (Pinterest counts per user per app, so refreshed tokens share
// it) and refuses it over quota.
func (s *Sandbox) takeQuota(w http.ResponseWriter, t *token, category string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limits[category]
	if !ok || l.Requests <= 0 || l.Per <= 0 {
		return nil
	}
	key := category + "|" + t.appID + "|" + t.userID
	now := s.clock()
	win := s.windows[key]
	if win == nil || !now.Before(win.start.Add(l.Per)) {
		win = &window{start: now}
		s.windows[key] = win
	}
	if win.n < l.Requests {
		win.n++
		return nil
	}
	if s.retry {
		wait := win.start.Add(l.Per).Sub(now)
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
	return errRateLimit
}

// maybePrune forgets, every 1024 tokens issued, the tokens and codes that
// can no longer be used, so a long-running sandbox does not grow. Call it
// with s.mu held, before looking anything up.
func (s *Sandbox) maybePrune() {
	if s.issued < 1024 {
		return
	}
	s.issued = 0
	now := s.clock()
	for v, t := range s.tokens {
		if !now.Before(t.expires) || t.used || s.families[t.family] == nil || s.families[t.family].revoked {
			delete(s.tokens, v)
		}
	}
	for v, c := range s.codes {
		if !now.Before(c.expires) {
			delete(s.codes, v)
		}
	}
	live := make(map[string]bool, len(s.tokens))
	for _, t := range s.tokens {
		live[t.family] = true
	}
	for _, c := range s.codes {
		live[c.family] = true
	}
	for id := range s.families {
		if !live[id] {
			delete(s.families, id)
		}
	}
}
