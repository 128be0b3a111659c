package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// businessShow is GET /integrations/{id}/setup/business; it sends the
// admin back to step 1 while that is unfinished.
func (h *integrationHandler) businessShow(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if in.Status == store.IntegrationConnected {
		return h.connectedNoEdit(c, in)
	}
	if integration.FirstUnfinished(in) < integration.StepBusiness {
		return redirect(c, stepPath(in.ID, integration.FirstUnfinished(in)))
	}
	return h.renderBusiness(c, in, in.BusinessID, nil)
}

// businessSave is POST /integrations/{id}/setup/business.
func (h *integrationHandler) businessSave(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if integration.FirstUnfinished(in) < integration.StepBusiness {
		return redirect(c, stepPath(in.ID, integration.FirstUnfinished(in)))
	}
	raw := c.FormValue("business_id")
	err = h.svc.SetBusiness(c.Request().Context(), in.ID, raw)
	var fe integration.FieldErrors
	switch {
	case errors.As(err, &fe):
		return h.renderBusiness(c, in, raw, fe)
	case errors.Is(err, store.ErrIntegrationConnected):
		return h.connectedNoEdit(c, in)
	case err != nil:
		return err
	}
	saved, err := h.store.Integration(c.Request().Context(), in.ID)
	if err != nil {
		return err
	}
	return h.advance(c, saved)
}

func (h *integrationHandler) renderBusiness(c echo.Context, in store.Integration, value string, fe integration.FieldErrors) error {
	v := views.BusinessStep{
		Wizard:     h.wizard(&in, integration.StepBusiness),
		Action:     stepPath(in.ID, integration.StepBusiness),
		BusinessID: value,
		Errors:     fieldErrors(fe),
		BackHref:   stepPath(in.ID, integration.StepServiceAccount),
	}
	if in.Environment == integration.EnvSandbox {
		v.SandboxBusinessID = sandbox.DefaultBusinessID
	}
	return h.renderStep(c, fe != nil, in.Name+" · Business Manager ID", views.BusinessPage(v))
}
