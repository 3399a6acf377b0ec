package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// Every read of messages (a page of GET /chat/Message, one message, a search) reads
// the messages' own columns in one query, then the read and delivered markers and
// the reactions of all of them in one query each. Correlated subqueries did that per
// message (six lookups, three of them sorting), and were half of a catch-up page's
// cost on the server (docs/benchmarks.md, issue 10).

// messageRowSelect reads the columns of messages m that are the message's own.
const messageRowSelect = `SELECT m.id, m.dialog_id, m.sender_id, m.recipient_id, m.body, m.date_sent,
	m.attachments, m.custom, m.views_count, m.created_at, m.updated_at, m.deleted_at IS NOT NULL
	FROM messages m`

// listMessagePage runs a messageRowSelect query and completes each message as viewer
// sees it: "read" is 1 for the sender when anyone else has read the message, and for
// others when they have read it. A query text that does not depend on input (no id
// or text lists) runs as a cached prepared statement.
func (s *Store) listMessagePage(ctx context.Context, query string, fixedText bool, viewer int64, args ...any) ([]cube.Message, error) {
	var q queryer = s.db
	if fixedText {
		q = s.prep()
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	msgs, err := scanMessageRows(rows)
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	if err := s.addMarkersAndReactions(ctx, msgs, viewer); err != nil {
		return nil, err
	}
	return msgs, nil
}

func scanMessageRows(rows *sql.Rows) ([]cube.Message, error) {
	defer rows.Close()
	out := []cube.Message{}
	for rows.Next() {
		var m cube.Message
		var attachments, custom sql.NullString
		var created, updated int64
		if err := rows.Scan(&m.ID, &m.ChatDialogID, &m.SenderID, &m.RecipientID, &m.Message,
			&m.DateSent, &attachments, &custom, &m.ViewsCount, &created, &updated, &m.Deleted); err != nil {
			return nil, err
		}
		if attachments.Valid {
			if err := json.Unmarshal([]byte(attachments.String), &m.Attachments); err != nil {
				return nil, fmt.Errorf("store: message %s attachments: %w", m.ID, err)
			}
		}
		if custom.Valid {
			if err := json.Unmarshal([]byte(custom.String), &m.Custom); err != nil {
				return nil, fmt.Errorf("store: message %s custom fields: %w", m.ID, err)
			}
		}
		m.ReadIDs, m.DeliveredIDs = []int64{}, []int64{}
		m.CreatedAt = cube.TimeOf(msTime(created))
		m.UpdatedAt = cube.TimeOf(msTime(updated))
		out = append(out, m)
	}
	return out, rows.Err()
}

// addMarkersAndReactions fills in the read and delivered ids (in the order they were
// stored), "read" and the reactions of msgs as viewer sees them.
func (s *Store) addMarkersAndReactions(ctx context.Context, msgs []cube.Message, viewer int64) error {
	ids := make([]string, len(msgs))
	at := make(map[string]*cube.Message, len(msgs))
	for i := range msgs {
		ids[i] = msgs[i].ID
		at[msgs[i].ID] = &msgs[i]
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	p := s.prep()
	err = eachRow(ctx, p, `SELECT message_id, user_id FROM message_reads
		WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`, string(list), func(r *sql.Rows) error {
		var id string
		var user int64
		if err := r.Scan(&id, &user); err != nil {
			return err
		}
		m := at[id]
		m.ReadIDs = append(m.ReadIDs, user)
		// For the sender, "read" means someone else has read it; for others, that they have.
		if (m.SenderID == viewer) != (user == viewer) {
			m.Read = 1
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: read markers: %w", err)
	}
	err = eachRow(ctx, p, `SELECT message_id, user_id FROM message_deliveries
		WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`, string(list), func(r *sql.Rows) error {
		var id string
		var user int64
		if err := r.Scan(&id, &user); err != nil {
			return err
		}
		m := at[id]
		m.DeliveredIDs = append(m.DeliveredIDs, user)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delivered markers: %w", err)
	}
	err = eachRow(ctx, p, `SELECT message_id, user_id, reaction FROM message_reactions
		WHERE message_id IN (SELECT value FROM json_each(?))`, string(list), func(r *sql.Rows) error {
		var id, reaction string
		var user int64
		if err := r.Scan(&id, &user, &reaction); err != nil {
			return err
		}
		m := at[id]
		if m.Reactions == nil {
			m.Reactions = &cube.Reactions{Own: []string{}, Total: map[string]int{}}
		}
		m.Reactions.Total[reaction]++
		if user == viewer {
			m.Reactions.Own = append(m.Reactions.Own, reaction)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: reactions: %w", err)
	}
	return nil
}

// eachRow runs a one-argument query and calls fn for each row.
func eachRow(ctx context.Context, q queryer, query string, arg any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
