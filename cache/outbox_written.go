package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A pending message is either unwritten (no chat stream has seen it: the user may
// still change or take it back locally, and nobody else ever sees the old version)
// or written (some stream carried it, and the server may have stored it although no
// confirmation came back). A written message is always resent exactly as first
// written — the server keeps the first copy of an id and ignores the rest — and the
// user's later edits and deletes of it are queued actions that the engine sends once
// the message is confirmed. The outbox row's written_* columns hold that first copy.

// MarkWritten is called just before messages are written to a chat stream. It
// returns, in the order of ids, those still waiting to be sent, each with the content
// to write: the first call for a message records its current text and attachments as
// written; later calls (resends) return that same content, whatever the user did to
// the message since. Ids no longer queued (sent, failed, or taken back) are skipped,
// so a message removed before this call is never written.
func (db *DB) MarkWritten(ctx context.Context, ids []string) ([]Message, error) {
	var out []Message
	err := db.write(ctx, "mark messages written", func(tx *txn, _ *Change) error {
		out = out[:0]
		for _, id := range ids {
			m, ok, err := markWritten(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("message %s: %w", id, err)
			}
			if ok {
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func markWritten(ctx context.Context, tx *txn, id string) (Message, bool, error) {
	var writtenAt int64
	var body, attachments string
	m, err := scanMessage(tx.QueryRowContext(ctx, `SELECT `+messageColsM+`, o.written_at, o.written_body,
		o.written_attachments FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.message_id = ? AND m.state = ?`, id, StatePending), &writtenAt, &body, &attachments)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if writtenAt == 0 {
		encoded, err := encodeJSON(m.Attachments)
		if err != nil {
			return m, false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET written_at = ?, written_body = ?,
			written_attachments = ? WHERE message_id = ?`, time.Now().UnixMilli(), m.Body, encoded, id); err != nil {
			return m, false, err
		}
		return m, true, nil
	}
	m.Body, m.Deleted = body, false
	if m.Attachments, err = decodeJSON[Attachment](attachments); err != nil {
		return m, false, err
	}
	return m, true, nil
}

// writtenOnce tells whether a queued message has been written to a chat stream (see
// MarkWritten): then the server may hold it, and changes to it must be sent as actions.
func writtenOnce(ctx context.Context, tx *txn, id string) (bool, error) {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT written_at FROM outbox WHERE message_id = ?`, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return at != 0, err
}
