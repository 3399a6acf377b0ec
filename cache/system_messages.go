package cache

import (
	"context"
	"fmt"
	"time"
)

// SystemMessage is a user-to-user system message (XMPP type headline, or POST
// /chat/Message/system), kept for the UI's notification area.
type SystemMessage struct {
	ID         string
	SenderID   int64
	Body       string
	Params     map[string]any // the extraParams; values come back as JSON types
	ReceivedAt time.Time
}

// AddSystemMessages stores system messages; an id already stored is skipped
// (a redelivered stanza). A zero ReceivedAt is now. It returns how many were new.
func (db *DB) AddSystemMessages(ctx context.Context, msgs []SystemMessage) (int, error) {
	type row struct {
		m      SystemMessage
		params string
	}
	rows := make([]row, len(msgs))
	for i, m := range msgs {
		if m.ID == "" {
			return 0, fmt.Errorf("cache: system message %d of %d has no id", i+1, len(msgs))
		}
		params, err := encodeMap(m.Params)
		if err != nil {
			return 0, fmt.Errorf("cache: system message %s: %w", m.ID, err)
		}
		if m.ReceivedAt.IsZero() {
			m.ReceivedAt = time.Now()
		}
		rows[i] = row{m, params}
	}
	var added int
	err := db.write(ctx, "save system messages", func(tx *txn, ch *Change) error {
		added = 0
		for _, r := range rows {
			res, err := tx.ExecContext(ctx, `INSERT INTO system_messages (id, sender_id, body, params, received_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				r.m.ID, r.m.SenderID, r.m.Body, r.params, toMillis(r.m.ReceivedAt))
			if err != nil {
				return fmt.Errorf("system message %s: %w", r.m.ID, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
				ch.SystemMessages = true
			}
		}
		return nil
	})
	return added, err
}

// SystemMessages returns up to limit system messages, newest first
// (DefaultPageSize when limit <= 0).
func (db *DB) SystemMessages(ctx context.Context, limit int) ([]SystemMessage, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, sender_id, body, params, received_at FROM system_messages
		ORDER BY received_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, db.read("read system messages", err)
	}
	defer rows.Close()
	var out []SystemMessage
	for rows.Next() {
		var m SystemMessage
		var params string
		var at int64
		if err := rows.Scan(&m.ID, &m.SenderID, &m.Body, &params, &at); err != nil {
			return nil, db.read("read system messages", err)
		}
		if m.Params, err = decodeMap(params); err != nil {
			return nil, fmt.Errorf("cache: system message %s: params: %w", m.ID, err)
		}
		m.ReceivedAt = fromMillis(at)
		out = append(out, m)
	}
	return out, db.read("read system messages", rows.Err())
}

// DismissSystemMessages removes system messages the user has dealt with;
// unknown ids are ignored.
func (db *DB) DismissSystemMessages(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.write(ctx, "dismiss system messages", func(tx *txn, ch *Change) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM system_messages WHERE id = ?`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				ch.SystemMessages = true
			}
		}
		return nil
	})
}
