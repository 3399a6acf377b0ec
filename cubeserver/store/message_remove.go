package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RemoveMessage deletes a message for everyone (an XMPP <remove/> or a forced REST
// delete; the caller checks who may do it) and returns its dialog id. The dialog's
// last_message fields fall back to the newest remaining message (or become null), and
// every occupant's unread count is recomputed. ErrNotFound for an unknown id.
func (s *Store) RemoveMessage(ctx context.Context, id string) (dialogID string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT dialog_id FROM messages WHERE id = ?`, id).Scan(&dialogID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: message %s", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE message_id = ?`, id); err != nil {
			return err
		}
		// The newest remaining message becomes the last one; with none left, the fields
		// are null again (the subqueries find no row).
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET updated_at = ?2,
			last_message = (SELECT body FROM messages WHERE dialog_id = ?1 ORDER BY date_sent DESC, id DESC LIMIT 1),
			last_message_id = (SELECT id FROM messages WHERE dialog_id = ?1 ORDER BY date_sent DESC, id DESC LIMIT 1),
			last_message_user_id = (SELECT sender_id FROM messages WHERE dialog_id = ?1 ORDER BY date_sent DESC, id DESC LIMIT 1),
			last_message_date_sent = (SELECT date_sent FROM messages WHERE dialog_id = ?1 ORDER BY date_sent DESC, id DESC LIMIT 1)
			WHERE id = ?1 AND last_message_id = ?3`, dialogID, nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET updated_at = ? WHERE id = ?`, nowMS(), dialogID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE dialog_occupants SET unread_count = (
			SELECT COUNT(*) FROM messages m WHERE m.dialog_id = dialog_occupants.dialog_id
			AND m.sender_id != dialog_occupants.user_id
			AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = dialog_occupants.user_id))
			WHERE dialog_id = ?`, dialogID)
		return err
	})
	return dialogID, err
}
