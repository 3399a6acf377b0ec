package app

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit of the Go runtime's memory (runtime/debug.
// SetMemoryLimit) when the environment sets none (GOMEMLIMIT). Opening chats
// allocates far more than it keeps (Fyne shapes and measures every line of every
// bubble), and by default the collector lets the heap grow to twice what is live
// before it runs: on a large cache, after a few dozen chats, that is over 100 MiB
// of garbage held as resident memory. Near this limit the collector runs earlier
// and returns freed memory to the system; below it, nothing changes.
// docs/benchmarks.md (issue 10, cold start and memory) has the figures.
const memoryLimit = 100 << 20

// limitMemory applies memoryLimit unless GOMEMLIMIT is set (GOMEMLIMIT=off keeps
// the runtime's default, no limit).
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
