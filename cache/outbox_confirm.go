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
//
// RETURNING reads the row as it is now, and its subquery the table after this
// one-row update: when ?3 is set, it says what the message's dialog needs (see
// lastAction), in the same statement, for the live path's case where the confirmed
// message is the dialog's last message. A confirmation changes messages of its own
// dialog only, so the answer holds at the end of the batch for a dialog in which it
// changed this one message alone. A batch of several leaves ?3 unset (1, general):
// its messages are mostly of one dialog, refreshed once at the end.
const confirmSQL = `UPDATE messages SET
		state = CASE WHEN state IN ('pending', 'failed') THEN 'sent' ELSE state END,
		last_error = CASE WHEN state IN ('pending', 'failed') THEN '' ELSE last_error END,
		sent_at = COALESCE(?2, sent_at),
		arrival = CASE WHEN sent_at = COALESCE(?2, sent_at) THEN arrival
			ELSE (SELECT COALESCE(MAX(o.arrival), 0) + 1 FROM messages o
				WHERE o.dialog_id = messages.dialog_id AND o.sent_at = ?2 AND o.pk != messages.pk) END
	WHERE id = ?1 AND (state IN ('pending', 'failed') OR sent_at != COALESCE(?2, sent_at))
	RETURNING dialog_id, body, sender_id, sent_at, CASE WHEN ?3 THEN
		(SELECT CASE
			WHEN d.last_message_id != messages.id OR COALESCE((SELECT n.id FROM messages n
				WHERE n.dialog_id = d.id AND n.deleted = 0
				ORDER BY n.sent_at DESC, n.arrival DESC, n.id DESC LIMIT 1), '') != messages.id
				THEN 1
			WHEN d.last_message = messages.body AND d.last_message_at = messages.sent_at
				AND d.last_message_user_id = messages.sender_id
				AND NOT (d.hidden_at > 0 AND messages.sent_at > d.hidden_at) THEN 0
			ELSE 2 END
		FROM dialogs d WHERE d.id = messages.dialog_id) ELSE 1 END`

// lastAction is what a confirmed message's dialog needs, as refreshDialogs would
// find it, when the dialog names the message as its last message and the message
// is the dialog's newest not deleted (the newest is what lastAndNewest finds,
// walked from the end of the dialog: one step when the message is there).
type lastAction int

const (
	lastNoDialog lastAction = iota // not cached: refreshDialogs skips it too
	lastCurrent                    // it already shows the message as it is now
	lastGeneral                    // another message is or may become last: refreshLastMessages
	lastFollow                     // show the message as it is now (and a hidden dialog again when newer)
)

// confirmed is a message as confirmSQL left it: what a dialog's last message
// needs of it.
type confirmed struct {
	id, dialogID, body string
	senderID, sentAt   int64
	last               lastAction
}

// confirmBatch is one confirmation transaction: the messages it changed, by
// dialog, in the order first changed.
type confirmBatch struct {
	decide  bool // ask confirmSQL what each message's dialog needs: a batch of one
	ctx     context.Context
	tx      *txn
	ch      *Change
	changed map[string][]confirmed
	order   []string // dialogs
}

func newConfirmBatch(ctx context.Context, tx *txn, ch *Change, size int) *confirmBatch {
	return &confirmBatch{decide: size == 1, ctx: tx.ctxFor(ctx), tx: tx, ch: ch, changed: map[string][]confirmed{}}
}

// confirm marks one message sent and takes it out of the outbox. False: no such
// message (nothing is written then).
func (b *confirmBatch) confirm(id string, sentAt time.Time) (bool, error) {
	var at any // NULL keeps the stored time
	if !sentAt.IsZero() {
		at = toMillis(sentAt)
	}
	c := confirmed{id: id}
	var last sql.NullInt64
	err := b.tx.QueryRowContext(b.ctx, confirmSQL, id, at, b.decide).Scan(&c.dialogID, &c.body, &c.senderID,
		&c.sentAt, &last)
	if last.Valid {
		c.last = []lastAction{lastCurrent, lastGeneral, lastFollow}[last.Int64]
	}
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
		if len(list) == 1 && list[0].last != lastGeneral {
			if err := b.follow(list[0]); err != nil {
				return err
			}
			continue
		}
		ids := make(map[string]bool, len(list))
		for _, c := range list {
			ids[c.id] = true
		}
		general[dialogID] = ids
	}
	return refreshLastMessages(b.ctx, b.tx, general, b.ch)
}

// follow shows c as its dialog's last message when lastFollow, as refreshDialogs
// does: its text, time and sender, and a hidden dialog again when c is newer than
// the hiding (unhideIfNewer).
func (b *confirmBatch) follow(c confirmed) error {
	if c.last != lastFollow {
		return nil
	}
	if _, err := b.tx.ExecContext(b.ctx, `UPDATE dialogs SET last_message = ?1, last_message_at = ?2,
		last_message_user_id = ?3, hidden_at = CASE WHEN hidden_at > 0 AND ?2 > hidden_at THEN 0 ELSE hidden_at END
		WHERE id = ?4`, c.body, c.sentAt, c.senderID, c.dialogID); err != nil {
		return fmt.Errorf("dialog %s: %w", c.dialogID, err)
	}
	b.ch.addDialog(c.dialogID)
	return nil
}
