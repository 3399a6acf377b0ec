package cache

import (
	"cmp"
	"context"
	"strings"
)

// The dialog list at scale (10k dialogs): decoding every dialog costs tens of
// milliseconds, so the list paints from its first rows (NewestDialogs) and a change
// re-reads only the dialogs it names (DialogsByID), placed by DialogOrder, the same
// order as the queries' ORDER BY.

// listOrder is the list's ORDER BY: the most recent activity (last message, else
// last update) first, then by id.
const listOrder = `ORDER BY CASE WHEN last_message_at > 0 THEN last_message_at ELSE updated_at END DESC, id`

// DialogOrder compares two dialogs in the order Dialogs and VisibleDialogs list
// them (for slices.SortFunc and slices.BinarySearchFunc).
func DialogOrder(a, b Dialog) int {
	if c := cmp.Compare(activity(b), activity(a)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func activity(d Dialog) int64 {
	if at := toMillis(d.LastMessageAt); at > 0 {
		return at
	}
	return toMillis(d.UpdatedAt)
}

// NewestDialogs is the first limit dialogs of VisibleDialogs: what a list shows
// before the rest is read.
func (db *DB) NewestDialogs(ctx context.Context, limit int) ([]Dialog, error) {
	return db.queryDialogs(ctx, "read the newest dialogs", `SELECT `+dialogCols+` FROM dialogs WHERE hidden_at = 0 `+listOrder+` LIMIT ?`, limit)
}

// DialogsByID returns the stored dialogs among ids, hidden ones included (Hidden
// set), unknown ids left out, in one query.
func (db *DB) DialogsByID(ctx context.Context, ids []string) ([]Dialog, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := encodeJSON(ids)
	if err != nil {
		return nil, err
	}
	// One fixed text whatever the number of ids (json_each), so it stays prepared.
	return db.queryDialogs(ctx, "read dialogs by id", `SELECT `+dialogCols+` FROM dialogs
		WHERE id IN (SELECT value FROM json_each(?)) `+listOrder, list)
}

func (db *DB) queryDialogs(ctx context.Context, what, q string, args ...any) ([]Dialog, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.read(what, err)
	}
	defer rows.Close()
	var out []Dialog
	for rows.Next() {
		d, err := scanDialog(rows)
		if err != nil {
			return nil, db.read(what, err)
		}
		out = append(out, d)
	}
	return out, db.read(what, rows.Err())
}
