//go:build unix

package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// heapProfileEnv names a file prefix: when it is set, every SIGUSR1 makes the app
// collect garbage and write the Go heap's profile to <prefix>.<n>.pprof (n counts
// from 1), for measuring the real window's memory (cmd/memprobe,
// docs/benchmarks.md). Unset, nothing is installed.
const heapProfileEnv = "CUBECHAT_HEAP_PROFILE"

// heapProfileRate is the heap profile's sampling interval while profiles are asked
// for: the default (512 KiB) attributes a 300-byte row's allocations in lumps of half
// a megabyte; 16 KiB names them (allocations made before main are sampled at the
// default rate).
const heapProfileRate = 16 << 10

// heapProfiles installs the SIGUSR1 handler if heapProfileEnv is set; the returned
// stop ends its goroutine.
func heapProfiles(logger *slog.Logger) (stop func()) {
	prefix := os.Getenv(heapProfileEnv)
	if prefix == "" {
		return func() {}
	}
	runtime.MemProfileRate = heapProfileRate
	sig := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-sig:
				path := fmt.Sprintf("%s.%d.pprof", prefix, n)
				if err := writeHeapProfile(path); err != nil {
					logger.Warn("heap profile not written", "path", path, "err", err)
					continue
				}
				// What the Go runtime holds of the process's memory, beside the
				// RSS that also counts C (the GL driver's) allocations.
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				logger.Info("heap profile written", "path", path, "live_mib", ms.HeapAlloc>>20,
					"heap_resident_mib", (ms.HeapSys-ms.HeapReleased)>>20, "go_sys_mib", ms.Sys>>20)
			}
		}
	}()
	return func() { signal.Stop(sig); close(done) }
}

func writeHeapProfile(path string) error {
	runtime.GC() // the profile's in-use figures are as of the last collection
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
