package sync

import (
	"context"
	gosync "sync"
	"time"
)

// focusDebounce is how long the window's focus must hold before the server is told:
// a quick alt-tab should not flip chat alerts on and off.
const focusDebounce = 500 * time.Millisecond

// activityTimeout bounds one markActive/markInactive request.
const activityTimeout = 10 * time.Second

// activity turns window focus into debounced markActive/markInactive calls, and
// re-applies the current state on every new connection (the server forgets it).
type activity struct {
	apply func(active bool)

	mu      gosync.Mutex
	desired bool
	timer   *time.Timer
	stopped bool
	running gosync.WaitGroup
}

func newActivity(apply func(active bool)) *activity {
	return &activity{apply: apply, desired: true}
}

// set records the focus and tells the server after focusDebounce, unless it changes
// again meanwhile.
func (a *activity) set(active bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	a.desired = active
	if a.timer != nil {
		a.timer.Stop()
	}
	a.timer = time.AfterFunc(focusDebounce, a.fire)
}

func (a *activity) fire() {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return
	}
	a.running.Add(1)
	active := a.desired
	a.mu.Unlock()
	defer a.running.Done()
	a.apply(active)
}

// reapply tells the current state at once (after a reconnect).
func (a *activity) reapply() {
	a.mu.Lock()
	active, stopped := a.desired, a.stopped
	a.mu.Unlock()
	if !stopped {
		a.apply(active)
	}
}

// stop cancels a pending change and waits for one in flight.
func (a *activity) stop() {
	a.mu.Lock()
	a.stopped = true
	if a.timer != nil {
		a.timer.Stop()
	}
	a.mu.Unlock()
	a.running.Wait()
}

// SetFocused tells the engine whether the app window has the focus. The server
// learns it (debounced) as markActive / markInactive, which decides whether it sends
// chat alerts to this online user; unread counting uses it at once.
func (e *Engine) SetFocused(focused bool) {
	e.mu.Lock()
	e.focused = focused
	e.mu.Unlock()
	e.activity.set(focused)
}

// applyActivity sends the state on the Ready chat; without one it waits for the next
// Ready, which re-applies it.
func (e *Engine) applyActivity(active bool) {
	chat := e.connChat()
	if chat == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), activityTimeout)
	defer cancel()
	var err error
	if active {
		err = chat.MarkActive(ctx)
	} else {
		err = chat.MarkInactive(ctx)
	}
	if err != nil {
		e.log.Info("telling the server about focus", "active", active, "err", err)
	}
}
