package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cache"
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

// refreshUnread sets every cached dialog's unread count to the server's (GET
// /chat/Message/unread with the dialog ids, so that dialogs with none are listed
// too). The dialog on screen is read instead: the user is looking at it.
func (e *Engine) refreshUnread(ctx context.Context) error {
	dialogs, err := e.db.Dialogs(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, len(dialogs))
	for i, d := range dialogs {
		ids[i] = d.ID
	}
	return e.refreshUnreadOf(ctx, ids)
}

// refreshUnreadOf sets the unread counts of the given dialogs to the server's.
func (e *Engine) refreshUnreadOf(ctx context.Context, ids []string) error {
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
			n, listed := counts[id]
			if !listed {
				continue
			}
			onScreen := e.onScreen.take(id)
			if n > 0 && len(onScreen) > 0 && !e.viewing(id) {
				// Read on screen, yet unread on the server: the markers may have been
				// lost with their connection. Read them again, for the server and
				// their senders.
				if err := e.queueRead(ctx, id, onScreen, "on-screen read markers unconfirmed"); err != nil {
					e.log.Warn("queueing the on-screen reads again", "dialog", id, "err", err)
				}
			}
			if e.viewing(id) && n > 0 {
				e.onScreenAgain(id, onScreen)
				// On screen, yet unread on the server (it came by catch-up, not
				// live): the user is reading it, so it is read.
				if err := e.MarkRead(ctx, id); err != nil {
					e.log.Warn("reading the dialog on screen", "dialog", id, "err", err)
				}
				continue
			}
			d, err := e.db.Dialog(ctx, id)
			if errors.Is(err, cache.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("sync: reading dialog %s: %w", id, err)
			}
			if d.UnreadCount == n {
				continue
			}
			if err := e.db.SetUnread(ctx, id, n); err != nil {
				return fmt.Errorf("sync: saving unread count of %s: %w", id, err)
			}
		}
	}
	return nil
}
