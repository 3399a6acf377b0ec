package store

import "context"

// UserExists tells whether a user with this id exists: the chat server answers for
// accounts (service discovery, IQs and messages to unknown users, RFC 6121 §8.5.1).
func (s *Store) UserExists(ctx context.Context, id int64) (bool, error) {
	return exists(ctx, s.db, `SELECT 1 FROM users WHERE id = ?`, id)
}
