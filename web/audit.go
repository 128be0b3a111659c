package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// auditPerPage is how many entries a page of the audit log shows.
const auditPerPage = 100

// audit is GET /audit: the audit log, newest first; ?integration=ID keeps
// one integration's entries, ?page=N pages back.
func (h *exportHandler) audit(c echo.Context) error {
	q := store.AuditQuery{PerPage: auditPerPage, Page: 1}
	if p, err := strconv.Atoi(c.QueryParam("page")); err == nil && p > 0 {
		q.Page = p
	}
	if s := c.QueryParam("integration"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		q.IntegrationID = id
	}
	page, err := h.store.AuditEntries(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v := views.AuditLog{Total: page.Total, Page: page.Page, Pages: page.Pages()}
	for _, e := range page.Rows {
		v.Entries = append(v.Entries, auditEntryView(e))
	}
	link := func(p int) string {
		u := url.Values{}
		if q.IntegrationID != 0 {
			u.Set("integration", strconv.FormatInt(q.IntegrationID, 10))
		}
		u.Set("page", strconv.Itoa(p))
		return pathAudit + "?" + u.Encode()
	}
	if page.Page > 1 {
		v.PrevHref = link(page.Page - 1)
	}
	if page.Page < v.Pages {
		v.NextHref = link(page.Page + 1)
	}
	return render(c, http.StatusOK, views.Page{Title: "Audit log", Section: views.SectionAudit}, views.AuditPage(v))
}

func auditEntryView(e store.AuditEntry) views.AuditEntry {
	v := views.AuditEntry{
		At: formatTime(e.At), Actor: e.Actor, Action: "Export", What: e.Kind, Integration: e.IntegrationName,
		BusinessID: e.BusinessID, Filters: e.Filters, Rows: strconv.FormatInt(e.Rows, 10), Outcome: e.Outcome, Detail: e.Detail,
	}
	if e.Actor == store.AuditActorCLI {
		v.Actor = "command line"
	}
	if e.Action != store.AuditExport {
		v.Action = e.Action
	}
	if e.IntegrationID != 0 {
		v.IntegrationHref = integrationPath(e.IntegrationID)
	}
	if e.Outcome == store.AuditRunning {
		v.Rows = ""
	}
	return v
}
