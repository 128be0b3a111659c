package integration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/store"
)

// ErrRevoke wraps a failed revocation at Pinterest; the tokens were
// forgotten anyway.
var ErrRevoke = errors.New("integration: Pinterest did not confirm that it revoked the token")

// Disconnect revokes the integration's tokens at Pinterest (best effort)
// and forgets them; the integration becomes disconnected. The returned
// error wraps ErrRevoke when only the revocation failed.
func (s *Service) Disconnect(ctx context.Context, id int64) error {
	revokeErr := s.revokeStored(ctx, id)
	if err := s.Store.DisconnectIntegration(ctx, id); err != nil {
		return err
	}
	s.log().Info("integration disconnected", "integration", id, "revoked", revokeErr == nil)
	return revokeErr
}

// Delete removes the integration and all its data, after revoking its
// tokens (best effort: a failed revocation does not stop the deletion and
// is returned wrapping ErrRevoke). It refuses with store.ErrRunActive while
// a sync runs.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if _, err := s.Store.RunningRun(ctx, id); err == nil {
		return store.ErrRunActive
	}
	revokeErr := s.revokeStored(ctx, id)
	if err := s.Store.DeleteIntegration(ctx, id); err != nil {
		return err
	}
	s.log().Info("integration deleted", "integration", id)
	return revokeErr
}

// revokeStored revokes the stored tokens, if any.
func (s *Service) revokeStored(ctx context.Context, id int64) error {
	t, err := s.Store.SyncTarget(ctx, id)
	if err != nil {
		return err
	}
	if len(t.AccessTokenSealed) == 0 && len(t.RefreshTokenSealed) == 0 {
		return nil
	}
	cfg, err := s.config(id, t)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRevoke, err)
	}
	var errs []error
	for _, f := range []struct {
		field  string
		sealed []byte
	}{{"access_token", t.AccessTokenSealed}, {"refresh_token", t.RefreshTokenSealed}} {
		tok, err := s.open(id, f.field, f.sealed)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if tok == "" {
			continue
		}
		if err := cfg.Revoke(ctx, tok, f.field); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		err := errors.Join(errs...)
		s.log().Warn("revoke integration tokens", "integration", id, "err", err)
		return fmt.Errorf("%w: %v", ErrRevoke, err)
	}
	return nil
}

// TokenSetup is what `pinaccess integration add` connects with: an
// existing token instead of the consent page.
type TokenSetup struct {
	Name       string
	BusinessID string
	// APIURL is the API base ending in /v5: https://api.pinterest.com/v5
	// for Pinterest, anything else is taken as a sandbox.
	APIURL         string
	AccessToken    string
	RefreshToken   string // optional; renewing it needs AppID and AppSecret
	AppID          string
	AppSecret      string
	ServiceAccount string // optional; checked when set
}

// AddWithToken checks the token as the wizard does (the account, and that
// it is a BIZ_ADMIN of the business) and saves a connected integration
// with it. It returns the new id and the account's username.
func (s *Service) AddWithToken(ctx context.Context, in TokenSetup) (int64, string, error) {
	in.BusinessID, in.Name = strings.TrimSpace(in.BusinessID), strings.TrimSpace(in.Name)
	bid, msg := ParseBusinessID(in.BusinessID)
	if msg != "" {
		return 0, "", FieldErrors{"business": msg}
	}
	u, err := url.Parse(in.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, "", FieldErrors{"api-url": "give the API base URL, such as https://api.pinterest.com/v5"}
	}
	env := EnvSandbox
	if strings.TrimRight(in.APIURL, "/") == pinterest.Production.APIURL {
		env = EnvPinterest
	}
	if in.AccessToken == "" {
		return 0, "", FieldErrors{"token": "the access token is empty"}
	}
	if in.RefreshToken != "" && (in.AppID == "" || in.AppSecret == "") {
		return 0, "", FieldErrors{"app-id": "a refresh token needs the app ID and app secret to be renewed"}
	}
	if in.AppID != "" && !digits(in.AppID, maxIDLen) {
		return 0, "", FieldErrors{"app-id": "the app ID is a number of up to 20 digits"}
	}
	client, err := s.apiClient(pinterest.Endpoint{APIURL: strings.TrimRight(in.APIURL, "/")},
		pinterest.StaticToken(&oauth2.Token{AccessToken: in.AccessToken, TokenType: "bearer"}), "")
	if err != nil {
		return 0, "", err
	}
	acct, err := Verify(ctx, client, bid, in.ServiceAccount)
	if err != nil {
		return 0, "", err
	}
	name := in.Name
	if name == "" {
		name = "Business " + bid
	}
	account := in.ServiceAccount
	if account == "" {
		account = acct.Username
	}
	fields := store.IntegrationFields{Name: name, Environment: env, ServiceAccount: account, AppID: in.AppID}
	if env != EnvPinterest {
		fields.APIURL = strings.TrimRight(in.APIURL, "/")
	}
	id, err := s.Store.CreateIntegration(ctx, fields,
		func(id int64) []byte {
			if in.AppSecret == "" {
				return nil
			}
			return s.seal(id, "app_secret", in.AppSecret)
		})
	if err != nil {
		return 0, "", err
	}
	c := store.Connection{AccessSealed: s.seal(id, "access_token", in.AccessToken), Scopes: Scopes}
	if in.RefreshToken != "" {
		c.RefreshSealed = s.seal(id, "refresh_token", in.RefreshToken)
	}
	if err := s.Store.SetIntegrationBusiness(ctx, id, bid); err != nil {
		return 0, "", err
	}
	if err := s.Store.ConnectIntegration(ctx, id, c); err != nil {
		return 0, "", err
	}
	return id, acct.Username, nil
}
