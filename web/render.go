package web

import (
	"bytes"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"pinaccess/static"
	"pinaccess/views"
)

// render writes body with the given status: wrapped in the layout for a
// normal request, bare for an htmx request (plus any flash messages as an
// out-of-band swap). It is the only way handlers produce HTML. The page is
// rendered into a buffer first, so a failing component becomes a clean 500
// page instead of half a page.
func render(c echo.Context, status int, page views.Page, body templ.Component) error {
	hx := hxFrom(c)
	sh := shellFor(c, page)
	comp := body
	if hx.Fragment() {
		if len(sh.Flashes) > 0 {
			comp = templ.Join(body, views.Flashes(sh.Flashes, true))
		}
	} else {
		comp = views.Layout(body)
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := comp.Render(views.WithShell(c.Request().Context(), sh), buf); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	// The response copies or sends the bytes before HTMLBlob returns, so
	// the buffer can serve the next page.
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers are the buffers pages render into, kept between requests:
// a list page is 60 to 100 kB of HTML, and growing a new buffer to that
// size for every page was half of what a request allocated.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse: a rare huge page
// does not pin its memory.
const maxPooledBuffer = 1 << 20

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// shellFor gathers what the layout shows around page for this request,
// taking the pending flash messages.
func shellFor(c echo.Context, page views.Page) views.Shell {
	sh := views.Shell{
		Page:          page,
		StylesheetURL: static.URL("app.css"),
		ScriptURL:     static.URL("htmx.min.js"),
	}
	if s := sessionOf(c); s != nil {
		sh.CSRF = s.csrf
		sh.Flashes = takeFlashes(c)
	}
	if a, ok := CurrentAdmin(c); ok {
		sh.AdminEmail = a.Email
		sh.Nav = []views.NavItem{
			{Label: "Dashboard", Href: pathDashboard, Active: page.Section == views.SectionDashboard, TestID: "nav-dashboard"},
			{Label: "Add integration", Href: pathIntegrationNew, Active: page.Section == views.SectionIntegrations, TestID: "nav-integrations"},
			{Label: "Audit log", Href: pathAudit, Active: page.Section == views.SectionAudit, TestID: "nav-audit"},
		}
	}
	return sh
}
