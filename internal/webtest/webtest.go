// Package webtest boots the real pinaccess web server on a temporary SQLite
// database for tests, and gives them an HTTP client that behaves like a
// browser (cookies, CSRF token) and parses pages with goquery.
//
//	srv := webtest.Start(t, webtest.Options{})
//	srv.CreateAdmin(t, "admin@example.com", "correct horse battery")
//	c := srv.Client(t)
//	c.Login(t, "admin@example.com", "correct horse battery")
//	res := c.Get(t, "/")
//	res.Find(`[data-testid="empty-state"]`)
package webtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/auth"
	"pinaccess/internal/config"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
	"pinaccess/web"
)

// Options adjust the server a test starts.
type Options struct {
	// Sandbox builds a handler to mount at /sandbox/, given the server's
	// base URL (known only once the listener exists).
	Sandbox func(baseURL string) http.Handler
	// Now is the clock of the server and its store; time.Now if nil.
	Now func() time.Time
	// Configure may change the configuration before the server is built.
	Configure func(*config.Config)
	// DBPath is the database file; a fresh one in t.TempDir() if empty.
	DBPath string
	// Deps may change the web server's dependencies before web.New, for
	// fields added later (an importer, a Pinterest client factory…).
	Deps func(*web.Deps)
	// SecretKey is the installation key (32 bytes); a random one if nil.
	// Give two servers the same DBPath and SecretKey to test a restart.
	SecretKey []byte
}

// Server is a running pinaccess web server.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:34567.
	URL    string
	Store  *store.Store
	Box    *secret.Box
	Admins *auth.Admins
	Config config.Config

	logs *syncBuffer
}

// Start builds the server with web.New on a temporary database and serves
// it on a loopback port until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ctx := context.Background()
	dbPath := opts.DBPath
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "pinaccess.db")
	}
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("webtest: open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if opts.Now != nil {
		st.SetClock(opts.Now)
	}
	key := opts.SecretKey
	if key == nil {
		key = secret.NewKey()
	}
	box, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	cfg := config.Config{Addr: hs.Listener.Addr().String(), DB: dbPath, BaseURL: base, LogLevel: "debug"}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	deps := web.Deps{Store: st, Secrets: box, Log: log, Config: cfg, Now: opts.Now}
	if opts.Sandbox != nil {
		deps.Sandbox = opts.Sandbox(base)
	}
	if opts.Deps != nil {
		opts.Deps(&deps)
	}
	e, err := web.New(deps)
	if err != nil {
		t.Fatalf("webtest: web.New: %v", err)
	}
	hs.Config.Handler = e
	hs.Start()
	t.Cleanup(hs.Close)
	return &Server{URL: base, Store: st, Box: box, Admins: auth.NewAdmins(st, opts.Now), Config: cfg, logs: logs}
}

// CreateAdmin adds an admin directly, as `pinaccess admin create` would.
func (s *Server) CreateAdmin(t testing.TB, email, password string) {
	t.Helper()
	if _, err := s.Admins.Create(context.Background(), email, password); err != nil {
		t.Fatalf("webtest: create admin: %v", err)
	}
}

// SetupURL issues a one-time setup token and returns the setup link, as
// `pinaccess serve` logs it on a database without admins.
func (s *Server) SetupURL(t testing.TB) string {
	t.Helper()
	tok, err := s.Admins.IssueSetupToken(context.Background())
	if err != nil {
		t.Fatalf("webtest: setup token: %v", err)
	}
	return s.URL + "/setup?token=" + tok
}

// Logs returns everything the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Clock is a settable clock for Options.Now, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
