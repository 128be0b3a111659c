package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// The functions below read a whole snapshot back, in Pinterest-ID order.
// They serve the importer's checks and tests and small exports; pages list
// through their own paginated queries.

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func queryAll[T any](ctx context.Context, db queryer, what string, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// SnapshotMembers returns every member of a run's snapshot.
func (s *Store) SnapshotMembers(ctx context.Context, runID int64) ([]Member, error) {
	return queryAll(ctx, s.read, "snapshot members", func(r *sql.Rows) (Member, error) {
		var m Member
		var roles string
		err := r.Scan(&m.ID, &m.Username, &m.Email, &roles, &m.IsSystemUser, &m.CreatedTime, &m.CreatedBy)
		m.BusinessRoles = splitList(roles)
		return m, err
	}, `SELECT ext_id, username, email, business_roles, is_system_user, created_time, created_by
		FROM snap_members WHERE run_id = ? ORDER BY ext_id`, runID)
}

// SnapshotPartners returns every partner of a run's snapshot.
func (s *Store) SnapshotPartners(ctx context.Context, runID int64) ([]Partner, error) {
	return queryAll(ctx, s.read, "snapshot partners", func(r *sql.Rows) (Partner, error) {
		var p Partner
		err := r.Scan(&p.ID, &p.Username, &p.Email, &p.PartnerType, &p.IsSharedPartner, &p.CreatedTime, &p.CreatedBy)
		return p, err
	}, `SELECT ext_id, username, email, partner_type, is_shared_partner, created_time, created_by
		FROM snap_partners WHERE run_id = ? ORDER BY ext_id`, runID)
}

// SnapshotAssets returns every asset of a run's snapshot, asset groups with
// their contents.
func (s *Store) SnapshotAssets(ctx context.Context, runID int64) ([]Asset, error) {
	return queryAll(ctx, s.read, "snapshot assets", func(r *sql.Rows) (Asset, error) {
		var a Asset
		var types, contents string
		err := r.Scan(&a.ID, &a.Type, &a.Name, &a.OwnerID, &a.OwnerName, &a.Owned, &a.Currency, &a.Country,
			&a.Description, &types, &a.CatalogType, &a.CreatedTime, &a.UpdatedTime, &contents)
		a.GroupTypes = splitList(types)
		a.Contents = splitList(contents)
		return a, err
	}, `SELECT a.ext_id, a.asset_type, a.name, a.owner_id, a.owner_name, a.owned, a.currency, a.country,
			a.description, a.group_types, a.catalog_type, a.created_time, a.updated_time,
			coalesce((SELECT group_concat(k.ext_id, ',' ORDER BY k.ext_id) FROM snap_group_contents c
				JOIN entity_keys k ON k.id = c.asset_id WHERE c.run_id = a.run_id AND c.group_id = a.id), '')
		FROM snap_assets a WHERE a.run_id = ? ORDER BY a.ext_id`, runID)
}

// SnapshotGrants returns every grant of a run's snapshot, one per grantee
// and asset with its permissions sorted.
func (s *Store) SnapshotGrants(ctx context.Context, runID int64) ([]Grant, error) {
	return queryAll(ctx, s.read, "snapshot grants", func(r *sql.Rows) (Grant, error) {
		var g Grant
		var perms string
		err := r.Scan(&g.GranteeType, &g.GranteeID, &g.AssetID, &perms)
		g.Permissions = splitList(perms)
		return g, err
	}, `SELECT k.kind, k.ext_id, a.ext_id, group_concat(p.name, ',' ORDER BY p.name)
		FROM snap_grants g
		JOIN entity_keys k ON k.id = g.grantee_id
		JOIN entity_keys a ON a.id = g.asset_id
		JOIN access_roles p ON p.id = g.permission_id
		WHERE g.run_id = ? GROUP BY g.grantee_id, g.asset_id ORDER BY k.kind, k.ext_id, a.ext_id`, runID)
}

// SnapshotPixels returns every conversion tag of a run's snapshot.
func (s *Store) SnapshotPixels(ctx context.Context, runID int64) ([]Pixel, error) {
	return queryAll(ctx, s.read, "snapshot pixels", func(r *sql.Rows) (Pixel, error) {
		var p Pixel
		err := r.Scan(&p.ID, &p.AdAccountID, &p.Name, &p.Status, &p.Version, &p.LastFiredTimeMs,
			&p.EnhancedMatchStatus, &p.AEMEnabled, &p.MDFrequency)
		return p, err
	}, `SELECT ext_id, ad_account_ext_id, name, status, version, last_fired_time_ms, enhanced_match_status,
		aem_enabled, md_frequency FROM snap_pixels WHERE run_id = ? ORDER BY ext_id`, runID)
}

// SnapshotInvites returns every invite of a run's snapshot with the assets
// it offers.
func (s *Store) SnapshotInvites(ctx context.Context, runID int64) ([]Invite, error) {
	invs, err := queryAll(ctx, s.read, "snapshot invites", func(r *sql.Rows) (Invite, error) {
		var i Invite
		var roles string
		err := r.Scan(&i.ID, &i.Type, &i.Status, &i.UserID, &i.Username, &i.Email, &roles, &i.IsReceived,
			&i.CreatedBy, &i.SentAt, &i.Expiration)
		i.BusinessRoles = splitList(roles)
		return i, err
	}, `SELECT ext_id, invite_type, invite_status, user_id, username, email, business_roles, is_received,
		created_by, sent_at, expiration FROM snap_invites WHERE run_id = ? ORDER BY ext_id`, runID)
	if err != nil {
		return nil, err
	}
	type row struct {
		invite string
		InviteAsset
	}
	assets, err := queryAll(ctx, s.read, "snapshot invite assets", func(r *sql.Rows) (row, error) {
		var x row
		var perms string
		err := r.Scan(&x.invite, &x.AssetID, &perms)
		x.Permissions = splitList(perms)
		return x, err
	}, `SELECT i.ext_id, a.asset_ext_id, group_concat(p.name, ',' ORDER BY p.name)
		FROM snap_invite_assets a JOIN snap_invites i ON i.run_id = a.run_id AND i.id = a.invite_id
		JOIN access_roles p ON p.id = a.permission_id
		WHERE a.run_id = ? GROUP BY a.invite_id, a.asset_ext_id ORDER BY i.ext_id, a.asset_ext_id`, runID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Invite{}
	for i := range invs {
		byID[invs[i].ID] = &invs[i]
	}
	for _, a := range assets {
		if inv := byID[a.invite]; inv != nil {
			inv.Assets = append(inv.Assets, a.InviteAsset)
		}
	}
	return invs, nil
}

// AccessRole is a business role or asset permission with its description.
type AccessRole struct {
	Kind        string // business_role or permission
	Name        string
	Description string
}

// AccessRoles lists the catalogue of business roles and permissions.
func (s *Store) AccessRoles(ctx context.Context) ([]AccessRole, error) {
	return queryAll(ctx, s.read, "access roles", func(r *sql.Rows) (AccessRole, error) {
		var a AccessRole
		err := r.Scan(&a.Kind, &a.Name, &a.Description)
		return a, err
	}, `SELECT kind, name, description FROM access_roles ORDER BY kind, name`)
}

// SnapshotDigest returns a SHA-256 digest of every row of a run's snapshot
// and of the changes recorded with it, in key order: equal digests mean the
// snapshot reads the same byte for byte. It serves integrity checks.
func (s *Store) SnapshotDigest(ctx context.Context, runID int64) (string, error) {
	h := sha256.New()
	for _, table := range append(slices.Clone(snapshotTables), "changes") {
		order := "id"
		if table != "changes" {
			// Order by every column: a total order whatever the key.
			probe, err := s.read.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
			if err != nil {
				return "", fmt.Errorf("store: snapshot digest: %w", err)
			}
			cols, _ := probe.Columns()
			probe.Close()
			nums := make([]string, len(cols))
			for i := range cols {
				nums[i] = fmt.Sprint(i + 1)
			}
			order = strings.Join(nums, ", ")
		}
		rows, err := s.read.QueryContext(ctx, `SELECT * FROM `+table+` WHERE run_id = ? ORDER BY `+order, runID)
		if err != nil {
			return "", fmt.Errorf("store: snapshot digest: %w", err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "table %s\n", table)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", fmt.Errorf("store: snapshot digest: %w", err)
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return "", fmt.Errorf("store: snapshot digest: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
