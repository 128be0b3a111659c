package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// Each inventory list's query string is parsed by one function, called by
// the list page and by its CSV export alike, so a download holds exactly
// the rows the page showed. Each also returns the canonical query string:
// the parameters it accepted, without empty, unknown, invalid or default
// values. The page's links, the URL htmx pushes and the "Download CSV"
// link are built from it, and it parses back into the same store query.

// queryReader reads a list's query string. Each accessor returns a
// parameter's accepted value and records it in the canonical query.
type queryReader struct {
	in    url.Values
	canon url.Values
}

// readQuery starts reading the query string v.
func readQuery(v url.Values) *queryReader { return &queryReader{in: v, canon: url.Values{}} }

// value is a parameter's first value, trimmed.
func (r *queryReader) value(name string) string { return strings.TrimSpace(r.in.Get(name)) }

// set records a value in the canonical query; "" records nothing.
func (r *queryReader) set(name, value string) {
	if value != "" {
		r.canon.Set(name, value)
	}
}

// text returns free text (a search, an ID), trimmed.
func (r *queryReader) text(name string) string {
	s := r.value(name)
	r.set(name, s)
	return s
}

// oneOf returns the parameter if it is one of allowed, compared without
// case and spelled as allowed; anything else is "" (no filter).
func (r *queryReader) oneOf(name string, allowed ...string) string {
	v := r.value(name)
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			r.set(name, a)
			return a
		}
	}
	return ""
}

// positive returns the parameter as a positive integer, or 0 (not
// recorded: the caller records what it keeps).
func (r *queryReader) positive(name string) int64 {
	n, err := strconv.ParseInt(r.value(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// unpaged reads the search and the order. A sort key or direction that is
// unknown or the default is left out: the store applies the default.
func (r *queryReader) unpaged(s store.Sorting) store.ListQuery {
	lq := store.ListQuery{Q: r.text("q")}
	if key := r.value("sort"); key != s.Default && slices.Contains(s.Keys, key) {
		lq.Sort = key
	}
	if dir := r.value("dir"); (dir == store.SortAsc || dir == store.SortDesc) && dir != s.DefaultDir(lq.Sort) {
		lq.Dir = dir
	}
	r.set("sort", lq.Sort)
	r.set("dir", lq.Dir)
	return lq
}

// maxPage is the largest page number a query string asks for: any list
// ends well before it, and the offset of its rows fits an int64 at any
// page size.
const maxPage = 1<<31 - 1

// list reads what a paged list takes: the search, the order and the page.
// The page counts from 1; the page size is one of perPageOptions, or the
// store's default.
func (r *queryReader) list(s store.Sorting) store.ListQuery {
	lq := r.unpaged(s)
	page, _ := strconv.Atoi(r.value("page")) // out of range: the nearest int
	lq.Page = min(max(page, 1), maxPage)
	if lq.Page > 1 {
		r.set("page", strconv.Itoa(lq.Page))
	}
	lq.PerPage, _ = strconv.Atoi(r.value("per_page"))
	if !slices.Contains(perPageOptions, lq.PerPage) {
		lq.PerPage = store.DefaultPerPage
	}
	if lq.PerPage != store.DefaultPerPage {
		r.set("per_page", strconv.Itoa(lq.PerPage))
	}
	return lq
}

// memberQuery parses the members list's query string.
func memberQuery(v url.Values) (store.MemberQuery, url.Values) {
	r := readQuery(v)
	q := store.MemberQuery{ListQuery: r.list(store.MemberSorting),
		Role: r.oneOf("role", values(businessRoles)...), SystemUser: r.oneOf("system_user", "yes", "no")}
	return q, r.canon
}

// partnerQuery parses the partners list's query string.
func partnerQuery(v url.Values) (store.PartnerQuery, url.Values) {
	r := readQuery(v)
	q := store.PartnerQuery{ListQuery: r.list(store.PartnerSorting), Type: r.oneOf("type", values(partnerTypes)...)}
	return q, r.canon
}

// assetQuery parses the assets list's query string.
func assetQuery(v url.Values) (store.AssetQuery, url.Values) {
	r := readQuery(v)
	q := store.AssetQuery{ListQuery: r.list(store.AssetSorting), Type: r.oneOf("type", values(assetTypes)...),
		Owner: r.oneOf("owner", store.OwnerOurs, store.OwnerTheirs), Admin: r.oneOf("admin", store.AdminServiceOnly)}
	return q, r.canon
}

// accessQuery parses the access list's query string; principal and asset
// narrow it to one member or partner, or one asset (the detail pages link
// them).
func accessQuery(v url.Values) (store.AccessQuery, url.Values) {
	r := readQuery(v)
	q := store.AccessQuery{ListQuery: r.list(store.AccessSorting),
		PrincipalType: r.oneOf("principal_type", store.GranteeMember, store.GranteePartner),
		Permission:    r.oneOf("permission", values(permissions)...),
		AssetType:     r.oneOf("asset_type", values(assetTypes)...),
		Owner:         r.oneOf("owner", store.OwnerOurs, store.OwnerTheirs),
		Role:          r.oneOf("role", values(businessRoles)...),
		PartnerType:   r.oneOf("partner_type", values(partnerTypes)...),
		PrincipalID:   r.text("principal"),
		AssetID:       r.text("asset"),
	}
	return q, r.canon
}

// roleQuery parses the roles list's query string. The list is short and
// has no pages.
func roleQuery(v url.Values) (store.RoleQuery, url.Values) {
	r := readQuery(v)
	q := store.RoleQuery{ListQuery: r.unpaged(store.RoleSorting), Kind: r.oneOf("kind", "business_role", "permission")}
	return q, r.canon
}

// pixelQuery parses the pixels list's query string; ad_account narrows it
// to one ad account's pixels.
func pixelQuery(v url.Values) (store.PixelQuery, url.Values) {
	r := readQuery(v)
	q := store.PixelQuery{ListQuery: r.list(store.PixelSorting), Status: r.oneOf("status", values(pixelStatuses)...),
		AdAccountID: r.text("ad_account")}
	return q, r.canon
}

// inviteQuery parses the invites list's query string. older_than is in
// days before now.
func inviteQuery(v url.Values, now time.Time) (store.InviteQuery, url.Values) {
	r := readQuery(v)
	q := store.InviteQuery{ListQuery: r.list(store.InviteSorting), Type: r.oneOf("type", values(inviteTypes)...),
		Status: r.oneOf("status", values(inviteStatuses)...)}
	if days, err := strconv.Atoi(r.oneOf("older_than", values(inviteAges)...)); err == nil {
		q.SentBefore = now.Add(-time.Duration(days) * 24 * time.Hour)
	}
	return q, r.canon
}

// changeQuery parses the changes list's query string: from and to are the
// first and last sync runs of the range (either may be open; a reversed
// range is turned around), involving narrows it to one member, partner or
// asset.
func changeQuery(v url.Values) (store.ChangeQuery, url.Values) {
	r := readQuery(v)
	q := store.ChangeQuery{ListQuery: r.list(store.ChangeSorting), Kind: r.oneOf("kind", values(changeKinds)...),
		SubjectType: r.oneOf("subject_type", "member", "partner", "asset", "pixel"), Involving: r.text("involving")}
	q.FromRun, q.ToRun = r.positive("from"), r.positive("to")
	if q.FromRun > 0 && q.ToRun > 0 && q.FromRun > q.ToRun {
		q.FromRun, q.ToRun = q.ToRun, q.FromRun
	}
	r.set("from", runParam(q.FromRun))
	r.set("to", runParam(q.ToRun))
	return q, r.canon
}

// runParam writes a run ID as a parameter; 0 (none) is "".
func runParam(id int64) string {
	if id <= 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// runQuery parses the sync history's query string.
func runQuery(v url.Values) (store.RunQuery, url.Values) {
	r := readQuery(v)
	q := store.RunQuery{ListQuery: r.list(store.RunSorting), Status: r.oneOf("status", values(runStatuses)...)}
	return q, r.canon
}

// exportQuery parses an export's query string with the parser of the
// kind's list page. The export ignores the page.
func exportQuery(kind string, v url.Values, now time.Time) (any, url.Values) {
	switch kind {
	case export.Members:
		return memberQuery(v)
	case export.Partners:
		return partnerQuery(v)
	case export.Assets:
		return assetQuery(v)
	case export.Access:
		return accessQuery(v)
	case export.Roles:
		return roleQuery(v)
	case export.Pixels:
		return pixelQuery(v)
	case export.Invites:
		return inviteQuery(v, now)
	case export.Changes:
		return changeQuery(v)
	}
	return nil, url.Values{}
}

// listAt is a list page at its canonical query string, for the links the
// page builds (sort, pages, clear).
func listAt(c echo.Context, s store.Sorting, canon url.Values) listRequest {
	return listRequest{path: c.Request().URL.Path, values: canon, sorting: s}
}

// countFirstFrom is the offset from which readPage counts a list before
// reading a page of it. Below it, a page past the end costs at most a scan
// of that many rows (a few ms on xl's grants); from it, counting on one row
// (0.2 ms there) is small next to reading the page.
const countFirstFrom = 1000

// readPage reads the page lq asks for with list, which reads the list at
// lq. A page past the end shows the last page (an empty list's is its
// first), and canon names that page: a stale link or a mistyped page
// number shows the last rows, with links back, at a URL that says which
// page they are. A deep page is counted first, on one row, since reading
// a page past the end costs a scan of every row before it.
func readPage[T any](lq *store.ListQuery, canon url.Values, list func() (store.Page[T], error)) (store.Page[T], error) {
	if lq.PerPage > 0 && (lq.Page-1)*lq.PerPage >= countFirstFrom {
		asked, perPage := lq.Page, lq.PerPage
		lq.Page, lq.PerPage = 1, 1
		first, err := list()
		lq.Page, lq.PerPage = asked, perPage
		if err != nil {
			return first, err
		}
		clampPage(lq, canon, first.Total)
	}
	p, err := list()
	if err != nil || p.Page <= p.Pages() {
		return p, err
	}
	// Past the end of a shallow list, or of one that changed since it was
	// counted.
	clampPage(lq, canon, p.Total)
	if p.Total == 0 {
		p.Page = lq.Page
		return p, nil
	}
	return list()
}

// clampPage moves lq to the last page of a list of total rows if it is
// past it, and canon with it.
func clampPage(lq *store.ListQuery, canon url.Values, total int) {
	if lq.PerPage <= 0 {
		return
	}
	last := max((total+lq.PerPage-1)/lq.PerPage, 1)
	if lq.Page <= last {
		return
	}
	lq.Page = last
	if last > 1 {
		canon.Set("page", strconv.Itoa(last))
	} else {
		canon.Del("page")
	}
}

// showList renders a list page. An htmx request that re-renders the
// results is told to push the list's canonical URL rather than the form's
// every field, empty ones included.
func showList(c echo.Context, title string, r listRequest, v views.ListView) error {
	if hx := hxFrom(c); hx.Fragment() && hx.Target == "list-results" {
		pushURL(c, r.href())
	}
	return renderList(c, title, v)
}
