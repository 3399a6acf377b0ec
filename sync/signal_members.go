package sync

import (
	"context"
	"errors"
	"slices"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// The client's half of signal authorization (docs/security.md): the server stamps
// each signal with its sender and drops outsiders', and the engine checks again
// against the occupants it has cached, so a compromised or buggy server cannot make
// a stranger's tick, reaction, edit, deletion or typing appear in a dialog.

// signalDialog is the dialog a signal is about: the cached message's dialog when the
// signal names one we hold, else the dialog the signal names. nil when neither is
// cached (then there is nothing to apply the signal to).
func (e *Engine) signalDialog(ctx context.Context, messageID, dialogID string) (*cache.Dialog, *cache.Message, error) {
	var msg *cache.Message
	if messageID != "" {
		m, err := e.db.Message(ctx, messageID)
		switch {
		case err == nil:
			msg, dialogID = m, m.DialogID
		case !errors.Is(err, cache.ErrNotFound):
			return nil, nil, err
		}
	}
	if dialogID == "" {
		return nil, msg, nil
	}
	d, err := e.db.Dialog(ctx, dialogID)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, msg, nil
	}
	return d, msg, err
}

// memberOf tells whether userID may signal in d: we ourselves (carbons), the peer of
// a private dialog, an occupant of any other. A public dialog lists no occupants on
// the client, so there the server's subscriber check is the only one.
func memberOf(d *cache.Dialog, userID, me int64) bool {
	switch {
	case userID == me:
		return true
	case d.Type == cube.DialogPublic && len(d.OccupantIDs) == 0:
		return true
	}
	return slices.Contains(d.OccupantIDs, userID)
}

// signalAllowed applies memberOf to a signal about messageID in dialogID from userID,
// logging a refusal. Signals with no sender (from the server itself) pass; signals
// about nothing we hold pass too, since their handlers find nothing to change.
func (e *Engine) signalAllowed(ctx context.Context, kind, messageID, dialogID string, userID int64) (bool, error) {
	if userID == 0 {
		return true, nil
	}
	d, _, err := e.signalDialog(ctx, messageID, dialogID)
	if err != nil || d == nil {
		return err == nil, err
	}
	if memberOf(d, userID, e.Me()) {
		return true, nil
	}
	e.log.Warn("signal from outside the dialog ignored", "kind", kind, "dialog", d.ID, "message", messageID, "from", userID)
	return false, nil
}

// deleteAllowed: a deletion comes from the message's sender, or in a group from its
// owner or an admin (as the server allows), or from the server itself.
func (e *Engine) deleteAllowed(ctx context.Context, ev cube.DeleteEvent) (bool, error) {
	if ev.UserID == 0 {
		return true, nil
	}
	d, msg, err := e.signalDialog(ctx, ev.MessageID, ev.DialogID)
	if err != nil || d == nil || msg == nil {
		return err == nil, err
	}
	if ev.UserID == msg.SenderID || ev.UserID == e.Me() ||
		(d.Type != cube.DialogPrivate && (ev.UserID == d.OwnerID || slices.Contains(d.AdminIDs, ev.UserID))) {
		return true, nil
	}
	e.log.Warn("deletion by someone who may not delete ignored", "dialog", d.ID, "message", ev.MessageID, "from", ev.UserID)
	return false, nil
}
