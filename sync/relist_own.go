package sync

import (
	"slices"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
)

// A second that holds only messages this engine's outbox confirmed needs no listing:
// one stream's stanzas reach the server, and are stored, in the order they were
// written, and confirmations follow that order too (docs/reliability.md). So the
// engine remembers, for the latest seconds it confirmed messages in, their ids in
// stream order; when the cache holds exactly those ids there, in that order, the
// guess is known to be right. Anything else in the second (another sender's message,
// a copy from another device of ours, a message confirmed before a restart, which
// the engine no longer remembers) leaves the listing planned, as before.

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
}

// confirmed records messages confirmed in stream order.
func (o *ownSeconds) confirmed(seconds []cache.Second, ids []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ids == nil {
		o.ids = map[secondKey][]string{}
	}
	for i, s := range seconds {
		k := keyOf(s)
		if _, ok := o.ids[k]; !ok {
			o.order = append(o.order, k)
		}
		o.ids[k] = append(o.ids[k], ids[i])
	}
	for len(o.order) > ownSecondsKept {
		delete(o.ids, o.order[0])
		o.order = o.order[1:]
	}
}

// settled tells whether the cache's ids of a second, in its order, are exactly the
// ones this engine confirmed there, in stream order.
func (o *ownSeconds) settled(s cache.SecondOrder) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	mine, ok := o.ids[keyOf(s.Second)]
	return ok && slices.Equal(mine, s.IDs)
}
