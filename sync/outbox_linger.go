package sync

import (
	"context"
	"time"
)

// defaultAckLinger is how long the outbox waits, after writing messages Send handed it
// while live, before it asks the server to acknowledge them, unless another message
// comes first.
//
// Asked at once, the acknowledgement travels while the message is still on its way
// to its recipient: the server answers the <r/> right after routing the message, the
// sender reads the <a/> and writes the confirmation into its cache, all on the same
// few cores the server and the recipient need for the message itself. Waiting a
// moment moves that round trip and that write after the message has arrived: the
// live benchmark's engine-to-engine latency, alternated with and without it, p50
// ratio 1.48 → 1.20× and p99 1.63 → 1.39× (docs/benchmarks.md, "Issue 10, live path,
// round 10"). The price is a sent tick 5 ms later. A message handed over meanwhile
// ends the wait at once, so nothing is ever sent later than before, and a batch read
// from the cache (a backlog after a reconnect) never waits.
const defaultAckLinger = 5 * time.Millisecond

// lingerBeforeAck waits e.ackLinger, or less: until the drain has work again (a
// message handed over, or the list spoiled by anything queued through the cache) or
// ctx ends. A wake it takes is given back on the way out: the drain loop, or the
// worker's loop after it, must still see it.
func (e *Engine) lingerBeforeAck(ctx context.Context) {
	if e.fresh.waiting() {
		return
	}
	t := time.NewTimer(e.ackLinger)
	defer t.Stop()
	woken := false
	defer func() {
		if woken {
			e.wakeOutbox()
		}
	}()
	for {
		select {
		case <-t.C:
			return
		case <-ctx.Done():
			return
		case <-e.outboxKick:
			// Often a wake for a message this batch already took: wait on unless
			// there is new work.
			woken = true
			if e.fresh.waiting() {
				return
			}
		}
	}
}
