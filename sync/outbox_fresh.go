package sync

import (
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// The outbox's live hand-off (docs/architecture.md, "Outbox"). A message that Send
// queues while the chat is live is handed to the outbox in memory once its queueing
// write has committed, so the outbox writes it to the stream without reading back
// the row just written (that read was a fifth of the live path's delay at 50
// messages a second: docs/benchmarks.md, issue 10). The cache stays the record:
// whenever the outbox may hold a message the hand-off list does not (queued
// offline, retried, a file message, a batch left unconfirmed, another connection,
// a new engine), the list is spoilt and the next drain reads the cache instead,
// which holds everything the list did.

// freshOutbox is the list of messages queued while live, in the order their
// queueing writes committed.
type freshOutbox struct {
	// queue is held from a queueing write's start until its message is in msgs, and
	// by a drain from dropping the list until it has read the cache's queue: so a
	// message is either in what that read returns or added to msgs after it, never
	// both and never neither.
	queue gosync.Mutex

	mu    gosync.Mutex
	chat  *cube.Chat // the chat the listed messages were queued for
	msgs  []cache.Message
	stale bool // the cache's outbox may hold messages not listed: read it
}

func newFreshOutbox() *freshOutbox { return &freshOutbox{stale: true} }

// add lists a message whose queueing write (made while chat was live) committed.
// Call it with queue held.
func (f *freshOutbox) add(chat *cube.Chat, m cache.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.msgs) == 0 {
		f.chat = chat
	} else if f.chat != chat {
		f.stale = true
	}
	f.msgs = append(f.msgs, m)
}

// spoil makes the next drain read the cache's outbox. Call it before and after any
// other write that queues a message: before, so that the outbox does not send a
// listed message ahead of it; after, so that the drain reads it.
func (f *freshOutbox) spoil() {
	f.mu.Lock()
	f.stale = true
	f.mu.Unlock()
}

// take removes and returns up to n listed messages for chat to send, oldest first.
// ok is false when the cache's outbox must be read instead (the list may miss
// some, or readCache asks for it): see readQueue.
func (f *freshOutbox) take(chat *cube.Chat, n int, readCache bool) (msgs []cache.Message, ok bool) {
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

// readQueue reads the head of the cache's outbox in place of the list, which it
// drops: the cache holds every listed message. Holding queue, no message is
// queued between the drop and the read, so none is both read and listed.
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
