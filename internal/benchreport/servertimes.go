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
	// prepared is closed when the server logs that it has prepared its
	// inventories, which took preparedIn.
	prepared   chan struct{}
	preparedIn time.Duration
}

func newServerTimes() *serverTimes {
	return &serverTimes{statuses: map[int]bool{}, prepared: make(chan struct{})}
}

// line reads one line of the server's log.
func (t *serverTimes) line(l string) {
	if strings.Contains(l, ` msg="inventories prepared" `) {
		d, _ := time.ParseDuration(logFields(l)["duration"])
		t.mu.Lock()
		defer t.mu.Unlock()
		select {
		case <-t.prepared:
		default:
			t.preparedIn = d
			close(t.prepared)
		}
		return
	}
	if !strings.Contains(l, " msg=request ") {
		return
	}
	fields := logFields(l)
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

// logFields are the key=value fields of a log line (values without
// spaces, which are all that serverTimes reads).
func logFields(l string) map[string]string {
	fields := map[string]string{}
	for f := range strings.FieldsSeq(l) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	return fields
}
