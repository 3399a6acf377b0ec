package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// MarkRead is what opening a dialog does: it becomes the open dialog, its local unread
// count drops to zero, and the server marks all its messages read; the senders of
// the unread messages get read markers, so their ticks turn. When the server cannot
// be reached, or the chat (which carries the markers) is down, the read waits in the
// action queue (persisted), which sends it on the next Ready, before the catch-up.
func (e *Engine) MarkRead(ctx context.Context, dialogID string) error {
	e.OpenDialog(dialogID)
	if err := e.db.SetUnread(ctx, dialogID, 0); err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	err := e.sendRead(ctx, dialogID)
	switch {
	case err == nil && e.connChat() == nil:
		// The server has the read, the senders cannot hear of it yet.
		return e.queueRead(ctx, dialogID, "no chat for the read markers")
	case err == nil:
		e.sendReadMarkers(ctx, dialogID)
		return nil
	case isUnreachable(err) || !e.hasSession():
		return e.queueRead(ctx, dialogID, err.Error())
	}
	return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
}

// queueRead persists a read of the whole dialog for the outbox, and wakes it.
func (e *Engine) queueRead(ctx context.Context, dialogID, why string) error {
	e.log.Info("read mark queued", "dialog", dialogID, "why", why)
	if _, err := e.db.EnqueueAction(ctx, cache.Action{Kind: cache.ActionRead, DialogID: dialogID}); err != nil {
		return fmt.Errorf("sync: queueing the read mark of %s: %w", dialogID, err)
	}
	e.kickOutbox()
	return nil
}

// readMarkerWindow is how many of the newest cached messages a read looks at for
// read markers to send: the REST read covers the whole dialog, and every message
// it covers without a marker leaves its sender's ticks grey.
const readMarkerWindow = 300

// sendReadMarkers tells the senders of the dialog's newest messages that we read
// them (XMPP <displayed/>; a REST read does not notify anyone), once per message.
func (e *Engine) sendReadMarkers(ctx context.Context, dialogID string) {
	chat := e.connChat()
	if chat == nil {
		return
	}
	me := e.Me()
	msgs, err := e.db.Messages(ctx, dialogID, time.Time{}, "", readMarkerWindow)
	if err != nil {
		e.log.Warn("reading messages for read markers", "dialog", dialogID, "err", err)
		return
	}
	var marked []string
	for _, m := range msgs {
		if m.SenderID == me || m.SenderID == 0 || m.Deleted || slices.Contains(m.ReadIDs, me) || !m.State.Confirmed() {
			continue
		}
		wire := cube.Message{ID: m.ID, ChatDialogID: m.DialogID, SenderID: m.SenderID, RecipientID: m.RecipientID}
		if err := chat.SendRead(ctx, wire); err != nil {
			e.log.Info("sending read markers", "dialog", dialogID, "err", err)
			break
		}
		marked = append(marked, m.ID)
	}
	if _, err := e.db.AddMarkers(ctx, dialogID, marked, me, cache.MarkerRead); err != nil {
		e.log.Warn("recording our read markers", "dialog", dialogID, "err", err)
	}
}

func (e *Engine) sendRead(ctx context.Context, dialogID string) error {
	return e.rest(ctx, func(c *cube.Client) error {
		return c.UpdateMessages(ctx, dialogID, nil, cube.MessageUpdate{Read: true})
	})
}

// flushPendingReads sends the read marks queued while offline: those in the action
// queue (with their read markers), and those older versions kept in a cursor. It
// runs on Ready before the catch-up, whose unread counts must already include them;
// reads concern no message of the outbox, so they need not wait for it.
func (e *Engine) flushPendingReads(ctx context.Context) {
	e.sendQueuedReads(ctx)
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

// sendQueuedReads sends the queued read actions now, stopping at the first that
// cannot go (still unreachable: the outbox retries it).
func (e *Engine) sendQueuedReads(ctx context.Context) {
	actions, err := e.db.Actions(ctx)
	if err != nil {
		e.log.Error("reading the action queue", "err", err)
		return
	}
	chat := e.connChat()
	for _, a := range actions {
		if a.Kind == cache.ActionRead && (ctx.Err() != nil || !e.settleAction(ctx, chat, a)) {
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
