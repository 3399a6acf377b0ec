package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Our own message's place among the messages of its second is a guess: it is ranked
// last when the ping after it is answered (cache/arrival.go), but another user's
// message that reached us between our write and that answer may have been stored
// after it on the server, or before. Our batch may hold several messages before one
// ping. So when a confirmed message shares its second with others in the cache, that
// second is listed again from the server, which names their true order; the refetch
// loop (runRefetchMissed) does it, after any catch-up pass under way.

// relistBook holds the seconds to list again.
type relistBook struct {
	mu      gosync.Mutex
	seconds map[cache.Second]bool
}

func (b *relistBook) add(s []cache.Second) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seconds == nil {
		b.seconds = map[cache.Second]bool{}
	}
	for _, x := range s {
		b.seconds[x] = true
	}
}

func (b *relistBook) take() []cache.Second {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]cache.Second, 0, len(b.seconds))
	for s := range b.seconds {
		out = append(out, s)
	}
	b.seconds = nil
	return out
}

// relistCrowded plans a listing of the seconds of confirmed messages that hold
// others, and wakes the refetch loop. own are the batch's messages by second, whose
// second is left alone when it holds only this engine's own confirmed messages in
// the order it wrote them (relist_own.go); others are confirmed messages whose
// second the engine does not know.
func (e *Engine) relistCrowded(ctx context.Context, own []ownBatch, others []string) {
	seconds, err := e.ownSecondsToList(ctx, own)
	if err != nil {
		e.log.Warn("reading the seconds of confirmed messages", "err", err)
		return
	}
	crowded, err := e.db.CrowdedSeconds(ctx, others)
	if err != nil {
		e.log.Warn("reading the seconds of confirmed messages", "err", err)
		return
	}
	e.planRelist(append(seconds, crowded...))
}

// planRelist plans a listing of seconds whose order in the cache is a guess, and
// wakes the refetch loop.
func (e *Engine) planRelist(seconds []cache.Second) {
	if len(seconds) == 0 {
		return
	}
	e.relist.add(seconds)
	select {
	case e.missed.wake <- struct{}{}:
	default:
	}
}

// relistSeconds lists each planned second from the server and has the cache rank it
// so. A second that fails is planned again; the error is returned for the retry.
func (e *Engine) relistSeconds(ctx context.Context) error {
	me := e.Me()
	seconds := e.relist.take()
	for i, s := range seconds {
		if err := e.relistSecond(ctx, s, me); err != nil {
			e.relist.add(seconds[i:])
			return err
		}
	}
	return nil
}

func (e *Engine) relistSecond(ctx context.Context, s cache.Second, me int64) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	at := s.SentAt.Unix()
	listing := newServerListing(false)
	var ids []string // the second's messages in the server's order
	for skip := 0; ; skip += pageSize {
		asked := time.Now()
		page, err := e.listMessages(ctx, cube.MessageFilter{
			DialogID: s.DialogID, DateSentGTE: at, DateSentLTE: at, UpdatedAtGTE: anyUpdate,
			SortAsc: "date_sent", Limit: pageSize, Skip: skip, MarkAsRead: false,
		})
		if isPermanent(err) {
			return nil // the dialog is gone or no longer ours: the catch-up settles it
		}
		if err != nil {
			return fmt.Errorf("sync: listing a second of %s: %w", s.DialogID, err)
		}
		if _, err := e.upsertWire(ctx, page, me, listing, asked); err != nil {
			return fmt.Errorf("sync: storing a second of %s: %w", s.DialogID, err)
		}
		ids = append(ids, wireIDs(page)...)
		if len(page) < pageSize {
			e.own.listedSecond(s, ids)
			return nil
		}
	}
}
