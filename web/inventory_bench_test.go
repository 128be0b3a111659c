package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
	"pinaccess/web"
)

// benchXL is the xl dataset imported once per benchmark run into a
// database in a temporary directory that TestMain removes.
var benchXL struct {
	once sync.Once
	dir  string
	id   int64
	// a member, an asset they hold and a partner that can access it
	member, asset, partner string
	err                    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchXL.dir != "" {
		os.RemoveAll(benchXL.dir)
	}
	os.Exit(code)
}

func xlDatabase(b *testing.B) (string, int64) {
	b.Helper()
	benchXL.once.Do(func() {
		start := time.Now()
		d, err := sandbox.Generate("xl", 1)
		if err != nil {
			benchXL.err = err
			return
		}
		var partner sandbox.Partner
		benchXL.member, benchXL.asset, partner = crossLinked(d)
		benchXL.partner = partner.ID
		benchXL.dir, benchXL.err = os.MkdirTemp("", "pinaccess-bench-xl-")
		if benchXL.err != nil {
			return
		}
		ctx := context.Background()
		st, err := store.Open(ctx, filepath.Join(benchXL.dir, "pinaccess.db"))
		if err != nil {
			benchXL.err = err
			return
		}
		defer st.Close()
		var run store.Run
		benchXL.id, run, benchXL.err = inventorytest.Import(ctx, st, d, inventorytest.Integration{})
		b.Logf("imported xl (%d grants) in %s", run.Counts.Grants, time.Since(start).Round(time.Second))
	})
	if benchXL.err != nil {
		b.Fatal(benchXL.err)
	}
	// The generated dataset is garbage now: collect it, so that the
	// server's requests do not pay for scanning it.
	runtime.GC()
	return filepath.Join(benchXL.dir, "pinaccess.db"), benchXL.id
}

// BenchmarkInventoryPagesXL serves inventory pages of the xl dataset
// (about a million grants) to 16 concurrent clients, in process (the
// handler's ServeHTTP, so the figures are server-side), and reports the
// median and 99th percentile latency of each page.
//
//	go test -run '^$' -bench InventoryPagesXL -benchtime 400x ./web/
func BenchmarkInventoryPagesXL(b *testing.B) {
	dbPath, id := xlDatabase(b)
	srv := webtest.Start(b, webtest.Options{DBPath: dbPath, SecretKey: benchKey})
	srv.CreateAdmin(b, invAdmin, invPassword)
	c := srv.Client(b)
	c.Login(b, invAdmin, invPassword)
	cookies := c.Cookies()
	h, err := web.New(web.Deps{Store: srv.Store, Secrets: srv.Box, Config: srv.Config})
	if err != nil {
		b.Fatal(err)
	}

	// As serve does after a sync and at start.
	if err := srv.Store.WarmInventory(context.Background(), id); err != nil {
		b.Fatal(err)
	}
	grants, err := srv.Store.ListAccess(context.Background(), id, store.AccessQuery{ListQuery: store.ListQuery{PerPage: 1}})
	if err != nil {
		b.Fatal(err)
	}
	middle := strconv.Itoa((grants.Total/store.DefaultPerPage + 1) / 2)
	member, asset, partner := benchXL.member, benchXL.asset, benchXL.partner
	base := "/integrations/" + strconv.FormatInt(id, 10)
	pages := []struct{ name, path string }{
		{"overview", ""},
		{"roles", "/roles"},
		{"members", "/members"},
		{"members_search", "/members?q=garcia"},
		{"members_sorted_desc_page5", "/members?sort=username&dir=desc&page=5"},
		{"members_biz_admins", "/members?role=BIZ_ADMIN"},
		{"members_middle", "/members?page=1000"},
		{"partners", "/partners"},
		{"assets", "/assets"},
		{"assets_ad_accounts", "/assets?type=AD_ACCOUNT"},
		{"access", "/access"},
		{"access_by_asset", "/access?sort=asset"},
		{"access_by_permission_desc", "/access?sort=permission&dir=desc"},
		{"access_middle", "/access?page=" + middle},
		{"access_one_member", "/access?principal=" + member},
		{"access_admin", "/access?permission=ADMIN"},
		{"access_finance_manager", "/access?permission=FINANCE_MANAGER"},
		{"access_partners_admin_ours", "/access?principal_type=partner&permission=ADMIN&owner=ours"},
		{"access_search", "/access?q=rossi"},
		{"assets_service_only", "/assets?admin=service_only"},
		{"invites_stale", "/invites?status=PENDING&older_than=30"},
		{"pixels", "/pixels"},
		{"pixels_by_ad_account", "/pixels?sort=ad_account"},
		{"invites", "/invites"},
		{"syncs", "/syncs"},
		{"changes", "/changes"},
		{"member", "/members/" + member},
		{"partner", "/partners/" + partner},
		{"asset", "/assets/" + asset},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			var size atomic.Int64
			b.SetParallelism(max(1, 16/max(1, runtimeProcs())))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, base+p.path, nil)
					req.Header.Set("Accept-Encoding", "gzip") // as browsers send
					for _, ck := range cookies {
						req.AddCookie(ck)
					}
					w := httptest.NewRecorder()
					t0 := time.Now()
					h.ServeHTTP(w, req)
					mine = append(mine, time.Since(t0))
					size.Store(int64(w.Body.Len()))
					if w.Code != http.StatusOK {
						b.Errorf("%s: status %d", p.path, w.Code)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) == 0 {
				return
			}
			pct := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(size.Load())/1024, "KiB-gzipped")
			b.ReportMetric(0, "ns/op")
			if testing.Verbose() {
				b.Logf("%s: %d requests, p50 %.2f ms, p99 %.2f ms", p.path, len(lat), pct(0.5), pct(0.99))
			}
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkExportAccessHTTPXL downloads the access CSV of the xl dataset
// (about a million rows) over HTTP with gzip, as a browser would, and
// reports rows per second and how much the process's resident memory grew
// above what it was before the download (client and server share it).
//
//	go test -run '^$' -bench ExportAccessHTTPXL -benchtime 3x ./web/
func BenchmarkExportAccessHTTPXL(b *testing.B) {
	dbPath, id := xlDatabase(b)
	srv := webtest.Start(b, webtest.Options{DBPath: dbPath, SecretKey: benchKey})
	const admin = "export@example.com"
	srv.CreateAdmin(b, admin, invPassword)
	c := srv.Client(b)
	c.Login(b, admin, invPassword)
	path := srv.URL + "/integrations/" + strconv.FormatInt(id, 10) + "/export/access.csv"
	b.Run("access", func(b *testing.B) {
		client := &http.Client{}
		runtime.GC()
		debug.FreeOSMemory()
		before := rssKiB()
		var peak atomic.Int64
		peak.Store(before)
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if r := rssKiB(); r > peak.Load() {
						peak.Store(r)
					}
				}
			}
		}()
		var lines int64
		b.ResetTimer()
		for range b.N {
			req, _ := http.NewRequest(http.MethodGet, path, nil)
			for _, ck := range c.Cookies() {
				req.AddCookie(ck)
			}
			resp, err := client.Do(req) // asks for gzip and inflates it, as a browser
			if err != nil {
				b.Fatal(err)
			}
			n, err := countLines(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d, %v", resp.StatusCode, err)
			}
			lines = n
		}
		b.StopTimer()
		close(stop)
		<-sampled
		rows := float64(lines-1) * float64(b.N)
		b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(peak.Load()-before)/1024, "MiB-growth")
		b.ReportMetric(0, "ns/op")
	})
}

// benchKey is the secret key of the benchmarks' servers, which share one
// database.
var benchKey = bytes.Repeat([]byte{7}, 32)

func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// rssKiB is this process's resident set size.
func rssKiB() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}
