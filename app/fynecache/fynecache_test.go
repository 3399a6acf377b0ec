package fynecache_test

import (
	"testing"
	"time"
	_ "unsafe" // go:linkname

	_ "fyne.io/fyne/v2/widget" // links Fyne's internal cache package, as the app does

	"github.com/cubechat/cubechat/app/fynecache"
)

// fyneValidDuration is the lifetime Fyne's cache package uses (it is internal, so
// the test reads it through the linker). If Fyne renames or drops it, this test
// fails (the variable is then ours, zero) and the package must be revisited.
//
//go:linkname fyneValidDuration fyne.io/fyne/v2/internal/cache.ValidDuration
var fyneValidDuration time.Duration

// TestFyneSeesTheLifetime fails if the package's init ran after Fyne's cache package
// read FYNE_CACHE (or if Fyne stopped reading it): the shorter lifetime would then
// silently not apply. It is an external test: internal test files would make the
// package itself import Fyne, and so initialise after it (which this test caught).
func TestFyneSeesTheLifetime(t *testing.T) {
	want, err := time.ParseDuration(fynecache.Lifetime)
	if err != nil {
		t.Fatal(err)
	}
	if fyneValidDuration != want {
		t.Fatalf("Fyne keeps its caches %v, want %v", fyneValidDuration, want)
	}
}
