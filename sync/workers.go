package sync

import (
	"context"
	gosync "sync"
)

// Workers owns a set of background goroutines: Go starts one with the set's context
// unless the set was stopped, and Stop cancels that context and returns once every one
// of them has finished. The engine keeps one for its short-lived sends; the app keeps
// one per screen, so nothing of theirs outlives the cache they read.
type Workers struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      gosync.Mutex
	stopped bool
	wg      gosync.WaitGroup
}

// NewWorkers makes an empty set whose context ends with parent or with Stop.
func NewWorkers(parent context.Context) *Workers {
	w := &Workers{}
	w.ctx, w.cancel = context.WithCancel(parent)
	return w
}

// Context is the context every goroutine of the set should honour.
func (w *Workers) Context() context.Context { return w.ctx }

// Go runs f in a goroutine owned by the set. After Stop it runs nothing and reports
// false.
func (w *Workers) Go(f func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return false
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
	return true
}

// Stop cancels the set's context, refuses new goroutines and waits for the running
// ones. Safe to call more than once and from several goroutines.
func (w *Workers) Stop() {
	w.Cancel()
	w.Wait()
}

// Cancel is Stop without the wait, for a caller that must not block (the UI
// goroutine, which the workers may be waiting for); Wait finishes the job elsewhere.
func (w *Workers) Cancel() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.cancel()
}

// Wait returns once every goroutine of the set has finished; call it after Cancel.
func (w *Workers) Wait() { w.wg.Wait() }
