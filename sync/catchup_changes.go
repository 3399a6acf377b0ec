package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// upsertWire stores server copies of messages (a catch-up, back-fill or search page)
// in one transaction and returns how many were new to the cache. A message never
// seen is inserted, unless it is a tombstone (nothing to show); a known one takes
// the server's edits, deletion and markers. The server keeps no edit time, so a copy
// whose text differs from ours is marked edited at its update time. REST copies
// carry reaction counts, not who reacted: messages whose counts differ from the
// cache's are asked for their reactions. listing, when the page is part of one
// listing of a dialog, has the cache rank each second it names as the server
// stored them (nil for search results). asked is when the page was requested (zero:
// unknown): a copy asked for before an edit the cache applied since is older than it.
func (e *Engine) upsertWire(ctx context.Context, page []cube.Message, me int64, listing *serverListing, asked time.Time) (int, error) {
	if len(page) == 0 {
		return 0, nil
	}
	// The stored copies of the whole page in one query, not one per message.
	stored, err := e.db.MessagesByID(ctx, wireIDs(page))
	if err != nil {
		return 0, fmt.Errorf("reading stored messages: %w", err)
	}
	batch := e.prepareWire(page, stored, me, listing, asked)
	n, unsure, err := e.db.UpsertListed(ctx, batch.msgs, batch.listed)
	if err != nil {
		return 0, fmt.Errorf("storing messages: %w", err)
	}
	e.planRelist(unsure)
	return n, e.finishWire(ctx, batch)
}

// wireBatch is a page of server copies made ready for the cache: what to upsert, the
// seconds to rank, and the reactions to bring up to date once it is stored.
type wireBatch struct {
	msgs      []cache.Message
	listed    []cache.Listed
	reacted   []cube.Message // reaction counts differ from the cache's: ask who reacted
	unreacted []string       // known messages deleted for everyone: their reactions went too
}

func wireIDs(page []cube.Message) []string {
	ids := make([]string, 0, len(page))
	for _, w := range page {
		ids = append(ids, w.ID)
	}
	return ids
}

// prepareWire turns a page into a wireBatch against the stored copies of its
// messages (id → message; missing = not cached). A listing read newest first is
// stored oldest first, so that the messages of a second come in the order the
// server stored them and their arrival ranks need no correction (cache/arrival.go).
func (e *Engine) prepareWire(page []cube.Message, stored map[string]*cache.Message, me int64, listing *serverListing, asked time.Time) wireBatch {
	b := wireBatch{msgs: make([]cache.Message, 0, len(page)), listed: listing.page(page)}
	for _, w := range page {
		if w.ID == "" || w.ChatDialogID == "" {
			e.log.Warn("server message without id or dialog, skipped", "id", w.ID)
			continue
		}
		m := messageFromWire(w, me)
		old := stored[w.ID]
		switch {
		case old == nil:
			if w.Deleted {
				continue
			}
			if reactionTotals(w) != nil {
				b.reacted = append(b.reacted, w)
			}
		default:
			keepEdits(&m, old, w, asked)
			switch {
			case w.Deleted && len(old.Reactions) > 0:
				b.unreacted = append(b.unreacted, w.ID)
			case !w.Deleted && (!sameReactions(*old, w, me) || listing.reactorsMayDiffer(w)):
				b.reacted = append(b.reacted, w)
			}
		}
		b.msgs = append(b.msgs, m)
	}
	if listing != nil && listing.newestFirst {
		slices.Reverse(b.msgs)
	}
	return b
}

// finishWire brings the reactions of a stored batch up to date.
func (e *Engine) finishWire(ctx context.Context, b wireBatch) error {
	for _, id := range b.unreacted {
		if err := e.db.SetReactions(ctx, id, nil); err != nil && !errors.Is(err, cache.ErrNotFound) {
			return fmt.Errorf("clearing reactions of %s: %w", id, err)
		}
	}
	for _, w := range b.reacted {
		if err := e.refreshReactions(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// refreshReactions replaces a message's cached reactions with the server's list. A
// permanent answer (the message was deleted, or is no longer ours to read, since the
// page was fetched) settles the message instead of failing the pass.
func (e *Engine) refreshReactions(ctx context.Context, w cube.Message) error {
	var who map[string][]int64
	asked := time.Now()
	before := e.queuedReactions(ctx, w.ID)
	err := e.rest(ctx, func(c *cube.Client) (err error) {
		who, err = c.ListReactions(ctx, w.ID)
		return err
	})
	if isPermanent(err) {
		return e.settleMessage(ctx, w.ID, err)
	}
	if err != nil {
		return fmt.Errorf("reactions of %s: %w", w.ID, err)
	}
	return e.storeReactionList(ctx, w.ID, who, asked, before)
}

// storeReactionList writes a message's reaction list, asked for from the server at
// asked (when before were queued), with what the server's answer may lack laid over
// it: the reactions that arrived live since, then this user's queued ones.
func (e *Engine) storeReactionList(ctx context.Context, messageID string, who map[string][]int64, asked time.Time, before []cache.Action) error {
	e.reactionsMu.Lock()
	defer e.reactionsMu.Unlock()
	who = withLiveReactions(who, e.liveReactions.since(messageID, asked))
	who = e.overlayQueuedReactions(ctx, messageID, who, before)
	if err := e.db.SetReactions(ctx, messageID, who); err != nil && !errors.Is(err, cache.ErrNotFound) {
		return fmt.Errorf("storing reactions of %s: %w", messageID, err)
	}
	return nil
}

// keepEdits reconciles a server copy m (of w) with the stored old: the server keeps
// no edit time, so a copy whose text differs from ours is marked edited at its
// update time; our own queued edit stays until the server confirms it. So does an
// edit the cache applied (live, or ours confirmed) after the page was asked for
// (asked): the page lists the message as it was before, and taking its text would
// undo the edit until the next catch-up. A later edit that page might hold comes
// live after the one applied, or with the catch-up that follows a lost connection.
func keepEdits(m *cache.Message, old *cache.Message, w cube.Message, asked time.Time) {
	m.EditedAt = old.EditedAt
	if old.EditPending || (old.Edited() && !asked.IsZero() && asked.Before(old.EditedAt)) {
		m.Body = old.Body
		return
	}
	if !m.Deleted && !old.Deleted && m.Body != old.Body && old.State.Confirmed() {
		m.EditedAt = laterThan(old.EditedAt, w.UpdatedAt.Time)
	}
}

func reactionTotals(w cube.Message) map[string]int {
	if w.Reactions == nil || len(w.Reactions.Total) == 0 {
		return nil
	}
	return w.Reactions.Total
}

func sameCounts(a, b map[string]int) bool {
	return len(a) == len(b) && maps.Equal(a, b)
}

// sameReactions tells whether the cached reactions of a message agree with a server
// copy, which carries only the totals and this user's own reactions: equal totals
// with a different own set (this user's reaction still queued, or lost) say nothing
// about who else reacted. Asked for the list, the cache then learns it; our queued
// reactions are laid over it (refreshReactions).
func sameReactions(old cache.Message, w cube.Message, me int64) bool {
	if !sameCounts(old.ReactionCounts(), reactionTotals(w)) {
		return false
	}
	var own []string
	if w.Reactions != nil {
		own = slices.Sorted(slices.Values(w.Reactions.Own))
	}
	return slices.Equal(old.ReactionsOf(me), own)
}
