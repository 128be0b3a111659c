package store

import (
	"context"
	"encoding/json"
	"slices"
)

// A search of the access list, sorted by principal, reads the members in
// name order and tests each one's search text: where the matches cluster
// (a surname that sorts after most names that share a first name) the
// first page steps over a couple of thousand members that do not match
// (5 ms on xl for "rossi"). The member index already holds every member's
// search text, in the same order, and how many grants each holds; so the
// members whose grants fill a page near the start of the list are found
// there, and the page reads only their grants, sorted, beside the rows
// where only the asset matches.

// searchMembersMax is how many matching members membersMatching lists; a
// search that matches more matches densely enough that walking the names
// in order finds a page's members quickly.
const searchMembersMax = 5000

// memberHolding is a member (its key) and how many grants it holds.
type memberHolding struct {
	key    int64
	grants int
}

// membersMatching returns the members of a snapshot whose search text
// holds text and that hold role (when set), in name order, with how many
// grants each holds; or nil and false when more than searchMembersMax do.
// It is kept per snapshot, search and role, as paging asks again on every
// page.
func (s *Store) membersMatching(ctx context.Context, run int64, text, role string) ([]memberHolding, bool, error) {
	ix, err := s.memberIndex(ctx, run)
	if err != nil {
		return nil, false, err
	}
	match := MemberQuery{ListQuery: ListQuery{Q: text}, Role: role}.matcher()
	type matching struct {
		members []memberHolding
		ok      bool
	}
	m, err := cached(ctx, s.searches, cacheKey("members matching", text, []any{run, role}), func() (matching, error) {
		var out []memberHolding
		for i := range ix.rows {
			if !match(&ix.rows[i]) {
				continue
			}
			if len(out) == searchMembersMax {
				return matching{}, nil
			}
			out = append(out, memberHolding{ix.keys[i], ix.rows[i].grants})
		}
		return matching{slices.Clip(out), true}, nil
	})
	return m.members, m.ok, err
}

// windowed reports whether a page of q's rows from offset can be read from
// a window of its members (see memberWindow): q searches, is sorted by
// principal, and filters nothing else a member's grants would have to be
// tested for.
func (q AccessQuery) windowed(offset int) bool {
	sort, _, _ := accessSorts.resolve(q.Sort, q.Dir)
	return hasText(q.Q) && sort == "principal" && offset <= seekBeyond &&
		q.PrincipalID == "" && q.AssetID == "" && q.Permission == "" && q.AssetType == "" &&
		q.Owner != OwnerOurs && q.Owner != OwnerTheirs && slices.Contains(q.arms(), GranteeMember)
}

// memberWindow returns the keys (a JSON array) of the members, first in the
// order of q's list, that match q's search and hold at least need grants
// between them (or all that match, when they hold fewer); and false when
// q is not windowed or too many members match to list. The grants of
// members whose name matches come in the list one member after another,
// so the first need rows of those grants are theirs, and the first need
// rows of the list are among theirs and those where only the asset
// matches.
func (s *Store) memberWindow(ctx context.Context, run int64, q AccessQuery, offset, need int) (string, bool, error) {
	if !q.windowed(offset) {
		return "", false, nil
	}
	members, ok, err := s.membersMatching(ctx, run, q.Q, q.Role)
	if err != nil || !ok {
		return "", false, err
	}
	_, dir, _ := accessSorts.resolve(q.Sort, q.Dir)
	keys := []int64{}
	for i, held := 0, 0; i < len(members) && held < need; i++ {
		m := members[i]
		if dir == SortDesc {
			m = members[len(members)-1-i]
		}
		keys = append(keys, m.key)
		held += m.grants
	}
	list, err := json.Marshal(keys)
	return string(list), true, err
}
