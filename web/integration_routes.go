package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"pinaccess/internal/importer"
	"pinaccess/internal/integration"
	"pinaccess/internal/store"
	"pinaccess/static"
	"pinaccess/views"
)

// Route names of the wizard and the integration's own pages.
const (
	routeIntegrationCreate      = "integrations.create"
	routeIntegrationShow        = "integrations.show"
	routeIntegrationSetup       = "integrations.setup"
	routeWizardServiceAccount   = "wizard.service_account"
	routeWizardServiceSave      = "wizard.service_account.save"
	routeWizardBusiness         = "wizard.business"
	routeWizardBusinessSave     = "wizard.business.save"
	routeWizardConnect          = "wizard.connect"
	routeIntegrationConnect     = "integrations.connect"
	routeOAuthCallback          = "oauth.callback"
	routeIntegrationDisconnect  = "integrations.disconnect"
	routeIntegrationDeleteAsk   = "integrations.delete.confirm"
	routeIntegrationDelete      = "integrations.delete"
	routeIntegrationSyncStart   = "integrations.sync"
	routeIntegrationSyncCancel  = "integrations.sync.cancel"
	routeIntegrationRun         = "integrations.run"
	routeIntegrationRunProgress = "integrations.run.progress"
	routeIntegrationRunAccept   = "integrations.run.accept"
	routeIntegrationRunDiscard  = "integrations.run.discard"
)

// Syncs starts and follows syncs; *importer.Manager satisfies it. The
// wizard starts the first sync with it once connected.
type Syncs interface {
	Start(ctx context.Context, integrationID int64, trigger string) (int64, error)
	Cancel(runID int64) bool
	RunningRun(integrationID int64) (int64, bool)
	Progress(ctx context.Context, runID int64) (importer.Progress, error)
}

// integrationHandler serves the wizard and an integration's own pages.
type integrationHandler struct {
	svc   *integration.Service
	store *store.Store
	syncs Syncs // nil when this server runs no syncs
	log   *slog.Logger
	now   func() time.Time
}

// integrationRoutes registers the wizard, the OAuth callback and the
// integration's status, disconnect, delete and sync routes.
func integrationRoutes(e *echo.Echo, d Deps) {
	envs := integration.Environments{}
	if d.Sandbox != nil {
		envs.SandboxURL = d.Config.BaseURL + "/sandbox"
	}
	h := &integrationHandler{
		svc:   &integration.Service{Store: d.Store, Box: d.Secrets, Envs: envs, BaseURL: d.Config.BaseURL, Log: d.Log},
		store: d.Store,
		syncs: d.Syncs,
		log:   d.Log,
		now:   d.Now,
	}
	e.GET(pathIntegrationNew, h.newShow).Name = routeIntegrationNew
	e.POST("/integrations", h.create).Name = routeIntegrationCreate
	e.GET("/integrations/:id", h.show).Name = routeIntegrationShow
	e.GET("/integrations/:id/setup", h.resume).Name = routeIntegrationSetup
	e.GET("/integrations/:id/setup/service-account", h.serviceAccountShow).Name = routeWizardServiceAccount
	e.POST("/integrations/:id/setup/service-account", h.serviceAccountSave).Name = routeWizardServiceSave
	e.GET("/integrations/:id/setup/business", h.businessShow).Name = routeWizardBusiness
	e.POST("/integrations/:id/setup/business", h.businessSave).Name = routeWizardBusinessSave
	e.GET("/integrations/:id/setup/connect", h.connectShow).Name = routeWizardConnect
	e.POST("/integrations/:id/connect", h.connect).Name = routeIntegrationConnect
	e.GET(integration.CallbackPath, h.callback).Name = routeOAuthCallback
	e.POST("/integrations/:id/disconnect", h.disconnect).Name = routeIntegrationDisconnect
	e.GET("/integrations/:id/delete", h.deleteConfirm).Name = routeIntegrationDeleteAsk
	e.POST("/integrations/:id/delete", h.delete).Name = routeIntegrationDelete
	syncRoutes(e, h)
}

// Paths of an integration's pages.
func integrationPath(id int64) string { return fmt.Sprintf("/integrations/%d", id) }

func stepPath(id int64, s integration.Step) string {
	switch s {
	case integration.StepServiceAccount:
		return fmt.Sprintf("/integrations/%d/setup/service-account", id)
	case integration.StepBusiness:
		return fmt.Sprintf("/integrations/%d/setup/business", id)
	case integration.StepConnect:
		return fmt.Sprintf("/integrations/%d/setup/connect", id)
	}
	return integrationPath(id)
}

func runPath(id, runID int64) string { return fmt.Sprintf("/integrations/%d/syncs/%d", id, runID) }

// load returns the integration named by the :id parameter, or a 404.
func (h *integrationHandler) load(c echo.Context) (store.Integration, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Integration{}, echo.NewHTTPError(http.StatusNotFound)
	}
	in, err := h.store.Integration(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Integration{}, echo.NewHTTPError(http.StatusNotFound, "There is no such integration: it may have been deleted.")
	}
	return in, err
}

var stepLabels = []string{"Service account", "Business Manager ID", "Connect"}

// wizard is the stepper for integration in (nil on the first page) with
// current as the step shown.
func (h *integrationHandler) wizard(in *store.Integration, current integration.Step) views.Wizard {
	w := views.Wizard{CopyScriptURL: static.URL("copy.js")}
	reach := integration.StepServiceAccount
	if in != nil {
		w.IntegrationName = in.Name
		reach = integration.FirstUnfinished(*in)
	}
	for i, label := range stepLabels {
		s := integration.Step(i + 1)
		ws := views.WizardStep{Number: i + 1, Label: label, State: views.StepTodo}
		switch {
		case s == current:
			ws.State = views.StepCurrent
		case s < reach:
			ws.State = views.StepDone
		}
		if in != nil && s <= reach {
			ws.Href = stepPath(in.ID, s)
		}
		w.Steps = append(w.Steps, ws)
	}
	return w
}

// renderStep renders a wizard step; a refused form answers 422 (which
// htmx is configured to swap too).
func (h *integrationHandler) renderStep(c echo.Context, refused bool, title string, body templ.Component) error {
	status := http.StatusOK
	if refused {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.Page{Title: title, Section: views.SectionIntegrations}, body)
}

// advance ends a successful step: the next step's page for htmx (with the
// URL pushed), a 303 to it otherwise.
func (h *integrationHandler) advance(c echo.Context, in store.Integration) error {
	next := integration.FirstUnfinished(in)
	to := stepPath(in.ID, next)
	if !hxFrom(c).Fragment() {
		return redirect(c, to)
	}
	c.Response().Header().Set("HX-Push-Url", to)
	switch next {
	case integration.StepServiceAccount:
		return h.renderServiceAccount(c, &in, integration.Setup{}, nil)
	case integration.StepBusiness:
		return h.renderBusiness(c, in, "", nil)
	case integration.StepConnect:
		return h.renderConnect(c, in)
	}
	c.Response().Header().Del("HX-Push-Url")
	return redirect(c, to)
}

// fieldErrors turns the domain's field errors into the view's.
func fieldErrors(fe integration.FieldErrors) views.FieldErrors {
	out := views.FieldErrors{}
	for k, v := range fe {
		out[k] = v
	}
	return out
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
