package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// StoreConnector connects to an integration's Pinterest with the sealed
// tokens the store keeps, and stores every renewed token (Pinterest rotates
// the refresh token, so the new one must be kept). Its Connect method is a
// ConnectFunc.
type StoreConnector struct {
	Store *store.Store
	Box   *secret.Box
	// Endpoint returns the endpoint of an environment ("pinterest" or
	// "sandbox"); the serve command points "sandbox" at its own /sandbox.
	Endpoint func(environment string) (pinterest.Endpoint, error)
	// APIURL, when set, overrides every integration's API base (the --api-url
	// of `pinaccess sync`).
	APIURL string
	// Client holds the base client options; APIURL and Tier are set per
	// integration.
	Client pinterest.Options
	// HTTPClient sends token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Connect returns a client for the integration and its business ID.
func (c StoreConnector) Connect(ctx context.Context, integrationID int64) (*pinterest.Client, string, error) {
	t, err := c.Store.SyncTarget(ctx, integrationID)
	if err != nil {
		return nil, "", err
	}
	switch t.Status {
	case "connected":
	case "needs_reconnect":
		return nil, "", fmt.Errorf("%w: the integration is marked as needing a reconnect", pinterest.ErrReconnect)
	default:
		return nil, "", fmt.Errorf("the integration is not connected yet (status %q): finish connecting it first", t.Status)
	}
	if t.BusinessID == "" {
		return nil, "", errors.New("the integration has no Business Manager ID: finish its setup first")
	}
	ep, err := c.endpoint(t)
	if err != nil {
		return nil, "", err
	}
	open := func(sealed []byte, field string) (string, error) {
		if len(sealed) == 0 {
			return "", nil
		}
		b, err := c.Box.Open(sealed, store.SecretLabel(integrationID, field))
		if err != nil {
			return "", fmt.Errorf("the integration's %s cannot be opened with this installation's secret key: %w",
				field, err)
		}
		return string(b), nil
	}
	access, err := open(t.AccessTokenSealed, "access_token")
	if err != nil {
		return nil, "", err
	}
	refresh, err := open(t.RefreshTokenSealed, "refresh_token")
	if err != nil {
		return nil, "", err
	}
	appSecret, err := open(t.AppSecretSealed, "app_secret")
	if err != nil {
		return nil, "", err
	}
	if access == "" && refresh == "" {
		return nil, "", fmt.Errorf("%w: the integration has no token", pinterest.ErrReconnect)
	}
	cfg := &pinterest.Config{Endpoint: ep, ClientID: t.AppID, ClientSecret: appSecret, HTTPClient: c.HTTPClient}
	tok := &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: t.TokenExpiresAt}
	save := func(ctx context.Context, tok *oauth2.Token) error {
		a := c.Box.Seal([]byte(tok.AccessToken), store.SecretLabel(integrationID, "access_token"))
		var r []byte
		if tok.RefreshToken != "" {
			r = c.Box.Seal([]byte(tok.RefreshToken), store.SecretLabel(integrationID, "refresh_token"))
		} else {
			r = t.RefreshTokenSealed
		}
		return c.Store.SaveIntegrationTokens(ctx, integrationID, a, r, tok.Expiry, pinterest.RefreshExpiry(tok))
	}
	opts := c.Client
	opts.APIURL = ep.APIURL
	if t.APITier != "" {
		tier, err := pinterest.ParseTier(t.APITier)
		if err != nil {
			return nil, "", err
		}
		opts.Tier = tier
	}
	client, err := pinterest.New(cfg.TokenSource(tok, save), opts)
	if err != nil {
		return nil, "", err
	}
	return client, t.BusinessID, nil
}

// endpoint picks the API an integration is synced from: the connector's
// override, else the base the integration was added with, else its
// environment's.
func (c StoreConnector) endpoint(t store.SyncTarget) (pinterest.Endpoint, error) {
	switch {
	case c.APIURL != "":
		return pinterest.APIEndpoint(c.APIURL), nil
	case t.APIURL != "":
		return pinterest.APIEndpoint(t.APIURL), nil
	}
	return c.Endpoint(t.Environment)
}
