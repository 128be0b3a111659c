package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Targets from the feature issues, checked in the report (never asserted).
const (
	targetLargeWallSec   = 10.0
	targetLargeRSSMB     = 200.0
	targetCallsOverMin   = 0.05
	targetBoundRatio     = 1.15
	targetP50Ms          = 10.0
	targetP99Ms          = 50.0
	targetExportRowsPerS = 300_000.0
	targetExportGrowthMB = 20.0
)

// scalingPanels draws import time and memory against dataset size.
func scalingPanels(res *Results) []Panel {
	var wall, cpu, base, rss []Point
	for _, r := range res.Imports {
		if r.Error != "" || r.Rows == 0 {
			continue
		}
		x := float64(r.Rows)
		wall = append(wall, Point{X: x, Y: r.WallSec, Label: r.Dataset})
		cpu = append(cpu, Point{X: x, Y: r.CPUSec, Label: ""})
		rss = append(rss, Point{X: x, Y: r.PeakRSSMB, Label: r.Dataset})
		if r.Baseline != nil {
			base = append(base, Point{X: x, Y: r.Baseline.Seconds})
		}
	}
	return []Panel{
		{Title: "Import time vs dataset size", XLabel: "rows written (log)", YLabel: "seconds (log)", Linear: true,
			Series: []Series{
				{Name: "wall time", Color: "#2563eb", Points: wall},
				{Name: "CPU time (user+sys)", Color: "#d97706", Points: cpu},
				{Name: "baseline: bare SQLite insert", Color: "#6b7280", Points: base},
			}},
		{Title: "Import peak memory vs dataset size", XLabel: "rows written (log)", YLabel: "peak RSS, MiB (log)", Linear: true,
			Series: []Series{{Name: "peak RSS of pinaccess sync", Color: "#059669", Points: rss}}},
	}
}

// Formatting helpers.
func f0(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// thousands writes n with comma separators: 1234567 → 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func pct(v float64) string { return fmt.Sprintf("%+.1f%%", v*100) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// Target is one performance target of a feature issue and how this run
// did against it.
type Target struct {
	Issue, What, Measured, Verdict string
}

// targets checks each issue's targets against res; a target whose
// measurement is missing says so.
func targets(res *Results) []Target {
	var out []Target
	var large *ImportResult
	for i := range res.Imports {
		if res.Imports[i].Dataset == "large" {
			large = &res.Imports[i]
		}
	}
	notMeasured := func(issue, what, why string) {
		out = append(out, Target{issue, what, why, "not measured"})
	}
	if large != nil && large.Error == "" {
		out = append(out,
			Target{"#6", "sync of `large`, no injected latency: wall < 10 s", f2(large.WallSec) + " s",
				verdict(large.WallSec < targetLargeWallSec) + byHowMuch(large.WallSec, targetLargeWallSec)},
			Target{"#6", "sync of `large`: peak memory < 200 MB", mibAndMB(large.PeakRSSMB),
				verdict(mb(large.PeakRSSMB) < targetLargeRSSMB) + byHowMuch(mb(large.PeakRSSMB), targetLargeRSSMB)})
	} else {
		notMeasured("#6", "sync of `large`: wall < 10 s, peak memory < 200 MB", "the large import did not run")
	}
	for _, r := range res.Imports {
		if r.Error == "" && r.MinCalls > 0 {
			out = append(out, Target{"#6", fmt.Sprintf("`%s`: API calls within 5%% of the documented minimum", r.Dataset),
				fmt.Sprintf("%s calls, minimum %s (%s)", thousands(r.APICalls), thousands(r.MinCalls), pct(r.CallsOverMin)),
				verdict(r.CallsOverMin <= targetCallsOverMin)})
		}
	}
	if l := res.LatencyImport; l != nil && l.Error == "" {
		out = append(out,
			Target{"#6", fmt.Sprintf("`%s`, %s ms latency, ads_read %d/min: wall ≤ 1.15 × bound", l.Dataset, f0(l.LatencyMs), l.QuotaPerMinute),
				fmt.Sprintf("%s s vs bound %s s (%s×)", f1(l.WallSec), f1(l.BoundSec), f2(l.BoundRatio)),
				verdict(l.BoundRatio <= targetBoundRatio)},
			Target{"#6", "latency run: no 429 answered", fmt.Sprintf("%d retries recorded by the run", l.Retries),
				retryVerdict(l.Retries)})
	} else {
		why := "the latency run did not run"
		if l != nil {
			why = "the latency run failed: " + firstLine(l.Error)
		}
		notMeasured("#6", "latency run: wall ≤ 1.15 × bound, no 429", why)
	}
	if b := res.Browse; b != nil {
		for _, p := range b.Pages {
			if p.Requests == 0 {
				notMeasured("#7", p.Name+": p50 < 10 ms, p99 < 50 ms", "not loaded (see Browsing)")
				continue
			}
			// The target is the server's time; without its log, the
			// client's (which includes it) stands in.
			sp, where := p.LatencySummary, "client-side"
			if p.Server != nil && p.Server.Requests > 0 {
				sp, where = *p.Server, "server-side"
			}
			ok := sp.P50Ms < targetP50Ms && sp.P99Ms < targetP99Ms && p.Errors == 0
			measured := fmt.Sprintf("%s p50 %s ms, p99 %s ms, %d errors", where, f1(sp.P50Ms), f1(sp.P99Ms), p.Errors)
			if where == "server-side" {
				measured += fmt.Sprintf(" (client-side p50 %s ms, p99 %s ms)", f1(p.P50Ms), f1(p.P99Ms))
			}
			out = append(out, Target{"#7", p.Name + ": p50 < 10 ms, p99 < 50 ms server-side (16 clients)", measured, verdict(ok)})
		}
	} else {
		notMeasured("#7", "pages at p50 < 10 ms, p99 < 50 ms", "browsing was not measured (see below)")
	}
	switch e := res.Export; {
	case e != nil && e.HTTPError == "":
		out = append(out,
			Target{"#8", "access CSV of `xl` over HTTP: ≥ 300,000 rows/s", thousands(int64(e.HTTP.RowsPerSec)) + " rows/s",
				verdict(e.HTTP.RowsPerSec >= targetExportRowsPerS) + byHowMuch(e.HTTP.RowsPerSec, targetExportRowsPerS)},
			Target{"#8", "access CSV: memory growth < 20 MB", mibAndMB(e.GrowthMB),
				verdict(mb(e.GrowthMB) < targetExportGrowthMB)})
	case e != nil && e.CLI != nil:
		out = append(out,
			Target{"#8", "access CSV of `xl` (`pinaccess export`; the HTTP route failed): ≥ 300,000 rows/s", thousands(int64(e.CLI.RowsPerSec)) + " rows/s",
				verdict(e.CLI.RowsPerSec >= targetExportRowsPerS) + byHowMuch(e.CLI.RowsPerSec, targetExportRowsPerS)})
		notMeasured("#8", "access CSV: memory growth < 20 MB", "the HTTP export failed: "+firstLine(e.HTTPError))
	default:
		notMeasured("#8", "access CSV: ≥ 300,000 rows/s, memory growth < 20 MB", "the export was not measured (see below)")
	}
	return out
}

// mb converts MiB, as /proc reports memory, to the MB the targets are
// written in.
func mb(mib float64) float64 { return mib * (1 << 20) / 1e6 }

func mibAndMB(mib float64) string { return f1(mib) + " MiB (" + f1(mb(mib)) + " MB)" }

func retryVerdict(retries int64) string {
	if retries == 0 {
		return "met"
	}
	return "**not met** (or retries for another reason)"
}

// byHowMuch says how far a measurement is from its target, e.g. " (2.3× the target)".
func byHowMuch(got, target float64) string {
	if target == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s× the target)", f2(got/target))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// renderReport writes docs/benchmarks.md.
func renderReport(res *Results, chartPath string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := res.Machine
	w("# Benchmarks\n\n")
	w("Measured by `%s` on %s UTC (the whole run took %s s). This file, `bench/results.json` and the chart are written by that command; rerun it to refresh them.\n\n",
		res.Command, m.Date.Format("2006-01-02 15:04"), f0(res.TotalSeconds))
	dirty := ""
	if m.Dirty {
		dirty = " (with uncommitted changes)"
	}
	w("| Machine | |\n|---|---|\n")
	w("| CPU | %s |\n| Cores | %d |\n| Memory | %s GiB |\n| OS | %s |\n| Go | %s |\n| Commit | `%s`%s |\n| Load average at start | %s |\n\n",
		m.CPU, m.Cores, f1(m.MemoryGB), m.OS, m.GoVersion, m.Commit, dirty, m.LoadAvg)
	w("The machine is shared and its timings drift from run to run; the baselines below are measured in the same run so that the ratios hold even when absolute times move. Every process (the sandbox, pinaccess, the load generator, sqlite3) runs on the same %d cores, so a measurement also pays for whatever runs beside it.\n\n", m.Cores)

	w("## Targets\n\n| Issue | Target | Measured | Verdict |\n|---|---|---|---|\n")
	for _, t := range targets(res) {
		w("| %s | %s | %s | %s |\n", t.Issue, t.What, t.Measured, t.Verdict)
	}
	w("\n")
	if len(res.Missing) > 0 {
		w("## Not measured in this run\n\n")
		for _, ms := range res.Missing {
			w("- **%s**: %s\n", ms.Section, oneLine(ms.Reason))
		}
		w("\n")
	}

	if len(res.Fallbacks) > 0 {
		w("## Stand-ins used\n\nSome pinaccess commands or flags the harness drives did not exist when this run was made; the harness stood in for them, and each stand-in is named here:\n\n")
		for _, f := range res.Fallbacks {
			w("- %s\n", f)
		}
		w("\n")
	}
	w("## 1. Import\n\n")
	w("Each dataset is served by its own `pinaccess sandbox --dataset NAME --seed %d` process; a new database gets an admin (`pinaccess admin create`) and an integration (`pinaccess integration add --token-stdin`, with a token from the sandbox's OAuth consent and code exchange); then `pinaccess sync ID` runs as a child process. Wall time is the child's; CPU time is its rusage (user+sys); peak memory is its VmHWM from /proc, sampled every 2 ms while it runs (its ru_maxrss would not do: Linux folds the parent's high-water mark into a vfork-started child's at exec, so it would report the harness's own peak). API calls are the run record's `api_calls_total`; the minimum follows the strategy documented at the top of `internal/importer/fetch.go`, computed from the generated dataset. Rows are the snapshot's rows (members, partners, assets, grant rows, pixels and invites).\n\n", res.Seed)
	w("The baseline inserts the same number of rows into a table shaped like `snap_grants` (WITHOUT ROWID, same secondary index) with modernc's SQLite, the store's pragmas, one prepared statement and one transaction: the physical floor of writing that many rows. The import does more per row (several tables, text columns, search keys, the changes against the previous snapshot, the API calls and JSON decoding), so the ratio says how much of its time is more than writing.\n\n")
	w("| Dataset | Grant rows | Rows written | Wall s | CPU s (user+sys) | Peak RSS MiB | API calls | Minimum | Over minimum | Rows/s | Baseline rows/s | Import ÷ baseline time |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range res.Imports {
		if r.Error != "" {
			w("| %s | %s | — | — | — | — | — | %s | — | — | — | failed: %s |\n", r.Dataset, thousands(int64(r.Facts.GrantRows)), thousands(r.MinCalls), oneLine(firstLine(r.Error)))
			continue
		}
		baseRate, ratio := "—", "—"
		if r.Baseline != nil && r.Baseline.Seconds > 0 {
			baseRate = thousands(int64(r.Baseline.RowsPerSec))
			ratio = f1(r.WallSec/r.Baseline.Seconds) + "×"
		}
		w("| %s | %s | %s | %s | %s (%s+%s) | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Dataset, thousands(r.GrantRows), thousands(r.Rows), f2(r.WallSec), f2(r.CPUSec), f2(r.UserSec), f2(r.SysSec),
			f1(r.PeakRSSMB), thousands(r.APICalls), thousands(r.MinCalls), pct(r.CallsOverMin),
			thousands(int64(r.RowsPerSec)), baseRate, ratio)
	}
	w("\n")
	w("The sandbox and the client are given a quota of %s calls a minute per category in these runs, so that they measure pinaccess rather than Pinterest's quotas.\n\n", thousands(unpacedQuota))
	for _, r := range res.Imports {
		if r.Error == "" {
			w("- `%s`: `%s`; strategy `%s`; %d retries.\n", r.Dataset, shortCommand(r.Command), oneLine(r.Strategy), r.Retries)
		}
	}
	w("\n")
	if l := res.LatencyImport; l != nil {
		w("### `%s` with %s ms injected latency\n\n", l.Dataset, f0(l.LatencyMs))
		w("The sandbox adds %s ms before every API answer and allows %d ads_read calls a minute. The bound is the least time the calls can take: calls ÷ min(quota rate, client concurrency ÷ latency) = %s ÷ min(%s/s, %d ÷ %s s).\n\n",
			f0(l.LatencyMs), l.QuotaPerMinute, thousands(l.APICalls), f0(float64(l.QuotaPerMinute)/60), l.Concurrency, f2(l.LatencyMs/1000))
		if l.Error != "" {
			w("Failed: %s\n\n", oneLine(l.Error))
		} else {
			w("| Wall s | Bound s | Wall ÷ bound | API calls | Retries | CPU s | Peak RSS MiB |\n|---:|---:|---:|---:|---:|---:|---:|\n")
			w("| %s | %s | %s | %s | %d | %s | %s |\n\n", f2(l.WallSec), f2(l.BoundSec), f2(l.BoundRatio), thousands(l.APICalls), l.Retries, f2(l.CPUSec), f1(l.PeakRSSMB))
		}
	}

	w("## 2. Browsing\n\n")
	if br := res.Browse; br != nil {
		w("`pinaccess serve --sandbox off --log-level info` on the `%s` database; a logged-in admin's cookie; [vegeta](https://github.com/tsenart/vegeta) (as a Go library) with %d concurrent clients in a closed loop (each sends its next request when its answer has arrived) for %s s per kind of page, cycling through the listed URLs. The server-side latencies are the durations the server's request log gives for the same requests (from the request's arrival in the handler chain to its last byte written); the client-side ones are measured by the client over loopback, so they add the client's share of the 2 cores and the time a request waits for the server to accept it. An error is any answer but 200.\n\n",
			br.Dataset, br.Clients, f0(res.BrowseSeconds))
		w("| Page | URLs | Requests | Requests/s | Server p50 ms | Server p99 ms | Client p50 ms | Client p90 ms | Client p99 ms | Client max ms | Errors | 1 client: p50 ms | 1 client: p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range br.Pages {
			if p.Requests == 0 {
				w("| %s (e.g. `%s`) | %d | not loaded | — | — | — | — | — | — | — | — | — | — |\n", p.Name, firstPath(p.Paths), len(p.Paths))
				continue
			}
			s50, s99 := "—", "—"
			if p.Single != nil && p.Single.Requests > 0 {
				s50, s99 = f1(p.Single.P50Ms), f1(p.Single.P99Ms)
			}
			v50, v99 := "—", "—"
			if p.Server != nil && p.Server.Requests > 0 {
				v50, v99 = f1(p.Server.P50Ms), f1(p.Server.P99Ms)
			}
			w("| %s (e.g. `%s`) | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |\n", p.Name, firstPath(p.Paths), len(p.Paths), thousands(int64(p.Requests)),
				f0(p.PerSecond), v50, v99, f1(p.P50Ms), f1(p.P90Ms), f1(p.P99Ms), f1(p.MaxMs), p.Errors, s50, s99)
		}
		w("\nWith 16 clients in a closed loop on 2 cores, a request mostly waits for the others: by Little's law the mean latency is about 16 ÷ requests/s, so the 16-client percentiles measure throughput as much as the time one page takes; the 1-client columns (each page loaded alone for %s s first) show that time.\n", f0(res.SingleSeconds))
		if br.PreparedSeconds > 0 {
			w("\nThe load began once the server had prepared what its inventory pages keep per snapshot (in the background after it starts, as after every sync): that took %s s.\n", f1(br.PreparedSeconds))
		}
		w("\nServer peak RSS (VmHWM) after the load: %s MiB.\n\n", f1(br.ServerPeakRSSMB))
		for _, s := range br.Skipped {
			w("- %s\n", oneLine(s))
		}
		if len(br.Skipped) > 0 {
			w("\n")
		}
	} else {
		w("Not measured in this run (see above).\n\n")
	}

	w("## 3. Export\n\n")
	if e := res.Export; e != nil {
		w("`GET %s` (every grant row of the current snapshot, unfiltered) read to the end by a Go client that counts lines, while the server's VmRSS is sampled every 10 ms; `pinaccess export ID access` writing to a pipe read the same way; the baseline is `sqlite3 -readonly -csv -header` on the same database file producing the same rows (query below), its output read the same way.\n\n", e.Path)
		w("| | Rows | MB | Seconds | Time to first byte ms | Rows/s | ÷ sqlite3 | Memory |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
		if e.HTTPError == "" {
			w("| pinaccess over HTTP | %s | %s | %s | %s | %s | %s | server RSS %s → peak %s MiB (growth %s MiB) |\n",
				thousands(e.HTTP.Rows), f1(float64(e.HTTP.Bytes)/1e6), f2(e.HTTP.Seconds), f1(e.HTTP.TTFBMs), thousands(int64(e.HTTP.RowsPerSec)),
				ratioCell(e.Ratio), f1(e.ServerRSSBeforeMB), f1(e.ServerPeakRSSMB), f1(e.GrowthMB))
		} else {
			w("| pinaccess over HTTP | — | — | — | — | — | — | failed: %s |\n", oneLine(e.HTTPError))
		}
		if c := e.CLI; c != nil {
			w("| `pinaccess export` | %s | %s | %s | %s | %s | %s | peak RSS %s MiB |\n", thousands(c.Rows), f1(float64(c.Bytes)/1e6), f2(c.Seconds),
				f1(c.TTFBMs), thousands(int64(c.RowsPerSec)), ratioCell(e.CLIRatio), f1(c.PeakRSSMB))
		}
		if s := e.SQLite3; s.Rows > 0 {
			w("| sqlite3 CLI, same order (baseline) | %s | %s | %s | %s | %s | 1 | peak RSS %s MiB |\n", thousands(s.Rows), f1(float64(s.Bytes)/1e6), f2(s.Seconds),
				f1(s.TTFBMs), thousands(int64(s.RowsPerSec)), f1(s.PeakRSSMB))
			if u := e.SQLite3Unordered; u.Rows > 0 && s.RowsPerSec > 0 {
				w("| sqlite3 CLI, no ORDER BY (floor) | %s | %s | %s | %s | %s | %s | peak RSS %s MiB |\n", thousands(u.Rows), f1(float64(u.Bytes)/1e6), f2(u.Seconds),
					f1(u.TTFBMs), thousands(int64(u.RowsPerSec)), f2(u.RowsPerSec/s.RowsPerSec), f1(u.PeakRSSMB))
			}
			w("\n")
			w("Grant rows in the snapshot: %s.\n\n", thousands(e.ExpectedRows))
			w("The baseline is the plain join of the access rows in the export's default order (by principal name); the floor is the same join without ORDER BY, the cheapest way for sqlite3 to produce the rows. The ratios compare rows per second with the ordered baseline.\n\n")
			w("<details><summary>The baseline query</summary>\n\n```sql\n%s\n```\n</details>\n\n", e.Query)
		} else {
			w("\nThe sqlite3 baseline did not run.\n\n")
		}
	} else {
		w("Not measured in this run (see above).\n\n")
	}

	w("## 4. Scaling\n\n")
	w("![Import time and peak memory against rows written, log-log](%s)\n\n", chartPath)
	w("Both axes are logarithmic; a dashed line has slope 1 (cost proportional to size) through the largest dataset, so points on it mean linear growth and points above it at the small end mean a fixed cost (process start, schema, pacing).\n\n")
	w("| Dataset | Rows written | Wall µs per row | CPU µs per row | Peak RSS MiB |\n|---|---:|---:|---:|---:|\n")
	for _, r := range res.Imports {
		if r.Error == "" && r.Rows > 0 {
			w("| %s | %s | %s | %s | %s |\n", r.Dataset, thousands(r.Rows), f1(r.WallSec/float64(r.Rows)*1e6), f1(r.CPUSec/float64(r.Rows)*1e6), f1(r.PeakRSSMB))
		}
	}
	w("\n## Reproducing\n\n")
	w("`make bench` runs `go run ./internal/benchreport`, which builds `pinaccess` once, runs everything above and prints a summary table; here it took %s s in all (it must stay under 15 minutes on 2 cores). Scratch databases and logs go to `bench/out/` (ignored by git). `make bench BENCHFLAGS='-h'` lists the harness's flags: the datasets, the latency run, the number of clients, how long each page is loaded. CI does not run it, and nothing in it is asserted: the verdicts above are for reading.\n", f0(res.TotalSeconds))
	return b.String()
}

// shortCommand drops the scratch paths from a measured command line.
func shortCommand(cmd string) string {
	var out []string
	for _, f := range strings.Fields(cmd) {
		if strings.Contains(f, "/") && !strings.HasPrefix(f, "http") {
			f = "…/" + f[strings.LastIndex(f, "/")+1:]
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

func ratioCell(r float64) string {
	if r == 0 {
		return "—"
	}
	return f2(r)
}

func firstPath(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	return paths[0]
}

// oneLine keeps a message on one table row.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// summaryTable is what `make bench` prints at the end.
func summaryTable(res *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-34s %12s %10s %10s %12s\n", "import", "wall s", "CPU s", "RSS MiB", "calls/min")
	for _, r := range append(append([]ImportResult{}, res.Imports...), derefImport(res.LatencyImport)...) {
		if r.Error != "" {
			fmt.Fprintf(&b, "%-34s failed: %s\n", r.Name, firstLine(r.Error))
			continue
		}
		fmt.Fprintf(&b, "%-34s %12s %10s %10s %12s\n", r.Name, f2(r.WallSec), f2(r.CPUSec), f1(r.PeakRSSMB),
			fmt.Sprintf("%d/%d", r.APICalls, r.MinCalls))
	}
	if br := res.Browse; br != nil {
		fmt.Fprintf(&b, "\n%-34s %12s %14s %14s %14s %14s %8s\n", "page", "req/s", "server p50 ms", "server p99 ms", "client p50 ms", "client p99 ms", "errors")
		for _, p := range br.Pages {
			v50, v99 := "-", "-"
			if p.Server != nil && p.Server.Requests > 0 {
				v50, v99 = f1(p.Server.P50Ms), f1(p.Server.P99Ms)
			}
			fmt.Fprintf(&b, "%-34s %12s %14s %14s %14s %14s %8d\n", p.Name, f0(p.PerSecond), v50, v99, f1(p.P50Ms), f1(p.P99Ms), p.Errors)
		}
	}
	if e := res.Export; e != nil {
		if e.HTTPError == "" {
			fmt.Fprintf(&b, "\nexport access.csv over HTTP: %s rows/s (sqlite3 %s rows/s, ratio %s), TTFB %s ms, memory growth %s MiB\n",
				thousands(int64(e.HTTP.RowsPerSec)), thousands(int64(e.SQLite3.RowsPerSec)), f2(e.Ratio), f1(e.HTTP.TTFBMs), f1(e.GrowthMB))
		}
		if e.CLI != nil {
			fmt.Fprintf(&b, "pinaccess export access: %s rows/s (ratio to sqlite3 %s), peak RSS %s MiB\n",
				thousands(int64(e.CLI.RowsPerSec)), f2(e.CLIRatio), f1(e.CLI.PeakRSSMB))
		}
	}
	for _, m := range res.Missing {
		fmt.Fprintf(&b, "not measured: %s: %s\n", m.Section, firstLine(m.Reason))
	}
	fmt.Fprintf(&b, "\ntargets:\n")
	for _, t := range targets(res) {
		fmt.Fprintf(&b, "  %-4s %-70s %s\n", t.Issue, strings.ReplaceAll(t.What, "`", ""), strings.ReplaceAll(t.Verdict, "*", ""))
	}
	return b.String()
}

func derefImport(r *ImportResult) []ImportResult {
	if r == nil {
		return nil
	}
	return []ImportResult{*r}
}
