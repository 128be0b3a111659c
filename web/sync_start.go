package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/importer"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// syncRoutes registers starting, cancelling, following and reviewing syncs.
func syncRoutes(e *echo.Echo, h *integrationHandler) {
	e.POST("/integrations/:id/sync", h.syncStart).Name = routeIntegrationSyncStart
	e.GET("/integrations/:id/syncs/:run_id", h.runShow).Name = routeIntegrationRun
	e.GET("/integrations/:id/syncs/:run_id/progress", h.runProgress).Name = routeIntegrationRunProgress
	e.POST("/integrations/:id/syncs/:run_id/cancel", h.runCancel).Name = routeIntegrationSyncCancel
	e.POST("/integrations/:id/syncs/:run_id/accept", h.runAccept).Name = routeIntegrationRunAccept
	e.POST("/integrations/:id/syncs/:run_id/discard", h.runDiscard).Name = routeIntegrationRunDiscard
}

// syncStart is POST /integrations/{id}/sync: it starts a sync and shows
// its page; 409 while one runs.
func (h *integrationHandler) syncStart(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if h.syncs == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This server does not run syncs.")
	}
	if in.Status != store.IntegrationConnected {
		return echo.NewHTTPError(http.StatusConflict, in.Name+" is not connected: connect it first, then sync.")
	}
	runID, err := h.syncs.Start(c.Request().Context(), in.ID, "manual")
	if errors.Is(err, importer.ErrAlreadyRunning) {
		return echo.NewHTTPError(http.StatusConflict, "A sync of "+in.Name+" is already running: wait for it to end, or cancel it.")
	}
	if err != nil {
		return err
	}
	return redirect(c, runPath(in.ID, runID))
}

// runCancel is POST /integrations/{id}/syncs/{run_id}/cancel.
func (h *integrationHandler) runCancel(c echo.Context) error {
	in, run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	if h.syncs == nil || !h.syncs.Cancel(run.ID) {
		addFlash(c, views.FlashInfo, "This sync is not running in this server, so there is nothing to cancel.")
	} else {
		addFlash(c, views.FlashInfo, "Cancelling the sync: it stops at once and the previous inventory stays.")
	}
	return redirect(c, runPath(in.ID, run.ID))
}
