package store

import (
	"context"
	"fmt"
)

// offlineLimits bound one user's offline queue: the stanzas waiting for their next
// session. Without them, anyone who may write to a user could fill the server's
// disk through that user's queue while they are away, and the session that flushes
// it would hold all of it in memory at once. When a new stanza takes the queue over
// either limit, the oldest stanzas are dropped until it is within both again: a
// stored message dropped this way is still in the dialog's history, where a client
// catching up finds it; the newest always stays.
type offlineLimits struct {
	stanzas int64
	bytes   int64
}

// defaultOfflineLimits: 5,000 stanzas is fifty days away at a hundred messages a
// day; 16 MiB is 64 of the largest stanzas the server accepts (cube.MaxStanzaBytes).
var defaultOfflineLimits = offlineLimits{stanzas: 5000, bytes: 16 << 20}

// QueueOffline appends a stanza for a user who is offline, within the user's
// offlineLimits; TakeOffline returns the queue in the order it was filled. The
// queue's totals per user (offline_totals) are kept in the same transaction, so a
// stanza checks the limits without counting the queue.
func (s *Store) QueueOffline(ctx context.Context, userID int64, stanza []byte) error {
	if userID <= 0 || len(stanza) == 0 {
		return fmt.Errorf("%w: offline stanza needs a user and content", ErrInvalidInput)
	}
	limits := s.offline
	return s.writeTx(ctx, func(sqlTx *writeTx) error {
		tx := s.prepTx(sqlTx)
		if _, err := tx.ExecContext(ctx, `INSERT INTO offline_queue (user_id, stanza, created_at) VALUES (?,?,?)`,
			userID, stanza, nowMS()); err != nil {
			return err
		}
		var n, size int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO offline_totals (user_id, stanzas, bytes) VALUES (?, 1, ?)
			ON CONFLICT (user_id) DO UPDATE SET stanzas = stanzas + 1, bytes = bytes + excluded.bytes
			RETURNING stanzas, bytes`, userID, len(stanza)).Scan(&n, &size); err != nil {
			return err
		}
		if n <= limits.stanzas && size <= limits.bytes {
			return nil
		}
		return dropOldestOffline(ctx, tx, userID, n, size, limits)
	})
}

// dropOldestOffline drops a user's oldest queued stanzas until the queue, n stanzas
// of size bytes, is within limits again, keeping the newest whatever its size. It
// reads only the rows it drops.
func dropOldestOffline(ctx context.Context, tx prepared, userID, n, size int64, limits offlineLimits) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, length(stanza) FROM offline_queue WHERE user_id = ? ORDER BY seq`, userID)
	if err != nil {
		return err
	}
	var last, dropped, droppedBytes int64
	for (n-dropped > limits.stanzas || size-droppedBytes > limits.bytes) && n-dropped > 1 && rows.Next() {
		var seq, length int64
		if err := rows.Scan(&seq, &length); err != nil {
			rows.Close()
			return err
		}
		last, dropped, droppedBytes = seq, dropped+1, droppedBytes+length
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if dropped == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM offline_queue WHERE user_id = ? AND seq <= ?`, userID, last); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE offline_totals SET stanzas = stanzas - ?, bytes = bytes - ? WHERE user_id = ?`,
		dropped, droppedBytes, userID)
	return err
}

// TakeOffline removes and returns the user's queued stanzas, oldest first. Reading and
// deleting happen in one transaction, so a stanza is handed out exactly once.
func (s *Store) TakeOffline(ctx context.Context, userID int64) ([][]byte, error) {
	var out [][]byte
	err := s.writeTx(ctx, func(sqlTx *writeTx) error {
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM offline_queue WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM offline_totals WHERE user_id = ?`, userID)
		return err
	})
	return out, err
}
