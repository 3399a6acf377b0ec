package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// unreadChunk is how many dialog ids one unread-count request names.
const unreadChunk = 100

// UnreadTotal is the number of unread messages over the visible dialogs, from the
// cache (which the catch-up refreshes from the server).
func (e *Engine) UnreadTotal(ctx context.Context) (int, error) {
	total, err := e.db.UnreadTotal(ctx)
	if err != nil {
		return 0, fmt.Errorf("sync: counting unread messages: %w", err)
	}
	return total, nil
}

// refreshUnread sets every cached dialog's unread count to the server's with one
// request: GET /chat/Message/unread without ids answers every dialog of the user
// that has unread messages, so a cached dialog it leaves out has none. A server that
// answers the total only (its per-dialog counts do not add up to it) is asked by id
// instead, a chunk at a time. The dialog on screen is read instead: the user is
// looking at it.
func (e *Engine) refreshUnread(ctx context.Context) error {
	cached, err := e.db.UnreadCounts(ctx, nil)
	if err != nil {
		return fmt.Errorf("sync: reading unread counts: %w", err)
	}
	var total int
	var counts map[string]int
	err = e.rest(ctx, func(c *cube.Client) (err error) {
		total, counts, err = c.UnreadCount(ctx, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("sync: reading unread counts: %w", err)
	}
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum != total {
		return e.refreshUnreadOf(ctx, slices.Sorted(maps.Keys(cached)))
	}
	server := make(map[string]int, len(cached))
	for id := range cached {
		server[id] = counts[id]
	}
	return e.applyUnread(ctx, server, cached)
}

// refreshUnreadOf sets the unread counts of the given dialogs to the server's,
// naming them in the request (a dialog the server leaves out is not the user's to
// count, and keeps its cached count).
func (e *Engine) refreshUnreadOf(ctx context.Context, ids []string) error {
	server := make(map[string]int, len(ids))
	for start := 0; start < len(ids); start += unreadChunk {
		chunk := ids[start:min(start+unreadChunk, len(ids))]
		var counts map[string]int
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			_, counts, err = c.UnreadCount(ctx, chunk)
			return err
		})
		if err != nil {
			return fmt.Errorf("sync: reading unread counts: %w", err)
		}
		for _, id := range chunk {
			if n, listed := counts[id]; listed {
				server[id] = n
			}
		}
	}
	cached, err := e.db.UnreadCounts(ctx, ids)
	if err != nil {
		return fmt.Errorf("sync: reading unread counts: %w", err)
	}
	return e.applyUnread(ctx, server, cached)
}

// applyUnread stores the server's unread counts (dialog → count) over the cached
// ones, in one transaction for all that differ. Messages read on screen that the
// server still counts unread are read again; the dialog on screen is read instead of
// counted.
func (e *Engine) applyUnread(ctx context.Context, server, cached map[string]int) error {
	changed := map[string]int{}
	for id, n := range server {
		onScreen := e.onScreen.take(id)
		viewing := e.viewing(id)
		if n > 0 && len(onScreen) > 0 && !viewing {
			// Read on screen, yet unread on the server: the markers may have been
			// lost with their connection. Read them again, for the server and
			// their senders.
			if err := e.queueRead(ctx, id, onScreen, "on-screen read markers unconfirmed"); err != nil {
				e.log.Warn("queueing the on-screen reads again", "dialog", id, "err", err)
			}
		}
		if viewing && n > 0 {
			e.onScreenAgain(id, onScreen)
			// On screen, yet unread on the server (it came by catch-up, not
			// live): the user is reading it, so it is read.
			if err := e.MarkRead(ctx, id); err != nil {
				e.log.Warn("reading the dialog on screen", "dialog", id, "err", err)
			}
			continue
		}
		if old, ok := cached[id]; ok && old != n {
			changed[id] = n
		}
	}
	if err := e.db.SetUnreadCounts(ctx, changed); err != nil {
		return fmt.Errorf("sync: saving unread counts: %w", err)
	}
	return nil
}
