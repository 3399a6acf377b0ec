package cache

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Bulk insertion. Most messages of a catch-up batch are new to the cache, and storing
// them one statement at a time (with a search entry each) was most of the writer's
// CPU (docs/benchmarks.md, issue 10). bulkInsert inserts them several rows per
// statement, ranks them in Go from one read of the seconds they fall in, and leaves
// their search entries pending for the indexer (search_pending.go), which writes
// them once the bulk inserts pause, a thousand per transaction; a search writes what
// is still pending first. What it
// cannot insert (an id already stored, or repeated in the batch) is left to the
// per-message upsert, which merges it.

// bulkChunks are the row counts of the bulk statements: a batch is cut into the
// largest that fit, so only these few texts are prepared and cached.
var bulkChunks = []int{64, 16, 4, 1}

// bulkCols is the number of values one row binds: messageCols.
const bulkCols = 18

// bulkResult is what bulkInsert did.
type bulkResult struct {
	inserted []bool          // in the order of msgs: whether each was inserted
	fresh    map[second]bool // the seconds that held no message before
}

// bulkInsert inserts the messages of msgs whose ids are not stored yet, each last in
// its second as the per-message insert places it, with its search entry pending. It
// reports, in the order of msgs, whether each was inserted (a repeated id: its first
// copy only). msgs must be normalised.
func bulkInsert(ctx context.Context, tx *txn, msgs []Message, x *indexer) (bulkResult, error) {
	res := bulkResult{inserted: make([]bool, len(msgs)), fresh: map[second]bool{}}
	inserted := res.inserted
	if len(msgs) == 0 {
		return res, nil
	}
	arrival, err := lastArrivals(ctx, tx, msgs)
	if err != nil {
		return res, err
	}
	for sec, last := range arrival {
		if last == 0 {
			res.fresh[sec] = true
		}
	}
	rows := make([]any, 0, len(msgs)*bulkCols)
	for _, m := range msgs {
		row, err := encodeMessage(m)
		if err != nil {
			return res, err
		}
		sec := second{m.DialogID, row.sentAt}
		arrival[sec]++
		rows = append(append(append(rows, m.ID), row.args()...), arrival[sec])
	}
	first := make(map[string]int, len(msgs)) // id → index of its first copy
	for i, m := range msgs {
		if _, ok := first[m.ID]; !ok {
			first[m.ID] = i
		}
	}
	var pks []any
	for done := 0; done < len(msgs); {
		n := bulkChunks[len(bulkChunks)-1]
		for _, c := range bulkChunks {
			if c <= len(msgs)-done {
				n = c
				break
			}
		}
		got, err := insertChunk(ctx, tx, n, rows[done*bulkCols:(done+n)*bulkCols])
		if err != nil {
			return res, err
		}
		for id, pk := range got {
			inserted[first[id]] = true
			pks = append(pks, pk)
		}
		done += n
	}
	return res, markPending(ctx, tx, pks, x)
}

// ranked tells whether the messages of l's second already stand in l's order, so
// that re-ranking it would change nothing: the second held nothing before this
// batch, every message of it in the batch was inserted in bulk (ranks 1, 2, … in the
// batch's order), and l names exactly those, in that order. A catch-up page listed
// newest first is stored oldest first, so this holds for every second it names in
// full; a second split over two pages is re-ranked. order is inOrder's.
func (r bulkResult) ranked(l Listed, order map[second][]string) bool {
	sec := second{l.DialogID, toMillis(l.SentAt)}
	ids, ok := order[sec]
	return ok && r.fresh[sec] && slices.Equal(ids, l.IDs)
}

// inOrder lists the ids of msgs by second, in the batch's order, leaving out the
// seconds that hold a message not inserted in bulk.
func (r bulkResult) inOrder(msgs []Message) map[second][]string {
	out := map[second][]string{}
	spoilt := map[second]bool{}
	for i, m := range msgs {
		sec := second{m.DialogID, toMillis(m.SentAt)}
		if !r.inserted[i] {
			spoilt[sec] = true
		}
		if !spoilt[sec] {
			out[sec] = append(out[sec], m.ID)
		}
	}
	for sec := range spoilt {
		delete(out, sec)
	}
	return out
}

// second is one second of one dialog, in the cache's milliseconds.
type second struct {
	dialogID string
	sentAt   int64
}

// lastArrivals reads the highest arrival rank stored in each second msgs fall in
// (0 for an empty second), in one statement.
func lastArrivals(ctx context.Context, tx *txn, msgs []Message) (map[second]int64, error) {
	out := map[second]int64{}
	var keys [][2]any
	for _, m := range msgs {
		s := second{m.DialogID, toMillis(m.SentAt)}
		if _, ok := out[s]; !ok {
			out[s] = 0
			keys = append(keys, [2]any{s.dialogID, s.sentAt})
		}
	}
	list, err := encodeJSON(keys)
	if err != nil {
		return nil, err
	}
	rs, err := tx.QueryContext(ctx, `SELECT j.value ->> 0, j.value ->> 1,
		(SELECT MAX(arrival) FROM messages WHERE dialog_id = j.value ->> 0 AND sent_at = j.value ->> 1)
		FROM json_each(?) j`, list)
	if err != nil {
		return nil, fmt.Errorf("read arrival ranks: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var s second
		var last *int64
		if err := rs.Scan(&s.dialogID, &s.sentAt, &last); err != nil {
			return nil, fmt.Errorf("read arrival ranks: %w", err)
		}
		if last != nil {
			out[s] = *last
		}
	}
	return out, rs.Err()
}

// insertChunk inserts n rows (args holds n rows of bulkCols values) and returns the
// pk of each id it inserted.
func insertChunk(ctx context.Context, tx *txn, n int, args []any) (map[string]int64, error) {
	rs, err := tx.QueryContext(ctx, bulkInsertSQL(n), args...)
	if err != nil {
		return nil, fmt.Errorf("insert messages: %w", err)
	}
	defer rs.Close()
	got := make(map[string]int64, n)
	for rs.Next() {
		var id string
		var pk int64
		if err := rs.Scan(&id, &pk); err != nil {
			return nil, fmt.Errorf("insert messages: %w", err)
		}
		got[id] = pk
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("insert messages: %w", err)
	}
	return got, nil
}

// bulkInsertSQLs holds the statement text of each chunk size (fixed texts, so the
// statement cache prepares each once).
var bulkInsertSQLs = func() map[int]string {
	out := map[int]string{}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", bulkCols), ", ") + ")"
	for _, n := range bulkChunks {
		out[n] = `INSERT INTO messages (` + messageCols + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") +
			` ON CONFLICT (id) DO NOTHING RETURNING id, pk`
	}
	return out
}()

func bulkInsertSQL(n int) string { return bulkInsertSQLs[n] }

// markPending leaves the search entries of the rows pks pending, in one statement.
func markPending(ctx context.Context, tx *txn, pks []any, x *indexer) error {
	if len(pks) == 0 {
		return nil
	}
	list, err := encodeJSON(pks)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO fts_pending (pk) SELECT value FROM json_each(?)`, list); err != nil {
		return fmt.Errorf("queue search entries: %w", err)
	}
	x.queued.Add(uint64(len(pks)))
	x.bulkAt.Store(time.Now().UnixNano())
	return nil
}
