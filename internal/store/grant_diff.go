package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// grantDiff is the difference between two snapshots' grants: the grantee ×
// asset pairs whose permissions differ, and how many grant rows of the old
// snapshot are gone.
type grantDiff struct {
	base, run   int64
	pairs       []grantPair
	removedRows int64
}

type grantPair struct {
	grantee, asset int64
	before, after  []int64 // permission ids, ascending
}

type grantRow struct{ grantee, asset, perm int64 }

// diffGrants compares the grants of run with those of base (0: none) by
// reading both in key order side by side and merging them: two sequential
// range scans instead of a million index probes, on the read pool, so the
// single writer is not held while it runs. Snapshots are immutable once
// written, so reading them outside the finishing transaction is safe.
func (s *Store) diffGrants(ctx context.Context, run, base int64) (grantDiff, error) {
	d := grantDiff{base: base, run: run}
	if base == 0 {
		return d, nil
	}
	open := func(id int64) (*sql.Rows, error) {
		return s.read.QueryContext(ctx, `SELECT grantee_id, asset_id, permission_id FROM snap_grants
			WHERE run_id = ? ORDER BY grantee_id, asset_id, permission_id`, id)
	}
	newRows, err := open(run)
	if err != nil {
		return d, fmt.Errorf("store: diff grants: %w", err)
	}
	defer newRows.Close()
	oldRows, err := open(base)
	if err != nil {
		return d, fmt.Errorf("store: diff grants: %w", err)
	}
	defer oldRows.Close()
	next := func(rows *sql.Rows) (grantRow, bool, error) {
		var r grantRow
		if !rows.Next() {
			return r, false, rows.Err()
		}
		err := rows.Scan(&r.grantee, &r.asset, &r.perm)
		return r, err == nil, err
	}
	less := func(a, b grantRow) bool {
		if a.grantee != b.grantee {
			return a.grantee < b.grantee
		}
		if a.asset != b.asset {
			return a.asset < b.asset
		}
		return a.perm < b.perm
	}
	n, nok, err := next(newRows)
	if err != nil {
		return d, fmt.Errorf("store: diff grants: %w", err)
	}
	o, ook, err := next(oldRows)
	if err != nil {
		return d, fmt.Errorf("store: diff grants: %w", err)
	}
	// cur collects the permissions of one pair on both sides while the
	// merge is inside it; a pair with any difference is kept.
	var cur grantPair
	curDiffers, inPair := false, false
	flush := func() {
		if inPair && curDiffers {
			d.pairs = append(d.pairs, cur)
		}
		inPair, curDiffers = false, false
	}
	visit := func(r grantRow, side int, only bool) {
		if !inPair || cur.grantee != r.grantee || cur.asset != r.asset {
			flush()
			cur = grantPair{grantee: r.grantee, asset: r.asset}
			inPair = true
		}
		if side <= 0 {
			cur.before = append(cur.before, r.perm)
		}
		if side >= 0 {
			cur.after = append(cur.after, r.perm)
		}
		if only {
			curDiffers = true
		}
	}
	for nok || ook {
		switch {
		case nok && ook && n == o:
			visit(n, 0, false)
			if n, nok, err = next(newRows); err != nil {
				return d, fmt.Errorf("store: diff grants: %w", err)
			}
			if o, ook, err = next(oldRows); err != nil {
				return d, fmt.Errorf("store: diff grants: %w", err)
			}
		case !ook || (nok && less(n, o)):
			visit(n, 1, true)
			if n, nok, err = next(newRows); err != nil {
				return d, fmt.Errorf("store: diff grants: %w", err)
			}
		default:
			visit(o, -1, true)
			d.removedRows++
			if o, ook, err = next(oldRows); err != nil {
				return d, fmt.Errorf("store: diff grants: %w", err)
			}
		}
	}
	flush()
	return d, nil
}

// recordGrantChanges writes the grant changes of d for grantees and assets
// present in both snapshots, through a temporary table joined for names.
func recordGrantChanges(ctx context.Context, tx *sql.Tx, integrationID int64, d grantDiff) error {
	if len(d.pairs) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS grant_diff (
		grantee_id INTEGER NOT NULL, asset_id INTEGER NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.grant_diff`); err != nil {
		return err
	}
	names, err := roleNames(ctx, tx)
	if err != nil {
		return err
	}
	join := func(ids []int64) string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			out = append(out, names[id])
		}
		slices.Sort(out)
		s := ""
		for i, n := range out {
			if i > 0 {
				s += ","
			}
			s += n
		}
		return s
	}
	rows := make([][]any, 0, len(d.pairs))
	for _, p := range d.pairs {
		rows = append(rows, []any{p.grantee, p.asset, join(p.before), join(p.after)})
	}
	if err := insertRows(ctx, tx, `INSERT INTO temp.grant_diff (grantee_id, asset_id, before, after) VALUES `, ``, rows); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO changes (integration_id, run_id, kind, subject_type, subject_id, subject_name,
			asset_id, asset_name, asset_type, before, after, search)
		SELECT ?1, ?2,
			CASE WHEN d.before = '' THEN '`+ChangeGrantAdded+`' WHEN d.after = '' THEN '`+ChangeGrantRemoved+`'
				ELSE '`+ChangeGrantChanged+`' END,
			k.kind, k.ext_id, iif(coalesce(nm.username, np.username, '') <> '', coalesce(nm.username, np.username),
				coalesce(nm.email, np.email, '')),
			na.ext_id, na.name, na.asset_type, d.before, d.after,
			coalesce(nm.search, np.search, '') || ' ' || na.search
		FROM temp.grant_diff d
		JOIN entity_keys k ON k.id = d.grantee_id
		JOIN snap_assets na ON na.run_id = ?2 AND na.id = d.asset_id
		JOIN snap_assets oa ON oa.run_id = ?3 AND oa.id = d.asset_id
		LEFT JOIN snap_members nm ON k.kind = 'member' AND nm.run_id = ?2 AND nm.id = d.grantee_id
		LEFT JOIN snap_members om ON k.kind = 'member' AND om.run_id = ?3 AND om.id = d.grantee_id
		LEFT JOIN snap_partners np ON k.kind = 'partner' AND np.run_id = ?2 AND np.id = d.grantee_id
		LEFT JOIN snap_partners op ON k.kind = 'partner' AND op.run_id = ?3 AND op.id = d.grantee_id
		WHERE (nm.id IS NOT NULL AND om.id IS NOT NULL) OR (np.id IS NOT NULL AND op.id IS NOT NULL)
		ORDER BY k.kind, k.ext_id, na.ext_id`, integrationID, d.run, d.base)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM temp.grant_diff`)
	return err
}

func roleNames(ctx context.Context, tx *sql.Tx) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM access_roles`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		m[id] = name
	}
	return m, rows.Err()
}
