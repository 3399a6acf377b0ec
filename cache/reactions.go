package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// SetReactions replaces a message's reactions with the server's list (GET
// /chat/Message/{id}/reactions: emoji → user ids). ErrNotFound for an unknown
// message.
func (db *DB) SetReactions(ctx context.Context, messageID string, reactions map[string][]int64) error {
	if err := validateReactions(reactions); err != nil {
		return err
	}
	return db.editMessage(ctx, "set reactions of "+messageID, messageID, func(m *Message) (bool, error) {
		m.Reactions = normaliseReactions(reactions)
		return false, nil
	})
}

// ApplyReaction records a reaction event: userID added the reaction add and/or
// removed the reaction remove ("" = none), as the live <reactions> stanza and
// PUT …/reactions say. Applying the same event twice changes nothing.
// ErrNotFound for an unknown message (an event for history not cached).
func (db *DB) ApplyReaction(ctx context.Context, messageID string, userID int64, add, remove string) error {
	if userID == 0 {
		return fmt.Errorf("cache: reaction to %s has no user", messageID)
	}
	if add == "" && remove == "" {
		return fmt.Errorf("cache: reaction to %s adds and removes nothing", messageID)
	}
	return db.editMessage(ctx, "react to "+messageID, messageID, func(m *Message) (bool, error) {
		m.Reactions = applyReaction(m.Reactions, userID, add, remove)
		return false, nil
	})
}

// applyReaction returns reactions with userID taken out of remove's list and
// put into add's; the argument is not modified.
func applyReaction(reactions map[string][]int64, userID int64, add, remove string) map[string][]int64 {
	out := make(map[string][]int64, len(reactions)+1)
	for emoji, users := range reactions {
		out[emoji] = slices.Clone(users)
	}
	if remove != "" {
		out[remove] = slices.DeleteFunc(out[remove], func(id int64) bool { return id == userID })
	}
	if add != "" {
		out[add] = unionIDs(out[add], []int64{userID})
	}
	return normaliseReactions(out)
}

// editMessage runs change on one stored message in a write transaction and
// writes the result. change reports whether the message's content or state
// changed (beyond reactions and markers, which are compared here); the change
// feed then names the message in the fitting kinds. ErrNotFound for an
// unknown id.
func (db *DB) editMessage(ctx context.Context, what, id string, change func(*Message) (bool, error)) error {
	return db.write(ctx, what, func(tx *txn, ch *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		_, err = editStored(ctx, tx, w, id, ch, change)
		return err
	})
}

// editStored is editMessage inside a transaction; it returns the message as
// written.
func editStored(ctx context.Context, tx *txn, w *messageWriter, id string, ch *Change,
	change func(*Message) (bool, error)) (*Message, error) {
	old, err := w.lookup(id)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, fmt.Errorf("message %s: %w", id, ErrNotFound)
	}
	next, _, err := editRow(ctx, tx, w, old, ch, change)
	return next, err
}

// editRow applies change to the stored row old and writes it; it returns the
// message as written and whether the row changed.
func editRow(ctx context.Context, tx *txn, w *messageWriter, old *stored, ch *Change,
	change func(*Message) (bool, error)) (*Message, bool, error) {
	id := old.msg.ID
	next := old.msg
	content, err := change(&next)
	if err != nil {
		return nil, false, err
	}
	next = normaliseMessage(next)
	written, err := w.replace(old, next)
	if err != nil || !written {
		return &next, false, err
	}
	row, _ := encodeMessage(next) // replace has just encoded it without error
	if row.reactions != old.row.reactions {
		ch.addReaction(next.DialogID, id)
	}
	if row.delivered != old.row.delivered || row.read != old.row.read {
		ch.addMarker(next.DialogID, id)
	}
	if content || row.state != old.row.state || row.body != old.row.body ||
		row.attachments != old.row.attachments || row.custom != old.row.custom ||
		row.deleted != old.row.deleted || row.editPending != old.row.editPending ||
		row.editedAt != old.row.editedAt || row.silent != old.row.silent || row.sentAt != old.row.sentAt {
		ch.addMessage(next.DialogID, id)
	}
	// Only what a dialog row shows of its last message needs that row refreshed
	// (a state change does not: skipping it keeps a 500-marker batch cheap).
	if row.body != old.row.body || row.deleted != old.row.deleted || row.sentAt != old.row.sentAt {
		return &next, true, refreshLastMessages(ctx, tx, map[string]map[string]bool{next.DialogID: {id: true}}, ch)
	}
	return &next, true, nil
}

// validateReactions rejects reactions that cannot be stored meaningfully.
func validateReactions(reactions map[string][]int64) error {
	for emoji, users := range reactions {
		if emoji == "" {
			return errors.New("cache: a reaction has no emoji")
		}
		if slices.Contains(users, 0) {
			return fmt.Errorf("cache: reaction %q lists user 0", emoji)
		}
	}
	return nil
}

// normaliseReactions sorts each user list, drops repeats and empty lists; an
// empty result is nil.
func normaliseReactions(reactions map[string][]int64) map[string][]int64 {
	var out map[string][]int64
	for emoji, users := range reactions {
		users = unionIDs(nil, users)
		if len(users) == 0 {
			continue
		}
		if out == nil {
			out = map[string][]int64{}
		}
		out[emoji] = users
	}
	return out
}

// encodeReactions stores reactions as a JSON object (keys sorted by
// encoding/json, so equal maps give equal text); "" when there are none.
func encodeReactions(reactions map[string][]int64) (string, error) {
	if len(reactions) == 0 {
		return "", nil
	}
	b, err := json.Marshal(reactions)
	return string(b), err
}

func decodeReactions(s string) (map[string][]int64, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string][]int64
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// unionIDs returns the sorted union of a and b without repeats or zeros; nil
// when empty. Neither argument is modified.
func unionIDs(a, b []int64) []int64 {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make([]int64, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	out = slices.DeleteFunc(out, func(id int64) bool { return id == 0 })
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
