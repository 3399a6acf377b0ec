package sync

import (
	"context"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// The outbox's live hand-off (docs/architecture.md, "Outbox"). A message that Send
// queues while the chat is live is handed to the outbox in memory as its queueing
// write starts, so the stanza goes out while the write runs instead of after it
// (the write, cold at 50 messages a second, was a third of the live path's delay:
// docs/benchmarks.md, issue 10), and the outbox writes it without reading back the
// row. The write still decides: the outbox marks nothing about the message before
// the write's outcome is known, and a write that fails either keeps the stanza from
// leaving or, when it may have left, has the message retracted (outbox_retract.go).
// The cache stays the record: whenever the outbox may hold a message the hand-off
// list does not (queued offline, retried, a file message, a batch left
// unconfirmed, another connection, a new engine), the list is spoilt and the next
// drain reads the cache instead, which holds every listed message whose write
// committed.

// freshMsg is a message handed to the outbox while its queueing write runs.
type freshMsg struct {
	msg     cache.Message
	written chan struct{} // closed once err holds the write's outcome
	err     error
	// Under freshOutbox.mu: out, the drain has begun writing the stanza (it may
	// have left); dropped, the write failed before that, so it never will.
	out, dropped bool
}

// freshOutbox is the list of messages queued while live, in the order their
// queueing writes began (and committed: one runs at a time, under queue).
type freshOutbox struct {
	// queue is held from a queueing write's start until it has committed (or
	// failed), and by a drain from dropping the list until it has read the cache's
	// queue: so a message is either in what that read returns or added to msgs after
	// it, never both and never neither, and a message whose write failed is never
	// read.
	queue gosync.Mutex

	mu    gosync.Mutex
	chat  *cube.Chat // the chat the listed messages were queued for
	msgs  []*freshMsg
	stale bool // the cache's outbox may hold messages not listed: read it
	// writing is the message whose queueing write runs now (queue allows one).
	writing *freshMsg
	// retract lists messages whose write failed after their stanza may have left,
	// to be deleted on the server; gone keeps their ids for good (such failures are
	// rare), so that a copy coming back is never stored.
	retract []freshRetraction
	gone    map[string]bool

	// Test seams, nil in production: beforeWrite runs before a handed-off
	// message's queueing write (an error stands for the write's), beforeStanza
	// before the drain decides to write a handed-off message's stanza.
	beforeWrite  func(cache.Message) error
	beforeStanza func(cache.Message)
}

// freshRetraction is a message to delete on the server: its write failed, but the
// stanza may have reached the server (outbox_retract.go).
type freshRetraction struct {
	id   string
	chat *cube.Chat // the chat the stanza was written on
}

func newFreshOutbox() *freshOutbox { return &freshOutbox{stale: true} }

// add lists a message whose queueing write (made while chat is live) is about to
// start, and returns its hand-off; settle gives the write's outcome. alone tells
// that the list held nothing else (the outbox is likely idle, waiting for it).
// Call it with queue held.
func (f *freshOutbox) add(chat *cube.Chat, m cache.Message) (h *freshMsg, alone bool) {
	h = &freshMsg{msg: m, written: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	alone = len(f.msgs) == 0
	if alone {
		f.chat = chat
	} else if f.chat != chat {
		f.stale = true
	}
	f.msgs = append(f.msgs, h)
	f.writing = h
	return h, alone
}

// write runs h's queueing write.
func (f *freshOutbox) write(h *freshMsg, fn func() error) error {
	if f.beforeWrite != nil {
		if err := f.beforeWrite(h.msg); err != nil {
			return err
		}
	}
	return fn()
}

// settle records the outcome of h's queueing write. A failed write whose stanza
// may have left lists the message to be retracted on chat (the stream it was
// written to), and settle reports it; one whose stanza had not left yet is dropped:
// the drain skips it. Call it with queue held.
func (f *freshOutbox) settle(h *freshMsg, chat *cube.Chat, err error) (retract bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h.err = err
	if f.writing == h {
		f.writing = nil
	}
	if err != nil {
		if h.out {
			f.retract = append(f.retract, freshRetraction{id: h.msg.ID, chat: chat})
			if f.gone == nil {
				f.gone = map[string]bool{}
			}
			f.gone[h.msg.ID] = true
			retract = true
		} else {
			h.dropped = true
		}
	}
	close(h.written)
	return retract
}

// leave tells the drain whether to write h's stanza, and from then on a failed
// write of h retracts the message. False means the write already failed.
func (f *freshOutbox) leave(h *freshMsg) bool {
	if f.beforeStanza != nil {
		f.beforeStanza(h.msg)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if h.dropped {
		return false
	}
	h.out = true
	return true
}

// outcome waits for h's queueing write and returns its error (ctx's when ctx ends
// first).
func (f *freshOutbox) outcome(ctx context.Context, h *freshMsg) error {
	select {
	case <-h.written:
		return h.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitWrite waits until the queueing write under way now, if any, has its
// outcome. The live pipeline calls it before each event: an answer about a message
// just sent (a marker, a bounce, a group's echo) can come back before that
// message's row has committed, and must find it stored.
func (f *freshOutbox) awaitWrite(ctx context.Context) {
	f.mu.Lock()
	h := f.writing
	f.mu.Unlock()
	if h != nil {
		_ = f.outcome(ctx, h)
	}
}

// spoil makes the next drain read the cache's outbox. Call it before and after any
// other write that queues a message: before, so that the outbox does not send a
// listed message ahead of it; after, so that the drain reads it.
func (f *freshOutbox) spoil() {
	f.mu.Lock()
	f.stale = true
	f.mu.Unlock()
}

// take removes and returns up to n listed messages for chat to send, oldest first;
// their queueing writes may still run. ok is false when the cache's outbox must be
// read instead (the list may miss some, or readCache asks for it): see readQueue.
func (f *freshOutbox) take(chat *cube.Chat, n int, readCache bool) (msgs []*freshMsg, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if readCache || f.stale || (len(f.msgs) > 0 && f.chat != chat) {
		return nil, false
	}
	n = min(n, len(f.msgs))
	msgs = f.msgs[:n:n]
	f.msgs = f.msgs[n:]
	if len(f.msgs) == 0 {
		f.msgs = nil // let a burst's backing array go
	}
	return msgs, true
}

// waiting tells whether the drain has work now: messages listed, or the cache's
// queue to read because the list was spoiled.
func (f *freshOutbox) waiting() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stale || len(f.msgs) > 0
}

// readQueue reads the head of the cache's outbox in place of the list, which it
// drops: the cache holds every listed message whose write committed. Holding
// queue, no message is queued between the drop and the read, so none is both read
// and listed, and no listed write is still running.
func (f *freshOutbox) readQueue(read func() ([]cache.Queued, error)) ([]cache.Queued, error) {
	f.queue.Lock()
	defer f.queue.Unlock()
	f.mu.Lock()
	f.stale, f.msgs = false, nil
	f.mu.Unlock()
	queued, err := read()
	if err != nil {
		f.spoil()
	}
	return queued, err
}

// retractions returns the messages waiting to be retracted and empties the list;
// put the ones not done back with unretracted.
func (f *freshOutbox) retractions() []freshRetraction {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.retract
	f.retract = nil
	return r
}

// unretracted puts back retractions that must be tried again.
func (f *freshOutbox) unretracted(r []freshRetraction) {
	if len(r) == 0 {
		return
	}
	f.mu.Lock()
	f.retract = append(r, f.retract...)
	f.mu.Unlock()
}

// retracted tells whether id's write failed after its stanza may have left: a
// copy of it coming back (a group's echo) is not stored.
func (f *freshOutbox) retracted(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gone[id]
}
