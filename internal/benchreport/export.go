package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// ExportResult compares the access CSV over HTTP with the sqlite3 tool's
// CSV of the same query.
type ExportResult struct {
	Path              string       `json:"path"`
	HTTPError         string       `json:"http_error,omitempty"`
	HTTP              StreamResult `json:"http"`
	ServerRSSBeforeMB float64      `json:"server_rss_before_mb"`
	ServerPeakRSSMB   float64      `json:"server_peak_rss_mb"` // sampled every 10 ms during the export
	GrowthMB          float64      `json:"growth_mb"`
	ExpectedRows      int64        `json:"expected_rows"` // grant rows of the current snapshot
	SQLite3           StreamResult `json:"sqlite3"`       // the same rows in the same order
	Query             string       `json:"sqlite3_query"`
	// SQLite3Unordered is the same query without ORDER BY: the cheapest
	// way sqlite3 can produce the rows, a floor rather than a peer.
	SQLite3Unordered StreamResult `json:"sqlite3_unordered"`
	// Ratio is the HTTP export's rows per second over sqlite3's.
	Ratio float64 `json:"ratio"`
	// CLI is `pinaccess export ID access` writing to a pipe, when the
	// command exists; CLIRatio its rows per second over sqlite3's.
	CLI      *StreamResult `json:"cli,omitempty"`
	CLIRatio float64       `json:"cli_ratio,omitempty"`
}

// httpExport downloads path with the session, counting rows as they
// arrive, while sampling the server's resident memory.
func httpExport(ctx context.Context, s *Session, path string, serverPID int) (StreamResult, float64, float64, error) {
	before, _ := procStatusKB(serverPID, "VmRSS")
	sampler := sampleRSS(serverPID, 10*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+path, nil)
	req.Header.Set("Cookie", s.Cookie)
	start := time.Now()
	// A redirect (to the login page, say) is a failed export, not a page
	// to follow.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		sampler.Stop()
		return StreamResult{}, 0, 0, fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		sampler.Stop()
		return StreamResult{}, 0, 0, fmt.Errorf("export %s: answered %s", path, resp.Status)
	}
	lines, n, first, err := countLines(resp.Body, start)
	el := time.Since(start)
	peak := sampler.Stop()
	if err != nil {
		return StreamResult{}, 0, 0, fmt.Errorf("export: reading: %w", err)
	}
	res := StreamResult{Rows: max(lines-1, 0), Bytes: n, Seconds: el.Seconds(), TTFBMs: ms(first)}
	res.RowsPerSec = float64(res.Rows) / el.Seconds()
	res.PeakRSSMB = float64(peak) / 1024
	return res, float64(before) / 1024, float64(peak) / 1024, nil
}
