package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SyncTarget is what a sync needs to know about an integration: where to
// connect, with which (sealed) credentials, and its sync settings.
type SyncTarget struct {
	ID                 int64
	Name               string
	Environment        string // pinterest or sandbox
	BusinessID         string
	Status             string // draft, connected, needs_reconnect, disconnected
	AppID              string
	AppSecretSealed    []byte
	AccessTokenSealed  []byte
	RefreshTokenSealed []byte
	TokenExpiresAt     time.Time // zero if unknown
	RefreshExpiresAt   time.Time
	// APIURL is the API base the integration was added with (`integration
	// add --api-url`), overriding its environment's; empty for most.
	APIURL             string
	APITier            string // trial or standard
	SyncInterval       string // off, hourly, daily, weekly
	ReviewThresholdPct int
	RetentionRuns      int
}

// SecretLabel is the label an integration's secret is sealed under (see
// secret.Box): field is "app_secret", "access_token" or "refresh_token".
// The label binds a sealed value to its integration and field, so a value
// copied elsewhere does not open.
func SecretLabel(integrationID int64, field string) string {
	return fmt.Sprintf("integrations/%d/%s", integrationID, field)
}

const syncTargetColumns = `id, name, environment, business_id, status, app_id, app_secret_sealed,
	access_token_sealed, refresh_token_sealed, coalesce(token_expires_at, 0), coalesce(refresh_expires_at, 0),
	api_url, api_tier, sync_interval, review_threshold_pct, retention_runs`

func scanSyncTarget(sc interface{ Scan(...any) error }) (SyncTarget, error) {
	var t SyncTarget
	var exp, rexp int64
	err := sc.Scan(&t.ID, &t.Name, &t.Environment, &t.BusinessID, &t.Status, &t.AppID, &t.AppSecretSealed,
		&t.AccessTokenSealed, &t.RefreshTokenSealed, &exp, &rexp, &t.APIURL, &t.APITier, &t.SyncInterval,
		&t.ReviewThresholdPct, &t.RetentionRuns)
	t.TokenExpiresAt = fromMilli(exp)
	t.RefreshExpiresAt = fromMilli(rexp)
	return t, err
}

// SyncTarget returns what a sync of the integration needs, or ErrNotFound.
func (s *Store) SyncTarget(ctx context.Context, integrationID int64) (SyncTarget, error) {
	t, err := scanSyncTarget(s.read.QueryRowContext(ctx, `SELECT `+syncTargetColumns+` FROM integrations WHERE id = ?`, integrationID))
	if errors.Is(err, sql.ErrNoRows) {
		return SyncTarget{}, ErrNotFound
	}
	if err != nil {
		return SyncTarget{}, fmt.Errorf("store: integration %d: %w", integrationID, err)
	}
	return t, nil
}

// ScheduledTarget is a connected integration with a sync interval, and when
// its last run started (zero if never).
type ScheduledTarget struct {
	ID            int64
	SyncInterval  string
	LastStartedAt time.Time
}

// ScheduledTargets lists the connected integrations whose sync interval is
// not off, with the start of their latest run.
func (s *Store) ScheduledTargets(ctx context.Context) ([]ScheduledTarget, error) {
	return queryAll(ctx, s.read, "scheduled integrations", func(r *sql.Rows) (ScheduledTarget, error) {
		var t ScheduledTarget
		var last int64
		err := r.Scan(&t.ID, &t.SyncInterval, &last)
		t.LastStartedAt = fromMilli(last)
		return t, err
	}, `SELECT i.id, i.sync_interval, coalesce((SELECT max(started_at) FROM sync_runs r WHERE r.integration_id = i.id), 0)
		FROM integrations i WHERE i.status = 'connected' AND i.sync_interval <> 'off' ORDER BY i.id`)
}

// SaveIntegrationTokens stores renewed (sealed) OAuth tokens of an
// integration; Pinterest rotates the refresh token on every renewal.
func (s *Store) SaveIntegrationTokens(ctx context.Context, integrationID int64, accessSealed, refreshSealed []byte, expires, refreshExpires time.Time) error {
	ms := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UnixMilli()
	}
	_, err := s.w.ExecContext(ctx, `UPDATE integrations SET access_token_sealed = ?, refresh_token_sealed = ?,
		token_expires_at = ?, refresh_expires_at = coalesce(?, refresh_expires_at), updated_at = ? WHERE id = ?`,
		accessSealed, refreshSealed, ms(expires), ms(refreshExpires), s.now().UnixMilli(), integrationID)
	if err != nil {
		return fmt.Errorf("store: save tokens of integration %d: %w", integrationID, err)
	}
	return nil
}

// MarkNeedsReconnect records that Pinterest no longer accepts the
// integration's authorization; the scheduler stops syncing it until an
// admin connects it again.
func (s *Store) MarkNeedsReconnect(ctx context.Context, integrationID int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE integrations SET status = 'needs_reconnect', updated_at = ? WHERE id = ?`,
		s.now().UnixMilli(), integrationID)
	if err != nil {
		return fmt.Errorf("store: mark integration %d as needing reconnect: %w", integrationID, err)
	}
	return nil
}

// ConnectedIntegration is an integration connected with existing tokens
// (sealed by the caller), as `pinaccess integration add` and tests create it.
type ConnectedIntegration struct {
	Name               string
	Environment        string // pinterest or sandbox
	BusinessID         string
	AppID              string
	AccessTokenSealed  []byte
	RefreshTokenSealed []byte
	TokenExpiresAt     time.Time
	SyncInterval       string // empty means daily
}

// AddConnectedIntegration records a connected integration and returns its
// ID. Tokens are sealed under SecretLabel of the integration's ID, which is
// known only once it exists: add it with nil tokens, then store them with
// SaveIntegrationTokens.
func (s *Store) AddConnectedIntegration(ctx context.Context, in ConnectedIntegration) (int64, error) {
	interval := in.SyncInterval
	if interval == "" {
		interval = "daily"
	}
	var exp any
	if !in.TokenExpiresAt.IsZero() {
		exp = in.TokenExpiresAt.UnixMilli()
	}
	now := s.now().UnixMilli()
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO integrations (name, environment, business_id, status, app_id,
		access_token_sealed, refresh_token_sealed, token_expires_at, sync_interval, connected_at, created_at, updated_at)
		VALUES (?, ?, ?, 'connected', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Environment, in.BusinessID, in.AppID, in.AccessTokenSealed, in.RefreshTokenSealed, exp,
		interval, now, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add integration: %w", err)
	}
	return id, nil
}

// SaveIntegrationAppSecret stores the (sealed) secret of the integration's
// Pinterest app, which renewing tokens needs.
func (s *Store) SaveIntegrationAppSecret(ctx context.Context, integrationID int64, sealed []byte) error {
	_, err := s.w.ExecContext(ctx, `UPDATE integrations SET app_secret_sealed = ?, updated_at = ? WHERE id = ?`,
		sealed, s.now().UnixMilli(), integrationID)
	if err != nil {
		return fmt.Errorf("store: save app secret of integration %d: %w", integrationID, err)
	}
	return nil
}
