package store

import (
	"context"
	"database/sql"
	"time"
)

// Count is one bar of an overview chart: a label and how many.
type Count struct {
	Label string
	N     int
}

// Findings count what an admin should look at in the current snapshot.
type Findings struct {
	// PartnersWithAdmin: partners holding ADMIN on at least one asset of ours.
	PartnersWithAdmin int
	// BizAdmins: members with the BIZ_ADMIN business role.
	BizAdmins int
	// ServiceOnlyAssets: assets of ours nobody but the service account can
	// manage (no one else holds ADMIN on them).
	ServiceOnlyAssets int
}

// Overview sums up the current snapshot of an integration. It depends only
// on the snapshot, which never changes, so callers may cache it by RunID.
type Overview struct {
	RunID              int64 // 0: nothing imported yet
	Counts             RunCounts
	MembersByRole      []Count
	PartnersByType     []Count
	AssetsByType       []Count
	GrantsByPermission []Count
	PixelsByStatus     []Count
	Findings           Findings
}

// StaleInviteDays is the age after which a pending invite is a finding.
const StaleInviteDays = 30

// InventoryOverview returns the overview of the integration's current
// snapshot; RunID is 0 when it has none. It is computed once per snapshot
// and service account (its findings depend on which member that is) and
// then kept in the snapshot cache.
func (s *Store) InventoryOverview(ctx context.Context, integrationID int64) (Overview, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return Overview{}, err
	}
	keys, err := s.serviceAccountKeys(ctx, integrationID, run)
	if err != nil {
		return Overview{}, err
	}
	args := []any{run}
	for _, k := range keys {
		args = append(args, k)
	}
	return cached(ctx, s.cache, cacheKey("overview", "", args), func() (Overview, error) {
		return s.overview(ctx, run, keys)
	})
}

// overview computes the overview of a run's snapshot, given the snapshot
// keys of the integration's service account.
func (s *Store) overview(ctx context.Context, run int64, serviceKeys []int64) (Overview, error) {
	o := Overview{RunID: run}
	r, err := s.Run(ctx, run)
	if err != nil {
		return o, err
	}
	o.Counts = r.Counts
	counts := func(what, q string, args ...any) []Count {
		if err != nil {
			return nil
		}
		var out []Count
		out, err = queryAll(ctx, s.read, what, func(r *sql.Rows) (Count, error) {
			var c Count
			return c, r.Scan(&c.Label, &c.N)
		}, q, args...)
		return out
	}
	o.MembersByRole = counts("members by role", `SELECT r.name, (SELECT count(*) FROM snap_members m WHERE m.run_id = ?
			AND instr(',' || m.business_roles || ',', ',' || r.name || ',') > 0)
		FROM access_roles r WHERE r.kind = 'business_role' AND r.name <> 'PARTNER' ORDER BY r.name`, run)
	o.PartnersByType = counts("partners by type", `SELECT partner_type, count(*) FROM snap_partners WHERE run_id = ?
		GROUP BY partner_type ORDER BY partner_type`, run)
	o.AssetsByType = counts("assets by type", `SELECT asset_type, count(*) FROM snap_assets WHERE run_id = ?
		GROUP BY asset_type ORDER BY asset_type`, run)
	o.GrantsByPermission = counts("grants by permission", `SELECT r.name, count(*) FROM snap_grants g
		JOIN access_roles r ON r.id = g.permission_id WHERE g.run_id = ? GROUP BY g.permission_id ORDER BY count(*) DESC, r.name`, run)
	o.PixelsByStatus = counts("pixels by status", `SELECT status, count(*) FROM snap_pixels WHERE run_id = ?
		GROUP BY status ORDER BY count(*) DESC, status`, run)
	if err != nil {
		return o, err
	}
	err = s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(DISTINCT g.grantee_id) FROM snap_grants g
			JOIN snap_partners p ON p.run_id = g.run_id AND p.id = g.grantee_id
			JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id AND a.owned = 1
			JOIN access_roles r ON r.id = g.permission_id AND r.kind = 'permission' AND r.name = 'ADMIN'
			WHERE g.run_id = ?1),
		(SELECT count(*) FROM snap_members m WHERE m.run_id = ?1 AND `+roleCond("m.business_roles")+`)`,
		run, RoleBizAdminName).Scan(&o.Findings.PartnersWithAdmin, &o.Findings.BizAdmins)
	if err != nil {
		return o, err
	}
	cond, args := serviceOnlyCond(serviceKeys)
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM snap_assets a WHERE a.run_id = ? AND `+cond,
		append([]any{run}, args...)...).Scan(&o.Findings.ServiceOnlyAssets)
	return o, err
}

// RoleBizAdminName is the business role of a business admin.
const RoleBizAdminName = "BIZ_ADMIN"

// StaleInvites counts the current snapshot's pending invites sent before
// the given time, as ListInvites with Status PENDING and SentBefore would.
func (s *Store) StaleInvites(ctx context.Context, integrationID int64, before time.Time) (int, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return 0, err
	}
	return s.invitesSentBefore(ctx, run, "PENDING", before)
}

// WarmInventory computes what the inventory pages of the integration's
// current snapshot keep once computed: the overview, the role holders, the
// counts behind the access list's filters, the seek points of the members
// and access lists, and the list indexes of members, assets and tags. The dashboard calls it after
// a sync and at start, so that the first admin to look does not wait for
// them.
func (s *Store) WarmInventory(ctx context.Context, integrationID int64) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	if _, err := s.InventoryOverview(ctx, integrationID); err != nil {
		return err
	}
	if _, err := s.grantFacets(ctx, run); err != nil {
		return err
	}
	if _, err := s.ListRoles(ctx, integrationID, RoleQuery{}); err != nil {
		return err
	}
	if _, err := s.StaleInvites(ctx, integrationID, s.now()); err != nil {
		return err
	}
	// The seek points of the members list in its default order, so a deep
	// page is quick the first time too. (The access list's default order
	// is read from the access index.)
	members, _, _ := MemberQuery{}.sql(run)
	if _, err := s.listAnchors(ctx, "list members", members.deep()); err != nil {
		return err
	}
	if _, err := s.memberIndex(ctx, run); err != nil {
		return err
	}
	if _, err := s.assetIndex(ctx, integrationID, run); err != nil {
		return err
	}
	if _, err := s.pixelIndex(ctx, run); err != nil {
		return err
	}
	_, err = s.accessIndex(ctx, run)
	return err
}
