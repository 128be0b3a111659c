package pinterest

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// ErrReconnect means Pinterest no longer accepts the integration's
// credentials: the refresh token was rejected, there is none, or a freshly
// refreshed token is still refused. Only an admin connecting again (the
// OAuth consent) can fix it. Test with errors.Is(err, ErrReconnect).
var ErrReconnect = errors.New("pinterest: reconnect needed")

// APIError is an answer from Pinterest that is not a success and is not
// retried (or no longer retried): any 4xx other than 429, or a 429/5xx that
// persisted through every retry. It never holds a token.
type APIError struct {
	Operation string // operationId, e.g. "get/business_members"
	Status    int    // HTTP status
	Code      int    // Pinterest's error code; 0 when the body had none
	Message   string // Pinterest's message, or the status text
	RequestID string // x-pinterest-rid, when Pinterest sent one
	// RetryAfter is the wait Pinterest asked for on a 429 (zero if none).
	RetryAfter time.Duration
	// Reconnect is set when only a new OAuth consent can fix the error;
	// errors.Is(err, ErrReconnect) reports it.
	Reconnect bool
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("pinterest: %s: %d %s", e.Operation, e.Status, http.StatusText(e.Status))
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Message != "" && e.Message != http.StatusText(e.Status) {
		s += ": " + e.Message
	}
	if e.Reconnect {
		s += "; reconnect needed"
	}
	return s
}

// Is reports whether e matches target; an APIError with Reconnect set
// matches ErrReconnect.
func (e *APIError) Is(target error) bool {
	return target == ErrReconnect && e.Reconnect
}

// tokenish matches strings shaped like Pinterest tokens ("pina…", "pinr…")
// and bearer credentials, so a server that echoes one never gets it into an
// error or a log.
var tokenish = regexp.MustCompile(`(?i)\b(pin[ar][A-Za-z0-9_\-.~+/=]{6,}|bearer\s+\S+|basic\s+\S+)`)

// scrub removes anything that looks like a credential from text received
// from the server and bounds its length.
func scrub(s string) string {
	s = tokenish.ReplaceAllString(s, "[redacted]")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// errMalformed marks an answer that is not what the description promises:
// a body that is not JSON, truncated, or missing its items.
var errMalformed = errors.New("malformed response")
