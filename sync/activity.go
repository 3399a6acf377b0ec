package sync

import (
	"context"
	"slices"
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
// Ready, which re-applies it. Coming back to a window that shows a dialog with
// unread messages reads them.
func (e *Engine) applyActivity(active bool) {
	ctx, cancel := context.WithTimeout(context.Background(), activityTimeout)
	defer cancel()
	if active {
		e.ReadOpenDialog(ctx)
	}
	chat := e.connChat()
	if chat == nil {
		return
	}
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

// ReadOpenDialog marks the dialog on screen read when the focused window shows it
// with unread messages (they arrived while the window was in the background): the
// badge clears, the server counts them read and their senders' ticks turn, as if
// the user had opened it just now. Focus coming back does it by itself; the app
// calls it when the user clicks the row of the dialog already open.
func (e *Engine) ReadOpenDialog(ctx context.Context) {
	e.mu.Lock()
	open, focused := e.open, e.focused
	e.mu.Unlock()
	if open == "" || !focused || e.Me() == 0 {
		return
	}
	unread, err := e.hasUnread(ctx, open)
	if err != nil {
		e.log.Warn("checking the open dialog for unread messages", "dialog", open, "err", err)
		return
	}
	if !unread {
		return
	}
	if err := e.MarkRead(ctx, open); err != nil {
		e.log.Warn("reading the open dialog on focus", "dialog", open, "err", err)
	}
}

// hasUnread tells whether a dialog has a badge, or a newest message from someone else
// that we have not marked read.
func (e *Engine) hasUnread(ctx context.Context, dialogID string) (bool, error) {
	d, err := e.db.Dialog(ctx, dialogID)
	if err != nil {
		return false, err
	}
	if d.UnreadCount > 0 {
		return true, nil
	}
	me := e.Me()
	msgs, err := e.db.Messages(ctx, dialogID, time.Time{}, "", 1)
	if err != nil || len(msgs) == 0 {
		return false, err
	}
	m := msgs[len(msgs)-1]
	return m.SenderID != me && m.SenderID != 0 && !m.Deleted && !slices.Contains(m.ReadIDs, me), nil
}
