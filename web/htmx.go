package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// HX is what htmx says about a request through its HX-* headers.
type HX struct {
	// Request is true for every request htmx makes (HX-Request).
	Request bool
	// Boosted is true for hx-boost navigation, which wants a full page.
	Boosted bool
	// HistoryRestore is true when htmx restores a page missing from its cache.
	HistoryRestore bool
	// Target is the id of the element to be swapped (HX-Target).
	Target string
	// Trigger and TriggerName are the id and name of the element that
	// triggered the request.
	Trigger     string
	TriggerName string
	// CurrentURL is the browser's URL when the request was made.
	CurrentURL string
}

// Fragment reports whether the response should be the bare component
// rather than the full page.
func (h HX) Fragment() bool { return h.Request && !h.Boosted && !h.HistoryRestore }

// parseHX reads the HX-* headers of r.
func parseHX(r *http.Request) HX {
	h := r.Header
	return HX{
		Request:        h.Get("HX-Request") == "true",
		Boosted:        h.Get("HX-Boosted") == "true",
		HistoryRestore: h.Get("HX-History-Restore-Request") == "true",
		Target:         h.Get("HX-Target"),
		Trigger:        h.Get("HX-Trigger"),
		TriggerName:    h.Get("HX-Trigger-Name"),
		CurrentURL:     h.Get("HX-Current-URL"),
	}
}

// hxFrom returns the htmx headers of the request in c.
func hxFrom(c echo.Context) HX { return parseHX(c.Request()) }

// redirect sends the browser to a local path after a POST (or when it must
// sign in): 303 See Other normally, HX-Redirect for an htmx request so htmx
// loads the whole page instead of swapping it into a fragment.
func redirect(c echo.Context, to string) error {
	if hxFrom(c).Fragment() {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// pushURL tells htmx to put u in the browser's address bar and history
// for this response (HX-Push-Url), instead of the URL it requested.
func pushURL(c echo.Context, u string) {
	c.Response().Header().Set("HX-Push-Url", u)
}
