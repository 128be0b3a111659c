package store

import (
	"context"
	"reflect"
	"testing"
)

// A list's anchors are the terms of every anchorEvery-th row, empty text
// included; a NULL term anywhere means the list cannot seek.
func TestListAnchors(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	const rows = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) `
	got, err := s.listAnchors(ctx, "numbers", deepSQL{keys: rows + `SELECT '', i FROM n ORDER BY 1, 2`, keysArgs: []any{2 * anchorEvery}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"", int64(0)}, {"", int64(anchorEvery)}, {"", int64(2 * anchorEvery)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("anchors %v, want %v", got, want)
	}
	got, err = s.listAnchors(ctx, "numbers", deepSQL{keys: rows + `SELECT CASE WHEN i = 300 THEN NULL ELSE 'x' END, i FROM n ORDER BY 2`, keysArgs: []any{400}})
	if err != nil || got != nil {
		t.Fatalf("with a NULL term: anchors %v (%v), want none", got, err)
	}
}
