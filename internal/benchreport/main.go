// Command benchreport is `make bench`: it measures pinaccess end to end on
// this machine and writes docs/benchmarks.md, its chart and a JSON file of
// the results.
//
// It builds the pinaccess binary once and drives it as a user would: a
// `pinaccess sandbox` process per dataset, `admin create`, `integration add`
// with a token obtained through the sandbox's OAuth consent, `pinaccess sync`
// as a child process whose rusage gives CPU time and peak memory, then
// `pinaccess serve` on the xl database for the browsing load and the CSV
// export. Baselines are measured in the same run: SQLite inserts of the same
// number of rows through modernc in one transaction, and the sqlite3 tool's
// CSV output of the export's query. The machine is shared and noisy, so the
// report puts ratios beside absolute times. Nothing here asserts a time.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"pinaccess/internal/sandbox"
)

// Config holds the harness's flags.
type Config struct {
	Datasets       []string
	Seed           int
	Latency        time.Duration
	LatencyDataset string
	LatencyQuota   int // ads_read per minute during the latency run
	Clients        int
	BrowseFor      time.Duration
	SingleFor      time.Duration
	WorkDir        string
	Report         string
	JSON           string
	Chart          string
	SQLite3        string
	Timeout        time.Duration
	Commit         string
	FromJSON       string
}

func main() {
	var c Config
	var datasets string
	flag.StringVar(&datasets, "datasets", "small,medium,large,xl", "datasets to import, smallest first; the last is browsed and exported")
	flag.IntVar(&c.Seed, "seed", 1, "sandbox dataset seed")
	flag.DurationVar(&c.Latency, "latency", 50*time.Millisecond, "latency injected per call in the latency run (0: skip it)")
	flag.StringVar(&c.LatencyDataset, "latency-dataset", "large", "dataset of the latency run")
	flag.IntVar(&c.LatencyQuota, "latency-quota", 6000, "the sandbox's ads_read quota per minute in the latency run")
	flag.IntVar(&c.Clients, "clients", 16, "concurrent clients of the browsing load")
	flag.DurationVar(&c.BrowseFor, "browse-for", 20*time.Second, "how long each page is loaded")
	flag.DurationVar(&c.SingleFor, "single-for", 5*time.Second, "how long each page is loaded by one client first (0: skip)")
	flag.StringVar(&c.WorkDir, "work", "bench/out", "scratch directory (databases, binary, logs)")
	flag.StringVar(&c.Report, "report", "docs/benchmarks.md", "the Markdown report to write")
	flag.StringVar(&c.JSON, "json", "bench/results.json", "the JSON results to write")
	flag.StringVar(&c.Chart, "chart", "docs/benchmarks-scaling.svg", "the scaling chart to write")
	flag.StringVar(&c.SQLite3, "sqlite3", "sqlite3", "the sqlite3 command-line tool for the export baseline")
	flag.DurationVar(&c.Timeout, "timeout", 14*time.Minute, "give up on what is left after this long")
	flag.StringVar(&c.FromJSON, "render", "", "only render the report, chart and summary again from this results `file`, measuring nothing")
	flag.StringVar(&c.Commit, "commit", "", "the commit measured, when the source is not a git checkout (default: git rev-parse HEAD)")
	if len(os.Args) > 1 && os.Args[1] == "sync-child" {
		if err := runSyncChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "sync-child:", err)
			os.Exit(1)
		}
		return
	}
	flag.Parse()
	c.Datasets = strings.Split(datasets, ",")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if c.FromJSON != "" {
		if err := rerender(c); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: %s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, c Config) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	began := time.Now()
	res := &Results{Command: "make bench", Machine: describeMachine(), Seed: c.Seed,
		Clients: c.Clients, BrowseSeconds: c.BrowseFor.Seconds(), SingleSeconds: c.SingleFor.Seconds()}
	if c.Commit != "" {
		res.Machine.Commit, res.Machine.Dirty = c.Commit, false
	}
	if err := os.MkdirAll(c.WorkDir, 0o755); err != nil {
		return err
	}
	work, err := filepath.Abs(c.WorkDir)
	if err != nil {
		return err
	}
	logf("building pinaccess")
	p, err := buildPinaccess(ctx, work)
	if err != nil {
		return err
	}
	p.Features = p.features(ctx)
	if !p.Features.IntegrationAdd {
		res.Fallbacks = append(res.Fallbacks, "`pinaccess integration add` does not exist yet: the harness recorded each connected integration through internal/store, with the sandbox token sealed under the same secret key.")
	}
	if !p.Features.SyncQuotaFlag {
		res.Fallbacks = append(res.Fallbacks, "`pinaccess sync` cannot be told the API quota (it paces its client at the integration's tier, Standard: ads_read 1,000 a minute), so each sync ran as a child process of the harness (`benchreport sync-child`) with the wiring of `pinaccess sync` (internal/importer's StoreConnector and Manager) and the client's quota set to the sandbox's.")
	}

	var last *imported
	for _, ds := range c.Datasets {
		logf("import %s", ds)
		r, imp := importDataset(ctx, p, work, SandboxSpec{Dataset: ds, Seed: c.Seed, QuotaPerMinute: unpacedQuota}, ds)
		res.Imports = append(res.Imports, r)
		if imp != nil {
			last = imp
		}
		if r.Error != "" {
			logf("import %s: %s", ds, r.Error)
		}
	}
	if c.Latency > 0 && c.LatencyDataset != "" {
		logf("import %s with %s latency", c.LatencyDataset, c.Latency)
		spec := SandboxSpec{Dataset: c.LatencyDataset, Seed: c.Seed, Latency: c.Latency, QuotaPerMinute: c.LatencyQuota}
		r, _ := importDataset(ctx, p, work, spec, c.LatencyDataset+"-latency")
		res.LatencyImport = &r
		if r.Error != "" {
			logf("latency import: %s", r.Error)
		}
	}

	browseDataset := c.Datasets[len(c.Datasets)-1]
	if last == nil || last.Dataset != browseDataset {
		why := fmt.Sprintf("the %s import did not succeed, so there was nothing to browse or export", browseDataset)
		res.missing("Browsing", why)
		res.missing("Export", why)
	} else {
		browseAndExport(ctx, p, c, last, res)
	}

	res.TotalSeconds = time.Since(began).Seconds()
	return writeOutputs(c, res)
}

// imported is a database left by a successful import.
type imported struct {
	Dataset       string
	DB            string
	IntegrationID int64
	Email         string
	Password      string
}

// importDataset starts a sandbox for spec, connects a new database to it and
// measures one `pinaccess sync`. The sandbox is stopped before returning.
func importDataset(ctx context.Context, p *Pinaccess, work string, spec SandboxSpec, name string) (ImportResult, *imported) {
	r := ImportResult{Dataset: spec.Dataset, Name: name, LatencyMs: ms(spec.Latency), QuotaPerMinute: spec.QuotaPerMinute}
	fail := func(err error) (ImportResult, *imported) {
		r.Error = err.Error()
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("not run: %w", err))
	}
	facts, err := generatedFacts(spec.Dataset, spec.Seed)
	if err != nil {
		return fail(err)
	}
	r.Facts = facts
	r.MinCalls = int64(facts.MinCalls)

	sb, err := p.startSandbox(ctx, spec)
	if err != nil {
		return fail(err)
	}
	defer sb.Stop()
	access, refresh, err := sandboxToken(ctx, sb.BaseURL)
	if err != nil {
		return fail(err)
	}

	db := filepath.Join(work, name, "pinaccess.db")
	os.RemoveAll(filepath.Dir(db))
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		return fail(err)
	}
	imp := &imported{Dataset: spec.Dataset, DB: db, Email: "bench@example.com", Password: "bench-password-1234"}
	if err := p.createAdmin(ctx, db, imp.Email, imp.Password); err != nil {
		return fail(err)
	}
	apiURL := sb.BaseURL + "/v5"
	if p.Features.IntegrationAdd {
		imp.IntegrationID, err = p.addIntegration(ctx, db, sandbox.DefaultBusinessID, apiURL, access, refresh)
	} else {
		imp.IntegrationID, err = p.addIntegrationStore(ctx, db, sandbox.DefaultBusinessID, access)
	}
	if err != nil {
		return fail(err)
	}
	cmd, err := p.syncCommand(ctx, p.Features, db, imp.IntegrationID, apiURL, spec.QuotaPerMinute)
	if err != nil {
		return fail(err)
	}
	r.Command = strings.Join(cmd.Args[1:], " ")
	usage, out, err := runMeasured(cmd)
	os.WriteFile(filepath.Join(filepath.Dir(db), "sync.log"), out, 0o644)
	r.WallSec, r.UserSec, r.SysSec = usage.Wall.Seconds(), usage.User.Seconds(), usage.Sys.Seconds()
	r.CPUSec = usage.CPU().Seconds()
	r.PeakRSSMB = usage.PeakRSSMB()
	if err != nil {
		return fail(err)
	}
	if err := readRunRecord(ctx, db, imp.IntegrationID, &r); err != nil {
		return fail(err)
	}
	if r.MinCalls > 0 {
		r.CallsOverMin = float64(r.APICalls)/float64(r.MinCalls) - 1
	}
	if r.Rows > 0 && r.WallSec > 0 {
		r.RowsPerSec = float64(r.Rows) / r.WallSec
	}
	if spec.Latency > 0 {
		r.BoundSec, r.Concurrency = latencyBound(r.APICalls, spec)
		if r.BoundSec > 0 {
			r.BoundRatio = r.WallSec / r.BoundSec
		}
	}
	if spec.Latency == 0 && r.Rows > 0 {
		b, err := insertBaseline(ctx, filepath.Dir(db), r.Rows)
		if err != nil {
			r.Error = "baseline: " + err.Error()
		} else {
			r.Baseline = &b
			os.Remove(filepath.Join(filepath.Dir(db), "baseline.db"))
		}
	}
	return r, imp
}

// browseAndExport serves the imported database and measures pages and the
// access export against it.
func browseAndExport(ctx context.Context, p *Pinaccess, c Config, imp *imported, res *Results) {
	srv, base, err := p.startServe(ctx, imp.DB)
	if err != nil {
		res.missing("Browsing", "pinaccess serve did not start: "+err.Error())
		res.missing("Export", "pinaccess serve did not start: "+err.Error())
		return
	}
	defer srv.Stop()
	s, err := login(ctx, base, imp.Email, imp.Password)
	if err != nil {
		res.missing("Browsing", "logging in failed: "+err.Error())
		res.missing("Export", "logging in failed: "+err.Error())
		return
	}
	times := newServerTimes()
	srv.OnLine(times.line)
	pages, err := browsePages(ctx, imp)
	if err != nil {
		res.missing("Browsing", err.Error())
	} else {
		b := &BrowseResult{Dataset: imp.Dataset, Clients: c.Clients}
		// As after a sync, the server prepares what its pages keep in the
		// background after it starts: the load measures the pages once it
		// has.
		logf("waiting for the server to prepare its inventories")
		select {
		case <-times.prepared:
			b.PreparedSeconds = times.preparedIn.Seconds()
		case <-time.After(5 * time.Minute):
			b.Skipped = append(b.Skipped, "the server did not say it had prepared its inventories within 5 minutes; the pages were loaded anyway")
		case <-ctx.Done():
		}
		for _, pg := range pages {
			if code, err := s.get(ctx, pg.Paths[0]); err != nil || code != 200 {
				b.Pages = append(b.Pages, PageLoad{Name: pg.Name, Paths: pg.Paths,
					LatencySummary: LatencySummary{StatusSeen: []int{code}}})
				why := fmt.Sprintf("answered %d", code)
				if err != nil {
					why = err.Error()
				}
				b.Skipped = append(b.Skipped, fmt.Sprintf("%s: `%s` %s, so it was not loaded", pg.Name, pg.Paths[0], why))
				continue
			}
			var single *LatencySummary
			if c.SingleFor > 0 {
				logf("browse %s: 1 client for %s", pg.Name, c.SingleFor)
				if l, err := loadPage(ctx, s, pg.Name, pg.Paths, 1, c.SingleFor); err == nil {
					single = &l.LatencySummary
				}
			}
			logf("browse %s: %d clients for %s", pg.Name, c.Clients, c.BrowseFor)
			times.take(0) // what came before is not this load's
			l, err := loadPage(ctx, s, pg.Name, pg.Paths, c.Clients, c.BrowseFor)
			if err != nil {
				b.Skipped = append(b.Skipped, pg.Name+": "+err.Error())
			}
			times.await(l.Requests, 2*time.Second)
			server := times.take(time.Duration(l.Seconds * float64(time.Second)))
			l.Single, l.Server = single, &server
			b.Pages = append(b.Pages, l)
		}
		if kb, err := procStatusKB(srv.PID(), "VmHWM"); err == nil {
			b.ServerPeakRSSMB = float64(kb) / 1024
		}
		res.Browse = b
	}

	logf("export access.csv")
	e, err := exportAccess(ctx, c, p, s, srv.PID(), imp)
	if err != nil {
		res.missing("Export", err.Error())
		return
	}
	res.Export = e
}

// exportAccess measures the access CSV over HTTP and through `pinaccess
// export`, then sqlite3's CSV of the same query.
func exportAccess(ctx context.Context, c Config, p *Pinaccess, s *Session, pid int, imp *imported) (*ExportResult, error) {
	e := &ExportResult{Path: fmt.Sprintf("/integrations/%d/export/access.csv", imp.IntegrationID)}
	httpRes, before, peak, err := httpExport(ctx, s, e.Path, pid)
	if err != nil {
		e.HTTPError = err.Error()
	} else {
		e.HTTP, e.ServerRSSBeforeMB, e.ServerPeakRSSMB = httpRes, before, peak
		e.GrowthMB = max(peak-before, 0)
	}
	if p.Features.Export {
		logf("export access.csv: pinaccess export")
		// Standard output, never -o: the command writes a file through a
		// temporary file and a rename, which must not be aimed at a device.
		cmd := p.Command(ctx, "export", "--db", imp.DB, strconv.FormatInt(imp.IntegrationID, 10), "access")
		r, err := streamCommand(cmd)
		if err == nil && r.Rows == 0 {
			err = errors.New("it wrote no rows")
		}
		if err == nil {
			e.CLI = &r
		} else if e.HTTPError != "" {
			e.HTTPError += "; pinaccess export: " + err.Error()
		}
	}
	if e.HTTPError != "" && e.CLI == nil {
		return nil, errors.New(e.HTTPError)
	}
	q, unordered, rows, err := accessExportQuery(ctx, imp.DB, imp.IntegrationID)
	if err != nil {
		return e, nil
	}
	e.Query, e.ExpectedRows = q, rows
	sqlite3, err := exec.LookPath(c.SQLite3)
	if err != nil {
		return e, nil
	}
	logf("export baseline: sqlite3")
	b, err := sqlite3Export(ctx, sqlite3, imp.DB, q)
	if err != nil {
		return e, nil
	}
	e.SQLite3 = b
	if b.RowsPerSec > 0 {
		e.Ratio = e.HTTP.RowsPerSec / b.RowsPerSec
		if e.CLI != nil {
			e.CLIRatio = e.CLI.RowsPerSec / b.RowsPerSec
		}
	}
	if u, err := sqlite3Export(ctx, sqlite3, imp.DB, unordered); err == nil {
		e.SQLite3Unordered = u
	}
	return e, nil
}

// rerender writes the outputs again from a results file, so a change to
// the report's wording needs no new measurement.
func rerender(c Config) error {
	b, err := os.ReadFile(c.FromJSON)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", c.FromJSON, err)
	}
	return writeOutputs(c, &res)
}

func writeOutputs(c Config, res *Results) error {
	svg := renderChart(scalingPanels(res))
	var errs []error
	for _, dir := range []string{filepath.Dir(c.Report), filepath.Dir(c.JSON), filepath.Dir(c.Chart)} {
		errs = append(errs, os.MkdirAll(dir, 0o755))
	}
	errs = append(errs, os.WriteFile(c.Chart, svg, 0o644))
	js, err := json.MarshalIndent(res, "", "  ")
	errs = append(errs, err, os.WriteFile(c.JSON, append(js, '\n'), 0o644))
	chartRel, _ := filepath.Rel(filepath.Dir(c.Report), c.Chart)
	errs = append(errs, os.WriteFile(c.Report, []byte(renderReport(res, chartRel)), 0o644))
	fmt.Print(summaryTable(res))
	return errors.Join(errs...)
}
