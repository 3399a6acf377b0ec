package cache

import (
	"context"
	"fmt"
	"time"
)

// SetLastActivity records a last-activity answer or push (XEP-0012): userID was
// last active seconds before at (the time the answer arrived). Zero seconds
// means active now (Online). The latest call wins: answers arrive in order on
// the one chat stream, except that LastSeen never moves back: someone known to be here
// at some moment was not last seen before it (an answer counting from an older
// moment, e.g. the connect when the disconnect is not recorded yet, would otherwise
// show "last seen 2 min ago" seconds after they left). The user's profile need not be
// cached.
func (db *DB) SetLastActivity(ctx context.Context, userID int64, seconds int64, at time.Time) error {
	if userID == 0 {
		return fmt.Errorf("cache: last activity has no user")
	}
	if seconds < 0 {
		return fmt.Errorf("cache: last activity of user %d: negative seconds %d", userID, seconds)
	}
	if at.IsZero() {
		return fmt.Errorf("cache: last activity of user %d: no time of the answer", userID)
	}
	lastSeen := toMillis(at.Add(-time.Duration(seconds) * time.Second))
	online := seconds == 0
	return db.write(ctx, "save last activity", func(tx *txn, ch *Change) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO user_activity (user_id, last_seen_at, online) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET last_seen_at = MAX(last_seen_at, excluded.last_seen_at), online = excluded.online
			WHERE (last_seen_at, online) IS NOT (MAX(last_seen_at, excluded.last_seen_at), excluded.online)`,
			userID, lastSeen, boolInt(online))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			ch.Activity = append(ch.Activity, userID)
		}
		return nil
	})
}

// SetOffline clears the Online mark of users (the chat connection dropped, so
// "online" can no longer be vouched for); their LastSeen stays.
func (db *DB) SetOffline(ctx context.Context, userIDs []int64) error {
	if len(userIDs) == 0 {
		return nil
	}
	return db.write(ctx, "clear online marks", func(tx *txn, ch *Change) error {
		for _, id := range userIDs {
			res, err := tx.ExecContext(ctx, `UPDATE user_activity SET online = 0 WHERE user_id = ? AND online = 1`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				ch.Activity = append(ch.Activity, id)
			}
		}
		return nil
	})
}
