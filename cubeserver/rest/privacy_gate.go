package rest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// privacyGate is the XMPP server's privacy rule for 1-1 traffic (xmppd.Server.Blocks):
// whether recipient's privacy lists (or a mutual block on sender's own list) refuse
// messages from sender. REST applies it so that blocking holds on every path into a
// history, not only on the chat stream (docs/security.md). Without it (a handler with
// no XMPP server, as in unit tests) nothing is refused.
type privacyGate interface {
	Blocks(ctx context.Context, senderID, recipientID int64) bool
}

// msgBlocked is REST's answer to a blocked write. XMPP bounces the same thing with 503
// service-unavailable (docs/protocol.md §8.12); over HTTP a 503 would invite a retry, so
// REST says 403.
const msgBlocked = "This user does not accept messages from you"

// refuseBlocked answers 403 and returns true when any of recipients blocks sender.
func (h *Handler) refuseBlocked(w http.ResponseWriter, r *http.Request, sender int64, recipients ...int64) bool {
	gate, ok := h.notifier.(privacyGate)
	if !ok {
		return false
	}
	for _, rid := range recipients {
		if rid != sender && rid > 0 && gate.Blocks(r.Context(), sender, rid) {
			text := msgBlocked
			if len(recipients) > 1 {
				text = "User " + strconv.FormatInt(rid, 10) + " does not accept messages from you"
			}
			writeErrors(w, http.StatusForbidden, text)
			return true
		}
	}
	return false
}

// privatePeer is the other occupant of a private dialog (0 for other dialogs).
func privatePeer(d *cube.Dialog, me int64) int64 {
	if d.Type != cube.DialogPrivate {
		return 0
	}
	for _, uid := range d.OccupantsIDs {
		if uid != me {
			return uid
		}
	}
	return 0
}
