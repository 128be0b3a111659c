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

// breadcrumbs counts the links back to the integrations list in the page's
// content (the layout's brand link also leads to /, but reads "pinaccess").
func breadcrumbs(res *webtest.Response) int {
	n := 0
	res.Find(`main a[href="/"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) == "Integrations" {
			n++
		}
	})
	return n
}

// order returns the data-testid of the elements sel matches, in document
// order.
func order(res *webtest.Response, sel string) []string {
	var ids []string
	res.Find(sel).Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-testid", "")) })
	return ids
}

func TestIntegrationPageHasOneHeader(t *testing.T) {
	_, c, id, _ := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	res := c.Get(t, base)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if n := breadcrumbs(res); n != 1 {
		t.Errorf("the breadcrumb to the integrations list appears %d times, want once", n)
	}
	if n := res.Find("main h1").Length(); n != 1 {
		t.Errorf("%d page headings, want one", n)
	}
	if got := strings.TrimSpace(res.TestID("integration-name").Text()); got != "Sandbox" {
		t.Errorf("heading %q, want the integration's name", got)
	}
	if age := res.TestID("data-age"); age.Length() != 1 || !strings.HasPrefix(strings.TrimSpace(age.Text()), "Imported ") ||
		!strings.HasSuffix(age.AttrOr("title", ""), " UTC") {
		t.Errorf("the data's age appears %d times: %q (title %q)", age.Length(), age.Text(), age.AttrOr("title", ""))
	}
	if res.TestID("page-header").Find(`[data-testid="data-age"]`).Length() != 1 {
		t.Error("the data's age is not in the page's header")
	}
	got := strings.Join(order(res, `[data-testid="page-header"], [data-testid="status-card"], [data-testid="inventory-overview"]`), " ")
	if got != "page-header status-card inventory-overview" {
		t.Errorf("the page reads %q, want the header, then the status card, then the inventory", got)
	}
	inv := res.TestID("inventory-overview")
	if tab := inv.Find(`[data-testid="tab-overview"]`); tab.AttrOr("aria-current", "") != "page" || tab.AttrOr("href", "") != base {
		t.Errorf("the inventory's overview tab: aria-current %q, href %q", tab.AttrOr("aria-current", ""), tab.AttrOr("href", ""))
	}
	if href := inv.Find(`[data-testid="tab-members"]`).AttrOr("href", ""); href != base+"/members" {
		t.Errorf("the members tab links %q", href)
	}

	// A list page keeps its own header: the breadcrumb back to the
	// integration, once.
	list := c.Get(t, base+"/members")
	if n := breadcrumbs(list); n != 1 || list.Find(`main a[href="`+base+`"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Text()) == "Sandbox"
	}).Length() != 1 {
		t.Errorf("the members list shows %d breadcrumbs, or none back to the integration", n)
	}
}

func TestIntegrationPageBeforeAnyImportHasOneHeader(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	d, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	id, err := inventorytest.NewIntegration(context.Background(), srv.Store, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateAdmin(t, invAdmin, invPassword)
	c := srv.Client(t)
	c.Login(t, invAdmin, invPassword)
	res := c.Get(t, "/integrations/"+strconv.FormatInt(id, 10))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if n := breadcrumbs(res); n != 1 {
		t.Errorf("the breadcrumb appears %d times, want once", n)
	}
	if n := res.Find("main h1").Length(); n != 1 {
		t.Errorf("%d page headings, want one", n)
	}
	// Nothing is imported: the inventory's empty state says so, once.
	if !strings.Contains(res.TestID("empty-state").Text(), "Nothing imported yet") {
		t.Errorf("empty state %q", res.TestID("empty-state").Text())
	}
	if n := strings.Count(res.Find("main").Text(), "Nothing imported yet"); n != 1 {
		t.Errorf(`"Nothing imported yet" appears %d times, want once`, n)
	}
}
