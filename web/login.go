package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/auth"
	"pinaccess/views"
)

var loginPage = views.Page{Title: "Sign in"}

// loginShow is GET /login.
func (h *authHandler) loginShow(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if _, ok := CurrentAdmin(c); ok {
		return redirect(c, orDashboard(next))
	}
	if need, err := h.admins.NeedsSetup(c.Request().Context()); err != nil {
		return err
	} else if need {
		addFlash(c, views.FlashInfo, "pinaccess has no admin yet. Open the one-time setup link from the server log, or create one with 'pinaccess admin create'.")
	}
	return render(c, http.StatusOK, loginPage, views.LoginPage(views.LoginForm{Next: next}))
}

// loginSubmit is POST /login. Unknown emails and wrong passwords get the
// same message; failures are throttled per email and per client address.
func (h *authHandler) loginSubmit(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	form := views.LoginForm{Email: email, Next: localPath(c.FormValue("next")), Errors: views.FieldErrors{}}
	if auth.NormalizeEmail(email) == "" || password == "" {
		if auth.NormalizeEmail(email) == "" {
			form.Errors["email"] = "Enter your email address."
		}
		if password == "" {
			form.Errors["password"] = "Enter your password."
		}
		return render(c, http.StatusUnprocessableEntity, loginPage, views.LoginPage(form))
	}
	addr := c.RealIP()
	if ok, wait := h.throttle.Allow(email, addr); !ok {
		mins := int(math.Ceil(wait.Minutes()))
		form.Errors[""] = fmt.Sprintf("Too many failed sign-in attempts. Wait %d minute%s and try again.", mins, plural(mins))
		h.log.Warn("login throttled", "id", requestIDOf(c), "addr", addr)
		return render(c, http.StatusTooManyRequests, loginPage, views.LoginPage(form))
	}
	admin, err := h.admins.Authenticate(c.Request().Context(), email, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		h.throttle.Fail(email, addr)
		h.log.Info("login failed", "id", requestIDOf(c), "addr", addr)
		form.Errors[""] = "Email or password is incorrect."
		return render(c, http.StatusUnauthorized, loginPage, views.LoginPage(form))
	}
	if err != nil {
		return err
	}
	h.throttle.Succeed(email)
	if err := h.sessions.login(c, admin.ID, admin.Email); err != nil {
		return err
	}
	h.log.Info("login", "id", requestIDOf(c), "admin", admin.ID)
	return redirect(c, orDashboard(form.Next))
}

func orDashboard(next string) string {
	if next == "" {
		return pathDashboard
	}
	return next
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
