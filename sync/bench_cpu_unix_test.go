//go:build unix

package sync

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used so far (user and system): the
// live benchmarks report it per message beside the wall clock, since the server,
// both clients and the benchmark share the process and the machine's other load
// moves wall-clock figures far more than CPU ones.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
