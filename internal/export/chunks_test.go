package export_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
)

// failingWriter takes ok writes, then fails every one. It counts the
// writes, and those that came after Write returned.
type failingWriter struct {
	ok, writes int
	err        error
	returned   atomic.Bool
	late       atomic.Int32
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.returned.Load() {
		f.late.Add(1)
	}
	f.writes++
	if f.writes > f.ok {
		return 0, f.err
	}
	return len(p), nil
}

func TestAWriteErrorStopsTheExportAndNothingIsWrittenAfterItReturns(t *testing.T) {
	st, id := importDataset(t, generate(t, "medium"))
	all, err := st.ListAccess(context.Background(), id, store.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []int{0, 1, 3} {
		full := errors.New("disk full")
		w := &failingWriter{ok: ok, err: full}
		n, err := export.Write(context.Background(), w, st, export.Access, id, nil)
		w.returned.Store(true)
		if !errors.Is(err, full) {
			t.Fatalf("after %d writes: Write = %v, want %v", ok, err, full)
		}
		if n >= int64(all.Total) {
			t.Fatalf("after %d writes: %d of %d rows exported despite the error", ok, n, all.Total)
		}
		if w.writes != ok+1 {
			t.Fatalf("%d writes to a destination that failed the write after %d", w.writes, ok)
		}
		// Nothing Write started may write after it returned (the race
		// detector also sees the counts read above).
		if late := w.late.Load(); late != 0 {
			t.Fatalf("%d writes after Write returned", late)
		}
	}
}
