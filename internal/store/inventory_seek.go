package store

import (
	"context"
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
// those whose terms compare at or past the anchor's, as a row value. The
// condition repeats the first term on its own, the part an index seeks.

// anchorEvery is how many rows apart a list's anchors are: a page from an
// anchor steps over fewer than this many rows.
const anchorEvery = 256

// seekBeyond is how far (in rows) a page must be from both ends of its list
// before it starts from an anchor; nearer ones step over the rows (or read
// from the end), which costs about as much as a seek, and a list that is
// never paged deep never pays for its walk.
const seekBeyond = 1000

// anchorListsKept bounds how many lists' anchors are kept: each holds a
// value per term per anchor, about 300 kB for the million grants of xl.
const anchorListsKept = 32

// seekCond is the condition that a row's terms are at or past an anchor's
// in direction dir; its parameters are seekParams of the anchor.
func seekCond(terms []string, dir string) string {
	op := ">="
	if dir == SortDesc {
		op = "<="
	}
	if len(terms) == 1 {
		return terms[0] + " " + op + " ?"
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(terms)), ", ")
	return terms[0] + " " + op + " ? AND (" + strings.Join(terms, ", ") + ") " + op + " (" + marks + ")"
}

// seekParams are the parameters of seekCond for an anchor.
func seekParams(anchor []any) []any {
	if len(anchor) == 1 {
		return anchor
	}
	return append([]any{anchor[0]}, anchor...)
}

// listAnchors returns the anchors of list l: the sort terms of its rows
// 0, anchorEvery, 2×anchorEvery, …, read once per snapshot and kept. It
// returns none when a term is NULL in some row, as a row value with a NULL
// in it compares as neither before nor after.
func (s *Store) listAnchors(ctx context.Context, what string, l listSQL) ([][]any, error) {
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
