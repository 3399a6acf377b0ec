package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// queryer is what both the read pool and a write transaction offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

const dialogCols = `id, type, name, photo, owner_id, occupant_ids, admin_ids, last_message,
	last_message_id, last_message_at, last_message_user_id, unread_count, muted, updated_at,
	description, occupants_count, pinned_message_ids, extensions, allow_preview, subscribed,
	notifications_enabled, hidden_at`

func scanDialog(s scanner) (Dialog, error) {
	var d Dialog
	var occupants, admins, pinned, extensions string
	var lastAt, updated int64
	err := s.Scan(&d.ID, &d.Type, &d.Name, &d.Photo, &d.OwnerID, &occupants, &admins, &d.LastMessage,
		&d.LastMessageID, &lastAt, &d.LastMessageUserID, &d.UnreadCount, &d.Muted, &updated,
		&d.Description, &d.OccupantsCount, &pinned, &extensions, &d.AllowPreview, &d.Subscribed,
		&d.NotificationsEnabled, &d.hiddenAt)
	if err != nil {
		return d, err
	}
	if d.OccupantIDs, err = decodeJSON[int64](occupants); err != nil {
		return d, fmt.Errorf("dialog %s: occupant ids: %w", d.ID, err)
	}
	if d.AdminIDs, err = decodeJSON[int64](admins); err != nil {
		return d, fmt.Errorf("dialog %s: admin ids: %w", d.ID, err)
	}
	if d.PinnedMessageIDs, err = decodeJSON[string](pinned); err != nil {
		return d, fmt.Errorf("dialog %s: pinned message ids: %w", d.ID, err)
	}
	if d.Extensions, err = decodeStringMap(extensions); err != nil {
		return d, fmt.Errorf("dialog %s: extensions: %w", d.ID, err)
	}
	d.LastMessageAt, d.UpdatedAt = fromMillis(lastAt), fromMillis(updated)
	d.Hidden = d.hiddenAt > 0
	return d, nil
}

func getDialog(ctx context.Context, q queryer, id string) (*Dialog, error) {
	d, err := scanDialog(q.QueryRowContext(ctx, `SELECT `+dialogCols+` FROM dialogs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Dialog returns one dialog, or ErrNotFound.
func (db *DB) Dialog(ctx context.Context, id string) (*Dialog, error) {
	d, err := getDialog(ctx, db.r, id)
	if err != nil {
		return nil, db.read("read dialog "+id, err)
	}
	return d, nil
}

// Dialogs returns every dialog, the most recent activity (last message, else
// last update) first.
func (db *DB) Dialogs(ctx context.Context) ([]Dialog, error) {
	return db.queryDialogs(ctx, "read dialogs", `SELECT `+dialogCols+` FROM dialogs `+listOrder)
}

// UpsertDialogs stores dialogs from the server in one transaction. It keeps the
// fields a server copy does not carry (Muted, NotificationsEnabled, Hidden, and
// Subscribed unless the copy sets it) and keeps a cached last message that is
// newer than the one in the given copy (a live message may have overtaken the
// REST answer). A new dialog starts with notifications enabled.
func (db *DB) UpsertDialogs(ctx context.Context, dialogs []Dialog) error {
	if len(dialogs) == 0 {
		return nil
	}
	for i, d := range dialogs {
		if d.ID == "" {
			return fmt.Errorf("cache: dialog %d of %d has no id", i+1, len(dialogs))
		}
	}
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "save dialogs", func(tx *txn, ch *Change) error {
		for _, in := range dialogs {
			in = normaliseDialog(in)
			old, err := getDialog(ctx, tx, in.ID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("dialog %s: %w", in.ID, err)
			}
			merged := in
			merged.NotificationsEnabled, merged.Hidden, merged.hiddenAt = true, false, 0
			if old != nil {
				merged = mergeDialog(*old, in)
				if err := keepLaterInSecond(ctx, tx, *old, &merged); err != nil {
					return fmt.Errorf("dialog %s: last message: %w", in.ID, err)
				}
				if dialogsEqual(*old, merged) {
					continue
				}
			}
			if err := putDialog(ctx, tx, merged); err != nil {
				return fmt.Errorf("dialog %s: %w", in.ID, err)
			}
			ch.addDialog(in.ID)
		}
		return nil
	})
}

// mergeDialog is the server copy in over the cached old.
func mergeDialog(old, in Dialog) Dialog {
	out := in
	out.Muted, out.NotificationsEnabled = old.Muted, old.NotificationsEnabled
	out.Hidden, out.hiddenAt = old.Hidden, old.hiddenAt
	out.Subscribed = old.Subscribed || in.Subscribed
	if !lastMessageNewer(in.LastMessageAt, in.LastMessageID, old.LastMessageAt, old.LastMessageID) {
		out.LastMessage, out.LastMessageID = old.LastMessage, old.LastMessageID
		out.LastMessageAt, out.LastMessageUserID = old.LastMessageAt, old.LastMessageUserID
	}
	return out
}

// keepLaterInSecond settles a server copy that names another last message of the
// same second as the cached dialog: when the cache holds both, the one it ranks later
// (arrival.go) stays, whatever their ids; the server's copy may predate a live
// message of that second, and a listing has ranked what the cache holds.
func keepLaterInSecond(ctx context.Context, tx *txn, old Dialog, merged *Dialog) error {
	if old.LastMessageID == "" || merged.LastMessageID == "" || old.LastMessageID == merged.LastMessageID ||
		!old.LastMessageAt.Equal(merged.LastMessageAt) {
		return nil
	}
	var later string
	err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE id IN (?, ?) AND dialog_id = ? AND sent_at = ?
		ORDER BY arrival DESC, id DESC LIMIT 1`, old.LastMessageID, merged.LastMessageID, old.ID,
		toMillis(old.LastMessageAt)).Scan(&later)
	if errors.Is(err, sql.ErrNoRows) || err == nil && later == merged.LastMessageID {
		return nil
	}
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE id = ? AND dialog_id = ? AND sent_at = ?`,
		merged.LastMessageID, old.ID, toMillis(old.LastMessageAt)).Scan(&n); err != nil || n == 0 {
		return err // the server names one the cache does not hold: it knows better
	}
	merged.LastMessage, merged.LastMessageID = old.LastMessage, old.LastMessageID
	merged.LastMessageAt, merged.LastMessageUserID = old.LastMessageAt, old.LastMessageUserID
	return nil
}

// lastMessageNewer tells whether message (at, id) should replace (oldAt, oldID) as
// a dialog's last message: later, or the same second and an id not smaller
// (ObjectIds grow with time; the same id is a newer copy of the same message).
func lastMessageNewer(at time.Time, id string, oldAt time.Time, oldID string) bool {
	if id == "" {
		return oldID == ""
	}
	if oldID == "" || at.After(oldAt) {
		return true
	}
	return at.Equal(oldAt) && id >= oldID
}

// normaliseDialog rounds times to the cache's millisecond precision and reads
// empty lists and maps as absent, so that an unchanged copy compares equal to
// the stored one.
func normaliseDialog(d Dialog) Dialog {
	d.LastMessageAt = fromMillis(toMillis(d.LastMessageAt))
	d.UpdatedAt = fromMillis(toMillis(d.UpdatedAt))
	if len(d.OccupantIDs) == 0 {
		d.OccupantIDs = nil
	}
	if len(d.AdminIDs) == 0 {
		d.AdminIDs = nil
	}
	if len(d.PinnedMessageIDs) == 0 {
		d.PinnedMessageIDs = nil
	}
	if len(d.Extensions) == 0 {
		d.Extensions = nil
	}
	return d
}

func dialogsEqual(a, b Dialog) bool {
	return a.ID == b.ID && a.Type == b.Type && a.Name == b.Name && a.Description == b.Description &&
		a.Photo == b.Photo && a.OwnerID == b.OwnerID && slices.Equal(a.OccupantIDs, b.OccupantIDs) &&
		a.OccupantsCount == b.OccupantsCount && slices.Equal(a.AdminIDs, b.AdminIDs) &&
		slices.Equal(a.PinnedMessageIDs, b.PinnedMessageIDs) && maps.Equal(a.Extensions, b.Extensions) &&
		a.AllowPreview == b.AllowPreview && a.LastMessage == b.LastMessage &&
		a.LastMessageID == b.LastMessageID && a.LastMessageAt.Equal(b.LastMessageAt) &&
		a.LastMessageUserID == b.LastMessageUserID && a.UnreadCount == b.UnreadCount &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.Muted == b.Muted && a.Subscribed == b.Subscribed &&
		a.NotificationsEnabled == b.NotificationsEnabled && a.hiddenAt == b.hiddenAt
}

// putDialog writes a whole dialog row. Its callers end with db.notify.changed(),
// as does every write of a dialog's name, type, mute settings or existence, or of
// a user's names: NotifyFacts memoises them in between (notify_facts.go).
func putDialog(ctx context.Context, tx *txn, d Dialog) error {
	pinned, err := encodeJSON(d.PinnedMessageIDs)
	if err != nil {
		return err
	}
	extensions, err := encodeStringMap(d.Extensions)
	if err != nil {
		return err
	}
	if pinned == "" {
		pinned = "[]"
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO dialogs (`+dialogCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Type, d.Name, d.Photo, d.OwnerID, encodeIDs(d.OccupantIDs), encodeIDs(d.AdminIDs),
		d.LastMessage, d.LastMessageID, toMillis(d.LastMessageAt), d.LastMessageUserID,
		d.UnreadCount, boolInt(d.Muted), toMillis(d.UpdatedAt),
		d.Description, d.OccupantsCount, pinned, extensions, boolInt(d.AllowPreview),
		boolInt(d.Subscribed), boolInt(d.NotificationsEnabled), d.hiddenAt)
	return err
}

// SetUnread sets a dialog's unread count (ErrNotFound for an unknown dialog).
func (db *DB) SetUnread(ctx context.Context, dialogID string, n int) error {
	if n < 0 {
		return fmt.Errorf("cache: negative unread count %d for dialog %s", n, dialogID)
	}
	return db.setDialogField(ctx, dialogID, "unread_count", n)
}

// SetMuted sets the local-only muted flag of a dialog (ErrNotFound for an unknown dialog).
func (db *DB) SetMuted(ctx context.Context, dialogID string, muted bool) error {
	return db.setDialogField(ctx, dialogID, "muted", boolInt(muted))
}

// setDialogField updates one integer column; column is a constant of this file.
func (db *DB) setDialogField(ctx context.Context, dialogID, column string, value int) error {
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "update dialog "+dialogID, func(tx *txn, ch *Change) error {
		var current int
		err := tx.QueryRowContext(ctx, `SELECT `+column+` FROM dialogs WHERE id = ?`, dialogID).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("dialog %s: %w", dialogID, ErrNotFound)
		}
		if err != nil || current == value {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET `+column+` = ? WHERE id = ?`, value, dialogID); err != nil {
			return err
		}
		ch.addDialog(dialogID)
		return nil
	})
}
