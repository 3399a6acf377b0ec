package cache

import "context"

// SecondOrder is one crowded second of one dialog with the ids the cache holds
// there, in the cache's order (arrival, then id).
type SecondOrder struct {
	Second
	IDs []string
}

// CrowdedSecondOrders is CrowdedSeconds with each second's ids in the cache's
// order, so that a caller who knows the true order of some of them can tell
// whether the cache already agrees (the engine, for its own confirmed messages).
// It reads only the page index.
func (db *DB) CrowdedSecondOrders(ctx context.Context, ids []string) ([]SecondOrder, error) {
	seconds, err := db.CrowdedSeconds(ctx, ids)
	if err != nil || len(seconds) == 0 {
		return nil, err
	}
	out := make([]SecondOrder, 0, len(seconds))
	for _, s := range seconds {
		o := SecondOrder{Second: s}
		rows, err := db.r.QueryContext(ctx, `SELECT id FROM messages
			WHERE dialog_id = ? AND sent_at = ? ORDER BY arrival, id`, s.DialogID, toMillis(s.SentAt))
		if err != nil {
			return nil, db.read("read a second", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, db.read("read a second", err)
			}
			o.IDs = append(o.IDs, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, db.read("read a second", err)
		}
		out = append(out, o)
	}
	return out, nil
}
