package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/auth"
	"pinaccess/internal/integration"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// connectShow is GET /integrations/{id}/setup/connect: step 3, or the
// reconnect page of a connected integration. It sends the admin back to
// the first unfinished step.
func (h *integrationHandler) connectShow(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if step := integration.FirstUnfinished(in); step < integration.StepConnect {
		return redirect(c, stepPath(in.ID, step))
	}
	return h.renderConnect(c, in)
}

func (h *integrationHandler) renderConnect(c echo.Context, in store.Integration) error {
	// The Connect form's POST ends at the consent page: the page must let
	// forms go there.
	if origin := h.svc.ConsentOrigin(in.Environment); origin != "" {
		AllowFormAction(c, origin)
	}
	v := views.ConnectStep{
		Wizard:         h.wizard(&in, integration.StepConnect),
		Action:         integrationPath(in.ID) + "/connect",
		Environment:    environmentLabel(in.Environment),
		ServiceAccount: in.ServiceAccount,
		BusinessID:     in.BusinessID,
		AppID:          in.AppID,
		Reconnect:      in.Status != store.IntegrationDraft,
		Failure:        takeConnectFailure(c, in.ID),
		BackHref:       stepPath(in.ID, integration.StepBusiness),
	}
	if in.Status == store.IntegrationConnected {
		v.BackHref = integrationPath(in.ID)
	}
	if in.Environment == integration.EnvSandbox {
		v.SandboxAccount = in.ServiceAccount
		if v.SandboxAccount == "" {
			v.SandboxAccount = sandbox.AdminUsername
		}
	}
	return h.renderStep(c, false, in.Name+" · connect", views.ConnectPage(v))
}

func environmentLabel(env string) string {
	if env == integration.EnvSandbox {
		return "Sandbox (built-in emulator)"
	}
	return "Pinterest"
}

// connect is POST /integrations/{id}/connect: it remembers a fresh random
// state in the session and sends the browser to the consent page.
func (h *integrationHandler) connect(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if step := integration.FirstUnfinished(in); step < integration.StepConnect {
		return redirect(c, stepPath(in.ID, step))
	}
	state := auth.NewToken()
	to, err := h.svc.AuthURL(c.Request().Context(), in.ID, state)
	var ce *integration.ConnectError
	if errors.As(err, &ce) {
		setConnectFailure(c, connectFailure{IntegrationID: in.ID, Reason: string(ce.Reason), Message: ce.Message})
		return redirect(c, stepPath(in.ID, integration.StepConnect))
	}
	if err != nil {
		return err
	}
	setOAuthPending(c, oauthPending{State: state, IntegrationID: in.ID, Expires: h.now().Add(oauthStateTTL).Unix()})
	if origin := h.svc.ConsentOrigin(in.Environment); origin != "" {
		AllowFormAction(c, origin)
	}
	if hxFrom(c).Request {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}
