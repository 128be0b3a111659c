package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// deleteConfirm is GET /integrations/{id}/delete: what deleting removes,
// and the button that does it.
func (h *integrationHandler) deleteConfirm(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	runs, err := h.store.Runs(ctx, in.ID, 0)
	if err != nil {
		return err
	}
	_, rerr := h.store.RunningRun(ctx, in.ID)
	v := views.IntegrationDelete{Name: in.Name, BusinessID: in.BusinessID, Runs: len(runs),
		Action: integrationPath(in.ID) + "/delete", CancelHref: integrationPath(in.ID), Running: rerr == nil}
	return render(c, http.StatusOK, views.Page{Title: "Delete " + in.Name, Section: views.SectionDashboard}, views.IntegrationDeletePage(v))
}

// delete is POST /integrations/{id}/delete, sent by the confirmation page.
func (h *integrationHandler) delete(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	err = h.svc.Delete(c.Request().Context(), in.ID)
	switch {
	case errors.Is(err, store.ErrRunActive):
		addFlash(c, views.FlashError, "A sync of "+in.Name+" is running: cancel it or wait for it to end, then delete.")
		return redirect(c, integrationPath(in.ID)+"/delete")
	case errors.Is(err, integration.ErrRevoke):
		addFlash(c, views.FlashInfo, "Deleted "+in.Name+". Pinterest did not confirm that it revoked the token: remove the app's access in the service account's Pinterest settings to be sure.")
	case err != nil:
		return err
	default:
		addFlash(c, views.FlashSuccess, "Deleted "+in.Name+" and everything pinaccess had imported from it.")
	}
	return redirect(c, pathDashboard)
}
