package app

import (
	"os"
	"sync"
	"testing"
)

// uiMu plays the part of the UI goroutine in tests: Fyne's test driver runs fyne.Do
// inline, so background loads and the test's own widget access are serialised here.
var uiMu sync.Mutex

// onUI runs f as if on the UI goroutine. Tests use it for every widget access made
// while the app's background work is running.
func onUI(f func()) {
	uiMu.Lock()
	defer uiMu.Unlock()
	f()
}

func TestMain(m *testing.M) {
	runOnUI = onUI
	os.Exit(m.Run())
}
