package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// publicPath reports whether a path may be used without signing in. Every
// other path, including ones no route matches, needs a signed-in admin: a
// new route is protected unless it is added here.
func publicPath(p string) bool {
	switch p {
	case "/healthz", pathLogin, pathSetup, "/sandbox":
		return true
	}
	return strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/sandbox/")
}

// requireLogin sends a signed-out visitor to the sign-in page, remembering
// where they were going.
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if publicPath(r.URL.Path) {
			return next(c)
		}
		if _, ok := CurrentAdmin(c); ok {
			return next(c)
		}
		to := pathLogin
		if r.Method == http.MethodGet && r.URL.Path != pathDashboard {
			to += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		return redirect(c, to)
	}
}

// localPath returns next if it is a path on this site, or "" — so that the
// sign-in page can never send anyone to another site.
func localPath(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}
