package views

import (
	"strconv"

	"github.com/a-h/templ"
)

// Action is a button or link on a page. A Method of "post" makes it a
// button in a small form carrying the CSRF token.
type Action struct {
	Label  string
	Href   string
	Method string // "get" or "post"
	TestID string
	// Danger styles it as destructive.
	Danger bool
	// Primary styles it as the page's main action.
	Primary bool
}

// IntegrationStatus is the status card of an integration's page.
type IntegrationStatus struct {
	// Status is the stored status (draft, connected, ...); StatusLabel
	// says it in words and StatusHint what to do about it.
	Status         string
	StatusLabel    string
	StatusHint     string
	Environment    string
	BusinessID     string
	ServiceAccount string
	ConnectedBy    string
	ConnectedAt    string
	// Sync is the sync line: "sync pending", running, or the last run.
	Sync    SyncLine
	Actions []Action
}

// SyncLine describes the latest sync in one line, with a link to it.
type SyncLine struct {
	// State is pending, running, or a run status (succeeded, failed, ...).
	State string
	Text  string
	Href  string
}

// IntegrationPage is /integrations/{id}: a header, the status card, and
// the sections under it (a running sync's progress); the inventory's
// overview follows them (IntegrationOverviewPage).
type IntegrationPage struct {
	ID       int64
	Name     string
	Status   IntegrationStatus
	Sections []templ.Component
}

// IntegrationDelete is the confirmation page before deleting.
type IntegrationDelete struct {
	Name       string
	BusinessID string
	Runs       int
	Action     string
	CancelHref string
	// Running blocks deletion until the sync ends.
	Running bool
}

func actionClass(a Action) string {
	switch {
	case a.Danger:
		return "inline-block rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50"
	case a.Primary:
		return "inline-block rounded-md bg-gray-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-gray-700"
	}
	return "inline-block rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-700 hover:bg-gray-50"
}

func statusClass(status string) string {
	switch status {
	case "connected":
		return "bg-green-100 text-green-800"
	case "needs_reconnect":
		return "bg-yellow-100 text-yellow-900"
	case "disconnected":
		return "bg-gray-200 text-gray-800"
	}
	return "bg-blue-100 text-blue-800"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func pluralRuns(n int) string {
	if n == 1 {
		return "1 sync run"
	}
	return strconv.Itoa(n) + " sync runs"
}
