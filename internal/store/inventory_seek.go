package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Deep pages. SQLite reaches an OFFSET by stepping over every row before
// it: the middle page of a million grants steps over half a million joined
// rows (1.7 s on xl), and the middle of 100,000 members over 50,000 (85
// ms). A finished snapshot never changes, so a list's order never does
// either: one walk over its sort keys (the terms of its ORDER BY) can note
// the keys of every anchorEvery-th row, and later any page seeks its
// nearest anchor through the sort's index and steps over fewer than
// anchorEvery rows from there.
//
// Because every order is total (its last term is a unique key) and every
// term takes the same direction, the rows at or after anchor i are exactly
// those whose terms compare at or past the anchor's, as a row value;
// seekConds writes that as conditions an index can seek.

// anchorEvery is how many rows apart a list's anchors are: a page from an
// anchor steps over fewer than this many rows.
const anchorEvery = 64

// seekBeyond is how far (in rows) a page must be from both ends of its list
// before it starts from an anchor; nearer ones step over the rows (or read
// from the end), which costs about as much as a seek, and a list that is
// never paged deep never pays for its walk.
const seekBeyond = 1000

// anchorListsKept bounds how many lists' anchors are kept: each holds a
// value per term per anchor, about 1.5 MB for the million grants of xl.
const anchorListsKept = 16

// seekPart is one part of a list's rows from an anchor on: the rows in
// order, and how many there are up to a limit (the parameters are the
// part's, then the limit).
type seekPart struct {
	query string
	count string
}

// seekCond is a part of the rows at or past an anchor in direction dir:
// its condition (whose parameters seekParams gives) and the terms that
// order it.
type seekCond struct {
	cond  string
	order []string
}

// seekConds splits the rows at or past an anchor, in order, into the parts
// an index can seek: those that tie with the anchor on the first term
// (found by its value and seeking the second term), then those past it
// on the first term. One condition on a row value would do, but SQLite
// seeks only its first term, then walks the rows that tie on it: all the
// grants of one permission, say.
func seekConds(terms []string, dir string) []seekCond {
	op, past := ">=", ">"
	if dir == SortDesc {
		op, past = "<=", "<"
	}
	if len(terms) == 1 {
		return []seekCond{{cond: terms[0] + " " + op + " ?", order: terms}}
	}
	rest := terms[1:]
	tie := terms[0] + " = ? AND " + rest[0] + " " + op + " ?"
	if len(rest) > 1 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(rest)), ", ")
		tie += " AND (" + strings.Join(rest, ", ") + ") " + op + " (" + marks + ")"
	}
	// The tie's first term is the same in every row, so it orders
	// nothing, but SQLite needs it in ORDER BY to read the index that
	// holds it in order (rather than the key's, testing every row) when it
	// is a column; when it is an expression (the length of an ID), SQLite
	// does not see that the equality fixes it, and sorts unless it is
	// left out.
	tieOrder := terms
	if strings.Contains(terms[0], "(") {
		tieOrder = rest
	}
	return []seekCond{{cond: tie, order: tieOrder}, {cond: terms[0] + " " + past + " ?", order: terms}}
}

// seekParams are the parameters of part of seekConds for an anchor.
func seekParams(part int, anchor []any) []any {
	switch {
	case len(anchor) == 1 || part == 1:
		return anchor[:1]
	case len(anchor) == 2:
		return anchor
	}
	return append([]any{anchor[0], anchor[1]}, anchor[1:]...)
}

// seekRows reads limit rows of a list (as l reads it deep) from skip rows
// after an anchor: from
// each part in turn, stepping over the rows of those that hold fewer than
// skip (counted, not read).
func seekRows[T any](ctx context.Context, s *Store, what string, l deepSQL, anchor []any, skip, limit int,
	scan func(*sql.Rows) (T, error)) ([]T, error) {
	var out []T
	for i, part := range l.seek {
		args := l.seekArgs(i, anchor)
		// The last part holds the rest of the list: no need to count it.
		if skip > 0 && i < len(l.seek)-1 {
			var n int
			if err := s.read.QueryRowContext(ctx, part.count, append(args, skip)...).Scan(&n); err != nil {
				return nil, fmt.Errorf("store: %s: %w", what, err)
			}
			if n < skip {
				skip -= n
				continue
			}
		}
		rows, err := queryAll(ctx, s.read, what, scan, part.query+" LIMIT ? OFFSET ?", append(args, limit-len(out), skip)...)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		skip = 0
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// listAnchors returns the anchors of a list (as l reads it deep): the sort
// terms of its rows
// 0, anchorEvery, 2×anchorEvery, …, read once per snapshot and kept. It
// returns none when a term is NULL in some row, as a row value with a NULL
// in it compares as neither before nor after.
func (s *Store) listAnchors(ctx context.Context, what string, l deepSQL) ([][]any, error) {
	return cached(ctx, s.anchors, cacheKey("anchors", l.keys, l.keysArgs), func() ([][]any, error) {
		rows, err := s.read.QueryContext(ctx, l.keys, l.keysArgs...)
		if err != nil {
			return nil, fmt.Errorf("store: %s: anchors: %w", what, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("store: %s: anchors: %w", what, err)
		}
		nulls := make([]nullTest, len(cols))
		nullDest := make([]any, len(cols))
		for i := range nulls {
			nullDest[i] = &nulls[i]
		}
		var anchors [][]any
		for n := 0; rows.Next(); n++ {
			if n%anchorEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				anchor := make([]any, len(cols))
				dest := make([]any, len(cols))
				for i := range anchor {
					dest[i] = &anchor[i]
				}
				if err := rows.Scan(dest...); err != nil {
					return nil, fmt.Errorf("store: %s: anchors: %w", what, err)
				}
				anchors = append(anchors, anchor)
			}
			if err := rows.Scan(nullDest...); err != nil {
				return nil, fmt.Errorf("store: %s: anchors: %w", what, err)
			}
			for _, v := range nulls {
				if v {
					return nil, nil
				}
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: %s: anchors: %w", what, err)
		}
		return anchors, nil
	})
}

// nullTest scans whether a value is NULL, and nothing else.
type nullTest bool

func (n *nullTest) Scan(v any) error {
	*n = v == nil
	return nil
}
