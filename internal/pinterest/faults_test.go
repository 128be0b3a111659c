package pinterest_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

// backoffMin is the shortest backoff after a 5xx (half of BaseDelay); the
// default pacing never waits that long between two requests.
const backoffMin = 250 * time.Millisecond

func TestBurstOfServerErrorsRecovers(t *testing.T) {
	e := newSandboxEnv(t, nil)
	e.sb.SetFaults(sandbox.Faults{FailAll: true, ErrorStatus: 503})
	// The outage ends after the client's third backoff (pacing waits are
	// shorter and do not count).
	var waits atomic.Int32
	sleep := func(ctx context.Context, d time.Duration) error {
		if d >= backoffMin && waits.Add(1) == 3 {
			e.sb.SetFaults(sandbox.Faults{})
		}
		return e.clk.Sleep(ctx, d)
	}
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{Now: e.clk.Now, Sleep: sleep})
	got := gotMembers(t, c.Members(context.Background(), e.ds.Business.ID, pinterest.MembersOptions{AssetsSummary: true, PageOptions: pinterest.PageOptions{PageSize: 7}}))
	compare(t, "members", got, wantMembers(e.ds, false))
	st := c.Stats()
	if st.ServerErrors != 3 || st.Retries != 3 || e.sb.Stats().Injected != 3 {
		t.Errorf("client %+v, sandbox %+v", st, e.sb.Stats())
	}
	e.checkNoFailures()
}

func TestRateLimitWithRetryAfterIsWaitedOut(t *testing.T) {
	e := newSandboxEnv(t, nil)
	// The sandbox allows 5 ads_read calls a minute and says how long to
	// wait; the client's own pacing (1,000/min) does not know that.
	e.sb.SetLimits(sandbox.Limits{"ads_read": {Requests: 5, Per: time.Minute}}, true)
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{})
	start := e.clk.Now()
	var pages int
	var lines []string
	for page, err := range c.Members(context.Background(), e.ds.Business.ID, pinterest.MembersOptions{PageOptions: pinterest.PageOptions{PageSize: 3}}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range page {
			lines = append(lines, m.ID)
		}
	}
	elapsed := e.clk.Now().Sub(start)
	if len(lines) < 25 {
		t.Fatalf("%d members", len(lines))
	}
	// 5 pages fit in each minute: the run must take the minutes it needs
	// and not more.
	windows := (pages - 1) / 5
	if min := time.Duration(windows) * time.Minute; elapsed < min || elapsed > min+time.Second {
		t.Errorf("%d pages took %s of waiting, want %s", pages, elapsed, min)
	}
	st := c.Stats()
	if st.RateLimited != windows || e.sb.Stats().RateLimited != windows {
		t.Errorf("429s: client saw %d, sandbox sent %d, want %d", st.RateLimited, e.sb.Stats().RateLimited, windows)
	}
	for _, d := range e.clk.Sleeps() {
		if d > time.Minute {
			t.Errorf("waited %s, longer than the window", d)
		}
	}
	e.checkNoFailures()
}

func TestPacingKeepsAFullRunUnderTheQuota(t *testing.T) {
	e := newSandboxEnv(t, nil)
	quota := pinterest.Limit{Requests: 20, Per: time.Minute, Burst: 4}
	e.sb.SetLimits(sandbox.Limits{"ads_read": {Requests: quota.Requests, Per: quota.Per}}, false)
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{
		Limits: map[pinterest.Category]pinterest.Limit{pinterest.AdsRead: quota}, Concurrency: 4})
	if l := c.Limits(); l[pinterest.AdsRead] != quota || l[pinterest.AllTraffic].Requests != 100 || c.Concurrency() != 4 {
		t.Errorf("limits = %v, concurrency %d", l, c.Concurrency())
	}
	start := e.clk.Now()
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, typ := range []string{pinterest.AssetAdAccount, pinterest.AssetProfile, pinterest.AssetGroup, pinterest.AssetCatalog} {
		wg.Go(func() {
			if _, err := c.Assets(ctx, e.ds.Business.ID, pinterest.AssetsOptions{AssetType: typ, PageOptions: pinterest.PageOptions{PageSize: 1}}).All(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if _, err := c.Members(ctx, e.ds.Business.ID, pinterest.MembersOptions{PageOptions: pinterest.PageOptions{PageSize: 1}}).All(); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	elapsed := e.clk.Now().Sub(start)
	st := c.Stats()
	calls := st.ByCategory()[pinterest.AdsRead]
	if calls < 40 {
		t.Fatalf("only %d calls; the test needs more than two windows", calls)
	}
	if st.RateLimited != 0 || e.sb.Stats().RateLimited != 0 {
		t.Errorf("%d calls met %d 429s; pacing should have avoided them", calls, e.sb.Stats().RateLimited)
	}
	floor := c.MinDuration(st.ByCategory())
	if floor <= 0 || elapsed < floor {
		t.Errorf("%d calls took %s, under the pacing floor %s", calls, elapsed, floor)
	}
	// Never more than the quota in any window: 20 per minute, so the run
	// cannot be much faster than calls/20 minutes.
	if want := time.Duration(float64(calls-quota.Requests) / float64(quota.Requests) * float64(time.Minute)); elapsed < want {
		t.Errorf("%d calls in %s break 20 per minute", calls, elapsed)
	}
}

func TestCancellingStopsEveryWorkerAtOnce(t *testing.T) {
	e := newSandboxEnv(t, nil)
	// Every answer takes an hour (really: the sandbox's own timer).
	e.sb.SetFaults(sandbox.Faults{Latency: time.Hour})
	c, err := pinterest.New(e.cfg.TokenSource(e.issue(sandbox.AdminUsername), e.save),
		pinterest.Options{APIURL: e.cfg.Endpoint.APIURL, HTTPClient: e.hc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 12)
	for range 12 { // more workers than the concurrency limit
		go func() {
			_, err := c.Members(ctx, e.ds.Business.ID, pinterest.MembersOptions{}).All()
			errs <- err
		}()
	}
	// Wait until the sandbox holds as many requests as the client allows.
	for range pinterest.DefaultConcurrency {
		<-e.arrivals
	}
	cancel()
	timeout := time.After(5 * time.Second)
	for range 12 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v", err)
			}
		case <-timeout:
			t.Fatal("workers still running after the context was cancelled")
		}
	}
	if st := c.Stats(); st.Retries != 0 || st.Calls["get/business_members"] > pinterest.DefaultConcurrency {
		t.Errorf("stats after cancelling = %+v", st)
	}
}
