package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetDialogNotifications turns chat alerts for one occupant of a dialog on or off
// (PUT /chat/Dialog/{id}/notifications). ErrNotFound for an unknown dialog,
// ErrNotOccupant when the user is not in it.
func (s *Store) SetDialogNotifications(ctx context.Context, dialogID string, userID int64, enabled bool) error {
	return s.tx(ctx, func(tx *writeTx) error {
		member, err := exists(ctx, tx, `SELECT 1 FROM dialog_occupants WHERE dialog_id = ? AND user_id = ?`, dialogID, userID)
		if err != nil {
			return err
		}
		if !member {
			if ok, err := exists(ctx, tx, `SELECT 1 FROM dialogs WHERE id = ?`, dialogID); err != nil || !ok {
				return orErr(err, fmt.Errorf("%w: dialog %s", ErrNotFound, dialogID))
			}
			return ErrNotOccupant
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO dialog_notifications (dialog_id, user_id, enabled, updated_at)
			VALUES (?,?,?,?) ON CONFLICT (dialog_id, user_id) DO UPDATE SET enabled = excluded.enabled,
			updated_at = excluded.updated_at`, dialogID, userID, boolInt(enabled), nowMS())
		return err
	})
}

// DialogNotificationsEnabled tells whether the user wants chat alerts for the dialog;
// true unless they turned them off.
func (s *Store) DialogNotificationsEnabled(ctx context.Context, dialogID string, userID int64) (bool, error) {
	var enabled bool
	err := s.prep().QueryRowContext(ctx, `SELECT enabled FROM dialog_notifications WHERE dialog_id = ? AND user_id = ?`,
		dialogID, userID).Scan(&enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return enabled, err
}
