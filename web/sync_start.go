package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/importer"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// syncRoutes registers starting, cancelling and following syncs.
func syncRoutes(e *echo.Echo, h *integrationHandler) {
	e.POST("/integrations/:id/sync", h.syncStart).Name = routeIntegrationSyncStart
}

// syncStart is POST /integrations/{id}/sync: 409 while a sync runs.
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
	addFlash(c, views.FlashSuccess, "Sync started.")
	_ = runID // the run page comes with the sync pages
	return redirect(c, integrationPath(in.ID))
}
