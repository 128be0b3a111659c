package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// newIntegration inserts a bare integration row for snapshot tests.
func newIntegration(t testing.TB, s *Store, threshold, retention int) int64 {
	t.Helper()
	var id int64
	err := s.w.QueryRow(`INSERT INTO integrations (name, environment, business_id, status, review_threshold_pct,
		retention_runs, created_at, updated_at) VALUES ('Test', 'sandbox', '1', 'connected', ?, ?, 0, 0) RETURNING id`,
		threshold, retention).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// business is a small inventory for tests.
type business struct {
	members  []Member
	partners []Partner
	assets   []Asset
	grants   []Grant
	pixels   []Pixel
	invites  []Invite
}

func sampleBusiness(members int) business {
	var b business
	for i := range members {
		b.members = append(b.members, Member{ID: fmt.Sprint(1000 + i), Username: fmt.Sprintf("user%d", i),
			Email: fmt.Sprintf("user%d@example.com", i), BusinessRoles: []string{"EMPLOYEE"}, CreatedTime: 1700000000000 + int64(i)})
	}
	b.members[0].BusinessRoles = []string{"BIZ_ADMIN"}
	b.partners = []Partner{
		{ID: "2000", Username: "agency", PartnerType: "INTERNAL", CreatedTime: 1},
		{ID: "2001", Username: "supplier", Email: "s@example.com", PartnerType: "EXTERNAL", IsSharedPartner: true},
	}
	b.assets = []Asset{
		{ID: "3000", Type: "AD_ACCOUNT", Name: "Main", OwnerID: "1", Owned: true, Currency: "USD", Country: "US"},
		{ID: "3001", Type: "PROFILE", Name: "Brand profile", Owned: true},
		{ID: "3002", Type: "CATALOG", Name: "Shop", CatalogType: "RETAIL"},
		{ID: "3003", Type: "ASSET_GROUP", Name: "Group", Description: "d", GroupTypes: []string{"BRAND"}, Contents: []string{"3000", "3002"}},
	}
	for i, m := range b.members {
		b.grants = append(b.grants, Grant{GranteeType: GranteeMember, GranteeID: m.ID, AssetID: "3000", Permissions: []string{"ANALYST"}})
		if i%2 == 0 {
			b.grants = append(b.grants, Grant{GranteeType: GranteeMember, GranteeID: m.ID, AssetID: "3003", Permissions: []string{"ADMIN", "ANALYST"}})
		}
	}
	b.grants = append(b.grants, Grant{GranteeType: GranteePartner, GranteeID: "2000", AssetID: "3001", Permissions: []string{"PROFILE_PUBLISHER"}})
	b.pixels = []Pixel{{ID: "4000", AdAccountID: "3000", Name: "Checkout", Status: "ACTIVE", Version: "3", LastFiredTimeMs: 5, AEMEnabled: true, MDFrequency: 0.5}}
	b.invites = []Invite{{ID: "5000", Type: "MEMBER_INVITE", Status: "PENDING", Email: "new@example.com", BusinessRoles: []string{"EMPLOYEE"},
		SentAt: 9, Expiration: 10, Assets: []InviteAsset{{AssetID: "3000", Permissions: []string{"ANALYST", "CAMPAIGN_MANAGER"}}}}}
	return b
}

// sync writes b as a run's snapshot and finishes the run.
func syncBusiness(t testing.TB, s *Store, integrationID int64, b business) Run {
	t.Helper()
	ctx := context.Background()
	r, err := s.StartRun(ctx, integrationID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	writeSnapshot(t, s, r.ID, b)
	fin, err := s.FinishRun(ctx, r.ID, RunStats{APICalls: map[string]int64{"get/business_members": 2}, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fin
}

func writeSnapshot(t testing.TB, s *Store, runID int64, b business) {
	t.Helper()
	ctx := context.Background()
	w, err := s.NewSnapshotWriter(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, err := range []error{
		w.AddMembers(ctx, b.members...), w.AddPartners(ctx, b.partners...), w.AddAssets(ctx, b.assets...),
		w.AddGrants(ctx, b.grants...), w.AddPixels(ctx, b.pixels...), w.AddInvites(ctx, b.invites...), w.Flush(ctx),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSnapshotRoundTripsEveryEntityAndBecomesCurrent(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	integ := newIntegration(t, s, 20, 30)
	b := sampleBusiness(7000) // more than one batch
	run := syncBusiness(t, s, integ, b)
	if run.Status != RunSucceeded {
		t.Fatalf("status %q, want succeeded (%s)", run.Status, run.ReviewReason)
	}
	cur, _ := s.CurrentRunID(ctx, integ)
	if cur != run.ID {
		t.Fatalf("current run %d, want %d", cur, run.ID)
	}
	want := RunCounts{Members: 7000, Partners: 2, Assets: 4, Grants: 7000 + 3500*2 + 1, Pixels: 1, Invites: 1}
	if run.Counts != want {
		t.Fatalf("counts %+v, want %+v", run.Counts, want)
	}
	if run.APICallsTotal != 2 || run.APICalls["get/business_members"] != 2 || run.Retries != 1 {
		t.Fatalf("calls %v total %d retries %d", run.APICalls, run.APICallsTotal, run.Retries)
	}
	got, err := s.SnapshotMembers(ctx, run.ID)
	if err != nil || len(got) != 7000 || !reflect.DeepEqual(got[0], b.members[0]) {
		t.Fatalf("members: %d, %v, first %+v", len(got), err, got[0])
	}
	ps, _ := s.SnapshotPartners(ctx, run.ID)
	if !reflect.DeepEqual(ps, b.partners) {
		t.Fatalf("partners %+v", ps)
	}
	as, _ := s.SnapshotAssets(ctx, run.ID)
	if !reflect.DeepEqual(as, b.assets) {
		t.Fatalf("assets\n got %+v\nwant %+v", as, b.assets)
	}
	px, _ := s.SnapshotPixels(ctx, run.ID)
	if !reflect.DeepEqual(px, b.pixels) {
		t.Fatalf("pixels %+v", px)
	}
	inv, _ := s.SnapshotInvites(ctx, run.ID)
	if !reflect.DeepEqual(inv, b.invites) {
		t.Fatalf("invites %+v", inv)
	}
	gs, _ := s.SnapshotGrants(ctx, run.ID)
	if len(gs) != 7000+3500+1 {
		t.Fatalf("grants %d", len(gs))
	}
	ch, _ := s.Changes(ctx, run.ID)
	if len(ch) != 0 {
		t.Fatalf("a first import recorded %d changes", len(ch))
	}
}

func TestAssetWrittenTwiceKeepsFieldsFromBothCalls(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	r, _ := s.StartRun(ctx, newIntegration(t, s, 20, 30), "manual")
	w, _ := s.NewSnapshotWriter(ctx, r.ID)
	w.AddAssets(ctx, Asset{ID: "1", Type: "AD_ACCOUNT"})
	w.Flush(ctx)
	w.AddAssets(ctx, Asset{ID: "1", Name: "Ads", Currency: "EUR", Country: "FR", OwnerID: "9", Owned: true})
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	as, _ := s.SnapshotAssets(ctx, r.ID)
	want := []Asset{{ID: "1", Type: "AD_ACCOUNT", Name: "Ads", Currency: "EUR", Country: "FR", OwnerID: "9", Owned: true}}
	if !reflect.DeepEqual(as, want) {
		t.Fatalf("got %+v", as)
	}
}

func TestSecondSnapshotRecordsExactlyTheChanges(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	integ := newIntegration(t, s, 20, 30)
	b := sampleBusiness(10)
	first := syncBusiness(t, s, integ, b)

	b2 := sampleBusiness(10)
	b2.members = append(b2.members[:3:3], b2.members[4:]...) // user3 removed
	b2.members[1].BusinessRoles = []string{"BIZ_ADMIN"}      // user1 promoted
	var grants []Grant
	for _, g := range b2.grants {
		if g.GranteeID == "1003" {
			continue // user3's grants go with them
		}
		if g.GranteeID == "1005" && g.AssetID == "3000" {
			g.Permissions = []string{"ANALYST", "FINANCE_VIEW"} // changed
		}
		grants = append(grants, g)
	}
	grants = append(grants, Grant{GranteeType: GranteePartner, GranteeID: "2001", AssetID: "3002", Permissions: []string{"CATALOGS_VIEWER"}})
	b2.grants = grants
	b2.pixels = nil
	b2.members = append(b2.members, Member{ID: "1999", Username: "newbie", BusinessRoles: []string{"EMPLOYEE"}})

	second := syncBusiness(t, s, integ, b2)
	if second.Status != RunSucceeded || second.BaseRunID != first.ID {
		t.Fatalf("second run %+v", second)
	}
	got, err := s.Changes(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ kind, subject, asset, before, after string }
	var keys []key
	for _, c := range got {
		keys = append(keys, key{c.Kind, c.SubjectID, c.AssetID, c.Before, c.After})
	}
	want := []key{
		{ChangeMemberAdded, "1999", "", "", "EMPLOYEE"},
		{ChangeMemberRemoved, "1003", "", "EMPLOYEE", ""},
		{ChangePixelRemoved, "4000", "3000", "ACTIVE", ""},
		{ChangeRoleChanged, "1001", "", "EMPLOYEE", "BIZ_ADMIN"},
		{ChangeGrantChanged, "1005", "3000", "ANALYST", "ANALYST,FINANCE_VIEW"},
		{ChangeGrantAdded, "2001", "3002", "", "CATALOGS_VIEWER"},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("changes\n got %v\nwant %v", keys, want)
	}
	if second.Counts.Changes != int64(len(want)) || second.Removed.Members != 1 || second.Removed.Grants != 1 {
		t.Fatalf("counts %+v removed %+v", second.Counts, second.Removed)
	}
	if got[0].SubjectName != "newbie" || got[2].AssetName != "Main" {
		t.Fatalf("names not recorded: %+v", got)
	}
}

// dumpCurrent renders every row the UI can read for an integration's
// current snapshot, to compare snapshots byte for byte.
func dumpCurrent(t testing.TB, s *Store, integ int64) string {
	t.Helper()
	ctx := context.Background()
	cur, err := s.CurrentRunID(ctx, integ)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("current=%d\n", cur)
	for _, table := range append(snapshotTables, "changes") {
		rows, err := s.r.Query(`SELECT * FROM `+table+` WHERE run_id = ? ORDER BY 1, 2, 3`, cur)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			out += fmt.Sprintf("%s %v\n", table, vals)
		}
		rows.Close()
	}
	return out
}

func TestLargeRemovalIsHeldForReviewThenAcceptedOrDiscarded(t *testing.T) {
	for _, decision := range []string{"accept", "discard"} {
		t.Run(decision, func(t *testing.T) {
			s := openTemp(t)
			ctx := context.Background()
			integ := newIntegration(t, s, 20, 30)
			first := syncBusiness(t, s, integ, sampleBusiness(10))
			before := dumpCurrent(t, s, integ)

			b := sampleBusiness(10)
			b.members = b.members[:7] // 30% removed
			held := syncBusiness(t, s, integ, b)
			if held.Status != RunNeedsReview || held.ReviewReason == "" {
				t.Fatalf("run %q (%q), want needs_review", held.Status, held.ReviewReason)
			}
			if dumpCurrent(t, s, integ) != before {
				t.Fatal("a held run changed the current snapshot")
			}
			ch, _ := s.Changes(ctx, held.ID)
			if len(ch) != 3 || ch[0].Kind != ChangeMemberRemoved {
				t.Fatalf("held run shows %d changes: %+v", len(ch), ch)
			}
			if decision == "accept" {
				r, err := s.AcceptRun(ctx, held.ID)
				if err != nil || r.Status != RunSucceeded {
					t.Fatalf("accept: %+v %v", r, err)
				}
				if cur, _ := s.CurrentRunID(ctx, integ); cur != held.ID {
					t.Fatalf("current %d after accept, want %d", cur, held.ID)
				}
				ms, _ := s.SnapshotMembers(ctx, held.ID)
				if len(ms) != 7 {
					t.Fatalf("%d members after accept", len(ms))
				}
			} else {
				r, err := s.DiscardRun(ctx, held.ID)
				if err != nil || r.Status != RunDiscarded {
					t.Fatalf("discard: %+v %v", r, err)
				}
				if cur, _ := s.CurrentRunID(ctx, integ); cur != first.ID || dumpCurrent(t, s, integ) != before {
					t.Fatal("discard changed the current snapshot")
				}
				if ms, _ := s.SnapshotMembers(ctx, held.ID); len(ms) != 0 {
					t.Fatal("discarded snapshot rows kept")
				}
			}
			if _, err := s.AcceptRun(ctx, held.ID); !errors.Is(err, ErrRunState) {
				t.Fatalf("second decision: %v, want ErrRunState", err)
			}
		})
	}
}

func TestEmptyImportIsHeldEvenWithThresholdOff(t *testing.T) {
	s := openTemp(t)
	integ := newIntegration(t, s, 0, 30)
	syncBusiness(t, s, integ, sampleBusiness(10))
	b := sampleBusiness(10)
	b.members[5].BusinessRoles = []string{"BIZ_ADMIN"}
	b.members = b.members[:2] // 80% gone, but threshold is off
	if r := syncBusiness(t, s, integ, b); r.Status != RunSucceeded {
		t.Fatalf("threshold off: %q %q", r.Status, r.ReviewReason)
	}
	if r := syncBusiness(t, s, integ, business{}); r.Status != RunNeedsReview {
		t.Fatalf("empty import: %q, want needs_review", r.Status)
	}
}

func TestFailedRunLeavesCurrentSnapshotUntouched(t *testing.T) {
	for _, status := range []string{RunFailed, RunCancelled} {
		t.Run(status, func(t *testing.T) {
			s := openTemp(t)
			ctx := context.Background()
			integ := newIntegration(t, s, 20, 30)
			syncBusiness(t, s, integ, sampleBusiness(10))
			before := dumpCurrent(t, s, integ)
			r, _ := s.StartRun(ctx, integ, "manual")
			b := sampleBusiness(5)
			writeSnapshot(t, s, r.ID, b)
			if err := s.FailRun(ctx, r.ID, status, "Pinterest answered 500 for good", RunStats{}); err != nil {
				t.Fatal(err)
			}
			if dumpCurrent(t, s, integ) != before {
				t.Fatal("failed run changed the current snapshot")
			}
			got, _ := s.Run(ctx, r.ID)
			if got.Status != status || got.Error != "Pinterest answered 500 for good" || got.FinishedAt.IsZero() {
				t.Fatalf("run %+v", got)
			}
			if ms, _ := s.SnapshotMembers(ctx, r.ID); len(ms) != 0 {
				t.Fatal("partial rows kept")
			}
		})
	}
}

func TestOnlyOneRunningRunPerIntegration(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	integ := newIntegration(t, s, 20, 30)
	r, err := s.StartRun(ctx, integ, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartRun(ctx, integ, "scheduled"); !errors.Is(err, ErrRunActive) {
		t.Fatalf("second start: %v, want ErrRunActive", err)
	}
	if _, err := s.StartRun(ctx, newIntegration(t, s, 20, 30), "manual"); err != nil {
		t.Fatalf("another integration: %v", err)
	}
	s.FailRun(ctx, r.ID, RunCancelled, "cancelled", RunStats{})
	if _, err := s.StartRun(ctx, integ, "manual"); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}

func TestRunningRunsBecomeInterruptedAtStartUp(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	integ := newIntegration(t, s, 20, 30)
	syncBusiness(t, s, integ, sampleBusiness(3))
	before := dumpCurrent(t, s, integ)
	r, _ := s.StartRun(ctx, integ, "manual")
	writeSnapshot(t, s, r.ID, sampleBusiness(4))
	if err := s.SetRunProgress(ctx, r.ID, "members", 3, 10); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, r.ID); got.Phase != "members" || got.ProgressDone != 3 || got.ProgressTotal != 10 {
		t.Fatalf("progress %+v", got)
	}
	n, err := s.MarkInterruptedRuns(ctx)
	if err != nil || n != 1 {
		t.Fatalf("marked %d, %v", n, err)
	}
	got, _ := s.Run(ctx, r.ID)
	if got.Status != RunInterrupted || got.Error == "" {
		t.Fatalf("run %+v", got)
	}
	if dumpCurrent(t, s, integ) != before {
		t.Fatal("interrupted run changed the current snapshot")
	}
	if ms, _ := s.SnapshotMembers(ctx, r.ID); len(ms) != 0 {
		t.Fatal("partial rows kept")
	}
}

func TestRetentionKeepsTheNewestSnapshots(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	integ := newIntegration(t, s, 20, 3)
	var runs []Run
	for i := range 5 {
		b := sampleBusiness(5 + i)
		runs = append(runs, syncBusiness(t, s, integ, b))
	}
	for i, r := range runs {
		got, _ := s.Run(ctx, r.ID)
		ms, _ := s.SnapshotMembers(ctx, r.ID)
		kept := i >= 2
		if got.HasSnapshot != kept || (len(ms) > 0) != kept {
			t.Fatalf("run %d: has_snapshot %v with %d members, want kept=%v", i, got.HasSnapshot, len(ms), kept)
		}
		if got.Counts.Members != int64(5+i) {
			t.Fatalf("run %d lost its counts", i)
		}
	}
	if ch, _ := s.Changes(ctx, runs[1].ID); len(ch) == 0 {
		t.Fatal("pruning removed a run's recorded changes")
	}
}
