package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinaccess/internal/store"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC format", h)
	}
	if strings.Contains(h, "correct horse") {
		t.Fatal("the hash contains the password")
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("the right password does not match")
	}
	for _, wrong := range []string{"correct horse batter", "Correct horse battery", ""} {
		if CheckPassword(h, wrong) {
			t.Fatalf("%q matches", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA", "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA", "$argon2id$v=19$m=19456,t=2,p=1$!!$AAAA"} {
		if CheckPassword(bad, "") || CheckPassword(bad, "x") {
			t.Fatalf("malformed hash %q matched", bad)
		}
	}
}

func TestEmailAndPasswordRules(t *testing.T) {
	emails := map[string]string{
		" Ada@Example.COM ":        "ada@example.com",
		"ops+pinterest@corp.co.uk": "ops+pinterest@corp.co.uk",
	}
	for in, want := range emails {
		if got, msg := ValidateEmail(in); msg != "" || got != want {
			t.Errorf("ValidateEmail(%q) = %q, %q; want %q", in, got, msg, want)
		}
	}
	for _, bad := range []string{"", "ada", "ada@", "@example.com", "ada@example", "Ada <ada@example.com>", "ada@example.com.", "a b@example.com", strings.Repeat("a", 250) + "@example.com"} {
		if _, msg := ValidateEmail(bad); msg == "" {
			t.Errorf("ValidateEmail(%q) accepted", bad)
		}
	}
	for pw, ok := range map[string]bool{
		"123456789012":           true,
		"ünïcödé-pässwörd":       true,
		"12345678901":            false,
		"            ":           false,
		strings.Repeat("x", 257): false,
		"\xff\xfe invalid utf8":  false,
	} {
		if msg := ValidatePassword(pw); (msg == "") != ok {
			t.Errorf("ValidatePassword(%q) = %q; want ok=%v", pw, msg, ok)
		}
	}
}

func TestThrottleLimitsFailuresPerEmailAndPerAddress(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	for range 5 {
		if ok, _ := th.Allow("ada@example.com", "10.0.0.1"); !ok {
			t.Fatal("refused before the limit")
		}
		th.Fail("Ada@example.com", "10.0.0.1")
		now = now.Add(time.Minute)
	}
	ok, wait := th.Allow("ADA@example.com ", "10.0.0.2")
	if ok || wait != 10*time.Minute {
		t.Fatalf("after 5 failures: ok=%v wait=%v; want refused for 10m (the first failure, 5m ago, leaves the 15m window)", ok, wait)
	}
	if ok, _ := th.Allow("bob@example.com", "10.0.0.3"); !ok {
		t.Fatal("another email from another address is refused")
	}
	now = now.Add(10 * time.Minute)
	if ok, _ := th.Allow("ada@example.com", "10.0.0.2"); !ok {
		t.Fatal("still refused after the window")
	}

	// One address guessing many emails is stopped at 20.
	for i := range 20 {
		th.Fail(string(rune('a'+i))+"@example.com", "10.9.9.9")
	}
	if ok, _ := th.Allow("new@example.com", "10.9.9.9"); ok {
		t.Fatal("an address with 20 failures may still try")
	}
	// A success clears the email's count, not the address's.
	th.Succeed("a@example.com")
	if ok, _ := th.Allow("a@example.com", "10.0.0.4"); !ok {
		t.Fatal("the email is refused after a success")
	}
	if ok, _ := th.Allow("a@example.com", "10.9.9.9"); ok {
		t.Fatal("a success reset the address's failures")
	}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAdminsCreateAuthenticateAndRefuseDuplicates(t *testing.T) {
	ctx := context.Background()
	a := NewAdmins(openStore(t), nil)
	created, err := a.Create(ctx, " Ada@Example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if created.Email != "ada@example.com" {
		t.Fatalf("email stored as %q", created.Email)
	}
	var fe FieldErrors
	if _, err := a.Create(ctx, "ADA@example.com", "another long password"); !errors.As(err, &fe) || !strings.Contains(fe["email"], "already exists") {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := a.Create(ctx, "bob", "short"); !errors.As(err, &fe) || fe["email"] == "" || fe["password"] == "" {
		t.Fatalf("bad input: %v; want errors on both fields", err)
	}
	got, err := a.Authenticate(ctx, "ada@EXAMPLE.com", "correct horse battery")
	if err != nil || got.ID != created.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	for _, c := range [][2]string{{"ada@example.com", "wrong horse battery"}, {"nobody@example.com", "correct horse battery"}} {
		if _, err := a.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("Authenticate(%s) = %v, want ErrBadCredentials", c[0], err)
		}
	}
}

func TestSetupTokenIsSingleUseAndExpires(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st.SetClock(clock)
	a := NewAdmins(st, clock)

	old, err := a.IssueSetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.IssueSetupToken(ctx) // a restart logs a new link; the old one stops working
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CheckSetupToken(ctx, old); !errors.Is(err, ErrSetupToken) {
		t.Fatalf("the replaced token: %v", err)
	}
	if _, err := a.CompleteSetup(ctx, tok, "ada@example.com", "short"); !errors.As(err, new(FieldErrors)) {
		t.Fatalf("bad password: %v", err)
	}
	if err := a.CheckSetupToken(ctx, tok); err != nil {
		t.Fatalf("the token was used up by refused input: %v", err)
	}
	if _, err := a.CompleteSetup(ctx, tok, "ada@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CompleteSetup(ctx, tok, "eve@example.com", "correct horse battery"); !errors.Is(err, ErrSetupDone) {
		t.Fatalf("second use: %v, want ErrSetupDone", err)
	}

	// Expiry, on a fresh database.
	st2 := openStore(t)
	st2.SetClock(clock)
	b := NewAdmins(st2, clock)
	tok2, _ := b.IssueSetupToken(ctx)
	now = now.Add(SetupTokenTTL + time.Second)
	if _, err := b.CompleteSetup(ctx, tok2, "ada@example.com", "correct horse battery"); !errors.Is(err, ErrSetupToken) {
		t.Fatalf("expired token: %v, want ErrSetupToken", err)
	}
	if need, _ := b.NeedsSetup(ctx); !need {
		t.Fatal("an expired token created an admin")
	}
}

func TestEnsureCreatesOnceAndKeepsTheExistingPassword(t *testing.T) {
	ctx := context.Background()
	a := NewAdmins(openStore(t), nil)
	if created, err := a.Ensure(ctx, "ops@example.com", "first password!"); err != nil || !created {
		t.Fatalf("first Ensure = %v, %v", created, err)
	}
	if created, err := a.Ensure(ctx, "OPS@example.com", "second password!"); err != nil || created {
		t.Fatalf("second Ensure = %v, %v", created, err)
	}
	if _, err := a.Authenticate(ctx, "ops@example.com", "first password!"); err != nil {
		t.Fatalf("the existing password was replaced: %v", err)
	}
}
