package sync

import (
	"context"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// unreadChunk is how many dialog ids one unread-count request names.
const unreadChunk = 100

// UnreadTotal is the number of unread messages over the visible dialogs, from the
// cache (which the catch-up refreshes from the server).
func (e *Engine) UnreadTotal(ctx context.Context) (int, error) {
	dialogs, err := e.db.VisibleDialogs(ctx)
	if err != nil {
		return 0, fmt.Errorf("sync: counting unread messages: %w", err)
	}
	total := 0
	for _, d := range dialogs {
		total += d.UnreadCount
	}
	return total, nil
}

// refreshUnread sets every cached dialog's unread count to the server's (GET
// /chat/Message/unread with the dialog ids, so that dialogs with none are listed
// too). The dialog on screen is left alone: the user is reading it.
func (e *Engine) refreshUnread(ctx context.Context) error {
	dialogs, err := e.db.Dialogs(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(dialogs); start += unreadChunk {
		chunk := dialogs[start:min(start+unreadChunk, len(dialogs))]
		ids := make([]string, len(chunk))
		for i, d := range chunk {
			ids[i] = d.ID
		}
		var counts map[string]int
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			_, counts, err = c.UnreadCount(ctx, ids)
			return err
		})
		if err != nil {
			return fmt.Errorf("sync: reading unread counts: %w", err)
		}
		for _, d := range chunk {
			n, listed := counts[d.ID]
			if !listed || n == d.UnreadCount || e.viewing(d.ID) {
				continue
			}
			if err := e.db.SetUnread(ctx, d.ID, n); err != nil {
				return fmt.Errorf("sync: saving unread count of %s: %w", d.ID, err)
			}
		}
	}
	return nil
}
