package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

type healthHandler struct {
	db interface{ Ping(context.Context) error }
}

// show is GET /healthz: 200 {"status":"ok"} when the database answers, 503
// otherwise.
func (h *healthHandler) show(c echo.Context) error {
	if err := h.db.Ping(c.Request().Context()); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
