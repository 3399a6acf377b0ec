package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MarkerKind is a delivered or read marker (chat markers received/displayed,
// or PUT /chat/Message with delivered:1 / read:1).
type MarkerKind string

// The marker kinds.
const (
	MarkerDelivered MarkerKind = "delivered"
	MarkerRead      MarkerKind = "read" // implies delivered
)

// state is the message state a marker of this kind from another user means.
func (k MarkerKind) state() (MessageState, error) {
	switch k {
	case MarkerDelivered:
		return StateDelivered, nil
	case MarkerRead:
		return StateRead, nil
	}
	return "", fmt.Errorf("cache: unknown marker kind %q", k)
}

// MarkerSet is one user's markers of one kind on messages of one dialog ("": of
// any dialog).
type MarkerSet struct {
	DialogID   string
	MessageIDs []string
	UserID     int64
	Kind       MarkerKind
}

// AddMarkers records that userID received (or read) the given messages of
// dialogID, in one transaction: the user joins each message's DeliveredIDs (and
// ReadIDs). It also moves the State of MY messages forward — the signed-in
// account's (any sender's when no account is stored) — when the marker comes
// from someone other than the sender: delivered when any other occupant
// received it, read when any other read it. Unknown ids, and ids of another
// dialog (when dialogID is not ""), are skipped. It returns how many messages
// changed.
func (db *DB) AddMarkers(ctx context.Context, dialogID string, messageIDs []string, userID int64, kind MarkerKind) (int, error) {
	return db.AddMarkerSets(ctx, []MarkerSet{{DialogID: dialogID, MessageIDs: messageIDs, UserID: userID, Kind: kind}})
}

// AddMarkerSets is AddMarkers for several sets in one transaction: the markers that
// arrived together cost one write (docs/benchmarks.md, issue 10, round 4). A set
// that is not valid fails the call before anything is written. It returns how many
// markers changed a message.
func (db *DB) AddMarkerSets(ctx context.Context, sets []MarkerSet) (int, error) {
	states := make([]MessageState, len(sets))
	some := false
	for i, set := range sets {
		state, err := set.Kind.state()
		if err != nil {
			return 0, err
		}
		if set.UserID == 0 {
			return 0, errors.New("cache: marker has no user")
		}
		states[i] = state
		some = some || len(set.MessageIDs) > 0
	}
	if !some {
		return 0, nil
	}
	what := "record " + string(sets[0].Kind) + " markers"
	if len(sets) > 1 {
		what = fmt.Sprintf("record %d marker sets", len(sets))
	}
	var changed int
	err := db.writeBackground(ctx, what, func(tx *txn, ch *Change) error {
		changed = 0
		me, err := tx.accountUserID(ctx)
		if err != nil {
			return err
		}
		for i, set := range sets {
			n, err := addMarkerSet(ctx, tx, ch, set, me, states[i])
			if err != nil {
				return err
			}
			changed += n
		}
		return nil
	})
	return changed, err
}

// markerRow is what a marker reads and writes of a message: no other column
// changes, so the row is not read, decoded and written whole (a marker per message
// was a tenth of the live path's CPU, docs/benchmarks.md, issue 10, round 4).
type markerRow struct {
	pk              int64
	dialogID        string
	senderID        int64
	state           MessageState
	delivered, read string // the JSON arrays as stored
}

// addMarkerSet applies a set's markers, its messages read in one query; it returns
// how many changed.
func addMarkerSet(ctx context.Context, tx *txn, ch *Change, set MarkerSet, me int64, state MessageState) (int, error) {
	list, err := encodeJSON(set.MessageIDs)
	if err != nil || list == "" {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, pk, dialog_id, sender_id, state, delivered_ids, read_ids
		FROM messages WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return 0, err
	}
	found := map[string]markerRow{}
	for rows.Next() {
		var id string
		var r markerRow
		if err := rows.Scan(&id, &r.pk, &r.dialogID, &r.senderID, &r.state, &r.delivered, &r.read); err != nil {
			rows.Close()
			return 0, err
		}
		found[id] = r
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	changed := 0
	for _, id := range set.MessageIDs {
		r, ok := found[id]
		if !ok {
			continue // unknown, or a repeat already applied
		}
		delete(found, id)
		n, err := applyMarker(ctx, tx, ch, set, id, r, me, state)
		if err != nil {
			return 0, err
		}
		changed += n
	}
	return changed, nil
}

// addMarker applies one marker; it returns 1 when the message changed.
func addMarker(ctx context.Context, tx *txn, ch *Change, set MarkerSet, id string, me int64, state MessageState) (int, error) {
	var r markerRow
	err := tx.QueryRowContext(ctx, `SELECT pk, dialog_id, sender_id, state, delivered_ids, read_ids
		FROM messages WHERE id = ?`, id).Scan(&r.pk, &r.dialogID, &r.senderID, &r.state, &r.delivered, &r.read)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return applyMarker(ctx, tx, ch, set, id, r, me, state)
}

// applyMarker applies one marker to the message r read; it returns 1 when the
// message changed. The result is what editRow gives for the same change:
// DeliveredIDs include ReadIDs, both sorted without repeats (normaliseMessage),
// and the change names the message as a marker change, and as a message change
// when its State moved.
func applyMarker(ctx context.Context, tx *txn, ch *Change, set MarkerSet, id string, r markerRow, me int64, state MessageState) (int, error) {
	if set.DialogID != "" && r.dialogID != set.DialogID {
		return 0, nil
	}
	delivered, err := decodeJSON[int64](r.delivered)
	if err != nil {
		return 0, fmt.Errorf("message %s: delivered ids: %w", id, err)
	}
	read, err := decodeJSON[int64](r.read)
	if err != nil {
		return 0, fmt.Errorf("message %s: read ids: %w", id, err)
	}
	if set.Kind == MarkerRead {
		read = unionIDs(read, []int64{set.UserID})
	} else {
		read = unionIDs(nil, read)
	}
	delivered = unionIDs(unionIDs(delivered, []int64{set.UserID}), read)
	nextState := r.state
	if set.UserID != r.senderID && (me == 0 || r.senderID == me) {
		nextState = mergeState(r.state, state)
	}
	nextDelivered, _ := encodeJSON(delivered) // []int64 always marshals
	nextRead, _ := encodeJSON(read)
	if nextDelivered == r.delivered && nextRead == r.read && nextState == r.state {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = ?, delivered_ids = ?, read_ids = ?
		WHERE pk = ?`, nextState, nextDelivered, nextRead, r.pk); err != nil {
		return 0, fmt.Errorf("message %s: %w", id, err)
	}
	if r.state == StatePending && nextState != StatePending {
		// Confirmed by the marker: it leaves the outbox, as in messageWriter.replace.
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE message_id = ?`, id); err != nil {
			return 0, fmt.Errorf("message %s: leave outbox: %w", id, err)
		}
	}
	if nextDelivered != r.delivered || nextRead != r.read {
		ch.addMarker(r.dialogID, id)
	}
	if nextState != r.state {
		ch.addMessage(r.dialogID, id)
	}
	return 1, nil
}

// accountUserID is the signed-in user's id, or 0 when no account is stored. The
// writer remembers it between transactions (a marker's write asked SQLite for it
// every time: half a kilobyte of garbage per live message, docs/benchmarks.md,
// issue 10, round 8); SaveAccount and DeleteAccount make it forget.
func (t *txn) accountUserID(ctx context.Context) (int64, error) {
	if t.w.me.known {
		return t.w.me.id, nil
	}
	var id int64
	err := t.QueryRowContext(ctx, `SELECT user_id FROM account WHERE id = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		id, err = 0, nil
	}
	if err == nil {
		t.w.me.id, t.w.me.known = id, true
	}
	return id, err
}

// accountChanged makes the writer forget the account's user id: t writes the
// account row (and may still roll back).
func (t *txn) accountChanged() { t.w.me.known = false }
