// Package store keeps pinaccess's data in SQLite: one Store over the
// database file, a file per table or concept, the SQL beside its method.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrNotSQLite is returned when the database path holds a file that is not
// an SQLite database.
var ErrNotSQLite = errors.New("store: the file is not an SQLite database")

// Store is pinaccess's database. Writes go through a single connection
// (SQLite allows one writer; queuing in Go beats spinning on SQLITE_BUSY),
// reads through a small pool that WAL lets run beside the writer.
type Store struct {
	path string
	w    *sql.DB
	r    *sql.DB
	// read runs reads on r through kept prepared statements.
	read *reader
	now  func() time.Time
	// cache keeps what is computed from finished snapshots.
	cache *snapshotCache
	// anchors holds the seek points of long lists (see listAnchors), apart
	// from cache because each is large: up to a few hundred kilobytes.
	anchors *snapshotCache
	// lists holds list indexes (see listIndex) and access indexes (see
	// accessIndex), megabytes each.
	lists *snapshotCache
	// searches holds the assets and the principals matching recent
	// searches of the access list (see assetsMatching,
	// principalsMatching), up to 80 kB each.
	searches *snapshotCache
}

// Open opens (creating if needed) the database at path, checks that it is an
// SQLite file, and applies pending migrations. A database written by a newer
// pinaccess is refused.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create directory for database: %w", err)
		}
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	w, err := openPool(path, 1, true)
	if err != nil {
		return nil, err
	}
	r, err := openPool(path, max(4, runtime.GOMAXPROCS(0)), false)
	if err != nil {
		w.Close()
		return nil, err
	}
	s := &Store{path: path, w: w, r: r, read: newReader(r, readerStatements), now: time.Now,
		cache: newSnapshotCache(snapshotCacheSize), anchors: newSnapshotCache(anchorListsKept),
		lists:    newSnapshotCache(listIndexesKept),
		searches: newSnapshotCache(searchesKept)}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPool(path string, conns int, writer bool) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		"temp_store(MEMORY)",
	} {
		q.Add("_pragma", p)
	}
	if writer {
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half-way with SQLITE_BUSY on lock upgrade.
		q.Set("_txlock", "immediate")
		// The writer keeps the pages a sync writes and compares (32 MB).
		q.Add("_pragma", "cache_size(-32000)")
	} else {
		q.Add("_pragma", "query_only(1)")
		// Each reader has a cache of its own: 8 MB apiece holds what
		// pages read (indexes' upper levels, a page's rows), while a
		// query that reads the whole database, such as an export, reads
		// through the operating system's file cache instead of growing
		// the process by the size of the database.
		q.Add("_pragma", "cache_size(-8000)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// checkHeader refuses a non-empty file that does not start with SQLite's
// magic header, before the driver gets a chance to misread it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF || err == nil) {
		return nil // an empty file becomes a new database
	}
	if n < 16 || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%w: %s (move it away or choose another --db)", ErrNotSQLite, path)
	}
	return nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.read.close()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// SetClock replaces the store's clock; tests use it to control time stamps.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// inTx runs fn in a write transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// unixMilli turns a stored millisecond time into a time.Time; zero stays zero.
func fromMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
