package main

import (
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// LatencySummary summarises the answers to one kind of request.
type LatencySummary struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"` // transport errors and any status but 200
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"requests_per_second"`
	P50Ms      float64 `json:"p50_ms"`
	P90Ms      float64 `json:"p90_ms"`
	P99Ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	MeanMs     float64 `json:"mean_ms"`
	StatusSeen []int   `json:"statuses"` // distinct statuses, sorted
}

// summarize computes the summary of latencies measured over elapsed.
func summarize(lat []time.Duration, errs int, statuses []int, elapsed time.Duration) LatencySummary {
	s := slices.Clone(lat)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	out := LatencySummary{Requests: len(s), Errors: errs, Seconds: elapsed.Seconds()}
	if elapsed > 0 {
		out.PerSecond = float64(len(s)) / elapsed.Seconds()
	}
	if len(s) > 0 {
		out.P50Ms = ms(percentile(s, 50))
		out.P90Ms = ms(percentile(s, 90))
		out.P99Ms = ms(percentile(s, 99))
		out.MaxMs = ms(s[len(s)-1])
		out.MeanMs = ms(sum / time.Duration(len(s)))
	}
	st := slices.Clone(statuses)
	slices.Sort(st)
	out.StatusSeen = slices.Compact(st)
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
