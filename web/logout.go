package web

import (
	"github.com/labstack/echo/v4"

	"pinaccess/views"
)

// logout is POST /logout: it ends the session on the server too, so a copy
// of the cookie no longer works.
func (h *authHandler) logout(c echo.Context) error {
	if err := h.sessions.logout(c); err != nil {
		return err
	}
	addFlash(c, views.FlashInfo, "You are signed out.")
	return redirect(c, pathLogin)
}
