package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// reader runs read queries on the read pool through prepared statements
// kept by their SQL text. Pages run the same few query shapes over and over;
// SQLite compiling each one anew would cost a page as much as reading its
// rows. At most max statements are kept, the least recently used closed
// first (database/sql closes a statement's per-connection handles once no
// query still uses them).
type reader struct {
	db    *sql.DB
	mu    sync.Mutex
	max   int
	stmts map[string]*list.Element
	lru   list.List // of *keptStmt, most recent first
}

type keptStmt struct {
	query   string
	stmt    *sql.Stmt
	users   int  // queries between taking the statement and starting on it
	evicted bool // no longer kept: closed when its last user has started
}

// readerStatements bounds the statements kept: every list's shapes (kind ×
// filters set × sort) that admins actually use, with room to spare.
const readerStatements = 512

func newReader(db *sql.DB, max int) *reader {
	return &reader{db: db, max: max, stmts: map[string]*list.Element{}}
}

// take returns the kept statement for query, preparing it if needed; the
// caller starts its query on it and then calls release.
func (r *reader) take(ctx context.Context, query string) (*keptStmt, error) {
	r.mu.Lock()
	if el, ok := r.stmts[query]; ok {
		r.lru.MoveToFront(el)
		k := el.Value.(*keptStmt)
		k.users++
		r.mu.Unlock()
		return k, nil
	}
	r.mu.Unlock()
	st, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.stmts[query]; ok { // prepared meanwhile by another caller
		st.Close()
		r.lru.MoveToFront(el)
		k := el.Value.(*keptStmt)
		k.users++
		return k, nil
	}
	k := &keptStmt{query: query, stmt: st, users: 1}
	r.stmts[query] = r.lru.PushFront(k)
	for r.lru.Len() > r.max {
		old := r.lru.Back()
		r.lru.Remove(old)
		o := old.Value.(*keptStmt)
		delete(r.stmts, o.query)
		o.evicted = true
		if o.users == 0 {
			o.stmt.Close()
		}
	}
	return k, nil
}

// release ends a use of a statement taken with take. A query started on a
// statement keeps running if the statement is closed afterwards.
func (r *reader) release(k *keptStmt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k.users--
	if k.evicted && k.users == 0 {
		k.stmt.Close()
	}
}

// QueryContext runs a query that returns rows.
func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	k, err := r.take(ctx, query)
	if err != nil {
		return nil, err
	}
	defer r.release(k)
	return k.stmt.QueryContext(ctx, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	k, err := r.take(ctx, query)
	if err != nil {
		// Let sql.DB prepare it again, so the error reaches Scan as it
		// would without the kept statements.
		return r.db.QueryRowContext(ctx, query, args...)
	}
	defer r.release(k)
	return k.stmt.QueryRowContext(ctx, args...)
}

// close closes every kept statement.
func (r *reader) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for el := r.lru.Front(); el != nil; el = el.Next() {
		k := el.Value.(*keptStmt)
		k.evicted = true
		if k.users == 0 {
			k.stmt.Close()
		}
	}
	r.stmts = map[string]*list.Element{}
	r.lru.Init()
}

// queryer runs queries: the read pool's reader, or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
