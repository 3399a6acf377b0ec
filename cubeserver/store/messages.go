package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// StoreChatMessage stores m once: a repeated m.ID returns inserted=false and changes
// nothing. On insert the dialog's last message fields and updated_at move (the last
// message only when m is not older than the current one, so a late re-send does not
// hide newer history), and every other occupant's unread count goes up by one.
// read_ids = delivered_ids = [sender]. A zero DateSent means now.
func (s *Store) StoreChatMessage(ctx context.Context, m cube.Message) (inserted bool, err error) {
	return s.StoreChatMessageAsync(ctx, m)()
}

// StoreChatMessageAsync queues m to be stored as StoreChatMessage does and returns at
// once; wait blocks until m's group has committed and returns what StoreChatMessage
// would have. Messages queued by one goroutine are stored in that order.
func (s *Store) StoreChatMessageAsync(ctx context.Context, m cube.Message) (wait func() (inserted bool, err error)) {
	failed := func(err error) func() (bool, error) { return func() (bool, error) { return false, err } }
	if m.ID == "" || m.ChatDialogID == "" || m.SenderID <= 0 {
		return failed(fmt.Errorf("%w: message id, dialog and sender are required", ErrInvalidInput))
	}
	attachments, custom, err := messageJSON(m)
	if err != nil {
		return failed(err)
	}
	var inserted bool
	now := nowMS()
	if m.DateSent == 0 {
		m.DateSent = time.Now().Unix()
	}
	m.DateSent = cube.UnixAny(m.DateSent).Unix() // milliseconds from Dart clients become seconds
	created, updated := now, now
	if !m.CreatedAt.IsZero() {
		created = m.CreatedAt.UnixMilli()
	}
	if !m.UpdatedAt.IsZero() {
		updated = m.UpdatedAt.UnixMilli()
	}
	committed := s.txGroupedAsync(ctx, func(ctx context.Context, sqlTx *writeTx) error {
		inserted = false // a group that failed elsewhere runs again (group_commit.go)
		tx := s.prepTx(sqlTx)
		// Posters are occupants, or admins of a broadcast dialog, who need not occupy it.
		// Two plain lookups: one query with both (UNION ALL of ?1, ?2) was compiled
		// again by SQLite on every run.
		member, err := exists(ctx, tx, `SELECT 1 FROM dialog_occupants WHERE dialog_id = ? AND user_id = ?`,
			m.ChatDialogID, m.SenderID)
		if err == nil && !member {
			member, err = exists(ctx, tx, `SELECT 1 FROM dialog_admins a JOIN dialogs d ON d.id = a.dialog_id
				WHERE a.dialog_id = ? AND a.user_id = ? AND d.type = `+strconv.Itoa(cube.DialogBroadcast),
				m.ChatDialogID, m.SenderID)
		}
		if err != nil {
			return err
		}
		if !member {
			if ok, err := exists(ctx, tx, `SELECT 1 FROM dialogs WHERE id = ?`, m.ChatDialogID); err != nil || !ok {
				return orErr(err, fmt.Errorf("%w: dialog %s", ErrNotFound, m.ChatDialogID))
			}
			return ErrNotOccupant
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (id, dialog_id, sender_id, recipient_id,
			body, date_sent, attachments, custom, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (id) DO NOTHING`, m.ID, m.ChatDialogID, m.SenderID, m.RecipientID, m.Message,
			m.DateSent, attachments, custom, created, updated)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		inserted = true
		if err := indexBlobRefs(ctx, tx, m); err != nil {
			return err
		}
		for _, table := range []string{"message_reads", "message_deliveries"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (message_id, user_id) VALUES (?,?)`,
				m.ID, m.SenderID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET updated_at = MAX(updated_at, ?1),
			last_message = CASE WHEN ?2 >= COALESCE(last_message_date_sent, 0) THEN ?3 ELSE last_message END,
			last_message_id = CASE WHEN ?2 >= COALESCE(last_message_date_sent, 0) THEN ?4 ELSE last_message_id END,
			last_message_user_id = CASE WHEN ?2 >= COALESCE(last_message_date_sent, 0) THEN ?5 ELSE last_message_user_id END,
			last_message_date_sent = MAX(?2, COALESCE(last_message_date_sent, 0))
			WHERE id = ?6`, now, m.DateSent, m.Message, m.ID, m.SenderID, m.ChatDialogID); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE dialog_occupants SET unread_count = unread_count + 1
			WHERE dialog_id = ? AND user_id != ?`, m.ChatDialogID, m.SenderID); err != nil {
			return err
		}
		// A dialog someone removed for themselves comes back with the next message.
		_, err = tx.ExecContext(ctx, `DELETE FROM dialog_hidden WHERE dialog_id = ?`, m.ChatDialogID)
		return err
	})
	return func() (bool, error) {
		err := committed() // after this, inserted is the committer's last word
		return inserted && err == nil, err
	}
}

// messageJSON encodes the attachments and custom fields for storage (NULL when empty).
func messageJSON(m cube.Message) (attachments, custom any, err error) {
	if len(m.Attachments) > 0 {
		b, err := json.Marshal(m.Attachments)
		if err != nil {
			return nil, nil, err
		}
		attachments = string(b)
	}
	if len(m.Custom) > 0 {
		b, err := json.Marshal(m.Custom)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: custom fields: %v", ErrInvalidInput, err)
		}
		custom = string(b)
	}
	return attachments, custom, nil
}

// MessageQuery selects messages of one dialog for GET /chat/Message.
// Messages the viewer deleted for themselves are never listed; tombstones of messages
// deleted for everyone only with IncludeDeleted.
type MessageQuery struct {
	DialogID       string // required
	Viewer         int64  // decides "read", "reactions.own" and what is hidden
	IDs            []string
	IDBefore       string // _id[lt]: ObjectIds grow with time, so this pages backwards
	SenderID       int64  // 0 = any
	RecipientID    Range
	Message        StringFilter
	AttachmentType StringFilter // matches when any attachment's type matches
	DateSent       Range        // unix seconds
	UpdatedAt      Range        // unix milliseconds
	IncludeDeleted bool         // also tombstones (Deleted, empty body); for updated_at catch-up
	SortDesc       bool         // by date_sent, then _id, so that pages are stable
	Limit          int          // <= 0 = all
	Skip           int
}

func (q MessageQuery) where() *whereBuilder {
	w := &whereBuilder{}
	w.add(`NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.message_id = m.id AND h.user_id = ?)`, q.Viewer)
	if !q.IncludeDeleted {
		w.add("m.deleted_at IS NULL")
	}
	w.addInStrings("m.id", q.IDs)
	if q.IDBefore != "" {
		w.add("m.id < ?", q.IDBefore)
	}
	if q.SenderID != 0 {
		w.add("m.sender_id = ?", q.SenderID)
	}
	w.addRange("m.recipient_id", q.RecipientID)
	w.addString("m.body", q.Message)
	if !q.AttachmentType.IsZero() {
		sub := &whereBuilder{}
		sub.addString("json_extract(a.value, '$.type')", q.AttachmentType)
		w.add(`EXISTS (SELECT 1 FROM json_each(COALESCE(m.attachments, '[]')) a WHERE 1`+sub.and()+`)`, sub.args...)
	}
	w.addRange("m.date_sent", q.DateSent)
	w.addRange("m.updated_at", q.UpdatedAt)
	return w
}

// ListMessages returns one page of a dialog's messages.
func (s *Store) ListMessages(ctx context.Context, q MessageQuery) ([]cube.Message, error) {
	w := q.where()
	dir := "ASC"
	if q.SortDesc {
		dir = "DESC"
	}
	args := append([]any{q.DialogID}, w.args...)
	args = append(args, sqlLimit(q.Limit), q.Skip)
	// Lists of ids or texts make the SQL text depend on their length.
	fixedText := len(q.IDs) == 0 && len(q.Message.In) == 0 && len(q.Message.NIn) == 0 &&
		len(q.AttachmentType.In) == 0 && len(q.AttachmentType.NIn) == 0
	return s.listMessagePage(ctx, messageRowSelect+` WHERE m.dialog_id = ?`+w.and()+
		` ORDER BY m.date_sent `+dir+`, m.rowid `+dir+` LIMIT ? OFFSET ?`, fixedText, q.Viewer, args...)
}

// Message returns one message as viewer sees it, or ErrNotFound.
func (s *Store) Message(ctx context.Context, id string, viewer int64) (cube.Message, error) {
	ms, err := s.listMessagePage(ctx, messageRowSelect+` WHERE m.id = ? AND m.deleted_at IS NULL`, true, viewer, id)
	if err != nil {
		return cube.Message{}, err
	}
	if len(ms) == 0 {
		return cube.Message{}, fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	return ms[0], nil
}

// CountMessages counts the messages that match q (limit and skip are ignored).
func (s *Store) CountMessages(ctx context.Context, q MessageQuery) (int, error) {
	w := q.where()
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages m WHERE m.dialog_id = ?`+w.and(),
		append([]any{q.DialogID}, w.args...)...).Scan(&n)
	return n, err
}
