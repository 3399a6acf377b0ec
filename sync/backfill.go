package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// olderPage is how many messages one LoadOlder asks the server for.
const olderPage = 50

// anyUpdate is an updated_at[gte] bound that every message passes.
var anyUpdate = time.Unix(1, 0)

// olderMaxPages bounds how far LoadOlder pages through messages the cache already
// holds (a dense second, or a range already back-filled) looking for a page of new
// ones.
const olderMaxPages = 10

// LoadOlder back-fills history older than before (the SentAt of the oldest message the
// UI shows; zero = the newest page) from the server into the cache, and shrinks or
// removes the gaps it covered. It returns how many messages were new to the cache.
// It never marks anything read.
func (e *Engine) LoadOlder(ctx context.Context, dialogID string, before time.Time) (int, error) {
	if dialogID == "" {
		return 0, errors.New("sync: LoadOlder needs a dialog id")
	}
	me := e.Me()
	upper := unixSeconds(before)
	added := 0
	var oldest int64
	reachedStart := false
	listing := newServerListing(true)
	for page := 0; page < olderMaxPages; page++ {
		// date_sent[lte], not [lt]: messages sharing before's second may not all be
		// here yet; the upsert drops the ones that are. Any updated_at filter makes the
		// server include tombstones (rest/messages.go): a cached message deleted for
		// everyone in a range that catch-up left as a gap is learned here.
		f := cube.MessageFilter{
			DialogID: dialogID, DateSentLTE: upper, UpdatedAtGTE: anyUpdate, SortDesc: "date_sent",
			Limit: olderPage, Skip: page * olderPage, MarkAsRead: false,
		}
		asked := time.Now()
		items, err := e.listMessages(ctx, f)
		if err != nil {
			return added, fmt.Errorf("sync: loading older messages of %s: %w", dialogID, err)
		}
		n, err := e.upsertWire(ctx, items, me, listing, asked)
		if err != nil {
			return added, fmt.Errorf("sync: loading older messages of %s: %w", dialogID, err)
		}
		added += n
		for _, m := range items {
			ts := unixSeconds(cube.UnixAny(m.DateSent))
			if oldest == 0 || ts < oldest {
				oldest = ts
			}
		}
		if len(items) < olderPage {
			reachedStart = true
			break
		}
		if added >= olderPage {
			break
		}
	}
	if err := e.fillGaps(ctx, dialogID, upper, oldest, reachedStart); err != nil {
		return added, err
	}
	return added, nil
}

// fillGaps removes the range now known complete: everything up to upper (0 = now)
// when the start of the history was reached, else from oldest (whose second may be
// partly fetched, so it stays in the gap) up to upper.
func (e *Engine) fillGaps(ctx context.Context, dialogID string, upper, oldest int64, reachedStart bool) error {
	to := time.Now().UTC()
	if upper > 0 {
		to = time.Unix(upper, 0)
	}
	var from time.Time
	switch {
	case reachedStart:
		from = time.Time{}
	case oldest > 0 && oldest < to.Unix():
		from = time.Unix(oldest, 0)
	default:
		return nil // nothing older was seen: the gap, if any, is unchanged
	}
	if err := e.db.RemoveGap(ctx, dialogID, from, to); err != nil {
		return fmt.Errorf("sync: updating gaps of %s: %w", dialogID, err)
	}
	return nil
}
