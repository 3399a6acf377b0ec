package sync

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

// rawInsertCols are the cache's message columns the raw reference writes; the rest
// keep their defaults, as they do for a server copy.
const rawInsertCols = `id, dialog_id, sender_id, recipient_id, body, sent_at, state, arrival`

// rawBulkInsert is the floor the cache's own insert is measured against: the same
// rows written with plain SQL into a cache file (same schema and indexes), 64 rows
// per prepared statement and 1,000 per transaction, with no search entries, merge,
// ranking query or change feed. Arrival ranks count up per second in page order.
func rawBulkInsert(b *testing.B, path string, pages [][]cache.Message) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(2)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	const chunk, perTx = 64, 1000
	row := "(?, ?, ?, ?, ?, ?, 'sent', ?)"
	stmt, err := db.PrepareContext(ctx, `INSERT INTO messages (`+rawInsertCols+`) VALUES `+
		strings.TrimSuffix(strings.Repeat(row+", ", chunk), ", "))
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	one, err := db.PrepareContext(ctx, `INSERT INTO messages (`+rawInsertCols+`) VALUES `+row)
	if err != nil {
		b.Fatal(err)
	}
	defer one.Close()
	var all []cache.Message
	for _, p := range pages {
		all = append(all, p...)
	}
	type second struct {
		dialog string
		at     int64
	}
	rank := map[second]int{}
	args := func(m cache.Message) []any {
		s := second{m.DialogID, m.SentAt.UnixMilli()}
		rank[s]++
		return []any{m.ID, m.DialogID, m.SenderID, m.RecipientID, m.Body, s.at, rank[s]}
	}
	for tx := range slicesChunk(all, perTx) {
		t, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		rest := tx
		for len(rest) >= chunk {
			var vals []any
			for _, m := range rest[:chunk] {
				vals = append(vals, args(m)...)
			}
			if _, err := t.StmtContext(ctx, stmt).ExecContext(ctx, vals...); err != nil {
				b.Fatal(err)
			}
			rest = rest[chunk:]
		}
		for _, m := range rest {
			if _, err := t.StmtContext(ctx, one).ExecContext(ctx, args(m)...); err != nil {
				b.Fatal(err)
			}
		}
		if err := t.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// slicesChunk cuts s into runs of n.
func slicesChunk[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
