package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Run statuses.
const (
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunCancelled   = "cancelled"
	RunInterrupted = "interrupted"
	RunNeedsReview = "needs_review"
	RunDiscarded   = "discarded"
)

// ErrRunActive is returned by StartRun when the integration already has a
// running run (started by this process or another one).
var ErrRunActive = errors.New("store: a sync is already running for this integration")

// ErrRunState is returned when a run is not in the state an operation needs,
// such as accepting a run that is not held for review.
var ErrRunState = errors.New("store: the sync run is not in a state that allows this")

// Run is one sync run of an integration.
type Run struct {
	ID            int64
	IntegrationID int64
	Trigger       string // manual, scheduled, cli, wizard
	Status        string
	StartedAt     time.Time
	FinishedAt    time.Time // zero while running
	Phase         string
	ProgressDone  int64
	ProgressTotal int64 // 0 when not known
	Error         string
	ReviewReason  string
	Counts        RunCounts
	Removed       RunRemovals
	APICalls      map[string]int64 // operation -> calls
	APICallsTotal int64
	Retries       int64
	Strategy      string
	BaseRunID     int64 // the snapshot this run was compared with; 0 for the first
	HasSnapshot   bool
}

// Duration is how long the run took (so far, while running).
func (r Run) Duration(now time.Time) time.Duration {
	if r.FinishedAt.IsZero() {
		return now.Sub(r.StartedAt)
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// Finished reports whether the run has ended, one way or another. A run held
// for review has finished fetching.
func (r Run) Finished() bool { return r.Status != RunRunning }

// RunCounts are the per-entity counts of a run's snapshot.
type RunCounts struct {
	Members, Partners, Assets, Grants, Pixels, Invites, Changes int64
}

// RunRemovals counts what a run removed compared with the snapshot current
// when it finished; grants count grantee × asset × permission rows.
type RunRemovals struct {
	Members, Partners, Grants int64
}

// RunStats is what the importer reports about its API use.
type RunStats struct {
	APICalls map[string]int64
	Retries  int64
	Strategy string
}

const runColumns = `id, integration_id, trigger, status, started_at, coalesce(finished_at, 0),
	phase, progress_done, progress_total, error, review_reason,
	members, partners, assets, grants, pixels, invites, changes,
	members_removed, partners_removed, grants_removed,
	api_calls, api_calls_total, retries, strategy, coalesce(base_run_id, 0), has_snapshot`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started, finished int64
	var calls string
	err := sc.Scan(&r.ID, &r.IntegrationID, &r.Trigger, &r.Status, &started, &finished,
		&r.Phase, &r.ProgressDone, &r.ProgressTotal, &r.Error, &r.ReviewReason,
		&r.Counts.Members, &r.Counts.Partners, &r.Counts.Assets, &r.Counts.Grants,
		&r.Counts.Pixels, &r.Counts.Invites, &r.Counts.Changes,
		&r.Removed.Members, &r.Removed.Partners, &r.Removed.Grants,
		&calls, &r.APICallsTotal, &r.Retries, &r.Strategy, &r.BaseRunID, &r.HasSnapshot)
	if err != nil {
		return r, err
	}
	r.StartedAt = fromMilli(started)
	r.FinishedAt = fromMilli(finished)
	r.APICalls = map[string]int64{}
	_ = json.Unmarshal([]byte(calls), &r.APICalls) // written by us; an unreadable value shows as no calls
	return r, nil
}

// StartRun records a new running run for the integration. It returns
// ErrRunActive if one is already running.
func (s *Store) StartRun(ctx context.Context, integrationID int64, trigger string) (Run, error) {
	var id int64
	err := s.w.QueryRowContext(ctx, `
		INSERT INTO sync_runs (integration_id, trigger, status, started_at, phase, has_snapshot)
		VALUES (?, ?, 'running', ?, 'starting', 1) RETURNING id`,
		integrationID, trigger, s.now().UnixMilli()).Scan(&id)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return Run{}, ErrRunActive
		}
		return Run{}, fmt.Errorf("store: start run: %w", err)
	}
	return s.Run(ctx, id)
}

// Run returns one run, or ErrNotFound.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM sync_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: run %d: %w", id, err)
	}
	return r, nil
}

// Runs lists an integration's runs, newest first, at most limit (0: all).
func (s *Store) Runs(ctx context.Context, integrationID int64, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE integration_id = ? ORDER BY id DESC LIMIT ?`, integrationID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list runs: %w", err)
	}
	return out, nil
}

// RunningRun returns the integration's running run, or ErrNotFound.
func (s *Store) RunningRun(ctx context.Context, integrationID int64) (Run, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE integration_id = ? AND status = 'running'`, integrationID))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: running run: %w", err)
	}
	return r, nil
}

// CurrentRunID returns the run whose snapshot the integration shows, or 0
// when it has none yet.
func (s *Store) CurrentRunID(ctx context.Context, integrationID int64) (int64, error) {
	var id sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT current_run_id FROM integrations WHERE id = ?`, integrationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: current run: %w", err)
	}
	return id.Int64, nil
}

// SetRunProgress records a running run's phase and progress; total 0 means
// not known. It does nothing once the run has ended.
func (s *Store) SetRunProgress(ctx context.Context, runID int64, phase string, done, total int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sync_runs SET phase = ?, progress_done = ?, progress_total = ?
		WHERE id = ? AND status = 'running'`, phase, done, total, runID)
	if err != nil {
		return fmt.Errorf("store: run progress: %w", err)
	}
	return nil
}

// FailRun ends a running run as failed (or cancelled, with status
// RunCancelled) with a readable reason, and deletes its partial snapshot.
// The integration's current snapshot is not touched.
func (s *Store) FailRun(ctx context.Context, runID int64, status, reason string, stats RunStats) error {
	if status != RunFailed && status != RunCancelled {
		return fmt.Errorf("store: fail run: status %q is not failed or cancelled", status)
	}
	if err := s.deleteSnapshotRows(ctx, runID); err != nil {
		return err
	}
	calls, total := encodeCalls(stats.APICalls)
	res, err := s.w.ExecContext(ctx, `UPDATE sync_runs SET status = ?, error = ?, finished_at = ?,
		api_calls = ?, api_calls_total = ?, retries = ?, strategy = ?, has_snapshot = 0
		WHERE id = ? AND status = 'running'`,
		status, reason, s.now().UnixMilli(), calls, total, stats.Retries, stats.Strategy, runID)
	if err != nil {
		return fmt.Errorf("store: fail run: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrRunState
	}
	return nil
}

// MarkInterruptedRuns turns every run still marked running into
// "interrupted" and deletes their partial snapshots. Call it at start-up,
// before any sync starts. It returns how many runs it marked.
func (s *Store) MarkInterruptedRuns(ctx context.Context) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM sync_runs WHERE status = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("store: interrupted runs: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: interrupted runs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.deleteSnapshotRows(ctx, id); err != nil {
			return 0, err
		}
		_, err := s.w.ExecContext(ctx, `UPDATE sync_runs SET status = 'interrupted', finished_at = ?, has_snapshot = 0,
			error = 'pinaccess stopped while this sync was running' WHERE id = ? AND status = 'running'`,
			s.now().UnixMilli(), id)
		if err != nil {
			return 0, fmt.Errorf("store: mark run interrupted: %w", err)
		}
	}
	return len(ids), nil
}

func encodeCalls(calls map[string]int64) (string, int64) {
	if calls == nil {
		calls = map[string]int64{}
	}
	var total int64
	for _, n := range calls {
		total += n
	}
	b, _ := json.Marshal(calls) // a map of string to int always encodes
	return string(b), total
}

// snapshotTables are the tables keyed by run_id that hold a snapshot.
var snapshotTables = []string{
	"snap_members", "snap_partners", "snap_assets", "snap_group_contents",
	"snap_grants", "snap_pixels", "snap_invites", "snap_invite_assets",
}

// deleteSnapshotRows removes a run's snapshot rows. Every snapshot table's
// key starts with run_id, so each delete is a range of the table; one
// transaction per table keeps the single writer free in between.
func (s *Store) deleteSnapshotRows(ctx context.Context, runID int64) error {
	for _, t := range snapshotTables {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM `+t+` WHERE run_id = ?`, runID); err != nil {
			return fmt.Errorf("store: delete snapshot of run %d from %s: %w", runID, t, err)
		}
	}
	return nil
}
