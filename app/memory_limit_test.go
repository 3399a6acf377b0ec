package app

import (
	"math"
	"runtime/debug"
	"testing"

	"fyne.io/fyne/v2/test"

	csync "github.com/cubechat/cubechat/sync"
)

// TestNewSetsMemoryLimitUnlessTheEnvironmentDoes: the UI caps the Go runtime's
// memory softly, and GOMEMLIMIT (here "off") overrides it.
func TestNewSetsMemoryLimitUnlessTheEnvironmentDoes(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	db := openCache(t)
	deps := Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) }}

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "")
	newTestUIOn(t, test.NewTempApp(t), deps)
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("memory limit %d after New, want %d", got, memoryLimit)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "off")
	newTestUIOn(t, test.NewTempApp(t), deps)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d with GOMEMLIMIT=off, want none", got)
	}
}
