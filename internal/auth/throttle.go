package auth

import (
	"sync"
	"time"
)

// Throttle limits failed logins per email address and per client address,
// in memory. Each key may fail Limit times within Window; after that,
// attempts are refused until the oldest failure leaves the window. A
// successful login clears the email's failures (not the address's, so one
// good account cannot be used to reset guessing at others).
type Throttle struct {
	EmailLimit int
	AddrLimit  int
	Window     time.Duration

	now func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
	sweep    time.Time
}

// NewThrottle returns a Throttle allowing 5 failures per email and 20 per
// client address in 15 minutes. now is the clock (time.Now when nil).
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{EmailLimit: 5, AddrLimit: 20, Window: 15 * time.Minute, now: now, failures: map[string][]time.Time{}}
}

func emailKey(email string) string { return "e:" + NormalizeEmail(email) }
func addrKey(addr string) string   { return "a:" + addr }

// Allow reports whether a login for email from addr may be attempted now;
// when not, wait says how long until it may.
func (t *Throttle) Allow(email, addr string) (ok bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range []struct {
		key   string
		limit int
	}{{emailKey(email), t.EmailLimit}, {addrKey(addr), t.AddrLimit}} {
		recent := t.recent(k.key, now)
		if len(recent) >= k.limit {
			w := recent[len(recent)-k.limit].Add(t.Window).Sub(now)
			wait = max(wait, w)
		}
	}
	return wait <= 0, wait
}

// Fail records a failed login for email from addr.
func (t *Throttle) Fail(email, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range []string{emailKey(email), addrKey(addr)} {
		t.failures[k] = append(t.recent(k, now), now)
	}
	t.sweepOld(now)
}

// Succeed clears the failures recorded for email.
func (t *Throttle) Succeed(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, emailKey(email))
}

// recent returns the failures of key still inside the window, dropping the
// rest. The caller holds t.mu.
func (t *Throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && !fs[i].After(now.Add(-t.Window)) {
		i++
	}
	if i == len(fs) {
		delete(t.failures, key)
		return nil
	}
	fs = fs[i:]
	t.failures[key] = fs
	return fs
}

// sweepOld drops expired keys once per window, so memory stays bounded by
// the failures of the last window. The caller holds t.mu.
func (t *Throttle) sweepOld(now time.Time) {
	if now.Sub(t.sweep) < t.Window {
		return
	}
	t.sweep = now
	for k := range t.failures {
		t.recent(k, now)
	}
}
