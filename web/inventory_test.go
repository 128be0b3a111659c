package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
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

// hostileIDs finds the dataset's renamed member, partner and asset.
func hostileIDs(d *sandbox.Dataset) (member, partner, asset string) {
	for _, u := range d.Users {
		if u.Username == hostile {
			member = u.ID
		}
	}
	for _, a := range d.Assets {
		if a.Name == hostile {
			asset = a.ID
		}
	}
	return member, d.Partners[0].ID, asset
}

func TestImportedNamesAreShownAsTextNeverMarkup(t *testing.T) {
	_, c, id, d := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	member, partner, asset := hostileIDs(d)
	for _, path := range []string{
		base, base + "/members", base + "/members?q=onerror", base + "/members/" + member,
		base + "/partners", base + "/partners/" + partner, base + "/assets?q=onerror", base + "/assets/" + asset,
		base + "/access?q=onerror", base + "/access?principal=" + member, base + "/pixels",
	} {
		t.Run(path, func(t *testing.T) {
			res := c.Get(t, path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if n := res.Find("img").Length(); n != 0 {
				t.Errorf("%d img elements: an imported name became markup", n)
			}
			res.Find("script").Each(func(_ int, s *goquery.Selection) {
				if _, ok := s.Attr("src"); !ok {
					t.Errorf("an inline script: %q", s.Text())
				}
			})
			if path != base+"/pixels" && path != base && !strings.Contains(res.Doc.Text(), hostile) {
				t.Errorf("the name %q is not shown as text", hostile)
			}
		})
	}
}

func TestListAnswersHTMXWithTheResultsOnly(t *testing.T) {
	_, c, id, d := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	want := 0
	for _, u := range d.Users {
		if u.IsMember() && u.HasRole("BIZ_ADMIN") {
			want++
		}
	}
	req := c.NewRequest(t, http.MethodGet, base+"/members?role=BIZ_ADMIN&sort=email&dir=desc", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "list-results")
	res := c.Do(t, req)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || res.Find("form").Length() != 0 {
		t.Fatalf("an htmx request got more than the results (status %d)", res.StatusCode)
	}
	if got := res.TestID("list-results").Length(); got != 1 {
		t.Fatalf("%d results containers", got)
	}
	if got, _ := res.TestID("result-count").Attr("data-total"); got != strconv.Itoa(want) {
		t.Errorf("count %s, want %d business admins", got, want)
	}
	th := res.Find(`th[aria-sort]`)
	if th.Length() != 1 || th.AttrOr("aria-sort", "") != "descending" || !strings.Contains(th.Text(), "Email") {
		t.Errorf("sorted header: %q %q", th.Text(), th.AttrOr("aria-sort", ""))
	}
	csv, _ := res.TestID("download-csv").Attr("href")
	if !strings.Contains(csv, "role=BIZ_ADMIN") || !strings.Contains(csv, "sort=email") || !strings.Contains(csv, "dir=desc") {
		t.Errorf("the CSV link %q does not carry the list's filters and sort", csv)
	}
	full := c.Get(t, base+"/members?role=BIZ_ADMIN")
	if sel := full.Find(`select[name="role"] option[selected]`); sel.AttrOr("value", "") != "BIZ_ADMIN" {
		t.Errorf("the filter form does not keep the chosen role")
	}
	if form := full.TestID("list-filters"); form.AttrOr("method", "") != "get" || form.AttrOr("hx-get", "") == "" || form.AttrOr("hx-push-url", "") != "true" {
		t.Errorf("the filter form is not a GET form that htmx submits with the URL pushed")
	}
}

func TestDetailPagesLinkBothWays(t *testing.T) {
	_, c, id, d := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	var g sandbox.Grant
	for _, x := range d.Grants {
		if x.MemberID != "" {
			g = x
			break
		}
	}
	m := c.Get(t, base+"/members/"+g.MemberID)
	if m.StatusCode != http.StatusOK || m.Find(`a[href="`+base+"/assets/"+g.AssetID+`"]`).Length() == 0 {
		t.Fatalf("the member's page (status %d) does not link the asset %s", m.StatusCode, g.AssetID)
	}
	a := c.Get(t, base+"/assets/"+g.AssetID)
	if a.Find(`a[href="`+base+"/members/"+g.MemberID+`"]`).Length() == 0 {
		t.Fatalf("the asset's page does not link back to the member")
	}
	if res := c.Get(t, base+"/members/123"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown member: status %d", res.StatusCode)
	}
	if res := c.Get(t, "/integrations/999/members"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown integration: status %d", res.StatusCode)
	}
}

func TestOverviewShowsCountsFindingsAndCharts(t *testing.T) {
	_, c, id, d := inventoryServer(t)
	res := c.Get(t, "/integrations/"+strconv.FormatInt(id, 10))
	if res.StatusCode != http.StatusOK || res.TestID("inventory-overview").Length() != 1 {
		t.Fatalf("status %d, no inventory section", res.StatusCode)
	}
	if got := strings.TrimSpace(res.TestID("stat-partners").Find("span").First().Text()); got != strconv.Itoa(len(d.Partners)) {
		t.Errorf("partners stat %q, want %d", got, len(d.Partners))
	}
	biz := 0
	for _, u := range d.Users {
		if u.HasRole("BIZ_ADMIN") {
			biz++
		}
	}
	f := res.TestID("finding-biz-admins")
	if f.AttrOr("data-count", "") != strconv.Itoa(biz) || f.Find(`a[href$="/members?role=BIZ_ADMIN"]`).Length() != 1 {
		t.Errorf("business admins finding: count %s, want %d, link %v", f.AttrOr("data-count", ""), biz, f.Find("a").AttrOr("href", ""))
	}
	for _, chart := range []string{"chart-grants", "chart-roles", "chart-changes"} {
		if res.TestID(chart).Find("svg").Length() == 0 && chart != "chart-changes" {
			t.Errorf("%s has no SVG", chart)
		}
	}
	sum := 0
	res.TestID("chart-grants").Find(`[data-testid="chart-bar"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(s.AttrOr("data-value", ""))
		sum += n
	})
	grants := 0
	for _, g := range d.Grants {
		grants += len(g.Permissions)
	}
	if sum != grants {
		t.Errorf("the grants chart's bars add up to %d, want %d", sum, grants)
	}
}

func TestListsBeforeAnyImportSayWhatToDo(t *testing.T) {
	srv := webtest.Start(t, webtest.Options{})
	d, _ := sandbox.Generate("small", 1)
	id, err := inventorytest.NewIntegration(context.Background(), srv.Store, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateAdmin(t, invAdmin, invPassword)
	c := srv.Client(t)
	c.Login(t, invAdmin, invPassword)
	res := c.Get(t, "/integrations/"+strconv.FormatInt(id, 10)+"/access")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.TestID("empty-state").Text(), "Nothing imported yet") {
		t.Fatalf("status %d, empty state %q", res.StatusCode, res.TestID("empty-state").Text())
	}
	if got := res.TestID("data-age").Text(); got != "Nothing imported yet" {
		t.Errorf("data age %q", got)
	}
}

// resync syncs the integration a second time with three members and an
// asset gone and a grant's permissions changed, so the changes list has
// rows.
func resync(t *testing.T, srv *webtest.Server, id int64, d *sandbox.Dataset) {
	t.Helper()
	next := d.Clone()
	removed := 0
	for _, u := range d.Users {
		if u.IsMember() && u.Username != sandbox.AdminUsername && removed < 3 {
			next.RemoveUser(u.ID)
			removed++
		}
	}
	next.RemoveAsset(d.Assets[len(d.Assets)-1].ID)
	next.Grants[0].Permissions = []string{"ANALYST", "FINANCE_MANAGER"}
	if _, err := inventorytest.Sync(context.Background(), srv.Store, id, next); err != nil {
		t.Fatal(err)
	}
}

// htmxGet requests path as htmx does when the filter form, a sort header or
// a page link re-renders a list's results.
func htmxGet(t *testing.T, c *webtest.Client, path string) *webtest.Response {
	t.Helper()
	req := c.NewRequest(t, http.MethodGet, path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "list-results")
	res := c.Do(t, req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, res.StatusCode)
	}
	return res
}

// rowsText is the text of a list's rows, one string per row.
func rowsText(res *webtest.Response) []string {
	var rows []string
	res.Find(`[data-testid="list-results"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		rows = append(rows, strings.Join(strings.Fields(s.Text()), " "))
	})
	return rows
}

// sortedBy is the list's sorted column and direction.
func sortedBy(res *webtest.Response) string {
	th := res.Find(`th[aria-sort]`)
	return strings.Join(strings.Fields(th.Text()), " ") + " " + th.AttrOr("aria-sort", "")
}

func TestHTMXPushesTheListsCanonicalURL(t *testing.T) {
	_, c, id, _ := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	// The form as htmx submits it: every field, empty or default ones too,
	// plus a parameter no list knows.
	messy := base + "/members?q=+sandbox+&role=biz_admin&system_user=&sort=username&dir=asc&page=1&per_page=50&foo=bar"
	res := htmxGet(t, c, messy)
	want := base + "/members?q=sandbox&role=BIZ_ADMIN"
	if got := res.Header.Get("HX-Push-Url"); got != want {
		t.Fatalf("HX-Push-Url %q, want %q", got, want)
	}
	if got := res.TestID("download-csv").AttrOr("href", ""); got != base+"/export/members.csv?q=sandbox&role=BIZ_ADMIN" {
		t.Errorf("the CSV link %q does not carry the canonical filters", got)
	}
	// A bookmark of the pushed URL shows the same page.
	full := c.Get(t, want)
	if full.StatusCode != http.StatusOK {
		t.Fatalf("the pushed URL: status %d", full.StatusCode)
	}
	if got, want := rowsText(full), rowsText(res); len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the pushed URL shows %d rows %q, the request that pushed it %d %q", len(got), got, len(want), want)
	}
	if got := full.Find(`select[name="role"] option[selected]`).AttrOr("value", ""); got != "BIZ_ADMIN" || full.TestID("filter-q").AttrOr("value", "") != "sandbox" {
		t.Errorf("the pushed URL's form shows role %q, search %q", got, full.TestID("filter-q").AttrOr("value", ""))
	}
	if got := full.Header.Get("HX-Push-Url"); got != "" {
		t.Errorf("a full page load is told to push %q", got)
	}
}

// formFields is what a browser submits for the filter form as rendered.
func formFields(res *webtest.Response) url.Values {
	v := url.Values{}
	res.Find(`[data-testid="list-filters"] input[name]`).Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	res.Find(`[data-testid="list-filters"] select[name]`).Each(func(_ int, s *goquery.Selection) {
		opt := s.Find("option[selected]")
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		v.Add(s.AttrOr("name", ""), opt.AttrOr("value", ""))
	})
	return v
}

func TestEveryListFormPushesOnlyTheFieldsThatChangeIt(t *testing.T) {
	srv, c, id, d := inventoryServer(t)
	resync(t, srv, id, d)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	for _, list := range []string{"/members", "/partners", "/assets", "/access", "/pixels", "/invites", "/changes", "/syncs"} {
		t.Run(list, func(t *testing.T) {
			path := base + list
			fields := formFields(c.Get(t, path))
			if len(fields) == 0 {
				t.Fatal("the filter form has no fields")
			}
			if got := htmxGet(t, c, path+"?"+fields.Encode()).Header.Get("HX-Push-Url"); got != path {
				t.Errorf("the untouched form (%s) pushes %q, want %q", fields.Encode(), got, path)
			}
			chosen := 0
			c.Get(t, path).Find(`[data-testid="list-filters"] select[name] option`).Each(func(_ int, o *goquery.Selection) {
				name, value := o.Parent().AttrOr("name", ""), o.AttrOr("value", "")
				if value == "" || value == fields.Get(name) {
					return
				}
				chosen++
				f := url.Values{}
				for k, vs := range fields {
					f[k] = vs
				}
				f.Set(name, value)
				want := path + "?" + url.Values{name: {value}}.Encode()
				if got := htmxGet(t, c, path+"?"+f.Encode()).Header.Get("HX-Push-Url"); got != want {
					t.Errorf("choosing %s=%s pushes %q, want %q", name, value, got, want)
				}
			})
			if chosen == 0 {
				t.Error("no filter has a value to choose")
			}
		})
	}
}

func TestSortAndPageLinksPushURLsThatReloadTheSamePage(t *testing.T) {
	srv, c, id, d := inventoryServer(t)
	resync(t, srv, id, d)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	check := func(t *testing.T, href string) *webtest.Response {
		t.Helper()
		res := htmxGet(t, c, href)
		push := res.Header.Get("HX-Push-Url")
		u, err := url.Parse(push)
		if err != nil || push == "" {
			t.Fatalf("%s pushes %q", href, push)
		}
		for k, vs := range u.Query() {
			if len(vs) != 1 || vs[0] == "" || k == "per_page" && vs[0] == "50" || k == "page" && vs[0] == "1" {
				t.Errorf("%s pushes %q: %s=%q is empty or the default", href, push, k, vs)
			}
		}
		// Without JavaScript the browser goes to the link itself: the
		// address bar must show what htmx would have pushed.
		if push != href {
			t.Errorf("the link %s pushes %s: a different URL for the same page", href, push)
		}
		reload := c.Get(t, push)
		if got, want := sortedBy(reload), sortedBy(res); got != want {
			t.Errorf("%s is sorted by %q, its pushed URL %s by %q", href, want, push, got)
		}
		if got, want := rowsText(reload), rowsText(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s and its pushed URL %s show different rows", href, push)
		}
		return res
	}
	for _, list := range []string{"/members", "/partners", "/assets", "/access", "/roles", "/pixels", "/invites", "/changes", "/syncs"} {
		t.Run(list, func(t *testing.T) {
			// Every column header sorts by its column, both ways.
			page := c.Get(t, base+list+"?q=")
			links := page.Find(`a[data-testid^="sort-"]`)
			if links.Length() == 0 {
				t.Fatal("no sortable column")
			}
			links.Each(func(_ int, a *goquery.Selection) {
				label := strings.TrimPrefix(a.AttrOr("data-testid", ""), "sort-")
				res := check(t, a.AttrOr("href", ""))
				if got := sortedBy(res); !strings.HasPrefix(got, label) {
					t.Errorf("the %s header sorts by %q", label, got)
				}
				again := res.Find(`a[data-testid="sort-`+label+`"]`).AttrOr("href", "")
				if got := sortedBy(check(t, again)); !strings.HasPrefix(got, label) || got == sortedBy(res) {
					t.Errorf("the %s header, clicked twice, sorts by %q (after %q)", label, got, sortedBy(res))
				}
			})
		})
	}
	t.Run("pages", func(t *testing.T) {
		first := htmxGet(t, c, base+"/access?per_page=25&page=&q=")
		next := first.TestID("page-next").AttrOr("href", "")
		res := check(t, next)
		if got := res.Header.Get("HX-Push-Url"); got != base+"/access?page=2&per_page=25" {
			t.Errorf("the next page pushes %q", got)
		}
		if prev := res.TestID("page-prev").AttrOr("href", ""); check(t, prev).Header.Get("HX-Push-Url") != base+"/access?per_page=25" {
			t.Errorf("the previous page (%s) does not push the first page's URL", prev)
		}
	})
}

func TestSortLinksLeaveTheDefaultOrderOut(t *testing.T) {
	_, c, id, _ := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	for _, tc := range []struct {
		page, header, want string
	}{
		// The list's default order is no parameter at all; another key
		// sorts first in its own default direction.
		{"/members", "Username", "/members?dir=desc"},
		{"/members", "Email", "/members?sort=email"},
		{"/members?sort=email", "Email", "/members?dir=desc&sort=email"},
		{"/members?sort=email&dir=desc", "Email", "/members?sort=email"},
		{"/members?sort=email", "Username", "/members"},
		{"/members?dir=desc", "Username", "/members"},
		// Newest first is the invites' default: their Sent column starts
		// descending, and from another order goes back to no parameter.
		{"/invites", "Sent", "/invites?dir=asc"},
		{"/invites?sort=email&dir=desc", "Sent", "/invites"},
		{"/invites?dir=asc", "Invitee", "/invites?sort=email"},
		{"/syncs?sort=status", "Sync", "/syncs"},
		{"/syncs", "Sync", "/syncs?dir=asc"},
		{"/roles?kind=permission", "Held by", "/roles?kind=permission&sort=holders"},
		{"/roles?sort=holders&dir=desc&kind=permission", "Role or permission", "/roles?kind=permission"},
		// Sorting goes back to the first page and keeps the page size and
		// the filters.
		{"/access?per_page=25&page=3&role=EMPLOYEE", "Permission", "/access?per_page=25&role=EMPLOYEE&sort=permission"},
		{"/access?per_page=25&page=3&role=EMPLOYEE", "Who", "/access?dir=desc&per_page=25&role=EMPLOYEE"},
	} {
		t.Run(tc.page+" "+tc.header, func(t *testing.T) {
			res := c.Get(t, base+tc.page)
			href := res.Find(`a[data-testid="sort-`+tc.header+`"]`).AttrOr("href", "")
			if href != base+tc.want {
				t.Errorf("the %s header links %q, want %q", tc.header, href, base+tc.want)
			}
			if hx := htmxGet(t, c, href).Header.Get("HX-Push-Url"); hx != href {
				t.Errorf("following %s pushes %q", href, hx)
			}
		})
	}
}

func TestRolesPageAndItsCSVReadTheQueryAlike(t *testing.T) {
	_, c, id, _ := inventoryServer(t)
	base := "/integrations/" + strconv.FormatInt(id, 10)
	for _, tc := range []struct {
		query, canon string
	}{
		{"", ""},
		// The form as submitted, a kind in another case, an order and
		// parameters the roles list does not take.
		{"q=&kind=Permission&sort=holders&dir=desc&page=3&per_page=25&foo=bar", "dir=desc&kind=permission&sort=holders"},
		{"q=+admin+&kind=role&sort=grants&dir=up", "q=admin"},
		{"kind=business_role&sort=name&dir=asc", "kind=business_role"},
		{"sort=kind&dir=desc", "dir=desc&sort=kind"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			want := base + "/roles"
			if tc.canon != "" {
				want += "?" + tc.canon
			}
			res := htmxGet(t, c, base+"/roles?"+tc.query)
			if got := res.Header.Get("HX-Push-Url"); got != want {
				t.Errorf("the roles list pushes %q, want %q", got, want)
			}
			csvHref := base + "/export/roles.csv"
			if tc.canon != "" {
				csvHref += "?" + tc.canon
			}
			if got := res.TestID("download-csv").AttrOr("href", ""); got != csvHref {
				t.Errorf("the CSV link %q, want %q", got, csvHref)
			}
			var shown []string
			res.Find(`[data-testid="role-name"] div`).Each(func(_ int, s *goquery.Selection) {
				shown = append(shown, strings.TrimSpace(s.Text()))
			})
			// The download of the very same query string holds the rows
			// the page shows, in its order.
			dl := c.Get(t, base+"/export/roles.csv?"+tc.query)
			if dl.StatusCode != http.StatusOK {
				t.Fatalf("download: status %d", dl.StatusCode)
			}
			recs, err := csv.NewReader(strings.NewReader(dl.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			name := slices.Index(recs[0], "name")
			var exported []string
			for _, r := range recs[1:] {
				exported = append(exported, r[name])
			}
			if len(shown) == 0 || !slices.Equal(shown, exported) {
				t.Errorf("the page shows %q, the download of the same query holds %q", shown, exported)
			}
			if full := c.Get(t, want); strings.Join(rowsText(full), "\n") != strings.Join(rowsText(res), "\n") {
				t.Errorf("the pushed URL %s shows other rows", want)
			}
		})
	}
}

func TestPagePastTheEndShowsTheLastPage(t *testing.T) {
	srv, c, id, d := inventoryServer(t)
	// A second sync with ten members gone and thirty grants changed: more
	// than one page of changes.
	next := d.Clone()
	removed := 0
	for _, u := range d.Users {
		if u.IsMember() && u.Username != sandbox.AdminUsername && removed < 10 {
			next.RemoveUser(u.ID)
			removed++
		}
	}
	for i := range min(30, len(next.Grants)) {
		next.Grants[i].Permissions = []string{"ANALYST", "AUDIENCE_MANAGER", "FINANCE_VIEW"}
	}
	if _, err := inventorytest.Sync(context.Background(), srv.Store, id, next); err != nil {
		t.Fatal(err)
	}
	base := "/integrations/" + strconv.FormatInt(id, 10)
	for _, list := range []string{"/members", "/partners", "/assets", "/access", "/pixels", "/invites", "/changes", "/syncs"} {
		t.Run(list, func(t *testing.T) {
			path := base + list + "?per_page=25"
			total, _ := strconv.Atoi(c.Get(t, path).TestID("result-count").AttrOr("data-total", ""))
			if total == 0 {
				t.Fatal("the list is empty")
			}
			pages := (total + 24) / 25
			if (list == "/members" || list == "/access" || list == "/changes") && pages < 2 {
				t.Fatalf("%d rows: one page, nothing to go back to", total)
			}
			// The canonical URL of the last page, and what it shows.
			lastURL := path
			if pages > 1 {
				lastURL = base + list + "?page=" + strconv.Itoa(pages) + "&per_page=25"
			}
			last := c.Get(t, lastURL)
			if len(rowsText(last)) == 0 || len(rowsText(last)) != total-(pages-1)*25 {
				t.Fatalf("the last page %s shows %d rows of %d", lastURL, len(rowsText(last)), total)
			}
			for _, pg := range []string{strconv.Itoa(pages + 1), "999999", "99999999999999999999999"} {
				for _, hx := range []bool{false, true} {
					var res *webtest.Response
					if hx {
						res = htmxGet(t, c, path+"&page="+pg)
						if got := res.Header.Get("HX-Push-Url"); got != lastURL {
							t.Errorf("page %s pushes %q, want the last page %q", pg, got, lastURL)
						}
					} else {
						res = c.Get(t, path+"&page="+pg)
					}
					if got, want := rowsText(res), rowsText(last); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Errorf("page %s (htmx %v) shows %d rows, not the last page's %d", pg, hx, len(got), len(want))
					}
					if pages == 1 {
						if res.TestID("pagination").Length() != 0 {
							t.Errorf("page %s of a one-page list has page links", pg)
						}
						continue
					}
					if got := strings.TrimSpace(res.TestID("page-current").Text()); got != "Page "+strconv.Itoa(pages)+" of "+strconv.Itoa(pages) {
						t.Errorf("page %s says %q", pg, got)
					}
					prev := res.TestID("page-prev").AttrOr("href", "")
					want := base + list + "?page=" + strconv.Itoa(pages-1) + "&per_page=25"
					if pages == 2 {
						want = path
					}
					if prev != want || res.TestID("page-next").Length() != 0 {
						t.Errorf("page %s links back to %q (want %q) and next %d times", pg, prev, want, res.TestID("page-next").Length())
					}
				}
			}
		})
	}
	t.Run("nothing matches", func(t *testing.T) {
		for _, pg := range []string{"4", "999999"} {
			res := htmxGet(t, c, base+"/access?q=no+such+grant&page="+pg)
			if got := res.Header.Get("HX-Push-Url"); got != base+"/access?q=no+such+grant" {
				t.Errorf("page %s of no rows pushes %q, want the first page", pg, got)
			}
			if !strings.Contains(res.TestID("empty-state").Text(), "No grants match") {
				t.Errorf("page %s of no rows: empty state %q", pg, res.TestID("empty-state").Text())
			}
		}
	})
}
