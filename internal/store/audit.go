package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Audit actions.
const (
	AuditExport = "export"
)

// Audit outcomes: an entry is running until the action ends one of the
// other ways.
const (
	AuditRunning   = "running"
	AuditCompleted = "completed"
	AuditCancelled = "cancelled"
	AuditFailed    = "failed"
)

// AuditActorCLI is the actor of actions taken on the command line.
const AuditActorCLI = "cli"

// AuditEntry is one action recorded in the audit log.
type AuditEntry struct {
	ID              int64
	At              time.Time
	FinishedAt      time.Time // zero while running
	Actor           string    // the admin's email, or AuditActorCLI
	AdminID         int64     // 0 for the command line or a deleted admin
	Action          string    // AuditExport
	IntegrationID   int64     // 0 once the integration is deleted
	IntegrationName string
	BusinessID      string
	Kind            string // what was exported: members, access, …
	Filters         string // the list's query string, "" for everything
	Rows            int64
	Outcome         string // one of the Audit* outcomes
	Detail          string // why it failed
}

// AuditQuery selects audit entries, newest first. IntegrationID 0 means
// every integration. Page counts from 1; PerPage is capped at MaxPerPage.
type AuditQuery struct {
	IntegrationID int64
	Page          int
	PerPage       int
}

// AuditPage is one page of the audit log.
type AuditPage = Page[AuditEntry]

// StartAudit records the start of an action and returns the entry's id. At
// is the store's clock when zero; Outcome is always AuditRunning.
func (s *Store) StartAudit(ctx context.Context, e AuditEntry) (int64, error) {
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor, admin_id, action, integration_id,
		integration_name, business_id, kind, filters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		at.UnixMilli(), e.Actor, nullID(e.AdminID), e.Action, nullID(e.IntegrationID), e.IntegrationName,
		e.BusinessID, e.Kind, e.Filters).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: start audit entry: %w", err)
	}
	return id, nil
}

// FinishAudit completes a running entry with how many rows the action
// produced, its outcome and, when it failed, why. An entry already
// finished is left alone and ErrNotFound returned.
func (s *Store) FinishAudit(ctx context.Context, id, rows int64, outcome, detail string) error {
	switch outcome {
	case AuditCompleted, AuditCancelled, AuditFailed:
	default:
		return fmt.Errorf("store: finish audit entry %d: unknown outcome %q", id, outcome)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE audit_log SET finished_at = ?, rows = ?, outcome = ?, detail = ?
		WHERE id = ? AND outcome = 'running'`, s.now().UnixMilli(), rows, outcome, detail, id)
	if err != nil {
		return fmt.Errorf("store: finish audit entry %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const auditColumns = `id, at, coalesce(finished_at, 0), actor, coalesce(admin_id, 0), action,
	coalesce(integration_id, 0), integration_name, business_id, kind, filters, rows, outcome, detail`

func scanAudit(r *sql.Rows) (AuditEntry, error) {
	var e AuditEntry
	var at, fin int64
	err := r.Scan(&e.ID, &at, &fin, &e.Actor, &e.AdminID, &e.Action, &e.IntegrationID, &e.IntegrationName,
		&e.BusinessID, &e.Kind, &e.Filters, &e.Rows, &e.Outcome, &e.Detail)
	e.At, e.FinishedAt = fromMilli(at), fromMilli(fin)
	return e, err
}

// AuditEntries returns one page of the audit log, newest first, and how
// many entries match in all.
func (s *Store) AuditEntries(ctx context.Context, q AuditQuery) (AuditPage, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage = min(q.PerPage, MaxPerPage)
	// integration_id = 0 never matches (it is NULL or positive), so the
	// condition reads "this integration, or all when 0".
	const where = ` WHERE (? = 0 OR integration_id = ?)`
	rows, err := queryAll(ctx, s.read, "audit log", scanAudit,
		`SELECT `+auditColumns+` FROM audit_log`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		q.IntegrationID, q.IntegrationID, q.PerPage, (q.Page-1)*q.PerPage)
	if err != nil {
		return AuditPage{}, err
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, q.IntegrationID, q.IntegrationID).Scan(&total); err != nil {
		return AuditPage{}, fmt.Errorf("store: count audit log: %w", err)
	}
	return AuditPage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage}, nil
}

// AuditEntry returns one entry of the audit log, or ErrNotFound.
func (s *Store) AuditEntry(ctx context.Context, id int64) (AuditEntry, error) {
	es, err := queryAll(ctx, s.read, "audit entry", scanAudit, `SELECT `+auditColumns+` FROM audit_log WHERE id = ?`, id)
	if err != nil {
		return AuditEntry{}, err
	}
	if len(es) == 0 {
		return AuditEntry{}, ErrNotFound
	}
	return es[0], nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
