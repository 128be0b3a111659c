package pinterest

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Category is a Pinterest rate-limit category (the x-ratelimit-category of
// an operation). Operations of one category share one quota.
type Category string

// The rate-limit categories, plus AllTraffic, the quota every request of a
// user and app counts against.
const (
	AdsRead    Category = "ads_read"
	AdsWrite   Category = "ads_write"
	OrgRead    Category = "org_read"
	OrgWrite   Category = "org_write"
	AllTraffic Category = "all"
)

// Tier is the access tier of the Pinterest app, which sets its quotas.
type Tier string

// The tiers Pinterest publishes quotas for.
const (
	TierStandard Tier = "standard"
	TierTrial    Tier = "trial"
)

// ParseTier reads a tier name as an admin types it ("standard", "Trial").
func ParseTier(s string) (Tier, error) {
	switch t := Tier(toLower(s)); t {
	case TierStandard, TierTrial:
		return t, nil
	case "":
		return TierStandard, nil
	}
	return "", fmt.Errorf("pinterest: unknown access tier %q (want standard or trial)", s)
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Limit is a quota: at most Requests requests in any window of length Per.
// The client paces itself with a token bucket of Burst tokens refilled at
// (Requests-Burst)/Per, which can never let more than Requests through in
// any window of length Per.
type Limit struct {
	Requests int
	Per      time.Duration
	// Burst is how many requests may go at once after a quiet spell;
	// 0 picks 1% of Requests (at least 1).
	Burst int
}

// Quota returns a limit of n requests per d with the default burst.
func Quota(n int, d time.Duration) Limit { return Limit{Requests: n, Per: d} }

func (l Limit) valid() bool { return l.Requests > 0 && l.Per > 0 && l.Burst >= 0 }

// burst returns the bucket size used for l.
func (l Limit) burst() int {
	b := l.Burst
	if b == 0 {
		b = l.Requests / 100
	}
	if b > l.Requests/2 {
		b = l.Requests / 2
	}
	return max(b, 1)
}

// PerSecond returns the sustained rate the client paces itself at.
func (l Limit) PerSecond() float64 {
	n := l.Requests - l.burst()
	if n < 1 {
		n = l.Requests
	}
	return float64(n) / l.Per.Seconds()
}

// MinDuration returns the least time the pacing lets n requests take,
// starting with a full bucket.
func (l Limit) MinDuration(n int) time.Duration {
	n -= l.burst()
	if n <= 0 {
		return 0
	}
	return time.Duration(float64(n) / l.PerSecond() * float64(time.Second))
}

func (l Limit) String() string {
	return fmt.Sprintf("%d per %s (burst %d)", l.Requests, l.Per, l.burst())
}

// DefaultLimits returns Pinterest's published quotas for a tier
// (https://developers.pinterest.com/docs/reference/rate-limits/): on
// Standard, ads_read 1,000 per minute and all traffic 100 per second per
// user and app; on Trial, 1,000 per day. Pinterest publishes no figures
// for ads_write, org_read and org_write; the values here are a third-party
// copy and err on the low side.
func DefaultLimits(t Tier) map[Category]Limit {
	const day = 24 * time.Hour
	if t == TierTrial {
		return map[Category]Limit{
			AllTraffic: Quota(1000, day),
			AdsRead:    Quota(1000, day),
			AdsWrite:   Quota(300, day),
			OrgRead:    Quota(1000, day),
			OrgWrite:   Quota(300, day),
		}
	}
	return map[Category]Limit{
		AllTraffic: Quota(100, time.Second),
		AdsRead:    Quota(1000, time.Minute),
		AdsWrite:   Quota(400, time.Minute),
		OrgRead:    Quota(1000, time.Minute),
		OrgWrite:   Quota(100, time.Minute),
	}
}

// pacer keeps a client under its quotas: one token bucket per category and
// one for all traffic, a bound on requests in flight, and a pause for the
// whole category after a 429.
type pacer struct {
	limits   map[Category]Limit
	limiters map[Category]*rate.Limiter
	sem      chan struct{}
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error

	mu       sync.Mutex
	cooldown map[Category]time.Time
}

func newPacer(limits map[Category]Limit, concurrency int, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	p := &pacer{
		limits:   limits,
		limiters: map[Category]*rate.Limiter{},
		sem:      make(chan struct{}, concurrency),
		now:      now,
		sleep:    sleep,
		cooldown: map[Category]time.Time{},
	}
	for c, l := range limits {
		p.limiters[c] = rate.NewLimiter(rate.Limit(l.PerSecond()), l.burst()) // starts full
	}
	return p
}

// acquire waits until a request of category c may be sent and a slot is
// free; release must be called when its answer has been read.
func (p *pacer) acquire(ctx context.Context, c Category) error {
	if err := p.waitCooldown(ctx, c); err != nil {
		return err
	}
	// Reservations are taken under the lock with the time read inside it:
	// a limiter given an earlier time than its last one would count the
	// same interval twice and let too much through.
	var rs []*rate.Reservation
	var delay time.Duration
	p.mu.Lock()
	now := p.now()
	for _, cat := range []Category{AllTraffic, c} {
		lim := p.limiters[cat]
		if lim == nil {
			continue
		}
		r := lim.ReserveN(now, 1)
		if !r.OK() {
			p.mu.Unlock()
			return fmt.Errorf("rate limit for %s allows no requests", cat)
		}
		rs = append(rs, r)
		delay = max(delay, r.DelayFrom(now))
	}
	p.mu.Unlock()
	if delay > 0 {
		if err := p.sleep(ctx, delay); err != nil {
			for _, r := range rs {
				r.CancelAt(p.now())
			}
			return err
		}
	}
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pacer) release() { <-p.sem }

// waitCooldown waits out a pause set after a 429 in category c.
func (p *pacer) waitCooldown(ctx context.Context, c Category) error {
	p.mu.Lock()
	until := p.cooldown[c]
	p.mu.Unlock()
	if d := until.Sub(p.now()); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}

// pause holds every request of category c for d: when Pinterest says
// slow down, the other workers should not keep knocking.
func (p *pacer) pause(c Category, d time.Duration) {
	until := p.now().Add(d)
	p.mu.Lock()
	if until.After(p.cooldown[c]) {
		p.cooldown[c] = until
	}
	p.mu.Unlock()
}

func (p *pacer) effective() map[Category]Limit { return maps.Clone(p.limits) }
