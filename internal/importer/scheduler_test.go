package importer

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func TestSchedulerSyncsDueIntegrationsOnly(t *testing.T) {
	ctx := context.Background()
	d, _ := sandbox.Generate("small", 1)
	e := newEnv(t, d, fastClient, nil)
	clock := &testClock{now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	e.st.SetClock(clock.Now)
	off, err := e.st.AddConnectedIntegration(ctx, store.ConnectedIntegration{Name: "Off", Environment: "sandbox",
		BusinessID: sandbox.DefaultBusinessID, SyncInterval: "off"})
	if err != nil {
		t.Fatal(err)
	}
	jitter := time.Hour
	s := NewScheduler(e.m, e.st, SchedulerOptions{Now: clock.Now,
		Jitter: func(int64, time.Duration, time.Time) time.Duration { return jitter }})
	waitAll := func(ids []int64) {
		for _, id := range ids {
			if _, err := e.m.Wait(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}

	started := s.Tick(ctx)
	if len(started) != 1 {
		t.Fatalf("first tick started %d runs, want 1 (the never-synced daily integration)", len(started))
	}
	if r, _ := e.st.Run(ctx, started[0]); r.IntegrationID != e.integ || r.Trigger != "scheduled" {
		t.Fatalf("started %+v", r)
	}
	waitAll(started)
	if got := s.Tick(ctx); len(got) != 0 {
		t.Fatalf("right after a run, tick started %v", got)
	}
	clock.Set(clock.Now().Add(24*time.Hour + jitter - time.Minute))
	if got := s.Tick(ctx); len(got) != 0 {
		t.Fatalf("before interval + jitter, tick started %v", got)
	}
	clock.Set(clock.Now().Add(2 * time.Minute))
	due := s.Tick(ctx)
	if len(due) != 1 {
		t.Fatalf("after interval + jitter, tick started %v", due)
	}
	waitAll(due)

	// A running integration is skipped, not started twice.
	release := make(chan struct{})
	var once sync.Once
	held := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(held); <-release })
		e.sb.ServeHTTP(w, r)
	})
	e.setHandler(mux)
	clock.Set(clock.Now().Add(48 * time.Hour))
	running := s.Tick(ctx)
	<-held
	if got := s.Tick(ctx); len(got) != 0 {
		t.Fatalf("tick while running started %v", got)
	}
	close(release)
	waitAll(running)

	// An integration that needs reconnecting is no longer scheduled.
	if err := e.st.MarkNeedsReconnect(ctx, e.integ); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(30 * 24 * time.Hour))
	if got := s.Tick(ctx); len(got) != 0 {
		t.Fatalf("tick started %v for an integration needing reconnect", got)
	}
	if runs, _ := e.st.Runs(ctx, off, 0); len(runs) != 0 {
		t.Fatalf("an integration with syncs off was synced %d times", len(runs))
	}
}

func TestIntervalSettings(t *testing.T) {
	for setting, want := range map[string]time.Duration{"hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 168 * time.Hour, "off": 0, "bogus": 0} {
		got, ok := Interval(setting)
		if got != want || ok != (want != 0) {
			t.Errorf("Interval(%q) = %v, %v", setting, got, ok)
		}
	}
}
