package store

import (
	"context"
	"database/sql"
	"errors"
)

// SetUserActive records whether the user's client is in the foreground (XMPP
// mobile#v2: enable="false" = active). The chat-alert logic reads it with UserActive.
func (s *Store) SetUserActive(ctx context.Context, userID int64, active bool) error {
	_, err := s.exec(ctx, `INSERT INTO user_activity (user_id, active, updated_at) VALUES (?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET active = excluded.active, updated_at = excluded.updated_at`,
		userID, boolInt(active), nowMS())
	return err
}

// UserActive reports the last recorded state; a user who never said otherwise is active.
func (s *Store) UserActive(ctx context.Context, userID int64) (bool, error) {
	var active int
	err := s.db.QueryRowContext(ctx, `SELECT active FROM user_activity WHERE user_id = ?`, userID).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return active != 0, err
}
