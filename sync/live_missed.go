package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/backoff"
)

// When the cache cannot store live traffic because the disk is full, nothing may be
// lost: the dialog is remembered from that moment (a gap row when the cache still
// takes that small write, in memory in any case), the status says the disk is full,
// and as soon as the cache takes writes again (a later live message is stored, or a
// retry succeeds) everything the server changed in that dialog since then is fetched
// and stored — without waiting for a reconnect or a restart.

const (
	// missedMargin widens the refetch: the server's updated_at, the sender's date_sent
	// and this machine's clock may disagree a little.
	missedMargin = time.Minute
	// missedRetryMin and missedRetryMax bound the wait between refetch attempts.
	missedRetryMin = 500 * time.Millisecond
	missedRetryMax = 5 * time.Second
)

// missedEntry is one dialog's missed traffic.
type missedEntry struct {
	since      time.Time // refetch what the server changed from here on
	gapFrom    time.Time // the gap persisted for it (zero: none)
	gapTo      time.Time
	generation int // moves with every new failure, so a refetch cannot settle a later one
}

// missedBook holds the dialogs with live traffic the cache failed to store.
type missedBook struct {
	mu      gosync.Mutex
	entries map[string]*missedEntry
	next    int
	wake    chan struct{} // one pending wake-up
}

func newMissedBook() *missedBook {
	return &missedBook{entries: map[string]*missedEntry{}, wake: make(chan struct{}, 1)}
}

func (b *missedBook) add(dialogID string, since, gapAt time.Time) {
	b.mu.Lock()
	b.next++
	en := b.entries[dialogID]
	if en == nil {
		en = &missedEntry{since: since}
		b.entries[dialogID] = en
	}
	en.since = minTime(en.since, since)
	if !gapAt.IsZero() {
		if en.gapFrom.IsZero() {
			en.gapFrom, en.gapTo = gapAt, gapAt
		}
		en.gapFrom, en.gapTo = minTime(en.gapFrom, gapAt), maxTime(en.gapTo, gapAt)
	}
	en.generation = b.next
	b.mu.Unlock()
	b.nudge()
}

// nudge wakes the refetch when something is missed (a store just succeeded: the
// disk may have room again).
func (b *missedBook) nudge() {
	b.mu.Lock()
	empty := len(b.entries) == 0
	b.mu.Unlock()
	if empty {
		return
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *missedBook) snapshot() map[string]missedEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]missedEntry, len(b.entries))
	for id, en := range b.entries {
		out[id] = *en
	}
	return out
}

// settled forgets a dialog's entry unless a failure came after the refetch began.
func (b *missedBook) settled(dialogID string, generation int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if en := b.entries[dialogID]; en != nil && en.generation == generation {
		delete(b.entries, dialogID)
	}
}

func (b *missedBook) empty() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.entries) == 0
}

// missedLive records traffic of dialogID that the cache could not store; at is the
// message's date_sent (zero for a signal about an older message). Only a full disk
// is handled so: it passes, while other failures would fail the same way again.
func (e *Engine) missedLive(ctx context.Context, dialogID string, at time.Time, err error) {
	if dialogID == "" || !errors.Is(err, cache.ErrDiskFull) {
		return
	}
	since := time.Now()
	if !at.IsZero() {
		since = minTime(since, at)
	}
	var gapAt time.Time
	if !at.IsZero() && e.db.AddGap(ctx, dialogID, at, at) == nil {
		gapAt = at // persisted: a restart before the refetch still knows
	}
	e.missed.add(dialogID, since.Add(-missedMargin), gapAt)
	e.status.Update(func(s *Status) { s.StoreErr = err })
}

// runRefetchMissed fetches missed traffic again whenever woken, retrying with a
// growing wait while the cache still refuses or the server cannot be reached.
func (e *Engine) runRefetchMissed(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	wait := backoff.New(backoff.Policy{Min: missedRetryMin, Max: missedRetryMax})
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.missed.wake:
		case <-retry.C:
		}
		err := e.relistSeconds(ctx)
		if err == nil && e.missed.empty() {
			continue
		}
		if err == nil {
			err = e.refetchMissed(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			d := wait.Next()
			e.log.Info("missed live traffic not fetched yet", "err", err, "retry_in", d)
			retry.Reset(d)
			continue
		}
		wait.Reset()
		if e.missed.empty() {
			e.status.Update(func(s *Status) { s.StoreErr = nil })
		}
	}
}

// refetchMissed stores, for every dialog in the book, what the server changed since
// the first failure: new messages and changes to older ones alike.
func (e *Engine) refetchMissed(ctx context.Context) error {
	me := e.Me()
	for dialogID, en := range e.missed.snapshot() {
		if err := e.refetchDialog(ctx, dialogID, en, me); err != nil {
			return err
		}
	}
	return nil
}

// refetchDialog is refetchMissed for one dialog, after any catch-up pass under way.
func (e *Engine) refetchDialog(ctx context.Context, dialogID string, en missedEntry, me int64) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	listing := newChangesListing(false)
	for skip := 0; ; skip += pageSize {
		asked := time.Now()
		page, err := e.listMessages(ctx, cube.MessageFilter{
			DialogID: dialogID, UpdatedAtGTE: en.since, SortAsc: "date_sent",
			Limit: pageSize, Skip: skip, MarkAsRead: false,
		})
		if err != nil {
			return fmt.Errorf("sync: refetching dialog %s: %w", dialogID, err)
		}
		if _, err := e.upsertWire(ctx, page, me, listing, asked); err != nil {
			return fmt.Errorf("sync: storing refetched messages of %s: %w", dialogID, err)
		}
		if len(page) < pageSize {
			break
		}
	}
	if !en.gapFrom.IsZero() {
		if err := e.db.RemoveGap(ctx, dialogID, en.gapFrom, en.gapTo); err != nil {
			return fmt.Errorf("sync: closing the gap of %s: %w", dialogID, err)
		}
	}
	e.missed.settled(dialogID, en.generation)
	e.unread.touch(dialogID) // the badges missed those messages too
	e.log.Info("missed live traffic fetched", "dialog", dialogID, "since", en.since)
	return nil
}

// signalForUnknown handles an edit, deletion or reaction about a message the cache
// does not hold. Usually it is one of the dialog's older messages, which the cache
// need not have; but it may be one a catch-up page has just listed and not stored
// yet: stored after the signal, the page's copy would lack it (a deletion, an edit,
// a reaction undone) until the next reconnect. The dialog's recent changes are
// therefore fetched again once the catch-up pass under way is done (passMu).
func (e *Engine) signalForUnknown(dialogID string) {
	if dialogID == "" {
		return
	}
	e.missed.add(dialogID, time.Now().Add(-missedMargin), time.Time{})
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
