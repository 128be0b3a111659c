package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Filtered pages, and orders no index serves. SQLite finds a page of
// members whose search text holds a word by walking the name index and
// testing every member in turn: about 0.3 µs each, and for a surname that
// one member in 25 carries, 1,300 members for a page of 50 (0.4 ms on
// xl, most of the page's cost). A filter that tests each row with a
// subquery (the assets nobody but the service account administers) costs
// more: 4 ms a page. And an order that no index serves (the tags by their
// ad account's name) sorts every row for each page: 120 ms. The same
// tests over the same rows in memory, already in order, take a few
// hundredths of that. So for each snapshot the store keeps, for some
// lists in one order, what their filters test of each row, and a page in
// that order is found there and then read by key.

// listIndex is a snapshot's rows of one kind in the order of one sort of
// its list (ending with the key, as every order does): their keys and
// what the list's filters test of each.
type listIndex[R any] struct {
	keys []int64
	rows []R
}

// listIndexesKept bounds the list indexes kept: about 10 MB each for the
// 100,000 members of xl, and 70 MB for its million grants (see
// accessIndex). Pages read the current snapshot, so these cover
// the members, assets, tags and grants of a snapshot and the next.
const listIndexesKept = 8

// loadListIndex reads a list index: query returns the rows in order, and
// scan reads a row's key and filter values.
func loadListIndex[R any](ctx context.Context, s *Store, what, query string, args []any,
	scan func(*sql.Rows) (int64, R, error)) (*listIndex[R], error) {
	ix := &listIndex[R]{}
	err := eachScan(ctx, s.read, func(r *sql.Rows) error {
		key, row, err := scan(r)
		ix.keys = append(ix.keys, key)
		ix.rows = append(ix.rows, row)
		return err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s index: %w", what, err)
	}
	return ix, nil
}

// eachScan runs query and calls scan on each row, checking ctx every few
// thousand rows.
func eachScan(ctx context.Context, db queryer, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// page returns the keys of the rows that match, in order (dir), from the
// offset-th to limit of them.
func (ix *listIndex[R]) page(match func(*R) bool, dir string, offset, limit int) []int64 {
	keys := make([]int64, 0, limit)
	n := len(ix.keys)
	for k := range n {
		i := k
		if dir == SortDesc {
			i = n - 1 - k
		}
		if !match(&ix.rows[i]) {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		keys = append(keys, ix.keys[i])
		if len(keys) == limit {
			break
		}
	}
	return keys
}

// count is how many rows match.
func (ix *listIndex[R]) count(match func(*R) bool) int {
	n := 0
	for i := range ix.rows {
		if match(&ix.rows[i]) {
			n++
		}
	}
	return n
}

// listByIndex is a list page found in a list index ix with match: the
// total, counted once per snapshot under the key of the list's SQL count
// (the same number, so either finds it kept), and the rows read by key
// with the list's columns from table, named alias as the list's SQL names
// it, and the tables it joins.
func listByIndex[R, T any](ctx context.Context, s *Store, what string, ix *listIndex[R], match func(*R) bool,
	l listSQL, q ListQuery, dir string, run int64, cols, table, alias, joins string, scan func(*sql.Rows) (T, error)) ([]T, int, error) {
	total, err := cached(ctx, s.cache, cacheKey("count", l.count, l.countArgs), func() (int, error) { return ix.count(match), nil })
	if err != nil {
		return nil, 0, err
	}
	keys := ix.page(match, dir, (q.Page-1)*q.PerPage, q.PerPage)
	if len(keys) == 0 {
		return nil, total, nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, 0, err
	}
	rows, err := queryAll(ctx, s.read, what, scan, `SELECT `+cols+` FROM json_each(?) k CROSS JOIN `+table+` `+alias+`
		ON `+alias+`.run_id = ? AND `+alias+`.id = k.value `+joins+` ORDER BY k.key`, string(list), run)
	return rows, total, err
}
