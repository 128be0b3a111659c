package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"pinaccess/db"
)

// ErrSchemaTooNew is returned when the database was migrated by a newer
// pinaccess than this one.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this pinaccess")

func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(db.Migrations, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, fsys)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	known := int64(0)
	for _, src := range p.ListSources() {
		known = max(known, src.Version)
	}
	current, err := dbVersion(ctx, s.w)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer pinaccess or restore a backup", ErrSchemaTooNew, current, known)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: apply migrations: %w", err)
	}
	return nil
}

// dbVersion reads goose's version table directly, so a version this binary
// does not know can be reported before goose refuses it less clearly.
func dbVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version WHERE is_applied = 1`).Scan(&v)
	return v.Int64, err
}
