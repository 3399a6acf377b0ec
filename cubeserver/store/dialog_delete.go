package store

import (
	"context"

	"github.com/cubechat/cubechat/cube"
)

// DeleteDialog removes a dialog for actor. Without force it is "for me only": the
// actor leaves a group or public dialog (occupant, admin and unread rows go); a private
// or broadcast dialog, whose membership does not change, is hidden from the actor's
// list together with its current history, and comes back with the next message. With
// force the dialog and its history are deleted for everyone: the owner may do this,
// and in a private dialog either party. Errors: ErrNotFound, ErrNotOccupant (not in
// the dialog), ErrForbidden.
func (s *Store) DeleteDialog(ctx context.Context, dialogID string, actor int64, force bool) error {
	return s.tx(ctx, func(tx *writeTx) error {
		d, err := loadDialog(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		role := RoleOf(d, actor)
		if role == RoleNone {
			return ErrNotOccupant
		}
		if force {
			if role != RoleOwner && !(d.Type == cube.DialogPrivate && role >= RoleOccupant) {
				return forbidden("only the owner may delete the dialog for everyone")
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE id = ?`, dialogID)
			return err
		}
		switch d.Type {
		case cube.DialogPrivate, cube.DialogBroadcast:
			if err := hideHistory(ctx, tx, dialogID, actor); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dialog_hidden (dialog_id, user_id) VALUES (?,?)
				ON CONFLICT DO NOTHING`, dialogID, actor)
			return err
		default:
			if err := removeOccupant(ctx, tx, dialogID, actor); err != nil {
				return err
			}
			return touchDialog(ctx, tx, dialogID)
		}
	})
}

// ClearHistory deletes a dialog's messages. Without force they are hidden for actor
// only (their unread count drops to 0); with force they are deleted for everyone as
// tombstones, which the owner and admins may do, and in a private dialog either party.
// Broadcast readers may clear their own view. Errors as DeleteDialog.
func (s *Store) ClearHistory(ctx context.Context, dialogID string, actor int64, force bool) error {
	return s.tx(ctx, func(tx *writeTx) error {
		d, err := loadDialog(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		role := RoleOf(d, actor)
		if role == RoleNone {
			return ErrNotOccupant
		}
		if !force {
			return hideHistory(ctx, tx, dialogID, actor)
		}
		if role < RoleAdmin && !(d.Type == cube.DialogPrivate && role >= RoleOccupant) {
			return forbidden("only the owner and admins may clear the history for everyone")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET `+tombstoneSet+`
			WHERE dialog_id = ? AND deleted_at IS NULL`, nowMS(), dialogID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_reactions WHERE message_id IN
			(SELECT id FROM messages WHERE dialog_id = ?)`, dialogID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialog_pins WHERE dialog_id = ?`, dialogID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dialog_occupants SET unread_count = 0 WHERE dialog_id = ?`, dialogID); err != nil {
			return err
		}
		return refreshLastMessage(ctx, tx, dialogID)
	})
}

// hideHistory hides every current message of the dialog from userID.
func hideHistory(ctx context.Context, tx *writeTx, dialogID string, userID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_hidden (message_id, user_id)
		SELECT id, ? FROM messages WHERE dialog_id = ? ON CONFLICT DO NOTHING`, userID, dialogID); err != nil {
		return err
	}
	return recomputeUnread(ctx, tx, dialogID, userID)
}

// tombstoneSet empties a message deleted for everyone; ?1 is the time of deletion.
const tombstoneSet = `deleted_at = ?1, updated_at = MAX(updated_at + 1, ?1), body = '', attachments = NULL, custom = NULL`

// refreshLastMessage points the dialog's last_message fields at its newest remaining
// message (NULL when none is left) and bumps updated_at.
func refreshLastMessage(ctx context.Context, tx *writeTx, dialogID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE dialogs SET updated_at = MAX(updated_at + 1, ?1),
		last_message = (SELECT body FROM messages WHERE dialog_id = ?2 AND deleted_at IS NULL
			ORDER BY date_sent DESC, rowid DESC LIMIT 1),
		last_message_id = (SELECT id FROM messages WHERE dialog_id = ?2 AND deleted_at IS NULL
			ORDER BY date_sent DESC, rowid DESC LIMIT 1),
		last_message_user_id = (SELECT sender_id FROM messages WHERE dialog_id = ?2 AND deleted_at IS NULL
			ORDER BY date_sent DESC, rowid DESC LIMIT 1),
		last_message_date_sent = (SELECT date_sent FROM messages WHERE dialog_id = ?2 AND deleted_at IS NULL
			ORDER BY date_sent DESC, rowid DESC LIMIT 1)
		WHERE id = ?2`, nowMS(), dialogID)
	return err
}
