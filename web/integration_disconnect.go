package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/views"
)

// disconnect is POST /integrations/{id}/disconnect: it stops a running
// sync, revokes the token at Pinterest (best effort) and forgets it.
func (h *integrationHandler) disconnect(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if h.syncs != nil {
		if runID, ok := h.syncs.RunningRun(in.ID); ok {
			h.syncs.Cancel(runID)
		}
	}
	err = h.svc.Disconnect(c.Request().Context(), in.ID)
	switch {
	case errors.Is(err, integration.ErrRevoke):
		addFlash(c, views.FlashInfo, "Disconnected "+in.Name+": pinaccess forgot its token, but Pinterest did not confirm that it revoked it. To be sure, remove the app's access in the service account's Pinterest settings.")
	case err != nil:
		return err
	default:
		addFlash(c, views.FlashSuccess, "Disconnected "+in.Name+": the token was revoked at Pinterest and forgotten.")
	}
	return redirect(c, integrationPath(in.ID))
}
