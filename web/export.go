package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
)

// Route names of the exports and the audit log.
const (
	routeExport = "integrations.export"
	routeAudit  = "audit"
)

// pathAudit is the audit log page.
const pathAudit = "/audit"

// exportHandler serves CSV downloads and the audit log that records them.
type exportHandler struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
}

// exportRoutes registers the CSV downloads and the audit log page.
func exportRoutes(e *echo.Echo, d Deps) {
	h := &exportHandler{store: d.Store, log: d.Log, now: d.Now}
	e.GET("/integrations/:id/export/:file", h.download).Name = routeExport
	e.GET(pathAudit, h.audit).Name = routeAudit
}

// exportPath is the download URL of a kind with a list's canonical query
// string (paging dropped: an export holds every page).
func exportPath(integrationID int64, kind string, query url.Values) string {
	p := integrationPath(integrationID) + "/export/" + kind + ".csv"
	if q := export.Filters(query); q != "" {
		p += "?" + q
	}
	return p
}

// download is GET /integrations/{id}/export/{kind}.csv: the kind's list
// with the filters and sort of the query string, as a CSV attachment,
// streamed as the rows are read. The export is recorded in the audit log.
func (h *exportHandler) download(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	kind, ok := strings.CutSuffix(c.Param("file"), ".csv")
	if _, known := export.Columns(kind); !ok || !known {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such export. Exports are "+strings.Join(export.Kinds(), ", ")+".")
	}
	ctx, cancel := context.WithCancelCause(c.Request().Context())
	defer cancel(nil)
	in, err := h.store.Integration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such integration: it may have been deleted.")
	}
	if err != nil {
		return err
	}
	admin, _ := CurrentAdmin(c) // requireLogin let the request through
	// The audit log records the filters as the export applied them.
	query, canon := exportQuery(kind, c.QueryParams(), h.now())
	req := export.Request{
		IntegrationID: in.ID, IntegrationName: in.Name, BusinessID: in.BusinessID, Kind: kind,
		Query: query, Filters: export.Filters(canon), Actor: admin.Email, AdminID: admin.ID,
	}

	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+export.FileName(in.BusinessID, kind, h.now())+`"`)
	rows, err := export.Audited(ctx, &responseWriter{res: res, gone: cancel}, h.store, h.store, req)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		h.log.Info("export stopped: the client went away", "id", requestIDOf(c), "kind", kind, "rows", rows, "cause", context.Cause(ctx))
		return nil
	case !res.Committed:
		res.Header().Del(echo.HeaderContentDisposition)
		res.Header().Del(echo.HeaderContentType)
		return err
	default:
		// The header and some rows are out: end the response abruptly so
		// the download fails visibly instead of looking complete.
		h.log.Error("export failed part-way", "id", requestIDOf(c), "kind", kind, "rows", rows, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// errClientGone is why an export stops when the response cannot be written.
var errClientGone = errors.New("web: the client stopped reading the export")

// responseWriter writes an export to the response. A failed write means
// the client has gone, so it cancels the export (which the audit log then
// records as cancelled, not failed) even before net/http notices.
type responseWriter struct {
	res  *echo.Response
	gone context.CancelCauseFunc
}

func (w *responseWriter) Write(p []byte) (int, error) {
	n, err := w.res.Write(p)
	if err != nil {
		w.gone(fmt.Errorf("%w: %w", errClientGone, err))
	}
	return n, err
}

// Flush sends what was written so far.
func (w *responseWriter) Flush() { w.res.Flush() }
