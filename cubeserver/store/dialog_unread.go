package store

import "context"

// UnreadCounts returns the viewer's unread count of every dialog q selects, keyed by
// dialog id: what GET /chat/Message/unread answers, without reading whole dialogs
// (a user with thousands of dialogs asks for them all on every reconnect).
func (s *Store) UnreadCounts(ctx context.Context, q DialogQuery) (map[string]int, error) {
	w := q.where()
	args := append([]any{q.UserID}, w.args...)
	rows, err := s.db.QueryContext(ctx, `SELECT d.id,
		CASE WHEN o.user_id IS NULL AND d.type = 1 AND ?1 != 0 THEN (`+broadcastUnread+`)
			ELSE COALESCE(o.unread_count, 0) END
		FROM dialogs d LEFT JOIN dialog_occupants o ON o.dialog_id = d.id AND o.user_id = ?1
		WHERE `+q.listed()+w.and(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
