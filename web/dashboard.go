package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/views"
)

// dashboardHandler serves the dashboard.
type dashboardHandler struct{}

// show is GET /: the integrations, or an invitation to add the first one.
func (h *dashboardHandler) show(c echo.Context) error {
	vm := views.Dashboard{NewHref: pathIntegrationNew}
	return render(c, http.StatusOK, views.Page{Title: "Dashboard", Section: views.SectionDashboard}, views.DashboardPage(vm))
}
