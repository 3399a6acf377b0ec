package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The sync engine's whole-list bookkeeping: a reconnect compares the server's view of
// every dialog with the cache's, and must not decode each dialog (or open a write
// transaction per dialog) to do it.

// UnreadCounts returns the unread count of each given dialog the cache holds (nil ids:
// every dialog), without decoding the dialogs.
func (db *DB) UnreadCounts(ctx context.Context, ids []string) (map[string]int, error) {
	if ids == nil {
		rows, err := db.r.QueryContext(ctx, `SELECT id, unread_count FROM dialogs`)
		if err != nil {
			return nil, db.read("read unread counts", err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return nil, db.read("read unread counts", err)
			}
			out[id] = n
		}
		return out, db.read("read unread counts", rows.Err())
	}
	out := make(map[string]int, len(ids))
	for _, id := range ids {
		var n int
		err := db.r.QueryRowContext(ctx, `SELECT unread_count FROM dialogs WHERE id = ?`, id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, db.read("read unread count of "+id, err)
		}
		out[id] = n
	}
	return out, nil
}

// SetUnreadCounts sets the unread counts of many dialogs in one transaction. Only
// dialogs whose count differs are written and published; unknown ids are ignored.
func (db *DB) SetUnreadCounts(ctx context.Context, counts map[string]int) error {
	for id, n := range counts {
		if n < 0 {
			return fmt.Errorf("cache: negative unread count %d for dialog %s", n, id)
		}
	}
	if len(counts) == 0 {
		return nil
	}
	return db.write(ctx, "save unread counts", func(tx *txn, ch *Change) error {
		for id, n := range counts {
			res, err := tx.ExecContext(ctx, `UPDATE dialogs SET unread_count = ? WHERE id = ? AND unread_count != ?`, n, id, n)
			if err != nil {
				return fmt.Errorf("dialog %s: %w", id, err)
			}
			if changed, _ := res.RowsAffected(); changed > 0 {
				ch.addDialog(id)
			}
		}
		return nil
	})
}

// CountServerListed counts the cached dialogs the server should list for the user:
// those not hidden, and of public dialogs only the subscribed ones (a public dialog
// the user left stays cached to browse).
func (db *DB) CountServerListed(ctx context.Context, publicType int) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dialogs
		WHERE hidden_at = 0 AND (type != ? OR subscribed != 0)`, publicType).Scan(&n)
	if err != nil {
		return 0, db.read("count dialogs", err)
	}
	return n, nil
}

// PrefixedCursors returns the cursors whose key is prefix followed by the id of a
// cached dialog, keyed by that id: a dialog's cursors in one query. A cursor left by
// a dialog since removed is not returned.
func (db *DB) PrefixedCursors(ctx context.Context, prefix string) (map[string]string, error) {
	if prefix == "" {
		return nil, errors.New("cache: empty cursor prefix")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT d.id, c.value FROM cursors c
		JOIN dialogs d ON d.id = substr(c.key, length(?1) + 1)
		WHERE c.key >= ?1 AND c.key < ?1 || char(1114111)`, prefix)
	if err != nil {
		return nil, db.read("read cursors "+prefix, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, db.read("read cursors "+prefix, err)
		}
		out[id] = v
	}
	return out, db.read("read cursors "+prefix, rows.Err())
}
