package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/auth"
	"pinaccess/views"
)

var setupPage = views.Page{Title: "Set up pinaccess"}

// setupShow is GET /setup?token=…: the first-admin form, if the one-time
// token is valid. Showing the form does not use up the token.
func (h *authHandler) setupShow(c echo.Context) error {
	token := c.QueryParam("token")
	if err := h.admins.CheckSetupToken(c.Request().Context(), token); err != nil {
		return h.setupUnavailable(c, err)
	}
	return render(c, http.StatusOK, setupPage, views.SetupPage(views.SetupForm{Token: token}))
}

// setupSubmit is POST /setup: it uses the token, creates the first admin
// and signs them in. Bad input re-shows the form and leaves the token valid.
func (h *authHandler) setupSubmit(c echo.Context) error {
	token, email, password, confirm := c.FormValue("token"), c.FormValue("email"), c.FormValue("password"), c.FormValue("confirm")
	ctx := c.Request().Context()
	if err := h.admins.CheckSetupToken(ctx, token); err != nil {
		return h.setupUnavailable(c, err)
	}
	form := views.SetupForm{Token: token, Email: email, Errors: views.FieldErrors{}}
	var fe auth.FieldErrors
	if _, err := auth.ValidateAdmin(email, password); errors.As(err, &fe) {
		for k, v := range fe {
			form.Errors[k] = v
		}
	}
	if confirm != password && !form.Errors.Has("password") {
		form.Errors["confirm"] = "The two passwords do not match."
	}
	if len(form.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, setupPage, views.SetupPage(form))
	}
	admin, err := h.admins.CompleteSetup(ctx, token, email, password)
	if errors.As(err, &fe) {
		for k, v := range fe {
			form.Errors[k] = v
		}
		return render(c, http.StatusUnprocessableEntity, setupPage, views.SetupPage(form))
	}
	if errors.Is(err, auth.ErrSetupToken) || errors.Is(err, auth.ErrSetupDone) {
		return h.setupUnavailable(c, err)
	}
	if err != nil {
		return err
	}
	if err := h.sessions.login(c, admin.ID, admin.Email); err != nil {
		return err
	}
	h.log.Info("first admin created", "id", requestIDOf(c), "admin", admin.ID)
	addFlash(c, views.FlashSuccess, "Welcome to pinaccess. Your admin account is ready; add an integration to get started.")
	return redirect(c, pathDashboard)
}

// setupUnavailable explains why setup cannot go on: it is done already, or
// the link is wrong, used or expired.
func (h *authHandler) setupUnavailable(c echo.Context, err error) error {
	switch {
	case errors.Is(err, auth.ErrSetupDone):
		return render(c, http.StatusConflict, setupPage, views.SetupUnavailablePage(views.SetupUnavailable{
			Title:   "pinaccess is already set up",
			Message: "An admin account exists, so this setup link no longer works. Sign in instead; an admin can add more admins with 'pinaccess admin create'.",
			SignIn:  true,
		}))
	case errors.Is(err, auth.ErrSetupToken):
		return render(c, http.StatusForbidden, setupPage, views.SetupUnavailablePage(views.SetupUnavailable{
			Title:   "This setup link does not work",
			Message: "The link is incomplete, was already used, or has expired. Restart pinaccess to log a new one-time setup link, or create an admin with 'pinaccess admin create --email you@example.com --password-stdin'.",
		}))
	}
	return err
}
