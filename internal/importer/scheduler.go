package importer

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"pinaccess/internal/store"
)

// Interval returns the period of a sync interval setting (off, hourly,
// daily, weekly); ok is false for off or an unknown value.
func Interval(setting string) (d time.Duration, ok bool) {
	switch setting {
	case "hourly":
		return time.Hour, true
	case "daily":
		return 24 * time.Hour, true
	case "weekly":
		return 7 * 24 * time.Hour, true
	}
	return 0, false
}

// Scheduler starts a sync of each connected integration when its interval
// has passed since its last run started, plus a random jitter of up to a
// tenth of the interval so integrations (and installations) do not all
// call Pinterest at the same moment. An integration already running is
// skipped; one that needs reconnecting is not scheduled (only connected
// integrations are listed).
type Scheduler struct {
	m     *Manager
	st    *store.Store
	log   *slog.Logger
	now   func() time.Time
	every time.Duration
	// jitter returns the extra wait for an integration and interval; fixed
	// per integration and period so a check every minute does not redraw it.
	jitter func(integrationID int64, period time.Duration, last time.Time) time.Duration
}

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CheckEvery is how often Run looks for due integrations; 0 means a
	// minute.
	CheckEvery time.Duration
	// Jitter replaces the random jitter (tests pass a fixed one).
	Jitter func(integrationID int64, period time.Duration, last time.Time) time.Duration
}

// NewScheduler returns a scheduler that starts runs through m.
func NewScheduler(m *Manager, st *store.Store, opts SchedulerOptions) *Scheduler {
	s := &Scheduler{m: m, st: st, log: opts.Logger, now: opts.Now, every: opts.CheckEvery, jitter: opts.Jitter}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.every <= 0 {
		s.every = time.Minute
	}
	if s.jitter == nil {
		s.jitter = defaultJitter
	}
	return s
}

// defaultJitter draws up to a tenth of the period, seeded by the
// integration and its last run so it stays the same between checks.
func defaultJitter(integrationID int64, period time.Duration, last time.Time) time.Duration {
	r := rand.New(rand.NewPCG(uint64(integrationID), uint64(last.UnixNano())))
	return time.Duration(r.Int64N(int64(period/10) + 1))
}

// Run checks for due integrations every CheckEvery until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick starts a run of every integration that is due now and returns the
// IDs of the runs it started.
func (s *Scheduler) Tick(ctx context.Context) []int64 {
	targets, err := s.st.ScheduledTargets(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("scheduler: list integrations", "error", err)
		}
		return nil
	}
	now := s.now()
	var started []int64
	for _, t := range targets {
		period, ok := Interval(t.SyncInterval)
		if !ok {
			continue
		}
		if !t.LastStartedAt.IsZero() && now.Before(t.LastStartedAt.Add(period+s.jitter(t.ID, period, t.LastStartedAt))) {
			continue
		}
		id, err := s.m.Start(ctx, t.ID, "scheduled")
		switch {
		case errors.Is(err, ErrAlreadyRunning):
			s.log.Info("scheduler: sync skipped, one is already running", "integration", t.ID)
		case err != nil:
			s.log.Error("scheduler: start sync", "integration", t.ID, "error", err)
		default:
			started = append(started, id)
		}
	}
	return started
}
