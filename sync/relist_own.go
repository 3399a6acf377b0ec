package sync

import (
	"context"
	"slices"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// A second that holds only messages this engine's outbox confirmed needs no listing:
// one stream's stanzas reach the server, and are stored, in the order they were
// written, and confirmations follow that order too (docs/reliability.md). So the
// engine remembers, for the latest seconds it confirmed messages in, their ids in
// stream order. When a confirmed batch lands in such a second and the cache holds
// exactly as many messages there as the engine confirmed, the batch's ones last and
// in stream order, the guess is known to be right (the earlier ones were checked
// with their own batches). Anything else in the second (another sender's message, a
// copy from another device of ours, a message confirmed before a restart, which the
// engine no longer remembers) leaves the listing planned, as before. Checking only
// the count and the batch's tail keeps the check's cost that of the batch, not of
// the second (a second of a fast burst holds thousands of messages).

// ownSecondsKept bounds how many seconds are remembered; older ones are forgotten,
// which only costs a listing.
const ownSecondsKept = 64

// secondKey is a cache.Second as a map key (the cache stores milliseconds).
type secondKey struct {
	dialogID string
	ms       int64
}

func keyOf(s cache.Second) secondKey { return secondKey{s.DialogID, s.SentAt.UnixMilli()} }

// ownSeconds holds the ids this engine confirmed in each recent second, in stream
// order.
type ownSeconds struct {
	mu    gosync.Mutex
	ids   map[secondKey][]string
	order []secondKey // oldest first, for forgetting
	// listed holds, for a remembered second listed from the server, the ids its
	// listing named (see listed).
	listed map[secondKey]map[string]bool
}

// ownBatch is the part of a confirmed batch that landed in one second.
type ownBatch struct {
	second cache.Second
	ids    []string
}

// confirmed records messages confirmed in stream order and returns them by second,
// in order of first appearance.
func (o *ownSeconds) confirmed(seconds []cache.Second, ids []string) []ownBatch {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ids == nil {
		o.ids = map[secondKey][]string{}
	}
	var out []ownBatch
	at := map[secondKey]int{}
	for i, s := range seconds {
		k := keyOf(s)
		if _, ok := o.ids[k]; !ok {
			o.order = append(o.order, k)
		}
		if !o.listed[k][ids[i]] { // a listing placed it already
			o.ids[k] = append(o.ids[k], ids[i])
		}
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, ownBatch{second: s})
		}
		out[j].ids = append(out[j].ids, ids[i])
	}
	for len(o.order) > ownSecondsKept {
		delete(o.ids, o.order[0])
		delete(o.listed, o.order[0])
		o.order = o.order[1:]
	}
	return out
}

// listedSecond records that second s was listed from the server and is now cached in
// the listing's order, ids. When the engine remembers s, what it holds there becomes
// the listing, followed by what it confirmed there that the listing did not name
// (confirmed after it was taken); later confirmations of listed messages add nothing.
// Without this, a second listed during a burst of ours was listed again at every
// later batch: the listing stores our messages the outbox has not confirmed yet,
// which the engine did not count as its own, so the count never matched again (2–15
// listings of a whole second per run, docs/benchmarks.md, issue 10, round 4).
func (o *ownSeconds) listedSecond(s cache.Second, ids []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := keyOf(s)
	mine, ok := o.ids[k]
	if !ok {
		return // not a second of ours: nothing to keep
	}
	named := make(map[string]bool, len(ids))
	for _, id := range ids {
		named[id] = true
	}
	merged := slices.Clone(ids)
	for _, id := range mine {
		if !named[id] {
			merged = append(merged, id)
		}
	}
	o.ids[k] = merged
	if o.listed == nil {
		o.listed = map[secondKey]map[string]bool{}
	}
	o.listed[k] = named
}

// settled tells whether a second whose cache holds count messages, the last of
// them tail, holds exactly the ones this engine confirmed there with tail last.
func (o *ownSeconds) settled(s cache.Second, count int, tail []string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	mine, ok := o.ids[keyOf(s)]
	return ok && count == len(mine) && len(tail) <= len(mine) && slices.Equal(mine[len(mine)-len(tail):], tail)
}

// ownSecondsToList returns the seconds of an own confirmed batch whose order in the
// cache is not known to be right.
func (e *Engine) ownSecondsToList(ctx context.Context, batches []ownBatch) ([]cache.Second, error) {
	var out []cache.Second
	for _, b := range batches {
		count, tail, err := e.db.SecondTail(ctx, b.second, len(b.ids))
		if err != nil {
			return nil, err
		}
		if count > 1 && !e.own.settled(b.second, count, tail) {
			out = append(out, b.second)
		}
	}
	return out, nil
}

// composedAt is the local time a message composed now is stored with while
// pending, moved off a whole second (by one millisecond). A confirmed message's
// time is the server's date_sent, a whole second, and ownSecondsToList counts the
// cache's messages at that exact time: a pending one composed in the second's
// first millisecond was counted among them, so the whole second was listed again
// from the server; at 2000 messages a second that happened every second or two
// (docs/benchmarks.md, issue 10).
func composedAt() time.Time { return offTheSecond(time.Now().UTC()) }

// offTheSecond is t, or t a millisecond later when its millisecond is a whole
// second's (the cache keeps milliseconds).
func offTheSecond(t time.Time) time.Time {
	if t.Nanosecond() < int(time.Millisecond) {
		return t.Add(time.Millisecond)
	}
	return t
}
