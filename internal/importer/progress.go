package importer

import (
	"sync"
	"sync/atomic"
)

// Progress is how far a run has got, for a progress bar.
type Progress struct {
	RunID         int64
	IntegrationID int64
	Phase         string // what the run is doing, in words
	Done, Total   int64  // steps done and known so far; Total grows as lists reveal work
	Calls         int    // API calls made so far
	Status        string // a store.Run* status; "running" until it ends
	Error         string // the reason, when the run failed
}

// Fraction returns Done/Total between 0 and 1 (0 while nothing is known).
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 0
	}
	return min(1, float64(p.Done)/float64(p.Total))
}

// progress is the live, concurrently updated state behind Progress.
type progress struct {
	mu    sync.Mutex
	phase string
	done  atomic.Int64
	total atomic.Int64
	// known is set once the whole run's work is counted; before that the
	// total is reported as 0 (unknown) so a bar never runs backwards.
	known atomic.Bool
	calls func() int
}

func (p *progress) setPhase(s string) {
	p.mu.Lock()
	p.phase = s
	p.mu.Unlock()
}

func (p *progress) setCalls(f func() int) {
	p.mu.Lock()
	p.calls = f
	p.mu.Unlock()
}

func (p *progress) addTotal(n int64) { p.total.Add(n) }
func (p *progress) totalKnown()      { p.known.Store(true) }
func (p *progress) taskDone()        { p.done.Add(1) }

func (p *progress) snapshot() (phase string, done, total int64, calls int) {
	p.mu.Lock()
	phase, count := p.phase, p.calls
	p.mu.Unlock()
	if count != nil {
		calls = count()
	}
	if !p.known.Load() {
		return phase, p.done.Load(), 0, calls
	}
	return phase, p.done.Load(), p.total.Load(), calls
}
