package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultPageSize is the page length Messages uses when asked for limit <= 0.
const DefaultPageSize = 50

const messageCols = `id, dialog_id, sender_id, recipient_id, body, sent_at, state, attachments,
	custom, edited_at, deleted, last_error, delivered_ids, read_ids, reactions, silent, edit_pending, arrival`

// messageColsM is messageCols qualified by the alias m, for joins.
const messageColsM = `m.id, m.dialog_id, m.sender_id, m.recipient_id, m.body, m.sent_at, m.state,
	m.attachments, m.custom, m.edited_at, m.deleted, m.last_error, m.delivered_ids, m.read_ids,
	m.reactions, m.silent, m.edit_pending, m.arrival`

func scanMessage(s scanner, extra ...any) (Message, error) {
	var m Message
	var sentAt, editedAt int64
	var attachments, custom, delivered, read, reactions string
	dest := append([]any{&m.ID, &m.DialogID, &m.SenderID, &m.RecipientID, &m.Body, &sentAt, &m.State,
		&attachments, &custom, &editedAt, &m.Deleted, &m.LastError, &delivered, &read, &reactions,
		&m.Silent, &m.EditPending, &m.Arrival}, extra...)
	if err := s.Scan(dest...); err != nil {
		return m, err
	}
	var err error
	if m.DeliveredIDs, err = decodeJSON[int64](delivered); err != nil {
		return m, fmt.Errorf("message %s: delivered ids: %w", m.ID, err)
	}
	if m.ReadIDs, err = decodeJSON[int64](read); err != nil {
		return m, fmt.Errorf("message %s: read ids: %w", m.ID, err)
	}
	if m.Reactions, err = decodeReactions(reactions); err != nil {
		return m, fmt.Errorf("message %s: reactions: %w", m.ID, err)
	}
	m.SentAt, m.EditedAt = fromMillis(sentAt), fromMillis(editedAt)
	if m.Attachments, err = decodeJSON[Attachment](attachments); err != nil {
		return m, fmt.Errorf("message %s: attachments: %w", m.ID, err)
	}
	if m.Custom, err = decodeMap(custom); err != nil {
		return m, fmt.Errorf("message %s: custom parameters: %w", m.ID, err)
	}
	return m, nil
}

// scanMessages reads every row of a message query.
func (db *DB) scanMessages(ctx context.Context, what, q string, args ...any) ([]Message, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.read(what, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, db.read(what, err)
		}
		out = append(out, m)
	}
	return out, db.read(what, rows.Err())
}

// Message returns one message by id, or ErrNotFound.
func (db *DB) Message(ctx context.Context, id string) (*Message, error) {
	m, err := scanMessage(db.r.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages WHERE id = ?`, id))
	if err != nil {
		return nil, db.read("read message "+id, err)
	}
	return &m, nil
}

// Messages returns up to limit messages of a dialog that sort before the message
// (before, beforeID) in history order, oldest first: by SentAt, then the order the
// server stored them (Arrival), then ID. A zero before asks for the newest page; an
// empty beforeID with a non-zero before means "older than before". Paging by the
// message keeps the order stable among messages sent in the same second: pass the
// first message of a page to get the page before it.
func (db *DB) Messages(ctx context.Context, dialogID string, before time.Time, beforeID string, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	var out []Message
	var err error
	if before.IsZero() {
		out, err = db.scanMessages(ctx, "read messages", `SELECT `+messageCols+` FROM messages
			WHERE dialog_id = ? ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT ?`, dialogID, limit)
	} else if beforeID == "" {
		out, err = db.scanMessages(ctx, "read messages", `SELECT `+messageCols+` FROM messages
			WHERE dialog_id = ? AND sent_at < ?
			ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT ?`, dialogID, toMillis(before), limit)
	} else {
		// The message paged from may have moved in its second since it was shown (a
		// listing re-ranked it): its arrival is read now; gone, it counts as first.
		out, err = db.scanMessages(ctx, "read messages", `SELECT `+messageCols+` FROM messages
			WHERE dialog_id = ?1 AND (sent_at, arrival, id) <
				(?2, COALESCE((SELECT arrival FROM messages WHERE id = ?3), 0), ?3)
			ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT ?4`, dialogID, toMillis(before), beforeID, limit)
	}
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	return out, nil
}

// NewestMessage returns the newest message of a dialog that the server has
// confirmed (pending and failed ones are skipped: the catch-up cursor must not
// rest on a message the server does not have), or nil when there is none.
func (db *DB) NewestMessage(ctx context.Context, dialogID string) (*Message, error) {
	m, err := scanMessage(db.r.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages
		WHERE dialog_id = ? AND state IN ('sent', 'delivered', 'read')
		ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT 1`, dialogID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.read("read newest message", err)
	}
	return &m, nil
}

// MessagesByID returns the stored messages among ids, by id (unknown ids are
// absent), in one query: a catch-up page looks its whole batch up at once.
func (db *DB) MessagesByID(ctx context.Context, ids []string) (map[string]*Message, error) {
	out := make(map[string]*Message, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := encodeJSON(ids)
	if err != nil {
		return nil, err
	}
	// One fixed text whatever the number of ids (json_each), so it stays prepared.
	found, err := db.scanMessages(ctx, "read messages by id", `SELECT `+messageCols+` FROM messages
		WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, err
	}
	for i := range found {
		out[found[i].ID] = &found[i]
	}
	return out, nil
}
