// Package web is pinaccess's HTTP side: Echo routes, middleware and handlers.
// Handlers parse input, call the domain, build a view model and render.
//
// # Adding a page
//
// Write the handler as a method on a small struct holding only what it
// uses, in a file named for the action (members_list.go), and list the route
// in routes.go. Every route needs a signed-in admin unless its path is in
// publicPath, and every non-GET request must carry the CSRF token; both are
// enforced by middleware, so handlers do not check them.
//
// A handler ends in one of:
//
//	return render(c, http.StatusOK, views.Page{Title: "Members", Section: views.SectionIntegrations}, views.MembersPage(vm))
//	return redirect(c, "/integrations/7")       // 303, or HX-Redirect for htmx
//	return echo.NewHTTPError(http.StatusNotFound) // styled error page
//
// render sends the full layout for a normal request and only the component
// for an htmx request (HX-Request without HX-Boosted). A list page that
// wants htmx to replace just its table checks the target:
//
//	body := views.MembersPage(vm)
//	if hxFrom(c).Target == "members-table" {
//		body = views.MembersTable(vm)
//	}
//	return render(c, http.StatusOK, page, body)
//
// Forms are view-model structs holding what was typed and a
// views.FieldErrors; on bad input re-render them with status 422 (htmx
// swaps 422 too), on success add a flash (addFlash) and redirect
// (post/redirect/get). views.Field, views.RadioGroup and views.CSRFField
// build the form; every form needs @views.CSRFField().
//
// Other helpers: CurrentAdmin(c) is the signed-in admin; urlFor(c, name,
// params...) reverses a named route; AllowFormAction(c, origin) lets a page
// submit a form that ends at another origin (the CSP allows only this
// site and https://www.pinterest.com by default).
//
// Tests boot the real server with internal/webtest (HTTP client with a
// cookie jar, CSRF handling and goquery) and drive Chromium with
// internal/browsertest.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/config"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
	"pinaccess/static"
)

// Deps is what the web server needs from the rest of pinaccess.
type Deps struct {
	Store   *store.Store
	Secrets *secret.Box
	Log     *slog.Logger
	Config  config.Config
	// Sandbox, when not nil, is mounted at /sandbox/ with the prefix
	// stripped, so it sees /oauth/, /v5/… as if it were Pinterest.
	Sandbox http.Handler
	// Now is the clock for sessions and login throttling; time.Now if nil.
	Now func() time.Time
	// Syncs starts and follows syncs (an *importer.Manager); nil means
	// this server runs none and the wizard leaves the first sync pending.
	Syncs Syncs
}

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// New builds the Echo server with every route and middleware.
func New(d Deps) (*echo.Echo, error) {
	if d.Store == nil || d.Secrets == nil {
		return nil, fmt.Errorf("web: Store and Secrets are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hashKey, blockKey, err := sessionKeys(ctx, d.Store, d.Secrets)
	if err != nil {
		return nil, err
	}

	static.URL("app.css") // hash the embedded assets now, not on the first page

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// The client address is the TCP peer: X-Forwarded-For is not trusted,
	// so login throttling per address cannot be dodged with a header.
	e.IPExtractor = echo.ExtractIPDirect()

	sess := newSessionManager(hashKey, blockKey, d.Store, d.Config.SecureCookies(), d.Now, d.Log)
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.Use(
		requestID,
		requestLog(d.Log),
		securityHeaders(d.Config.SecureCookies()),
		recoverPanic(d.Log),
		bodyLimit(MaxBodyBytes),
		gzip(),
		sess.middleware,
		csrfProtect,
		requireLogin,
	)
	routes(e, d, sess)
	return e, nil
}
