package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinaccess/static"
)

// serveStatic serves an embedded asset by its content-hashed name. The name
// changes whenever the content does, so browsers may keep it for a year.
func serveStatic(c echo.Context) error {
	a, ok := static.Lookup(c.Param("name"))
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.ContentType, a.Content)
}
