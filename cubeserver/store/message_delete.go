package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// MessageDeletion is the outcome of DeleteMessages, id by id.
type MessageDeletion struct {
	Deleted          []DeletedMessage
	NotFound         []string // no such message, or already deleted for everyone
	WrongPermissions []string // the caller is not in the dialog, or may not force-delete it
}

// DeletedMessage names a deleted message and where it was, for the <remove/> packets.
type DeletedMessage struct {
	ID       string
	DialogID string
}

// DeleteMessages deletes messages for actor. Without force each message is hidden for
// actor only. With force it becomes a tombstone for everyone (empty body, Deleted,
// updated_at bumped so that updated_at catch-up sees it; reactions and pins go; the
// dialog's last message and every occupant's unread count follow): allowed for one's
// own messages, and for the owner and admins on any message of a group or public
// dialog; in a broadcast dialog only the owner and admins delete. Each id is judged on
// its own; the whole call is one transaction.
func (s *Store) DeleteMessages(ctx context.Context, actor int64, ids []string, force bool) (MessageDeletion, error) {
	var out MessageDeletion
	err := s.tx(ctx, func(tx *writeTx) error {
		out = MessageDeletion{}
		dialogs := map[string]*cube.Dialog{}
		touched := map[string]bool{}
		for _, id := range ids {
			var dialogID string
			var sender int64
			err := tx.QueryRowContext(ctx, `SELECT dialog_id, sender_id FROM messages
				WHERE id = ? AND deleted_at IS NULL`, id).Scan(&dialogID, &sender)
			if errors.Is(err, sql.ErrNoRows) {
				out.NotFound = append(out.NotFound, id)
				continue
			}
			if err != nil {
				return err
			}
			d := dialogs[dialogID]
			if d == nil {
				if d, err = loadDialog(ctx, tx, dialogID); err != nil {
					return err
				}
				dialogs[dialogID] = d
			}
			if !mayDelete(d, RoleOf(d, actor), actor, sender, force) {
				out.WrongPermissions = append(out.WrongPermissions, id)
				continue
			}
			if force {
				err = tombstone(ctx, tx, id)
				touched[dialogID] = true
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO message_hidden (message_id, user_id) VALUES (?,?)
					ON CONFLICT DO NOTHING`, id, actor)
				if err == nil {
					err = recomputeUnread(ctx, tx, dialogID, actor)
				}
			}
			if err != nil {
				return err
			}
			out.Deleted = append(out.Deleted, DeletedMessage{ID: id, DialogID: dialogID})
		}
		for dialogID := range touched {
			if err := afterTombstones(ctx, tx, dialogID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func mayDelete(d *cube.Dialog, role Role, actor, sender int64, force bool) bool {
	if !force {
		return role.CanRead()
	}
	if d.Type == cube.DialogBroadcast {
		return role >= RoleAdmin
	}
	return role >= RoleOccupant && (sender == actor || role.CanModerate(d.Type))
}

func tombstone(ctx context.Context, tx *writeTx, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET `+tombstoneSet+` WHERE id = ?`, nowMS(), id); err != nil {
		return fmt.Errorf("store: delete message %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_reactions WHERE message_id = ?`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM dialog_pins WHERE message_id = ?`, id)
	return err
}

// afterTombstones recomputes what depends on a dialog's live messages.
func afterTombstones(ctx context.Context, tx *writeTx, dialogID string) error {
	occupants, err := tx.QueryContext(ctx, `SELECT user_id FROM dialog_occupants WHERE dialog_id = ?`, dialogID)
	if err != nil {
		return err
	}
	var users []int64
	for occupants.Next() {
		var id int64
		if err := occupants.Scan(&id); err != nil {
			occupants.Close()
			return err
		}
		users = append(users, id)
	}
	occupants.Close()
	if err := occupants.Err(); err != nil {
		return err
	}
	for _, uid := range users {
		if err := recomputeUnread(ctx, tx, dialogID, uid); err != nil {
			return err
		}
	}
	return refreshLastMessage(ctx, tx, dialogID)
}

// TombstoneMessage deletes one message for everyone, like DeleteMessages with force,
// for callers that checked permission themselves (an XMPP <remove/>); it returns the
// message's dialog. Unlike a hard delete, the tombstone lets updated_at catch-up see
// the deletion and keeps a re-sent stanza with the same id from storing it again.
// ErrNotFound for an unknown or already deleted id.
func (s *Store) TombstoneMessage(ctx context.Context, id string) (dialogID string, err error) {
	err = s.tx(ctx, func(tx *writeTx) error {
		err := tx.QueryRowContext(ctx, `SELECT dialog_id FROM messages WHERE id = ? AND deleted_at IS NULL`, id).Scan(&dialogID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: message %s", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		if err := tombstone(ctx, tx, id); err != nil {
			return err
		}
		return afterTombstones(ctx, tx, dialogID)
	})
	return dialogID, err
}
