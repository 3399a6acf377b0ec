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

// AddMarkers records that userID received (or read) the given messages of
// dialogID, in one transaction: the user joins each message's DeliveredIDs (and
// ReadIDs). It also moves the State of MY messages forward — the signed-in
// account's (any sender's when no account is stored) — when the marker comes
// from someone other than the sender: delivered when any other occupant
// received it, read when any other read it. Unknown ids, and ids of another
// dialog (when dialogID is not ""), are skipped. It returns how many messages
// changed.
func (db *DB) AddMarkers(ctx context.Context, dialogID string, messageIDs []string, userID int64, kind MarkerKind) (int, error) {
	state, err := kind.state()
	if err != nil {
		return 0, err
	}
	if userID == 0 {
		return 0, errors.New("cache: marker has no user")
	}
	if len(messageIDs) == 0 {
		return 0, nil
	}
	var changed int
	err = db.write(ctx, "record "+string(kind)+" markers", func(tx *txn, ch *Change) error {
		changed = 0
		me, err := accountUserID(ctx, tx)
		if err != nil {
			return err
		}
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, id := range messageIDs {
			n, err := addMarker(ctx, tx, w, ch, dialogID, id, userID, me, kind, state)
			if err != nil {
				return err
			}
			changed += n
		}
		return nil
	})
	return changed, err
}

// addMarker applies one marker; it returns 1 when the message changed.
func addMarker(ctx context.Context, tx *txn, w *messageWriter, ch *Change, dialogID, id string,
	userID, me int64, kind MarkerKind, state MessageState) (int, error) {
	old, err := w.lookup(id)
	if err != nil || old == nil || (dialogID != "" && old.msg.DialogID != dialogID) {
		return 0, err
	}
	_, changed, err := editRow(ctx, tx, w, old, ch, func(m *Message) (bool, error) {
		m.DeliveredIDs = unionIDs(m.DeliveredIDs, []int64{userID})
		if kind == MarkerRead {
			m.ReadIDs = unionIDs(m.ReadIDs, []int64{userID})
		}
		if userID != m.SenderID && (me == 0 || m.SenderID == me) {
			m.State = mergeState(m.State, state)
		}
		return false, nil
	})
	if err != nil || !changed {
		return 0, err
	}
	return 1, nil
}

// accountUserID is the signed-in user's id, or 0 when no account is stored.
func accountUserID(ctx context.Context, q queryer) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT user_id FROM account WHERE id = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
