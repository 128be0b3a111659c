package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"

	"pinaccess/internal/store"
)

// AuditLog is where exports are recorded.
type AuditLog interface {
	StartAudit(ctx context.Context, e store.AuditEntry) (int64, error)
	FinishAudit(ctx context.Context, id, rows int64, outcome, detail string) error
}

// Request is one export and who asks for it.
type Request struct {
	IntegrationID   int64
	IntegrationName string
	BusinessID      string
	Kind            string
	// Query is the kind's store query (see Write); nil exports every row.
	Query any
	// Filters is what the audit log shows of the query: Filters(values)
	// of the list's query string, "" for everything.
	Filters string
	// Actor is the admin's email, or store.AuditActorCLI; AdminID the
	// admin's id (0 on the command line).
	Actor   string
	AdminID int64
}

// Audited writes an export as Write does, recording it in the audit log:
// an entry before the first byte leaves (no entry, no export), completed
// with the rows written and the outcome when it ends, even when ctx was
// cancelled.
func Audited(ctx context.Context, w io.Writer, src Source, log AuditLog, req Request) (int64, error) {
	if _, ok := tables[req.Kind]; !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownKind, req.Kind)
	}
	// The entry is written even if the client has already gone: an
	// attempted export is on the record too.
	id, err := log.StartAudit(context.WithoutCancel(ctx), store.AuditEntry{
		Actor: req.Actor, AdminID: req.AdminID, Action: store.AuditExport,
		IntegrationID: req.IntegrationID, IntegrationName: req.IntegrationName, BusinessID: req.BusinessID,
		Kind: req.Kind, Filters: req.Filters,
	})
	if err != nil {
		return 0, fmt.Errorf("export: record in the audit log: %w", err)
	}
	rows, werr := Write(ctx, w, src, req.Kind, req.IntegrationID, req.Query)
	outcome, detail := store.AuditCompleted, ""
	switch {
	case werr == nil:
	case ctx.Err() != nil || errors.Is(werr, context.Canceled):
		outcome = store.AuditCancelled
	default:
		outcome, detail = store.AuditFailed, werr.Error()
	}
	// The entry is completed even when the request's context is gone.
	if err := log.FinishAudit(context.WithoutCancel(ctx), id, rows, outcome, detail); err != nil {
		return rows, errors.Join(werr, fmt.Errorf("export: complete the audit entry: %w", err))
	}
	return rows, werr
}

// notFilters are query parameters that change what a list page shows, not
// which rows it holds.
var notFilters = []string{"page", "per_page", "_csrf"}

// Filters turns a list's query string into what the audit log records:
// parameters sorted by name, empty values and paging dropped.
func Filters(v url.Values) string {
	out := url.Values{}
	for k, vs := range v {
		if slices.Contains(notFilters, k) {
			continue
		}
		for _, s := range vs {
			if s != "" {
				out.Add(k, s)
			}
		}
	}
	return out.Encode()
}
