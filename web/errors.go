package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/views"
)

// errorHandler renders every error as a page in the dashboard's style (or
// JSON for /healthz and clients that ask for JSON). The user sees a
// sentence saying what to do; the log gets the detail and the request id.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code, msg := http.StatusInternalServerError, ""
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code = he.Code
			if m, ok := he.Message.(string); ok && m != http.StatusText(code) {
				msg = m
			}
		}
		if code >= 500 {
			log.Error("request failed", "id", requestIDOf(c), "method", c.Request().Method, "path", c.Request().URL.Path, "status", code, "err", err)
		}
		v := errorView(code, msg)
		v.RequestID = requestIDOf(c)
		r := c.Request()
		var werr error
		switch {
		case r.Method == http.MethodHead:
			werr = c.NoContent(code)
		case r.URL.Path == "/healthz" || strings.Contains(r.Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON):
			werr = c.JSON(code, map[string]string{"error": v.Message})
		default:
			werr = render(c, code, views.Page{Title: v.Title}, views.ErrorPage(v))
		}
		if werr != nil {
			log.Error("write error page", "id", requestIDOf(c), "err", werr)
		}
	}
}

// errorView is the page for an HTTP status; msg, when set, replaces the
// standard sentence.
func errorView(code int, msg string) views.ErrorView {
	v := views.ErrorView{Status: code}
	switch code {
	case http.StatusBadRequest:
		v.Title, v.Message = "Bad request", "pinaccess could not understand this request. Go back and try again."
	case http.StatusForbidden:
		v.Title, v.Message = "Not allowed", "You are not allowed to do this."
	case http.StatusNotFound:
		v.Title, v.Message = "Page not found", "There is nothing at this address. Check the link, or go back to the dashboard."
	case http.StatusMethodNotAllowed:
		v.Title, v.Message = "Not allowed", "This address does not accept that kind of request."
	case http.StatusRequestEntityTooLarge:
		v.Title, v.Message = "Too much data", "The data sent is larger than pinaccess accepts (1 MB). Send less and try again."
	case http.StatusTooManyRequests:
		v.Title, v.Message = "Too many requests", "Wait a few minutes and try again."
	case http.StatusServiceUnavailable:
		v.Title, v.Message = "Unavailable", "pinaccess cannot answer right now. Try again in a moment."
	default:
		if code >= 500 {
			v.Title, v.Message = "Something went wrong", "pinaccess could not finish this request. Try again; if it keeps happening, look for the request id below in the server log."
		} else {
			v.Title, v.Message = http.StatusText(code), "pinaccess could not handle this request."
		}
	}
	if msg != "" && code < 500 {
		v.Message = msg
	}
	return v
}
