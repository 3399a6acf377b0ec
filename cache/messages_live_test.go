package cache

import (
	"context"
	"slices"
	"testing"
)

// TestStoreLiveCountsNewMessagesUnreadInOneWrite: a run of live messages is stored
// in one transaction (one change names them all), the new ones that the caller
// counts raise their dialog's unread count, and a copy already cached is neither
// new nor counted again.
func TestStoreLiveCountsNewMessagesUnreadInOneWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{7, 8}, UnreadCount: 2}}); err != nil {
		t.Fatal(err)
	}
	upsert(t, db, newMsg("d1", 1, 0, "already here"))
	changes, cancel := db.Subscribe()
	defer cancel()

	mine := newMsg("d1", 4, 3, "mine")
	mine.SenderID = 8
	batch := []Message{newMsg("d1", 1, 0, "already here"), newMsg("d1", 2, 1, "new"), newMsg("d1", 3, 2, "newer"), mine,
		newMsg("no-such-dialog", 5, 4, "elsewhere")}
	isNew, err := db.StoreLive(ctx, batch, func(m Message) bool { return m.SenderID == 7 })
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, true, true, true}; !slices.Equal(isNew, want) {
		t.Fatalf("new = %v, want %v", isNew, want)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Messages["d1"], []string{msgID(2), msgID(3), msgID(4)}) || !slices.Contains(c.Dialogs, "d1") {
		t.Fatalf("change %+v, want the three new messages of d1 and d1 itself", c)
	}
	assertQuiet(t, changes) // one write, one change
	d, err := db.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.UnreadCount != 4 || d.LastMessageID != msgID(4) {
		t.Fatalf("unread %d, last %s; want 4 (two more counted), %s", d.UnreadCount, d.LastMessageID, msgID(4))
	}

	if _, err := db.StoreLive(ctx, []Message{newMsg("d1", 6, 5, "ok"), {ID: msgID(7)}}, nil); err == nil {
		t.Fatal("a batch with an invalid message was stored")
	}
	if _, err := db.Message(ctx, msgID(6)); err == nil {
		t.Fatal("the valid message of a rejected batch was stored")
	}
}
