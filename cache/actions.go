package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Actions are the persistent queue for everything the user does to existing
// messages while the server may be out of reach: edits, deletes, reactions and
// markers. Each is applied to the local rows when queued (an edit shows at once,
// marked EditPending), survives restarts, and is sent once by the engine, which
// then calls DoneAction, FailAction (try again later) or DropAction (the server
// refused: the local effect is undone). New messages keep their own queue
// (EnqueueOutgoing / Outbox): the engine sends Outbox before Actions, so an
// action on a message just sent finds it on the server.

// ActionKind says what a queued action does.
type ActionKind string

// The action kinds.
const (
	ActionEdit      ActionKind = "edit"      // MessageID, Text
	ActionDelete    ActionKind = "delete"    // MessageID, ForEveryone
	ActionReact     ActionKind = "react"     // MessageID, Add and/or Remove
	ActionRead      ActionKind = "read"      // DialogID, MessageIDs (none = the whole dialog)
	ActionDelivered ActionKind = "delivered" // DialogID, MessageIDs
)

// Valid tells whether k is one of the action kinds.
func (k ActionKind) Valid() bool {
	switch k {
	case ActionEdit, ActionDelete, ActionReact, ActionRead, ActionDelivered:
		return true
	}
	return false
}

// Action is one queued action. The fields a kind does not use are empty.
type Action struct {
	ID          int64
	Kind        ActionKind
	DialogID    string
	MessageID   string
	Text        string   // edit: the new text
	ForEveryone bool     // delete: for everyone (force=1), not only for me
	Add, Remove string   // react: the reaction added and/or removed
	MessageIDs  []string // read, delivered
	Attempts    int      // failed tries so far
	LastError   string   // why the last try failed
	CreatedAt   time.Time
}

// actionPayload is the payload column: the kind's arguments and what undoes the
// local effect. The undo data (for a delete, the text) lives only while the
// action is queued.
type actionPayload struct {
	Text        string      `json:"text,omitempty"`
	ForEveryone bool        `json:"for_everyone,omitempty"`
	Add         string      `json:"add,omitempty"`
	Remove      string      `json:"remove,omitempty"`
	MessageIDs  []string    `json:"message_ids,omitempty"`
	Undo        *actionUndo `json:"undo,omitempty"`
}

type actionUndo struct {
	Body        string       `json:"body,omitempty"`
	EditedAt    int64        `json:"edited_at,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Add         string       `json:"add,omitempty"`    // react: re-add the reaction the action removed
	Remove      string       `json:"remove,omitempty"` // react: remove the reaction the action added
}

const actionCols = `id, kind, dialog_id, message_id, payload, attempts, last_error, created_at`

func scanAction(s scanner) (Action, actionPayload, error) {
	var a Action
	var p actionPayload
	var payload string
	var created int64
	if err := s.Scan(&a.ID, &a.Kind, &a.DialogID, &a.MessageID, &payload, &a.Attempts, &a.LastError, &created); err != nil {
		return a, p, err
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return a, p, fmt.Errorf("action %d: payload: %w", a.ID, err)
	}
	a.Text, a.ForEveryone, a.Add, a.Remove, a.MessageIDs = p.Text, p.ForEveryone, p.Add, p.Remove, p.MessageIDs
	a.CreatedAt = fromMillis(created)
	return a, p, nil
}

// Actions returns the queued actions, oldest first (send them in this order).
func (db *DB) Actions(ctx context.Context) ([]Action, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+actionCols+` FROM outbox_actions ORDER BY id`)
	if err != nil {
		return nil, db.read("read actions", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		a, _, err := scanAction(rows)
		if err != nil {
			return nil, db.read("read actions", err)
		}
		out = append(out, a)
	}
	return out, db.read("read actions", rows.Err())
}

func getAction(ctx context.Context, q queryer, id int64) (Action, actionPayload, error) {
	a, p, err := scanAction(q.QueryRowContext(ctx, `SELECT `+actionCols+` FROM outbox_actions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, p, fmt.Errorf("action %d: %w", id, ErrNotFound)
	}
	return a, p, err
}

// DoneAction records that the server accepted a queued action, as sent (read from
// Actions): it leaves the queue, and a confirmed edit is no longer pending. An edit
// the user changed again while it was on its way (EnqueueAction folds a new edit into
// the queued one) stays queued with the newer text, still pending: the server has
// only the text sent. ErrNotFound for an unknown id.
func (db *DB) DoneAction(ctx context.Context, sent Action) error {
	return db.write(ctx, fmt.Sprintf("finish action %d", sent.ID), func(tx *txn, ch *Change) error {
		queued, _, err := getAction(ctx, tx, sent.ID)
		if err != nil {
			return err
		}
		if queued.Kind == ActionEdit && queued.Text != sent.Text {
			return nil
		}
		a, _, err := takeAction(ctx, tx, sent.ID, ch)
		if err != nil || a.Kind != ActionEdit {
			return err
		}
		return editQueuedMessage(ctx, tx, a.MessageID, ch, func(m *Message) { m.EditPending = false })
	})
}

// FailAction records a failed try (offline, timeout, server error): the action
// stays queued for the next connection, with its attempts counted and the
// reason kept. ErrNotFound for an unknown id.
func (db *DB) FailAction(ctx context.Context, id int64, reason string) error {
	return db.write(ctx, fmt.Sprintf("record failure of action %d", id), func(tx *txn, ch *Change) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox_actions SET attempts = attempts + 1, last_error = ? WHERE id = ?`,
			reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("action %d: %w", id, ErrNotFound)
		}
		ch.Actions = true
		return nil
	})
}

// DropAction gives a queued action up (the server refused it, or the user
// cancelled): it leaves the queue and its local effect is undone — an edit
// shows the previous text again, a deleted message comes back, a reaction is
// reverted; markers stay. It returns the dropped action, with reason as its
// LastError, so the user can be told (and an edit's text offered again).
// ErrNotFound for an unknown id.
func (db *DB) DropAction(ctx context.Context, id int64, reason string) (*Action, error) {
	var dropped Action
	err := db.write(ctx, fmt.Sprintf("drop action %d", id), func(tx *txn, ch *Change) error {
		a, p, err := takeAction(ctx, tx, id, ch)
		if err != nil {
			return err
		}
		a.LastError = reason
		dropped = a
		return undoAction(ctx, tx, a, p, ch)
	})
	if err != nil {
		return nil, err
	}
	return &dropped, nil
}

// takeAction reads and deletes a queued action.
func takeAction(ctx context.Context, tx *txn, id int64, ch *Change) (Action, actionPayload, error) {
	a, p, err := getAction(ctx, tx, id)
	if err != nil {
		return a, p, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_actions WHERE id = ?`, id); err != nil {
		return a, p, err
	}
	ch.Actions = true
	return a, p, nil
}

// undoAction reverts the local effect of a dropped action.
func undoAction(ctx context.Context, tx *txn, a Action, p actionPayload, ch *Change) error {
	u := p.Undo
	if u == nil {
		return nil
	}
	switch a.Kind {
	case ActionEdit:
		return editQueuedMessage(ctx, tx, a.MessageID, ch, func(m *Message) {
			if m.EditPending && m.Body == a.Text { // not overtaken by another edit
				m.Body, m.EditedAt = u.Body, fromMillis(u.EditedAt)
			}
			m.EditPending = false
		})
	case ActionDelete:
		return editQueuedMessage(ctx, tx, a.MessageID, ch, func(m *Message) {
			m.Deleted, m.Body, m.Attachments = false, u.Body, u.Attachments
		})
	case ActionReact:
		me, err := tx.accountUserID(ctx)
		if err != nil || me == 0 || (u.Add == "" && u.Remove == "") {
			return err
		}
		return editQueuedMessage(ctx, tx, a.MessageID, ch, func(m *Message) {
			m.Reactions = applyReaction(m.Reactions, me, u.Add, u.Remove)
		})
	}
	return nil
}

// editQueuedMessage changes the message an action is about; a message that is
// gone (its dialog was removed) is skipped.
func editQueuedMessage(ctx context.Context, tx *txn, id string, ch *Change, change func(*Message)) error {
	w, err := newMessageWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	_, err = editStored(ctx, tx, w, id, ch, func(m *Message) (bool, error) {
		change(m)
		return false, nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
