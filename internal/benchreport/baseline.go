package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// InsertBaseline is the physical floor of an import: rows inserted into a
// table shaped like snap_grants with modernc's SQLite, the store's pragmas,
// one prepared statement and one transaction.
type InsertBaseline struct {
	Rows       int64   `json:"rows"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rows_per_second"`
}

// insertBaseline inserts rows rows into a new database in dir.
func insertBaseline(ctx context.Context, dir string, rows int64) (InsertBaseline, error) {
	path := filepath.Join(dir, "baseline.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "cache_size(-32000)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return InsertBaseline{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE grants (
		run_id INTEGER NOT NULL, grantee_id INTEGER NOT NULL, asset_id INTEGER NOT NULL, permission_id INTEGER NOT NULL,
		PRIMARY KEY (run_id, grantee_id, asset_id, permission_id)) STRICT, WITHOUT ROWID;
		CREATE INDEX grants_asset ON grants (run_id, asset_id, grantee_id);`); err != nil {
		return InsertBaseline{}, fmt.Errorf("baseline schema: %w", err)
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return InsertBaseline{}, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO grants (run_id, grantee_id, asset_id, permission_id) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return InsertBaseline{}, err
	}
	for i := range rows {
		// (grantee, permission) is unique per i; assets are spread out so
		// the secondary index sees realistic, unordered keys.
		if _, err := stmt.ExecContext(ctx, 1, i/16, (i*7919)%1000003, i%16); err != nil {
			return InsertBaseline{}, fmt.Errorf("baseline insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return InsertBaseline{}, err
	}
	el := time.Since(start)
	return InsertBaseline{Rows: rows, Seconds: el.Seconds(), RowsPerSec: float64(rows) / el.Seconds()}, nil
}

// StreamResult is one CSV export as its reader saw it.
type StreamResult struct {
	Rows       int64   `json:"rows"` // lines after the header
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	TTFBMs     float64 `json:"ttfb_ms"`
	RowsPerSec float64 `json:"rows_per_second"`
	PeakRSSMB  float64 `json:"peak_rss_mb,omitempty"` // the producing process
}

// countLines reads r to the end, counting bytes and lines and noting
// when the first byte arrived.
func countLines(r io.Reader, start time.Time) (lines, n int64, first time.Duration, err error) {
	buf := make([]byte, 256<<10)
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			if n == 0 {
				first = time.Since(start)
			}
			n += int64(k)
			lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
		}
		if rerr == io.EOF {
			return lines, n, first, nil
		}
		if rerr != nil {
			return lines, n, first, rerr
		}
	}
}

// sqlite3Export runs the sqlite3 command-line tool's CSV output of query on
// the database at path (read-only), reading its output as the HTTP export
// is read.
func sqlite3Export(ctx context.Context, sqlite3, path, query string) (StreamResult, error) {
	return streamCommand(exec.CommandContext(ctx, sqlite3, "-readonly", "-csv", "-header", path, query))
}

// streamCommand runs cmd, counting the lines of its standard output as they
// arrive; the first line is a header. The peak memory is the child's
// VmHWM, as runMeasured samples it.
func streamCommand(cmd *exec.Cmd) (StreamResult, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return StreamResult{}, err
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return StreamResult{}, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	peak := sampleHWM(cmd.Process.Pid)
	lines, n, first, rerr := countLines(stdout, start)
	werr := cmd.Wait()
	el := time.Since(start)
	peakKB := peak.Stop()
	if rerr != nil {
		return StreamResult{}, rerr
	}
	if werr != nil {
		return StreamResult{}, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), werr, lastLines(errOut.String(), 5))
	}
	res := StreamResult{Rows: max(lines-1, 0), Bytes: n, Seconds: el.Seconds(), TTFBMs: ms(first)}
	res.RowsPerSec = float64(res.Rows) / el.Seconds()
	res.PeakRSSMB = float64(peakKB) / 1024
	return res, nil
}
