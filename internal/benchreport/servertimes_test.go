package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"testing"
	"time"
)

// The server's request log lines (slog's text format, as pinaccess serve
// writes them) give the server-side latencies; other lines, health checks
// and static files do not count, and any status but 200 is an error.
func TestServerTimesReadTheRequestLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	req := func(path string, status int, d time.Duration) {
		log.Info("request", "id", "abc", "method", "GET", "path", path, "status", status, "bytes", 123, "duration", d)
	}
	req("/integrations/1/members", 200, 3*time.Millisecond)
	req("/healthz", 200, time.Second)
	req("/static/app.css", 200, time.Second)
	log.Info("pinaccess is listening", "url", "http://x", "duration", time.Second)
	req("/integrations/1/access", 200, 5*time.Millisecond)
	req("/integrations/1/access", 500, 7*time.Millisecond)
	log.Warn("request took long", "path", "/x")
	log.Info("inventories prepared", "integrations", 1, "duration", 2500*time.Millisecond)
	times := newServerTimes()
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		times.line(sc.Text())
	}
	got := times.take(time.Second)
	if got.Requests != 3 || got.Errors != 1 || got.P50Ms != 5 || got.MaxMs != 7 || len(got.StatusSeen) != 2 {
		t.Fatalf("got %+v, want 3 requests (p50 5 ms, max 7 ms), 1 error, statuses 200 and 500", got)
	}
	select {
	case <-times.prepared:
		if times.preparedIn != 2500*time.Millisecond {
			t.Errorf("prepared in %s, want 2.5s", times.preparedIn)
		}
	default:
		t.Error("the log said the inventories were prepared; the times did not see it")
	}
	if again := times.take(time.Second); again.Requests != 0 {
		t.Fatalf("a second take sees %d requests, want none", again.Requests)
	}
}
