package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// handleSignal stores (or, for typing, publishes) one live event that is not a new
// message. Events of messages the cache does not hold are dropped: the history they
// belong to was never fetched, and a later fetch brings its current state.
func (e *Engine) handleSignal(ctx context.Context, chat *cube.Chat, ev cube.Event) {
	if ok, err := e.signalFromMember(ctx, ev); !ok {
		if err != nil {
			e.log.Warn("live event not checked", "event", fmt.Sprintf("%T", ev), "err", err)
		}
		return
	}
	var err error
	switch ev := ev.(type) {
	case cube.TypingEvent:
		err = e.storeTyping(ctx, ev)
	case cube.MarkerEvent:
		err = e.storeMarker(ctx, ev)
	case cube.EditEvent:
		err = e.storeEdit(ctx, ev)
	case cube.DeleteEvent:
		err = e.storeDelete(ctx, ev)
	case cube.ReactionEvent:
		err = e.storeReaction(ctx, ev)
	case cube.SystemMessageEvent:
		if id, ok := dialogUpdateOf(ev); ok {
			err = e.refreshAnnouncedDialog(ctx, ev.From, id) // a signal, not a message to show
			break
		}
		err = e.storeSystemMessage(ctx, ev)
	case cube.MessageErrorEvent:
		err = e.storeBounce(ctx, ev)
	case cube.LastActivityEvent:
		e.storeActivityPush(ctx, chat, ev)
	}
	if errors.Is(err, cache.ErrNotFound) {
		switch ev.(type) {
		case cube.EditEvent, cube.DeleteEvent, cube.ReactionEvent:
			e.signalForUnknown(e.eventDialogID(ctx, ev))
		}
	}
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		e.log.Warn("live event not stored", "event", fmt.Sprintf("%T", ev), "err", err)
		if errors.Is(err, cache.ErrDiskFull) {
			e.missedLive(ctx, e.eventDialogID(ctx, ev), time.Time{}, err)
		}
	}
}

// signalFromMember is the membership check of signal_members.go for the signal kinds
// that name a dialog member; other events pass.
func (e *Engine) signalFromMember(ctx context.Context, ev cube.Event) (bool, error) {
	switch ev := ev.(type) {
	case cube.TypingEvent:
		if ev.DialogID == "" {
			return true, nil // 1-1 typing: storeTyping finds the private dialog with the sender
		}
		return e.signalAllowed(ctx, "typing", "", ev.DialogID, ev.UserID)
	case cube.MarkerEvent:
		return e.signalAllowed(ctx, "marker", ev.MessageID, ev.DialogID, ev.UserID)
	case cube.EditEvent:
		return e.signalAllowed(ctx, "edit", ev.MessageID, ev.DialogID, ev.UserID)
	case cube.ReactionEvent:
		return e.signalAllowed(ctx, "reaction", ev.MessageID, ev.DialogID, ev.UserID)
	case cube.DeleteEvent:
		return e.deleteAllowed(ctx, ev)
	}
	return true, nil
}

// eventDialogID is the id of the dialog a signal is about, from the signal or its
// cached message; "" when neither names one.
func (e *Engine) eventDialogID(ctx context.Context, ev cube.Event) string {
	var dialogID, messageID string
	switch ev := ev.(type) {
	case cube.MarkerEvent:
		dialogID, messageID = ev.DialogID, ev.MessageID
	case cube.EditEvent:
		dialogID, messageID = ev.DialogID, ev.MessageID
	case cube.DeleteEvent:
		dialogID, messageID = ev.DialogID, ev.MessageID
	case cube.ReactionEvent:
		dialogID, messageID = ev.DialogID, ev.MessageID
	}
	if dialogID == "" && messageID != "" {
		if m, err := e.db.Message(ctx, messageID); err == nil {
			dialogID = m.DialogID
		}
	}
	return dialogID
}

func (e *Engine) storeTyping(ctx context.Context, ev cube.TypingEvent) error {
	if ev.UserID == 0 || ev.UserID == e.Me() {
		return nil
	}
	dialogID := ev.DialogID
	if dialogID == "" {
		id, err := e.privateDialogWith(ctx, ev.UserID)
		if err != nil || id == "" {
			return err
		}
		dialogID = id
	}
	e.typing.peer(dialogID, ev.UserID, ev.Typing)
	return nil
}

func (e *Engine) storeMarker(ctx context.Context, ev cube.MarkerEvent) error {
	if ev.MessageID == "" || ev.UserID == 0 {
		return nil
	}
	kind := cache.MarkerDelivered
	if ev.Kind == cube.MarkerRead {
		kind = cache.MarkerRead
	}
	_, err := e.db.AddMarkers(ctx, ev.DialogID, []string{ev.MessageID}, ev.UserID, kind)
	if ev.UserID == e.Me() && kind == cache.MarkerRead {
		// Read on another device: the server lowered this dialog's count.
		e.touchUnreadOf(ctx, ev.DialogID, ev.MessageID)
	}
	return err
}

// touchUnreadOf asks for a dialog's count again, naming it by dialogID or, when a
// signal carries none, by one of its messages.
func (e *Engine) touchUnreadOf(ctx context.Context, dialogID, messageID string) {
	if dialogID == "" {
		m, err := e.db.Message(ctx, messageID)
		if err != nil {
			return
		}
		dialogID = m.DialogID
	}
	e.unread.touch(dialogID)
}

// storeEdit replaces the text of a cached message. Only its sender may edit (the
// server checks as well); the edit time sorts after any stored one, so a server
// copy with the old text cannot undo it.
func (e *Engine) storeEdit(ctx context.Context, ev cube.EditEvent) error {
	old, err := e.db.Message(ctx, ev.MessageID)
	if err != nil {
		return err
	}
	if old.SenderID != 0 && ev.UserID != 0 && old.SenderID != ev.UserID {
		e.log.Warn("edit by someone other than the sender ignored", "message", ev.MessageID, "by", ev.UserID)
		return nil
	}
	if old.Deleted || (old.Body == ev.Body && old.Edited()) {
		return nil
	}
	next := *old
	next.Body = ev.Body
	next.EditedAt = laterThan(old.EditedAt, time.Now())
	_, err = e.db.UpsertMessages(ctx, []cache.Message{next})
	return err
}

func (e *Engine) storeDelete(ctx context.Context, ev cube.DeleteEvent) error {
	old, err := e.db.Message(ctx, ev.MessageID)
	if err != nil || old.Deleted {
		return err
	}
	next := *old
	next.Deleted = true
	_, err = e.db.UpsertMessages(ctx, []cache.Message{next})
	e.unread.touch(old.DialogID) // the server recounts a dialog when a message goes
	return err
}

func (e *Engine) storeReaction(ctx context.Context, ev cube.ReactionEvent) error {
	if ev.UserID == 0 {
		return nil
	}
	// Each is logged before it is stored, and a reaction list is stored under the same
	// lock: a list asked for before this arrived lays it over instead of undoing it.
	e.reactionsMu.Lock()
	defer e.reactionsMu.Unlock()
	for _, r := range ev.Remove {
		e.liveReactions.add(liveReaction{messageID: ev.MessageID, userID: ev.UserID, remove: r, at: time.Now()})
		if err := e.db.ApplyReaction(ctx, ev.MessageID, ev.UserID, "", r); err != nil {
			return err
		}
	}
	for _, r := range ev.Add {
		e.liveReactions.add(liveReaction{messageID: ev.MessageID, userID: ev.UserID, add: r, at: time.Now()})
		if err := e.db.ApplyReaction(ctx, ev.MessageID, ev.UserID, r, ""); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) storeSystemMessage(ctx context.Context, ev cube.SystemMessageEvent) error {
	id := ev.ID
	if id == "" {
		id = cube.NewObjectID() // nothing to de-duplicate on; keep it anyway
	}
	added, err := e.db.AddSystemMessages(ctx, []cache.SystemMessage{{
		ID: id, SenderID: ev.From, Body: ev.Body, Params: ev.Params, ReceivedAt: time.Now(),
	}})
	if err != nil {
		return err
	}
	if added > 0 {
		e.events.Publish(SystemMessageEvent{From: ev.From, Body: ev.Body, Params: ev.Params})
	}
	return nil
}

// storeBounce handles an error answer to a message we sent: the message is marked
// failed (even if its batch was already confirmed) and the user is told.
func (e *Engine) storeBounce(ctx context.Context, ev cube.MessageErrorEvent) error {
	if ev.ID == "" {
		return nil
	}
	m, err := e.db.Message(ctx, ev.ID)
	if errors.Is(err, cache.ErrNotFound) {
		e.log.Info("error answer to a stanza that is not a stored message", "id", ev.ID, "code", ev.Code, "text", ev.Text)
		return nil
	}
	if err != nil {
		return err
	}
	if m.SenderID != e.Me() {
		return nil
	}
	reason := bounceReason(ev)
	e.bounceMu.Lock()
	e.bounced[m.ID] = true
	err = e.db.MarkBounced(ctx, m.ID, reason)
	e.bounceMu.Unlock()
	if err != nil {
		return err
	}
	e.notice(fmt.Sprintf("Message to %s was %s", e.recipientName(ctx, *m), reason),
		fmt.Errorf("sync: message %s refused: %d %s %s", m.ID, ev.Code, ev.Condition, ev.Text))
	return nil
}

// bounceReason words an XMPP error for the user.
func bounceReason(ev cube.MessageErrorEvent) string {
	switch {
	case ev.Text == cube.ErrTextNoSuchUser: // service-unavailable too, but not a block
		return "not delivered: the recipient does not exist"
	case ev.Code == 503 || ev.Condition == "service-unavailable":
		return "blocked"
	case ev.Code == 404 || ev.Condition == "item-not-found" || ev.Condition == "recipient-unavailable":
		return "not delivered: the recipient does not exist"
	case ev.Code == 403 || ev.Condition == "forbidden" || ev.Condition == "not-allowed":
		return "refused: not allowed"
	case ev.Text != "":
		return "refused: " + ev.Text
	}
	return fmt.Sprintf("refused by the server (%d %s)", ev.Code, ev.Condition)
}

// recipientName names who a message went to: the peer of a private dialog, else
// the dialog.
func (e *Engine) recipientName(ctx context.Context, m cache.Message) string {
	d, err := e.db.Dialog(ctx, m.DialogID)
	if err != nil {
		return "this chat"
	}
	if peer := peerOf(*d, e.Me()); peer != 0 {
		if users, err := e.db.Users(ctx, []int64{peer}); err == nil {
			if u, ok := users[peer]; ok && displayName(u) != "" {
				return displayName(u)
			}
		}
	}
	if d.Name != "" {
		return d.Name
	}
	return "this chat"
}

// readOnScreen sends a read (displayed) marker for a message the user sees as it
// arrives; the server records the read and the sender's ticks turn.
func (e *Engine) readOnScreen(ctx context.Context, chat *cube.Chat, msg cube.Message) {
	if err := chat.SendRead(ctx, msg); err != nil {
		e.log.Info("sending a read marker", "message", msg.ID, "err", err)
		return
	}
	if _, err := e.db.AddMarkers(ctx, msg.ChatDialogID, []string{msg.ID}, e.Me(), cache.MarkerRead); err != nil {
		e.log.Warn("recording our read marker", "message", msg.ID, "err", err)
	}
	// Unconfirmed until the server's count says so (reads_on_screen.go).
	e.onScreen.add(msg.ChatDialogID, msg.ID)
	e.unread.touch(msg.ChatDialogID)
}

// laterThan is now, or just after prev when the clock says otherwise: an edit
// must sort after the one stored.
func laterThan(prev, now time.Time) time.Time {
	if !now.After(prev) {
		return prev.Add(time.Millisecond)
	}
	return now
}
