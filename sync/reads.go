package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// MarkRead is what opening a dialog does: it becomes the open dialog, its local unread
// count drops to zero, and the server marks read what the user was shown unread; the
// senders of those messages get read markers, so their ticks turn. When the server
// cannot be reached, or the chat (which carries the markers) is down or drops before
// the server has taken the markers, the read waits in the action queue (persisted),
// which sends it on the next Ready, before the catch-up.
func (e *Engine) MarkRead(ctx context.Context, dialogID string) error {
	e.OpenDialog(dialogID)
	shown, err := e.unreadShown(ctx, dialogID)
	if err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	if shown, err = e.withOnScreen(ctx, dialogID, shown); err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	scope, err := e.readScope(ctx, dialogID, shown)
	if err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	if err := e.db.SetUnread(ctx, dialogID, 0); err != nil {
		return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
	}
	if scope != nil && len(scope) == 0 {
		return nil // nothing unread here: nothing to tell the server or anyone
	}
	err = e.sendRead(ctx, dialogID, scope)
	switch {
	case err == nil:
		e.touchAfterRead(dialogID)
		if err := e.sendReadMarkers(ctx, dialogID, shown); err != nil {
			// The server has the read, the senders may not have heard of it.
			return e.queueRead(ctx, dialogID, scope, err.Error())
		}
		return nil
	case isUnreachable(err) || !e.hasSession():
		return e.queueRead(ctx, dialogID, scope, err.Error())
	}
	return fmt.Errorf("sync: marking dialog %s read: %w", dialogID, err)
}

// withOnScreen adds to shown the dialog's messages read on screen whose markers no
// server answer has confirmed yet: they show read here, but must be read again.
func (e *Engine) withOnScreen(ctx context.Context, dialogID string, shown []cache.Message) ([]cache.Message, error) {
	for _, id := range e.onScreen.take(dialogID) {
		if slices.ContainsFunc(shown, func(m cache.Message) bool { return m.ID == id }) {
			continue
		}
		m, err := e.db.Message(ctx, id)
		if errors.Is(err, cache.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		shown = append(shown, *m)
	}
	return shown, nil
}

// readScope is what a read marks on the server: the messages shown unread, named, so
// that one the server holds but this device has not received yet (delayed, or sent
// while we were away) is neither marked read unseen nor left without the marker its
// sender needs. Only when the count says more is unread than the cache holds (old
// history not fetched: the window is full, or the dialog has gaps) is the whole
// dialog read (nil), as the user asked.
func (e *Engine) readScope(ctx context.Context, dialogID string, shown []cache.Message) ([]string, error) {
	ids := make([]string, 0, len(shown))
	for _, m := range shown {
		ids = append(ids, m.ID)
	}
	d, err := e.db.Dialog(ctx, dialogID)
	if errors.Is(err, cache.ErrNotFound) {
		return ids, nil
	}
	if err != nil {
		return nil, err
	}
	if d.UnreadCount <= len(ids) {
		return ids, nil
	}
	msgs, err := e.db.Messages(ctx, dialogID, time.Time{}, "", readMarkerWindow)
	if err != nil {
		return nil, err
	}
	gaps, err := e.db.Gaps(ctx, dialogID)
	if err != nil {
		return nil, err
	}
	if len(msgs) >= readMarkerWindow || len(gaps) > 0 {
		return nil, nil
	}
	return ids, nil
}

// queueRead persists a read for the outbox, and wakes it. ids is its scope
// (readScope: the messages shown, or nil for the whole dialog). It is written even
// when the caller's context has ended: the usual reason to queue is that the read
// request ran out of time, and the server may have taken it all the same, so a read
// not queued then would leave the server's read state ahead of the cache's for good.
func (e *Engine) queueRead(ctx context.Context, dialogID string, ids []string, why string) error {
	e.log.Info("read mark queued", "dialog", dialogID, "why", why)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueReadTimeout)
	defer cancel()
	a := cache.Action{Kind: cache.ActionRead, DialogID: dialogID, MessageIDs: ids}
	if _, err := e.db.EnqueueAction(ctx, a); err != nil {
		return fmt.Errorf("sync: queueing the read mark of %s: %w", dialogID, err)
	}
	e.kickOutbox()
	return nil
}

// readMarkerWindow is how many of the newest cached messages a read looks at for
// read markers to send: the REST read covers the whole dialog, and every message
// it covers without a marker leaves its sender's ticks grey.
const readMarkerWindow = 300

// queueReadTimeout bounds the local write that queues a read (queueRead).
const queueReadTimeout = 10 * time.Second

// unreadShown is what the user sees unread in a dialog: the others' messages among
// its newest cached ones that we have not read. These are what a read tells the
// senders of.
func (e *Engine) unreadShown(ctx context.Context, dialogID string) ([]cache.Message, error) {
	me := e.Me()
	msgs, err := e.db.Messages(ctx, dialogID, time.Time{}, "", readMarkerWindow)
	if err != nil {
		return nil, fmt.Errorf("reading messages for read markers: %w", err)
	}
	return slices.DeleteFunc(msgs, func(m cache.Message) bool {
		return m.SenderID == me || m.SenderID == 0 || m.Deleted || slices.Contains(m.ReadIDs, me) || !m.State.Confirmed()
	}), nil
}

// touchAfterRead has the dialog's count asked again now that the server holds the
// read: a refresh answered just before it may still write the old count over the
// zero, and nothing else would come to correct it.
func (e *Engine) touchAfterRead(dialogID string) { e.unread.touch(dialogID) }

// errNoChatForMarkers: the chat that carries read markers is down.
var errNoChatForMarkers = errors.New("no chat for the read markers")

// sendReadMarkers tells the senders of msgs that we read them (XMPP <displayed/>; a
// REST read does not notify anyone). A marker written on a connection that then
// dies is lost without an error, so the markers count as told (our read recorded in
// the cache) only once the server has answered a ping sent after them: it reads a
// connection in order, so it has relayed them by then. An error means the senders
// may not know; the caller queues the read again.
func (e *Engine) sendReadMarkers(ctx context.Context, dialogID string, msgs []cache.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	chat := e.connChat()
	if chat == nil {
		return errNoChatForMarkers
	}
	me := e.Me()
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m.SenderID == me || m.SenderID == 0 || m.Deleted {
			continue
		}
		wire := cube.Message{ID: m.ID, ChatDialogID: m.DialogID, SenderID: m.SenderID, RecipientID: m.RecipientID}
		if err := chat.SendRead(ctx, wire); err != nil {
			return fmt.Errorf("sending read markers: %w", err)
		}
		ids = append(ids, m.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := chat.Confirm(ctx); err != nil { // the server's ack, or a ping answered after them
		return fmt.Errorf("confirming read markers: %w", err)
	}
	if _, err := e.db.AddMarkers(ctx, dialogID, ids, me, cache.MarkerRead); err != nil {
		e.log.Warn("recording our read markers", "dialog", dialogID, "err", err)
	}
	return nil
}

// queuedReadMarkers is what a queued read tells the senders of: the messages it
// names that the cache still holds (their markers go even when the catch-up already
// shows them read by us, since the server's read told nobody), or for a read of the
// whole dialog what it shows unread now.
func (e *Engine) queuedReadMarkers(ctx context.Context, a cache.Action) ([]cache.Message, error) {
	if a.MessageIDs == nil {
		return e.unreadShown(ctx, a.DialogID)
	}
	var out []cache.Message
	for _, id := range a.MessageIDs {
		m, err := e.db.Message(ctx, id)
		if errors.Is(err, cache.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// sendRead marks ids of a dialog read on the server (nil: the whole dialog).
func (e *Engine) sendRead(ctx context.Context, dialogID string, ids []string) error {
	return e.rest(ctx, func(c *cube.Client) error {
		return c.UpdateMessages(ctx, dialogID, ids, cube.MessageUpdate{Read: true})
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
		err := e.sendRead(ctx, id, nil)
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
