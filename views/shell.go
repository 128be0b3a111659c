// Package views holds pinaccess's templ components. Components take small
// view-model structs and never do I/O; only web handlers render them.
//
// Every page is a component rendered through the web package's render
// helper, which wraps it in Layout for a normal request and sends it bare
// for an htmx request. Cross-cutting values the layout needs (the current
// admin, the CSRF token, flash messages, the page title) travel in the
// context as a Shell; components read them with ShellFrom or CSRFToken
// instead of taking them as parameters.
package views

import "context"

// FlashKind is the kind of a flash message; it decides its colour and icon.
type FlashKind string

// The flash kinds.
const (
	FlashSuccess FlashKind = "success"
	FlashInfo    FlashKind = "info"
	FlashError   FlashKind = "error"
)

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    FlashKind
	Message string
}

// NavItem is one link of the main navigation.
type NavItem struct {
	Label  string
	Href   string
	Active bool
	TestID string
}

// Page is what a handler says about the page around its content.
type Page struct {
	// Title goes into <title> (followed by " · pinaccess") and nowhere else;
	// components show their own headings.
	Title string
	// Section names the navigation entry to highlight: one of the Section*
	// constants, or "" for none.
	Section string
}

// Sections of the main navigation.
const (
	SectionDashboard    = "dashboard"
	SectionIntegrations = "integrations"
)

// Shell is the request-wide data the layout shows around a page.
type Shell struct {
	Page
	// AdminEmail is the signed-in admin, "" when nobody is signed in.
	AdminEmail string
	// CSRF is the token every form and htmx request must send back.
	CSRF string
	// Flashes are shown once, above the content.
	Flashes []Flash
	// Nav is the main navigation, empty when nobody is signed in.
	Nav []NavItem
	// StylesheetURL and ScriptURL are the content-hashed asset URLs.
	StylesheetURL string
	ScriptURL     string
}

type shellKey struct{}

// WithShell returns ctx carrying s for the components rendered with it.
func WithShell(ctx context.Context, s Shell) context.Context {
	return context.WithValue(ctx, shellKey{}, s)
}

// ShellFrom returns the Shell in ctx (a zero Shell if there is none, as in
// component tests).
func ShellFrom(ctx context.Context) Shell {
	s, _ := ctx.Value(shellKey{}).(Shell)
	return s
}

// CSRFToken returns the CSRF token for forms rendered with ctx.
func CSRFToken(ctx context.Context) string { return ShellFrom(ctx).CSRF }

// FieldErrors maps form field names to the message shown beside them; the
// key "" holds a message about the whole form.
type FieldErrors map[string]string

// Has reports whether field has an error.
func (fe FieldErrors) Has(field string) bool { return fe[field] != "" }
