package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// csrfMessage is what a refused request is told.
const csrfMessage = "This form has expired or did not come from pinaccess. Go back, reload the page and try again."

// csrfProtect refuses every request that may change something (anything
// but GET, HEAD and OPTIONS) unless it carries the session's CSRF token in
// the X-CSRF-Token header (htmx) or the _csrf form field. The sandbox has no
// session and is not checked: it stands in for an outside site.
func csrfProtect(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		s := sessionOf(c)
		if s == nil {
			return next(c)
		}
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			if err := parseForm(r); err != nil {
				return err
			}
			token = r.PostFormValue("_csrf")
		}
		if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, csrfMessage)
		}
		return next(c)
	}
}

// parseForm parses the request body as a form, reporting an oversized body
// as 413 rather than as a missing field.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		err = r.ParseMultipartForm(MaxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		return he
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.").SetInternal(err)
	}
	return nil
}
