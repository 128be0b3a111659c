package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// runAccept is POST /integrations/{id}/syncs/{run_id}/accept: the held
// run becomes the current inventory.
func (h *integrationHandler) runAccept(c echo.Context) error {
	return h.decide(c, true)
}

// runDiscard is POST /integrations/{id}/syncs/{run_id}/discard: the held
// run is thrown away and the current inventory stays.
func (h *integrationHandler) runDiscard(c echo.Context) error {
	return h.decide(c, false)
}

func (h *integrationHandler) decide(c echo.Context, accept bool) error {
	in, run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if accept {
		_, err = h.store.AcceptRun(ctx, run.ID)
	} else {
		_, err = h.store.DiscardRun(ctx, run.ID)
	}
	if errors.Is(err, store.ErrRunState) {
		return echo.NewHTTPError(http.StatusConflict, "This sync is no longer waiting for review (it was accepted, discarded or superseded by a newer sync).")
	}
	if err != nil {
		return err
	}
	if accept {
		addFlash(c, views.FlashSuccess, "Accepted: this sync is now the inventory of "+in.Name+".")
	} else {
		addFlash(c, views.FlashInfo, "Discarded: the inventory of "+in.Name+" stays as it was.")
	}
	return redirect(c, runPath(in.ID, run.ID))
}
