package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// AssetGrant is what one principal holds on one asset: every permission.
type AssetGrant struct {
	AssetID     string
	AssetType   string
	AssetName   string
	Owned       bool
	Permissions []string
}

// PrincipalGrant is what one member or partner holds on an asset.
type PrincipalGrant struct {
	PrincipalType string // member or partner
	PrincipalID   string
	Username      string
	Email         string
	BusinessRoles []string
	PartnerType   string
	Permissions   []string
}

// AssetRef names an asset.
type AssetRef struct {
	ID   string
	Type string
	Name string
}

// MemberDetail is one member of the current snapshot with every asset and
// permission they hold (by asset type, then name).
type MemberDetail struct {
	MemberRow
	Grants []AssetGrant
}

// PartnerDetail is one partner with the grants that involve it: for an
// INTERNAL partner what it can access of ours, for an EXTERNAL one what we
// can access of theirs (split by Owned), and the assets it owns.
type PartnerDetail struct {
	PartnerRow
	Grants      []AssetGrant
	OwnedAssets []AssetRef
}

// AssetDetail is one asset with everyone who can access it and how, its
// conversion tags, its contents (asset groups) and the groups it is in.
type AssetDetail struct {
	AssetRow
	Description string
	Access      []PrincipalGrant
	Pixels      []PixelRow
	Contents    []AssetRef
	Groups      []AssetRef
}

// snapshotKey finds the snapshot key of a Pinterest ID of the given kind.
func (s *Store) snapshotKey(ctx context.Context, integrationID int64, kind, extID string) (int64, error) {
	var k int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM entity_keys WHERE integration_id = ? AND kind = ? AND ext_id = ?`,
		integrationID, kind, extID).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return k, err
}

func (s *Store) grantsOf(ctx context.Context, runID, grantee int64) ([]AssetGrant, error) {
	return queryAll(ctx, s.read, "grants of principal", func(r *sql.Rows) (AssetGrant, error) {
		var g AssetGrant
		var perms string
		err := r.Scan(&g.AssetID, &g.AssetType, &g.AssetName, &g.Owned, &perms)
		g.Permissions = splitList(perms)
		return g, err
	}, `SELECT a.ext_id, a.asset_type, a.name, a.owned, group_concat(r.name, ',' ORDER BY r.name)
		FROM snap_grants g JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
		JOIN access_roles r ON r.id = g.permission_id
		WHERE g.run_id = ? AND g.grantee_id = ?
		GROUP BY g.asset_id ORDER BY a.asset_type, a.name COLLATE NOCASE, a.ext_id`, runID, grantee)
}

// MemberDetail returns one member of the current snapshot, or ErrNotFound.
func (s *Store) MemberDetail(ctx context.Context, integrationID int64, memberID string) (MemberDetail, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil {
		return MemberDetail{}, err
	}
	key, err := s.snapshotKey(ctx, integrationID, GranteeMember, memberID)
	if err != nil {
		return MemberDetail{}, err
	}
	var d MemberDetail
	rows, err := queryAll(ctx, s.read, "member", scanMemberRow,
		`SELECT `+memberCols+` FROM snap_members m WHERE m.run_id = ? AND m.id = ?`, run, key)
	if err != nil {
		return d, err
	}
	if len(rows) == 0 {
		return d, ErrNotFound
	}
	d.MemberRow = rows[0]
	if d.Grants, err = s.grantsOf(ctx, run, key); err != nil {
		return d, err
	}
	return d, nil
}

// PartnerDetail returns one partner of the current snapshot, or ErrNotFound.
func (s *Store) PartnerDetail(ctx context.Context, integrationID int64, partnerID string) (PartnerDetail, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil {
		return PartnerDetail{}, err
	}
	key, err := s.snapshotKey(ctx, integrationID, GranteePartner, partnerID)
	if err != nil {
		return PartnerDetail{}, err
	}
	var d PartnerDetail
	rows, err := queryAll(ctx, s.read, "partner", scanPartnerRow,
		`SELECT `+partnerCols+` FROM snap_partners p WHERE p.run_id = ? AND p.id = ?`, run, key)
	if err != nil {
		return d, err
	}
	if len(rows) == 0 {
		return d, ErrNotFound
	}
	d.PartnerRow = rows[0]
	if d.Grants, err = s.grantsOf(ctx, run, key); err != nil {
		return d, err
	}
	d.OwnedAssets, err = queryAll(ctx, s.read, "partner's assets", scanAssetRef,
		`SELECT ext_id, asset_type, name FROM snap_assets INDEXED BY snap_assets_owner
		WHERE run_id = ? AND owner_id = ? AND owned = 0
		ORDER BY asset_type, name COLLATE NOCASE, ext_id`, run, partnerID)
	return d, err
}

func scanAssetRef(r *sql.Rows) (AssetRef, error) {
	var a AssetRef
	return a, r.Scan(&a.ID, &a.Type, &a.Name)
}

// AssetDetail returns one asset of the current snapshot, or ErrNotFound.
func (s *Store) AssetDetail(ctx context.Context, integrationID int64, assetID string) (AssetDetail, error) {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil {
		return AssetDetail{}, err
	}
	key, err := s.snapshotKey(ctx, integrationID, "asset", assetID)
	if err != nil {
		return AssetDetail{}, err
	}
	var d AssetDetail
	rows, err := queryAll(ctx, s.read, "asset", func(r *sql.Rows) (AssetDetail, error) {
		var x AssetDetail
		var types string
		var created, updated int64
		err := r.Scan(&x.ID, &x.Type, &x.Name, &x.OwnerID, &x.OwnerName, &x.Owned, &x.Currency, &x.Country,
			&x.CatalogType, &types, &created, &updated, &x.Description)
		x.GroupTypes = splitList(types)
		x.CreatedTime, x.UpdatedTime = fromMilli(created), fromMilli(updated)
		return x, err
	}, `SELECT `+assetCols+`, a.description FROM snap_assets a WHERE a.run_id = ? AND a.id = ?`, run, key)
	if err != nil {
		return d, err
	}
	if len(rows) == 0 {
		return d, ErrNotFound
	}
	d = rows[0]
	d.Access, err = queryAll(ctx, s.read, "asset access", func(r *sql.Rows) (PrincipalGrant, error) {
		var p PrincipalGrant
		var roles, perms string
		err := r.Scan(&p.PrincipalType, &p.PrincipalID, &p.Username, &p.Email, &roles, &p.PartnerType, &perms)
		p.BusinessRoles, p.Permissions = splitList(roles), splitList(perms)
		return p, err
	}, `SELECT k.kind, k.ext_id, coalesce(m.username, p.username, ''), coalesce(m.email, p.email, ''),
			coalesce(m.business_roles, ''), coalesce(p.partner_type, ''), group_concat(r.name, ',' ORDER BY r.name)
		FROM snap_grants g JOIN entity_keys k ON k.id = g.grantee_id
		LEFT JOIN snap_members m ON k.kind = 'member' AND m.run_id = g.run_id AND m.id = g.grantee_id
		LEFT JOIN snap_partners p ON k.kind = 'partner' AND p.run_id = g.run_id AND p.id = g.grantee_id
		JOIN access_roles r ON r.id = g.permission_id
		WHERE g.run_id = ? AND g.asset_id = ?
		GROUP BY g.grantee_id ORDER BY k.kind, coalesce(m.username, p.username, '') COLLATE NOCASE, k.ext_id`, run, key)
	if err != nil {
		return d, err
	}
	pq := PixelQuery{AdAccountID: assetID}
	l, _, _ := pq.sql(run)
	d.Pixels, err = queryAll(ctx, s.read, "asset pixels", scanPixelRow, l.query, l.args...)
	if err != nil {
		return d, err
	}
	d.Contents, err = queryAll(ctx, s.read, "group contents", scanAssetRef,
		`SELECT a.ext_id, a.asset_type, a.name FROM snap_group_contents c
		JOIN snap_assets a ON a.run_id = c.run_id AND a.id = c.asset_id
		WHERE c.run_id = ? AND c.group_id = ? ORDER BY a.asset_type, a.name COLLATE NOCASE, a.ext_id`, run, key)
	if err != nil {
		return d, err
	}
	d.Groups, err = queryAll(ctx, s.read, "asset groups", scanAssetRef,
		`SELECT a.ext_id, a.asset_type, a.name FROM snap_group_contents c
		JOIN snap_assets a ON a.run_id = c.run_id AND a.id = c.group_id
		WHERE c.run_id = ? AND c.asset_id = ? ORDER BY a.name COLLATE NOCASE, a.ext_id`, run, key)
	if err != nil {
		return d, fmt.Errorf("store: asset %s: %w", assetID, err)
	}
	return d, nil
}
