package cache

import "context"

// SecondTail returns how many messages the cache holds in one second of one dialog
// and the last n of their ids in the cache's order (arrival, then id), oldest
// first: enough for the engine to tell whether the messages it just confirmed
// there follow the ones it confirmed before, with nothing else in between
// (sync/relist_own.go). It reads only the page index.
func (db *DB) SecondTail(ctx context.Context, s Second, n int) (int, []string, error) {
	const what = "read a second"
	// The count is a subquery, run once, over the page index alone; a window
	// (COUNT(*) OVER ()) sorted the whole second's rows before the LIMIT, ~1 ms for
	// a second of a fast burst, once per confirmed batch (docs/benchmarks.md,
	// issue 10, round 4).
	// It runs without ctx's cancellation: with it, database/sql and the driver each
	// start a goroutine to watch ctx for a read of a few µs, two goroutines per
	// confirmed batch queued beside the live message (docs/benchmarks.md, issue 10,
	// round 8).
	rows, err := db.r.QueryContext(context.WithoutCancel(ctx), `SELECT id, (SELECT COUNT(*) FROM messages
			WHERE dialog_id = ?1 AND sent_at = ?2)
		FROM messages WHERE dialog_id = ?1 AND sent_at = ?2 ORDER BY arrival DESC, id DESC LIMIT ?3`,
		s.DialogID, toMillis(s.SentAt), n)
	if err != nil {
		return 0, nil, db.read(what, err)
	}
	defer rows.Close()
	var count int
	var tail []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &count); err != nil {
			return 0, nil, db.read(what, err)
		}
		tail = append(tail, id)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, db.read(what, err)
	}
	for i, j := 0, len(tail)-1; i < j; i, j = i+1, j-1 {
		tail[i], tail[j] = tail[j], tail[i]
	}
	return count, tail, nil
}
