package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// dashboardHandler serves the dashboard.
type dashboardHandler struct {
	store *store.Store
}

// show is GET /: the integrations, or an invitation to add the first one.
func (h *dashboardHandler) show(c echo.Context) error {
	ovs, err := h.store.IntegrationOverviews(c.Request().Context())
	if err != nil {
		return err
	}
	vm := views.Dashboard{NewHref: pathIntegrationNew}
	for _, o := range ovs {
		di := views.DashboardIntegration{Name: o.Name, Href: integrationPath(o.ID), StatusKey: o.Status, Status: statusWords(o.Status)}
		if o.LastRun.ID != 0 {
			di.LastSync = runStatusWords(o.LastRun.Status) + " " + formatTime(o.LastRun.StartedAt)
			if o.LastRun.Status == store.RunRunning {
				di.LastSync = "running since " + formatTime(o.LastRun.StartedAt)
			}
		}
		if o.CurrentRunID != 0 {
			n := o.Counts
			di.Counts = fmt.Sprintf("%d members · %d partners · %d assets · %d grants", n.Members, n.Partners, n.Assets, n.Grants)
		}
		if step := integration.FirstUnfinished(o.Integration); o.Status == store.IntegrationDraft && step < integration.StepDone {
			di.ContinueHref = stepPath(o.ID, step)
		}
		vm.Integrations = append(vm.Integrations, di)
	}
	return render(c, http.StatusOK, views.Page{Title: "Dashboard", Section: views.SectionDashboard}, views.DashboardPage(vm))
}

func statusWords(status string) string {
	switch status {
	case store.IntegrationDraft:
		return "Setup not finished"
	case store.IntegrationConnected:
		return "Connected"
	case store.IntegrationNeedsReconnect:
		return "Needs reconnecting"
	case store.IntegrationDisconnected:
		return "Disconnected"
	}
	return status
}
