package main

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// serverTimes collects how long pinaccess serve took over each request, as
// its request log says (level info: `msg=request … path=… status=…
// duration=…`, timed from the request's arrival in the handler chain to
// the last byte written): the server-side latency, without the client's
// share of the cores or the loopback.
type serverTimes struct {
	mu       sync.Mutex
	lat      []time.Duration
	errs     int
	statuses map[int]bool
}

func newServerTimes() *serverTimes { return &serverTimes{statuses: map[int]bool{}} }

// line reads one line of the server's log.
func (t *serverTimes) line(l string) {
	if !strings.Contains(l, " msg=request ") {
		return
	}
	fields := map[string]string{}
	for f := range strings.FieldsSeq(l) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	if fields["path"] == "/healthz" || strings.HasPrefix(fields["path"], "/static/") {
		return
	}
	d, err := time.ParseDuration(fields["duration"])
	if err != nil {
		return
	}
	status, _ := strconv.Atoi(fields["status"])
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lat = append(t.lat, d)
	t.statuses[status] = true
	if status != 200 {
		t.errs++
	}
}

// await waits (up to timeout) until n requests have been logged since the
// last take: the server logs a request after its answer has gone.
func (t *serverTimes) await(n int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		t.mu.Lock()
		got := len(t.lat)
		t.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// take returns the summary of the requests logged since the last take
// (over elapsed) and starts again.
func (t *serverTimes) take(elapsed time.Duration) LatencySummary {
	t.mu.Lock()
	defer t.mu.Unlock()
	var statuses []int
	for s := range t.statuses {
		statuses = append(statuses, s)
	}
	sum := summarize(t.lat, t.errs, statuses, elapsed)
	t.lat, t.errs, t.statuses = nil, 0, map[int]bool{}
	return sum
}
