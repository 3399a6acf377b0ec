package cache

import (
	"context"
	"fmt"
	"time"
)

// EnqueueOutgoing stores a message the user composed as pending, together with
// its outbox row, in one transaction: it shows at once and survives a restart
// until MarkSent. A zero SentAt is set to now. Enqueueing the id of a pending or
// failed message again replaces its content and queues it again (a retry);
// the id of a message the server already has is an error.
func (db *DB) EnqueueOutgoing(ctx context.Context, m Message) error {
	return db.queueComposed(ctx, m, false)
}

// Requeue puts a failed (or still pending) message back in the outbox, for the
// user's retry action. ErrNotFound for an unknown id.
func (db *DB) Requeue(ctx context.Context, id string) error {
	return db.write(ctx, "requeue message "+id, func(tx *txn, ch *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		old, err := w.lookup(id)
		if err != nil {
			return err
		}
		if old == nil {
			return fmt.Errorf("message %s: %w", id, ErrNotFound)
		}
		next := old.msg
		next.State, next.LastError = StatePending, ""
		return enqueue(ctx, tx, w, old, next, false, ch)
	})
}

// enqueue writes m (pending) over old (nil when new) and makes sure it has an
// outbox row; a new row records m as written when written is set (see
// EnqueueWritten).
func enqueue(ctx context.Context, tx *txn, w *messageWriter, old *stored, m Message, written bool, ch *Change) error {
	switch {
	case old == nil:
		if _, err := w.add(m); err != nil {
			return err
		}
	case old.msg.State.Confirmed():
		return fmt.Errorf("message %s is already %s: %w", m.ID, old.msg.State, ErrConfirmed)
	default:
		m.DialogID = old.msg.DialogID // a message never moves to another dialog
		if _, err := w.replace(old, m); err != nil {
			return err
		}
	}
	return enqueued(ctx, tx, m, written, ch)
}

// enqueued completes enqueue once m is stored: its outbox row, the change and its
// dialog's last message.
func enqueued(ctx context.Context, tx *txn, m Message, written bool, ch *Change) error {
	if err := queueRow(ctx, tx, m, written); err != nil {
		return fmt.Errorf("message %s: queue: %w", m.ID, err)
	}
	ch.addMessage(m.DialogID, m.ID)
	return refreshLastMessages(ctx, tx, map[string]map[string]bool{m.DialogID: {m.ID: true}}, ch)
}

// Outbox returns the messages waiting to be sent, in the order they were queued.
func (db *DB) Outbox(ctx context.Context) ([]Message, error) {
	return db.scanMessages(ctx, "read outbox", `SELECT `+messageColsM+` FROM outbox o
		JOIN messages m ON m.id = o.message_id
		WHERE m.state = 'pending' ORDER BY o.seq`)
}

// MarkSent records that the server accepted a queued message: state sent (unless
// a server copy already moved it further), SentAt the server's time when given,
// and no outbox row. ErrNotFound for an unknown id.
func (db *DB) MarkSent(ctx context.Context, id string, sentAt time.Time) error {
	return db.write(ctx, "mark sent "+id, func(tx *txn, ch *Change) error {
		b := newConfirmBatch(ctx, tx, ch, 1)
		found, err := b.confirm(id, sentAt)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("message %s: %w", id, ErrNotFound)
		}
		return b.refresh()
	})
}

// markSent is MarkSent's change to a message.
func markSent(sentAt time.Time) func(*Message) {
	return func(m *Message) {
		m.State = mergeState(m.State, StateSent)
		if !sentAt.IsZero() {
			m.SentAt = fromMillis(toMillis(sentAt))
		}
	}
}

// MarkFailed records that sending a pending message failed for good, with a
// reason for the user; it leaves the outbox until Requeue. A message the server
// already has stays as it is. ErrNotFound for an unknown id.
func (db *DB) MarkFailed(ctx context.Context, id string, reason string) error {
	return db.settle(ctx, id, "mark failed", func(m *Message) {
		if next := mergeState(m.State, StateFailed); next == StateFailed {
			m.State, m.LastError = next, reason
		}
	})
}

// settle applies change to a queued message, removes its outbox row and keeps
// its dialog's last message current.
func (db *DB) settle(ctx context.Context, id, what string, change func(*Message)) error {
	return db.write(ctx, what+" "+id, func(tx *txn, ch *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		touched := map[string]map[string]bool{}
		found, err := settleOne(w, id, change, touched, ch)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("message %s: %w", id, ErrNotFound)
		}
		return refreshLastMessages(ctx, tx, touched, ch)
	})
}

// SentMark is one confirmed message for MarkSentAll: its id and the server's time
// (zero keeps the stored one).
type SentMark struct {
	ID     string
	SentAt time.Time
}

// MarkSentAll is MarkSent for a confirmed batch, in one transaction. Ids no longer
// cached (the dialog was removed meanwhile) are skipped: there is nothing left to
// mark.
func (db *DB) MarkSentAll(ctx context.Context, marks []SentMark) error {
	if len(marks) == 0 {
		return nil
	}
	return db.writeBackground(ctx, fmt.Sprintf("mark %d messages sent", len(marks)), func(tx *txn, ch *Change) error {
		b := newConfirmBatch(ctx, tx, ch, len(marks))
		for _, mk := range marks {
			if _, err := b.confirm(mk.ID, mk.SentAt); err != nil {
				return err
			}
		}
		return b.refresh()
	})
}

// settleOne is settle's change to one message inside a transaction; the dialogs
// whose last message may need refreshing are added to touched. False: unknown id.
func settleOne(w *messageWriter, id string, change func(*Message), touched map[string]map[string]bool, ch *Change) (bool, error) {
	old, err := w.lookup(id)
	if err != nil || old == nil {
		return false, err
	}
	next := old.msg
	change(&next)
	if next.State != old.msg.State && next.State != StateFailed {
		next.LastError = ""
	}
	changed, err := w.replace(old, next)
	if err != nil {
		return true, err
	}
	if !changed || !leavesQueue(old.msg.State, next.State) {
		// replace took it out of the outbox only if it left pending.
		if _, err := w.unqueue.ExecContext(w.ctx, id); err != nil {
			return true, fmt.Errorf("message %s: leave outbox: %w", id, err)
		}
	}
	if !changed {
		return true, nil
	}
	ch.addMessage(next.DialogID, id)
	if touched[next.DialogID] == nil {
		touched[next.DialogID] = map[string]bool{}
	}
	touched[next.DialogID][id] = true
	return true, nil
}
