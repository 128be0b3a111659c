package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Change kinds.
const (
	ChangeMemberAdded    = "member_added"
	ChangeMemberRemoved  = "member_removed"
	ChangePartnerAdded   = "partner_added"
	ChangePartnerRemoved = "partner_removed"
	ChangeAssetAdded     = "asset_added"
	ChangeAssetRemoved   = "asset_removed"
	ChangePixelAdded     = "pixel_added"
	ChangePixelRemoved   = "pixel_removed"
	ChangeRoleChanged    = "role_changed"
	ChangeGrantAdded     = "grant_added"
	ChangeGrantRemoved   = "grant_removed"
	ChangeGrantChanged   = "grant_changed"
)

// Change is one difference between a run's snapshot and the snapshot that
// was current before it.
//
// Grant changes are recorded for grantees and assets present in both
// snapshots; a member, partner or asset that appears or disappears is one
// change, which implies its grants.
type Change struct {
	ID          int64
	RunID       int64
	Kind        string
	SubjectType string // member, partner, asset, pixel
	SubjectID   string // Pinterest ID
	SubjectName string
	AssetID     string // grants and pixels: the asset (for pixels, the ad account)
	AssetName   string
	AssetType   string
	Before      string // business roles or permissions before (comma-separated)
	After       string
}

// FinishRun ends a run whose snapshot is completely written. In one
// transaction it counts the snapshot, compares it with the current one and
// records the changes, then either makes it current (status succeeded) or,
// when it would remove more than the integration's review threshold of the
// current members, partners or grants (or empties what had data), holds it
// as needs_review with the reason. Older held runs are discarded and old
// snapshots pruned to the retention setting.
func (s *Store) FinishRun(ctx context.Context, runID int64, stats RunStats) (Run, error) {
	var superseded []int64
	err := s.withGrantDiff(ctx, runID, func(tx *sql.Tx, grants grantDiff) error {
		var integrationID, base, threshold int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT r.integration_id, r.status, coalesce(i.current_run_id, 0), i.review_threshold_pct
			FROM sync_runs r JOIN integrations i ON i.id = r.integration_id WHERE r.id = ?`, runID).
			Scan(&integrationID, &status, &base, &threshold)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != RunRunning {
			return ErrRunState
		}
		if base != grants.base {
			return errBaseMoved
		}
		counts, err := countSnapshot(ctx, tx, runID)
		if err != nil {
			return err
		}
		removed, err := countRemovals(ctx, tx, runID, base, grants)
		if err != nil {
			return err
		}
		reason := ""
		if base != 0 {
			old, err := countSnapshot(ctx, tx, base)
			if err != nil {
				return err
			}
			reason = reviewReason(old, counts, removed, threshold)
		}
		nChanges, err := recordChanges(ctx, tx, integrationID, runID, base, grants)
		if err != nil {
			return err
		}
		counts.Changes = nChanges
		newStatus := RunSucceeded
		if reason != "" {
			newStatus = RunNeedsReview
		}
		calls, total := encodeCalls(stats.APICalls)
		_, err = tx.ExecContext(ctx, `UPDATE sync_runs SET status = ?, finished_at = ?, phase = 'done',
			review_reason = ?, members = ?, partners = ?, assets = ?, grants = ?, pixels = ?, invites = ?, changes = ?,
			members_removed = ?, partners_removed = ?, grants_removed = ?,
			api_calls = ?, api_calls_total = ?, retries = ?, strategy = ?, base_run_id = nullif(?, 0)
			WHERE id = ?`,
			newStatus, s.now().UnixMilli(), reason, counts.Members, counts.Partners, counts.Assets, counts.Grants,
			counts.Pixels, counts.Invites, counts.Changes, removed.Members, removed.Partners, removed.Grants,
			calls, total, stats.Retries, stats.Strategy, base, runID)
		if err != nil {
			return err
		}
		// A newer run supersedes runs still waiting for review.
		superseded, err = heldRuns(ctx, tx, integrationID, runID)
		if err != nil {
			return err
		}
		for _, id := range superseded {
			if err := discardTx(ctx, tx, id, "superseded by a newer sync"); err != nil {
				return err
			}
		}
		if newStatus == RunSucceeded {
			if _, err := tx.ExecContext(ctx, `UPDATE integrations SET current_run_id = ? WHERE id = ?`, runID, integrationID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrRunState) {
			return Run{}, err
		}
		return Run{}, fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	for _, id := range superseded {
		if err := s.deleteSnapshotRows(ctx, id); err != nil {
			return Run{}, err
		}
	}
	r, err := s.Run(ctx, runID)
	if err != nil {
		return Run{}, err
	}
	if err := s.PruneSnapshots(ctx, r.IntegrationID); err != nil {
		return Run{}, err
	}
	return r, nil
}

// errBaseMoved means the integration's current snapshot changed between
// diffing and the finishing transaction; the diff is redone.
var errBaseMoved = errors.New("store: the current snapshot moved")

// withGrantDiff diffs the run's grants against the integration's current
// snapshot outside any transaction (the slow part, on the read pool), then
// runs fn in a write transaction with it. fn returns errBaseMoved if the
// current snapshot is no longer the one diffed; that is retried.
func (s *Store) withGrantDiff(ctx context.Context, runID int64, fn func(tx *sql.Tx, grants grantDiff) error) error {
	for attempt := 0; ; attempt++ {
		var base sql.NullInt64
		err := s.read.QueryRowContext(ctx, `SELECT i.current_run_id FROM sync_runs r JOIN integrations i ON i.id = r.integration_id
			WHERE r.id = ?`, runID).Scan(&base)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		grants, err := s.diffGrants(ctx, runID, base.Int64)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error { return fn(tx, grants) })
		if !errors.Is(err, errBaseMoved) || attempt == 3 {
			return err
		}
	}
}

// reviewReason says why a run must be held for review, or "" when it can be
// applied. threshold is a percentage; 0 turns the percentage check off, but
// a run that empties a kind of data the current snapshot has is always held.
func reviewReason(old, cur RunCounts, removed RunRemovals, threshold int64) string {
	var why []string
	for _, k := range []struct {
		name           string
		old, cur, gone int64
	}{
		{"members", old.Members, cur.Members, removed.Members},
		{"partners", old.Partners, cur.Partners, removed.Partners},
		{"grants", old.Grants, cur.Grants, removed.Grants},
	} {
		switch {
		case k.old > 0 && k.cur == 0:
			why = append(why, fmt.Sprintf("it found no %s where the current snapshot has %d", k.name, k.old))
		case threshold > 0 && k.old > 0 && k.gone*100 > threshold*k.old:
			why = append(why, fmt.Sprintf("it would remove %d of %d %s (%.0f%%, more than the %d%% threshold)",
				k.gone, k.old, k.name, float64(k.gone)*100/float64(k.old), threshold))
		}
	}
	if old.Assets > 0 && cur.Assets == 0 {
		why = append(why, fmt.Sprintf("it found no assets where the current snapshot has %d", old.Assets))
	}
	if len(why) == 0 {
		return ""
	}
	return "Held for review: " + strings.Join(why, "; ") + "."
}

func countSnapshot(ctx context.Context, tx *sql.Tx, runID int64) (RunCounts, error) {
	var c RunCounts
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM snap_members WHERE run_id = ?1),
		(SELECT count(*) FROM snap_partners WHERE run_id = ?1),
		(SELECT count(*) FROM snap_assets WHERE run_id = ?1),
		(SELECT count(*) FROM snap_grants WHERE run_id = ?1),
		(SELECT count(*) FROM snap_pixels WHERE run_id = ?1),
		(SELECT count(*) FROM snap_invites WHERE run_id = ?1)`, runID).
		Scan(&c.Members, &c.Partners, &c.Assets, &c.Grants, &c.Pixels, &c.Invites)
	if err != nil {
		return c, fmt.Errorf("count snapshot: %w", err)
	}
	return c, nil
}

func countRemovals(ctx context.Context, tx *sql.Tx, runID, base int64, grants grantDiff) (RunRemovals, error) {
	r := RunRemovals{Grants: grants.removedRows}
	if base == 0 {
		return r, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM snap_members o WHERE o.run_id = ?2
			AND NOT EXISTS (SELECT 1 FROM snap_members n WHERE n.run_id = ?1 AND n.id = o.id)),
		(SELECT count(*) FROM snap_partners o WHERE o.run_id = ?2
			AND NOT EXISTS (SELECT 1 FROM snap_partners n WHERE n.run_id = ?1 AND n.id = o.id))`, runID, base).
		Scan(&r.Members, &r.Partners)
	if err != nil {
		return r, fmt.Errorf("count removals: %w", err)
	}
	return r, nil
}

// recordChanges writes the differences between the snapshots of runID and
// base (0: no previous snapshot, so nothing is recorded: the first import is
// not a list of additions) and returns how many it wrote.
func recordChanges(ctx context.Context, tx *sql.Tx, integrationID, runID, base int64, grants grantDiff) (int64, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE run_id = ?`, runID); err != nil {
		return 0, fmt.Errorf("clear changes: %w", err)
	}
	if base == 0 {
		return 0, nil
	}
	// ?1 integration, ?2 new run, ?3 old run.
	added := func(kind, table, subjectType, name, after, assetCols string) string {
		return `INSERT INTO changes (integration_id, run_id, kind, subject_type, subject_id, subject_name, after,
			asset_id, asset_name, asset_type, search)
			SELECT ?1, ?2, '` + kind + `', '` + subjectType + `', n.ext_id, ` + name + `, ` + after + `, ` + assetCols + `, n.search
			FROM ` + table + ` n WHERE n.run_id = ?2
			AND NOT EXISTS (SELECT 1 FROM ` + table + ` o WHERE o.run_id = ?3 AND o.id = n.id)`
	}
	removed := func(kind, table, subjectType, name, before, assetCols string) string {
		return `INSERT INTO changes (integration_id, run_id, kind, subject_type, subject_id, subject_name, before,
			asset_id, asset_name, asset_type, search)
			SELECT ?1, ?2, '` + kind + `', '` + subjectType + `', n.ext_id, ` + name + `, ` + before + `, ` + assetCols + `, n.search
			FROM ` + table + ` n WHERE n.run_id = ?3
			AND NOT EXISTS (SELECT 1 FROM ` + table + ` o WHERE o.run_id = ?2 AND o.id = n.id)`
	}
	const person = `iif(n.username <> '', n.username, n.email)`
	const noAsset = `'', '', ''`
	const assetSelf = `n.ext_id, n.name, n.asset_type`
	pixelAsset := func(run string) string {
		return `n.ad_account_ext_id, coalesce((SELECT a.name FROM snap_assets a WHERE a.run_id = ` + run +
			` AND a.id = n.ad_account_id), ''), 'AD_ACCOUNT'`
	}
	stmts := []string{
		added(ChangeMemberAdded, "snap_members", "member", person, "n.business_roles", noAsset),
		removed(ChangeMemberRemoved, "snap_members", "member", person, "n.business_roles", noAsset),
		added(ChangePartnerAdded, "snap_partners", "partner", person, "n.partner_type", noAsset),
		removed(ChangePartnerRemoved, "snap_partners", "partner", person, "n.partner_type", noAsset),
		added(ChangeAssetAdded, "snap_assets", "asset", "n.name", "''", assetSelf),
		removed(ChangeAssetRemoved, "snap_assets", "asset", "n.name", "''", assetSelf),
		added(ChangePixelAdded, "snap_pixels", "pixel", "n.name", "n.status", pixelAsset("?2")),
		removed(ChangePixelRemoved, "snap_pixels", "pixel", "n.name", "n.status", pixelAsset("?3")),
		`INSERT INTO changes (integration_id, run_id, kind, subject_type, subject_id, subject_name, before, after, search)
			SELECT ?1, ?2, '` + ChangeRoleChanged + `', 'member', n.ext_id, ` + person + `, o.business_roles, n.business_roles, n.search
			FROM snap_members n JOIN snap_members o ON o.run_id = ?3 AND o.id = n.id
			WHERE n.run_id = ?2 AND n.business_roles <> o.business_roles`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, integrationID, runID, base); err != nil {
			return 0, fmt.Errorf("record changes: %w", err)
		}
	}
	if err := recordGrantChanges(ctx, tx, integrationID, grants); err != nil {
		return 0, fmt.Errorf("record grant changes: %w", err)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM changes WHERE run_id = ?`, runID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	return n, nil
}

func heldRuns(ctx context.Context, tx *sql.Tx, integrationID, except int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM sync_runs WHERE integration_id = ? AND status = 'needs_review' AND id <> ?`,
		integrationID, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func discardTx(ctx context.Context, tx *sql.Tx, runID int64, why string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE run_id = ?`, runID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE sync_runs SET status = 'discarded', has_snapshot = 0, changes = 0,
		review_reason = review_reason || ' Discarded: ' || ? || '.' WHERE id = ?`, why, runID)
	return err
}

// AcceptRun applies a run held for review: it becomes the current snapshot,
// with its changes recomputed against the snapshot current now.
func (s *Store) AcceptRun(ctx context.Context, runID int64) (Run, error) {
	err := s.withGrantDiff(ctx, runID, func(tx *sql.Tx, grants grantDiff) error {
		var integrationID, base int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT r.integration_id, r.status, coalesce(i.current_run_id, 0)
			FROM sync_runs r JOIN integrations i ON i.id = r.integration_id WHERE r.id = ?`, runID).
			Scan(&integrationID, &status, &base)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != RunNeedsReview {
			return ErrRunState
		}
		if base != grants.base {
			return errBaseMoved
		}
		n, err := recordChanges(ctx, tx, integrationID, runID, base, grants)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync_runs SET status = 'succeeded', changes = ?, base_run_id = nullif(?, 0),
			review_reason = review_reason || ' Accepted.' WHERE id = ?`, n, base, runID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE integrations SET current_run_id = ? WHERE id = ?`, runID, integrationID)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrRunState) {
			return Run{}, err
		}
		return Run{}, fmt.Errorf("store: accept run %d: %w", runID, err)
	}
	r, err := s.Run(ctx, runID)
	if err != nil {
		return Run{}, err
	}
	return r, s.PruneSnapshots(ctx, r.IntegrationID)
}

// DiscardRun throws away a run held for review; the current snapshot stays.
func (s *Store) DiscardRun(ctx context.Context, runID int64) (Run, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM sync_runs WHERE id = ?`, runID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != RunNeedsReview {
			return ErrRunState
		}
		return discardTx(ctx, tx, runID, "by an admin")
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrRunState) {
			return Run{}, err
		}
		return Run{}, fmt.Errorf("store: discard run %d: %w", runID, err)
	}
	if err := s.deleteSnapshotRows(ctx, runID); err != nil {
		return Run{}, err
	}
	return s.Run(ctx, runID)
}

// PruneSnapshots deletes the snapshots of an integration's succeeded runs
// beyond its retention setting (the newest N are kept, the current one
// always). The run records stay, marked as having no snapshot.
func (s *Store) PruneSnapshots(ctx context.Context, integrationID int64) error {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id FROM sync_runs r JOIN integrations i ON i.id = r.integration_id
		WHERE r.integration_id = ? AND r.status = 'succeeded' AND r.has_snapshot = 1
			AND r.id IS NOT coalesce(i.current_run_id, 0)
		ORDER BY r.id DESC LIMIT -1 OFFSET (SELECT max(retention_runs - 1, 0) FROM integrations WHERE id = ?)`,
		integrationID, integrationID)
	if err != nil {
		return fmt.Errorf("store: prune snapshots: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("store: prune snapshots: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := s.w.ExecContext(ctx, `UPDATE sync_runs SET has_snapshot = 0 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: prune snapshots: %w", err)
		}
		if err := s.deleteSnapshotRows(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Changes lists the changes a run recorded, in a stable order.
func (s *Store) Changes(ctx context.Context, runID int64) ([]Change, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, run_id, kind, subject_type, subject_id, subject_name,
		asset_id, asset_name, asset_type, before, after FROM changes WHERE run_id = ? ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("store: changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.ID, &c.RunID, &c.Kind, &c.SubjectType, &c.SubjectID, &c.SubjectName,
			&c.AssetID, &c.AssetName, &c.AssetType, &c.Before, &c.After); err != nil {
			return nil, fmt.Errorf("store: changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: changes: %w", err)
	}
	return out, nil
}
