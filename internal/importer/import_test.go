package importer

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

func TestSyncImportsEveryEntityOfTheSandbox(t *testing.T) {
	for _, size := range []string{"small", "medium", "large"} {
		t.Run(size, func(t *testing.T) {
			if size == "large" && testing.Short() {
				t.Skip("large dataset: runs without -short")
			}
			d, err := sandbox.Generate(size, 7)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, d, fastClient, nil)
			run := e.sync()
			if run.Status != store.RunSucceeded {
				t.Fatalf("run %s: %s %s", run.Status, run.Error, run.ReviewReason)
			}
			if cur, _ := e.st.CurrentRunID(context.Background(), e.integ); cur != run.ID {
				t.Fatalf("current run %d, want %d", cur, run.ID)
			}
			p, err := e.m.Progress(context.Background(), run.ID)
			if err != nil || p.Status != store.RunSucceeded || p.Total == 0 || p.Done != p.Total || p.Calls == 0 {
				t.Errorf("progress after the run: %+v %v", p, err)
			}
			served := e.sb.Snapshot()
			checkSnapshot(t, e.st, run.ID, served)
			x := expect(served)
			want := store.RunCounts{Members: int64(len(x.members)), Partners: int64(len(x.partners)), Assets: int64(len(x.assets)),
				Pixels: int64(len(x.pixels)), Invites: int64(len(x.invites))}
			for _, g := range x.grants {
				want.Grants += int64(len(g.Permissions))
			}
			if run.Counts != want {
				t.Errorf("run counts %+v, want %+v", run.Counts, want)
			}

			// Efficiency: what the sandbox answered, against the documented
			// strategy's minimum for this dataset.
			stats := e.sb.Stats()
			total := 0
			for _, n := range stats.Calls {
				total += n
			}
			minimum := minimumCalls(served)
			t.Logf("%s: %d calls (minimum %d), strategy %q; %s", size, total, minimum, run.Strategy, callsReport(stats.Calls))
			if float64(total) > 1.05*float64(minimum) || total < minimum {
				t.Errorf("%d calls, want within 5%% of the strategy's minimum %d", total, minimum)
			}
			if run.APICallsTotal != int64(total) {
				t.Errorf("run recorded %d calls, the sandbox answered %d", run.APICallsTotal, total)
			}
			for op, n := range stats.Calls {
				if run.APICalls[op] != int64(n) {
					t.Errorf("run recorded %d calls of %s, the sandbox answered %d", run.APICalls[op], op, n)
				}
			}
		})
	}
}

func TestSecondSyncRecordsExactlyTheChangesMade(t *testing.T) {
	d, _ := sandbox.Generate("medium", 3)
	e := newEnv(t, d, fastClient, nil)
	first := e.sync()
	if first.Status != store.RunSucceeded {
		t.Fatalf("first run %s: %s", first.Status, first.Error)
	}

	var removed, promoted, grantee, asset, pixel string
	err := e.sb.Update(func(d *sandbox.Dataset) {
		holds := map[string]map[string]bool{}
		for _, g := range d.Grants {
			if g.MemberID != "" {
				if holds[g.MemberID] == nil {
					holds[g.MemberID] = map[string]bool{}
				}
				holds[g.MemberID][g.AssetID] = true
			}
		}
		// Employees never added anyone, so removing one changes no one else.
		var employees []int
		for i, u := range d.Users {
			if u.IsMember() && !u.IsSystemUser && u.HasRole(sandbox.RoleEmployee) && len(holds[u.ID]) > 0 &&
				u.Username != sandbox.EmployeeUsername {
				employees = append(employees, i)
			}
		}
		gone, up, gets := d.Users[employees[0]], &d.Users[employees[1]], d.Users[employees[2]]
		removed, promoted, grantee = gone.ID, up.ID, gets.ID
		up.BusinessRoles = []string{sandbox.RoleBizAdmin}
		d.Users = slices.DeleteFunc(d.Users, func(u sandbox.User) bool { return u.ID == removed })
		d.Grants = slices.DeleteFunc(d.Grants, func(g sandbox.Grant) bool { return g.MemberID == removed })
		for _, a := range d.Assets {
			if a.Type == sandbox.AssetAdAccount && a.OwnerID == d.Business.ID && !holds[grantee][a.ID] {
				asset = a.ID
				break
			}
		}
		d.Grants = append(d.Grants, sandbox.Grant{AssetID: asset, MemberID: grantee, Permissions: []string{"ANALYST"}})
		pixel = d.ConversionTags[0].ID
		d.ConversionTags = d.ConversionTags[1:]
	})
	if err != nil {
		t.Fatal(err)
	}
	second := e.sync()
	if second.Status != store.RunSucceeded {
		t.Fatalf("second run %s: %s %s", second.Status, second.Error, second.ReviewReason)
	}
	checkSnapshot(t, e.st, second.ID, e.sb.Snapshot())
	changes, err := e.st.Changes(context.Background(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, strings.Join([]string{c.Kind, c.SubjectID, c.AssetID, c.Before, c.After}, " "))
	}
	slices.Sort(got)
	want := []string{
		strings.Join([]string{store.ChangeGrantAdded, grantee, asset, "", "ANALYST"}, " "),
		strings.Join([]string{store.ChangeMemberRemoved, removed, "", "EMPLOYEE", ""}, " "),
		strings.Join([]string{store.ChangePixelRemoved, pixel, d.ConversionTags[0].AdAccountID, "", ""}, " "),
		strings.Join([]string{store.ChangeRoleChanged, promoted, "", "EMPLOYEE", "BIZ_ADMIN"}, " "),
	}
	// The pixel's "before" is its status; fill it in from the first snapshot.
	px, _ := e.st.SnapshotPixels(context.Background(), first.ID)
	for _, p := range px {
		if p.ID == pixel {
			want[2] = strings.Join([]string{store.ChangePixelRemoved, pixel, p.AdAccountID, p.Status, ""}, " ")
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
}

// removeMembers removes a share of the non-system members (and their
// grants) from the sandbox's data.
func removeMembers(t *testing.T, sb *sandbox.Sandbox, percent int) {
	t.Helper()
	err := sb.Update(func(d *sandbox.Dataset) {
		var ids []string
		for _, u := range d.Users {
			if u.IsMember() && u.Username != sandbox.AdminUsername {
				ids = append(ids, u.ID)
			}
		}
		drop := map[string]bool{}
		for _, id := range ids[:len(ids)*percent/100+1] {
			drop[id] = true
		}
		d.Users = slices.DeleteFunc(d.Users, func(u sandbox.User) bool { return drop[u.ID] })
		d.Grants = slices.DeleteFunc(d.Grants, func(g sandbox.Grant) bool { return drop[g.MemberID] })
		for i := range d.Users {
			if drop[d.Users[i].CreatedByUser] {
				d.Users[i].CreatedByUser = ""
			}
		}
		for i := range d.Invites {
			if drop[d.Invites[i].CreatedByUser] {
				d.Invites[i].CreatedByUser = ""
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLargeRemovalIsHeldForReview(t *testing.T) {
	for _, decision := range []string{"accept", "discard"} {
		t.Run(decision, func(t *testing.T) {
			ctx := context.Background()
			d, _ := sandbox.Generate("small", 5)
			e := newEnv(t, d, fastClient, nil)
			first := e.sync()
			before, _ := e.st.SnapshotDigest(ctx, first.ID)

			removeMembers(t, e.sb, 30)
			held := e.sync()
			if held.Status != store.RunNeedsReview || !strings.Contains(held.ReviewReason, "members") {
				t.Fatalf("run %s (%q), want needs_review because of members", held.Status, held.ReviewReason)
			}
			if cur, _ := e.st.CurrentRunID(ctx, e.integ); cur != first.ID {
				t.Fatalf("current run moved to %d while held", cur)
			}
			if after, _ := e.st.SnapshotDigest(ctx, first.ID); after != before {
				t.Fatal("the current snapshot changed while a run was held")
			}
			if decision == "accept" {
				if _, err := e.st.AcceptRun(ctx, held.ID); err != nil {
					t.Fatal(err)
				}
				if cur, _ := e.st.CurrentRunID(ctx, e.integ); cur != held.ID {
					t.Fatalf("current run %d after accept, want %d", cur, held.ID)
				}
				checkSnapshot(t, e.st, held.ID, e.sb.Snapshot())
				return
			}
			if _, err := e.st.DiscardRun(ctx, held.ID); err != nil {
				t.Fatal(err)
			}
			if cur, _ := e.st.CurrentRunID(ctx, e.integ); cur != first.ID {
				t.Fatalf("current run %d after discard, want %d", cur, first.ID)
			}
			if after, _ := e.st.SnapshotDigest(ctx, first.ID); after != before {
				t.Fatal("discarding changed the current snapshot")
			}
		})
	}
}

// failAfter passes n sandbox API requests, then calls fail once before the
// next one is answered.
func failAfter(n int64, fail func()) func(http.Handler) http.Handler {
	var count atomic.Int64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/v5/") && !strings.HasSuffix(r.URL.Path, "/oauth/token") {
				if count.Add(1) == n+1 {
					fail()
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestRunFailingHalfWayLeavesThePreviousSnapshot(t *testing.T) {
	cases := []struct {
		name      string
		fault     func(sb *sandbox.Sandbox)
		reason    string
		reconnect bool
	}{
		{"pinterest answers 500 for good", func(sb *sandbox.Sandbox) { sb.SetFaults(sandbox.Faults{FailAll: true}) },
			"server error", false},
		{"token revoked", func(sb *sandbox.Sandbox) { sb.RevokeAll() }, "Reconnect", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d, _ := sandbox.Generate("medium", 11)
			e := newEnv(t, d, fastClient, nil)
			first := e.sync()
			if first.Status != store.RunSucceeded {
				t.Fatalf("first run %s", first.Status)
			}
			before, _ := e.st.SnapshotDigest(ctx, first.ID)
			firstCalls := e.sb.Stats()

			// Change the data so a completed second run would differ, then
			// fail the second run half-way through its calls.
			removeMembers(t, e.sb, 5)
			total := 0
			for _, n := range firstCalls.Calls {
				total += n
			}
			var sbHandler http.Handler = e.sb
			mux := http.NewServeMux()
			mux.Handle("/sandbox/", failAfter(int64(total/2), func() { tc.fault(e.sb) })(sbHandler))
			e.setHandler(mux)

			run := e.sync()
			if run.Status != store.RunFailed {
				t.Fatalf("run %s, want failed", run.Status)
			}
			if !strings.Contains(run.Error, tc.reason) || !strings.Contains(run.Error, "previous snapshot is still current") {
				t.Fatalf("reason %q does not say %q and that the previous snapshot stays", run.Error, tc.reason)
			}
			if strings.Contains(run.Error, "pina") || strings.Contains(run.Error, "pinr") {
				t.Fatalf("reason shows a token: %q", run.Error)
			}
			if run.APICallsTotal < int64(total/2) {
				t.Fatalf("run recorded %d calls; it failed after %d", run.APICallsTotal, total/2)
			}
			if cur, _ := e.st.CurrentRunID(ctx, e.integ); cur != first.ID {
				t.Fatalf("current run %d, want %d", cur, first.ID)
			}
			if after, _ := e.st.SnapshotDigest(ctx, first.ID); after != before {
				t.Fatal("the current snapshot changed")
			}
			if ms, _ := e.st.SnapshotMembers(ctx, run.ID); len(ms) != 0 {
				t.Fatalf("the failed run left %d member rows", len(ms))
			}
			target, _ := e.st.SyncTarget(ctx, e.integ)
			if got := target.Status == "needs_reconnect"; got != tc.reconnect {
				t.Fatalf("integration status %q", target.Status)
			}
		})
	}
}

func TestCancelledRunLeavesThePreviousSnapshot(t *testing.T) {
	ctx := context.Background()
	d, _ := sandbox.Generate("small", 2)
	e := newEnv(t, d, fastClient, nil)
	first := e.sync()
	before, _ := e.st.SnapshotDigest(ctx, first.ID)

	var runID atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", failAfter(10, func() { e.m.Cancel(runID.Load()) })(e.sb))
	release := make(chan struct{})
	// Hold the run's first request until its ID is known to the canceller.
	gate := http.NewServeMux()
	var once atomic.Bool
	gate.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if once.CompareAndSwap(false, true) {
			<-release
		}
		mux.ServeHTTP(w, r)
	})
	e.setHandler(gate)
	id, err := e.m.Start(ctx, e.integ, "manual")
	if err != nil {
		t.Fatal(err)
	}
	runID.Store(id)
	if _, err := e.m.Start(ctx, e.integ, "manual"); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second start while running: %v, want ErrAlreadyRunning", err)
	}
	if p, err := e.m.Progress(ctx, id); err != nil || p.Status != store.RunRunning || p.Phase == "" || p.Total != 0 {
		t.Fatalf("progress while running, before the work is known: %+v %v", p, err)
	}
	close(release)
	run, err := e.m.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.RunCancelled {
		t.Fatalf("run %s (%s), want cancelled", run.Status, run.Error)
	}
	if cur, _ := e.st.CurrentRunID(ctx, e.integ); cur != first.ID {
		t.Fatalf("current run %d, want %d", cur, first.ID)
	}
	if after, _ := e.st.SnapshotDigest(ctx, first.ID); after != before {
		t.Fatal("the current snapshot changed")
	}
	p, err := e.m.Progress(ctx, id)
	if err != nil || p.Status != store.RunCancelled {
		t.Fatalf("progress after cancel: %+v %v", p, err)
	}
	// A new run can start once the cancelled one has ended.
	if r := e.sync(); r.Status != store.RunSucceeded {
		t.Fatalf("run after cancel: %s", r.Status)
	}
}

func TestExpiredAccessTokenIsRenewedAndStored(t *testing.T) {
	ctx := context.Background()
	d, _ := sandbox.Generate("small", 4)
	e := newEnv(t, d, fastClient, nil)
	before, _ := e.st.SyncTarget(ctx, e.integ)
	e.sb.ExpireAccessTokens()
	run := e.sync()
	if run.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	after, _ := e.st.SyncTarget(ctx, e.integ)
	if string(after.RefreshTokenSealed) == string(before.RefreshTokenSealed) {
		t.Fatal("the rotated refresh token was not stored")
	}
	tok, err := e.box.Open(after.AccessTokenSealed, store.SecretLabel(e.integ, "access_token"))
	if err != nil || !strings.HasPrefix(string(tok), "pina") {
		t.Fatalf("stored access token unreadable: %v", err)
	}
	if _, ok := run.APICalls["oauth/token"]; !ok {
		t.Fatalf("the renewal is not among the run's calls: %v", run.APICalls)
	}
}
