package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The inventory read layer: one query shape per list kind that serves both
// the list pages (a page of rows and the total) and the CSV exports (every
// row, streamed). Both build the same WHERE and ORDER BY from the same query
// struct, so a download holds exactly the rows the page showed.
//
// Every list reads the integration's current snapshot. Sort keys are looked
// up in a whitelist; user input only ever reaches SQL as a parameter.

// Sort directions.
const (
	SortAsc  = "asc"
	SortDesc = "desc"
)

// DefaultPerPage is the page size when a query asks for none.
const DefaultPerPage = 50

// MaxPerPage is the largest page a list returns; PerPage 0 (every row) is
// only for exports, which stream.
const MaxPerPage = 500

// ListQuery holds what every list takes: free-text search, sort, direction
// and page. Page counts from 1; PerPage 0 means every row (exports).
type ListQuery struct {
	Q       string
	Sort    string
	Dir     string
	Page    int
	PerPage int
}

// Page is one page of a list: the rows, how many rows match in all, and the
// sort actually applied (an unknown sort key falls back to the default).
type Page[T any] struct {
	Rows    []T
	Total   int
	Page    int
	PerPage int
	Sort    string
	Dir     string
}

// Pages is the number of pages the list has (at least 1).
func (p Page[T]) Pages() int {
	if p.PerPage <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// sortSpec is one whitelisted sort key: its ORDER BY terms, ending with a
// tiebreak that makes the order total and stable. Every term takes the
// chosen direction, so an index can serve the order read either way.
type sortSpec struct {
	terms []string
}

// sortKeys is a kind's whitelist of sort keys and its default.
type sortKeys struct {
	def    string
	defDir string
	keys   map[string]sortSpec
}

// Sorting is what a list can be sorted by: its default key and that key's
// direction (any other key sorts ascending unless told), and every key,
// in alphabetical order. The web layer validates and links sorts with it.
type Sorting struct {
	Default string
	Dir     string
	Keys    []string
}

// DefaultDir is the direction a list sorts by key when a query names none:
// the default key's own direction, ascending for any other.
func (s Sorting) DefaultDir(key string) string {
	if key == "" || key == s.Default {
		return s.Dir
	}
	return SortAsc
}

// sorting describes the keys for the web layer.
func (k sortKeys) sorting() Sorting {
	keys := make([]string, 0, len(k.keys))
	for key := range k.keys {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return Sorting{Default: k.def, Dir: k.defDir, Keys: keys}
}

// The sorts of each list.
var (
	MemberSorting  = memberSorts.sorting()
	PartnerSorting = partnerSorts.sorting()
	AssetSorting   = assetSorts.sorting()
	AccessSorting  = accessSorts.sorting()
	RoleSorting    = roleSorts.sorting()
	PixelSorting   = pixelSorts.sorting()
	InviteSorting  = inviteSorts.sorting()
	ChangeSorting  = changeSorts.sorting()
	RunSorting     = runSorts.sorting()
)

// resolve returns the sort key and direction to apply and the ORDER BY
// clause (without the keywords). An unknown key means the default.
func (k sortKeys) resolve(sort, dir string) (string, string, string) {
	spec, ok := k.keys[sort]
	if !ok {
		sort, spec = k.def, k.keys[k.def]
	}
	if dir != SortAsc && dir != SortDesc {
		dir = Sorting{Default: k.def, Dir: k.defDir}.DefaultDir(sort)
	}
	terms := make([]string, 0, len(spec.terms))
	for _, t := range spec.terms {
		terms = append(terms, t+" "+strings.ToUpper(dir))
	}
	return sort, dir, strings.Join(terms, ", ")
}

// reversed returns the ORDER BY clause of a resolved sort key read the
// other way: the same terms, each in the opposite direction.
func (k sortKeys) reversed(sort, dir string) string {
	if dir == SortAsc {
		return k.clause(sort, SortDesc, "")
	}
	return k.clause(sort, SortAsc, "")
}

// clause is the ORDER BY clause of a resolved sort key and direction, each
// term written after prefix: "+" keeps SQLite from reading an index for
// the order (it sorts instead).
func (k sortKeys) clause(sort, dir, prefix string) string {
	return orderBy(k.keys[sort].terms, dir, prefix)
}

// orderBy is the ORDER BY clause of terms in direction dir, each written
// after prefix.
func orderBy(terms []string, dir, prefix string) string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		out = append(out, prefix+t+" "+strings.ToUpper(dir))
	}
	return strings.Join(out, ", ")
}

// where collects the conditions and parameters of a list query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likePattern turns free text into a LIKE pattern matching it anywhere,
// lower-cased (the search columns are lower-cased), with LIKE's wildcards
// escaped so they match themselves.
func likePattern(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// hasText reports whether a search string has anything to search for.
func hasText(q string) bool { return strings.TrimSpace(q) != "" }

// listSQL is a list query: the rows in order with their parameters, the
// same rows in the opposite order and in order but sorted rather than read
// from an index (same parameters), and the count of the rows with its
// parameters.
type listSQL struct {
	query     string
	reversed  string
	sorted    string
	args      []any
	count     string
	countArgs []any
	// deep builds the queries a page far from both ends reads from (see
	// listAnchors), when one is asked for; nil for a list that cannot.
	deep func() deepSQL
}

// deepSQL is how a list reads a deep page: keys reads the order's terms of
// every row, in order (with the parameters keysArgs), and seek reads the
// rows in order from an anchor on, in parts (with the parameters seekArgs
// gives for a part and an anchor), so that a deep page starts from a
// remembered row rather than stepping over every row before it.
type deepSQL struct {
	keys     string
	keysArgs []any
	seek     []seekPart
	seekArgs func(part int, anchor []any) []any
}

// simpleList builds the list query of one table (with joins) filtered by w
// and ordered by a resolved sort key and direction of k.
func simpleList(selectCols, from string, w where, k sortKeys, sort, dir string) listSQL {
	sel := "SELECT " + selectCols + " " + from + w.sql() + " ORDER BY "
	return listSQL{
		query:    sel + k.clause(sort, dir, ""),
		reversed: sel + k.reversed(sort, dir),
		sorted:   sel + k.clause(sort, dir, "+"),
		args:     w.args,
		count:    "SELECT count(*) " + from + w.sql(), countArgs: w.args,
		deep: func() deepSQL {
			terms := k.keys[sort].terms
			d := deepSQL{
				keys:     "SELECT " + strings.Join(terms, ", ") + " " + from + w.sql() + " ORDER BY " + k.clause(sort, dir, ""),
				keysArgs: w.args,
				seekArgs: func(part int, anchor []any) []any {
					return append(slices.Clip(w.args), seekParams(part, anchor)...)
				},
			}
			for _, part := range seekConds(terms, dir) {
				cond := where{conds: slices.Clip(w.conds)}
				cond.add(part.cond)
				d.seek = append(d.seek, seekPart{
					query: "SELECT " + selectCols + " " + from + cond.sql() + " ORDER BY " + orderBy(part.order, dir, ""),
					count: "SELECT count(*) FROM (SELECT 1 " + from + cond.sql() + " LIMIT ?)",
				})
			}
			return d
		},
	}
}

// normPage fixes a query's page numbers for a list page.
func normPage(q *ListQuery) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage > MaxPerPage {
		q.PerPage = MaxPerPage
	}
}

// How listPage learns a list's total: known already (a count the run
// recorded), counted on every call, or counted once per snapshot and kept
// in the store's snapshot cache (the rows of a finished snapshot never
// change, so neither does how many of them a filter matches).
const (
	countLive   = -1
	countCached = -2
)

// listPage runs a list query for one page and counts its rows. total is the
// total when it is already known (not negative), or countLive or
// countCached.
//
// SQLite reaches an OFFSET by stepping over the rows before it, so a page
// deep into a long list costs its offset. A page in the second half is
// read backwards instead: the query in the opposite order, from the end,
// the rows turned around. Every list's order is total (it ends with a
// unique key), so both ways give the same page, and no page costs more
// than half the list.
func listPage[T any](ctx context.Context, s *Store, what string, l listSQL, q ListQuery, total int,
	scan func(*sql.Rows) (T, error)) ([]T, int, error) {
	normPage(&q)
	total, err := listTotal(ctx, s, what, l, total)
	if err != nil {
		return nil, 0, err
	}
	rows, err := pageRows(ctx, s, what, l, (q.Page-1)*q.PerPage, q.PerPage, total, scan)
	return rows, total, err
}

// listTotal returns the total of a list: total itself when known (not
// negative), else the count, live or kept per snapshot.
func listTotal(ctx context.Context, s *Store, what string, l listSQL, total int) (int, error) {
	count := func() (int, error) {
		var n int
		if err := s.read.QueryRowContext(ctx, l.count, l.countArgs...).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: count %s: %w", what, err)
		}
		return n, nil
	}
	switch total {
	case countLive:
		return count()
	case countCached:
		return cached(ctx, s.cache, cacheKey("count", l.count, l.countArgs), count)
	}
	return total, nil
}

// fewRows is how many matches a filter may have for its list to be read
// by filtering every row and sorting the matches. Walking the sort's index
// instead tests rows until it has a page of matches: quick when they are
// many, but a search that matches a few members of 100,000 tests them all,
// in index order, each a lookup (160 ms on xl for no match, against 20 ms
// for a pass over the table).
const fewRows = 500

// pageRows reads limit rows of a list of total rows from offset: none past
// the end; by filtering and sorting when the filter matches few rows; from
// the nearest anchor when the page is far from both ends; from the end of
// the list when offset is in its second half.
func pageRows[T any](ctx context.Context, s *Store, what string, l listSQL, offset, limit, total int,
	scan func(*sql.Rows) (T, error)) ([]T, error) {
	if offset >= total {
		return nil, nil
	}
	if l.sorted != "" && total <= fewRows {
		args := append(append([]any{}, l.args...), limit, offset)
		return queryAll(ctx, s.read, what, scan, l.sorted+" LIMIT ? OFFSET ?", args...)
	}
	if l.deep != nil && min(offset, total-offset-limit) > seekBeyond {
		d := l.deep()
		anchors, err := s.listAnchors(ctx, what, d)
		if err != nil {
			return nil, err
		}
		if i := offset / anchorEvery; i < len(anchors) {
			return seekRows(ctx, s, what, d, anchors[i], offset-i*anchorEvery, limit, scan)
		}
	}
	if l.reversed != "" && offset > total/2 {
		n := min(limit, total-offset)
		args := append(append([]any{}, l.args...), n, total-offset-n)
		rows, err := queryAll(ctx, s.read, what, scan, l.reversed+" LIMIT ? OFFSET ?", args...)
		slices.Reverse(rows)
		return rows, err
	}
	args := append(append([]any{}, l.args...), limit, offset)
	return queryAll(ctx, s.read, what, scan, l.query+" LIMIT ? OFFSET ?", args...)
}

// cacheKey names a cached result by what computed it: a kind of result, a
// query and its parameters (which include the run), each written so that
// different parameters never give the same text, then hashed, so that a
// key costs 32 bytes whatever the length of its query.
func cacheKey(kind, query string, args []any) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(query))
	for _, a := range args {
		h.Write([]byte{0})
		switch v := a.(type) {
		case string:
			h.Write([]byte(strconv.Quote(v)))
		default:
			fmt.Fprintf(h, "%T:%v", v, v)
		}
	}
	return string(h.Sum(nil))
}

// eachRow streams every row of a list query to fn, in the list's order. It
// stops with fn's error, or with the context's when it is cancelled.
func eachRow[T any](ctx context.Context, db queryer, what string, l listSQL, scan func(*sql.Rows) (T, error), fn func(T) error) error {
	rows, err := db.QueryContext(ctx, l.query, l.args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v, err := scan(rows)
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return ctx.Err()
}

// currentRun returns the integration's current snapshot run, 0 when it has
// none yet, or ErrNotFound when the integration does not exist.
func (s *Store) currentRun(ctx context.Context, integrationID int64) (int64, error) {
	var id sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT current_run_id FROM integrations WHERE id = ?`, integrationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: current snapshot of integration %d: %w", integrationID, err)
	}
	return id.Int64, nil
}

// hasRole is the condition that a comma-separated roles column holds role.
const hasRoleCond = `instr(',' || %s || ',', ',' || ? || ',') > 0`

func roleCond(col string) string { return fmt.Sprintf(hasRoleCond, col) }

// snapshotCount returns the count a run recorded of one kind of its
// snapshot (a sync_runs count column), or -1 when it cannot say.
func (s *Store) snapshotCount(ctx context.Context, runID int64, col string) int {
	switch col {
	case "members", "partners", "assets", "grants", "pixels", "invites":
	default:
		return -1
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT `+col+` FROM sync_runs WHERE id = ?`, runID).Scan(&n); err != nil {
		return -1
	}
	return n
}
