package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// messageRow is a message as stored: comparing two rows tells whether a write
// would change anything.
type messageRow struct {
	dialogID    string
	senderID    int64
	recipientID int64
	body        string
	sentAt      int64
	state       MessageState
	attachments string
	custom      string
	editedAt    int64
	deleted     bool
	lastError   string
	delivered   string
	read        string
	reactions   string
	silent      bool
	editPending bool
}

func encodeMessage(m Message) (messageRow, error) {
	attachments, err := encodeJSON(m.Attachments)
	if err != nil {
		return messageRow{}, fmt.Errorf("message %s: attachments: %w", m.ID, err)
	}
	custom, err := encodeMap(m.Custom)
	if err != nil {
		return messageRow{}, fmt.Errorf("message %s: %w", m.ID, err)
	}
	reactions, err := encodeReactions(m.Reactions)
	if err != nil {
		return messageRow{}, fmt.Errorf("message %s: reactions: %w", m.ID, err)
	}
	delivered, _ := encodeJSON(m.DeliveredIDs) // []int64 always marshals
	read, _ := encodeJSON(m.ReadIDs)
	return messageRow{
		dialogID: m.DialogID, senderID: m.SenderID, recipientID: m.RecipientID, body: m.Body,
		sentAt: toMillis(m.SentAt), state: m.State, attachments: attachments, custom: custom,
		editedAt: toMillis(m.EditedAt), deleted: m.Deleted, lastError: m.LastError,
		delivered: delivered, read: read, reactions: reactions, silent: m.Silent,
		editPending: m.EditPending,
	}, nil
}

// messageArgs is how many values appendArgs appends.
const messageArgs = 16

// appendArgs appends the row's values in messageCols order after the id (callers
// size args for all of a statement's values: one slice per statement).
func (r messageRow) appendArgs(args []any) []any {
	return append(args, r.dialogID, r.senderID, r.recipientID, r.body, r.sentAt, r.state, r.attachments,
		r.custom, r.editedAt, r.deleted, r.lastError, r.delivered, r.read, r.reactions, r.silent,
		r.editPending)
}

// plain tells whether every column outside plainColumns holds its DEFAULT, so
// the bulk insert may leave them out (messages_bulk.go).
func (r messageRow) plain() bool {
	return r.attachments == "" && r.custom == "" && r.editedAt == 0 && !r.deleted &&
		r.lastError == "" && r.reactions == "" && !r.silent && !r.editPending
}

// indexedText is what the search index holds for a row (deleted messages have
// no body, see scrubDeleted).
func (r messageRow) indexedText() string {
	if r.deleted {
		return ""
	}
	return r.body
}

// normaliseMessage rounds times to the cache's millisecond precision, reads a
// missing state as sent (a copy from the server) and puts marker and reaction
// user lists in their stored form (sorted, no repeats; read implies delivered).
func normaliseMessage(m Message) Message {
	m.SentAt = fromMillis(toMillis(m.SentAt))
	m.EditedAt = fromMillis(toMillis(m.EditedAt))
	if m.State == "" {
		m.State = StateSent
	}
	m.ReadIDs = unionIDs(nil, m.ReadIDs)
	m.DeliveredIDs = unionIDs(m.DeliveredIDs, m.ReadIDs)
	m.Reactions = normaliseReactions(m.Reactions)
	return scrubDeleted(m)
}

// messageWriter runs the message statements of one write transaction, each the
// writer's prepared statement for its text (writer.go).
type messageWriter struct {
	ctx                                                        context.Context
	tx                                                         *txn
	get, insert, update, updateRanked, ftsAdd, ftsDel, unqueue txStmt
	pending                                                    *indexer // non-nil: new rows' search entries wait (search_pending.go)
}

// txStmt is one SQL text run as the transaction's cached prepared statement.
type txStmt struct {
	tx    *txn
	query string
}

func (s txStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.tx.ExecContext(ctx, s.query, args...)
}

func (s txStmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return s.tx.QueryRowContext(ctx, s.query, args...)
}

// newMessageWriter never fails now that nothing is prepared up front; the error
// is kept for its callers.
func newMessageWriter(ctx context.Context, tx *txn) (*messageWriter, error) {
	w := &messageWriter{ctx: tx.ctxFor(ctx), tx: tx}
	for _, p := range []struct {
		stmt *txStmt
		sql  string
	}{
		{&w.get, `SELECT ` + messageCols + `, pk FROM messages WHERE id = ?`},
		// A message new to the cache comes last in its second (arrival.go).
		{&w.insert, `INSERT INTO messages (` + messageCols + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				(SELECT COALESCE(MAX(arrival), 0) + 1 FROM messages WHERE dialog_id = ? AND sent_at = ?))
			ON CONFLICT (id) DO NOTHING`},
		{&w.update, `UPDATE messages SET dialog_id = ?, sender_id = ?, recipient_id = ?, body = ?, sent_at = ?,
			state = ?, attachments = ?, custom = ?, edited_at = ?, deleted = ?, last_error = ?,
			delivered_ids = ?, read_ids = ?, reactions = ?, silent = ?, edit_pending = ? WHERE pk = ?`},
		// update for a row that moves to another second: it comes last there, ranked
		// in the same statement (the subquery reads the other rows, which the update
		// leaves alone).
		{&w.updateRanked, `UPDATE messages SET dialog_id = ?1, sender_id = ?2, recipient_id = ?3, body = ?4,
			sent_at = ?5, state = ?6, attachments = ?7, custom = ?8, edited_at = ?9, deleted = ?10,
			last_error = ?11, delivered_ids = ?12, read_ids = ?13, reactions = ?14, silent = ?15,
			edit_pending = ?16, arrival = (SELECT COALESCE(MAX(arrival), 0) + 1 FROM messages
				WHERE dialog_id = ?1 AND sent_at = ?5 AND pk != ?17) WHERE pk = ?17`},
		{&w.ftsAdd, `INSERT INTO messages_fts (rowid, body) VALUES (?, ?)`},
		{&w.ftsDel, `INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', ?, ?)`},
		{&w.unqueue, `DELETE FROM outbox WHERE message_id = ?`},
	} {
		*p.stmt = txStmt{tx: tx, query: p.sql}
	}
	return w, nil
}

// close releases nothing: the statements are the transaction's, released with it.
func (w *messageWriter) close() {}

// stored is a message row as found in the table.
type stored struct {
	pk  int64
	msg Message
	row messageRow
}

// lookup returns the stored message with id, or nil.
func (w *messageWriter) lookup(id string) (*stored, error) {
	var s stored
	m, err := scanMessage(w.get.QueryRowContext(w.ctx, id), &s.pk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.msg = m
	if s.row, err = encodeMessage(m); err != nil {
		return nil, err
	}
	return &s, nil
}

// upsert merges in over the stored copy (or inserts it) and reports whether a
// row was inserted or changed.
func (w *messageWriter) upsert(in Message) (inserted, changed bool, err error) {
	in = normaliseMessage(in)
	// Most messages of a catch-up batch are new: try the insert first and look
	// the stored copy up only when the id is taken.
	if added, err := w.add(in); added || err != nil {
		return added, added, err
	}
	old, err := w.lookup(in.ID)
	if err != nil {
		return false, false, err
	}
	if old == nil {
		return false, false, fmt.Errorf("message %s: neither inserted nor found", in.ID)
	}
	merged := mergeMessage(old.msg, in)
	changed, err = w.replace(old, merged)
	return false, changed, err
}

// add inserts m and indexes its text, unless its id is already stored; it
// reports whether it inserted.
func (w *messageWriter) add(m Message) (bool, error) {
	row, err := encodeMessage(m)
	if err != nil {
		return false, err
	}
	args := append(make([]any, 0, 1+messageArgs+2), m.ID)
	args = append(row.appendArgs(args), row.dialogID, row.sentAt)
	res, err := w.insert.ExecContext(w.ctx, args...)
	if err != nil {
		return false, fmt.Errorf("message %s: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	pk, err := res.LastInsertId()
	if err != nil {
		return false, err
	}
	// Every row gets an index entry, even with no text: FTS5 keeps a per-row
	// size record that must exist for each row of its content table.
	if err := w.indexNew(pk, row.indexedText()); err != nil {
		return false, fmt.Errorf("message %s: index: %w", m.ID, err)
	}
	return true, nil
}

// replace writes m over the stored old when anything differs, keeping the search
// index and the outbox in step. It reports whether the row changed.
func (w *messageWriter) replace(old *stored, m Message) (bool, error) {
	row, err := encodeMessage(m)
	if err != nil {
		return false, err
	}
	if row == old.row {
		return false, nil
	}
	update := w.update
	if row.sentAt != old.row.sentAt || row.dialogID != old.row.dialogID {
		// Moved to another second (a pending message confirmed at the server's
		// date_sent): it reached the server after what that second already holds.
		update = w.updateRanked
	}
	args := row.appendArgs(make([]any, 0, messageArgs+1))
	if _, err := update.ExecContext(w.ctx, append(args, old.pk)...); err != nil {
		return false, fmt.Errorf("message %s: %w", m.ID, err)
	}
	if before, after := old.row.indexedText(), row.indexedText(); before != after {
		// A row whose entry is still pending gets it written with its text then.
		pending, err := w.isPending(old.pk)
		if err != nil {
			return false, fmt.Errorf("message %s: %w", m.ID, err)
		}
		if !pending {
			// External-content FTS: removing an entry needs the exact text it indexed.
			if _, err := w.ftsDel.ExecContext(w.ctx, old.pk, before); err != nil {
				return false, fmt.Errorf("message %s: unindex: %w", m.ID, err)
			}
			if _, err := w.ftsAdd.ExecContext(w.ctx, old.pk, after); err != nil {
				return false, fmt.Errorf("message %s: index: %w", m.ID, err)
			}
		}
	}
	if leavesQueue(old.row.state, row.state) {
		if _, err := w.unqueue.ExecContext(w.ctx, m.ID); err != nil {
			return false, fmt.Errorf("message %s: leave outbox: %w", m.ID, err)
		}
	}
	return true, nil
}

// leavesQueue tells whether a row changing from state before to after leaves the
// outbox (replace then deletes its outbox row).
func leavesQueue(before, after MessageState) bool {
	return before == StatePending && after != StatePending
}
