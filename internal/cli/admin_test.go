package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinaccess/internal/auth"
	"pinaccess/internal/store"
)

func runAdminCreateCmd(t *testing.T, db, email, stdin string, extra ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"admin", "create", "--db", db, "--email", email}, extra...)
	err := Run(context.Background(), args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return out.String() + errOut.String(), err
}

func admins(t *testing.T, db string) int {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountAdmins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAdminCreateReadsThePasswordFromStdin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "pinaccess.db")
	out, err := runAdminCreateCmd(t, db, "Ada@Example.com", "a password from stdin\n", "--password-stdin")
	if err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "created admin ada@example.com") {
		t.Fatalf("output %q", out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.AdminByEmail(context.Background(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(a.PasswordHash, "a password from stdin") {
		t.Fatal("the stored hash does not match the password given on stdin (newline not stripped?)")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "pinaccess.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("admin create made a key file: %v", err)
	}
}

func TestAdminCreateRefusesBadInputAndChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pinaccess.db")
	if _, err := runAdminCreateCmd(t, db, "ada@example.com", "a password from stdin\n", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, email, stdin string
		extra              []string
		want               string
	}{
		{"duplicate admin", "ADA@example.com", "another long password\n", []string{"--password-stdin"}, "already exists"},
		{"short password", "bob@example.com", "short\n", []string{"--password-stdin"}, "at least 12 characters"},
		{"malformed email", "bob-at-example", "another long password\n", []string{"--password-stdin"}, "like name@example.com"},
		{"empty stdin", "bob@example.com", "", []string{"--password-stdin"}, "no password on standard input"},
		{"without --password-stdin", "bob@example.com", "another long password\n", nil, "Usage: pinaccess admin create"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runAdminCreateCmd(t, db, tc.email, tc.stdin, tc.extra...)
			if err == nil {
				t.Fatalf("admin create succeeded:\n%s", out)
			}
			if !strings.Contains(err.Error()+out, tc.want) {
				t.Fatalf("error %q, output %q; want %q", err, out, tc.want)
			}
			if n := admins(t, db); n != 1 {
				t.Fatalf("admins = %d, want 1", n)
			}
		})
	}
}

func TestAdminCreateRefusesAFileThatIsNotSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "notes.txt")
	want := []byte("my notes, not a database\n")
	if err := os.WriteFile(db, want, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := runAdminCreateCmd(t, db, "ada@example.com", "a password from stdin\n", "--password-stdin")
	if !errors.Is(err, store.ErrNotSQLite) || !strings.Contains(err.Error(), "not an SQLite database") {
		t.Fatalf("admin create on a text file: %v", err)
	}
	if got, _ := os.ReadFile(db); !bytes.Equal(got, want) {
		t.Fatal("the text file was changed")
	}
}
