package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// EnqueueAction queues an action and applies it to the local rows in the same
// transaction, so the UI shows its effect at once and a restart loses nothing.
// It returns the queued action's id, or 0 when there is nothing to send:
//   - an edit or delete of a message no chat stream has carried yet (pending and
//     never written, or failed) changes or removes it locally, and Outbox sends
//     the result; a pending message already written (MarkWritten) may be on the
//     server, so its edit or delete is queued like any other, behind it;
//   - deleting a message already deleted does nothing.
//
// A second edit of a message whose edit is still queued replaces that edit's
// text (one edit is sent); a read of a whole dialog replaces the read actions
// queued for it. Edits and deletes of unknown messages give ErrNotFound; only
// the account's own messages can be edited; reactions and markers need a
// stored account (they are the account user's).
func (db *DB) EnqueueAction(ctx context.Context, a Action) (int64, error) {
	if err := validateAction(a); err != nil {
		return 0, err
	}
	var id int64
	err := db.write(ctx, "queue "+string(a.Kind), func(tx *txn, ch *Change) error {
		me, err := tx.accountUserID(ctx)
		if err != nil {
			return err
		}
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		q := &actionQueue{ctx: ctx, tx: tx, w: w, ch: ch, me: me}
		switch a.Kind {
		case ActionEdit:
			id, err = q.edit(a)
		case ActionDelete:
			id, err = q.delete(a)
		case ActionReact:
			id, err = q.react(a)
		default:
			id, err = q.markers(a)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func validateAction(a Action) error {
	switch {
	case !a.Kind.Valid():
		return fmt.Errorf("cache: unknown action kind %q", a.Kind)
	case (a.Kind == ActionEdit || a.Kind == ActionDelete || a.Kind == ActionReact) && a.MessageID == "":
		return fmt.Errorf("cache: %s action has no message id", a.Kind)
	case a.Kind == ActionEdit && a.Text == "":
		return errors.New("cache: an edit to empty text would erase the message; delete it instead")
	case a.Kind == ActionReact && a.Add == "" && a.Remove == "":
		return errors.New("cache: reaction action adds and removes nothing")
	case (a.Kind == ActionRead || a.Kind == ActionDelivered) && a.DialogID == "":
		return fmt.Errorf("cache: %s action has no dialog id", a.Kind)
	case a.Kind == ActionDelivered && len(a.MessageIDs) == 0:
		return errors.New("cache: delivered action names no messages")
	}
	return nil
}

// actionQueue is one EnqueueAction transaction.
type actionQueue struct {
	ctx context.Context
	tx  *txn
	w   *messageWriter
	ch  *Change
	me  int64 // the account's user id, 0 without one
}

func (q *actionQueue) edit(a Action) (int64, error) {
	old, err := q.message(a.MessageID)
	if err != nil {
		return 0, err
	}
	switch {
	case old.msg.Deleted:
		return 0, fmt.Errorf("cache: message %s was deleted and cannot be edited", a.MessageID)
	case q.me != 0 && old.msg.SenderID != q.me:
		return 0, fmt.Errorf("cache: message %s is not yours to edit", a.MessageID)
	}
	local, err := q.onlyLocal(old)
	if err != nil {
		return 0, err
	}
	if local {
		// Never written: the queued message itself carries the new text.
		_, _, err := editRow(q.ctx, q.tx, q.w, old, q.ch, func(m *Message) (bool, error) {
			m.Body = a.Text
			return true, nil
		})
		return 0, err
	}
	// The edit's time must sort after the stored one, or a server copy of the
	// unedited message would count as newer.
	editedAt := max(time.Now().UnixMilli(), toMillis(old.msg.EditedAt)+1)
	if _, _, err := editRow(q.ctx, q.tx, q.w, old, q.ch, func(m *Message) (bool, error) {
		m.Body, m.EditedAt, m.EditPending = a.Text, fromMillis(editedAt), true
		return true, nil
	}); err != nil {
		return 0, err
	}
	queued, p, err := q.queuedEdit(a.MessageID)
	if err != nil || queued != 0 {
		if err == nil {
			p.Text = a.Text
			err = q.setPayload(queued, p)
		}
		return queued, err
	}
	return q.insert(a, old.msg.DialogID, actionPayload{Text: a.Text,
		Undo: &actionUndo{Body: old.msg.Body, EditedAt: toMillis(old.msg.EditedAt)}})
}

func (q *actionQueue) delete(a Action) (int64, error) {
	old, err := q.message(a.MessageID)
	if err != nil || old.msg.Deleted {
		return 0, err
	}
	local, err := q.onlyLocal(old)
	if err != nil {
		return 0, err
	}
	if local {
		return 0, q.forget(old)
	}
	if _, _, err := editRow(q.ctx, q.tx, q.w, old, q.ch, func(m *Message) (bool, error) {
		m.Deleted = true
		return true, nil
	}); err != nil {
		return 0, err
	}
	return q.insert(a, old.msg.DialogID, actionPayload{ForEveryone: a.ForEveryone,
		Undo: &actionUndo{Body: old.msg.Body, Attachments: old.msg.Attachments}})
}

func (q *actionQueue) react(a Action) (int64, error) {
	if q.me == 0 {
		return 0, errors.New("cache: no signed-in account to react as")
	}
	old, err := q.message(a.MessageID)
	if err != nil {
		return 0, err
	}
	mine := old.msg.ReactionsOf(q.me)
	undo := &actionUndo{}
	if a.Remove != "" && slices.Contains(mine, a.Remove) {
		undo.Add = a.Remove
	}
	if a.Add != "" && !slices.Contains(mine, a.Add) && a.Add != undo.Add {
		undo.Remove = a.Add
	}
	if _, _, err := editRow(q.ctx, q.tx, q.w, old, q.ch, func(m *Message) (bool, error) {
		m.Reactions = applyReaction(m.Reactions, q.me, a.Add, a.Remove)
		return false, nil
	}); err != nil {
		return 0, err
	}
	return q.insert(a, old.msg.DialogID, actionPayload{Add: a.Add, Remove: a.Remove, Undo: undo})
}

func (q *actionQueue) markers(a Action) (int64, error) {
	if q.me == 0 {
		return 0, fmt.Errorf("cache: no signed-in account to send %s markers as", a.Kind)
	}
	kind := MarkerDelivered
	if a.Kind == ActionRead {
		kind = MarkerRead
	}
	state, _ := kind.state()
	set := MarkerSet{DialogID: a.DialogID, UserID: q.me, Kind: kind}
	for _, id := range a.MessageIDs {
		if _, err := addMarker(q.ctx, q.tx, q.ch, set, id, q.me, state); err != nil {
			return 0, err
		}
	}
	if a.Kind == ActionRead && len(a.MessageIDs) == 0 {
		// Reading the whole dialog covers every read queued for it.
		if _, err := q.tx.ExecContext(q.ctx, `DELETE FROM outbox_actions WHERE kind = ? AND dialog_id = ?`,
			ActionRead, a.DialogID); err != nil {
			return 0, err
		}
		res, err := q.tx.ExecContext(q.ctx, `UPDATE dialogs SET unread_count = 0 WHERE id = ? AND unread_count != 0`, a.DialogID)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			q.ch.addDialog(a.DialogID)
		}
	}
	return q.insert(a, a.DialogID, actionPayload{MessageIDs: a.MessageIDs})
}

// onlyLocal tells whether a message exists only here: not confirmed, and never
// written to a chat stream (MarkWritten). Only such a message may be changed or
// removed without telling the server.
func (q *actionQueue) onlyLocal(old *stored) (bool, error) {
	if old.msg.State.Confirmed() {
		return false, nil
	}
	written, err := writtenOnce(q.ctx, q.tx, old.msg.ID)
	return !written, err
}

// message looks a message up for an action; ErrNotFound when it is not cached.
func (q *actionQueue) message(id string) (*stored, error) {
	old, err := q.w.lookup(id)
	if err == nil && old == nil {
		err = fmt.Errorf("message %s: %w", id, ErrNotFound)
	}
	return old, err
}

// forget removes a message the server never had, with its search entry,
// outbox row and any actions queued on it.
func (q *actionQueue) forget(old *stored) error {
	m := old.msg
	if err := q.w.unindex(old.pk, old.row.indexedText()); err != nil {
		return fmt.Errorf("message %s: unindex: %w", m.ID, err)
	}
	for _, stmt := range []string{
		`DELETE FROM outbox_actions WHERE message_id = ?`,
		`DELETE FROM messages WHERE id = ?`, // the outbox row goes by ON DELETE CASCADE
	} {
		if _, err := q.tx.ExecContext(q.ctx, stmt, m.ID); err != nil {
			return fmt.Errorf("message %s: %w", m.ID, err)
		}
	}
	q.ch.addMessage(m.DialogID, m.ID)
	return refreshLastMessages(q.ctx, q.tx, map[string]map[string]bool{m.DialogID: {m.ID: true}}, q.ch)
}

// queuedEdit finds the edit already queued for a message (0 when none).
func (q *actionQueue) queuedEdit(messageID string) (int64, actionPayload, error) {
	var id int64
	err := q.tx.QueryRowContext(q.ctx, `SELECT id FROM outbox_actions WHERE kind = ? AND message_id = ?
		ORDER BY id LIMIT 1`, ActionEdit, messageID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, actionPayload{}, nil
	}
	if err != nil {
		return 0, actionPayload{}, err
	}
	_, p, err := getAction(q.ctx, q.tx, id)
	return id, p, err
}

func (q *actionQueue) setPayload(id int64, p actionPayload) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.tx.ExecContext(q.ctx, `UPDATE outbox_actions SET payload = ? WHERE id = ?`, string(payload), id)
	q.ch.Actions = true
	return err
}

func (q *actionQueue) insert(a Action, dialogID string, p actionPayload) (int64, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("%s action: payload: %w", a.Kind, err)
	}
	res, err := q.tx.ExecContext(q.ctx, `INSERT INTO outbox_actions (kind, dialog_id, message_id, payload, created_at)
		VALUES (?, ?, ?, ?, ?)`, a.Kind, dialogID, a.MessageID, string(payload), time.Now().UnixMilli())
	if err != nil {
		return 0, err
	}
	q.ch.Actions = true
	return res.LastInsertId()
}
