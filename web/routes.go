package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/auth"
)

// Route names, for urlFor. Every route of the dashboard is listed in routes.
const (
	routeHealthz        = "healthz"
	routeStatic         = "static"
	routeSetup          = "setup"
	routeSetupSubmit    = "setup.submit"
	routeLogin          = "login"
	routeLoginSubmit    = "login.submit"
	routeLogout         = "logout"
	routeDashboard      = "dashboard"
	routeIntegrationNew = "integrations.new"
)

// Paths that routes and views share.
const (
	pathLogin          = "/login"
	pathSetup          = "/setup"
	pathDashboard      = "/"
	pathIntegrationNew = "/integrations/new"
)

// routes registers every route. Paths use Echo's :param syntax.
func routes(e *echo.Echo, d Deps, sess *sessionManager) {
	admins := auth.NewAdmins(d.Store, d.Now)
	ah := &authHandler{admins: admins, throttle: auth.NewThrottle(d.Now), sessions: sess, log: d.Log}
	hh := &healthHandler{db: d.Store}
	dh := &dashboardHandler{store: d.Store}

	e.GET("/healthz", hh.show).Name = routeHealthz
	e.HEAD("/healthz", hh.show)
	e.GET("/static/:name", serveStatic).Name = routeStatic

	e.GET(pathSetup, ah.setupShow).Name = routeSetup
	e.POST(pathSetup, ah.setupSubmit).Name = routeSetupSubmit
	e.GET(pathLogin, ah.loginShow).Name = routeLogin
	e.POST(pathLogin, ah.loginSubmit).Name = routeLoginSubmit
	e.POST("/logout", ah.logout).Name = routeLogout

	e.GET(pathDashboard, dh.show).Name = routeDashboard
	integrationRoutes(e, d)
	inventoryRoutes(e, d)
	exportRoutes(e, d)

	if d.Sandbox != nil {
		sb := echo.WrapHandler(http.StripPrefix("/sandbox", d.Sandbox))
		e.Any("/sandbox/*", sb)
		e.GET("/sandbox", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/sandbox/") })
	}
}

// urlFor builds the path of a named route, filling its :params in order.
func urlFor(c echo.Context, name string, params ...any) string {
	return c.Echo().Reverse(name, params...)
}
