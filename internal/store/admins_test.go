package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCreateAdminRefusesADuplicateEmailInAnyCase(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	a, err := s.CreateAdmin(ctx, "ada@example.com", "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAdmin(ctx, "ADA@example.com", "hash-2"); !errors.Is(err, ErrAdminExists) {
		t.Fatalf("duplicate: %v, want ErrAdminExists", err)
	}
	got, err := s.AdminByEmail(ctx, "Ada@Example.com")
	if err != nil || got.ID != a.ID || got.PasswordHash != "hash-1" {
		t.Fatalf("AdminByEmail = %+v, %v", got, err)
	}
	if _, err := s.AdminByEmail(ctx, "bob@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing admin: %v, want ErrNotFound", err)
	}
	if n, _ := s.CountAdmins(ctx); n != 1 {
		t.Fatalf("admins = %d", n)
	}
}

func TestCreateFirstAdminUsesTheTokenAtomically(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	if err := s.ReplaceSetupToken(ctx, "h1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFirstAdmin(ctx, "unknown", "ada@example.com", "x"); !errors.Is(err, ErrSetupTokenInvalid) {
		t.Fatalf("unknown token: %v", err)
	}
	if n, _ := s.CountAdmins(ctx); n != 0 {
		t.Fatal("an unknown token created an admin")
	}
	if _, err := s.CreateFirstAdmin(ctx, "h1", "ada@example.com", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSetupToken(ctx, "h1"); !errors.Is(err, ErrSetupTokenInvalid) {
		t.Fatalf("used token still valid: %v", err)
	}
	// With an admin present, even a fresh token creates nothing, and is not
	// used up by trying.
	if err := s.ReplaceSetupToken(ctx, "h2", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFirstAdmin(ctx, "h2", "eve@example.com", "x"); !errors.Is(err, ErrSetupClosed) {
		t.Fatalf("second first admin: %v, want ErrSetupClosed", err)
	}
	if err := s.CheckSetupToken(ctx, "h2"); err != nil {
		t.Fatalf("a refused setup used up the token: %v", err)
	}
	if n, _ := s.CountAdmins(ctx); n != 1 {
		t.Fatalf("admins = %d, want 1", n)
	}
	now = now.Add(2 * time.Hour)
	if err := s.CheckSetupToken(ctx, "h2"); !errors.Is(err, ErrSetupTokenInvalid) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestSessionsRoundTripAndExpire(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	a, err := s.CreateAdmin(ctx, "ada@example.com", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLogin(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AdminByEmail(ctx, "ada@example.com"); !got.LastLoginAt.Equal(now) {
		t.Fatalf("LastLoginAt = %v, want %v", got.LastLoginAt, now)
	}
	for _, id := range []string{"s1", "s2"} {
		if err := s.CreateSession(ctx, id, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Hour)
	if err := s.TouchSession(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, "s2")
	if err != nil || got.AdminID != a.ID || got.Email != "ada@example.com" || !got.LastSeenAt.Equal(now) || !got.CreatedAt.Equal(now.Add(-time.Hour)) {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	n, err := s.DeleteExpiredSessions(ctx, now.Add(-30*time.Minute), now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want the idle s1 removed", n, err)
	}
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("s1: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "s2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("s2 after delete: %v", err)
	}
	if err := s.DeleteSession(ctx, "s2"); err != nil {
		t.Fatalf("deleting a gone session: %v", err)
	}
}
