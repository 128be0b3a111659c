package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/store"
)

// logWatch is the serve command's stderr: it keeps the log and reports the
// listening address as soon as it is logged.
type logWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

var listeningRE = regexp.MustCompile(`msg="pinaccess is listening".* addr=(\S+)`)

func newLogWatch() *logWatch { return &logWatch{addr: make(chan string, 1)} }

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := listeningRE.FindSubmatch(w.buf.Bytes()); m != nil && !w.sent {
		w.sent = true
		w.addr <- string(m[1])
	}
	return len(p), nil
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startServe runs `pinaccess serve` in-process on a free port and returns
// its base URL once /healthz could be asked, and a func that stops it and
// returns the command's error.
func startServe(tb testing.TB, dir string, extra ...string) (base string, logs *logWatch, stop func() error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = newLogWatch()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "data", "pinaccess.db")}, extra...)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, Stdio{In: strings.NewReader(""), Out: io.Discard, Err: logs}) }()
	select {
	case addr := <-logs.addr:
		base = "http://" + addr
	case err := <-done:
		cancel()
		tb.Fatalf("serve exited before listening: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		tb.Fatalf("serve did not listen within 30s\n%s", logs)
	}
	return base, logs, func() error {
		cancel()
		return <-done
	}
}

func getStatus(tb testing.TB, url string) int {
	tb.Helper()
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestServeOnAnEmptyDirectoryAnswersHealthzAndLogsASetupLink(t *testing.T) {
	t.Setenv("PINACCESS_SECRET_KEY", "")
	dir := t.TempDir()
	start := time.Now()
	base, logs, stop := startServe(t, dir)
	if got := getStatus(t, base+"/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz = %d", got)
	}
	t.Logf("serve on an empty directory: 200 from /healthz after %v", time.Since(start))

	m := regexp.MustCompile(`/setup\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no setup link logged:\n%s", logs)
	}
	if got := getStatus(t, base+"/setup?token="+m[1]); got != http.StatusOK {
		t.Fatalf("the logged setup link answers %d", got)
	}
	if got := getStatus(t, base+"/setup?token=x"+m[1]); got != http.StatusForbidden {
		t.Fatalf("a wrong setup link answers %d", got)
	}
	if got := getStatus(t, base+"/sandbox/v5/user_account"); got == http.StatusNotFound || got == http.StatusSeeOther {
		t.Fatalf("the sandbox is not mounted at /sandbox/: %d", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
}

func TestServeCreatesTheAdminFromTheEnvironment(t *testing.T) {
	t.Setenv("PINACCESS_SECRET_KEY", "")
	t.Setenv("PINACCESS_ADMIN_EMAIL", "Ops@Example.com")
	t.Setenv("PINACCESS_ADMIN_PASSWORD", "from the environment")
	dir := t.TempDir()
	for range 2 { // the second start finds the admin and leaves it alone
		_, logs, stop := startServe(t, dir, "--sandbox", "off")
		if strings.Contains(logs.String(), "/setup?token=") {
			t.Fatalf("a setup link was logged although the admin exists:\n%s", logs)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "data", "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.CountAdmins(context.Background()); n != 1 {
		t.Fatalf("admins = %d, want 1", n)
	}
	if _, err := st.AdminByEmail(context.Background(), "ops@example.com"); err != nil {
		t.Fatalf("admin from the environment: %v", err)
	}
}

func TestServeRefusesABadAdminFromTheEnvironment(t *testing.T) {
	t.Setenv("PINACCESS_SECRET_KEY", "")
	t.Setenv("PINACCESS_ADMIN_EMAIL", "ops@example.com")
	t.Setenv("PINACCESS_ADMIN_PASSWORD", "short")
	err := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "p.db")}, Stdio{Out: io.Discard, Err: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
		t.Fatalf("serve with a short PINACCESS_ADMIN_PASSWORD: %v", err)
	}
}

// BenchmarkServeStartup measures `pinaccess serve` on an empty directory,
// from the command starting to the first 200 from /healthz (migrations, key
// file, setup token, listener included).
func BenchmarkServeStartup(b *testing.B) {
	b.Setenv("PINACCESS_SECRET_KEY", "")
	for b.Loop() {
		dir := b.TempDir()
		base, _, stop := startServe(b, dir, "--sandbox", "on")
		if got := getStatus(b, base+"/healthz"); got != http.StatusOK {
			b.Fatalf("/healthz = %d", got)
		}
		b.StopTimer()
		if err := stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func TestServeRefusesADatabaseFileThatIsNotSQLite(t *testing.T) {
	t.Setenv("PINACCESS_SECRET_KEY", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "pinaccess.db")
	want := []byte("quarterly figures, not a database\n")
	if err := os.WriteFile(db, want, 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, Stdio{Out: io.Discard, Err: io.Discard})
	if !errors.Is(err, store.ErrNotSQLite) || !strings.Contains(err.Error(), "choose another --db") {
		t.Fatalf("serve on a text file: %v", err)
	}
	if got, _ := os.ReadFile(db); !bytes.Equal(got, want) {
		t.Fatal("serve changed the file")
	}
	if _, err := os.Stat(filepath.Join(dir, "pinaccess.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("serve created a key file beside a database it refused")
	}
}
