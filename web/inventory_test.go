package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/webtest"
)

const invAdmin, invPassword = "admin@example.com", "correct horse battery staple"

// hostile is an imported name that would run script if it were markup.
const hostile = `<img src=x onerror=alert(1)>`

// inventoryServer starts a server with the small sandbox dataset imported,
// one member, partner and asset renamed to hostile markup, and a signed-in
// client.
func inventoryServer(t *testing.T) (*webtest.Server, *webtest.Client, int64, *sandbox.Dataset) {
	t.Helper()
	d, err := sandbox.Generate("small", 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Users {
		if d.Users[i].IsMember() && d.Users[i].Username != sandbox.AdminUsername {
			d.Users[i].Username, d.Users[i].Email = hostile, `"><script>alert(2)</script>@example.com`
			break
		}
	}
	d.Partners[0].Username = hostile
	for i := range d.Assets {
		if d.Assets[i].Type == sandbox.AssetAdAccount {
			d.Assets[i].Name = hostile
			break
		}
	}
	srv := webtest.Start(t, webtest.Options{})
	id, _, err := inventorytest.Import(context.Background(), srv.Store, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateAdmin(t, invAdmin, invPassword)
	c := srv.Client(t)
	c.Login(t, invAdmin, invPassword)
	return srv, c, id, d
}

func TestInventoryPagesShowTheCurrentSnapshot(t *testing.T) {
	_, c, id, d := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	members := 0
	for _, u := range d.Users {
		if u.IsMember() {
			members++
		}
	}
	grants := 0
	for _, g := range d.Grants {
		grants += len(g.Permissions)
	}
	for _, tc := range []struct {
		path  string
		total int
	}{
		{"/members", members},
		{"/partners", len(d.Partners)},
		{"/assets", len(d.Assets)},
		{"/access", grants},
		{"/pixels", len(d.ConversionTags)},
		{"/invites", len(d.Invites)},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := c.Get(t, base+tc.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, res.Body)
			}
			got, _ := res.TestID("result-count").Attr("data-total")
			if got != strconv.Itoa(tc.total) {
				t.Errorf("result count %s, want %d", got, tc.total)
			}
			if !strings.HasPrefix(strings.TrimSpace(res.TestID("data-age").Text()), "Imported ") {
				t.Errorf("data age %q", res.TestID("data-age").Text())
			}
			if res.Find("table caption").Length() == 0 || res.Find(`th[scope="col"]`).Length() == 0 {
				t.Error("the list is not a captioned table with column headers")
			}
			if res.Find(`th[aria-sort]`).Length() != 1 {
				t.Errorf("want exactly one sorted column header, got %d", res.Find(`th[aria-sort]`).Length())
			}
			href, _ := res.TestID("download-csv").Attr("href")
			if !strings.HasPrefix(href, base+"/export/") {
				t.Errorf("CSV link %q", href)
			}
			res.Find(`[data-testid="list-filters"] input:not([type="hidden"]), [data-testid="list-filters"] select`).Each(func(_ int, s *goquery.Selection) {
				id, _ := s.Attr("id")
				if id == "" || res.Find(`label[for="`+id+`"]`).Length() != 1 {
					t.Errorf("filter %v has no label", s.AttrOr("name", "?"))
				}
			})
		})
	}
}
