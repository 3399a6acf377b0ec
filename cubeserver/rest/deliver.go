package rest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// dialogDeliverer is the fan-out of the XMPP server (xmppd.Server): a stanza "sent by"
// senderID to every participant of the dialog, with the privacy rules applied. When the
// Notifier does not offer it, deliverToDialog falls back to Deliver per occupant.
type dialogDeliverer interface {
	DeliverToDialog(ctx context.Context, d *cube.Dialog, senderID int64, m *cube.MessageStanza)
}

// alertDecider is the XMPP server's rule of who gets a chat alert (push) for a new
// stored message (xmppd.Server.AlertRecipients); it knows sessions, activity and
// privacy. Without it, recordAlerts applies the same rule from the store alone.
type alertDecider interface {
	AlertRecipients(ctx context.Context, d *cube.Dialog, senderID int64, silent bool) []int64
}

// onlineChecker tells whether a user has a live chat connection (xmppd.Server.Online).
type onlineChecker interface {
	Online(userID int64) bool
}

// deliverToDialog sends m to the dialog's participants as senderID's packet: from the
// sender's JID in a private dialog (type chat), from {room}/{sender} otherwise
// (groupchat), the sender's own resources included, as a MUC echo or carbon would.
func (h *Handler) deliverToDialog(ctx context.Context, d *cube.Dialog, senderID int64, m *cube.MessageStanza) {
	if h.notifier == nil {
		return
	}
	h.address(d, senderID, m)
	if dd, ok := h.notifier.(dialogDeliverer); ok {
		dd.DeliverToDialog(ctx, d, senderID, m)
		return
	}
	for _, uid := range d.OccupantsIDs {
		cp := *m
		h.notifier.Deliver(uid, &cp)
	}
}

// address sets the type and from of a stanza for the dialog.
func (h *Handler) address(d *cube.Dialog, senderID int64, m *cube.MessageStanza) {
	if d.Type == cube.DialogPrivate {
		m.Type = cube.ChatType
		m.From = cube.UserJID(senderID, h.cfg.AppID, h.cfg.Domain)
		for _, uid := range d.OccupantsIDs {
			if uid != senderID {
				m.To = cube.UserJID(uid, h.cfg.AppID, h.cfg.Domain)
			}
		}
		return
	}
	m.Type = cube.GroupChatType
	room := cube.RoomJID(h.cfg.AppID, d.ID, h.cfg.Domain)
	m.From = room + "/" + strconv.FormatInt(senderID, 10)
	m.To = room
}

// withDialogID is extraParams carrying only dialog_id, as on remove and reaction packets
// (the SDK takes the dialog of a type="chat" packet from there).
func withDialogID(dialogID string) *cube.ExtraParams {
	e := &cube.ExtraParams{}
	e.Set("dialog_id", dialogID)
	return e
}

// recordAlerts records the chat alerts (pushes) for a message stored over REST, with
// the rule of docs/protocol.md §9.6: every other occupant who is offline, or online but
// inactive, and has not turned the dialog's notifications off; nobody when silent.
func (h *Handler) recordAlerts(r *http.Request, d *cube.Dialog, m cube.Message, silent bool) {
	if silent {
		return
	}
	ctx := r.Context()
	var recipients []int64
	if ad, ok := h.notifier.(alertDecider); ok {
		recipients = ad.AlertRecipients(ctx, d, m.SenderID, silent)
	} else {
		recipients = h.storeAlertRecipients(r, d, m.SenderID)
	}
	if err := h.st.RecordAlerts(ctx, m, recipients); err != nil {
		h.log.Error("rest: record chat alerts", "message", m.ID, "err", err)
	}
}

// storeAlertRecipients is the alert rule without an XMPP server: other occupants who
// are offline (or online but inactive) and have the dialog's notifications on.
func (h *Handler) storeAlertRecipients(r *http.Request, d *cube.Dialog, senderID int64) []int64 {
	ctx := r.Context()
	online, _ := h.notifier.(onlineChecker)
	var recipients []int64
	for _, uid := range d.OccupantsIDs {
		if uid == senderID {
			continue
		}
		if online != nil && online.Online(uid) {
			active, err := h.st.UserActive(ctx, uid)
			if err != nil {
				h.log.Warn("rest: chat alert: read activity", "user", uid, "err", err)
				continue
			}
			if active {
				continue
			}
		}
		enabled, err := h.st.DialogNotificationsEnabled(ctx, d.ID, uid)
		if err != nil {
			h.log.Warn("rest: chat alert: read notification setting", "user", uid, "err", err)
			continue
		}
		if enabled {
			recipients = append(recipients, uid)
		}
	}
	return recipients
}
