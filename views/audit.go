package views

// SectionAudit is the audit log's navigation entry.
const SectionAudit = "audit"

// AuditEntry is one line of the audit log, ready to show.
type AuditEntry struct {
	At          string // when it started, UTC
	Actor       string // an admin's email, or "command line"
	Action      string // "Export"
	What        string // the kind exported: members, access, …
	Integration string
	// IntegrationHref links to the integration; "" once it is deleted.
	IntegrationHref string
	BusinessID      string
	Filters         string // the list's query string, "" for everything
	Rows            string
	Outcome         string // completed, cancelled, failed, running
	Detail          string // why it failed
}

// AuditLog is GET /audit: the newest entries first, one page of them.
type AuditLog struct {
	Entries []AuditEntry
	Total   int
	Page    int
	Pages   int
	// PrevHref and NextHref page through the log; "" at either end.
	PrevHref string
	NextHref string
}
