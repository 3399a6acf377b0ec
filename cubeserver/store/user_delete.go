package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cubechat/cubechat/cube"
)

// DeleteUser removes user id's account (DELETE /users/{id}; docs/protocol.md §2.5 says
// what happens to their dialogs):
//   - the user leaves every dialog (occupant, admin, hidden and notification rows go);
//     private dialogs stay with the other party, history included;
//   - a group, public or broadcast dialog the user owned passes to its first admin
//     (lowest id), else to the occupant who joined first; one left with nobody is
//     deleted with its history;
//   - their messages stay where they were sent (other people's history is theirs too),
//     and so do their files, which those messages may carry;
//   - sessions, SCRAM keys, privacy lists, offline queue, alerts and activity go.
//
// Every dialog touched moves its updated_at, so the other members' catch-up sees it.
// It returns the ids of the dialogs that changed owner or occupants. ErrNotFound for an
// unknown id.
func (s *Store) DeleteUser(ctx context.Context, id int64) (changed []string, err error) {
	err = s.tx(ctx, func(tx *writeTx) error {
		if ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, id); err != nil || !ok {
			return orErr(err, ErrNotFound)
		}
		dialogs, err := userDialogs(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, d := range dialogs {
			gone, err := leaveForGood(ctx, tx, d, id)
			if err != nil {
				return err
			}
			if !gone {
				changed = append(changed, d.id)
			}
		}
		for _, q := range []string{
			`DELETE FROM dialog_notifications WHERE user_id = ?`,
			`DELETE FROM dialog_hidden WHERE user_id = ?`,
			`DELETE FROM privacy_lists WHERE user_id = ?`,
			`DELETE FROM user_last_activity WHERE user_id = ?`,
			`DELETE FROM user_activity WHERE user_id = ?`,
			`DELETE FROM offline_queue WHERE user_id = ?`,
			`DELETE FROM offline_totals WHERE user_id = ?`,
			`DELETE FROM alerts WHERE user_id = ?`,
			// sessions and user_scram follow by ON DELETE CASCADE.
			`DELETE FROM users WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// memberDialog is a dialog a leaving user is in, as leaveForGood needs it.
type memberDialog struct {
	id      string
	typ     int
	ownerID int64
}

// userDialogs lists the dialogs the user occupies, administers or owns.
func userDialogs(ctx context.Context, tx *writeTx, userID int64) ([]memberDialog, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, type, owner_id FROM dialogs WHERE owner_id = ?
		OR id IN (SELECT dialog_id FROM dialog_occupants WHERE user_id = ?)
		OR id IN (SELECT dialog_id FROM dialog_admins WHERE user_id = ?)`, userID, userID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []memberDialog
	for rows.Next() {
		var d memberDialog
		if err := rows.Scan(&d.id, &d.typ, &d.ownerID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// leaveForGood takes the user out of d, handing ownership on when they owned it. gone
// reports that d was deleted because nobody is left in it.
func leaveForGood(ctx context.Context, tx *writeTx, d memberDialog, userID int64) (gone bool, err error) {
	if err := removeOccupant(ctx, tx, d.id, userID); err != nil {
		return false, err
	}
	if d.ownerID == userID && d.typ != cube.DialogPrivate {
		heir, err := nextOwner(ctx, tx, d.id)
		if err != nil {
			return false, err
		}
		if heir == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE id = ?`, d.id)
			return true, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET owner_id = ? WHERE id = ?`, heir, d.id); err != nil {
			return false, err
		}
		// The owner is not listed among admins, and counts as owner only while an
		// occupant (a broadcast dialog's admin need not be one).
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialog_admins WHERE dialog_id = ? AND user_id = ?`, d.id, heir); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_occupants (dialog_id, user_id, joined_at)
			VALUES (?,?,?) ON CONFLICT DO NOTHING`, d.id, heir, nowMS()); err != nil {
			return false, err
		}
	}
	return false, touchDialog(ctx, tx, d.id)
}

// nextOwner is the first admin by id, else the occupant who joined first (then by id);
// 0 when the dialog has neither.
func nextOwner(ctx context.Context, tx *writeTx, dialogID string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM dialog_admins WHERE dialog_id = ? ORDER BY user_id LIMIT 1`,
		dialogID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM dialog_occupants WHERE dialog_id = ?
		ORDER BY joined_at, user_id LIMIT 1`, dialogID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
