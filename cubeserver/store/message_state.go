package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Marked is a message a call marked that was not marked so for the user before,
// with its sender: whom the server tells (docs/protocol.md §8.5).
type Marked struct {
	ID       string
	SenderID int64
}

// MarkRead adds userID to read_ids and delivered_ids of the given messages of the
// dialog (nil ids = every message of the dialog) and recomputes the user's unread count.
// Ids that are not messages of the dialog are ignored. It returns the messages newly
// read by the user.
func (s *Store) MarkRead(ctx context.Context, dialogID string, userID int64, ids []string) ([]Marked, error) {
	var read []Marked
	err := s.tx(ctx, func(tx *writeTx) error {
		var err error
		if read, err = addMarker(ctx, tx, "message_reads", dialogID, userID, ids); err != nil {
			return err
		}
		if _, err := addMarker(ctx, tx, "message_deliveries", dialogID, userID, ids); err != nil {
			return err
		}
		return recomputeUnread(ctx, s.prepTx(tx), dialogID, userID)
	})
	if err != nil {
		return nil, err
	}
	return read, nil
}

// MarkDelivered adds userID to delivered_ids of the given messages (nil = all). It
// returns the messages newly delivered to the user.
func (s *Store) MarkDelivered(ctx context.Context, dialogID string, userID int64, ids []string) ([]Marked, error) {
	var delivered []Marked
	err := s.tx(ctx, func(tx *writeTx) error {
		var err error
		delivered, err = addMarker(ctx, tx, "message_deliveries", dialogID, userID, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return delivered, nil
}

func addMarker(ctx context.Context, tx *writeTx, table, dialogID string, userID int64, ids []string) ([]Marked, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil // an explicit empty list marks nothing (nil means all)
	}
	w := &whereBuilder{}
	w.addInStrings("id", ids)
	rows, err := tx.QueryContext(ctx, `INSERT INTO `+table+` (message_id, user_id)
		SELECT id, ? FROM messages WHERE dialog_id = ?`+w.and()+` ON CONFLICT DO NOTHING RETURNING message_id`,
		append([]any{userID, dialogID}, w.args...)...)
	if err != nil {
		return nil, err
	}
	var marked []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		marked = append(marked, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	// A new marker changes the message's read_ids/delivered_ids, so its updated_at (and
	// its dialog's) moves: a sender catching up with updated_at filters then learns of
	// the ticks it missed.
	out := make([]Marked, 0, len(marked))
	for start := 0; start < len(marked); start += 500 {
		chunk := marked[start:min(start+500, len(marked))]
		rows, err := tx.QueryContext(ctx, `UPDATE messages SET updated_at = ? WHERE id IN (`+placeholders(len(chunk))+`)
			RETURNING id, sender_id`, append([]any{nowMS()}, stringArgs(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m Marked
			if err := rows.Scan(&m.ID, &m.SenderID); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, m)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	if len(marked) == 0 {
		return nil, nil
	}
	return out, touchDialog(ctx, tx, dialogID)
}

// recomputeUnread sets the user's unread count to the number of others' messages in the
// dialog that the user has not read (deleted and hidden ones do not count).
func recomputeUnread(ctx context.Context, tx queryer, dialogID string, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE dialog_occupants SET unread_count = (
		SELECT COUNT(*) FROM messages m WHERE m.dialog_id = ?1 AND m.sender_id != ?2
		AND m.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = ?2)
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.message_id = m.id AND h.user_id = ?2))
		WHERE dialog_id = ?1 AND user_id = ?2`, dialogID, userID)
	return err
}

// EditMessages replaces the body of the given messages, all of which must have been sent
// by userID (ErrNotSender otherwise, ErrNotFound for an id that is not in the dialog), and
// bumps their updated_at and the dialog's. When the dialog's last message is among
// them, its last_message follows.
func (s *Store) EditMessages(ctx context.Context, dialogID string, userID int64, ids []string, body string) error {
	if len(ids) == 0 {
		return fmt.Errorf("%w: name the messages to edit", ErrInvalidInput)
	}
	return s.tx(ctx, func(tx *writeTx) error {
		now := nowMS()
		for _, id := range ids {
			var sender int64
			err := tx.QueryRowContext(ctx, `SELECT sender_id FROM messages WHERE id = ? AND dialog_id = ?
				AND deleted_at IS NULL`,
				id, dialogID).Scan(&sender)
			if err == sql.ErrNoRows {
				return fmt.Errorf("%w: message %s", ErrNotFound, id)
			}
			if err != nil {
				return err
			}
			if sender != userID {
				return fmt.Errorf("%w: message %s", ErrNotSender, id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET body = ?, updated_at = ? WHERE id = ?`,
				body, now, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE dialogs SET last_message = ?
			WHERE id = ? AND last_message_id IN (`+placeholders(len(ids))+`)`,
			append([]any{body, dialogID}, stringArgs(ids)...)...)
		if err != nil {
			return err
		}
		return touchDialog(ctx, tx, dialogID)
	})
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
