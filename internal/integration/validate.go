// Package integration holds what it takes to connect a Pinterest Business
// Manager to pinaccess: the wizard's validation rules, sealing the app
// secret and tokens, the OAuth connection and its checks (scopes, service
// account, BIZ_ADMIN role), disconnecting and deleting.
package integration

import (
	"net/mail"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Environments an integration can use.
const (
	EnvPinterest = "pinterest"
	EnvSandbox   = "sandbox"
)

// FieldErrors maps a wizard field to a message a person can act on; it is
// returned as an error when input is refused.
type FieldErrors map[string]string

// Error lists the messages, sorted by field, for logs and the CLI.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, len(keys))
	for _, k := range keys {
		msgs = append(msgs, k+": "+fe[k])
	}
	return strings.Join(msgs, "; ")
}

// Setup is the wizard's first step as typed.
type Setup struct {
	Name           string
	Environment    string
	ServiceAccount string
	AppID          string
	// AppSecret is empty when the admin keeps the one already saved.
	AppSecret string
}

// Limits of the first step's fields.
const (
	maxNameLen      = 100
	maxAccountLen   = 254
	maxAppSecretLen = 512
	maxIDLen        = 20
)

// Normalize trims the fields and checks them; requireSecret is set when no
// app secret is saved yet. sandboxOn says whether this server offers the
// sandbox environment.
func (s *Setup) Normalize(requireSecret, sandboxOn bool) FieldErrors {
	fe := FieldErrors{}
	s.Name = strings.TrimSpace(s.Name)
	s.Environment = strings.TrimSpace(s.Environment)
	s.ServiceAccount = strings.TrimPrefix(strings.TrimSpace(s.ServiceAccount), "@")
	s.AppID = strings.TrimSpace(s.AppID)
	s.AppSecret = strings.TrimSpace(s.AppSecret)

	switch {
	case s.Name == "":
		fe["name"] = "Give the integration a name, such as the business's name."
	case utf8.RuneCountInString(s.Name) > maxNameLen || !printable(s.Name):
		fe["name"] = "Use at most 100 ordinary characters for the name."
	}
	switch s.Environment {
	case EnvPinterest:
	case EnvSandbox:
		if !sandboxOn {
			fe["environment"] = "The sandbox is turned off on this server (--sandbox=off): choose Pinterest."
		}
	default:
		fe["environment"] = "Choose Pinterest or Sandbox."
	}
	if msg := checkServiceAccount(s.ServiceAccount); msg != "" {
		fe["service_account"] = msg
	}
	switch {
	case s.AppID == "":
		fe["app_id"] = "Enter the app ID shown on your app's page at developers.pinterest.com."
	case !digits(s.AppID, maxIDLen):
		fe["app_id"] = "The app ID is a number of up to 20 digits, such as 1234567."
	}
	switch {
	case s.AppSecret == "" && requireSecret:
		fe["app_secret"] = "Enter the app secret shown on your app's page at developers.pinterest.com."
	case len(s.AppSecret) > maxAppSecretLen || strings.ContainsFunc(s.AppSecret, unicode.IsSpace) || !printable(s.AppSecret):
		fe["app_secret"] = "That does not look like an app secret: copy it again, without spaces."
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// checkServiceAccount accepts a Pinterest username (letters, digits, '_',
// '-', '.') or an email address.
func checkServiceAccount(v string) string {
	switch {
	case v == "":
		return "Enter the username or email of the business account pinaccess connects as."
	case len(v) > maxAccountLen:
		return "That is too long for a Pinterest username or email."
	case strings.Contains(v, "@"):
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@'):], ".") {
			return "Enter an email like integrations@example.com, or the account's username."
		}
		return ""
	}
	for _, r := range v {
		if !(r == '_' || r == '-' || r == '.' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return "A Pinterest username has only letters, digits, '_', '-' and '.': check it on the account's profile."
		}
	}
	return ""
}

// ParseBusinessID trims spaces around a Business Manager ID and checks it
// is 1 to 20 digits, as Pinterest's API defines it. The message says what
// is wrong.
func ParseBusinessID(raw string) (string, string) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", "Enter the Business Manager ID: on Pinterest, open the Business menu → Business Manager → Business information."
	case !digits(v, len(v)):
		return "", "The Business Manager ID has only digits (0–9), with no letters, spaces or dashes inside."
	case len(v) > maxIDLen:
		return "", "The Business Manager ID has at most 20 digits: check that you copied only the ID."
	}
	return v, ""
}

func digits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' })
}
