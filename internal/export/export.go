// Package export writes pinaccess's inventory lists as CSV files: the same
// rows, filters and order as the list pages, streamed from the database to
// any io.Writer (an HTTP response or a file), and recorded in the audit log.
//
// The format is RFC 4180: UTF-8 without a byte order mark, a header row,
// CRLF line ends, cells quoted only when they hold a quote, comma or line
// break. Column orders are fixed per kind (Columns) and documented in
// docs/exports.md; a change to them is a change to that document.
package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"pinaccess/internal/store"
)

// The kinds of export.
const (
	Members  = "members"
	Partners = "partners"
	Assets   = "assets"
	Access   = "access"
	Roles    = "roles"
	Pixels   = "pixels"
	Invites  = "invites"
	Changes  = "changes"
)

// ErrUnknownKind is returned for a kind that is not one of Kinds().
var ErrUnknownKind = errors.New("export: unknown kind")

// Source is where exports read their rows: the store's streaming list
// queries, which share each list page's filters and order.
type Source interface {
	EachMember(ctx context.Context, integrationID int64, q store.MemberQuery, fn func(store.MemberRow) error) error
	EachPartner(ctx context.Context, integrationID int64, q store.PartnerQuery, fn func(store.PartnerRow) error) error
	EachAsset(ctx context.Context, integrationID int64, q store.AssetQuery, fn func(store.AssetRow) error) error
	EachAccess(ctx context.Context, integrationID int64, q store.AccessQuery, fn func(store.AccessRow) error) error
	EachRole(ctx context.Context, integrationID int64, q store.RoleQuery, fn func(store.RoleRow) error) error
	EachPixel(ctx context.Context, integrationID int64, q store.PixelQuery, fn func(store.PixelRow) error) error
	EachInvite(ctx context.Context, integrationID int64, q store.InviteQuery, fn func(store.InviteRow) error) error
	EachChange(ctx context.Context, integrationID int64, q store.ChangeQuery, fn func(store.ChangeRow) error) error
}

// table is one kind of export: its columns and how its rows are read and
// written.
type table struct {
	columns []string
	rows    func(ctx context.Context, src Source, integrationID int64, q any, s *stream) error
}

// rowsOf adapts a store streaming function and a row writer to a table.
// The query must be the kind's query type (store.MemberQuery for members,
// …); nil means the list's default: every row in the default order.
func rowsOf[Q, R any](each func(Source, context.Context, int64, Q, func(R) error) error, cells func(*record, R)) func(context.Context, Source, int64, any, *stream) error {
	return func(ctx context.Context, src Source, integrationID int64, q any, s *stream) error {
		var query Q
		if q != nil {
			var ok bool
			if query, ok = q.(Q); !ok {
				return fmt.Errorf("export: a %T query cannot select %T rows", q, *new(R))
			}
		}
		return each(src, ctx, integrationID, query, func(r R) error {
			s.rec.reset()
			cells(&s.rec, r)
			return s.emit()
		})
	}
}

var tables = map[string]table{
	Members: {
		columns: []string{"id", "username", "email", "business_roles", "is_system_user", "created_time", "created_by", "assets"},
		rows: rowsOf(Source.EachMember, func(r *record, m store.MemberRow) {
			r.id(m.ID)
			r.text(m.Username)
			r.text(m.Email)
			r.list(m.BusinessRoles)
			r.boolean(m.IsSystemUser)
			r.when(m.CreatedTime)
			r.id(m.CreatedBy)
			r.integer(int64(m.Assets))
		}),
	},
	Partners: {
		columns: []string{"id", "username", "email", "partner_type", "is_shared_partner", "created_time", "created_by", "assets"},
		rows: rowsOf(Source.EachPartner, func(r *record, p store.PartnerRow) {
			r.id(p.ID)
			r.text(p.Username)
			r.text(p.Email)
			r.text(p.PartnerType)
			r.boolean(p.IsSharedPartner)
			r.when(p.CreatedTime)
			r.id(p.CreatedBy)
			r.integer(int64(p.Assets))
		}),
	},
	Assets: {
		columns: []string{"id", "asset_type", "name", "owner_id", "owner_name", "owned", "currency", "country",
			"catalog_type", "asset_group_types", "created_time", "updated_time", "principals", "pixels"},
		rows: rowsOf(Source.EachAsset, func(r *record, a store.AssetRow) {
			r.id(a.ID)
			r.text(a.Type)
			r.text(a.Name)
			r.id(a.OwnerID)
			r.text(a.OwnerName)
			r.boolean(a.Owned)
			r.text(a.Currency)
			r.text(a.Country)
			r.text(a.CatalogType)
			r.list(a.GroupTypes)
			r.when(a.CreatedTime)
			r.when(a.UpdatedTime)
			r.integer(int64(a.Principals))
			r.integer(int64(a.Pixels))
		}),
	},
	Access: {
		columns: []string{"principal_type", "principal_id", "username", "email", "business_roles", "partner_type",
			"asset_type", "asset_id", "asset_name", "asset_owned", "permission"},
		rows: rowsOf(Source.EachAccess, func(r *record, a store.AccessRow) {
			r.text(a.PrincipalType)
			r.id(a.PrincipalID)
			r.text(a.Username)
			r.text(a.Email)
			r.list(a.BusinessRoles)
			r.text(a.PartnerType)
			r.text(a.AssetType)
			r.id(a.AssetID)
			r.text(a.AssetName)
			r.boolean(a.AssetOwned)
			r.text(a.Permission)
		}),
	},
	Roles: {
		columns: []string{"kind", "name", "description", "holders", "grants"},
		rows: rowsOf(Source.EachRole, func(r *record, x store.RoleRow) {
			r.text(x.Kind)
			r.text(x.Name)
			r.text(x.Description)
			r.integer(int64(x.Holders))
			r.integer(int64(x.Grants))
		}),
	},
	Pixels: {
		columns: []string{"id", "name", "status", "version", "last_fired_time", "enhanced_match_status", "aem_enabled",
			"ad_account_id", "ad_account_name"},
		rows: rowsOf(Source.EachPixel, func(r *record, x store.PixelRow) {
			r.id(x.ID)
			r.text(x.Name)
			r.text(x.Status)
			r.text(x.Version)
			r.when(x.LastFired)
			r.text(x.EnhancedMatchStatus)
			r.boolean(x.AEMEnabled)
			r.id(x.AdAccountID)
			r.text(x.AdAccountName)
		}),
	},
	Invites: {
		columns: []string{"id", "invite_type", "invite_status", "user_id", "username", "email", "business_roles",
			"is_received", "created_by", "sent_at", "expiration", "assets"},
		rows: rowsOf(Source.EachInvite, func(r *record, x store.InviteRow) {
			r.id(x.ID)
			r.text(x.Type)
			r.text(x.Status)
			r.id(x.UserID)
			r.text(x.Username)
			r.text(x.Email)
			r.list(x.BusinessRoles)
			r.boolean(x.IsReceived)
			r.id(x.CreatedBy)
			r.when(x.SentAt)
			r.when(x.Expiration)
			r.integer(int64(x.Assets))
		}),
	},
	Changes: {
		columns: []string{"run_id", "run_finished_at", "kind", "subject_type", "subject_id", "subject_name",
			"asset_id", "asset_name", "asset_type", "before", "after"},
		rows: rowsOf(Source.EachChange, func(r *record, x store.ChangeRow) {
			r.integer(x.RunID)
			r.when(x.RunFinishedAt)
			r.text(x.Kind)
			r.text(x.SubjectType)
			r.id(x.SubjectID)
			r.text(x.SubjectName)
			r.id(x.AssetID)
			r.text(x.AssetName)
			r.text(x.AssetType)
			r.list(splitComma(x.Before))
			r.list(splitComma(x.After))
		}),
	},
}

// splitComma splits the comma-separated roles or permissions a change
// records, so they are written like every other list (joined with ";").
func splitComma(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// kindOrder is the order Kinds lists them in, as the docs do.
var kindOrder = []string{Members, Partners, Assets, Access, Roles, Pixels, Invites, Changes}

// Kinds lists the kinds of export.
func Kinds() []string { return append([]string(nil), kindOrder...) }

// Columns returns a kind's header row, in order; ok is false for an
// unknown kind.
func Columns(kind string) (cols []string, ok bool) {
	t, ok := tables[kind]
	return append([]string(nil), t.columns...), ok
}

// Write writes the CSV of one kind of an integration's current snapshot to
// w: the header row, then every row matching q in the list's order. q is
// the kind's store query (store.MemberQuery, store.AccessQuery, …) or nil
// for every row; its page is ignored. It returns how many data rows were
// written.
//
// Rows are streamed: the header leaves at once, then the rows in chunks of
// at most 64 KiB or every flushEvery, whichever comes first. If w has a
// Flush method (an http.ResponseWriter), it is called after every chunk so
// the bytes reach the client. Write stops, returning ctx's error, when ctx
// is cancelled (a client that went away), and with the write error when w
// fails.
//
// The chunks are written to w by a goroutine of Write's, beside the
// reading of the next rows; Write returns only after its last write to w.
func Write(ctx context.Context, w io.Writer, src Source, kind string, integrationID int64, q any) (n int64, err error) {
	t, ok := tables[kind]
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	s := newStream(ctx, w)
	defer func() {
		if cerr := s.close(); err == nil {
			err = cerr
		}
	}()
	s.rec.header(t.columns)
	if err := s.write(); err != nil {
		return 0, err
	}
	if err := s.flush(); err != nil {
		return 0, err
	}
	if err := t.rows(ctx, src, integrationID, q, s); err != nil {
		return s.rows, err
	}
	if err := s.flush(); err != nil {
		return s.rows, err
	}
	return s.rows, ctx.Err()
}

// FileName is the name an export is offered under:
// pinaccess-<business id>-<kind>-<YYYYMMDDTHHMMSSZ>.csv, the time in UTC.
// Anything but letters and digits in the business ID or kind is dropped,
// so the name is always safe in a header and on any file system.
func FileName(businessID, kind string, at time.Time) string {
	b := safeName(businessID)
	if b == "" {
		b = "unknown"
	}
	return "pinaccess-" + b + "-" + safeName(kind) + "-" + at.UTC().Format("20060102T150405Z") + ".csv"
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
}

// flushEvery is the longest rows wait in the buffer: a slow, filtered
// export still shows progress.
const flushEvery = 250 * time.Millisecond

// bufSize is the chunk rows are sent in.
const bufSize = 64 << 10

// stream writes records through a buffer, flushing it (and the HTTP
// response under it) in chunks, which a chunkWriter writes beside the
// formatting of the next ones.
type stream struct {
	ctx       context.Context
	out       *bufio.Writer
	chunks    *chunkWriter
	rec       record
	rows      int64
	lastFlush time.Time
}

func newStream(ctx context.Context, w io.Writer) *stream {
	if f, ok := w.(http.Flusher); ok {
		w = flushWriter{w: w, f: f}
	}
	c := newChunkWriter(ctx, w)
	return &stream{ctx: ctx, out: bufio.NewWriterSize(c, bufSize), chunks: c, rec: record{buf: make([]byte, 0, 1024)}, lastFlush: time.Now()}
}

// close waits for the chunks flushed to be written: after it, nothing
// writes to the destination.
func (s *stream) close() error {
	if err := s.chunks.Close(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// emit writes the current record as a data row.
func (s *stream) emit() error {
	s.rec.end()
	if err := s.write(); err != nil {
		return err
	}
	s.rows++
	if s.rows&255 == 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if time.Since(s.lastFlush) >= flushEvery {
			return s.flush()
		}
	}
	return nil
}

func (s *stream) write() error {
	if _, err := s.out.Write(s.rec.buf); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (s *stream) flush() error {
	s.lastFlush = time.Now()
	if err := s.out.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// flushWriter flushes an HTTP response after every write, so each chunk
// the buffer hands over leaves at once.
type flushWriter struct {
	w io.Writer
	f http.Flusher
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		f.f.Flush()
	}
	return n, err
}
