//go:build unix

package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// Each SIGUSR1 writes the next numbered heap profile when CUBECHAT_HEAP_PROFILE is set.
func TestHeapProfileWrittenOnSIGUSR1(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "heap")
	t.Setenv(heapProfileEnv, prefix)
	stop := heapProfiles(slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer stop()
	for _, name := range []string{"heap.1.pprof", "heap.2.pprof"} {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(filepath.Dir(prefix), name)
		testwait.For(t, name, 10*time.Second, func() bool {
			fi, err := os.Stat(path)
			return err == nil && fi.Size() > 0
		})
	}
}
