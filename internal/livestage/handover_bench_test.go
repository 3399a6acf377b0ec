package livestage

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkHandOverWhileBusy measures the machine, not cubechat: how long a
// goroutine made ready by one that keeps its processor busy (2 ms of spinning)
// waits before another processor runs it. On a machine whose second core wakes
// promptly that is a few µs; docs/benchmarks.md ("Issue 10, live path, round 6")
// records what this VM gives, which is why a message's work on the live path runs
// on one core at a time. Reference, same run: the same hand-over while the giver
// blocks at once instead (the receiver then runs on the giver's processor).
func BenchmarkHandOverWhileBusy(b *testing.B) {
	for _, c := range []struct {
		name string
		busy time.Duration
	}{{"reference-giver-blocks", 0}, {"giver-busy-2ms", 2 * time.Millisecond}} {
		b.Run(c.name, func(b *testing.B) {
			var waits []time.Duration
			for range b.N {
				for range 50 {
					handed := make(chan time.Time, 1)
					took := make(chan time.Duration, 1)
					go func() { took <- time.Since(<-handed) }()
					time.Sleep(100 * time.Microsecond) // the receiver is parked
					handed <- time.Now()
					for start := time.Now(); time.Since(start) < c.busy; {
					}
					waits = append(waits, <-took)
				}
			}
			slices.Sort(waits)
			b.ReportMetric(float64(waits[len(waits)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(waits[len(waits)*9/10].Microseconds()), "p90-µs")
		})
	}
}
