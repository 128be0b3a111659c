package sandbox

import (
	"crypto/subtle"
	_ "embed"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// knownScopes are the scopes of the description's pinterest_oauth2 scheme.
var knownScopes = map[string]bool{
	"ads:read": true, "ads:write": true, "billing:read": true, "billing:write": true,
	"biz_access:read": true, "biz_access:write": true, "boards:read": true, "boards:read_secret": true,
	"boards:write": true, "boards:write_secret": true, "catalogs:read": true, "catalogs:write": true,
	"msot:write": true, "pins:read": true, "pins:read_secret": true, "pins:write": true,
	"pins:write_secret": true, "user_accounts:read": true, "user_accounts:write": true,
}

// parseScopes splits Pinterest's comma-separated scope list (spaces are
// accepted too, as generic OAuth clients send them).
func parseScopes(s string) ([]string, string) {
	var out []string
	for _, sc := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !knownScopes[sc] {
			return nil, sc
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, ""
}

// redirectAllowed reports whether app accepts uri: any http(s) URL on
// localhost or a loopback address, one under a RedirectBase, or one the
// app registered exactly.
func (s *Sandbox) redirectAllowed(app *App, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Fragment != "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, b := range s.redirects {
		if u.Scheme == b.Scheme && strings.EqualFold(u.Host, b.Host) {
			base := strings.TrimSuffix(b.Path, "/")
			if base == "" || u.Path == base || strings.HasPrefix(u.Path, base+"/") {
				return true
			}
		}
	}
	return slices.Contains(app.RedirectURIs, uri)
}

//go:embed consent.html.tmpl
var consentHTML string

//go:embed sandbox.css
var stylesheetCSS []byte

var consentTmpl = template.Must(template.New("consent").Parse(consentHTML))

type consentAccount struct {
	Username string
	Role     string
	Checked  bool
}

type consentView struct {
	Error       string // set: an error page with no form
	Problem     string // set: the form again with this message
	AppName     string
	Scopes      []string
	ClientID    string
	RedirectURI string
	Scope       string
	State       string
	Accounts    []consentAccount
	More        int // accounts not listed
}

// authorizeRequest is the authorize parameters, checked.
type authorizeRequest struct {
	app         *App
	clientID    string
	redirectURI string
	scopeRaw    string
	scopes      []string
	state       string
}

// checkAuthorize validates the authorize parameters; on failure it returns
// the message for an error page (never a redirect: the redirect URI is not
// trusted yet).
func (s *Sandbox) checkAuthorize(st *state, form url.Values) (*authorizeRequest, string) {
	ar := &authorizeRequest{
		clientID:    form.Get("client_id"),
		redirectURI: form.Get("redirect_uri"),
		scopeRaw:    form.Get("scope"),
		state:       form.Get("state"),
	}
	if ar.clientID == "" {
		ar.clientID = form.Get("consumer_id") // the quickstart's older name
	}
	ar.app = st.apps[ar.clientID]
	if ar.app == nil {
		return nil, "Invalid client_id: no app with this ID exists."
	}
	if ar.redirectURI == "" || !s.redirectAllowed(ar.app, ar.redirectURI) {
		return nil, "Invalid redirect_uri: it does not match a redirect URI registered for this app."
	}
	if rt := form.Get("response_type"); rt != "code" {
		return nil, "Invalid response_type: only \"code\" is supported."
	}
	scopes, bad := parseScopes(ar.scopeRaw)
	if bad != "" {
		return nil, "Invalid scope: \"" + bad + "\" is not a Pinterest scope."
	}
	if len(scopes) == 0 {
		return nil, "Invalid scope: ask for at least one scope, separated by commas."
	}
	ar.scopes = scopes
	return ar, ""
}

const maxListedAccounts = 50

func (s *Sandbox) consentView(st *state, ar *authorizeRequest, chosen string) consentView {
	v := consentView{AppName: ar.app.Name, Scopes: ar.scopes, ClientID: ar.clientID, RedirectURI: ar.redirectURI,
		Scope: ar.scopeRaw, State: ar.state}
	if v.AppName == "" {
		v.AppName = "App " + ar.app.ID
	}
	// The sandbox accounts first, then other admins, then everyone else.
	rank := func(u *User) int {
		switch {
		case strings.HasPrefix(u.Username, "sandbox-"):
			return 0
		case u.HasRole(RoleBizAdmin):
			return 1
		}
		return 2
	}
	var listed []*User
	for r := 0; r < 3 && len(listed) < maxListedAccounts; r++ {
		for i := range st.d.Users {
			u := &st.d.Users[i]
			if rank(u) == r && !u.IsSystemUser {
				listed = append(listed, u)
				if len(listed) == maxListedAccounts {
					break
				}
			}
		}
	}
	v.More = len(st.d.Users) - len(listed)
	for _, u := range listed {
		role := "Not a member of " + st.d.Business.Name
		switch {
		case u.HasRole(RoleBizAdmin):
			role = "Admin of " + st.d.Business.Name
		case u.IsMember():
			role = "Employee of " + st.d.Business.Name
		}
		v.Accounts = append(v.Accounts, consentAccount{Username: u.Username, Role: role, Checked: u.Username == chosen})
	}
	return v
}

func renderConsent(w http.ResponseWriter, status int, v consentView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	consentTmpl.Execute(w, v)
}

// consentPage is GET /oauth/: Pinterest's "Give access" page.
func (s *Sandbox) consentPage(w http.ResponseWriter, r *http.Request) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	ar, msg := s.checkAuthorize(s.st, r.URL.Query())
	if msg != "" {
		renderConsent(w, http.StatusBadRequest, consentView{Error: msg})
		return
	}
	renderConsent(w, http.StatusOK, s.consentView(s.st, ar, ""))
}

// consentDecision is POST /oauth/ with user and decision=allow|deny.
func (s *Sandbox) consentDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderConsent(w, http.StatusBadRequest, consentView{Error: "The form could not be read."})
		return
	}
	s.dataMu.RLock()
	st := s.st
	ar, msg := s.checkAuthorize(st, r.PostForm)
	if msg != "" {
		s.dataMu.RUnlock()
		renderConsent(w, http.StatusBadRequest, consentView{Error: msg})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("user"))
	if username == "" {
		username = strings.TrimSpace(r.PostForm.Get("other_user"))
	}
	u := st.byUsername[username]
	decision := r.PostForm.Get("decision")
	var problem string
	switch {
	case decision != "allow" && decision != "deny":
		problem = "Choose Give access or Cancel."
	case decision == "allow" && u == nil && username == "":
		problem = "Choose the account to log in with."
	case decision == "allow" && u == nil:
		problem = "There is no sandbox account named " + strconv.Quote(username) + "."
	}
	if problem != "" {
		v := s.consentView(st, ar, username)
		v.Problem = problem
		s.dataMu.RUnlock()
		renderConsent(w, http.StatusBadRequest, v)
		return
	}
	s.dataMu.RUnlock()
	target, _ := url.Parse(ar.redirectURI)
	q := target.Query()
	if decision == "deny" {
		q.Set("error", "access_denied")
		q.Set("error_description", "The user denied access.")
	} else {
		code := randomString("")
		s.mu.Lock()
		s.codes[code] = &authCode{appID: ar.app.ID, userID: u.ID, scopes: ar.scopes, redirectURI: ar.redirectURI,
			expires: s.clock().Add(s.opts.CodeTTL)}
		s.mu.Unlock()
		q.Set("code", code)
	}
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

func (s *Sandbox) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(stylesheetCSS)
}

// oauthRoute serves a Basic-authenticated OAuth operation.
func (s *Sandbox) oauthRoute(m *http.ServeMux, id string, h func(w http.ResponseWriter, r *http.Request, app *App) *apiError) {
	op, ok := s.ops[id]
	if !ok {
		panic("sandbox: operation " + id + " is not in the OpenAPI description")
	}
	m.HandleFunc(pattern(op), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-pinterest-rid", s.requestID())
		fail, err := s.fault(r.Context())
		if err != nil {
			return
		}
		if fail != nil {
			writeError(w, fail)
			s.count(id, fail.Status, true)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		app := s.clientAuth(r)
		if app == nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="pinterest"`)
			writeError(w, errAuth)
			s.count(id, errAuth.Status, false)
			return
		}
		if aerr := h(w, r, app); aerr != nil {
			writeError(w, aerr)
			s.count(id, aerr.Status, false)
			return
		}
		s.count(id, http.StatusOK, false)
	})
}

// clientAuth returns the app named by HTTP Basic credentials, or nil.
func (s *Sandbox) clientAuth(r *http.Request) *App {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return nil
	}
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	app := s.st.apps[id]
	if app == nil || subtle.ConstantTimeCompare([]byte(app.Secret), []byte(secret)) != 1 {
		return nil
	}
	c := *app
	return &c
}

type tokenResponse struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresAt int64  `json:"refresh_token_expires_at,omitempty"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in,omitempty"`
	ResponseType          string `json:"response_type"`
	Scope                 string `json:"scope"`
	TokenType             string `json:"token_type"`
}

func invalidGrant(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 1, Message: msg}
}

// tokenGrant is POST /v5/oauth/token.
func (s *Sandbox) tokenGrant(w http.ResponseWriter, r *http.Request, app *App) *apiError {
	if err := r.ParseForm(); err != nil {
		return invalidGrant("The request body could not be read as a form.")
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maybePrune()
	now := s.clock()
	var access, refresh *token
	typ := f.Get("grant_type")
	switch typ {
	case "authorization_code":
		code, redirect := f.Get("code"), f.Get("redirect_uri")
		if code == "" || redirect == "" {
			return invalidGrant("code and redirect_uri are required.")
		}
		c := s.codes[code]
		switch {
		case c == nil || c.appID != app.ID:
			return invalidGrant("Invalid authorization code.")
		case c.used:
			// A replayed code: revoke what it was exchanged for.
			if fam := s.families[c.family]; fam != nil {
				fam.revoked = true
			}
			return invalidGrant("Invalid authorization code: it has already been used.")
		case !now.Before(c.expires):
			return invalidGrant("Invalid authorization code: it has expired.")
		case c.redirectURI != redirect:
			return invalidGrant("redirect_uri does not match the one the code was issued for.")
		}
		c.used = true
		c.family = s.newFamily()
		access, refresh = s.issue(app.ID, c.userID, c.scopes, c.family, false)
	case "refresh_token":
		old := s.tokens[f.Get("refresh_token")]
		if old == nil || !old.refresh || old.appID != app.ID || !s.valid(old) {
			return invalidGrant("Invalid refresh token.")
		}
		scopes := old.scopes
		if raw := f.Get("scope"); raw != "" {
			asked, bad := parseScopes(raw)
			if bad != "" {
				return invalidGrant("Invalid scope: " + strconv.Quote(bad) + ".")
			}
			for _, sc := range asked {
				if !slices.Contains(old.scopes, sc) {
					return invalidGrant("The scope " + sc + " was not granted to this refresh token.")
				}
			}
			scopes = asked
		}
		old.used = true // continuous refresh: the refresh token rotates
		access, refresh = s.issue(app.ID, old.userID, scopes, old.family, false)
	case "client_credentials":
		scopes, bad := parseScopes(f.Get("scope"))
		if bad != "" || len(scopes) == 0 {
			return invalidGrant("Invalid scope.")
		}
		if app.OwnerID == "" {
			return invalidGrant("This app has no owner account for client credentials.")
		}
		access, _ = s.issue(app.ID, app.OwnerID, scopes, s.newFamily(), true)
	default:
		return invalidGrant("Unsupported grant_type " + strconv.Quote(typ) + ".")
	}
	resp := tokenResponse{
		AccessToken:  access.value,
		ExpiresIn:    int64(access.expires.Sub(now).Seconds()),
		ResponseType: typ,
		Scope:        strings.Join(access.scopes, ","),
		TokenType:    "bearer",
	}
	if refresh != nil {
		resp.RefreshToken = refresh.value
		resp.RefreshTokenExpiresIn = int64(refresh.expires.Sub(now).Seconds())
		resp.RefreshTokenExpiresAt = refresh.expires.Unix()
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// revoke is POST /v5/oauth/token/revoke: the token and every token of the
// same authorization stop working. An unknown token is not an error (RFC
// 7009); another app's token is refused.
func (s *Sandbox) revoke(w http.ResponseWriter, r *http.Request, app *App) *apiError {
	if err := r.ParseForm(); err != nil {
		return invalidGrant("The request body could not be read as a form.")
	}
	value := r.PostForm.Get("token")
	if value == "" {
		return invalidGrant("token is required.")
	}
	if h := r.PostForm.Get("token_type_hint"); h != "" && h != "access_token" && h != "refresh_token" {
		return invalidGrant("token_type_hint must be access_token or refresh_token.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[value]; t != nil {
		if t.appID != app.ID {
			return errForbidden
		}
		if f := s.families[t.family]; f != nil {
			f.revoked = true
		}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
