// Package inventorytest fills a pinaccess database with an imported sandbox
// dataset for tests and benchmarks: an integration whose current snapshot
// is exactly the dataset, written through the store's snapshot writer the
// way a sync writes it.
package inventorytest

import (
	"context"
	"fmt"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// Integration describes the integration row Import creates.
type Integration struct {
	Name           string // "Sandbox" if empty
	ServiceAccount string // username of the service account; sandbox-admin if empty
}

// NewIntegration adds a sandbox integration for the dataset's
// business and returns its ID.
func NewIntegration(ctx context.Context, st *store.Store, d *sandbox.Dataset, in Integration) (int64, error) {
	if in.Name == "" {
		in.Name = "Sandbox"
	}
	if in.ServiceAccount == "" {
		in.ServiceAccount = sandbox.AdminUsername
	}
	id, err := st.CreateIntegration(ctx, store.IntegrationFields{Name: in.Name, Environment: "sandbox",
		ServiceAccount: in.ServiceAccount, AppID: sandbox.DefaultAppID}, nil)
	if err != nil {
		return 0, fmt.Errorf("inventorytest: add integration: %w", err)
	}
	if err := st.SetIntegrationBusiness(ctx, id, d.Business.ID); err != nil {
		return 0, fmt.Errorf("inventorytest: add integration: %w", err)
	}
	return id, nil
}

// Sync writes d as a new snapshot of the integration and finishes the run,
// as a successful sync would. It returns the finished run.
func Sync(ctx context.Context, st *store.Store, integrationID int64, d *sandbox.Dataset) (store.Run, error) {
	run, err := st.StartRun(ctx, integrationID, "manual")
	if err != nil {
		return store.Run{}, err
	}
	w, err := st.NewSnapshotWriter(ctx, run.ID)
	if err != nil {
		return store.Run{}, err
	}
	if err := write(ctx, w, d); err != nil {
		return store.Run{}, err
	}
	return st.FinishRun(ctx, run.ID, store.RunStats{APICalls: map[string]int64{"list_members": 1}})
}

// Import adds an integration and syncs d into it once.
func Import(ctx context.Context, st *store.Store, d *sandbox.Dataset, in Integration) (int64, store.Run, error) {
	id, err := NewIntegration(ctx, st, d, in)
	if err != nil {
		return 0, store.Run{}, err
	}
	run, err := Sync(ctx, st, id, d)
	return id, run, err
}

func write(ctx context.Context, w *store.SnapshotWriter, d *sandbox.Dataset) error {
	for _, u := range d.Users {
		if !u.IsMember() {
			continue
		}
		if err := w.AddMembers(ctx, store.Member{ID: u.ID, Username: u.Username, Email: u.Email,
			BusinessRoles: u.BusinessRoles, IsSystemUser: u.IsSystemUser, CreatedTime: u.CreatedTime,
			CreatedBy: u.CreatedByUser}); err != nil {
			return err
		}
	}
	partnerNames := map[string]string{}
	for _, p := range d.Partners {
		partnerNames[p.ID] = p.Username
		if err := w.AddPartners(ctx, store.Partner{ID: p.ID, Username: p.Username, Email: p.Email,
			PartnerType: p.PartnerType, IsSharedPartner: p.IsSharedPartner, CreatedTime: p.CreatedTime,
			CreatedBy: p.CreatedByUser}); err != nil {
			return err
		}
	}
	for _, a := range d.Assets {
		owned := a.OwnerID == d.Business.ID
		owner := d.Business.Name
		if !owned {
			owner = partnerNames[a.OwnerID]
		}
		if err := w.AddAssets(ctx, store.Asset{ID: a.ID, Type: a.Type, Name: a.Name, OwnerID: a.OwnerID,
			OwnerName: owner, Owned: owned, Currency: a.Currency, Country: a.Country, Description: a.Description,
			GroupTypes: a.GroupTypes, CatalogType: a.CatalogType, CreatedTime: a.CreatedTime,
			UpdatedTime: a.UpdatedTime, Contents: a.Contents}); err != nil {
			return err
		}
	}
	for _, g := range d.Grants {
		sg := store.Grant{GranteeType: store.GranteeMember, GranteeID: g.MemberID, AssetID: g.AssetID, Permissions: g.Permissions}
		if g.PartnerID != "" {
			sg.GranteeType, sg.GranteeID = store.GranteePartner, g.PartnerID
		}
		if err := w.AddGrants(ctx, sg); err != nil {
			return err
		}
	}
	for _, t := range d.ConversionTags {
		if err := w.AddPixels(ctx, store.Pixel{ID: t.ID, AdAccountID: t.AdAccountID, Name: t.Name, Status: t.Status,
			Version: t.Version, LastFiredTimeMs: t.LastFiredTimeMs, EnhancedMatchStatus: t.EnhancedMatchStatus,
			AEMEnabled: t.AEMEnabled, MDFrequency: t.MDFrequency}); err != nil {
			return err
		}
	}
	for _, inv := range d.Invites {
		si := store.Invite{ID: inv.ID, Type: inv.InviteType, Status: inv.InviteStatus, UserID: inv.UserID,
			Username: inv.Username, Email: inv.Email, BusinessRoles: inv.BusinessRoles, IsReceived: inv.IsReceivedInvite,
			CreatedBy: inv.CreatedByUser, SentAt: inv.SentAt, Expiration: inv.Expiration}
		for _, a := range inv.Assets {
			si.Assets = append(si.Assets, store.InviteAsset{AssetID: a.AssetID, Permissions: a.Permissions})
		}
		if err := w.AddInvites(ctx, si); err != nil {
			return err
		}
	}
	return w.Flush(ctx)
}
