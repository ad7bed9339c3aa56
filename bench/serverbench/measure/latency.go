// Package measure holds the pure, testable parts of serverbench: latency
// percentiles, the CPU counters of /proc/PID/stat and /proc/stat, and
// finding the process that owns a listening TCP port (so that the CPU of the
// Python interpreter that serves moto is read, not that of a wrapper).
package measure

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Latency summarises one round's request durations.
type Latency struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
	Mean  time.Duration `json:"mean_ns"`
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted durations: the smallest sample such that at least p percent of the
// samples are less than or equal to it. Nearest-rank never interpolates, so
// every reported latency is one a request really had.
func Percentile(sorted []time.Duration, p float64) (time.Duration, error) {
	if len(sorted) == 0 {
		return 0, fmt.Errorf("percentile of no samples")
	}
	if math.IsNaN(p) || p <= 0 || p > 100 {
		return 0, fmt.Errorf("percentile %v out of range (0, 100]", p)
	}
	// The epsilon keeps decimal percentiles whose binary value is a hair
	// above the exact rank (99.9% of 1000 is 999.0000000000001) on it.
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1], nil
}

// Summarize sorts samples in place and returns their percentiles. An empty
// slice yields a zero Latency (a round where every request failed).
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	at := func(p float64) time.Duration {
		d, _ := Percentile(samples, p) // cannot fail: samples is non-empty and p constant
		return d
	}
	return Latency{
		Count: len(samples),
		P50:   at(50),
		P90:   at(90),
		P99:   at(99),
		Max:   samples[len(samples)-1],
		Mean:  sum / time.Duration(len(samples)),
	}
}

// Median returns the median of xs (the mean of the two middle values for an
// even count) without modifying xs; 0 for none. Rounds are summarised by
// their median so that one disturbed round does not move the result.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
