package cache

import (
	"context"
	"fmt"
	"time"
)

// The outbox's live path (docs/benchmarks.md, issue 10). A message queued while the
// chat is live is written to the stream within moments, so it is recorded as
// written when it is queued (EnqueueWritten), in the same transaction; the outbox
// then finds its content to write in OutboxHead and needs no MarkWritten write of
// its own before sending it. A message queued offline stays unwritten, and the
// user's changes to it stay local, until MarkWritten as before.

// EnqueueWritten is EnqueueOutgoing for a message about to be written to a live
// chat: it is recorded as written at once (see MarkWritten), so that later changes
// to it are sent as actions. Queueing the id of a message already queued keeps its
// outbox row as it is.
func (db *DB) EnqueueWritten(ctx context.Context, m Message) error {
	return db.queueComposed(ctx, m, true)
}

// queueComposed stores a composed message as pending (a zero SentAt set to now) and
// its outbox row (see enqueueComposed); its search entry follows a moment later
// (search_pending.go).
func (db *DB) queueComposed(ctx context.Context, m Message, written bool) error {
	m.State = StatePending
	if err := validateMessage(m); err != nil {
		return err
	}
	if m.SentAt.IsZero() {
		m.SentAt = time.Now()
	}
	m.LastError = ""
	err := db.write(ctx, "queue message "+m.ID, func(tx *txn, ch *Change) error {
		return enqueueComposed(ctx, tx, normaliseMessage(m), written, db.idx, ch)
	})
	if err == nil {
		db.wakeIndexer()
	}
	return err
}

// enqueueComposed is enqueue for a message the user composed: its id is almost
// always new, so it is inserted first and the stored copy is looked up only when
// the id is taken (a retry of the same id).
func enqueueComposed(ctx context.Context, tx *txn, m Message, written bool, idx *indexer, ch *Change) error {
	w, err := newMessageWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	w.deferIndex(idx)
	added, err := w.add(m)
	if err != nil {
		return err
	}
	if added {
		// enqueued, with the dialog settled in one statement (dialogs_follow.go).
		if err := queueRow(ctx, tx, m, written); err != nil {
			return fmt.Errorf("message %s: queue: %w", m.ID, err)
		}
		ch.addMessage(m.DialogID, m.ID)
		if settled, err := follow(ctx, tx, m.DialogID, m.ID, 0, ch); err != nil || settled {
			return err
		}
		return refreshLastMessages(ctx, tx, map[string]map[string]bool{m.DialogID: {m.ID: true}}, ch)
	}
	old, err := w.lookup(m.ID)
	if err != nil {
		return err
	}
	if old == nil {
		return fmt.Errorf("message %s: neither inserted nor found", m.ID)
	}
	return enqueue(ctx, tx, w, old, m, written, ch)
}

// queueRow gives m an outbox row unless it has one, recording it as written now
// with its current content when written is set.
func queueRow(ctx context.Context, tx *txn, m Message, written bool) error {
	now := time.Now().UnixMilli()
	if !written {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (message_id, enqueued_at) VALUES (?, ?)
			ON CONFLICT (message_id) DO NOTHING`, m.ID, now)
		return err
	}
	attachments, err := encodeJSON(m.Attachments)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (message_id, enqueued_at, written_at, written_body,
		written_attachments) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
		m.ID, now, now, m.Body, attachments)
	return err
}

// Queued is a message waiting in the outbox with the content to write for it: for
// a message already written, the content first written (see MarkWritten).
type Queued struct {
	Message
	Written bool
}

// OutboxHead returns the first n messages of Outbox, each with its content to
// write. The engine sends a batch at a time: reading a long queue whole for each
// batch cost more the longer it was.
func (db *DB) OutboxHead(ctx context.Context, n int) ([]Queued, error) {
	const what = "read outbox"
	rows, err := db.r.QueryContext(ctx, `SELECT `+messageColsM+`, o.written_at, o.written_body,
		o.written_attachments FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE m.state = 'pending' ORDER BY o.seq LIMIT ?`, n)
	if err != nil {
		return nil, db.read(what, err)
	}
	defer rows.Close()
	var out []Queued
	for rows.Next() {
		var writtenAt int64
		var body, attachments string
		m, err := scanMessage(rows, &writtenAt, &body, &attachments)
		if err != nil {
			return nil, db.read(what, err)
		}
		q := Queued{Message: m, Written: writtenAt != 0}
		if q.Written {
			q.Body, q.Deleted = body, false
			if q.Attachments, err = decodeJSON[Attachment](attachments); err != nil {
				return nil, db.read(what, err)
			}
		}
		out = append(out, q)
	}
	return out, db.read(what, rows.Err())
}
