package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInsertBaselineWritesEveryRow(t *testing.T) {
	dir := t.TempDir()
	b, err := insertBaseline(context.Background(), dir, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if b.Rows != 5000 || b.Seconds <= 0 || b.RowsPerSec <= 0 {
		t.Errorf("baseline %+v", b)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "baseline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM grants`).Scan(&n); err != nil || n != 5000 {
		t.Errorf("%d rows in the table (%v), want 5000", n, err)
	}
	// A second run replaces the database rather than failing on it.
	if _, err := insertBaseline(context.Background(), dir, 10); err != nil {
		t.Errorf("second run: %v", err)
	}
}

func TestCountLinesCountsRowsAndBytes(t *testing.T) {
	csv := "a,b\r\n1,2\r\n3,4\r\n"
	lines, n, first, err := countLines(strings.NewReader(csv), time.Now())
	if err != nil || lines != 3 || n != int64(len(csv)) || first < 0 {
		t.Errorf("lines %d bytes %d first %v err %v", lines, n, first, err)
	}
}

func TestStreamCommandCountsTheChildsOutput(t *testing.T) {
	res, err := streamCommand(child("csv"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 1000 || res.Bytes != int64(len("id,name\r\n")+1000*len("12345678901234567,row\r\n")) {
		t.Errorf("rows %d bytes %d, want 1000 rows after the header", res.Rows, res.Bytes)
	}
	if res.TTFBMs <= 0 || res.TTFBMs > res.Seconds*1000 || res.PeakRSSMB <= 0 {
		t.Errorf("ttfb %v ms of %v s, peak %v MiB", res.TTFBMs, res.Seconds, res.PeakRSSMB)
	}
	if _, err := streamCommand(child("fail")); err == nil || !strings.Contains(err.Error(), "something went wrong") {
		t.Errorf("a failing child: %v", err)
	}
}
