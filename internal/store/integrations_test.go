package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestIntegrationWizardStepsConnectAndDisconnect(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	admin, err := s.CreateAdmin(ctx, "ops@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	var sealedFor int64
	id, err := s.CreateIntegration(ctx, IntegrationFields{Name: "Acme", Environment: "sandbox", ServiceAccount: "svc", AppID: "1000001"},
		func(id int64) []byte { sealedFor = id; return []byte("sealed-secret") })
	if err != nil {
		t.Fatal(err)
	}
	if sealedFor != id {
		t.Fatalf("app secret sealed for id %d, integration is %d", sealedFor, id)
	}
	in, err := s.Integration(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != IntegrationDraft || !in.HasAppSecret || in.BusinessID != "" || in.HasToken || in.Name != "Acme" {
		t.Fatalf("new integration = %+v", in)
	}

	// Saving step 1 again without a new secret keeps the old one.
	if err := s.UpdateIntegrationFields(ctx, id, IntegrationFields{Name: "Acme EU", Environment: "pinterest", ServiceAccount: "svc2", AppID: "42"}, nil); err != nil {
		t.Fatal(err)
	}
	tgt, err := s.SyncTarget(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if string(tgt.AppSecretSealed) != "sealed-secret" || tgt.AppID != "42" || tgt.Environment != "pinterest" {
		t.Fatalf("after update without secret: %+v", tgt)
	}
	if err := s.SetIntegrationBusiness(ctx, id, "482344901002451200"); err != nil {
		t.Fatal(err)
	}

	exp := time.UnixMilli(1_800_000_000_000).UTC()
	if err := s.ConnectIntegration(ctx, id, Connection{AccessSealed: []byte("a"), RefreshSealed: []byte("r"), Expires: exp,
		Scopes: []string{"biz_access:read", "ads:read"}, AdminID: admin.ID}); err != nil {
		t.Fatal(err)
	}
	in, _ = s.Integration(ctx, id)
	if in.Status != IntegrationConnected || !in.HasToken || in.ConnectedBy != "ops@example.com" || in.ConnectedAt.IsZero() ||
		!slices.Equal(in.Scopes, []string{"biz_access:read", "ads:read"}) || in.BusinessID != "482344901002451200" {
		t.Fatalf("connected integration = %+v", in)
	}
	// A connected integration's setup cannot change under it.
	if err := s.SetIntegrationBusiness(ctx, id, "1"); !errors.Is(err, ErrIntegrationConnected) {
		t.Fatalf("set business on connected: %v", err)
	}
	if err := s.UpdateIntegrationFields(ctx, id, IntegrationFields{Name: "x", Environment: "sandbox"}, nil); !errors.Is(err, ErrIntegrationConnected) {
		t.Fatalf("update connected: %v", err)
	}

	if err := s.DisconnectIntegration(ctx, id); err != nil {
		t.Fatal(err)
	}
	tgt, _ = s.SyncTarget(ctx, id)
	if tgt.Status != IntegrationDisconnected || tgt.AccessTokenSealed != nil || tgt.RefreshTokenSealed != nil || tgt.AppSecretSealed == nil {
		t.Fatalf("after disconnect: %+v", tgt)
	}
	if err := s.SetIntegrationBusiness(ctx, 999, "1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing integration: %v", err)
	}
}

func TestDeleteIntegrationRemovesItsRunsSnapshotsAndChanges(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	keep := newIntegration(t, s, 20, 30)
	gone := newIntegration(t, s, 20, 30)
	syncBusiness(t, s, keep, sampleBusiness(3))
	syncBusiness(t, s, gone, sampleBusiness(3))
	syncBusiness(t, s, gone, sampleBusiness(2))
	before := dumpCurrent(t, s, keep)

	run, err := s.StartRun(ctx, gone, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteIntegration(ctx, gone); !errors.Is(err, ErrRunActive) {
		t.Fatalf("delete while running: %v", err)
	}
	if err := s.FailRun(ctx, run.ID, RunFailed, "x", RunStats{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteIntegration(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Integration(ctx, gone); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted integration still there: %v", err)
	}
	for _, table := range append(slices.Clone(snapshotTables), "changes", "entity_keys", "sync_runs") {
		var n int
		q := `SELECT count(*) FROM ` + table + ` WHERE run_id NOT IN (SELECT id FROM sync_runs)`
		if table == "entity_keys" || table == "sync_runs" {
			q = `SELECT count(*) FROM ` + table + ` WHERE integration_id = ?`
		}
		if err := s.r.QueryRow(q, gone).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows of the deleted integration left", table, n)
		}
	}
	if after := dumpCurrent(t, s, keep); after != before {
		t.Errorf("the other integration's data changed")
	}
	if err := s.DeleteIntegration(ctx, gone); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestIntegrationOverviewsShowLastRunAndCurrentCounts(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	a, _ := s.CreateIntegration(ctx, IntegrationFields{Name: "beta", Environment: "sandbox"}, nil)
	b := newIntegration(t, s, 20, 30) // named "Test"
	syncBusiness(t, s, b, sampleBusiness(4))
	ov, err := s.IntegrationOverviews(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov) != 2 || ov[0].ID != a || ov[1].ID != b {
		t.Fatalf("order: %+v", ov)
	}
	if ov[0].LastRun.ID != 0 || ov[0].Counts.Members != 0 {
		t.Errorf("never-synced integration has a run: %+v", ov[0])
	}
	if ov[1].LastRun.Status != RunSucceeded || ov[1].Counts.Members != 4 {
		t.Errorf("synced integration: run %+v counts %+v", ov[1].LastRun, ov[1].Counts)
	}
}
