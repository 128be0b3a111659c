package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAuditEntriesRecordExportsAndOutliveTheirIntegration(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	admin, err := s.CreateAdmin(ctx, "ada@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	integ := newIntegration(t, s, 0, 3)

	first, err := s.StartAudit(ctx, AuditEntry{Actor: admin.Email, AdminID: admin.ID, Action: AuditExport,
		IntegrationID: integ, IntegrationName: "Acme", BusinessID: "482344901002451200", Kind: "access", Filters: "q=ann"})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Second)
	if err := s.FinishAudit(ctx, first, 1234, AuditCompleted, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishAudit(ctx, first, 1, AuditFailed, "again"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finishing a finished entry: %v, want ErrNotFound", err)
	}
	second, err := s.StartAudit(ctx, AuditEntry{Actor: AuditActorCLI, Action: AuditExport, IntegrationID: integ, Kind: "members"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishAudit(ctx, second, 7, "exploded", ""); err == nil {
		t.Fatal("an unknown outcome was accepted")
	}

	e, err := s.AuditEntry(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	want := AuditEntry{ID: first, At: now.Add(-3 * time.Second), FinishedAt: now, Actor: "ada@example.com", AdminID: admin.ID,
		Action: AuditExport, IntegrationID: integ, IntegrationName: "Acme", BusinessID: "482344901002451200",
		Kind: "access", Filters: "q=ann", Rows: 1234, Outcome: AuditCompleted}
	if e != want {
		t.Fatalf("entry:\n got %+v\nwant %+v", e, want)
	}

	page, err := s.AuditEntries(ctx, AuditQuery{IntegrationID: integ})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Rows) != 2 || page.Rows[0].ID != second || page.Rows[0].Outcome != AuditRunning {
		t.Fatalf("entries of the integration, newest first: %+v", page)
	}
	if other, _ := s.AuditEntries(ctx, AuditQuery{IntegrationID: integ + 100}); other.Total != 0 {
		t.Fatalf("another integration's log holds %d entries", other.Total)
	}

	if err := s.DeleteIntegration(ctx, integ); err != nil {
		t.Fatal(err)
	}
	all, err := s.AuditEntries(ctx, AuditQuery{PerPage: 1, Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 2 || len(all.Rows) != 1 || all.Rows[0].ID != first {
		t.Fatalf("second page of one after deleting the integration: %+v", all)
	}
	if got := all.Rows[0]; got.IntegrationID != 0 || got.IntegrationName != "Acme" || got.Actor != "ada@example.com" {
		t.Fatalf("entry after deleting its integration: %+v", got)
	}
}
