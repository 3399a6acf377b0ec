package cache

import (
	"context"
	"testing"
)

// BenchmarkSecondTail reads the count and the last 50 ids of a second holding 2000
// messages (a second of a sustained live burst; the outbox checks one per confirmed
// batch, sync/relist_own.go). References in the same run: the window query it
// replaced, and a bare COUNT(*) of the second (docs/benchmarks.md, issue 10,
// round 4).
func BenchmarkSecondTail(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	const inSecond, tail = 2000, 50
	msgs := make([]Message, inSecond)
	for i := range msgs {
		msgs[i] = newMsg("d1", i+1, 0, "burst")
	}
	upsert(b, db, msgs...)
	s := Second{DialogID: "d1", SentAt: base}
	b.Run("reference-window-query", func(b *testing.B) {
		for b.Loop() {
			rows, err := db.r.QueryContext(ctx, `SELECT id, COUNT(*) OVER () FROM messages
				WHERE dialog_id = ? AND sent_at = ? ORDER BY arrival DESC, id DESC LIMIT ?`, "d1", toMillis(base), tail)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference-count", func(b *testing.B) {
		for b.Loop() {
			var n int
			if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE dialog_id = ? AND sent_at = ?`,
				"d1", toMillis(base)).Scan(&n); err != nil || n != inSecond {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("SecondTail", func(b *testing.B) {
		for b.Loop() {
			n, ids, err := db.SecondTail(ctx, s, tail)
			if err != nil || n != inSecond || len(ids) != tail {
				b.Fatal(n, len(ids), err)
			}
		}
	})
}
