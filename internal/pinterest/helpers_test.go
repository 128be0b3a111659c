package pinterest_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"pinaccess/internal/pinterest"
)

// fakeClock is a virtual clock: Sleep advances it at once (or returns when
// the context ends), so tests measure waits without waiting.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleeps returns the waits asked for so far.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept returns the total virtual time slept.
func (c *fakeClock) Slept() time.Duration {
	var sum time.Duration
	for _, d := range c.Sleeps() {
		sum += d
	}
	return sum
}

// logBuffer is a concurrency-safe buffer for a debug-level JSON logger.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testClient returns a client for srv with a static token and a fake clock.
func testClient(t *testing.T, srv *httptest.Server, opts pinterest.Options) (*pinterest.Client, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	if opts.APIURL == "" {
		opts.APIURL = srv.URL + "/v5"
	}
	if opts.Now == nil {
		opts.Now = clk.Now
		opts.Sleep = clk.Sleep
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = srv.Client()
	}
	c, err := pinterest.New(pinterest.StaticToken(&oauth2.Token{AccessToken: "pina_static_test_token"}), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

// serve starts a test server with h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func tokenFor(access string) *oauth2.Token { return &oauth2.Token{AccessToken: access} }
