package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// UpsertMessages stores a batch of messages in one transaction, keyed by ID, so
// that live, REST and re-sent copies collapse into one row. The rules of a merge
// are mergeMessage's: the state never moves backwards, a stale edit does not
// overwrite a newer one, local-only columns survive. Each affected dialog's last
// message is brought up to date in the same transaction. It returns how many
// messages were new to the cache. An invalid message rejects the whole batch
// (nothing is written).
func (db *DB) UpsertMessages(ctx context.Context, msgs []Message) (int, error) {
	n, _, err := db.upsertMessages(ctx, msgs, nil)
	return n, err
}

func (db *DB) upsertMessages(ctx context.Context, msgs []Message, listed []Listed) (int, []Second, error) {
	if len(msgs) == 0 && len(listed) == 0 {
		return 0, nil, nil
	}
	for i, m := range msgs {
		if err := validateMessage(m); err != nil {
			return 0, nil, fmt.Errorf("%w (message %d of %d)", err, i+1, len(msgs))
		}
	}
	var inserted int
	var unsure []Second
	err := db.write(ctx, "save messages", func(tx *txn, ch *Change) error {
		inserted, unsure = 0, nil
		fresh := map[string]bool{}              // inserted by this batch
		touched := map[string]map[string]bool{} // dialog → changed message ids
		normal := make([]Message, len(msgs))
		for i, m := range msgs {
			normal[i] = normaliseMessage(m)
		}
		// The new ones go in several rows per statement (messages_bulk.go); the
		// rest are merged one by one below.
		bulk, err := bulkInsert(ctx, tx, normal, db.idx)
		if err != nil {
			return err
		}
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for i, m := range msgs {
			if bulk.inserted[i] {
				inserted++
				fresh[m.ID] = true
				ch.addMessage(m.DialogID, m.ID)
				if touched[m.DialogID] == nil {
					touched[m.DialogID] = map[string]bool{}
				}
				touched[m.DialogID][m.ID] = true
				continue
			}
			isNew, changed, err := w.upsert(m)
			if err != nil {
				return err
			}
			if isNew {
				inserted++
				fresh[m.ID] = true
			}
			if changed {
				ch.addMessage(m.DialogID, m.ID)
				if touched[m.DialogID] == nil {
					touched[m.DialogID] = map[string]bool{}
				}
				touched[m.DialogID][m.ID] = true
			}
		}
		order := bulk.inOrder(normal)
		for _, l := range listed {
			if bulk.ranked(l, order) {
				continue
			}
			sure, err := rerank(ctx, tx, l, fresh, touched, ch)
			if err != nil {
				return err
			}
			// A second split over two pages of the batch is listed twice, the second
			// time in full: the last word counts.
			sec := Second{l.DialogID, l.SentAt}
			unsure = slices.DeleteFunc(unsure, func(u Second) bool { return u == sec })
			if !sure {
				unsure = append(unsure, sec)
			}
		}
		return refreshLastMessages(ctx, tx, touched, ch)
	})
	if err != nil {
		return 0, nil, err
	}
	if inserted > 0 {
		db.wakeIndexer()
	}
	return inserted, unsure, nil
}

// AdvanceStates moves the given messages forward to state (a delivered or read
// marker); messages already further along, and unknown ids, are left alone. It
// returns how many messages changed.
func (db *DB) AdvanceStates(ctx context.Context, ids []string, state MessageState) (int, error) {
	if !state.Valid() {
		return 0, fmt.Errorf("cache: unknown message state %q", state)
	}
	var changed int
	err := db.write(ctx, "update message states", func(tx *txn, ch *Change) error {
		changed = 0
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, id := range ids {
			old, err := w.lookup(id)
			if err != nil {
				return err
			}
			if old == nil {
				continue
			}
			next := old.msg
			next.State = mergeState(old.msg.State, state)
			if next.State != old.msg.State && next.State != StateFailed {
				next.LastError = ""
			}
			ok, err := w.replace(old, next)
			if err != nil {
				return err
			}
			if ok {
				changed++
				ch.addMessage(next.DialogID, id)
			}
		}
		return nil
	})
	return changed, err
}

// refreshLastMessages brings each touched dialog's LastMessage* in line with its
// newest stored message: when that message is newer than the one the dialog
// names, or when the named one itself changed (edited or deleted). Dialogs not
// yet cached are skipped; the next dialog fetch brings them.
func refreshLastMessages(ctx context.Context, tx *txn, touched map[string]map[string]bool, ch *Change) error {
	return refreshDialogs(ctx, tx, touched, nil, ch)
}

// refreshDialogs is refreshLastMessages that also adds unread[dialog] to a touched
// dialog's unread count, in the same UPDATE when its last message changes too
// (StoreLive: one statement less for nearly every live message).
func refreshDialogs(ctx context.Context, tx *txn, touched map[string]map[string]bool, unread map[string]int, ch *Change) error {
	for dialogID, ids := range touched {
		d, newest, lastCached, err := lastAndNewest(ctx, tx, dialogID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("dialog %s: %w", dialogID, err)
		}
		wins := newestWins(newest, d, lastCached)
		next := *d
		switch {
		case newest != nil && (ids[d.LastMessageID] || wins):
			next.LastMessage, next.LastMessageID = newest.Body, newest.ID
			next.LastMessageAt, next.LastMessageUserID = newest.SentAt, newest.SenderID
		case newest == nil && ids[d.LastMessageID]:
			// The last message was deleted and nothing else is cached: show none.
			next.LastMessage = ""
		}
		unhideIfNewer(&next, newest)
		n := unread[dialogID]
		if next.LastMessage == d.LastMessage && next.LastMessageID == d.LastMessageID &&
			next.LastMessageAt.Equal(d.LastMessageAt) && next.LastMessageUserID == d.LastMessageUserID &&
			next.hiddenAt == d.hiddenAt {
			if n > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET unread_count = unread_count + ? WHERE id = ?`,
					n, dialogID); err != nil {
					return fmt.Errorf("dialog %s: count unread: %w", dialogID, err)
				}
				ch.addDialog(dialogID)
			}
			continue
		}
		// Only these columns can differ from the row just read.
		if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET last_message = ?, last_message_id = ?,
			last_message_at = ?, last_message_user_id = ?, hidden_at = ?, unread_count = unread_count + ?
			WHERE id = ?`,
			next.LastMessage, next.LastMessageID, toMillis(next.LastMessageAt), next.LastMessageUserID,
			next.hiddenAt, n, dialogID); err != nil {
			return fmt.Errorf("dialog %s: %w", dialogID, err)
		}
		ch.addDialog(dialogID)
	}
	return nil
}

// lastAndNewest reads, in one query, what refreshLastMessages needs: the
// dialog's last message and hidden mark (without decoding the rest of its row),
// whether the message it names is cached in the second it names (see newestWins),
// and the dialog's newest message not deleted, pending ones included (the user's
// own unsent message leads the dialog list), nil for none. These were three queries
// for every message stored live, whose second is nearly always the last
// message's too (docs/benchmarks.md, issue 10). sql.ErrNoRows for a dialog not
// cached.
func lastAndNewest(ctx context.Context, tx *txn, dialogID string) (d *Dialog, newest *Message, lastCached bool, err error) {
	d = &Dialog{ID: dialogID}
	var at, newestAt int64
	var n Message
	err = tx.QueryRowContext(ctx, `SELECT d.last_message, d.last_message_id, d.last_message_at,
		d.last_message_user_id, d.hidden_at,
		EXISTS (SELECT 1 FROM messages c WHERE c.id = d.last_message_id AND c.dialog_id = d.id
			AND c.sent_at = d.last_message_at),
		COALESCE(n.id, ''), COALESCE(n.body, ''), COALESCE(n.sent_at, 0), COALESCE(n.sender_id, 0)
		FROM dialogs d LEFT JOIN messages n ON n.pk = (SELECT pk FROM messages WHERE dialog_id = d.id
			AND deleted = 0 ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT 1)
		WHERE d.id = ?`, dialogID).Scan(
		&d.LastMessage, &d.LastMessageID, &at, &d.LastMessageUserID, &d.hiddenAt, &lastCached,
		&n.ID, &n.Body, &newestAt, &n.SenderID)
	if err != nil {
		return nil, nil, false, err
	}
	d.LastMessageAt = fromMillis(at)
	d.Hidden = d.hiddenAt > 0
	if n.ID != "" {
		n.DialogID, n.SentAt = dialogID, fromMillis(newestAt)
		newest = &n
	}
	return d, newest, lastCached, nil
}

// newestWins tells whether the dialog's newest cached message should replace the
// last message the dialog names: it is later, or of the same second while the named
// one is cached there too (lastCached: the cache's arrival order then decides, and
// newest is last in it). A same-second message the cache does not hold yet (named
// by the server's copy of the dialog) is compared by id, until its listing ranks it.
func newestWins(newest *Message, d *Dialog, lastCached bool) bool {
	if newest == nil || d.LastMessageID == "" || newest.ID == d.LastMessageID ||
		!newest.SentAt.Equal(d.LastMessageAt) {
		return newest != nil && lastMessageNewer(newest.SentAt, newest.ID, d.LastMessageAt, d.LastMessageID)
	}
	return lastCached || lastMessageNewer(newest.SentAt, newest.ID, d.LastMessageAt, d.LastMessageID)
}
