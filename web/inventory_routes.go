package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// inventoryHandler serves the inventory pages of an integration: lists,
// detail pages and the overview sections. Every page is read-only and shows
// the integration's current snapshot.
type inventoryHandler struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
}

// inventoryRoutes registers the inventory pages under /integrations/{id}.
func inventoryRoutes(e *echo.Echo, d Deps) {
	h := &inventoryHandler{store: d.Store, log: d.Log, now: d.Now}
	g := e.Group("/integrations/:id")
	g.GET("/members", h.membersList).Name = "inventory.members"
	g.GET("/members/:member_id", h.memberShow).Name = "inventory.member"
	g.GET("/partners", h.partnersList).Name = "inventory.partners"
	g.GET("/partners/:partner_id", h.partnerShow).Name = "inventory.partner"
	g.GET("/assets", h.assetsList).Name = "inventory.assets"
	g.GET("/assets/:asset_id", h.assetShow).Name = "inventory.asset"
	g.GET("/access", h.accessList).Name = "inventory.access"
	g.GET("/roles", h.rolesList).Name = "inventory.roles"
	g.GET("/pixels", h.pixelsList).Name = "inventory.pixels"
	g.GET("/invites", h.invitesList).Name = "inventory.invites"
	g.GET("/changes", h.changesList).Name = "inventory.changes"
	g.GET("/syncs", h.syncsList).Name = "inventory.syncs"
}

// scope loads the integration named by :id and describes its snapshot for
// the page header, with tab active.
func (h *inventoryHandler) scope(c echo.Context, active string) (store.Integration, views.InventoryHeader, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Integration{}, views.InventoryHeader{}, echo.NewHTTPError(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	in, err := h.store.Integration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return in, views.InventoryHeader{}, echo.NewHTTPError(http.StatusNotFound, "There is no such integration: it may have been deleted.")
	}
	if err != nil {
		return in, views.InventoryHeader{}, err
	}
	return in, h.header(c, in, active), nil
}

// header describes the integration's current snapshot for a page.
func (h *inventoryHandler) header(c echo.Context, in store.Integration, active string) views.InventoryHeader {
	hd := views.InventoryHeader{Name: in.Name, BusinessID: in.BusinessID, Base: integrationPath(in.ID), Active: active,
		Age: "Nothing imported yet"}
	if in.CurrentRunID == 0 {
		return hd
	}
	run, err := h.store.Run(c.Request().Context(), in.CurrentRunID)
	if err != nil {
		h.log.Warn("inventory: current run", "integration", in.ID, "err", err)
		return hd
	}
	hd.HasSnapshot = true
	at := run.FinishedAt
	if at.IsZero() {
		at = run.StartedAt
	}
	hd.Age = "Imported " + ago(h.now(), at)
	hd.ImportedAt = at.UTC().Format("2006-01-02 15:04:05 UTC")
	return hd
}

// ago says how long before now t was, roughly ("3 h ago").
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	}
}

// perPageOptions are the page sizes a list offers.
var perPageOptions = []int{25, 50, 100, 250}

// listRequest is a list page at its canonical query string (see
// inventory_query.go), and the list's sorting: every link the page builds
// (sort headers, pages) is canonical too, so its href is the URL htmx
// pushes after following it.
type listRequest struct {
	path    string
	values  url.Values
	sorting store.Sorting
}

// href is the list's URL with the given parameters changed ("" removes).
func (r listRequest) href(changes ...string) string {
	v := url.Values{}
	for k, vals := range r.values {
		v[k] = vals
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			v.Del(changes[i])
		} else {
			v.Set(changes[i], changes[i+1])
		}
	}
	if len(v) == 0 {
		return r.path
	}
	return r.path + "?" + v.Encode()
}

// sortHref is the list's first page sorted by key in direction dir, with
// the key and direction left out where they are the defaults.
func (r listRequest) sortHref(key, dir string) string {
	sortParam, dirParam := key, dir
	if key == r.sorting.Default {
		sortParam = ""
	}
	if dir == r.sorting.DefaultDir(key) {
		dirParam = ""
	}
	return r.href("sort", sortParam, "dir", dirParam, "page", "")
}

// pageHref is the list's page n; the first page has no page parameter.
func (r listRequest) pageHref(n int) string {
	if n <= 1 {
		return r.href("page", "")
	}
	return r.href("page", strconv.Itoa(n))
}

// filtered reports whether anything but sort and paging narrows the list.
func (r listRequest) filtered() bool {
	for k := range r.values {
		switch k {
		case "sort", "dir", "page", "per_page":
		default:
			return true
		}
	}
	return false
}

// col is a column definition: its label and sort key ("" if not sortable).
type col struct {
	label, sort string
	numeric     bool
}

// listView fills the parts of a list view every list shares: the form's
// values, sortable headers, the count, pagination and the CSV link.
func (r listRequest) listView(hd views.InventoryHeader, cols []col, total, page, perPage int, sort, dir string) views.ListView {
	v := views.ListView{
		Header: hd, Action: r.path, Q: r.values.Get("q"), PerPage: perPage, PerPageOptions: perPageOptions,
		Total: total, Page: page, Filtered: r.filtered(), ClearHref: r.path,
	}
	for _, c := range cols {
		vc := views.Column{Label: c.label, Numeric: c.numeric}
		if c.sort != "" {
			// A column sorts first in its key's default direction, then,
			// clicked again, the other way.
			next := r.sorting.DefaultDir(c.sort)
			if c.sort == sort {
				vc.Sorted = dir
				next = store.SortAsc
				if dir == store.SortAsc {
					next = store.SortDesc
				}
			}
			vc.SortHref = r.sortHref(c.sort, next)
		}
		v.Columns = append(v.Columns, vc)
	}
	v.Pages = 1
	if perPage > 0 && total > 0 {
		v.Pages = (total + perPage - 1) / perPage
	}
	if page > 1 {
		v.PrevHref = r.pageHref(min(page-1, v.Pages))
	}
	if page < v.Pages {
		v.NextHref = r.pageHref(page + 1)
	}
	v.FirstRow = (page-1)*perPage + 1
	v.LastRow = min(total, page*perPage)
	return v
}

// options builds a filter's options: "any" first, then each value, the
// current one selected.
func options(current, anyLabel string, values ...string) []views.SelectOption {
	out := []views.SelectOption{{Value: "", Label: anyLabel, Selected: current == ""}}
	for i := 0; i+1 < len(values); i += 2 {
		out = append(out, views.SelectOption{Value: values[i], Label: values[i+1], Selected: values[i] == current})
	}
	return out
}

// renderList renders a list page, or only its results for htmx requests
// aimed at them.
func renderList(c echo.Context, title string, v views.ListView) error {
	var body templ.Component = views.ListPage(v)
	if hx := hxFrom(c); hx.Fragment() && hx.Target == "list-results" {
		body = views.ListResults(v)
	}
	return render(c, http.StatusOK, views.Page{Title: title, Section: views.SectionDashboard}, body)
}

// noSnapshot is the empty state of a list before anything was imported.
func noSnapshot(base string) views.EmptyState {
	return views.EmptyState{Title: "Nothing imported yet",
		Body:     "This list fills in once a first sync of the Business Manager has succeeded.",
		LinkHref: base, LinkLabel: "Go to the integration to connect or sync it"}
}

// noMatch is the empty state of a list whose filters match nothing.
func noMatch(clear, noun string) views.EmptyState {
	return views.EmptyState{Title: "No " + noun + " match these filters",
		Body: "Try fewer words, another filter, or clear them all.", LinkHref: clear, LinkLabel: "Clear the filters"}
}

// emptyFor picks the empty state of a list.
func emptyFor(hd views.InventoryHeader, v views.ListView, noun, whenNone string) views.EmptyState {
	switch {
	case !hd.HasSnapshot:
		return noSnapshot(hd.Base)
	case v.Filtered:
		return noMatch(v.ClearHref, noun)
	}
	return views.EmptyState{Title: "No " + noun, Body: whenNone}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// label turns an enum value into words: CAMPAIGN_MANAGER → Campaign manager.
func label(s string) string {
	switch s {
	case "":
		return ""
	case "BIZ_ADMIN":
		return "Business admin"
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

func labels(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = label(v)
	}
	return out
}

// Paths of inventory pages.
func memberPath(base, id string) string  { return base + "/members/" + url.PathEscape(id) }
func partnerPath(base, id string) string { return base + "/partners/" + url.PathEscape(id) }
func assetPath(base, id string) string   { return base + "/assets/" + url.PathEscape(id) }

// principalPath links a member or partner.
func principalPath(base, kind, id string) string {
	if kind == store.GranteePartner {
		return partnerPath(base, id)
	}
	return memberPath(base, id)
}

// Filter values the lists accept.
var (
	assetTypes    = []string{"AD_ACCOUNT", "Ad account", "PROFILE", "Profile", "ASSET_GROUP", "Asset group", "CATALOG", "Catalog"}
	businessRoles = []string{"BIZ_ADMIN", "Business admin", "EMPLOYEE", "Employee"}
	partnerTypes  = []string{"INTERNAL", "Internal (uses our assets)", "EXTERNAL", "External (shares theirs)"}
	permissions   = []string{"ADMIN", "Admin", "ANALYST", "Analyst", "CAMPAIGN_MANAGER", "Campaign manager",
		"FINANCE_MANAGER", "Finance manager", "FINANCE_EDIT", "Finance edit", "FINANCE_VIEW", "Finance view",
		"AUDIENCE_MANAGER", "Audience manager", "CATALOGS_MANAGER", "Catalogs manager", "CATALOGS_VIEWER", "Catalogs viewer",
		"PROFILE_PUBLISHER", "Profile publisher", "CONSUMER_USER", "Consumer user"}
)

// values returns the values (every other element) of a value/label list.
func values(pairs []string) []string {
	out := make([]string, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, pairs[i])
	}
	return out
}
