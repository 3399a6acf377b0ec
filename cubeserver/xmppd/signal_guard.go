package xmppd

import (
	"context"
	"slices"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// Signal guards: a signal names a message by id, and the identity of whoever sent it
// comes only from the authenticated stream. A marker or reaction about a stored
// message is relayed only when its sender is in that message's dialog (and, 1-1, the
// addressee is too); anything else is dropped, so an outsider cannot tick or react to
// someone else's messages (docs/security.md).

var errBadReaction = &stanzaErr{"cancel", "404", "item-not-found", "reactions need the id of a stored message in this dialog"}

// markerRelayable records a chat marker and tells whether it may be relayed: yes when
// it was recorded, or when the server holds no such message (one sent without
// save_to_history: there is nothing to check it against, and the client checks the
// marker's sender itself); no for a stored message the sender may not mark (outside
// its dialog, or their own) and for a marker without an id.
func (c *conn) markerRelayable(ctx context.Context, s *session, m *cube.MessageStanza) bool {
	id := markerID(m)
	if id == "" {
		return false
	}
	if c.applyMarker(ctx, s, m) {
		return true
	}
	return c.unmarkedRelayable(ctx, s, id)
}

// unmarkedRelayable decides for a marker the store did not record: relayed when its
// message is not in history (sent without save_to_history), dropped when it is someone
// else's stored message outside the sender's dialogs.
func (c *conn) unmarkedRelayable(ctx context.Context, s *session, id string) bool {
	_, err := c.srv.backend.Message(ctx, id, s.userID)
	if err == nil {
		c.log.Info("xmpp marker of a message outside the sender's dialogs dropped", "jid", s.jid, "id", id)
	}
	return isNotFound(err)
}

func markerID(m *cube.MessageStanza) string {
	switch {
	case m.Displayed != nil:
		return m.Displayed.ID
	case m.Received != nil:
		return m.Received.ID
	}
	return ""
}

// checkReaction stamps the sender as the reacting user (a claimed user_id is
// replaced) and checks the message: stored, in group (for groupchat) or else in a
// dialog holding both the sender and rid. On success extraParams carry its dialog_id.
func (c *conn) checkReaction(ctx context.Context, s *session, m *cube.MessageStanza, group *cube.Dialog, rid int64) *stanzaErr {
	m.Reactions.UserID = strconv.FormatInt(s.userID, 10)
	msg, err := c.srv.backend.Message(ctx, m.Reactions.MessageID, s.userID)
	if err != nil {
		if isNotFound(err) || m.Reactions.MessageID == "" {
			return errBadReaction
		}
		c.log.Error("xmpp load reacted message", "id", m.Reactions.MessageID, "err", err)
		return errInternal
	}
	d := group
	if d == nil {
		if d, err = c.srv.backend.DialogMembers(ctx, msg.ChatDialogID); err != nil || d == nil {
			c.log.Error("xmpp load dialog of reacted message", "id", msg.ID, "dialog", msg.ChatDialogID, "err", err)
			return errInternal
		}
		if !slices.Contains(d.OccupantsIDs, rid) {
			return errBadReaction
		}
	} else if msg.ChatDialogID != d.ID {
		return errBadReaction
	}
	if !slices.Contains(d.OccupantsIDs, s.userID) {
		return errNotOccupant
	}
	if m.Extra == nil {
		m.Extra = &cube.ExtraParams{}
	}
	m.Extra.Set("dialog_id", d.ID)
	return nil
}
