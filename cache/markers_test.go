package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestAddMarkers(t *testing.T) {
	ctx := context.Background()
	// Message 1 is mine (sender 7 = the account), message 2 is peer 8's.
	mine := func(state MessageState) Message {
		m := newMsg("d1", 1, 1, "mine")
		m.State = state
		return m
	}
	theirs := newMsg("d1", 2, 2, "theirs")
	theirs.SenderID = 8
	tests := []struct {
		name          string
		start         Message
		user          int64
		kind          MarkerKind
		dialog        string
		wantState     MessageState
		wantDelivered []int64
		wantRead      []int64
		wantChanged   int
	}{
		{"peer received mine", mine(StateSent), 8, MarkerDelivered, "d1", StateDelivered, []int64{8}, nil, 1},
		{"peer read mine", mine(StateSent), 8, MarkerRead, "d1", StateRead, []int64{8}, []int64{8}, 1},
		{"read never goes back to delivered", mine(StateRead), 8, MarkerDelivered, "d1", StateRead, []int64{8}, nil, 1},
		{"a marker confirms a pending message", mine(StatePending), 8, MarkerDelivered, "d1", StateDelivered, []int64{8}, nil, 1},
		{"my own marker on mine moves nothing", mine(StateSent), 7, MarkerRead, "d1", StateSent, []int64{7}, []int64{7}, 1},
		{"I read theirs: listed, state kept", theirs, 7, MarkerRead, "d1", StateSent, []int64{7}, []int64{7}, 1},
		{"a third user read theirs: not my message", theirs, 9, MarkerRead, "d1", StateSent, []int64{9}, []int64{9}, 1},
		{"wrong dialog is skipped", mine(StateSent), 8, MarkerRead, "other", StateSent, nil, nil, 0},
		{"any dialog when none given", mine(StateSent), 8, MarkerRead, "", StateRead, []int64{8}, []int64{8}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			withAccount(t, db)
			if tc.start.State == StatePending {
				if err := db.EnqueueOutgoing(ctx, tc.start); err != nil {
					t.Fatal(err)
				}
			} else {
				upsert(t, db, tc.start)
			}
			changes, cancel := db.Subscribe()
			defer cancel()
			n, err := db.AddMarkers(ctx, tc.dialog, []string{tc.start.ID, "unknown"}, tc.user, tc.kind)
			if err != nil || n != tc.wantChanged {
				t.Fatalf("AddMarkers = %d, %v; want %d", n, err, tc.wantChanged)
			}
			got := getMsg(t, db, tc.start.ID)
			if got.State != tc.wantState || !slices.Equal(got.DeliveredIDs, tc.wantDelivered) || !slices.Equal(got.ReadIDs, tc.wantRead) {
				t.Fatalf("state %s delivered %v read %v", got.State, got.DeliveredIDs, got.ReadIDs)
			}
			if tc.wantChanged == 0 {
				assertQuiet(t, changes)
				return
			}
			c := drain(t, changes)
			if !slices.Equal(c.Markers["d1"], []string{tc.start.ID}) {
				t.Fatalf("change %+v does not name the marker", c)
			}
			stateMoved := got.State != tc.start.State
			if (len(c.Messages["d1"]) > 0) != stateMoved {
				t.Fatalf("change %+v: Messages should list the message only when its state moved", c)
			}
			// Applying the same marker again changes nothing.
			if n, _ := db.AddMarkers(ctx, tc.dialog, []string{tc.start.ID}, tc.user, tc.kind); n != 0 {
				t.Fatalf("repeated marker changed %d", n)
			}
			if tc.start.State == StatePending {
				if out, _ := db.Outbox(ctx); len(out) != 0 {
					t.Fatal("a delivered message stayed in the outbox")
				}
			}
		})
	}
}

func TestAddMarkersValidatesAndUpsertKeepsThem(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.AddMarkers(ctx, "d1", []string{"x"}, 8, "seen"); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if _, err := db.AddMarkers(ctx, "d1", []string{"x"}, 0, MarkerRead); err == nil {
		t.Fatal("user 0 accepted")
	}
	// Without an account, a marker from anyone but the sender moves the state.
	m := newMsg("d1", 1, 1, "x")
	upsert(t, db, m)
	if _, err := db.AddMarkers(ctx, "d1", []string{m.ID}, 8, MarkerDelivered); err != nil {
		t.Fatal(err)
	}
	// A server copy with its own lists adds to the cached ones, never removes.
	m.DeliveredIDs, m.ReadIDs = []int64{7}, []int64{9, 9}
	upsert(t, db, m)
	got := getMsg(t, db, m.ID)
	if got.State != StateDelivered || !slices.Equal(got.DeliveredIDs, []int64{7, 8, 9}) || !slices.Equal(got.ReadIDs, []int64{9}) {
		t.Fatalf("after server copy: %+v", got)
	}
}

// The writer remembers the account's user id between transactions; a marker after
// the account changed, or after a transaction that read it was undone, must see the
// account as stored.
func TestMarkersFollowTheAccountTheyAreRecordedFor(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db) // user 7
	first := newMsg("d1", 1, 1, "from 8")
	first.SenderID, first.RecipientID = 8, 7
	upsert(t, db, first)
	// 9 received 8's message: not the account's message, so its state stays.
	if _, err := db.AddMarkers(ctx, "d1", []string{first.ID}, 9, MarkerDelivered); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, first.ID); got.State != StateSent {
		t.Fatalf("signed in as 7, 8's message moved to %s", got.State)
	}
	// Signed in as 8 now: 8's next message is the account's, and a marker moves it.
	if err := db.DeleteAccount(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAccount(ctx, Account{UserID: 8, Login: "eight"}); err != nil {
		t.Fatal(err)
	}
	second := newMsg("d1", 2, 2, "from 8 again")
	second.SenderID, second.RecipientID = 8, 7
	upsert(t, db, second)
	if _, err := db.AddMarkers(ctx, "d1", []string{second.ID}, 9, MarkerDelivered); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, second.ID); got.State != StateDelivered {
		t.Fatalf("signed in as 8, 8's message stayed %s", got.State)
	}
	// A transaction that writes another account, reads it and is undone leaves 8.
	undone := errors.New("undone")
	err := db.write(ctx, "switch and undo", func(tx *txn, ch *Change) error {
		tx.accountChanged()
		if _, err := tx.ExecContext(ctx, `UPDATE account SET user_id = 7`); err != nil {
			return err
		}
		if me, err := tx.accountUserID(ctx); err != nil || me != 7 {
			t.Fatalf("inside: %d, %v", me, err)
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("write = %v", err)
	}
	third := newMsg("d1", 3, 3, "from 8, third")
	third.SenderID, third.RecipientID = 8, 7
	upsert(t, db, third)
	if _, err := db.AddMarkers(ctx, "d1", []string{third.ID}, 9, MarkerDelivered); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, third.ID); got.State != StateDelivered {
		t.Fatalf("after an undone switch, 8's message stayed %s", got.State)
	}
}
