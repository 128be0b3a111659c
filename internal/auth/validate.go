package auth

import (
	"net/mail"
	"sort"
	"strings"
	"unicode/utf8"
)

// Password length limits, in characters. The upper bound keeps hashing
// cheap for absurd input; it is far beyond any password manager's default.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
	maxEmailLen    = 254
)

// FieldErrors maps a form field name to a message a person can act on. It
// is returned as an error when input is refused, so handlers can show each
// message beside its field.
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
		msgs = append(msgs, fe[k])
	}
	return strings.Join(msgs, "; ")
}

// NormalizeEmail trims spaces and lower-cases the address, so an admin is
// found however they type it.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidateEmail returns the normalised address, or a message saying what is
// wrong with it.
func ValidateEmail(email string) (string, string) {
	e := NormalizeEmail(email)
	switch {
	case e == "":
		return "", "Enter an email address."
	case len(e) > maxEmailLen:
		return "", "That email address is too long."
	}
	addr, err := mail.ParseAddress(e)
	at := strings.LastIndexByte(e, '@')
	if err != nil || addr.Address != e || at < 1 || !strings.Contains(e[at+1:], ".") ||
		strings.HasPrefix(e[at+1:], ".") || strings.HasSuffix(e, ".") {
		return "", "Enter an email address like name@example.com."
	}
	return e, ""
}

// ValidatePassword returns a message when password is not acceptable as a
// new admin password, or "" when it is.
func ValidatePassword(password string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return "The password contains invalid characters."
	case strings.TrimSpace(password) == "":
		return "Enter a password of at least 12 characters."
	case n < MinPasswordLen:
		return "The password must be at least 12 characters long."
	case n > MaxPasswordLen:
		return "The password must be at most 256 characters long."
	}
	return ""
}
