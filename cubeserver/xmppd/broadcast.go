package xmppd

import (
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// Broadcast dialogs (docs/security.md): a message of the owner or an admin reaches every
// online user of the app, not only occupants_ids (which hold just the owner); the rest
// read it in the history. Admins need not occupy the dialog, and any user may join its
// room to read.

// groupRecipients are the users a group stanza of senderID is fanned out to: the
// occupants, and for a broadcast dialog its admins too, plus, when the owner or an admin
// sends, every user with a live session.
func (s *Server) groupRecipients(d *cube.Dialog, senderID int64) []int64 {
	if d.Type != cube.DialogBroadcast {
		return d.OccupantsIDs
	}
	ids := slices.Concat(d.OccupantsIDs, d.AdminsIDs)
	if isDialogAdmin(d, senderID) {
		ids = append(ids, s.reg.onlineUserIDs()...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// roomAdmits tells whether userID may use the room of d: occupants always; for a
// broadcast dialog also its admins, and with readers set, every user (joining to read).
func roomAdmits(d *cube.Dialog, userID int64, readers bool) bool {
	if slices.Contains(d.OccupantsIDs, userID) {
		return true
	}
	if d.Type != cube.DialogBroadcast {
		return false
	}
	return readers || isDialogAdmin(d, userID)
}

// onlineUserIDs lists the users with at least one live session, in id order.
func (r *registry) onlineUserIDs() []int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]int64, 0, len(r.users))
	for uid, res := range r.users {
		if len(res) > 0 {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return out
}
