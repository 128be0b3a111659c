package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pinaccess/internal/browsertest"
	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/webtest"
)

// TestBrowserInventory browses a sandbox Business Manager imported by
// pinaccess's importer: the overview, a search that narrows the members
// list in place, a filter and sort that survive a reload, and the way from
// a member to an asset to a partner.
func TestBrowserInventory(t *testing.T) {
	d, err := sandbox.Generate("medium", 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := webtest.Start(t, webtest.Options{})
	id, _, stop, err := inventorytest.ImportFromSandbox(context.Background(), srv.Store, srv.Box, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	srv.CreateAdmin(t, invAdmin, invPassword)
	base := srv.URL + "/integrations/" + strconv.FormatInt(id, 10)
	ctx := browsertest.New(t)
	tid := browsertest.TestID

	if err := chromedp.Do(ctx, browsertest.Login(srv.URL, invAdmin, invPassword),
		chromedp.Navigate(base), chromedp.WaitVisible(tid("chart-grants"))); err != nil {
		t.Fatalf("overview: %v", err)
	}
	browsertest.Screenshot(t, ctx, "inventory-overview")

	// Search: the table narrows without a page load and the URL follows.
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/members"), chromedp.WaitVisible(tid("members-table")))
	if err != nil {
		t.Fatalf("members: %v", err)
	}
	before := total(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage = true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(tid("filter-q"), "sandbox-emp")); err != nil {
		t.Fatal(err)
	}
	// The URL pushed is the search alone: none of the form's empty or
	// default fields.
	searched := base + "/members?q=sandbox-emp"
	loc, err := chromedp.Run(ctx, chromedp.Poll[string](`location.href === `+strconv.Quote(searched)+` &&
		document.querySelector('[data-testid="result-count"]').dataset.total === "1" ? location.href : false`))
	if err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("the search did not narrow the list to one member with the URL %s following (the URL is %s): %v", searched, now, err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage === true`)); err != nil || !same {
		t.Fatalf("the search reloaded the page (%v)", err)
	}
	if got := total(t, ctx); got != 1 || before <= 1 {
		t.Fatalf("the search left %d of %d members", got, before)
	}
	if name, _ := chromedp.Run(ctx, chromedp.Text(tid("member-username"))); !strings.Contains(name, sandbox.EmployeeUsername) {
		t.Errorf("the member found is %q", name)
	}
	t.Logf("searched: %s", loc)

	// A filter and a sort, then a reload: both stay.
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/members"), chromedp.WaitVisible(tid("members-table")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		const s = document.querySelector('[data-testid="filter-role"]');
		s.value = "BIZ_ADMIN";
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	// Wait until htmx has swapped the results in and wired their links.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.href === `+strconv.Quote(base+"/members?role=BIZ_ADMIN")+` &&
		!document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping") &&
		!!document.querySelector('[data-testid="sort-Email"]')["htmx-internal-data"]`)); err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("choosing a role did not make the URL the role alone (it is %s): %v", now, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("sort-Email"))); err != nil {
		t.Fatal(err)
	}
	// Ascending is the default direction: the URL leaves it out.
	sorted := base + "/members?role=BIZ_ADMIN&sort=email"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.href === `+strconv.Quote(sorted)+`
		&& document.querySelector('th[aria-sort]').textContent.includes("Email")`)); err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("sorting by email did not make the URL %s (it is %s): %v", sorted, now, err)
	}
	csvHref, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="download-csv"]').href`))
	if err != nil || csvHref != base+"/export/members.csv?role=BIZ_ADMIN&sort=email" {
		t.Errorf("the Download CSV link is %q (%v); want the list's filter and sort, nothing else", csvHref, err)
	}
	browsertest.Screenshot(t, ctx, "inventory-members")
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(tid("members-table"))); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[document.querySelector('[data-testid="filter-role"]').value,
		document.querySelector('th[aria-sort]').textContent.trim(),
		[...document.querySelectorAll('[data-testid="member-role"]')].every(td => td.textContent.includes("Business admin"))].join("|")`))
	if err != nil || !strings.HasPrefix(state, "BIZ_ADMIN|Email") || !strings.HasSuffix(state, "|true") {
		t.Fatalf("after a reload: %q (%v); want the role filter, the email sort and only business admins", state, err)
	}

	// From a member to an asset they can access, then to a partner with
	// access to the same asset.
	member, asset, partner := crossLinked(d)
	if member == "" {
		t.Fatal("the dataset has no asset shared by a member and an internal partner")
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/members/"+member),
		chromedp.WaitVisible(tid("member-detail")),
		chromedp.Click(`[data-testid="grant-asset"] a[href$="/assets/`+asset+`"]`),
		chromedp.WaitVisible(tid("asset-detail")),
	)
	if err != nil {
		t.Fatalf("member → asset: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/assets/"+asset) {
		t.Fatalf("the asset link led to %s", loc)
	}
	browsertest.Screenshot(t, ctx, "inventory-asset")
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-testid="asset-access"] a[href$="/partners/`+partner.ID+`"]`),
		chromedp.WaitVisible(tid("partner-detail")),
	)
	if err != nil {
		t.Fatalf("asset → partner: %v", err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(tid("detail-title"))); title != partner.Username {
		t.Errorf("the partner page shows %q, want %q", title, partner.Username)
	}
	browsertest.AssertNoCSPViolations(t, ctx)
}

// total reads the list's result count.
func total(t *testing.T, ctx context.Context) int {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="result-count"]').dataset.total`))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(s)
	return n
}

// crossLinked finds a member, an asset of ours they hold a permission on,
// and an internal partner holding one on the same asset.
func crossLinked(d *sandbox.Dataset) (string, string, sandbox.Partner) {
	partners := map[string]sandbox.Partner{}
	for _, p := range d.Partners {
		partners[p.ID] = p
	}
	byAsset := map[string]string{}
	for _, g := range d.Grants {
		if p, ok := partners[g.PartnerID]; ok && p.PartnerType == sandbox.PartnerInternal {
			byAsset[g.AssetID] = p.ID
		}
	}
	for _, g := range d.Grants {
		if p, ok := byAsset[g.AssetID]; ok && g.MemberID != "" {
			return g.MemberID, g.AssetID, partners[p]
		}
	}
	return "", "", sandbox.Partner{}
}
