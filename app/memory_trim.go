package app

import (
	"context"
	"runtime/debug"
	"time"
)

// trimDelay is how long the UI must have been left alone after opening a chat (or
// loading the dialog list) before the memory that work freed is handed back.
const trimDelay = time.Second

// freeMemory collects garbage and returns the Go heap's free pages to the OS; a
// variable so tests see it called.
var freeMemory = debug.FreeOSMemory

// idleTrim hands the memory a burst of UI work freed back to the OS once the burst is
// over. Opening a chat lays out and draws its messages, and the heap grows by half its
// live size before the collector runs; the runtime returns free pages to the OS only
// slowly, so after a few chats the window held 15–20 MiB it no longer used. One forced
// collection a second after the last chat was opened takes 15 ms on a background
// goroutine (docs/benchmarks.md, "Issue 10, memory in the real window, round 2").
// Each poke restarts the wait, so switching chats quickly trims once, at the end.
type idleTrim struct{ pokes chan struct{} }

func newIdleTrim() *idleTrim { return &idleTrim{pokes: make(chan struct{}, 1)} }

// poke (re)starts the wait; safe from any goroutine, never blocks.
func (t *idleTrim) poke() {
	select {
	case t.pokes <- struct{}{}:
	default: // a poke is already pending
	}
}

// run trims trimDelay after the last poke, until ctx ends (the screen's workers own it).
func (t *idleTrim) run(ctx context.Context) {
	timer := time.NewTimer(trimDelay)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.pokes:
			timer.Reset(trimDelay)
		case <-timer.C:
			freeMemory()
		}
	}
}
