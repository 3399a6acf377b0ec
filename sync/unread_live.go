package sync

import (
	"context"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/internal/backoff"
	"github.com/cubechat/cubechat/internal/quietgap"
)

// Live unread counts move at once (a new message bumps its dialog's badge without a
// round trip), but the pipeline cannot follow all of the server's rules: a read or a
// deletion on another device, a message already counted by a dialog fetched just
// before it, a marker that lowers the count, a message the server stored twice
// over. So every dialog touched by live traffic is asked again (GET
// /chat/Message/unread) once its burst settles, and the cache takes the server's
// value: the counts converge while live, not only at the next reconnect.
const (
	// unreadSettle is how quiet live traffic must be before the counts are asked.
	unreadSettle = 300 * time.Millisecond
	// unreadMaxDelay bounds how long a steady stream of traffic defers the refresh.
	unreadMaxDelay = 3 * time.Second
	// Then the refresh waits for the first gap of unreadGap after a touch (at most
	// unreadGapLongest): under steady traffic the refresh (a REST round trip, the
	// server's count and a write, milliseconds of both cores) runs between two
	// messages rather than on top of one (docs/benchmarks.md, issue 10, round 8).
	unreadGap        = 5 * time.Millisecond
	unreadGapLongest = 500 * time.Millisecond
	// unreadRetry is the first wait after a failed refresh.
	unreadRetry = 5 * time.Second
	// unreadRetryMax bounds the wait after repeated failures.
	unreadRetryMax = time.Minute
)

// unreadBook collects the dialogs whose counts must be asked again.
type unreadBook struct {
	mu    gosync.Mutex
	dirty map[string]bool
	wake  chan struct{} // one pending wake-up
}

func newUnreadBook() *unreadBook {
	return &unreadBook{dirty: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// touch records that live traffic may have changed dialogID's count.
func (b *unreadBook) touch(dialogID string) {
	if dialogID == "" {
		return
	}
	b.mu.Lock()
	b.dirty[dialogID] = true
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// take empties the book.
func (b *unreadBook) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]string, 0, len(b.dirty))
	for id := range b.dirty {
		ids = append(ids, id)
	}
	clear(b.dirty)
	return ids
}

// runUnreadRefresh asks the server for the counts of touched dialogs once their
// traffic settles, until ctx ends. A failed refresh keeps the dialogs for the next
// round (the catch-up after a reconnect refreshes every count as well).
func (e *Engine) runUnreadRefresh(ctx context.Context) {
	retry := backoff.New(backoff.Policy{Min: unreadRetry, Max: unreadRetryMax})
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.unread.wake:
		}
		if !e.awaitQuiet(ctx) {
			return
		}
		ids := e.unread.take()
		if len(ids) == 0 {
			continue
		}
		if err := e.refreshUnreadOf(ctx, ids); err != nil {
			e.log.Info("refreshing live unread counts", "dialogs", len(ids), "err", err)
			for _, id := range ids {
				e.unread.touch(id)
			}
			if !retry.Wait(ctx) {
				return
			}
			continue
		}
		retry.Reset()
	}
}

// awaitQuiet waits until no dialog was touched for unreadSettle, or unreadMaxDelay
// passed, and then for the next short gap (see unreadGap). False means ctx ended.
func (e *Engine) awaitQuiet(ctx context.Context) bool {
	return quietgap.Await(e.unread.wake, ctx.Done(), unreadSettle, unreadMaxDelay) &&
		quietgap.Await(e.unread.wake, ctx.Done(), unreadGap, unreadGapLongest)
}
