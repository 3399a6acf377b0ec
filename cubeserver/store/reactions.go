package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ReactionChange is what React did: the reaction added ("" = none) and the ones
// removed, which includes the user's previous reaction when an add replaced it.
type ReactionChange struct {
	DialogID string
	Added    string
	Removed  []string
}

// Changed tells whether anything happened.
func (c ReactionChange) Changed() bool { return c.Added != "" || len(c.Removed) > 0 }

// React applies {"add": add, "remove": remove} of userID to a message. A user has at
// most one reaction per message ("User can have only one reaction type", docs/protocol.md
// §5): an add replaces the user's previous reaction, and the replaced one is reported
// as removed. remove only removes the user's reaction when it is that type. A change
// bumps the message's and its dialog's updated_at, so updated_at catch-up sees it.
// Errors: ErrNotFound (no such message, or deleted), ErrNotOccupant, ErrInvalidInput.
func (s *Store) React(ctx context.Context, messageID string, userID int64, add, remove string) (ReactionChange, error) {
	var out ReactionChange
	if add == "" && remove == "" {
		return out, fmt.Errorf("%w: add or remove a reaction", ErrInvalidInput)
	}
	err := s.tx(ctx, func(tx *writeTx) error {
		out = ReactionChange{}
		if err := tx.QueryRowContext(ctx, `SELECT dialog_id FROM messages WHERE id = ? AND deleted_at IS NULL`,
			messageID).Scan(&out.DialogID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: message %s", ErrNotFound, messageID)
			}
			return err
		}
		d, err := loadDialog(ctx, tx, out.DialogID)
		if err != nil {
			return err
		}
		if RoleOf(d, userID) < RoleOccupant {
			return ErrNotOccupant
		}
		var current string
		err = tx.QueryRowContext(ctx, `SELECT reaction FROM message_reactions WHERE message_id = ? AND user_id = ?`,
			messageID, userID).Scan(&current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case add != "" && add != current:
			if current != "" {
				out.Removed = append(out.Removed, current)
			}
			out.Added = add
			_, err = tx.ExecContext(ctx, `INSERT INTO message_reactions (message_id, user_id, reaction, created_at)
				VALUES (?,?,?,?) ON CONFLICT (message_id, user_id) DO UPDATE SET reaction = excluded.reaction,
				created_at = excluded.created_at`, messageID, userID, add, nowMS())
		case add == "" && remove != "" && remove == current:
			out.Removed = append(out.Removed, current)
			_, err = tx.ExecContext(ctx, `DELETE FROM message_reactions WHERE message_id = ? AND user_id = ?`,
				messageID, userID)
		}
		if err != nil || !out.Changed() {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET updated_at = MAX(updated_at + 1, ?) WHERE id = ?`,
			nowMS(), messageID)
		if err != nil {
			return err
		}
		return touchDialog(ctx, tx, out.DialogID)
	})
	return out, err
}

// MessageReactions returns reaction → user ids (in the order they reacted) of a
// message that viewer may read. Errors: ErrNotFound, ErrNotOccupant.
func (s *Store) MessageReactions(ctx context.Context, messageID string, viewer int64) (map[string][]int64, error) {
	var dialogID string
	err := s.db.QueryRowContext(ctx, `SELECT dialog_id FROM messages WHERE id = ? AND deleted_at IS NULL`,
		messageID).Scan(&dialogID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: message %s", ErrNotFound, messageID)
	}
	if err != nil {
		return nil, err
	}
	d, err := s.Dialog(ctx, dialogID)
	if err != nil {
		return nil, err
	}
	if RoleOf(d, viewer) < RoleOccupant {
		return nil, ErrNotOccupant
	}
	rows, err := s.db.QueryContext(ctx, `SELECT reaction, user_id FROM message_reactions
		WHERE message_id = ? ORDER BY created_at, rowid`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var r string
		var uid int64
		if err := rows.Scan(&r, &uid); err != nil {
			return nil, err
		}
		out[r] = append(out[r], uid)
	}
	return out, rows.Err()
}
