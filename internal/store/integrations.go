package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Integration statuses.
const (
	IntegrationDraft          = "draft"
	IntegrationConnected      = "connected"
	IntegrationNeedsReconnect = "needs_reconnect"
	IntegrationDisconnected   = "disconnected"
)

// Integration is one Pinterest Business Manager as pinaccess knows it,
// without its secrets (see SyncTarget for the sealed values).
type Integration struct {
	ID             int64
	Name           string
	Environment    string // pinterest or sandbox
	ServiceAccount string // username or email of the account that connects
	AppID          string
	HasAppSecret   bool
	BusinessID     string // "" until step 2 is saved
	Status         string // one of the Integration* statuses
	HasToken       bool
	Scopes         []string
	ConnectedBy    string // email of the admin who connected it, "" if unknown
	ConnectedAt    time.Time
	CurrentRunID   int64 // the run whose snapshot is shown; 0 when none
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// IntegrationFields are the fields of the wizard's first step.
type IntegrationFields struct {
	Name           string
	Environment    string
	ServiceAccount string
	AppID          string
	// APIURL is an API base other than the environment's own (see
	// SyncTarget.APIURL); empty for integrations made by the wizard.
	APIURL string
}

const integrationColumns = `i.id, i.name, i.environment, i.service_account, i.app_id,
	i.app_secret_sealed IS NOT NULL, i.business_id, i.status,
	(i.access_token_sealed IS NOT NULL OR i.refresh_token_sealed IS NOT NULL), i.scopes,
	coalesce(a.email, ''), coalesce(i.connected_at, 0), coalesce(i.current_run_id, 0), i.created_at, i.updated_at`

const integrationFrom = ` FROM integrations i LEFT JOIN admins a ON a.id = i.connected_by`

func scanIntegration(sc interface{ Scan(...any) error }) (Integration, error) {
	var in Integration
	var scopes string
	var connected, created, updated int64
	err := sc.Scan(&in.ID, &in.Name, &in.Environment, &in.ServiceAccount, &in.AppID, &in.HasAppSecret,
		&in.BusinessID, &in.Status, &in.HasToken, &scopes, &in.ConnectedBy, &connected, &in.CurrentRunID,
		&created, &updated)
	in.Scopes = strings.Fields(strings.ReplaceAll(scopes, ",", " "))
	in.ConnectedAt, in.CreatedAt, in.UpdatedAt = fromMilli(connected), fromMilli(created), fromMilli(updated)
	return in, err
}

// CreateIntegration adds a draft integration with the first step's fields.
// sealAppSecret, called with the new id inside the same transaction, returns
// the sealed app secret (its label names the id); nil stores none.
func (s *Store) CreateIntegration(ctx context.Context, f IntegrationFields, sealAppSecret func(id int64) []byte) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UnixMilli()
		err := tx.QueryRowContext(ctx, `INSERT INTO integrations (name, environment, service_account, app_id, api_url, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`, f.Name, f.Environment, f.ServiceAccount, f.AppID, f.APIURL, now, now).Scan(&id)
		if err != nil {
			return err
		}
		if sealAppSecret == nil {
			return nil
		}
		if sealed := sealAppSecret(id); sealed != nil {
			_, err = tx.ExecContext(ctx, `UPDATE integrations SET app_secret_sealed = ? WHERE id = ?`, sealed, id)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: create integration: %w", err)
	}
	return id, nil
}

// UpdateIntegrationFields changes the first step's fields of an integration
// that is not connected; appSecretSealed replaces the app secret unless it
// is nil. A connected integration is left alone and ErrIntegrationConnected
// returned.
func (s *Store) UpdateIntegrationFields(ctx context.Context, id int64, f IntegrationFields, appSecretSealed []byte) error {
	return s.updateUnconnected(ctx, id, "update integration", `UPDATE integrations SET name = ?, environment = ?, service_account = ?,
		app_id = ?, app_secret_sealed = coalesce(?, app_secret_sealed), updated_at = ? WHERE id = ? AND status <> 'connected'`,
		f.Name, f.Environment, f.ServiceAccount, f.AppID, appSecretSealed, s.now().UnixMilli(), id)
}

// SetIntegrationBusiness records the Business Manager ID of an integration
// that is not connected (ErrIntegrationConnected otherwise).
func (s *Store) SetIntegrationBusiness(ctx context.Context, id int64, businessID string) error {
	return s.updateUnconnected(ctx, id, "set business ID", `UPDATE integrations SET business_id = ?, updated_at = ?
		WHERE id = ? AND status <> 'connected'`, businessID, s.now().UnixMilli(), id)
}

// ErrIntegrationConnected is returned when a change needs the integration
// not to be connected (disconnect it first).
var ErrIntegrationConnected = errors.New("store: the integration is connected")

func (s *Store) updateUnconnected(ctx context.Context, id int64, what, q string, args ...any) error {
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := s.Integration(ctx, id); err != nil {
		return err
	}
	return ErrIntegrationConnected
}

// Integration returns one integration, or ErrNotFound.
func (s *Store) Integration(ctx context.Context, id int64) (Integration, error) {
	in, err := scanIntegration(s.read.QueryRowContext(ctx, `SELECT `+integrationColumns+integrationFrom+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Integration{}, ErrNotFound
	}
	if err != nil {
		return Integration{}, fmt.Errorf("store: integration %d: %w", id, err)
	}
	return in, nil
}

// Integrations lists every integration, by name.
func (s *Store) Integrations(ctx context.Context) ([]Integration, error) {
	return queryAll(ctx, s.read, "list integrations", func(r *sql.Rows) (Integration, error) { return scanIntegration(r) },
		`SELECT `+integrationColumns+integrationFrom+` ORDER BY i.name COLLATE NOCASE, i.id`)
}

// IntegrationOverview is an integration with its latest run and the counts
// of the snapshot it shows, for the dashboard.
type IntegrationOverview struct {
	Integration
	// LastRun is the newest run; its ID is 0 when there has been none.
	LastRun Run
	// Counts are those of the current snapshot (zero when none).
	Counts RunCounts
}

// IntegrationOverviews lists every integration with its latest run and
// current counts, by name.
func (s *Store) IntegrationOverviews(ctx context.Context) ([]IntegrationOverview, error) {
	ins, err := s.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]IntegrationOverview, len(ins))
	for i, in := range ins {
		out[i].Integration = in
		runs, err := s.Runs(ctx, in.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			out[i].LastRun = runs[0]
		}
		if in.CurrentRunID != 0 {
			cur, err := s.Run(ctx, in.CurrentRunID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			out[i].Counts = cur.Counts
		}
	}
	return out, nil
}

// Connection is what a successful OAuth connection stores: the sealed
// tokens, their expiries, the granted scopes and the admin who connected
// (0 when done from the command line).
type Connection struct {
	AccessSealed   []byte
	RefreshSealed  []byte // nil when there is no refresh token
	Expires        time.Time
	RefreshExpires time.Time
	Scopes         []string
	AdminID        int64
}

// ConnectIntegration stores the tokens of a verified connection and marks
// the integration connected, in one statement.
func (s *Store) ConnectIntegration(ctx context.Context, id int64, c Connection) error {
	var admin any
	if c.AdminID != 0 {
		admin = c.AdminID
	}
	now := s.now().UnixMilli()
	res, err := s.w.ExecContext(ctx, `UPDATE integrations SET status = 'connected', access_token_sealed = ?,
		refresh_token_sealed = ?, token_expires_at = ?, refresh_expires_at = ?, scopes = ?, connected_by = ?,
		connected_at = ?, updated_at = ? WHERE id = ?`,
		c.AccessSealed, c.RefreshSealed, nullMilli(c.Expires), nullMilli(c.RefreshExpires), strings.Join(c.Scopes, ","),
		admin, now, now, id)
	if err != nil {
		return fmt.Errorf("store: connect integration %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DisconnectIntegration forgets the integration's tokens and marks it
// disconnected; its setup and inventory stay.
func (s *Store) DisconnectIntegration(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE integrations SET status = 'disconnected', access_token_sealed = NULL,
		refresh_token_sealed = NULL, token_expires_at = NULL, refresh_expires_at = NULL, scopes = '', updated_at = ?
		WHERE id = ?`, s.now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("store: disconnect integration %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteIntegration removes an integration and all its data: runs,
// snapshots, changes and entity keys. It refuses (ErrRunActive) while a
// sync runs.
func (s *Store) DeleteIntegration(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var running int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sync_runs WHERE integration_id = ? AND status = 'running'`, id).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return ErrRunActive
		}
		// Snapshot rows have no foreign key (they are keyed by run for
		// speed), so they go first; the rest cascades from integrations.
		for _, t := range snapshotTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE run_id IN (SELECT id FROM sync_runs WHERE integration_id = ?)`, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM integrations WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	// The deleted runs' IDs may be given to new runs: forget what was
	// computed from their snapshots.
	s.cache.clear()
	s.anchors.clear()
	s.lists.clear()
	s.searches.clear()
	if errors.Is(err, ErrRunActive) || errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: delete integration %d: %w", id, err)
	}
	return nil
}

func nullMilli(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}
