package export_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/export"
	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// baselineSQL is the access export's query for the sqlite3 tool: the same
// rows and columns, in the access list's default order (principal name).
const baselineSQL = `SELECT k.kind, k.ext_id, coalesce(m.username, p.username), coalesce(m.email, p.email),
	coalesce(m.business_roles, ''), coalesce(p.partner_type, ''), a.asset_type, a.ext_id, a.name,
	CASE a.owned WHEN 1 THEN 'true' ELSE 'false' END, r.name
FROM snap_grants g
JOIN entity_keys k ON k.id = g.grantee_id
LEFT JOIN snap_members m ON m.run_id = g.run_id AND m.id = g.grantee_id
LEFT JOIN snap_partners p ON p.run_id = g.run_id AND p.id = g.grantee_id
JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
JOIN access_roles r ON r.id = g.permission_id
WHERE g.run_id = `

const baselineOrder = ` ORDER BY coalesce(m.username, p.username) COLLATE NOCASE, k.kind, g.grantee_id, g.asset_id, g.permission_id`

// countingWriter counts bytes and lines, and notes when the first rows
// (the second write: the header leaves alone) arrived.
type countingWriter struct {
	bytes, lines, writes int64
	firstRows            time.Time
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	c.lines += int64(strings.Count(string(p), "\n"))
	if c.writes++; c.writes == 2 {
		c.firstRows = time.Now()
	}
	return len(p), nil
}

// rssKB reads this process's resident set size.
func rssKB() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// peakRSS samples the resident set every 10 ms until stop is called.
func peakRSS() (stop func() int64) {
	var mu sync.Mutex
	peak := rssKB()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if r := rssKB(); r > 0 {
					mu.Lock()
					peak = max(peak, r)
					mu.Unlock()
				}
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return max(peak, rssKB())
	}
}

// BenchmarkExportAccessXL exports the access list of the xl dataset (about
// a million grant permissions) and, in the same run, the sqlite3 tool's CSV
// of the same query as the baseline. It reports rows/s for both, their
// ratio, the growth of the Go heap and of the resident set during the
// export, and how long the first chunk of rows took to leave. The dataset
// size can be lowered with PINACCESS_BENCH_DATASET.
func BenchmarkExportAccessXL(b *testing.B) {
	ctx := context.Background()
	size := "xl"
	if s := os.Getenv("PINACCESS_BENCH_DATASET"); s != "" {
		size = s
	}
	d, err := sandbox.Generate(size, 1)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "pinaccess.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	id, run, err := inventorytest.Import(ctx, st, d, inventorytest.Integration{})
	if err != nil {
		b.Fatal(err)
	}
	want := 0
	for _, g := range d.Grants {
		want += len(g.Permissions)
	}
	d = nil
	runtime.GC()

	var rows, sqlite3Rows int64
	var exportTime, sqlite3Time time.Duration
	var heapGrowth, rssGrowth int64
	var firstRows time.Duration
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rss0 := rssKB()
		stop := peakRSS()
		w := &countingWriter{}
		t0 := time.Now()
		n, err := export.Write(ctx, w, st, export.Access, id, nil)
		exportTime += time.Since(t0)
		peak := stop()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err != nil {
			b.Fatal(err)
		}
		if n != int64(want) {
			b.Fatalf("exported %d rows, the dataset has %d grant permissions", n, want)
		}
		rows += n
		firstRows = max(firstRows, w.firstRows.Sub(t0))
		heapGrowth = max(heapGrowth, int64(after.HeapInuse)-int64(before.HeapInuse))
		rssGrowth = max(rssGrowth, (peak-rss0)*1024)

		t1 := time.Now()
		cmd := exec.CommandContext(ctx, "sqlite3", "-csv", "-readonly", path, baselineSQL+strconv.FormatInt(run.ID, 10)+baselineOrder)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		cw := &countingWriter{}
		io.Copy(cw, bufio.NewReaderSize(out, 1<<16))
		if err := cmd.Wait(); err != nil {
			b.Fatal(err)
		}
		sqlite3Time += time.Since(t1)
		sqlite3Rows += cw.lines
	}
	ours := float64(rows) / exportTime.Seconds()
	base := float64(sqlite3Rows) / sqlite3Time.Seconds()
	b.ReportMetric(ours, "rows/s")
	b.ReportMetric(base, "sqlite3-rows/s")
	b.ReportMetric(ours/base, "ratio")
	b.ReportMetric(float64(heapGrowth)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(rssGrowth)/(1<<20), "rss-growth-MB")
	b.ReportMetric(float64(want), "rows")
	b.ReportMetric(float64(firstRows.Microseconds())/1000, "first-rows-ms")
}
