package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The outbox's confirmation write (MarkSent, MarkSentAll). It is the costliest
// write of the sending side and on the live path it runs while the receiver
// handles the same message (docs/benchmarks.md, issue 10), so it changes only
// what a confirmation can change: state (pending or failed → sent; delivered and
// read stay), last_error (cleared with the state), sent_at (the server's time) and
// arrival (last in the new second when sent_at moves, as updateRanked ranks it).
// Body and deleted never change, so the search index needs nothing. The result is
// that of settleOne with markSent, row for row, without reading, decoding and
// rewriting the whole row.

// confirmSQL is markSent as one UPDATE. ?2 is the server's time in ms, NULL to
// keep the stored one. Only a row that changes is updated and returned, so a
// returned row is what settleOne counts as changed. SET expressions read the row
// as it was: arrival is re-ranked only when sent_at moves, and the subquery reads
// the other rows, which the update leaves alone.
const confirmSQL = `UPDATE messages SET
		state = CASE WHEN state IN ('pending', 'failed') THEN 'sent' ELSE state END,
		last_error = CASE WHEN state IN ('pending', 'failed') THEN '' ELSE last_error END,
		sent_at = COALESCE(?2, sent_at),
		arrival = CASE WHEN sent_at = COALESCE(?2, sent_at) THEN arrival
			ELSE (SELECT COALESCE(MAX(o.arrival), 0) + 1 FROM messages o
				WHERE o.dialog_id = messages.dialog_id AND o.sent_at = ?2 AND o.pk != messages.pk) END
	WHERE id = ?1 AND (state IN ('pending', 'failed') OR sent_at != COALESCE(?2, sent_at))
	RETURNING dialog_id, body, sender_id, sent_at`

// confirmed is a message as confirmSQL left it: what a dialog's last message
// needs of it.
type confirmed struct {
	id, dialogID, body string
	senderID, sentAt   int64
}

// confirmBatch is one confirmation transaction: the messages it changed, by
// dialog, in the order first changed.
type confirmBatch struct {
	ctx     context.Context
	tx      *txn
	ch      *Change
	changed map[string][]confirmed
	order   []string // dialogs
}

func newConfirmBatch(ctx context.Context, tx *txn, ch *Change) *confirmBatch {
	return &confirmBatch{ctx: tx.ctxFor(ctx), tx: tx, ch: ch, changed: map[string][]confirmed{}}
}

// confirm marks one message sent and takes it out of the outbox. False: no such
// message (nothing is written then).
func (b *confirmBatch) confirm(id string, sentAt time.Time) (bool, error) {
	var at any // NULL keeps the stored time
	if !sentAt.IsZero() {
		at = toMillis(sentAt)
	}
	c := confirmed{id: id}
	err := b.tx.QueryRowContext(b.ctx, confirmSQL, id, at).Scan(&c.dialogID, &c.body, &c.senderID,
		&c.sentAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Unchanged (already confirmed at this time) or unknown: only the first
		// still leaves the outbox.
		var n int
		if err := b.tx.QueryRowContext(b.ctx, `SELECT COUNT(*) FROM messages WHERE id = ?`, id).Scan(&n); err != nil {
			return false, fmt.Errorf("message %s: %w", id, err)
		}
		if n == 0 {
			return false, nil
		}
	case err != nil:
		return false, fmt.Errorf("message %s: %w", id, err)
	default:
		b.ch.addMessage(c.dialogID, id)
		b.add(c)
	}
	if _, err := b.tx.ExecContext(b.ctx, `DELETE FROM outbox WHERE message_id = ?`, id); err != nil {
		return true, fmt.Errorf("message %s: leave outbox: %w", id, err)
	}
	return true, nil
}

// add records c as changed in its dialog; a message confirmed twice keeps its
// latest values.
func (b *confirmBatch) add(c confirmed) {
	list, seen := b.changed[c.dialogID]
	if !seen {
		b.order = append(b.order, c.dialogID)
	}
	for i := range list {
		if list[i].id == c.id {
			list[i] = c
			return
		}
	}
	b.changed[c.dialogID] = append(list, c)
}

// refresh keeps the last message of each dialog the batch changed current, as
// refreshLastMessages does: directly when the one message changed in the dialog
// is its last message and still its newest (the live path's case), through
// refreshLastMessages otherwise.
func (b *confirmBatch) refresh() error {
	general := map[string]map[string]bool{}
	for _, dialogID := range b.order {
		list := b.changed[dialogID]
		if len(list) == 1 {
			done, err := b.refreshLastIsNewest(list[0])
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		ids := make(map[string]bool, len(list))
		for _, c := range list {
			ids[c.id] = true
		}
		general[dialogID] = ids
	}
	return refreshLastMessages(b.ctx, b.tx, general, b.ch)
}

// refreshLastIsNewest brings c's dialog up to date when the dialog names c as its
// last message and c is its newest message not deleted (a deleted c never is):
// refreshDialogs then shows c as it is now (and shows a hidden dialog again when c
// is newer than the hiding). True when it settled the dialog (or no such dialog is cached, which
// refreshDialogs skips too); false leaves it to refreshLastMessages.
func (b *confirmBatch) refreshLastIsNewest(c confirmed) (bool, error) {
	var lastID, last string
	var lastAt, lastUser, hiddenAt int64
	var newest bool
	// The newest as lastAndNewest finds it: walked from the end of the dialog, one
	// step when c is there.
	err := b.tx.QueryRowContext(b.ctx, `SELECT last_message_id, last_message, last_message_at,
		last_message_user_id, hidden_at,
		COALESCE((SELECT id FROM messages WHERE dialog_id = d.id AND deleted = 0
			ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT 1) = ?2, 0)
		FROM dialogs d WHERE d.id = ?1`, c.dialogID, c.id).Scan(
		&lastID, &last, &lastAt, &lastUser, &hiddenAt, &newest)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("dialog %s: %w", c.dialogID, err)
	}
	if lastID != c.id || !newest {
		return false, nil
	}
	nextHidden := hiddenAt
	if hiddenAt > 0 && c.sentAt > hiddenAt {
		nextHidden = 0
	}
	if last == c.body && lastAt == c.sentAt && lastUser == c.senderID && nextHidden == hiddenAt {
		return true, nil
	}
	if _, err := b.tx.ExecContext(b.ctx, `UPDATE dialogs SET last_message = ?, last_message_at = ?,
		last_message_user_id = ?, hidden_at = ? WHERE id = ?`,
		c.body, c.sentAt, c.senderID, nextHidden, c.dialogID); err != nil {
		return false, fmt.Errorf("dialog %s: %w", c.dialogID, err)
	}
	b.ch.addDialog(c.dialogID)
	return true, nil
}
