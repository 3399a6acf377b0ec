package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// MarkRead is what opening a dialog does: it becomes the open dialog, its local unread
// count drops to zero, and the server marks all its messages read. When the server
// cannot be reached the read is remembered (persisted) and sent on the next Ready.
func (e *Engine) MarkRead(ctx context.Context, dialogID string) error {
	e.OpenDialog(dialogID)
	if err := e.db.SetUnread(ctx, dialogID, 0); err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	err := e.sendRead(ctx, dialogID)
	switch {
	case err == nil:
		return e.editPendingReads(ctx, func(ids []string) []string { return slices.DeleteFunc(ids, eq(dialogID)) })
	case isUnreachable(err) || !e.hasSession():
		e.log.Info("server unreachable, read mark queued", "dialog", dialogID, "err", err)
		return e.editPendingReads(ctx, func(ids []string) []string {
			if slices.Contains(ids, dialogID) {
				return ids
			}
			return append(ids, dialogID)
		})
	}
	return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
}

func (e *Engine) sendRead(ctx context.Context, dialogID string) error {
	return e.rest(ctx, func(c *cube.Client) error {
		return c.UpdateMessages(ctx, dialogID, nil, cube.MessageUpdate{Read: true})
	})
}

// flushPendingReads sends the read marks queued while offline. It runs before the
// catch-up, whose dialog copies carry the server's unread counts.
func (e *Engine) flushPendingReads(ctx context.Context) {
	ids, err := e.pendingReads(ctx)
	if err != nil {
		e.log.Error("reading queued read marks", "err", err)
		return
	}
	for _, id := range ids {
		err := e.sendRead(ctx, id)
		if isUnreachable(err) {
			return // still offline: keep the rest for the next Ready
		}
		if err != nil {
			// The server refuses this one (dialog gone, no longer a member): retrying
			// would never succeed.
			e.log.Warn("queued read mark refused, dropped", "dialog", id, "err", err)
		}
		if err := e.editPendingReads(ctx, func(ids []string) []string { return slices.DeleteFunc(ids, eq(id)) }); err != nil {
			e.log.Error("updating queued read marks", "err", err)
			return
		}
	}
}

func (e *Engine) pendingReads(ctx context.Context) ([]string, error) {
	raw, err := e.db.Cursor(ctx, pendingReadsCursor)
	if err != nil || raw == "" {
		return nil, err
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("sync: queued read marks are unreadable (%q): %w", raw, err)
	}
	return ids, nil
}

// editPendingReads rewrites the persisted list; readsMu keeps two edits from racing.
func (e *Engine) editPendingReads(ctx context.Context, edit func([]string) []string) error {
	e.readsMu.Lock()
	defer e.readsMu.Unlock()
	ids, err := e.pendingReads(ctx)
	if err != nil {
		return err
	}
	next := edit(slices.Clone(ids))
	if slices.Equal(ids, next) {
		return nil
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return err
	}
	return e.db.SetCursor(ctx, pendingReadsCursor, string(raw))
}

func (e *Engine) hasSession() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.session
}

func eq(s string) func(string) bool { return func(x string) bool { return x == s } }
