package sync

import (
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// serverListing gathers, second by second, the order in which one server listing
// of a dialog (a catch-up pass, a back-fill, a refetch: one query, page after page)
// names messages that share a date_sent. The server lists them in the order it
// stored them (GET /chat/Message, docs/protocol.md §4.2; docs/architecture.md),
// which their ids do not tell; the cache ranks each second it is told about to
// agree (cache/arrival.go). A second can span two pages, so each page hands the cache
// everything the listing has named of its seconds so far.
type serverListing struct {
	newestFirst bool // sort_desc=date_sent: each page lists older messages than the last
	// changes: the listing asks for what changed since a time (updated_at), so each
	// message it names changed on the server since then (see reactorsMayDiffer).
	changes bool
	seconds map[listedSecond][]string
}

type listedSecond struct {
	dialogID string
	sentAt   int64 // unix milliseconds, as the cache keeps SentAt
}

func newServerListing(newestFirst bool) *serverListing {
	return &serverListing{newestFirst: newestFirst, seconds: map[listedSecond][]string{}}
}

// newChangesListing is a listing of what changed since a time (a catch-up, a
// refetch after a missed live event).
func newChangesListing(newestFirst bool) *serverListing {
	l := newServerListing(newestFirst)
	l.changes = true
	return l
}

// reactorsMayDiffer tells whether a known message this listing names may have other
// reactors than the cache holds though its counts and the user's own set agree: the
// message changed since the listing's time and has reactions. A REST copy carries
// counts, not who reacted, so one user taking back a ❤️ and another adding one while
// we were away leaves the same counts (the soak found it: docs/reliability.md).
func (l *serverListing) reactorsMayDiffer(w cube.Message) bool {
	return l != nil && l.changes && reactionTotals(w) != nil
}

// page records one page, in the order the server listed it, and returns the seconds
// it names, each with every id named of it so far in the server's (oldest first)
// order. A nil listing (search results: not one dialog's order) returns nothing.
func (l *serverListing) page(page []cube.Message) []cache.Listed {
	if l == nil {
		return nil
	}
	ordered := page
	if l.newestFirst {
		ordered = slices.Clone(page)
		slices.Reverse(ordered)
	}
	var keys []listedSecond
	named := map[listedSecond][]string{}
	for _, m := range ordered {
		if m.ID == "" || m.ChatDialogID == "" {
			continue
		}
		k := listedSecond{m.ChatDialogID, cube.UnixAny(m.DateSent).UnixMilli()}
		if named[k] == nil {
			keys = append(keys, k)
		}
		named[k] = append(named[k], m.ID)
	}
	out := make([]cache.Listed, 0, len(keys))
	for _, k := range keys {
		if l.newestFirst {
			l.seconds[k] = append(named[k], l.seconds[k]...)
		} else {
			l.seconds[k] = append(l.seconds[k], named[k]...)
		}
		out = append(out, cache.Listed{DialogID: k.dialogID, SentAt: time.UnixMilli(k.sentAt).UTC(), IDs: slices.Clone(l.seconds[k])})
	}
	return out
}
