package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/webtest"
)

// TestAssetOwnerIsShownByName imports a sandbox Business Manager with
// pinaccess's importer and reads the owner of its assets where an admin
// does: the assets list, an asset's page and the assets CSV. The business's
// own assets show its name, not its username; a partner's show the partner.
func TestAssetOwnerIsShownByName(t *testing.T) {
	d, err := sandbox.Generate("small", 3)
	if err != nil {
		t.Fatal(err)
	}
	if d.Business.Name == d.Business.Username {
		t.Fatalf("the business's name %q is its username", d.Business.Name)
	}
	srv := webtest.Start(t, webtest.Options{})
	id, _, stop, err := inventorytest.ImportFromSandbox(context.Background(), srv.Store, srv.Box, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	srv.CreateAdmin(t, invAdmin, invPassword)
	c := srv.Client(t)
	c.Login(t, invAdmin, invPassword)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	partners := map[string]string{}
	for _, p := range d.Partners {
		partners[p.ID] = p.Username
	}

	// The list: the Owner column of our ad accounts, then of partners'.
	ours := c.Get(t, base+"/assets?owner=ours&type=AD_ACCOUNT&per_page=250")
	rows := ours.TestID("asset-row")
	if ours.StatusCode != http.StatusOK || rows.Length() == 0 {
		t.Fatalf("status %d, %d of our ad accounts listed", ours.StatusCode, rows.Length())
	}
	rows.Each(func(_ int, r *goquery.Selection) {
		if got := strings.TrimSpace(r.Children().Eq(2).Text()); got != d.Business.Name {
			t.Errorf("%s is owned by %q, want %q", strings.TrimSpace(r.Children().Eq(0).Text()), got, d.Business.Name)
		}
	})
	theirs := c.Get(t, base+"/assets?owner=theirs&per_page=250")
	if theirs.TestID("asset-row").Length() == 0 {
		t.Fatal("no partner's asset listed")
	}
	ownerOf := map[string]string{}
	for _, a := range d.Assets {
		ownerOf[a.ID] = a.OwnerID
	}
	theirs.TestID("asset-row").Each(func(_ int, r *goquery.Selection) {
		// The cell is the owner's name, then a "Partner's" badge.
		asset, owner := strings.TrimSpace(r.Children().Eq(6).Text()), strings.TrimSpace(r.Children().Eq(2).Text())
		if want := partners[ownerOf[asset]]; want == "" || !strings.HasPrefix(owner, want) {
			t.Errorf("the partner's asset %s is owned by %q, want %q", asset, owner, want)
		}
	})

	// An asset's page.
	var own, shared string
	for _, a := range d.Assets {
		switch {
		case own == "" && a.Type == sandbox.AssetAdAccount && a.OwnerID == d.Business.ID:
			own = a.ID
		case shared == "" && a.Type == sandbox.AssetAdAccount && partners[a.OwnerID] != "":
			shared = a.ID
		}
	}
	if got := strings.TrimSpace(c.Get(t, base+"/assets/"+own).TestID("fact-owner").Text()); got != d.Business.Name {
		t.Errorf("the page of ad account %s names its owner %q, want %q", own, got, d.Business.Name)
	}
	for _, a := range d.Assets {
		if a.ID == shared {
			page := c.Get(t, base+"/assets/"+shared)
			if got := strings.TrimSpace(page.TestID("fact-owner").Text()); got != partners[a.OwnerID] {
				t.Errorf("the page of the partner's ad account %s names its owner %q, want %q", shared, got, partners[a.OwnerID])
			}
		}
	}

	// The CSV of every asset.
	href, _ := c.Get(t, base+"/assets").TestID("download-csv").Attr("href")
	res := c.Get(t, href)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download %s: status %d", href, res.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("the CSV (%d records): %v", len(recs), err)
	}
	idCol, ownerID, ownerName := slices.Index(recs[0], "id"), slices.Index(recs[0], "owner_id"), slices.Index(recs[0], "owner_name")
	if idCol < 0 || ownerID < 0 || ownerName < 0 {
		t.Fatalf("the CSV's columns: %v", recs[0])
	}
	var n [2]int
	for _, r := range recs[1:] {
		want, i := d.Business.Name, 0
		if r[ownerID] != d.Business.ID {
			want, i = partners[r[ownerID]], 1
		}
		n[i]++
		if r[ownerName] != want {
			t.Errorf("the CSV says %s is owned by %q (%s), want %q", r[idCol], r[ownerName], r[ownerID], want)
		}
	}
	if n[0] == 0 || n[1] == 0 {
		t.Errorf("the CSV has %d of our assets and %d of partners'", n[0], n[1])
	}
}
