package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cube"
)

// Alert is a recorded chat alert: the push the server would have sent to UserID for a
// message. Who gets one is decided by the caller (xmppd.Server.AlertRecipients).
type Alert struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	DialogID  string    `json:"chat_dialog_id"`
	MessageID string    `json:"message_id"`
	SenderID  int64     `json:"sender_id"`
	Body      string    `json:"message"` // preview, at most alertPreviewRunes characters
	CreatedAt time.Time `json:"created_at"`
}

// alertPreviewRunes bounds the stored body preview, as a push payload would be.
const alertPreviewRunes = 200

// RecordAlerts stores one alert per recipient for message m. Recording the same
// message for the same user again is a no-op, so a re-sent message alerts once.
func (s *Store) RecordAlerts(ctx context.Context, m cube.Message, recipients []int64) error {
	if len(recipients) == 0 {
		return nil
	}
	if m.ID == "" || m.ChatDialogID == "" {
		return fmt.Errorf("%w: an alert needs the message id and dialog", ErrInvalidInput)
	}
	preview := m.Message
	if utf8.RuneCountInString(preview) > alertPreviewRunes {
		preview = string([]rune(preview)[:alertPreviewRunes])
	}
	now := nowMS()
	return s.tx(ctx, func(sqlTx *writeTx) error {
		tx := s.prepTx(sqlTx)
		for _, uid := range uniqueIDs(recipients) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (user_id, dialog_id, message_id, sender_id, body, created_at)
				VALUES (?,?,?,?,?,?) ON CONFLICT (user_id, message_id) DO NOTHING`,
				uid, m.ChatDialogID, m.ID, m.SenderID, preview, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListAlerts returns the newest alerts first, of one user (0 = everyone); limit <= 0
// means all.
func (s *Store) ListAlerts(ctx context.Context, userID int64, limit int) ([]Alert, error) {
	w := &whereBuilder{}
	if userID != 0 {
		w.add("user_id = ?", userID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, dialog_id, message_id, sender_id, body, created_at
		FROM alerts WHERE 1 = 1`+w.and()+` ORDER BY id DESC LIMIT ?`, append(w.args, sqlLimit(limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		var created int64
		if err := rows.Scan(&a.ID, &a.UserID, &a.DialogID, &a.MessageID, &a.SenderID, &a.Body, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = msTime(created)
		out = append(out, a)
	}
	return out, rows.Err()
}
