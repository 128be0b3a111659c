package importer

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// peakHeap samples the Go heap in use until stop is called and returns the
// highest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

func heapNow() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, or 0
// where /proc is not available. It includes the in-process sandbox.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmHWM:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// benchSync syncs the large dataset b.N times into fresh databases and
// reports wall time, calls, 429 answers and memory.
func benchSync(b *testing.B, clientOpts pinterest.Options, sbOpts func(*sandbox.Options), bound func(c *pinterest.Client, calls int) time.Duration) {
	d, err := sandbox.Generate("large", 7)
	if err != nil {
		b.Fatal(err)
	}
	var calls, limited int
	var worst float64
	var heap, baseline uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := newEnv(b, d.Clone(), clientOpts, sbOpts)
		runtime.GC()
		baseline = heapNow()
		stop := peakHeap()
		b.StartTimer()
		start := time.Now()
		run := e.sync()
		wall := time.Since(start)
		b.StopTimer()
		peak := stop()
		heap = max(heap, peak-min(baseline, peak))
		if run.Status != store.RunSucceeded {
			b.Fatalf("run %s: %s", run.Status, run.Error)
		}
		st := e.sb.Stats()
		calls, limited = 0, st.RateLimited
		for _, n := range st.Calls {
			calls += n
		}
		if bound != nil {
			c, _, err := StoreConnector{Store: e.st, Box: e.box, Client: clientOpts,
				Endpoint: func(string) (pinterest.Endpoint, error) {
					return pinterest.SandboxEndpoint(e.srv.URL + "/sandbox"), nil
				}}.Connect(b.Context(), e.integ)
			if err != nil {
				b.Fatal(err)
			}
			bd := bound(c, calls)
			worst = max(worst, wall.Seconds()/bd.Seconds())
			b.Logf("wall %s, bound %s (quota and concurrency %d), ratio %.3f", wall.Round(time.Millisecond), bd.Round(time.Millisecond), c.Concurrency(), wall.Seconds()/bd.Seconds())
		}
		e.m.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(limited), "429s/op")
	// The sync's own heap: peak during the run minus the heap before it
	// (which holds the in-process sandbox and its dataset).
	b.ReportMetric(float64(heap)/(1<<20), "sync-heap-MB")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
	if bound != nil {
		b.ReportMetric(worst, "x-bound")
	}
}

// BenchmarkSyncLarge syncs the large dataset with no injected latency and
// no quota (target: under 10 s, peak memory under 200 MB).
//
//	go test -run '^$' -bench 'BenchmarkSyncLarge$' -benchtime 3x ./internal/importer/
func BenchmarkSyncLarge(b *testing.B) {
	benchSync(b, fastClient, nil, nil)
}

// BenchmarkSyncLargeQuota syncs the large dataset with 50 ms of latency per
// call and the sandbox's ads_read quota at 6,000 a minute, the client
// pacing itself at the same quota with its default concurrency. Target:
// wall time within 1.15× of the bound the quota and the concurrency allow
// (x-bound), no 429 (429s/op).
//
//	go test -run '^$' -bench 'BenchmarkSyncLargeQuota$' -benchtime 1x -timeout 30m ./internal/importer/
func BenchmarkSyncLargeQuota(b *testing.B) {
	const latency = 50 * time.Millisecond
	opts := pinterest.Options{
		Limits: map[pinterest.Category]pinterest.Limit{pinterest.AdsRead: pinterest.Quota(6000, time.Minute)},
	}
	benchSync(b, opts, func(o *sandbox.Options) {
		o.Limits = sandbox.Limits{"ads_read": {Requests: 6000, Per: time.Minute}}
		o.Faults = sandbox.Faults{Latency: latency}
	}, func(c *pinterest.Client, calls int) time.Duration {
		quota := c.MinDuration(map[pinterest.Category]int{pinterest.AdsRead: calls})
		conc := time.Duration(calls) * latency / time.Duration(c.Concurrency())
		return max(quota, conc)
	})
}
