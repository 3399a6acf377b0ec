package xmppd

import (
	"context"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Signals are the messages that are relayed but never stored or queued: typing,
// chat markers, edits (<replace/>), deletes (<remove/>) and reactions (checked in
// signal_guard.go: only from members of the message's dialog). Edits,
// deletes and markers of a stored message also change the store (docs/protocol.md §8.5,
// §8.7, §8.8). An edit or delete of an id that is not in history (a message sent
// without save_to_history) is relayed unchanged: there is nothing to check it against.

func isMarker(m *cube.MessageStanza) bool { return m.Received != nil || m.Displayed != nil }

// routeChatSignal relays a 1-1 signal. Privacy applies: blocked typing and markers
// are dropped silently (they have no message to fail), other blocked signals bounce.
func (c *conn) routeChatSignal(s *session, rid int64, m *cube.MessageStanza) *stanzaErr {
	if pureMarker(m) && c.markDeferred(s, rid, m) {
		return nil // recorded and relayed by the pipeline (pipeline.go)
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	if isMarker(m) && !c.markerRelayable(ctx, s, m) { // recorded even when blocked: the sender did get the message
		return nil
	}
	if m.Reactions != nil {
		if serr := c.checkReaction(ctx, s, m, nil, rid); serr != nil {
			return serr
		}
	}
	if c.srv.blocked1to1(ctx, s.userID, s, s.jid, rid, cube.PrivacyMessage) {
		if isChatState(m) || isMarker(m) {
			c.log.Debug("xmpp blocked signal dropped", "jid", s.jid, "to", m.To)
			return nil
		}
		return errBlocked
	}
	if m.Replace != nil || m.Remove != nil {
		if serr := c.applyEditOrRemove(ctx, s, m, nil, rid); serr != nil {
			return serr
		}
	}
	c.srv.deliverChat(ctx, s, rid, m, false, time.Time{})
	if !isChatState(m) {
		c.srv.sendCarbons(s, s.userID, m)
	}
	return nil
}

// applyEditOrRemove checks and applies <replace/> or <remove/> of a stored message.
// group is the room's dialog for groupchat, nil for 1-1 (whose dialog must then be
// the private dialog of the sender and rid). Only the original sender may edit; the
// sender or, in a group, its owner or an admin may delete. On success the stanza's
// extraParams carry the message's dialog_id.
func (c *conn) applyEditOrRemove(ctx context.Context, s *session, m *cube.MessageStanza, group *cube.Dialog, rid int64) *stanzaErr {
	id := ""
	if m.Replace != nil {
		id = m.Replace.ID
	} else {
		id = m.Remove.ID
	}
	if id == "" {
		return errBadSignal
	}
	msg, err := c.srv.backend.Message(ctx, id, s.userID)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		c.log.Error("xmpp load message", "id", id, "err", err)
		return errInternal
	}
	d := group
	if d == nil {
		if d, err = c.srv.backend.DialogMembers(ctx, msg.ChatDialogID); err != nil || d == nil {
			c.log.Error("xmpp load dialog of message", "id", id, "dialog", msg.ChatDialogID, "err", err)
			return errInternal
		}
		if d.Type != cube.DialogPrivate || !slices.Contains(d.OccupantsIDs, s.userID) || !slices.Contains(d.OccupantsIDs, rid) {
			return errWrongDialog
		}
	} else if msg.ChatDialogID != d.ID {
		return errWrongDialog
	}
	if m.Replace != nil {
		if msg.SenderID != s.userID {
			return errNotAuthor
		}
		err = c.srv.backend.EditMessages(ctx, d.ID, s.userID, []string{id}, m.BodyText())
	} else {
		if msg.SenderID != s.userID && (group == nil || !isDialogAdmin(d, s.userID)) {
			return errNotAuthor
		}
		_, err = c.srv.backend.RemoveMessage(ctx, id)
	}
	if err != nil && !isNotFound(err) {
		c.log.Error("xmpp edit/remove message", "id", id, "err", err)
		return errInternal
	}
	if m.Extra == nil {
		m.Extra = &cube.ExtraParams{}
	}
	m.Extra.Set("dialog_id", d.ID)
	return nil
}

// applyMarker records a received (delivered) or displayed (read, which recomputes the
// reader's unread count) marker for a stored message of a dialog the marker sender is
// in, and tells whether it was (markerRelayable decides the rest). Failures are logged.
func (c *conn) applyMarker(ctx context.Context, s *session, m *cube.MessageStanza) bool {
	id := markerID(m)
	if id == "" {
		return false
	}
	// One backend call checks and records it: every SDK sends a marker per message
	// received, so this is as hot as routing the message itself.
	marked, err := c.srv.backend.MarkMessage(ctx, id, s.userID, m.Displayed != nil)
	if err != nil {
		c.log.Error("xmpp marker: store", "id", id, "user", s.userID, "err", err)
	}
	return marked
}

// isDialogAdmin: the owner or an admin of the dialog.
func isDialogAdmin(d *cube.Dialog, userID int64) bool {
	return d.UserID == userID || slices.Contains(d.AdminsIDs, userID)
}
