package main

import (
	"testing"
	"time"
)

func msList(vals ...int) []time.Duration {
	out := make([]time.Duration, len(vals))
	for i, v := range vals {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentileNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", msList(7), 99, 7 * time.Millisecond},
		{"median of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"p90 of ten", msList(1, 2, 3, 4, 5, 6, 7, 8, 9, 1000), 90, 9 * time.Millisecond},
		{"p99 of ten is the slowest", msList(1, 2, 3, 4, 5, 6, 7, 8, 9, 1000), 99, 1000 * time.Millisecond},
		{"tiny p is the minimum", msList(3, 4, 5), 0.1, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarizeSortsCountsAndRates(t *testing.T) {
	// Unsorted input: summarize must sort before taking percentiles.
	lat := msList(40, 10, 30, 20)
	s := summarize(lat, 1, []int{200, 302, 200, 200}, 2*time.Second)
	if s.Requests != 4 || s.Errors != 1 {
		t.Errorf("requests %d errors %d, want 4 and 1", s.Requests, s.Errors)
	}
	if s.PerSecond != 2 {
		t.Errorf("rate %v, want 2/s", s.PerSecond)
	}
	if s.P50Ms != 20 || s.P99Ms != 40 || s.MaxMs != 40 || s.MeanMs != 25 {
		t.Errorf("p50 %v p99 %v max %v mean %v, want 20 40 40 25", s.P50Ms, s.P99Ms, s.MaxMs, s.MeanMs)
	}
	if len(s.StatusSeen) != 2 || s.StatusSeen[0] != 200 || s.StatusSeen[1] != 302 {
		t.Errorf("statuses %v, want [200 302]", s.StatusSeen)
	}
	if lat[0] != 40*time.Millisecond {
		t.Error("summarize reordered its input")
	}
}
