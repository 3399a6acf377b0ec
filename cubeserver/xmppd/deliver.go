package xmppd

import (
	"context"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// DeliverToDialog sends a stanza on behalf of senderID to the participants of dialog
// d with the same fan-out and privacy rules as a live message, for what the REST API
// generates: messages created with send_to_chat=1, forced deletes (<remove/>),
// reactions (<reactions/>) and system messages. A private dialog gets a type="chat"
// stanza from the sender's JID to the other occupant (a content message is queued
// while they are offline, a privacy-blocked one is dropped), with carbons to the
// sender's resources; any other dialog gets type="groupchat" from {room}/{senderID}
// to every occupant, the sender's resources included. extraParams dialog_id is added
// when missing. Storing the message and recording its alerts (AlertRecipients) stay
// with the caller. m is not modified.
func (s *Server) DeliverToDialog(ctx context.Context, d *cube.Dialog, senderID int64, m *cube.MessageStanza) {
	if d == nil || m == nil {
		return
	}
	cp := *m
	cp.Delay, cp.Sent, cp.CarbonReceived, cp.Error = nil, nil, nil, nil
	if !isChatState(&cp) {
		extra := cube.ExtraParams{}
		if m.Extra != nil {
			extra.Params = slices.Clone(m.Extra.Params)
			extra.Attachments = slices.Clone(m.Extra.Attachments)
		}
		if !extra.Has("dialog_id") {
			extra.Set("dialog_id", d.ID)
		}
		cp.Extra = &extra
	}
	if d.Type != cube.DialogPrivate {
		cp.Type = cube.GroupChatType
		cp.To = s.roomJID(d.ID)
		s.fanOutGroup(ctx, d, senderID, nil, &cp)
		return
	}
	cp.Type = cube.ChatType
	cp.From = s.userJID(senderID)
	now := time.Now()
	for _, rid := range d.OccupantsIDs {
		if rid == senderID {
			continue
		}
		if s.blocked1to1(ctx, senderID, nil, cp.From, rid, cube.PrivacyMessage) {
			s.log.Info("xmpp server delivery blocked by privacy", "dialog", d.ID, "sender", senderID, "recipient", rid, "id", cp.ID)
			continue
		}
		cp.To = s.userJID(rid)
		s.deliverChat(ctx, nil, rid, &cp, isContent(&cp), now)
	}
	if !isChatState(&cp) {
		s.sendCarbons(nil, senderID, &cp)
	}
}
