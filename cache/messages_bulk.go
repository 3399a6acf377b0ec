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
	// Only an id's first copy can be inserted (a later one in the same statement,
	// or a later statement, meets the first and does nothing), so repeats are left
	// out of the statements; they fall through to the merge as before.
	first := make(map[string]int, len(msgs)) // id → index of its first copy
	var full []any                           // rows that set a column outside plainColumns: rare
	plain := make([]any, 0, len(msgs)*plainCols)
	for i, m := range msgs {
		row, err := encodeMessage(m)
		if err != nil {
			return res, err
		}
		sec := second{m.DialogID, row.sentAt}
		arrival[sec]++
		if _, ok := first[m.ID]; ok {
			continue
		}
		first[m.ID] = i
		if row.plain() {
			plain = append(plain, m.ID, row.dialogID, row.senderID, row.recipientID, row.body,
				row.sentAt, row.state, row.delivered, row.read, arrival[sec])
		} else {
			full = append(row.appendArgs(append(full, m.ID)), arrival[sec])
		}
	}
	// A new row's pk is one more than the table's largest (pk is INTEGER PRIMARY
	// KEY without AUTOINCREMENT, and this transaction is the only writer), so the
	// rows above top are exactly the ones these statements insert: their count
	// says whether every row went in, and their pks need not come back to Go.
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(pk), 0) FROM messages`).Scan(&top); err != nil {
		return res, fmt.Errorf("insert messages: %w", err)
	}
	var added int64
	for _, v := range []struct {
		shape bulkShape
		rows  []any
	}{{plainShape, plain}, {fullShape, full}} {
		n, err := insertRows(ctx, tx, v.shape, v.rows)
		if err != nil {
			return res, err
		}
		added += n
	}
	if added == 0 {
		return res, nil
	}
	if added == int64(len(first)) {
		for _, i := range first {
			inserted[i] = true
		}
	} else if err := readInserted(ctx, tx, top, first, inserted); err != nil {
		return res, err
	}
	return res, markPending(ctx, tx, top, added, x)
}

// readInserted marks, through first, the ids of the rows above top as inserted:
// the rare batch some of whose ids were stored already.
func readInserted(ctx context.Context, tx *txn, top int64, first map[string]int, inserted []bool) error {
	rs, err := tx.QueryContext(ctx, `SELECT id FROM messages WHERE pk > ?`, top)
	if err != nil {
		return fmt.Errorf("insert messages: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		inserted[first[id]] = true
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("insert messages: %w", err)
	}
	return nil
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

// insertRows inserts rows (whole rows of shape's values each) in the largest
// chunks that fit and returns how many it inserted.
func insertRows(ctx context.Context, tx *txn, shape bulkShape, rows []any) (int64, error) {
	var added int64
	for done := 0; done < len(rows); {
		left := (len(rows) - done) / shape.cols
		n := bulkChunks[len(bulkChunks)-1]
		for _, c := range bulkChunks {
			if c <= left {
				n = c
				break
			}
		}
		r, err := tx.ExecContext(ctx, shape.sql[n], rows[done:done+n*shape.cols]...)
		if err != nil {
			return added, fmt.Errorf("insert messages: %w", err)
		}
		k, err := r.RowsAffected()
		if err != nil {
			return added, fmt.Errorf("insert messages: %w", err)
		}
		added += k
		done += n * shape.cols
	}
	return added, nil
}

// bulkShape is one form of the bulk statement: the columns it binds per row and
// its text for each chunk size (fixed texts, so the statement cache prepares each
// once).
type bulkShape struct {
	cols int
	sql  map[int]string
}

// plainColumns are the columns a message fetched from the server nearly always
// sets (plain in messages_write.go); a plain row leaves the others to their
// DEFAULT. The driver's work is per bound value (a C string allocated and freed
// for each text, even an empty one), about a third of the insert: binding 10
// values instead of 18 is measured in docs/benchmarks.md (issue 10, round 3).
const plainColumns = `id, dialog_id, sender_id, recipient_id, body, sent_at, state, delivered_ids, read_ids, arrival`

// plainCols is the number of values a plain row binds.
const plainCols = 10

var (
	fullShape  = newBulkShape(messageCols, bulkCols)
	plainShape = newBulkShape(plainColumns, plainCols)
)

func newBulkShape(cols string, n int) bulkShape {
	out := bulkShape{cols: n, sql: map[int]string{}}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	for _, c := range bulkChunks {
		out.sql[c] = `INSERT INTO messages (` + cols + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", c), ", ") +
			` ON CONFLICT (id) DO NOTHING`
	}
	return out
}

// markPending leaves the search entries of the added rows above top pending, in
// one statement.
func markPending(ctx context.Context, tx *txn, top, added int64, x *indexer) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO fts_pending (pk) SELECT pk FROM messages WHERE pk > ?`, top); err != nil {
		return fmt.Errorf("queue search entries: %w", err)
	}
	x.queued.Add(uint64(added))
	x.bulkAt.Store(time.Now().UnixNano())
	return nil
}
