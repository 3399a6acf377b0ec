package cache

import (
	"context"
	"testing"
)

// TestWrittenMessageResendsItsFirstCopyAndQueuesChanges: once a pending message has
// been written to a stream, the server may hold it. Its edit and delete are then
// queued actions (sent after it), and its resend carries what was first written;
// before the first write the same changes stay local, and a removed message is never
// handed out for writing.
func TestWrittenMessageResendsItsFirstCopyAndQueuesChanges(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	queue := func(n int, body string) Message {
		m := newMsg("d1", n, n, body)
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	early, edited, deleted := queue(1, "typo"), queue(2, "first words"), queue(3, "regret")

	// Not written yet: the edit rewrites the queued message, the delete takes it back.
	if id := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: early.ID, Text: "fixed"}); id != 0 {
		t.Fatalf("edit of an unwritten message queued action %d", id)
	}
	gone := queue(4, "never mind")
	if id := enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: gone.ID, ForEveryone: true}); id != 0 {
		t.Fatalf("delete of an unwritten message queued action %d", id)
	}

	out, err := db.MarkWritten(ctx, []string{early.ID, edited.ID, deleted.ID, gone.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Body != "fixed" || out[1].Body != "first words" || out[2].Body != "regret" {
		t.Fatalf("first write = %+v; want fixed, first words, regret (the taken-back one skipped)", out)
	}

	// Written: changes become actions, the local copy shows them, the resend does not.
	if id := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: edited.ID, Text: "second words"}); id == 0 {
		t.Fatal("edit of a written message queued nothing")
	}
	if id := enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: deleted.ID, ForEveryone: true}); id == 0 {
		t.Fatal("delete of a written message queued nothing")
	}
	if m := getMsg(t, db, edited.ID); m.Body != "second words" || !m.EditPending || m.State != StatePending {
		t.Fatalf("edited written message = %+v", m)
	}
	if m := getMsg(t, db, deleted.ID); !m.Deleted || m.State != StatePending {
		t.Fatalf("deleted written message = %+v", m)
	}
	out, err = db.MarkWritten(ctx, []string{edited.ID, deleted.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Body != "first words" || out[1].Body != "regret" || out[1].Deleted {
		t.Fatalf("resend = %+v; want the first copies", out)
	}
	acts, err := db.Actions(ctx)
	if err != nil || len(acts) != 2 || acts[0].Kind != ActionEdit || acts[1].Kind != ActionDelete {
		t.Fatalf("actions = %+v, %v", acts, err)
	}

	// Confirmed: nothing left to write.
	for _, id := range []string{early.ID, edited.ID, deleted.ID} {
		if err := db.MarkSent(ctx, id, getMsg(t, db, id).SentAt); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := db.MarkWritten(ctx, []string{early.ID}); err != nil || len(out) != 0 {
		t.Fatalf("MarkWritten after MarkSent = %+v, %v", out, err)
	}
	if m := getMsg(t, db, deleted.ID); !m.Deleted || m.State != StateSent {
		t.Fatalf("confirmed deleted message = %+v", m)
	}
}
