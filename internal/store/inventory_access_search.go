package store

import (
	"context"
	"encoding/json"
	"slices"
)

// A search of the access list that some asset matches too, or that keeps
// to members holding a business role, is read from SQLite, sorted by
// principal: the members in name order, each one's search text tested.
// Where the matches cluster (a surname that sorts after most names that
// share a first name) the first page steps over a couple of thousand
// members that do not match (5 ms on xl for "rossi"). The access index
// holds the principals that match, in the same order, and how many grants
// each holds; so the members whose grants fill a page near the start of
// the list are found there, and the page reads only their grants, sorted,
// beside the rows where only the asset matches.

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
// order of q's list, that match q's search and role and hold at least need
// grants between them (or all that match, when they hold fewer); and false
// when q is not windowed or too many principals match to list. The grants
// of members whose name matches come in the list one member after
// another, so the first need rows of those grants are theirs, and the
// first need rows of the list are among theirs and those where only the
// asset matches.
func (s *Store) memberWindow(ctx context.Context, run int64, q AccessQuery, offset, need int) (string, bool, error) {
	if !q.windowed(offset) {
		return "", false, nil
	}
	ix, err := s.accessIndex(ctx, run)
	if err != nil {
		return "", false, err
	}
	matching, ok, err := s.principalsMatching(ctx, run, ix, q.Q)
	if err != nil || !ok {
		return "", false, err
	}
	_, dir, _ := accessSorts.resolve(q.Sort, q.Dir)
	hasRole := MemberQuery{Role: q.Role}.matcher()
	keys := []int64{}
	for i, held := 0, 0; i < len(matching) && held < need; i++ {
		m := matching[i]
		if dir == SortDesc {
			m = matching[len(matching)-1-i]
		}
		p := ix.principals[m]
		if p.partner || !hasRole(&memberFilters{roles: p.roles}) {
			continue
		}
		keys = append(keys, p.key)
		held += int(ix.starts[m+1] - ix.starts[m])
	}
	list, err := json.Marshal(keys)
	return string(list), true, err
}
