package app

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// ourGoroutines lists the stacks of goroutines (other than the caller and the test
// framework's) that run code of package app or sync.
func ourGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var ours []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 || strings.Contains(g, "testing.tRunner") || strings.Contains(g, "testing.(*M)") {
			continue
		}
		if strings.Contains(g, "github.com/cubechat/cubechat/app.") || strings.Contains(g, "github.com/cubechat/cubechat/sync.") {
			ours = append(ours, g)
		}
	}
	return ours
}

// TestShutdownLeavesNoGoroutineBehind: closing the window stops the main screen, the
// engine and every goroutine they started (loads, typing sends, the change pump,
// thumbnails, status and event followers) before it returns, so main.go may close the
// cache right after; the open chat's draft is saved on the way, in the still-open cache.
func TestShutdownLeavesNoGoroutineBehind(t *testing.T) {
	x := startE2E(t)
	onUI(func() { test.Type(x.chat.composer, "unsent words") }) // typing state goes out in the background
	// A big upload is in flight when the window closes: its goroutine must have ended
	// (not merely been told to) when closing returns.
	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 60<<20); err != nil {
		t.Fatal(err)
	}
	onUI(func() { x.chat.sendFile(x.dialogID, big) })
	waitFor(t, "the upload to start", 20*time.Second, func() bool {
		p, ok := x.chat.uploads.get(big)
		return ok && p > 0
	})

	began := time.Now()
	x.u.closeWindow()
	t.Logf("closing took %v", time.Since(began))
	x.bob.Stop()
	if left := ourGoroutines(); len(left) > 0 {
		t.Fatalf("%d goroutines of app or sync outlived the shutdown:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
	draft, err := x.aliceDB.Draft(x.ctx, x.dialogID)
	if err != nil || draft != "unsent words" {
		t.Fatalf("draft %q, %v", draft, err)
	}
	if err := x.aliceDB.Close(); err != nil {
		t.Fatalf("closing the cache after the shutdown: %v", err)
	}
}
