package xmppd

import (
	"sync"
	"time"
)

// Stored messages reach their recipients in the order the store committed them, per
// dialog, whichever connection sent them. Clients rely on it: a message delivered
// live is ranked last among its dialog's messages of its date_sent, because the
// server stored it after everything it delivered before (docs/architecture.md,
// "same-second order"). The pipeline (pipeline.go) keeps that order within one
// connection, but each connection finishes its messages on its own completer, so a
// message stored first by one sender could be fanned out after one a second sender
// stored just after it (the soak found the dialogs' last messages disagreeing after a
// server restart, when every client flushed its backlog at once: docs/reliability.md).
//
// So each stored message of a dialog takes a turn when its write is queued, under the
// same lock as the queueing, so turns follow the store's commit order (the group
// commit takes writes first come, first served); its completion waits for the turn
// before it to finish before delivering. A turn only ever waits for an older one, and
// each completer runs its turns oldest first, so the waits cannot form a cycle.

// turnWaitLimit bounds one wait for the turn before: a completion is never held longer
// (delivery order is then a best effort, not a hang).
const turnWaitLimit = 10 * time.Second

// dialogTurns hands out the turns of each dialog's stored messages.
type dialogTurns struct {
	mu   sync.Mutex
	last map[string]chan struct{} // each dialog's newest turn, closed when it is done
}

// turn is one stored message's place in its dialog's delivery order.
type turn struct {
	t      *dialogTurns
	dialog string
	prev   chan struct{} // nil: nothing before it is in flight
	done   chan struct{}
}

// take gives the next turn of dialogID, calling queue (which queues the store write)
// under the same lock so that turn order is the write order.
func (d *dialogTurns) take(dialogID string, queue func()) *turn {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last == nil {
		d.last = map[string]chan struct{}{}
	}
	t := &turn{t: d, dialog: dialogID, prev: d.last[dialogID], done: make(chan struct{})}
	d.last[dialogID] = t.done
	queue()
	return t
}

// wait returns once the turn before has finished (or after turnWaitLimit).
func (t *turn) wait() {
	if t.prev == nil {
		return
	}
	timer := time.NewTimer(turnWaitLimit)
	defer timer.Stop()
	select {
	case <-t.prev:
	case <-timer.C:
	}
}

// finish ends the turn, delivered or not; the next one may go.
func (t *turn) finish() {
	t.t.mu.Lock()
	defer t.t.mu.Unlock()
	close(t.done)
	if t.t.last[t.dialog] == t.done {
		delete(t.t.last, t.dialog)
	}
}
