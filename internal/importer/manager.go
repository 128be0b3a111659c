// Package importer runs sync runs: it imports one integration's Business
// Manager from Pinterest (through internal/pinterest) into a snapshot in the
// store, reports progress while it runs, and schedules runs.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/store"
)

// ErrAlreadyRunning is returned by Start when the integration already has a
// run in progress (in this process or another one). The web layer answers
// 409 Conflict.
var ErrAlreadyRunning = errors.New("importer: a sync is already running for this integration")

// ErrUnknownRun is returned for a run ID that does not exist.
var ErrUnknownRun = errors.New("importer: no such sync run")

// ConnectFunc returns a client for an integration's Pinterest (or sandbox)
// and the Business Manager ID to import. An error matching
// pinterest.ErrReconnect marks the integration as needing a reconnect.
type ConnectFunc func(ctx context.Context, integrationID int64) (client *pinterest.Client, businessID string, err error)

// Options configures a Manager.
type Options struct {
	// Logger receives a line per run start and end; nil means no logging.
	Logger *slog.Logger
	// ProgressEvery is how often a running run's progress is written to
	// the database (for other processes); 0 means every 500 ms.
	ProgressEvery time.Duration
	// Warm, after a run becomes the current snapshot, computes what the
	// inventory pages keep per snapshot (store.WarmInventory), so the
	// first pages after a sync answer at once. For the dashboard.
	Warm bool
}

// Manager starts, tracks and cancels sync runs. It is safe for concurrent
// use; one run per integration at a time.
type Manager struct {
	st      *store.Store
	connect ConnectFunc
	log     *slog.Logger
	every   time.Duration
	warm    bool

	base   context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	jobs   map[int64]*job // by run ID, while running
	active map[int64]int64
}

type job struct {
	runID, integrationID int64
	cancel               context.CancelFunc
	p                    *progress
	done                 chan struct{}
	result               store.Run
}

// NewManager returns a Manager that runs syncs into st, connecting to
// Pinterest with connect.
func NewManager(st *store.Store, connect ConnectFunc, opts Options) *Manager {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	base, stop := context.WithCancel(context.Background())
	return &Manager{st: st, connect: connect, log: log, every: every, warm: opts.Warm, base: base, stop: stop,
		jobs: map[int64]*job{}, active: map[int64]int64{}}
}

// Start begins a sync run of the integration in the background and returns
// its run ID at once. trigger says who asked (manual, scheduled, cli,
// wizard). It returns ErrAlreadyRunning if the integration is being synced.
// The run outlives ctx; Cancel or Close stops it.
func (m *Manager) Start(ctx context.Context, integrationID int64, trigger string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.base.Err() != nil {
		return 0, errors.New("importer: shutting down")
	}
	if _, busy := m.active[integrationID]; busy {
		return 0, ErrAlreadyRunning
	}
	run, err := m.st.StartRun(ctx, integrationID, trigger)
	if errors.Is(err, store.ErrRunActive) {
		return 0, ErrAlreadyRunning
	}
	if err != nil {
		return 0, fmt.Errorf("importer: start sync: %w", err)
	}
	runCtx, cancel := context.WithCancel(m.base)
	j := &job{runID: run.ID, integrationID: integrationID, cancel: cancel, p: &progress{phase: "Connecting to Pinterest"},
		done: make(chan struct{})}
	m.jobs[run.ID] = j
	m.active[integrationID] = run.ID
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		j.result = m.execute(runCtx, j)
		m.mu.Lock()
		delete(m.jobs, j.runID)
		delete(m.active, j.integrationID)
		m.mu.Unlock()
		close(j.done)
		if m.warm && j.result.Status == store.RunSucceeded {
			if err := m.st.WarmInventory(m.base, integrationID); err != nil && m.base.Err() == nil {
				m.log.Warn("could not prepare the inventory's counts", "integration", integrationID, "error", err)
			}
		}
	}()
	m.log.Info("sync started", "integration", integrationID, "run", run.ID, "trigger", trigger)
	return run.ID, nil
}

// Cancel stops a running run; it ends as "cancelled" and the current
// snapshot stays. It reports whether the run was running here.
func (m *Manager) Cancel(runID int64) bool {
	m.mu.Lock()
	j := m.jobs[runID]
	m.mu.Unlock()
	if j == nil {
		return false
	}
	j.cancel()
	return true
}

// RunningRun returns the run in progress for an integration in this
// process, if any.
func (m *Manager) RunningRun(integrationID int64) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.active[integrationID]
	return id, ok
}

// Progress returns a run's progress: live while it runs in this process,
// otherwise from its record (so a run started by another process shows its
// last written progress, and an ended run its outcome).
func (m *Manager) Progress(ctx context.Context, runID int64) (Progress, error) {
	m.mu.Lock()
	j := m.jobs[runID]
	m.mu.Unlock()
	if j != nil {
		phase, done, total, calls := j.p.snapshot()
		return Progress{RunID: runID, IntegrationID: j.integrationID, Phase: phase, Done: done, Total: total,
			Calls: calls, Status: store.RunRunning}, nil
	}
	r, err := m.st.Run(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return Progress{}, ErrUnknownRun
	}
	if err != nil {
		return Progress{}, err
	}
	p := Progress{RunID: r.ID, IntegrationID: r.IntegrationID, Phase: r.Phase, Done: r.ProgressDone,
		Total: r.ProgressTotal, Calls: int(r.APICallsTotal), Status: r.Status, Error: r.Error}
	if r.Status != store.RunRunning {
		p.Phase = phaseFor(r)
		if p.Total > 0 {
			p.Done = p.Total
		}
	}
	return p, nil
}

func phaseFor(r store.Run) string {
	switch r.Status {
	case store.RunSucceeded:
		return "Done"
	case store.RunNeedsReview:
		return "Held for review"
	case store.RunCancelled:
		return "Cancelled"
	case store.RunInterrupted:
		return "Interrupted"
	case store.RunDiscarded:
		return "Discarded"
	}
	return "Failed"
}

// Wait blocks until a run started by this Manager ends (or ctx ends) and
// returns its record. For a run not running here it returns the record.
func (m *Manager) Wait(ctx context.Context, runID int64) (store.Run, error) {
	m.mu.Lock()
	j := m.jobs[runID]
	m.mu.Unlock()
	if j != nil {
		select {
		case <-j.done:
		case <-ctx.Done():
			return store.Run{}, ctx.Err()
		}
	}
	r, err := m.st.Run(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Run{}, ErrUnknownRun
	}
	return r, err
}

// Done returns a channel closed when the run ends, or nil if it is not
// running in this process.
func (m *Manager) Done(runID int64) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if j := m.jobs[runID]; j != nil {
		return j.done
	}
	return nil
}

// Close cancels every running run and waits for them to record their end.
func (m *Manager) Close() {
	m.mu.Lock()
	m.stop()
	m.mu.Unlock()
	m.wg.Wait()
}

// execute performs one run and records its outcome.
func (m *Manager) execute(ctx context.Context, j *job) store.Run {
	start := time.Now()
	record := context.WithoutCancel(ctx)
	var client *pinterest.Client
	var stopWriter func()
	stats := func() store.RunStats {
		s := store.RunStats{APICalls: map[string]int64{}}
		if client != nil {
			cs := client.Stats()
			for op, n := range cs.Calls {
				s.APICalls[op] = int64(n)
			}
			s.Retries = int64(cs.Retries)
		}
		return s
	}
	fail := func(err error) store.Run {
		if stopWriter != nil {
			stopWriter()
		}
		status := store.RunFailed
		reason := describe(err)
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			status, reason = store.RunCancelled, "The sync was cancelled; the previous snapshot is still current."
		}
		if errors.Is(err, pinterest.ErrReconnect) {
			if err := m.st.MarkNeedsReconnect(record, j.integrationID); err != nil {
				m.log.Error("could not mark integration as needing reconnect", "integration", j.integrationID, "error", err)
			}
		}
		if err := m.st.FailRun(record, j.runID, status, reason, stats()); err != nil {
			m.log.Error("could not record failed sync", "run", j.runID, "error", err)
		}
		m.log.Warn("sync ended without a new snapshot", "integration", j.integrationID, "run", j.runID,
			"status", status, "error", err, "took", time.Since(start).Round(time.Millisecond))
		r, _ := m.st.Run(record, j.runID)
		return r
	}
	client, biz, err := m.connect(ctx, j.integrationID)
	if err != nil {
		return fail(err)
	}
	j.p.setCalls(func() int { return client.Stats().Total() })
	w, err := m.st.NewSnapshotWriter(ctx, j.runID)
	if err != nil {
		return fail(err)
	}
	defer w.Close()
	stopWriter = m.writeProgress(ctx, j)
	f := &fetcher{c: client, biz: biz, w: w, p: j.p}
	if err := f.run(ctx); err != nil {
		return fail(err)
	}
	stopWriter()
	stopWriter = nil
	// The final count, so the run's record shows all the work done.
	phase, done, total, _ := j.p.snapshot()
	if err := m.st.SetRunProgress(record, j.runID, phase, done, total); err != nil {
		return fail(err)
	}
	s := stats()
	s.Strategy = f.plan.String()
	j.p.setPhase("Comparing with the previous snapshot")
	r, err := m.st.FinishRun(record, j.runID, s)
	if err != nil {
		return fail(err)
	}
	m.log.Info("sync finished", "integration", j.integrationID, "run", j.runID, "status", r.Status,
		"calls", r.APICallsTotal, "members", r.Counts.Members, "grants", r.Counts.Grants, "changes", r.Counts.Changes,
		"took", time.Since(start).Round(time.Millisecond))
	return r
}

// writeProgress copies the live progress into the run record every
// m.every until the returned stop function is called.
func (m *Manager) writeProgress(ctx context.Context, j *job) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(m.every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				phase, d, total, _ := j.p.snapshot()
				if err := m.st.SetRunProgress(ctx, j.runID, phase, d, total); err != nil && ctx.Err() == nil {
					m.log.Warn("could not record sync progress", "run", j.runID, "error", err)
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		<-finished
	}
}
