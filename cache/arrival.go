package cache

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Arrival order. The server lists messages that share a date_sent in the order it
// stored them, and their ids say nothing about that order (JS SDK 6 makes ids up at
// random; ours are ObjectIds of the sender's clock). Each cached message therefore
// keeps Arrival, its place among its dialog's messages with the same SentAt:
//
//   - a message new to the cache (live, or queued by this user) comes last in its
//     second, as the server stored it after what it had delivered before; one that
//     moves to another second (a pending message confirmed at the server's
//     date_sent) comes last in its new second;
//   - a server listing (a catch-up or back-fill page) says the true order of what it
//     names: UpsertListed re-ranks each second it lists to agree with it, keeping the
//     messages it does not name where they were.
//
// History, the newest message and each dialog's last message follow (SentAt,
// Arrival, ID).

// Listed is one second of one dialog as a server listing names it: the ids in the
// server's order, every id the listing has named for that second so far (a second
// may span two pages).
type Listed struct {
	DialogID string
	SentAt   time.Time
	IDs      []string
}

// UpsertListed stores a page of server copies like UpsertMessages and, in the same
// transaction, re-ranks each second of listed to the server's order. Re-ranked
// messages are published as changed; a dialog whose last message changed by it is
// brought up to date.
//
// It also returns the seconds whose order is still a guess: where a message new to
// the cache had to go after one the listing did not name. The listing cannot say
// where that one belongs: it may have been stored on the server after the listing
// was taken (a live message that reached the cache before the page was written), or,
// in a listing of changes only, before. Listing such a second whole settles it.
func (db *DB) UpsertListed(ctx context.Context, msgs []Message, listed []Listed) (int, []Second, error) {
	return db.upsertMessages(ctx, msgs, listed)
}

// rerank gives the messages of l's second their places as l lists them, and reports
// which ones moved. sure is false when a message of fresh (new to the cache in this
// batch) that l names ends up after one l does not name (see UpsertListed).
func rerank(ctx context.Context, tx *txn, l Listed, fresh map[string]bool, touched map[string]map[string]bool, ch *Change) (sure bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, arrival FROM messages
		WHERE dialog_id = ? AND sent_at = ? ORDER BY arrival, id`, l.DialogID, toMillis(l.SentAt))
	if err != nil {
		return false, fmt.Errorf("dialog %s: read a second: %w", l.DialogID, err)
	}
	var cached []string
	rank := map[string]int{}
	for rows.Next() {
		var id string
		var a int
		if err := rows.Scan(&id, &a); err != nil {
			rows.Close()
			return false, fmt.Errorf("dialog %s: read a second: %w", l.DialogID, err)
		}
		cached = append(cached, id)
		rank[id] = a
	}
	if err := rows.Close(); err != nil {
		return false, fmt.Errorf("dialog %s: read a second: %w", l.DialogID, err)
	}
	merged := mergeListed(cached, l.IDs)
	for i, id := range merged {
		if rank[id] == i+1 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET arrival = ? WHERE id = ?`, i+1, id); err != nil {
			return false, fmt.Errorf("message %s: rank: %w", id, err)
		}
		ch.addMessage(l.DialogID, id)
		if touched[l.DialogID] == nil {
			touched[l.DialogID] = map[string]bool{}
		}
		touched[l.DialogID][id] = true
	}
	return orderKnown(merged, l.IDs, fresh), nil
}

// orderKnown tells whether merged (a second in the cache's new order) is
// known to be right: no message of fresh that listed names comes after one listed
// does not name.
func orderKnown(merged, listed []string, fresh map[string]bool) bool {
	named := make(map[string]bool, len(listed))
	for _, id := range listed {
		named[id] = true
	}
	unnamed := false
	for _, id := range merged {
		switch {
		case !named[id]:
			unnamed = true
		case unnamed && fresh[id]:
			return false
		}
	}
	return true
}

// mergeListed orders the cached messages of one second (cached, in their current
// order) so that those listed follow the listing's order: walking the cached order,
// a listed message brings with it every listed one before it not yet placed (new
// ones, stored last in the second just before, or ones the cache had further on);
// the rest keep their places. Listed ids the cache does not hold (a tombstone it
// skipped) are ignored.
func mergeListed(cached, listed []string) []string {
	held := make(map[string]bool, len(cached))
	for _, id := range cached {
		held[id] = true
	}
	pos := map[string]int{}
	var order []string
	for _, id := range listed {
		if _, dup := pos[id]; held[id] && !dup {
			pos[id] = len(order)
			order = append(order, id)
		}
	}
	out := make([]string, 0, len(cached))
	next := 0
	for _, id := range cached {
		p, isListed := pos[id]
		switch {
		case !isListed:
			out = append(out, id)
		case p >= next:
			out = append(out, order[next:p+1]...)
			next = p + 1
		}
	}
	return slices.Concat(out, order[next:])
}

// Second is one second of one dialog.
type Second struct {
	DialogID string
	SentAt   time.Time
}

// CrowdedSeconds returns the seconds of the given messages that hold other messages
// of their dialog too (each once): where their place in arrival order is a guess.
func (db *DB) CrowdedSeconds(ctx context.Context, ids []string) ([]Second, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := encodeJSON(ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT m.dialog_id, m.sent_at FROM messages m
		WHERE m.id IN (SELECT value FROM json_each(?)) AND EXISTS (SELECT 1 FROM messages o
			WHERE o.dialog_id = m.dialog_id AND o.sent_at = m.sent_at AND o.id != m.id)`, list)
	if err != nil {
		return nil, db.read("read crowded seconds", err)
	}
	defer rows.Close()
	var out []Second
	for rows.Next() {
		var s Second
		var at int64
		if err := rows.Scan(&s.DialogID, &at); err != nil {
			return nil, db.read("read crowded seconds", err)
		}
		s.SentAt = fromMillis(at)
		out = append(out, s)
	}
	return out, db.read("read crowded seconds", rows.Err())
}
