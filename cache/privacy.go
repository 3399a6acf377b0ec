package cache

import (
	"context"
	"fmt"
	"slices"
)

// Blocked is one entry of the user's block list (the default privacy list).
type Blocked struct {
	UserID int64
	Mutual bool // blocked both ways: the user cannot write to them either
}

// SetBlocked replaces the cached block list with the server's, in one
// transaction. A user listed twice keeps the last entry.
func (db *DB) SetBlocked(ctx context.Context, list []Blocked) error {
	for i, b := range list {
		if b.UserID == 0 {
			return fmt.Errorf("cache: block list entry %d of %d has no user", i+1, len(list))
		}
	}
	want := map[int64]bool{}
	for _, b := range list {
		want[b.UserID] = b.Mutual
	}
	return db.write(ctx, "save block list", func(tx *txn, ch *Change) error {
		have, err := readBlocked(ctx, tx)
		if err != nil {
			return err
		}
		same := len(have) == len(want)
		for _, b := range have {
			if mutual, ok := want[b.UserID]; !ok || mutual != b.Mutual {
				same = false
			}
		}
		if same {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blocked_users`); err != nil {
			return err
		}
		for id, mutual := range want {
			if _, err := tx.ExecContext(ctx, `INSERT INTO blocked_users (user_id, mutual) VALUES (?, ?)`,
				id, boolInt(mutual)); err != nil {
				return err
			}
		}
		ch.Privacy = true
		return nil
	})
}

// Blocked returns the cached block list, by user id.
func (db *DB) Blocked(ctx context.Context) ([]Blocked, error) {
	list, err := readBlocked(ctx, db.r)
	if err != nil {
		return nil, db.read("read block list", err)
	}
	return list, nil
}

// IsBlocked tells whether userID is on the cached block list, and how.
func (db *DB) IsBlocked(ctx context.Context, userID int64) (blocked, mutual bool, err error) {
	list, err := db.Blocked(ctx)
	if err != nil {
		return false, false, err
	}
	i := slices.IndexFunc(list, func(b Blocked) bool { return b.UserID == userID })
	if i < 0 {
		return false, false, nil
	}
	return true, list[i].Mutual, nil
}

func readBlocked(ctx context.Context, q queryer) ([]Blocked, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id, mutual FROM blocked_users ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Blocked
	for rows.Next() {
		var b Blocked
		if err := rows.Scan(&b.UserID, &b.Mutual); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
