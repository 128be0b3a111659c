package integration

import (
	"errors"
	"fmt"
)

// Reason names why connecting failed; the wizard shows a different
// explanation for each.
type Reason string

// The reasons a connection is refused.
const (
	ReasonState        Reason = "state"         // missing, expired or wrong state: not our request
	ReasonDeclined     Reason = "declined"      // the admin pressed Cancel on Pinterest
	ReasonConsent      Reason = "consent"       // Pinterest reported another error on the consent page
	ReasonAppSecret    Reason = "app_secret"    // Pinterest refused the app ID or secret
	ReasonCode         Reason = "code"          // the authorization code was used already or expired
	ReasonScopes       Reason = "scopes"        // a needed permission was not granted
	ReasonWrongAccount Reason = "wrong_account" // someone other than the service account consented
	ReasonNotMember    Reason = "not_member"    // the account is not in the Business Manager
	ReasonNotAdmin     Reason = "not_admin"     // a member, but not an admin
	ReasonSetup        Reason = "setup"         // the earlier steps are not finished
	ReasonPinterest    Reason = "pinterest"     // Pinterest could not be reached or answered oddly
)

// ConnectError is a refused connection: the reason, a sentence for the
// admin saying what happened and what to do (never a secret), and the
// underlying error for the log.
type ConnectError struct {
	Reason  Reason
	Message string
	Err     error
}

func (e *ConnectError) Error() string {
	s := fmt.Sprintf("integration: connect refused (%s): %s", e.Reason, e.Message)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ConnectError) Unwrap() error { return e.Err }

func refuse(r Reason, err error, format string, args ...any) *ConnectError {
	return &ConnectError{Reason: r, Message: fmt.Sprintf(format, args...), Err: err}
}

// ReasonOf returns the reason of a ConnectError in err's chain, or "".
func ReasonOf(err error) Reason {
	var ce *ConnectError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// StateError is the refusal for a callback whose state is missing, expired
// or not the one this browser was given.
func StateError() *ConnectError {
	return refuse(ReasonState, nil, "This answer from Pinterest does not match a connection started from this browser (it may be old, used already, or forged). Nothing was changed: start connecting again.")
}

// ConsentError turns the error parameter of Pinterest's callback into a
// refusal.
func ConsentError(code string) *ConnectError {
	if code == "access_denied" {
		return refuse(ReasonDeclined, nil, "You declined on Pinterest's page, so pinaccess was not given access. To connect, press Connect again and choose Give access.")
	}
	return refuse(ReasonConsent, fmt.Errorf("oauth error %.40q", code), "Pinterest did not give access. Check the app's redirect URI and try connecting again.")
}
