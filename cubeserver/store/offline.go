package store

import (
	"context"
	"fmt"
)

// QueueOffline appends a stanza for a user who is offline; TakeOffline returns the queue
// in the order it was filled.
func (s *Store) QueueOffline(ctx context.Context, userID int64, stanza []byte) error {
	if userID <= 0 || len(stanza) == 0 {
		return fmt.Errorf("%w: offline stanza needs a user and content", ErrInvalidInput)
	}
	_, err := s.exec(ctx, `INSERT INTO offline_queue (user_id, stanza, created_at) VALUES (?,?,?)`,
		userID, stanza, nowMS())
	return err
}

// TakeOffline removes and returns the user's queued stanzas, oldest first. Reading and
// deleting happen in one transaction, so a stanza is handed out exactly once.
func (s *Store) TakeOffline(ctx context.Context, userID int64) ([][]byte, error) {
	var out [][]byte
	err := s.tx(ctx, func(sqlTx *writeTx) error {
		tx := s.prepTx(sqlTx)
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT stanza FROM offline_queue WHERE user_id = ? ORDER BY seq`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			out = append(out, b)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM offline_queue WHERE user_id = ?`, userID)
		return err
	})
	return out, err
}
