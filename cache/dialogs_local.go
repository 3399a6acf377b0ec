package cache

import (
	"context"
	"errors"
	"fmt"
)

// Dialog fields that no server copy carries: each is set by its own call and
// kept by UpsertDialogs.

// SetSubscribed records whether the user has joined a public dialog (after
// subscribe / unsubscribe). ErrNotFound for an unknown dialog.
func (db *DB) SetSubscribed(ctx context.Context, dialogID string, subscribed bool) error {
	return db.setDialogField(ctx, dialogID, "subscribed", boolInt(subscribed))
}

// SetNotificationsEnabled stores the dialog's server-side notification setting
// (GET/PUT /chat/Dialog/{id}/notifications). It is not Muted, which is this
// machine's choice. ErrNotFound for an unknown dialog.
func (db *DB) SetNotificationsEnabled(ctx context.Context, dialogID string, enabled bool) error {
	return db.setDialogField(ctx, dialogID, "notifications_enabled", boolInt(enabled))
}

// SetHidden hides a dialog the user deleted for themselves, or shows it again.
// A hidden dialog keeps its rows (Dialogs still lists it, with Hidden set;
// VisibleDialogs does not) and reappears by itself when a message newer than its
// last one at hiding time is stored: a private chat comes back when the peer
// writes again. ErrNotFound for an unknown dialog.
func (db *DB) SetHidden(ctx context.Context, dialogID string, hidden bool) error {
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "hide dialog "+dialogID, func(tx *txn, ch *Change) error {
		d, err := getDialog(ctx, tx, dialogID)
		if err != nil {
			return fmt.Errorf("dialog %s: %w", dialogID, err)
		}
		next := *d
		switch {
		case !hidden:
			next.hiddenAt = 0
		case d.hiddenAt == 0:
			// The mark is the newest message's time, not the clock: the server's
			// date_sent and this machine's clock need not agree.
			next.hiddenAt = max(toMillis(d.LastMessageAt), 1)
		}
		next.Hidden = next.hiddenAt > 0
		if dialogsEqual(*d, next) {
			return nil
		}
		if err := putDialog(ctx, tx, next); err != nil {
			return err
		}
		ch.addDialog(dialogID)
		return nil
	})
}

// VisibleDialogs is Dialogs without the hidden ones: the dialog list.
func (db *DB) VisibleDialogs(ctx context.Context) ([]Dialog, error) {
	return db.queryDialogs(ctx, "read dialogs", `SELECT `+dialogCols+` FROM dialogs WHERE hidden_at = 0 `+listOrder)
}

// unhideIfNewer shows a hidden dialog again when its newest message is newer
// than the hiding mark. It works on the copy the caller is about to write.
func unhideIfNewer(d *Dialog, newest *Message) {
	if d.hiddenAt > 0 && newest != nil && toMillis(newest.SentAt) > d.hiddenAt {
		d.hiddenAt, d.Hidden = 0, false
	}
}

// RemoveDialog forgets a dialog and everything cached for it — messages (and
// their search entries), queued messages and actions, gaps, draft — for a
// dialog deleted for everyone or left for good. Unknown ids do nothing.
func (db *DB) RemoveDialog(ctx context.Context, dialogID string) error {
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "remove dialog "+dialogID, func(tx *txn, ch *Change) error {
		removed, err := purgeMessages(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM outbox_actions WHERE dialog_id = ?`,
			`DELETE FROM gaps WHERE dialog_id = ?`,
			`DELETE FROM drafts WHERE dialog_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, dialogID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE id = ?`, dialogID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 || len(removed) > 0 {
			ch.addDialog(dialogID)
		}
		for _, id := range removed {
			ch.addMessage(dialogID, id)
		}
		return nil
	})
}

// ClearHistory forgets the cached messages of a dialog (the user cleared its
// history) and the dialog's last message; the dialog itself stays.
func (db *DB) ClearHistory(ctx context.Context, dialogID string) error {
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "clear history of "+dialogID, func(tx *txn, ch *Change) error {
		removed, err := purgeMessages(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		for _, id := range removed {
			ch.addMessage(dialogID, id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gaps WHERE dialog_id = ?`, dialogID); err != nil {
			return err
		}
		d, err := getDialog(ctx, tx, dialogID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		next := *d
		next.LastMessage, next.LastMessageID, next.LastMessageUserID = "", "", 0
		next.LastMessageAt, next.UnreadCount = d.LastMessageAt, 0 // keeps its place in the list
		if dialogsEqual(*d, next) {
			return nil
		}
		ch.addDialog(dialogID)
		return putDialog(ctx, tx, next)
	})
}

// purgeMessages deletes a dialog's messages with their search entries, outbox
// rows and queued actions, and returns their ids.
func purgeMessages(ctx context.Context, tx *txn, dialogID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM messages WHERE dialog_id = ?`, dialogID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// External-content FTS: each entry is removed with the exact text it indexed.
	// A row whose entry is still pending (search_pending.go) has none to remove.
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts, rowid, body)
		SELECT 'delete', pk, CASE WHEN deleted THEN '' ELSE body END FROM messages
		WHERE dialog_id = ? AND pk NOT IN (SELECT pk FROM fts_pending)`, dialogID); err != nil {
		return nil, fmt.Errorf("unindex: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM fts_pending WHERE pk IN (SELECT pk FROM messages WHERE dialog_id = ?)`,
		`DELETE FROM outbox_actions WHERE message_id IN (SELECT id FROM messages WHERE dialog_id = ?)`,
		`DELETE FROM messages WHERE dialog_id = ?`, // outbox rows go by ON DELETE CASCADE
	} {
		if _, err := tx.ExecContext(ctx, q, dialogID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// UnreadTotal is the sum of the visible dialogs' unread counts (the badge), in one
// query: the dialog list must not be decoded again just to add it up.
func (db *DB) UnreadTotal(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(unread_count), 0) FROM dialogs WHERE hidden_at = 0`).Scan(&n)
	if err != nil {
		return 0, db.read("count unread messages", err)
	}
	return n, nil
}
