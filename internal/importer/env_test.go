package importer

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// env is a sandbox behind a real HTTP server, a store on a temporary file,
// an integration connected to the sandbox's admin account, and a Manager.
type env struct {
	t     testing.TB
	h     atomic.Pointer[http.Handler] // what the test server serves
	sb    *sandbox.Sandbox
	srv   *httptest.Server
	st    *store.Store
	box   *secret.Box
	integ int64
	m     *Manager
}

// fastClient lifts the client's pacing and shortens its retries, so tests
// and the no-latency benchmark measure pinaccess rather than quotas.
var fastClient = pinterest.Options{
	Limits: map[pinterest.Category]pinterest.Limit{
		pinterest.AdsRead:    pinterest.Quota(10_000_000, time.Minute),
		pinterest.AllTraffic: pinterest.Quota(10_000_000, time.Minute),
		pinterest.OrgRead:    pinterest.Quota(10_000_000, time.Minute),
	},
	Retry: pinterest.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxElapsed: time.Second},
}

func newEnv(t testing.TB, d *sandbox.Dataset, clientOpts pinterest.Options, sbOpts func(*sandbox.Options)) *env {
	t.Helper()
	e := &env{t: t}
	mux := http.NewServeMux()
	e.setHandler(mux)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*e.h.Load()).ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	base := e.srv.URL + "/sandbox"
	opts := sandbox.Options{Dataset: d, BaseURL: base, Limits: sandbox.Limits{}, Seed: 1}
	if sbOpts != nil {
		sbOpts(&opts)
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.sb = sb
	mux.Handle("/sandbox/", sb)

	ctx := context.Background()
	e.st, err = store.Open(ctx, filepath.Join(t.TempDir(), "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	key := make([]byte, secret.KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	e.box, _ = secret.New(key)
	access, refresh, err := sb.IssueToken(sandbox.AdminUsername, pinterest.ImportScopes())
	if err != nil {
		t.Fatal(err)
	}
	e.integ, err = e.st.AddConnectedIntegration(ctx, store.ConnectedIntegration{Name: "Sandbox", Environment: "sandbox",
		BusinessID: sandbox.DefaultBusinessID, AppID: sandbox.DefaultAppID})
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.SaveIntegrationTokens(ctx, e.integ,
		e.box.Seal([]byte(access), store.SecretLabel(e.integ, "access_token")),
		e.box.Seal([]byte(refresh), store.SecretLabel(e.integ, "refresh_token")),
		time.Now().Add(24*time.Hour), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.SaveIntegrationAppSecret(ctx, e.integ, e.box.Seal([]byte(sandbox.DefaultAppSecret), store.SecretLabel(e.integ, "app_secret")))
	if err != nil {
		t.Fatal(err)
	}
	conn := StoreConnector{Store: e.st, Box: e.box, Client: clientOpts,
		Endpoint: func(string) (pinterest.Endpoint, error) { return pinterest.SandboxEndpoint(base), nil }}
	e.m = NewManager(e.st, conn.Connect, Options{})
	t.Cleanup(e.m.Close)
	return e
}

// setHandler replaces what the test server serves, safely while it serves.
func (e *env) setHandler(h http.Handler) { e.h.Store(&h) }

// sync runs one sync to its end and returns the run.
func (e *env) sync() store.Run {
	e.t.Helper()
	ctx := context.Background()
	id, err := e.m.Start(ctx, e.integ, "manual")
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := e.m.Wait(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// expected is what a complete import of d must store, as store rows in
// Pinterest-ID order: every value the API exposes. (Pinterest's API gives
// no name or creation time for profiles, and no creation time for catalogs;
// an unset md_frequency reads as 1, the schema's default.)
type expected struct {
	members  []store.Member
	partners []store.Partner
	assets   []store.Asset
	grants   []store.Grant
	pixels   []store.Pixel
	invites  []store.Invite
}

func expect(d *sandbox.Dataset) expected {
	var x expected
	biz := d.Business.ID
	partners := map[string]sandbox.Partner{}
	for _, p := range d.Partners {
		partners[p.ID] = p
		x.partners = append(x.partners, store.Partner{ID: p.ID, Username: p.Username, Email: p.Email,
			PartnerType: p.PartnerType, IsSharedPartner: p.IsSharedPartner, CreatedTime: p.CreatedTime, CreatedBy: p.CreatedByUser})
	}
	for _, u := range d.Users {
		if !u.IsMember() {
			continue
		}
		x.members = append(x.members, store.Member{ID: u.ID, Username: u.Username, Email: u.Email,
			BusinessRoles: sortedCopy(u.BusinessRoles), IsSystemUser: u.IsSystemUser, CreatedTime: u.CreatedTime, CreatedBy: u.CreatedByUser})
	}
	shared := map[string]bool{}
	for _, g := range d.Grants {
		if p, ok := partners[g.PartnerID]; ok && p.PartnerType == sandbox.PartnerExternal {
			shared[g.AssetID] = true
		}
	}
	visible := map[string]bool{}
	for _, a := range d.Assets {
		if a.OwnerID != biz && !shared[a.ID] {
			continue
		}
		visible[a.ID] = true
		row := store.Asset{ID: a.ID, Type: a.Type, OwnerID: a.OwnerID, Owned: a.OwnerID == biz}
		if row.Owned {
			// The business's name, which user_account/get tells when the
			// business owns an ad account (every generated one does).
			row.OwnerName = d.Business.Name
		} else {
			row.OwnerName = partners[a.OwnerID].Username
		}
		switch a.Type {
		case sandbox.AssetAdAccount:
			row.Name, row.Currency, row.Country = a.Name, a.Currency, a.Country
			row.CreatedTime, row.UpdatedTime = a.CreatedTime/1000*1000, a.UpdatedTime/1000*1000
		case sandbox.AssetGroup:
			row.Name, row.Description, row.GroupTypes = a.Name, a.Description, a.GroupTypes
			row.CreatedTime, row.UpdatedTime = a.CreatedTime, a.UpdatedTime
			row.Contents = sortedCopy(a.Contents)
		case sandbox.AssetCatalog:
			row.Name, row.CatalogType = a.Name, a.CatalogType
		}
		x.assets = append(x.assets, row)
	}
	for _, g := range d.Grants {
		if !visible[g.AssetID] {
			continue
		}
		row := store.Grant{GranteeType: store.GranteeMember, GranteeID: g.MemberID, AssetID: g.AssetID, Permissions: sortedCopy(g.Permissions)}
		if g.PartnerID != "" {
			row.GranteeType, row.GranteeID = store.GranteePartner, g.PartnerID
		}
		x.grants = append(x.grants, row)
	}
	for _, t := range d.ConversionTags {
		mdf := t.MDFrequency
		if mdf == 0 {
			mdf = 1
		}
		x.pixels = append(x.pixels, store.Pixel{ID: t.ID, AdAccountID: t.AdAccountID, Name: t.Name, Status: t.Status,
			Version: t.Version, LastFiredTimeMs: t.LastFiredTimeMs, EnhancedMatchStatus: t.EnhancedMatchStatus,
			AEMEnabled: t.AEMEnabled, MDFrequency: mdf})
	}
	for _, inv := range d.Invites {
		row := store.Invite{ID: inv.ID, Type: inv.InviteType, Status: inv.InviteStatus, UserID: inv.UserID,
			Username: inv.Username, Email: inv.Email, BusinessRoles: sortedCopy(inv.BusinessRoles), IsReceived: inv.IsReceivedInvite,
			CreatedBy: inv.CreatedByUser, SentAt: inv.SentAt, Expiration: inv.Expiration}
		for _, a := range inv.Assets {
			row.Assets = append(row.Assets, store.InviteAsset{AssetID: a.AssetID, Permissions: sortedCopy(a.Permissions)})
		}
		slices.SortFunc(row.Assets, func(a, b store.InviteAsset) int { return cmp.Compare(a.AssetID, b.AssetID) })
		x.invites = append(x.invites, row)
	}
	slices.SortFunc(x.members, func(a, b store.Member) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(x.partners, func(a, b store.Partner) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(x.assets, func(a, b store.Asset) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(x.grants, func(a, b store.Grant) int {
		return cmp.Or(cmp.Compare(a.GranteeType, b.GranteeType), cmp.Compare(a.GranteeID, b.GranteeID), cmp.Compare(a.AssetID, b.AssetID))
	})
	slices.SortFunc(x.pixels, func(a, b store.Pixel) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(x.invites, func(a, b store.Invite) int { return cmp.Compare(a.ID, b.ID) })
	return x
}

// checkSnapshot compares a run's snapshot with what d must give, reporting
// the first few differences of each kind.
func checkSnapshot(t testing.TB, st *store.Store, runID int64, d *sandbox.Dataset) {
	t.Helper()
	ctx := context.Background()
	x := expect(d)
	members, err1 := st.SnapshotMembers(ctx, runID)
	partners, err2 := st.SnapshotPartners(ctx, runID)
	assets, err3 := st.SnapshotAssets(ctx, runID)
	grants, err4 := st.SnapshotGrants(ctx, runID)
	pixels, err5 := st.SnapshotPixels(ctx, runID)
	invites, err6 := st.SnapshotInvites(ctx, runID)
	for _, err := range []error{err1, err2, err3, err4, err5, err6} {
		if err != nil {
			t.Fatal(err)
		}
	}
	compare(t, "members", members, x.members)
	compare(t, "partners", partners, x.partners)
	compare(t, "assets", assets, x.assets)
	compare(t, "grants", grants, x.grants)
	compare(t, "pixels", pixels, x.pixels)
	compare(t, "invites", invites, x.invites)
}

func compare[T any](t testing.TB, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d stored, want %d", what, len(got), len(want))
	}
	shown := 0
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s[%d]:\n got %+v\nwant %+v", what, i, got[i], want[i])
			if shown++; shown == 3 {
				return
			}
		}
	}
}

// minimumCalls is the documented strategy's minimum number of calls for d
// (see the comment at the top of fetch.go), computed from the dataset.
func minimumCalls(d *sandbox.Dataset) int {
	pages := func(n int) int { return max(1, (n+249)/250) }
	biz := d.Business.ID
	ext := map[string]bool{}
	var internal, external int
	for _, p := range d.Partners {
		if p.PartnerType == sandbox.PartnerExternal {
			ext[p.ID] = true
			external++
		} else {
			internal++
		}
	}
	shared := map[string]bool{}
	for _, g := range d.Grants {
		if ext[g.PartnerID] {
			shared[g.AssetID] = true
		}
	}
	visible := map[string]int{}
	owned := map[string]int{}
	sharedGC := map[string]bool{}
	for _, a := range d.Assets {
		if a.OwnerID == biz {
			owned[a.Type]++
			visible[a.Type]++
		} else if shared[a.ID] {
			visible[a.Type]++
			if a.Type == sandbox.AssetGroup || a.Type == sandbox.AssetCatalog {
				sharedGC[a.Type] = true
			}
		}
	}
	var members, system int
	for _, u := range d.Users {
		switch {
		case !u.IsMember():
		case u.IsSystemUser:
			system++
		default:
			members++
		}
	}
	var memberInv, partnerInv int
	for _, inv := range d.Invites {
		if inv.InviteType == "MEMBER_INVITE" {
			memberInv++
		} else {
			partnerInv++
		}
	}
	gc := visible[sandbox.AssetGroup] + visible[sandbox.AssetCatalog]
	ownedGC := owned[sandbox.AssetGroup] + owned[sandbox.AssetCatalog]
	n := 0
	for _, t := range []string{sandbox.AssetAdAccount, sandbox.AssetProfile, sandbox.AssetGroup, sandbox.AssetCatalog} {
		n += pages(visible[t])
	}
	n += pages(owned[sandbox.AssetGroup]) + pages(owned[sandbox.AssetCatalog])
	n += pages(members) + pages(system) + pages(internal) + pages(external) + pages(memberInv) + pages(partnerInv)
	n += pages(visible[sandbox.AssetAdAccount]) // the admin owns no personal ad account in generated data
	n += visible[sandbox.AssetAdAccount]
	if owned[sandbox.AssetAdAccount] > 0 {
		n++ // user_account/get for the business's name
	}
	if gc > 0 {
		n += min(gc, 2*members)
		if system > 0 {
			n += min(gc, 2*system)
		}
	}
	if internal > 0 && ownedGC > 0 {
		n += min(ownedGC, 2*internal)
	}
	n += len(sharedGC) * external
	return n
}

func callsReport(calls map[string]int) string {
	var parts []string
	for op, n := range calls {
		parts = append(parts, fmt.Sprintf("%s=%d", op, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
