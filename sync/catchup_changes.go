package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// changesCursorKey holds the unix seconds of the last catch-up of changes to older
// messages (edits, deletions, reactions, markers) — not of new messages.
const changesCursorKey = "messages.updated_at"

// catchUpChanges fetches, for every cached dialog, the messages updated at or after
// the last pass (updated_at[gte], one-second resolution, de-duplicated by the
// upsert) and applies their edits, deletions, reactions and read/delivered ids.
// Every cached dialog is asked, not only those listed as updated: the server does
// not move a dialog's updated_at when an older message is edited or reacted to.
// The first pass on a fresh cache only records the time (everything fetched is
// current already).
func (e *Engine) catchUpChanges(ctx context.Context) error {
	started := time.Now().Add(-time.Second) // a change in this very second is asked again next time
	since, err := e.readCursor(ctx, changesCursorKey)
	if err != nil {
		return err
	}
	if since > 0 {
		dialogs, err := e.db.Dialogs(ctx)
		if err != nil {
			return fmt.Errorf("sync: listing cached dialogs: %w", err)
		}
		for _, d := range dialogs {
			if err := e.catchUpDialogChanges(ctx, d.ID, time.Unix(since, 0)); err != nil {
				return fmt.Errorf("sync: changes of dialog %s: %w", d.ID, err)
			}
		}
	}
	if err := e.db.SetCursor(ctx, changesCursorKey, strconv.FormatInt(started.Unix(), 10)); err != nil {
		return fmt.Errorf("sync: saving the changes cursor: %w", err)
	}
	return nil
}

// catchUpDialogChanges applies one dialog's changed messages, page by page.
func (e *Engine) catchUpDialogChanges(ctx context.Context, dialogID string, since time.Time) error {
	for skip := 0; ; skip += pageSize {
		page, err := e.listMessages(ctx, cube.MessageFilter{
			DialogID: dialogID, UpdatedAtGTE: since, SortAsc: "date_sent",
			Limit: pageSize, Skip: skip, MarkAsRead: false,
		})
		if err != nil {
			return err
		}
		if err := e.applyChanged(ctx, page); err != nil {
			return err
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

// applyChanged merges changed server copies into the cache. Only messages the
// cache holds are touched: a change to history never fetched is not news (and a
// tombstone of one is nothing to show). The server keeps no edit time, so a copy
// whose text differs from ours is marked edited at its update time.
func (e *Engine) applyChanged(ctx context.Context, page []cube.Message) error {
	me := e.Me()
	var batch []cache.Message
	var reacted []cube.Message
	for _, w := range page {
		old, err := e.db.Message(ctx, w.ID)
		if errors.Is(err, cache.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		m := messageFromWire(w, me)
		keepEdits(&m, old, w)
		batch = append(batch, m)
		if !sameCounts(old.ReactionCounts(), reactionTotals(w)) {
			reacted = append(reacted, w)
		}
	}
	if len(batch) > 0 {
		if _, err := e.db.UpsertMessages(ctx, batch); err != nil {
			return fmt.Errorf("storing changed messages: %w", err)
		}
	}
	// REST copies carry reaction counts, not who reacted: ask for those that moved.
	for _, w := range reacted {
		var who map[string][]int64
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			who, err = c.ListReactions(ctx, w.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("reactions of %s: %w", w.ID, err)
		}
		if err := e.db.SetReactions(ctx, w.ID, who); err != nil && !errors.Is(err, cache.ErrNotFound) {
			return fmt.Errorf("storing reactions of %s: %w", w.ID, err)
		}
	}
	return nil
}

// keepEdits reconciles a server copy m (of w) with the stored old: the server keeps
// no edit time, so a copy whose text differs from ours is marked edited at its
// update time; our own queued edit stays until the server confirms it.
func keepEdits(m *cache.Message, old *cache.Message, w cube.Message) {
	m.EditedAt = old.EditedAt
	if old.EditPending {
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
