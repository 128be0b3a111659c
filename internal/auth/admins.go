package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pinaccess/internal/store"
)

// ErrBadCredentials is returned for an unknown email or a wrong password;
// the two are deliberately indistinguishable.
var ErrBadCredentials = errors.New("auth: email or password is incorrect")

// ErrSetupToken is returned for a setup token that is unknown, used or
// expired.
var ErrSetupToken = errors.New("auth: the setup link is not valid; it may have been used already or expired")

// ErrSetupDone is returned by setup once an admin exists.
var ErrSetupDone = errors.New("auth: pinaccess already has an admin")

// SetupTokenTTL is how long a logged setup link stays valid.
const SetupTokenTTL = 24 * time.Hour

// AdminStore is what Admins needs from the database.
type AdminStore interface {
	CreateAdmin(ctx context.Context, email, passwordHash string) (store.Admin, error)
	AdminByEmail(ctx context.Context, email string) (store.Admin, error)
	CountAdmins(ctx context.Context) (int, error)
	RecordLogin(ctx context.Context, adminID int64) error
	ReplaceSetupToken(ctx context.Context, tokenHash string, expires time.Time) error
	CheckSetupToken(ctx context.Context, tokenHash string) error
	CreateFirstAdmin(ctx context.Context, tokenHash, email, passwordHash string) (store.Admin, error)
}

// Admins creates and authenticates admins. Every path that makes an admin
// (setup page, CLI, environment bootstrap) goes through it, so the email and
// password rules are the same everywhere.
type Admins struct {
	store AdminStore
	now   func() time.Time
}

// NewAdmins returns an Admins over st; now is the clock (time.Now if nil).
func NewAdmins(st AdminStore, now func() time.Time) *Admins {
	if now == nil {
		now = time.Now
	}
	return &Admins{store: st, now: now}
}

// ValidateAdmin checks a new admin's email and password and returns the
// normalised email; refused input is a FieldErrors keyed "email" and
// "password".
func ValidateAdmin(email, password string) (string, error) {
	fe := FieldErrors{}
	norm, msg := ValidateEmail(email)
	if msg != "" {
		fe["email"] = msg
	}
	if msg := ValidatePassword(password); msg != "" {
		fe["password"] = msg
	}
	if len(fe) > 0 {
		return "", fe
	}
	return norm, nil
}

// Create validates and adds an admin. Invalid input is a FieldErrors; an
// existing email is a FieldErrors on "email" too, wrapping nothing, so the
// caller can show it beside the field.
func (a *Admins) Create(ctx context.Context, email, password string) (store.Admin, error) {
	norm, err := ValidateAdmin(email, password)
	if err != nil {
		return store.Admin{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return store.Admin{}, err
	}
	ad, err := a.store.CreateAdmin(ctx, norm, hash)
	if errors.Is(err, store.ErrAdminExists) {
		return store.Admin{}, FieldErrors{"email": "An admin with this email already exists."}
	}
	return ad, err
}

// Ensure creates the admin unless one with that email exists; created says
// which. It is how PINACCESS_ADMIN_EMAIL/PASSWORD are applied at start. An
// existing admin's password is left alone.
func (a *Admins) Ensure(ctx context.Context, email, password string) (created bool, err error) {
	norm, msg := ValidateEmail(email)
	if msg != "" {
		return false, FieldErrors{"email": msg}
	}
	if _, err := a.store.AdminByEmail(ctx, norm); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if _, err := a.Create(ctx, norm, password); err != nil {
		return false, err
	}
	return true, nil
}

// Authenticate returns the admin whose email and password match, or
// ErrBadCredentials. An unknown email costs the same hashing work as a wrong
// password, so timing does not tell them apart.
func (a *Admins) Authenticate(ctx context.Context, email, password string) (store.Admin, error) {
	ad, err := a.store.AdminByEmail(ctx, NormalizeEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(dummyHash(), password)
		return store.Admin{}, ErrBadCredentials
	}
	if err != nil {
		return store.Admin{}, err
	}
	if len(password) > 4*MaxPasswordLen || !CheckPassword(ad.PasswordHash, password) {
		return store.Admin{}, ErrBadCredentials
	}
	if err := a.store.RecordLogin(ctx, ad.ID); err != nil {
		return store.Admin{}, err
	}
	return ad, nil
}

// NeedsSetup reports whether no admin exists yet.
func (a *Admins) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := a.store.CountAdmins(ctx)
	return n == 0, err
}

// IssueSetupToken creates a new one-time setup token (replacing any unused
// earlier one) and returns it; only its hash is stored.
func (a *Admins) IssueSetupToken(ctx context.Context) (string, error) {
	tok := NewToken()
	if err := a.store.ReplaceSetupToken(ctx, HashToken(tok), a.now().Add(SetupTokenTTL)); err != nil {
		return "", err
	}
	return tok, nil
}

// CheckSetupToken returns nil when token may still be used for setup,
// ErrSetupDone when an admin exists, ErrSetupToken otherwise.
func (a *Admins) CheckSetupToken(ctx context.Context, token string) error {
	if need, err := a.NeedsSetup(ctx); err != nil {
		return err
	} else if !need {
		return ErrSetupDone
	}
	if token == "" || len(token) > 128 {
		return ErrSetupToken
	}
	err := a.store.CheckSetupToken(ctx, HashToken(token))
	if errors.Is(err, store.ErrSetupTokenInvalid) {
		return ErrSetupToken
	}
	return err
}

// CompleteSetup uses the token and creates the first admin. Invalid fields
// are a FieldErrors (the token stays usable); a bad token is ErrSetupToken;
// an existing admin is ErrSetupDone.
func (a *Admins) CompleteSetup(ctx context.Context, token, email, password string) (store.Admin, error) {
	if err := a.CheckSetupToken(ctx, token); err != nil {
		return store.Admin{}, err
	}
	norm, err := ValidateAdmin(email, password)
	if err != nil {
		return store.Admin{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return store.Admin{}, err
	}
	ad, err := a.store.CreateFirstAdmin(ctx, HashToken(token), norm, hash)
	switch {
	case errors.Is(err, store.ErrSetupTokenInvalid):
		return store.Admin{}, ErrSetupToken
	case errors.Is(err, store.ErrSetupClosed), errors.Is(err, store.ErrAdminExists):
		return store.Admin{}, ErrSetupDone
	case err != nil:
		return store.Admin{}, fmt.Errorf("auth: setup: %w", err)
	}
	return ad, nil
}
