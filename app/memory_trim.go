package app

import (
	"context"
	"runtime/debug"
	"time"
)

// trimDelay is how long the UI must have been left alone after opening a chat (or
// loading the dialog list) before the memory that work freed is handed back.
const trimDelay = time.Second

// trimEvery is how often memory is handed back with no chat opened meanwhile: a
// window left open keeps drawing (a focused entry's cursor fades in and out, redrawing
// the window), its heap grows back by half its live size before each collection, and
// Fyne drops what it cached of closed chats a minute after their last use; a minute
// idle took the window from 188 back to 196 MiB. A forced collection a minute is
// 15 ms of CPU a minute.
const trimEvery = time.Minute

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
type idleTrim struct {
	pokes chan struct{}
	every time.Duration // trimEvery; shorter in tests
}

func newIdleTrim() *idleTrim { return &idleTrim{pokes: make(chan struct{}, 1), every: trimEvery} }

// poke (re)starts the wait; safe from any goroutine, never blocks.
func (t *idleTrim) poke() {
	select {
	case t.pokes <- struct{}{}:
	default: // a poke is already pending
	}
}

// run trims trimDelay after the last poke, and every t.every after the last trim,
// until ctx ends (the screen's workers own it).
func (t *idleTrim) run(ctx context.Context) {
	timer := time.NewTimer(trimDelay)
	timer.Stop()
	defer timer.Stop()
	ticker := time.NewTicker(t.every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.pokes:
			timer.Reset(trimDelay)
		case <-timer.C:
			freeMemory()
			ticker.Reset(t.every)
		case <-ticker.C:
			freeMemory()
		}
	}
}
