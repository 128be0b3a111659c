package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The members list by name, filtered. SQLite finds a page of members whose
// search text holds a word by walking the name index and testing every
// member in turn: about 0.3 µs each, and for a surname that one member in
// 25 carries, 1,300 members for a page of 50 (0.4 ms on xl, the most of
// the page's cost). The same test over the same members in memory takes
// a few hundredths of that. So for each snapshot the store keeps what the
// member filters test (the search text, the business roles, whether a
// system user), in name order, and a filtered page by name is found there
// and then read by key.

// memberIndex is a snapshot's members in name order (username without
// case, then key): what the filters of the members list test, and the key
// to read the row with.
type memberIndex struct {
	ids    []int64
	search []string
	roles  []string // comma-separated, as stored
	system []bool
}

// memberIndexesKept bounds the snapshots whose member index is kept: about
// 10 MB each for the 100,000 members of xl. Pages read the current
// snapshot, so two cover a sync's switch from one to the next.
const memberIndexesKept = 2

func (s *Store) memberIndex(ctx context.Context, run int64) (*memberIndex, error) {
	return cached(ctx, s.members, cacheKey("member index", "", []any{run}), func() (*memberIndex, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT id, search, business_roles, is_system_user FROM snap_members
			WHERE run_id = ? ORDER BY username COLLATE NOCASE, id`, run)
		if err != nil {
			return nil, fmt.Errorf("store: member index: %w", err)
		}
		defer rows.Close()
		ix := &memberIndex{}
		for n := 0; rows.Next(); n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			var id int64
			var search, roles string
			var system bool
			if err := rows.Scan(&id, &search, &roles, &system); err != nil {
				return nil, fmt.Errorf("store: member index: %w", err)
			}
			ix.ids = append(ix.ids, id)
			ix.search = append(ix.search, search)
			ix.roles = append(ix.roles, roles)
			ix.system = append(ix.system, system)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: member index: %w", err)
		}
		return ix, nil
	})
}

// byIndex reports whether the index can answer q: sorted by name, with a
// filter (an unfiltered page is as quick from SQLite's name index).
func (q MemberQuery) byIndex() bool {
	sort, _, _ := memberSorts.resolve(q.Sort, q.Dir)
	return sort == "username" && q.filtered()
}

// matcher is q's filter as a test of member i of the index: the same as
// the SQL's (the search text and the query are both lower-cased, and
// LIKE's wildcards are escaped there, so LIKE is a substring test).
func (ix *memberIndex) matcher(q MemberQuery) func(i int) bool {
	text := strings.ToLower(strings.TrimSpace(q.Q))
	role := "," + q.Role + ","
	return func(i int) bool {
		switch {
		case text != "" && !strings.Contains(ix.search[i], text):
			return false
		case q.Role != "" && !strings.Contains(","+ix.roles[i]+",", role):
			return false
		case q.SystemUser == "yes" && !ix.system[i], q.SystemUser == "no" && ix.system[i]:
			return false
		}
		return true
	}
}

// page returns the keys of the members on q's page, in order.
func (ix *memberIndex) page(q MemberQuery, dir string) []int64 {
	match := ix.matcher(q)
	skip, keys := (q.Page-1)*q.PerPage, make([]int64, 0, q.PerPage)
	n := len(ix.ids)
	for k := range n {
		i := k
		if dir == SortDesc {
			i = n - 1 - k
		}
		if !match(i) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		keys = append(keys, ix.ids[i])
		if len(keys) == q.PerPage {
			break
		}
	}
	return keys
}

// count is how many members match q.
func (ix *memberIndex) count(q MemberQuery) int {
	match, n := ix.matcher(q), 0
	for i := range ix.ids {
		if match(i) {
			n++
		}
	}
	return n
}

// membersByKey reads the members with the given keys, in their order.
func (s *Store) membersByKey(ctx context.Context, run int64, keys []int64) ([]MemberRow, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.read, "list members", scanMemberRow, `SELECT `+memberCols+`
		FROM json_each(?) k CROSS JOIN snap_members m ON m.run_id = ? AND m.id = k.value ORDER BY k.key`, string(list), run)
}
