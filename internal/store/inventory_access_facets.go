package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
)

// The access list's structured filters (principal type, business role,
// partner type, asset type, ownership, permission) read attributes of the
// grant's principal and asset, not the grant itself, so counting what they
// match means joining every grant of the snapshot: about a second for a
// million grants. Instead a snapshot's grants are counted once by every
// combination of those attributes (a few hundred facets), and the count of
// any such filter is the sum of the facets it matches.

// grantFacet is how many grants of a snapshot share one combination of the
// attributes the access list filters on.
type grantFacet struct {
	principalType string // GranteeMember or GranteePartner
	roles         string // members: the comma-separated business roles
	partnerType   string // partners: INTERNAL or EXTERNAL
	assetType     string
	owned         bool
	permission    string
	grants        int
}

// grantFacets returns the facets of a run's snapshot, computed once per
// snapshot.
func (s *Store) grantFacets(ctx context.Context, runID int64) ([]grantFacet, error) {
	return cached(ctx, s.cache, cacheKey("grant facets", "", []any{runID}), func() ([]grantFacet, error) {
		return queryAll(ctx, s.read, "grant facets", func(r *sql.Rows) (grantFacet, error) {
			var f grantFacet
			err := r.Scan(&f.principalType, &f.roles, &f.partnerType, &f.assetType, &f.owned, &f.permission, &f.grants)
			return f, err
		}, `SELECT 'member', x.business_roles, '', a.asset_type, a.owned, r.name, count(*)
			FROM snap_grants g
			JOIN snap_members x ON x.run_id = g.run_id AND x.id = g.grantee_id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
			JOIN access_roles r ON r.id = g.permission_id AND r.kind = 'permission'
			WHERE g.run_id = ?1
			GROUP BY x.business_roles, a.asset_type, a.owned, g.permission_id
			UNION ALL
			SELECT 'partner', '', x.partner_type, a.asset_type, a.owned, r.name, count(*)
			FROM snap_grants g
			JOIN snap_partners x ON x.run_id = g.run_id AND x.id = g.grantee_id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
			JOIN access_roles r ON r.id = g.permission_id AND r.kind = 'permission'
			WHERE g.run_id = ?1
			GROUP BY x.partner_type, a.asset_type, a.owned, g.permission_id`, runID)
	})
}

// countsByFacets reports whether the query's matches can be counted from
// the facets: when it filters only on what they record.
func (q AccessQuery) countsByFacets() bool {
	return !hasText(q.Q) && q.PrincipalID == "" && q.AssetID == ""
}

// matches reports whether the grants of a facet match the query's
// structured filters, exactly as the conditions of AccessQuery.arm do.
func (q AccessQuery) matches(f grantFacet, arms []string) bool {
	switch {
	case !slices.Contains(arms, f.principalType):
		return false
	case q.Permission != "" && f.permission != q.Permission:
		return false
	case q.AssetType != "" && f.assetType != q.AssetType:
		return false
	case q.Owner == OwnerOurs && !f.owned, q.Owner == OwnerTheirs && f.owned:
		return false
	case q.Role != "" && !strings.Contains(","+f.roles+",", ","+q.Role+","): // roleCond's instr
		return false
	case q.PartnerType != "" && f.partnerType != q.PartnerType:
		return false
	}
	return true
}

// facetCount sums the grants of the facets the query matches.
func (q AccessQuery) facetCount(facets []grantFacet) int {
	arms := q.arms()
	n := 0
	for _, f := range facets {
		if q.matches(f, arms) {
			n += f.grants
		}
	}
	return n
}
