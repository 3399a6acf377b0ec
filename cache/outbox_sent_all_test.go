package cache

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestMarkSentAllSettlesTheBatchInOneChange(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}, {ID: "d2", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	queued := []Message{
		{ID: msgID(1), DialogID: "d1", SenderID: 7, Body: "one", SentAt: base},
		{ID: msgID(2), DialogID: "d2", SenderID: 7, Body: "two", SentAt: base.Add(time.Second)},
		{ID: msgID(3), DialogID: "d1", SenderID: 7, Body: "three", SentAt: base.Add(2 * time.Second)},
	}
	for _, m := range queued {
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// A server copy already moved the second one further: it stays delivered.
	delivered := queued[1]
	delivered.State, delivered.DeliveredIDs = StateDelivered, []int64{8}
	upsert(t, db, delivered)

	changes, cancel := db.Subscribe()
	defer cancel()
	serverTime := base.Add(time.Minute)
	err := db.MarkSentAll(ctx, []SentMark{
		{ID: msgID(1), SentAt: serverTime}, {ID: msgID(2)}, {ID: "gone"}, {ID: msgID(3)},
	})
	if err != nil {
		t.Fatalf("MarkSentAll: %v", err)
	}
	if m := getMsg(t, db, msgID(1)); m.State != StateSent || !m.SentAt.Equal(serverTime) {
		t.Fatalf("message 1 = %+v", m)
	}
	if m := getMsg(t, db, msgID(2)); m.State != StateDelivered {
		t.Fatalf("message 2 went back to %s", m.State)
	}
	if m := getMsg(t, db, msgID(3)); m.State != StateSent || !m.SentAt.Equal(base.Add(2*time.Second)) {
		t.Fatalf("message 3 = %+v", m)
	}
	if out, err := db.Outbox(ctx); err != nil || len(out) != 0 {
		t.Fatalf("outbox after MarkSentAll = %v, %v", ids(out), err)
	}
	// The dialog's last message follows the server's time of message 1.
	if d, _ := db.Dialog(ctx, "d1"); d.LastMessageID != msgID(1) || !d.LastMessageAt.Equal(serverTime) {
		t.Fatalf("d1 last message %s at %v", d.LastMessageID, d.LastMessageAt)
	}
	select {
	case ch := <-changes:
		if !slices.Equal(ch.Messages["d1"], []string{msgID(1), msgID(3)}) && !slices.Equal(ch.Messages["d1"], []string{msgID(3), msgID(1)}) {
			t.Fatalf("change = %+v", ch)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change published")
	}
	assertQuiet(t, changes) // one transaction, one change
	if err := db.MarkSentAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// A message confirmed into a second that already holds messages reached the
// server after them: it comes last in that second, whatever its id.
func TestMarkSentAllRanksTheConfirmedMessageLastInItsSecond(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	second := base.Add(time.Minute)
	// Ids after the pending one's: ordered by id, the pending one would come first.
	upsert(t, db, Message{ID: msgID(20), DialogID: "d1", SenderID: 8, Body: "first", SentAt: second},
		Message{ID: msgID(30), DialogID: "d1", SenderID: 8, Body: "second", SentAt: second})
	pending := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "mine", SentAt: base.Add(1500 * time.Millisecond)}
	if err := db.EnqueueWritten(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSentAll(ctx, []SentMark{{ID: pending.ID, SentAt: second}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Messages(ctx, "d1", time.Time{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{msgID(20), msgID(30), msgID(10)}; !slices.Equal(ids(got), want) {
		t.Fatalf("order %v, want %v", ids(got), want)
	}
	if out, err := db.Outbox(ctx); err != nil || len(out) != 0 {
		t.Fatalf("outbox after MarkSentAll = %v, %v", ids(out), err)
	}
	if d, _ := db.Dialog(ctx, "d1"); d.LastMessageID != msgID(10) {
		t.Fatalf("last message %s, want the confirmed one", d.LastMessageID)
	}
}
