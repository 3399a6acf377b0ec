package main

import (
	"slices"
	"time"
)

// Summary describes a set of latency samples.
type Summary struct {
	N                   int
	Mean, P50, P90, P99 time.Duration
	Max                 time.Duration
}

// summarize sorts samples in place and reads the percentiles by the nearest-rank
// method, so P99 of 100 samples is the 99th smallest and never an interpolation
// between two real observations.
func summarize(samples []time.Duration) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	slices.Sort(samples)
	var total time.Duration
	for _, s := range samples {
		total += s
	}
	return Summary{
		N:    len(samples),
		Mean: total / time.Duration(len(samples)),
		P50:  nearestRank(samples, 50),
		P90:  nearestRank(samples, 90),
		P99:  nearestRank(samples, 99),
		Max:  samples[len(samples)-1],
	}
}

// nearestRank returns the p-th percentile of sorted samples (0 < p <= 100).
func nearestRank(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
