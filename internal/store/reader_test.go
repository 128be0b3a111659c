package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// Queries keep their answers while statements are prepared, kept, evicted
// and closed under them by concurrent callers.
func TestReaderKeepsAtMostItsStatementsAndAnswersUnderEviction(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	r := newReader(s.r, 3)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := (g + i) % 7 // more shapes than kept: constant eviction
				q := fmt.Sprintf("SELECT ? + %d", n)
				var got int
				if err := r.QueryRowContext(ctx, q, i).Scan(&got); err != nil {
					t.Errorf("%s: %v", q, err)
					return
				}
				if got != i+n {
					t.Errorf("%s with %d = %d, want %d", q, i, got, i+n)
					return
				}
				rows, err := r.QueryContext(ctx, "SELECT value FROM json_each(?) ORDER BY value"+fmt.Sprint(" -- ", n), "[3,1,2]")
				if err != nil {
					t.Error(err)
					return
				}
				var vals []int
				for rows.Next() {
					var v int
					rows.Scan(&v)
					vals = append(vals, v)
				}
				rows.Close()
				if fmt.Sprint(vals) != "[1 2 3]" {
					t.Errorf("rows %v", vals)
					return
				}
			}
		}()
	}
	wg.Wait()
	r.mu.Lock()
	kept := r.lru.Len()
	r.mu.Unlock()
	if kept > 3 || len(r.stmts) != kept {
		t.Fatalf("%d statements kept (map %d), at most 3", kept, len(r.stmts))
	}
	// A query SQLite refuses reports its error, as sql.DB would.
	var x int
	if err := r.QueryRowContext(ctx, "SELECT nope FROM nowhere").Scan(&x); err == nil {
		t.Fatal("a bad query gave no error")
	}
	if _, err := r.QueryContext(ctx, "SELECT nope FROM nowhere"); err == nil {
		t.Fatal("a bad query gave no error")
	}
}
