package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RecordConnect notes that the user's first resource came online at the given time.
func (s *Store) RecordConnect(ctx context.Context, userID int64, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO user_last_activity (user_id, connected_at) VALUES (?,?)
		ON CONFLICT (user_id) DO UPDATE SET connected_at = excluded.connected_at`, userID, at.UnixMilli())
	return err
}

// RecordDisconnect notes that the user's last resource went offline at the given time.
func (s *Store) RecordDisconnect(ctx context.Context, userID int64, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO user_last_activity (user_id, disconnected_at) VALUES (?,?)
		ON CONFLICT (user_id) DO UPDATE SET disconnected_at = excluded.disconnected_at`, userID, at.UnixMilli())
	return err
}

// LastSeen is when the user was last known online: the later of the last connect and
// the last disconnect (a crash may have lost the disconnect). ErrNotFound when the
// user never connected.
func (s *Store) LastSeen(ctx context.Context, userID int64) (time.Time, error) {
	var connected, disconnected int64
	err := s.db.QueryRowContext(ctx, `SELECT connected_at, disconnected_at FROM user_last_activity
		WHERE user_id = ?`, userID).Scan(&connected, &disconnected)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("%w: user %d never connected", ErrNotFound, userID)
	}
	if err != nil {
		return time.Time{}, err
	}
	return msTime(max(connected, disconnected)), nil
}
