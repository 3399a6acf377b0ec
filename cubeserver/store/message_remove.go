package store

import (
	"context"
)

// RemoveMessage deletes a message for everyone (an XMPP <remove/>; the caller checks who
// may do it) and returns its dialog id. It leaves a tombstone (TombstoneMessage), so a
// client catching up with updated_at filters learns of the deletion, the dialog's
// last_message fields fall back to the newest remaining message and unread counts are
// recomputed; the message's pending chat alerts go too. ErrNotFound for an unknown id.
func (s *Store) RemoveMessage(ctx context.Context, id string) (dialogID string, err error) {
	if dialogID, err = s.TombstoneMessage(ctx, id); err != nil {
		return "", err
	}
	_, err = s.exec(ctx, `DELETE FROM alerts WHERE message_id = ?`, id)
	return dialogID, err
}
