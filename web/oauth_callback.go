package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/importer"
	"pinaccess/internal/integration"
	"pinaccess/views"
)

// callback is GET /oauth/pinterest/callback, where Pinterest sends the
// admin back. The checks run in order: the state (once only, this
// browser's, fresh), a refusal on the consent page, then the code exchange
// and the account checks in integration.Service.Complete. A refusal is
// shown on the connect step with its own explanation; nothing is stored.
func (h *integrationHandler) callback(c echo.Context) error {
	admin, _ := CurrentAdmin(c)
	q := c.QueryParams()
	p, ok := takeOAuthPending(c)
	if !ok {
		// No connection started here (or this answer was used already):
		// there is no integration to go back to.
		ce := integration.StateError()
		h.log.Warn("oauth callback refused", "id", requestIDOf(c), "reason", ce.Reason, "detail", "no pending connection")
		return echo.NewHTTPError(http.StatusBadRequest, ce.Message)
	}
	if !p.matches(q.Get("state"), h.now()) {
		return h.refuseConnect(c, p.IntegrationID, integration.StateError())
	}
	if e := q.Get("error"); e != "" {
		return h.refuseConnect(c, p.IntegrationID, integration.ConsentError(e))
	}
	ctx := c.Request().Context()
	err := h.svc.Complete(ctx, p.IntegrationID, q.Get("code"), admin.ID)
	var ce *integration.ConnectError
	if errors.As(err, &ce) {
		return h.refuseConnect(c, p.IntegrationID, ce)
	}
	if err != nil {
		return err
	}
	in, err := h.store.Integration(ctx, p.IntegrationID)
	if err != nil {
		return err
	}
	msg := "Connected " + in.Name + "."
	if h.syncs == nil {
		msg += " The first sync is pending."
		addFlash(c, views.FlashSuccess, msg)
		return redirect(c, integrationPath(in.ID))
	}
	_, err = h.syncs.Start(ctx, in.ID, "wizard")
	switch {
	case errors.Is(err, importer.ErrAlreadyRunning):
		addFlash(c, views.FlashSuccess, msg+" A sync is already running.")
	case err != nil:
		h.log.Error("start first sync", "id", requestIDOf(c), "integration", in.ID, "err", err)
		addFlash(c, views.FlashInfo, msg+" The first sync could not start: press Sync now to try again.")
	default:
		addFlash(c, views.FlashSuccess, msg+" The first sync has started.")
	}
	return redirect(c, integrationPath(in.ID))
}

// refuseConnect logs a refused connection and shows it on the connect step.
func (h *integrationHandler) refuseConnect(c echo.Context, id int64, ce *integration.ConnectError) error {
	attrs := []any{"id", requestIDOf(c), "integration", id, "reason", ce.Reason}
	if ce.Err != nil {
		attrs = append(attrs, "err", ce.Err)
	}
	h.log.Warn("oauth callback refused", attrs...)
	setConnectFailure(c, connectFailure{IntegrationID: id, Reason: string(ce.Reason), Message: ce.Message})
	return redirect(c, stepPath(id, integration.StepConnect))
}
