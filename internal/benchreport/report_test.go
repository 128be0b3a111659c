package main

import (
	"strings"
	"testing"
	"time"
)

func sampleResults() *Results {
	return &Results{
		Command: "make bench",
		Machine: Machine{CPU: "AMD EPYC", Cores: 2, MemoryGB: 23.5, OS: "linux/amd64", GoVersion: "go1.26.8",
			Commit: "0123456789abcdef", Date: time.Date(2026, 11, 27, 1, 2, 0, 0, time.UTC), LoadAvg: "0.5 0.4 0.3"},
		Seed: 1, TotalSeconds: 512, Clients: 16, BrowseSeconds: 20,
		Imports: []ImportResult{
			{Dataset: "small", Name: "small", WallSec: 0.4, CPUSec: 0.3, UserSec: 0.2, SysSec: 0.1, PeakRSSMB: 30, APICalls: 40, MinCalls: 40,
				Rows: 300, GrantRows: 200, RowsPerSec: 750, Baseline: &InsertBaseline{Rows: 300, Seconds: 0.01, RowsPerSec: 30000}},
			{Dataset: "large", Name: "large", WallSec: 12.5, CPUSec: 15, PeakRSSMB: 150, APICalls: 5600, MinCalls: 5200,
				Rows: 150000, GrantRows: 120000, RowsPerSec: 12000, CallsOverMin: 5600.0/5200 - 1,
				Baseline: &InsertBaseline{Rows: 150000, Seconds: 0.5, RowsPerSec: 300000}},
			{Dataset: "xl", Name: "xl", Error: "sync failed: token | revoked\nsecond line", MinCalls: 56000},
		},
		LatencyImport: &ImportResult{Dataset: "large", Name: "large-latency", LatencyMs: 50, QuotaPerMinute: 6000,
			WallSec: 60, BoundSec: 56, BoundRatio: 60.0 / 56, APICalls: 5600, Concurrency: 8},
		Browse: &BrowseResult{Dataset: "xl", Clients: 16, Pages: []PageLoad{
			{Name: "overview", Paths: []string{"/integrations/1"}, LatencySummary: LatencySummary{Requests: 1000, PerSecond: 50, P50Ms: 4, P99Ms: 20},
				Single: &LatencySummary{Requests: 100, P50Ms: 2.5, P99Ms: 3.5}, Server: &LatencySummary{Requests: 1000, P50Ms: 3, P99Ms: 9}},
			// Over the target as the client measures it, under it on the
			// server, where the target is.
			{Name: "access list", Paths: []string{"/integrations/1/access"}, LatencySummary: LatencySummary{Requests: 800, P50Ms: 14, P99Ms: 60},
				Server: &LatencySummary{Requests: 800, P50Ms: 6, P99Ms: 30}},
			{Name: "member detail", Paths: []string{"/integrations/1/members/5"}, LatencySummary: LatencySummary{Requests: 900, P50Ms: 12, P99Ms: 80, Errors: 2}},
		}},
		Missing: []Missing{{Section: "Export", Reason: "the export route answered 404"}},
	}
}

func targetByWhat(ts []Target, prefix string) (Target, bool) {
	for _, t := range ts {
		if strings.HasPrefix(t.What, prefix) {
			return t, true
		}
	}
	return Target{}, false
}

func TestTargetsSayWhatIsMetAndWhatIsNot(t *testing.T) {
	ts := targets(sampleResults())
	tests := []struct {
		what, verdict string
	}{
		{"sync of `large`, no injected latency", "**not met** (1.25× the target)"},
		{"sync of `large`: peak memory", "met (0.79× the target)"}, // 150 MiB = 157.3 MB
		{"`small`: API calls", "met"},
		{"`large`: API calls", "**not met**"}, // 7.7% over
		{"`large`, 50 ms latency", "met"},     // 1.07× the bound
		{"latency run: no 429", "met"},
		{"overview:", "met"},
		{"member detail:", "**not met**"},
		{"access list:", "met"},
		{"access CSV", "not measured"},
	}
	for _, tt := range tests {
		got, ok := targetByWhat(ts, tt.what)
		if !ok {
			t.Errorf("no target %q in %+v", tt.what, ts)
			continue
		}
		if got.Verdict != tt.verdict {
			t.Errorf("%q: verdict %q, want %q (measured %q)", tt.what, got.Verdict, tt.verdict, got.Measured)
		}
	}
	if _, ok := targetByWhat(ts, "`xl`: API calls"); ok {
		t.Error("a failed import must not be judged on its calls")
	}
}

func TestReportStatesMachineNumbersAndGaps(t *testing.T) {
	md := renderReport(sampleResults(), "benchmarks-scaling.svg")
	for _, want := range []string{
		"`make bench`", "2026-11-27 01:02", "AMD EPYC", "| Cores | 2 |", "go1.26.8", "`0123456789abcdef`",
		"| large | 120,000 | 150,000 | 12.50 |",  // dataset row with grouped thousands
		"25.0×",                                  // import ÷ baseline time for large
		"+7.7%",                                  // calls over the minimum
		"failed: sync failed: token \\| revoked", // errors stay inside their table cell
		"**Export**: the export route answered 404",
		"![Import time and peak memory against rows written, log-log](benchmarks-scaling.svg)",
		"| overview (e.g. `/integrations/1`) | 1 | 1,000 | 50 | 3.0 | 9.0 | 4.0 |", // server, then client
		"| — | — | 12.0 |",  // no server log for member detail
		"| 0 | 2.5 | 3.5 |", // no errors, then the single client's percentiles
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Every table row has as many cells as its header.
	var cols int
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("line %d has %d cells, its table %d: %s", i+1, n-1, cols-1, line)
		}
	}
}

func TestSummaryTableListsEveryImportAndTarget(t *testing.T) {
	s := summaryTable(sampleResults())
	for _, want := range []string{"small", "large-latency", "xl", "failed: sync failed", "overview", "not measured: Export", "targets:"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseIntegrationID(t *testing.T) {
	for out, want := range map[string]int64{
		"added integration 3 for business 482344901002451200\n": 3,
		"integration id=12\n":                 12,
		"482344901002451200 connected as 7\n": 7,
	} {
		got, err := parseIntegrationID(out)
		if err != nil || got != want {
			t.Errorf("parseIntegrationID(%q) = %d, %v; want %d", out, got, err, want)
		}
	}
	if _, err := parseIntegrationID("done\n"); err == nil {
		t.Error("no number: want an error")
	}
}

func TestExportTargetsAndRatios(t *testing.T) {
	res := sampleResults()
	res.Missing = nil
	res.Export = &ExportResult{Path: "/integrations/1/export/access.csv",
		HTTP:              StreamResult{Rows: 1_000_000, Bytes: 90e6, Seconds: 2.5, TTFBMs: 3, RowsPerSec: 400_000},
		ServerRSSBeforeMB: 40, ServerPeakRSSMB: 65, GrowthMB: 25,
		SQLite3:          StreamResult{Rows: 1_000_000, Seconds: 1, RowsPerSec: 1_000_000},
		SQLite3Unordered: StreamResult{Rows: 1_000_000, Seconds: 0.5, RowsPerSec: 2_000_000},
		Ratio:            0.4, ExpectedRows: 1_000_000, Query: "SELECT 1;"}
	ts := targets(res)
	if got, _ := targetByWhat(ts, "access CSV of `xl` over HTTP"); got.Verdict != "met (1.33× the target)" {
		t.Errorf("rows/s verdict %q", got.Verdict)
	}
	if got, _ := targetByWhat(ts, "access CSV: memory growth"); got.Verdict != "**not met**" || got.Measured != "25.0 MiB (26.2 MB)" {
		t.Errorf("memory verdict %+v", got)
	}
	md := renderReport(res, "c.svg")
	for _, want := range []string{"| pinaccess over HTTP | 1,000,000 | 90.0 | 2.50 | 3.0 | 400,000 | 0.40 | server RSS 40.0 → peak 65.0 MiB (growth 25.0 MiB) |",
		"| sqlite3 CLI, same order (baseline) | 1,000,000 |", "| sqlite3 CLI, no ORDER BY (floor) | 1,000,000 | 0.0 | 0.50 | 0.0 | 2,000,000 | 2.00 |", "SELECT 1;"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// The HTTP route failing: the CLI's rate is judged, the memory target
	// is not measured, and the failure is shown.
	res.Export.HTTPError = "export: answered 404 Not Found"
	res.Export.CLI = &StreamResult{Rows: 1_000_000, Seconds: 4, RowsPerSec: 250_000, PeakRSSMB: 30}
	res.Export.CLIRatio = 0.25
	ts = targets(res)
	if got, _ := targetByWhat(ts, "access CSV of `xl` (`pinaccess export`"); got.Verdict != "**not met** (0.83× the target)" {
		t.Errorf("CLI verdict %+v", got)
	}
	if got, _ := targetByWhat(ts, "access CSV: memory growth"); got.Verdict != "not measured" {
		t.Errorf("memory verdict without HTTP %+v", got)
	}
	md = renderReport(res, "c.svg")
	if !strings.Contains(md, "failed: export: answered 404 Not Found") || !strings.Contains(md, "| `pinaccess export` | 1,000,000 |") {
		t.Errorf("report does not show the HTTP failure and the CLI row:\n%s", md)
	}
}
