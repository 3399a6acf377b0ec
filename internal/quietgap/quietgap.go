// Package quietgap waits for a pause in a stream of events: background work that
// would compete with the events' own work for the processor (a WAL checkpoint, the
// search indexer) starts in the gap after a burst of commits rather than in the
// middle of one (docs/benchmarks.md, "Issue 10, live path", rounds 5 and 6).
package quietgap

import "time"

// Await returns once quiet has passed without a signal on events, or longest has
// passed in all (so that events that never pause still let the work run); false
// means stop was closed first. events should be buffered with room for one signal,
// its senders never blocking.
func Await(events, stop <-chan struct{}, quiet, longest time.Duration) bool {
	longestT := time.NewTimer(longest)
	defer longestT.Stop()
	quietT := time.NewTimer(quiet)
	defer quietT.Stop()
	for {
		select {
		case <-events:
			quietT.Reset(quiet)
		case <-quietT.C:
			return true
		case <-longestT.C:
			return true
		case <-stop:
			return false
		}
	}
}
