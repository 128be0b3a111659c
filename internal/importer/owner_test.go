package importer

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// checkOwners syncs e and checks the stored owner's name of every asset:
// ourName for the business's own, the partner's name for those a partner
// shares (the sandbox, like Pinterest's partner lists, knows a partner by
// its username alone). It returns how many of each type the business owns
// and partners share.
func checkOwners(t *testing.T, e *env, ourName string) (ours, theirs map[string]int) {
	t.Helper()
	run := e.sync()
	if run.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	d := e.sb.Snapshot()
	partners := map[string]sandbox.Partner{}
	for _, p := range d.Partners {
		partners[p.ID] = p
	}
	assets, err := e.st.SnapshotAssets(context.Background(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs = map[string]int{}, map[string]int{}
	for _, a := range assets {
		want := ourName
		if a.Owned {
			ours[a.Type]++
		} else {
			want = partners[a.OwnerID].Username
			theirs[a.Type]++
		}
		if a.OwnerName != want || want == "" {
			t.Errorf("%s %s (%s) is owned by %q (%s), want %q", a.Type, a.ID, a.Name, a.OwnerName, a.OwnerID, want)
		}
	}
	return ours, theirs
}

func TestOwnedAssetsShowTheBusinessName(t *testing.T) {
	d, err := sandbox.Generate("small", 7)
	if err != nil {
		t.Fatal(err)
	}
	if d.Business.Name == "" || d.Business.Name == d.Business.Username {
		t.Fatalf("the business's name %q cannot be told from its username %q", d.Business.Name, d.Business.Username)
	}
	e := newEnv(t, d, fastClient, nil)
	ours, theirs := checkOwners(t, e, d.Business.Name)
	// Pinterest names the owner of ad accounts and asset groups by username:
	// those are where the business's name must replace it.
	for _, typ := range []string{sandbox.AssetAdAccount, sandbox.AssetGroup, sandbox.AssetProfile, sandbox.AssetCatalog} {
		if ours[typ] == 0 {
			t.Errorf("the business owns no %s: the test shows nothing about them", typ)
		}
	}
	if theirs[sandbox.AssetAdAccount] == 0 {
		t.Errorf("no ad account is shared by a partner (%v): the test shows nothing about them", theirs)
	}
	if n := e.sb.Stats().Calls["user_account/get"]; n != 1 {
		t.Errorf("user_account/get called %d times, want once", n)
	}
}

func TestBusinessWithoutAdAccountsShowsItsUsername(t *testing.T) {
	d, err := sandbox.Generate("small", 7)
	if err != nil {
		t.Fatal(err)
	}
	gone := map[string]bool{}
	for _, a := range d.Clone().Assets {
		if a.Type == sandbox.AssetAdAccount && a.OwnerID == d.Business.ID {
			d.RemoveAsset(a.ID)
			gone[a.ID] = true
		}
	}
	// RemoveAsset keeps the invites that offer the asset.
	for i := range d.Invites {
		d.Invites[i].Assets = slices.DeleteFunc(d.Invites[i].Assets, func(a sandbox.AssetPermission) bool { return gone[a.AssetID] })
	}
	e := newEnv(t, d, fastClient, nil)
	ours, _ := checkOwners(t, e, d.Business.Username)
	if ours[sandbox.AssetGroup] == 0 || ours[sandbox.AssetAdAccount] != 0 {
		t.Fatalf("the business owns %v: want asset groups and no ad account", ours)
	}
	if n := e.sb.Stats().Calls["user_account/get"]; n != 0 {
		t.Errorf("user_account/get called %d times without an ad account to ask about", n)
	}
}

func TestRefusedBusinessNameLeavesTheUsername(t *testing.T) {
	d, err := sandbox.Generate("small", 7)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, d, fastClient, nil)
	next := *e.h.Load()
	var refused atomic.Int64
	e.setHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/v5/user_account") && r.URL.Query().Has("ad_account_id") {
			refused.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":403,"message":"Not authorized to access the user account."}`))
			return
		}
		next.ServeHTTP(w, r)
	}))
	checkOwners(t, e, d.Business.Username)
	if n := refused.Load(); n != 1 {
		t.Errorf("the business's name was asked %d times, want once", n)
	}
}
