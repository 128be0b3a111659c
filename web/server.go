// Package web is pinaccess's HTTP side: Echo routes, middleware and handlers.
// Handlers parse input, call the domain, build a view model and render.
package web

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/config"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// Deps is what the web server needs from the rest of pinaccess.
type Deps struct {
	Store   *store.Store
	Secrets *secret.Box
	Log     *slog.Logger
	Config  config.Config
	// Sandbox, when not nil, is mounted at /sandbox/.
	Sandbox http.Handler
}

// New builds the Echo server with every route.
func New(d Deps) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/healthz", func(c echo.Context) error {
		if err := d.Store.Ping(c.Request().Context()); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	return e, nil
}
