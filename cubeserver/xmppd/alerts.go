package xmppd

import (
	"context"

	"github.com/cubechat/cubechat/cube"
)

// AlertRecipients decides who gets a chat alert (push) for a new stored message in
// dialog d from senderID (docs/protocol.md §9.6): every other occupant who is offline, or
// online with every resource inactive (mobile#v2 enable="true"), unless the message is
// silent (extraParams silent=1), the occupant turned notifications off for the dialog,
// or privacy keeps the message from them. REST uses it for the messages it creates.
func (s *Server) AlertRecipients(ctx context.Context, d *cube.Dialog, senderID int64, silent bool) []int64 {
	if silent || d == nil {
		return nil
	}
	from := s.userJID(senderID)
	if d.Type != cube.DialogPrivate {
		from = s.occupantJID(d.ID, senderID)
	}
	var out []int64
	for _, uid := range d.OccupantsIDs {
		if uid == senderID || s.hasActiveSession(uid) {
			continue
		}
		if !s.maySend(ctx, senderID, nil, s.userJID(uid)) || !s.mayReceive(ctx, uid, nil, cube.PrivacyMessage, from) {
			continue
		}
		on, err := s.backend.DialogNotificationsEnabled(ctx, d.ID, uid)
		if err != nil {
			// Better one push too many than a silently lost one.
			s.log.Error("xmpp dialog notifications", "dialog", d.ID, "user", uid, "err", err)
			on = true
		}
		if on {
			out = append(out, uid)
		}
	}
	return out
}

// hasActiveSession tells whether any resource of the user is online and in the
// foreground (a session waiting detached for a resumption is not).
func (s *Server) hasActiveSession(userID int64) bool {
	for _, t := range s.reg.sessions(userID) {
		if !t.inactive.Load() && t.attached() {
			return true
		}
	}
	return false
}

// isSilent reads extraParams silent=1.
func isSilent(m *cube.MessageStanza) bool {
	v := m.Extra.Get("silent")
	return v == "1" || v == "true"
}

// recordAlerts stores the alerts of a message that was just stored and relayed.
func (s *Server) recordAlerts(ctx context.Context, d *cube.Dialog, stored cube.Message, silent bool) {
	recipients := s.AlertRecipients(ctx, d, stored.SenderID, silent)
	if len(recipients) == 0 {
		return
	}
	if err := s.backend.RecordAlerts(ctx, stored, recipients); err != nil {
		s.log.Error("xmpp record alerts", "id", stored.ID, "dialog", stored.ChatDialogID, "err", err)
	}
}
