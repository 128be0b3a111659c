package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// newShow is GET /integrations/new: step 1 of a new integration.
func (h *integrationHandler) newShow(c echo.Context) error {
	return h.renderServiceAccount(c, nil, integration.Setup{}, nil)
}

// create is POST /integrations: step 1 saved as a new draft integration.
func (h *integrationHandler) create(c echo.Context) error {
	in := setupForm(c)
	id, err := h.svc.Create(c.Request().Context(), in)
	var fe integration.FieldErrors
	if errors.As(err, &fe) {
		return h.renderServiceAccount(c, nil, in, fe)
	}
	if err != nil {
		return err
	}
	saved, err := h.store.Integration(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.advance(c, saved)
}

// serviceAccountShow is GET /integrations/{id}/setup/service-account.
func (h *integrationHandler) serviceAccountShow(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	if in.Status == store.IntegrationConnected {
		return h.connectedNoEdit(c, in)
	}
	return h.renderServiceAccount(c, &in, integration.Setup{}, nil)
}

// serviceAccountSave is POST /integrations/{id}/setup/service-account.
func (h *integrationHandler) serviceAccountSave(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	form := setupForm(c)
	err = h.svc.Update(c.Request().Context(), in.ID, form)
	var fe integration.FieldErrors
	switch {
	case errors.As(err, &fe):
		return h.renderServiceAccount(c, &in, form, fe)
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

// connectedNoEdit answers an attempt to change a connected integration's
// setup: disconnect first.
func (h *integrationHandler) connectedNoEdit(c echo.Context, in store.Integration) error {
	addFlash(c, views.FlashInfo, in.Name+" is connected: disconnect it before changing its setup.")
	return redirect(c, integrationPath(in.ID))
}

func setupForm(c echo.Context) integration.Setup {
	return integration.Setup{
		Name:           c.FormValue("name"),
		Environment:    c.FormValue("environment"),
		ServiceAccount: c.FormValue("service_account"),
		AppID:          c.FormValue("app_id"),
		AppSecret:      c.FormValue("app_secret"),
	}
}

// renderServiceAccount shows step 1: for a new integration when in is nil,
// with what was typed (form) and its errors when fe is set, otherwise with
// the saved values. The app secret is never shown back.
func (h *integrationHandler) renderServiceAccount(c echo.Context, in *store.Integration, form integration.Setup, fe integration.FieldErrors) error {
	sandboxOn := h.svc.Envs.SandboxURL != ""
	v := views.ServiceAccountStep{
		Wizard:      h.wizard(in, integration.StepServiceAccount),
		Action:      "/integrations",
		RedirectURI: h.svc.RedirectURI(),
		Errors:      fieldErrors(fe),
		CancelHref:  pathDashboard,
	}
	if sandboxOn {
		v.SandboxAppID = sandbox.DefaultAppID
	}
	env := form.Environment
	if fe == nil && in != nil {
		form = integration.Setup{Name: in.Name, Environment: in.Environment, ServiceAccount: in.ServiceAccount, AppID: in.AppID}
		env = in.Environment
	}
	if in != nil {
		v.Action = stepPath(in.ID, integration.StepServiceAccount)
		v.SecretSaved = in.HasAppSecret
		v.CancelHref = integrationPath(in.ID)
	}
	if env == "" {
		env = integration.EnvPinterest
		if sandboxOn && in == nil && fe == nil {
			env = integration.EnvSandbox
		}
	}
	v.Name, v.ServiceAccount, v.AppID = form.Name, form.ServiceAccount, form.AppID
	v.Environment = views.Choice{Name: "environment", Legend: "Environment", Value: env, Error: v.Errors["environment"],
		Options: []views.Option{{Value: integration.EnvPinterest, Label: "Pinterest", Hint: "Your real Business Manager, through your Pinterest app."}}}
	if sandboxOn {
		v.Environment.Options = append(v.Environment.Options, views.Option{Value: integration.EnvSandbox, Label: "Sandbox",
			Hint: "pinaccess's built-in Pinterest emulator with sample data: nothing to set up on Pinterest."})
	}
	return h.renderStep(c, fe != nil, "Add integration · service account", views.ServiceAccountPage(v))
}
