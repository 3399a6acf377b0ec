package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// The lookups below serve xmppd's hot path (every routed message, every chat marker).
// They read and write only what routing needs, through prepared statements, instead of
// the full per-viewer dialog and message rows the REST API shows.

// dialogMembersSelect reads a dialog's routing fields: one primary-key lookup and two
// indexed occupant/admin lists (in joining order, as Dialog lists them).
const dialogMembersSelect = `SELECT d.type, d.owner_id,
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM dialog_occupants
		WHERE dialog_id = d.id ORDER BY rowid)),
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM dialog_admins
		WHERE dialog_id = d.id ORDER BY rowid))
	FROM dialogs d WHERE d.id = ?`

// DialogMembers returns the dialog with only ID, Type, UserID (the owner), OccupantsIDs
// and AdminsIDs set, or ErrNotFound. Everything else (name, last message, unread
// count, …) is left zero: use Dialog or DialogFor to show a dialog to anyone.
// Answers come from a cache while no write could have changed them (members_cache.go).
func (s *Store) DialogMembers(ctx context.Context, dialogID string) (*cube.Dialog, error) {
	if d, ok := s.members.get(dialogID); ok {
		return d, nil
	}
	gen := s.members.generation()
	d := &cube.Dialog{ID: dialogID}
	var occupants, admins string
	err := s.prep().QueryRowContext(ctx, dialogMembersSelect, dialogID).Scan(&d.Type, &d.UserID, &occupants, &admins)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: dialog %s", ErrNotFound, dialogID)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(occupants), &d.OccupantsIDs); err != nil {
		return nil, fmt.Errorf("store: dialog %s occupants: %w", dialogID, err)
	}
	if err := json.Unmarshal([]byte(admins), &d.AdminsIDs); err != nil {
		return nil, fmt.Errorf("store: dialog %s admins: %w", dialogID, err)
	}
	s.members.put(d, gen)
	return d, nil
}

// markableDialog finds the dialog of a message that userID may mark: stored, not
// deleted, sent by someone else, in a dialog userID occupies.
const markableDialog = `SELECT m.dialog_id FROM messages m
	WHERE m.id = ?1 AND m.deleted_at IS NULL AND m.sender_id != ?2
	AND EXISTS (SELECT 1 FROM dialog_occupants o WHERE o.dialog_id = m.dialog_id AND o.user_id = ?2)`

// MarkMessage applies a chat marker of userID to one message: received (read=false)
// adds the user to its delivered_ids; displayed (read=true) to read_ids and
// delivered_ids and recomputes the user's unread count, as MarkRead does. A new marker
// moves the message's updated_at. When the message is unknown or deleted, is the
// user's own, or its dialog does not have the user as an occupant, nothing changes and
// marked is false.
func (s *Store) MarkMessage(ctx context.Context, messageID string, userID int64, read bool) (marked bool, err error) {
	return s.MarkMessageAsync(ctx, messageID, userID, read)()
}

// MarkMessageAsync queues the marker as MarkMessage applies it and returns at once;
// wait blocks until its group has committed. Writes queued by one goroutine commit in
// that order.
func (s *Store) MarkMessageAsync(ctx context.Context, messageID string, userID int64, read bool) (wait func() (marked bool, err error)) {
	if messageID == "" || userID <= 0 {
		err := fmt.Errorf("%w: a marker needs a message id and a user", ErrInvalidInput)
		return func() (bool, error) { return false, err }
	}
	tables := []string{"message_deliveries"}
	if read {
		tables = []string{"message_reads", "message_deliveries"}
	}
	var marked bool
	committed := s.txGroupedAsync(ctx, func(ctx context.Context, sqlTx *writeTx) error {
		marked = false // a group that failed elsewhere runs again (group_commit.go)
		tx := s.prepTx(sqlTx)
		var dialogID string
		err := tx.QueryRowContext(ctx, markableDialog, messageID, userID).Scan(&dialogID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		added := false
		for _, table := range tables {
			res, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (message_id, user_id) VALUES (?,?)
				ON CONFLICT DO NOTHING`, messageID, userID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				added = true
			}
		}
		if added {
			// As addMarker: catch-up by updated_at must see the new tick.
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET updated_at = ? WHERE id = ?`,
				nowMS(), messageID); err != nil {
				return err
			}
			if err := touchDialog(ctx, tx, dialogID); err != nil {
				return err
			}
		}
		if read {
			if err := recomputeUnread(ctx, tx, dialogID, userID); err != nil {
				return err
			}
		}
		marked = true
		return nil
	})
	return func() (bool, error) {
		err := committed() // after this, marked is the committer's last word
		return marked && err == nil, err
	}
}
