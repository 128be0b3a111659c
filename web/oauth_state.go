package web

import (
	"crypto/subtle"
	"encoding/json"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/views"
)

// Session keys of the OAuth connection.
const (
	oauthPendingKey   = "oauth_pending"
	connectFailureKey = "connect_failure"
	// oauthStateTTL bounds how long the consent page may take.
	oauthStateTTL = 15 * time.Minute
)

// oauthPending is a connection started from this browser: the random state
// sent to Pinterest, for which integration, until when. It lives in the
// (signed, encrypted) session cookie, so it is tied to this session.
type oauthPending struct {
	State         string `json:"s"`
	IntegrationID int64  `json:"i"`
	Expires       int64  `json:"e"` // Unix seconds
}

// setOAuthPending remembers a started connection, replacing any earlier one.
func setOAuthPending(c echo.Context, p oauthPending) {
	s := sessionOf(c)
	if s == nil {
		return
	}
	b, _ := json.Marshal(p)
	s.raw.Values[oauthPendingKey] = string(b)
	s.dirty = true
}

// takeOAuthPending returns the started connection and forgets it, so a
// callback can be used once only.
func takeOAuthPending(c echo.Context) (oauthPending, bool) {
	s := sessionOf(c)
	if s == nil {
		return oauthPending{}, false
	}
	raw, _ := s.raw.Values[oauthPendingKey].(string)
	if raw == "" {
		return oauthPending{}, false
	}
	delete(s.raw.Values, oauthPendingKey)
	s.dirty = true
	var p oauthPending
	if json.Unmarshal([]byte(raw), &p) != nil || p.State == "" {
		return oauthPending{}, false
	}
	return p, true
}

// matches reports whether state is the pending one and still fresh.
func (p oauthPending) matches(state string, now time.Time) bool {
	return now.Unix() <= p.Expires && len(state) == len(p.State) &&
		subtle.ConstantTimeCompare([]byte(state), []byte(p.State)) == 1
}

type connectFailure struct {
	IntegrationID int64  `json:"i"`
	Reason        string `json:"r"`
	Message       string `json:"m"`
}

// setConnectFailure keeps why a connection was refused for the connect
// step to show once.
func setConnectFailure(c echo.Context, f connectFailure) {
	s := sessionOf(c)
	if s == nil {
		return
	}
	b, _ := json.Marshal(f)
	s.raw.Values[connectFailureKey] = string(b)
	s.dirty = true
}

// takeConnectFailure returns the refusal kept for integration id, if any.
func takeConnectFailure(c echo.Context, id int64) *views.ConnectFailure {
	s := sessionOf(c)
	if s == nil {
		return nil
	}
	raw, _ := s.raw.Values[connectFailureKey].(string)
	var f connectFailure
	if raw == "" || json.Unmarshal([]byte(raw), &f) != nil || f.IntegrationID != id {
		return nil
	}
	delete(s.raw.Values, connectFailureKey)
	s.dirty = true
	return &views.ConnectFailure{Reason: f.Reason, Message: f.Message}
}
