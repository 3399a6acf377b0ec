package sync

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestWorkersStopWaitsAndRefuses: Stop cancels the shared context, returns only after
// every running goroutine has finished, and nothing starts afterwards.
func TestWorkersStopWaitsAndRefuses(t *testing.T) {
	w := NewWorkers(context.Background())
	var finished atomic.Int32
	started := make(chan struct{})
	for range 3 {
		w.Go(func() {
			started <- struct{}{}
			<-w.Context().Done()
			time.Sleep(20 * time.Millisecond) // work that outlives the cancel a little
			finished.Add(1)
		})
	}
	for range 3 {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("a worker never started")
		}
	}
	w.Stop()
	if n := finished.Load(); n != 3 {
		t.Fatalf("Stop returned with %d of 3 workers finished", n)
	}
	if w.Go(func() { t.Error("ran after Stop") }) {
		t.Fatal("Go accepted work after Stop")
	}
	w.Stop() // a second Stop is harmless
}

// TestEngineStopWaitsForBackgroundSends: a send started by a UI call (typing, an
// unsubscribe) just before Stop has finished when Stop returns, so the cache may close
// right after.
func TestEngineStopWaitsForBackgroundSends(t *testing.T) {
	e := New(nil, Profile{}, nil)
	ran := make(chan struct{})
	var done atomic.Bool
	if !e.bg.Go(func() {
		close(ran)
		<-e.bg.Context().Done()
		time.Sleep(20 * time.Millisecond)
		done.Store(true)
	}) {
		t.Fatal("the engine refused background work before Stop")
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("the background send never started")
	}
	e.Stop()
	if !done.Load() {
		t.Fatal("Stop returned while a background send was still running")
	}
}
