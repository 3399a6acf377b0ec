package cache

import (
	"context"
	"slices"
	"testing"
)

// TestOutboxHeadIsTheQueuesStart: OutboxHead gives the oldest queued messages, as
// many as asked, in queue order, leaving out those no longer pending.
func TestOutboxHeadIsTheQueuesStart(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var queued []string
	for i := range 4 {
		m := Message{ID: msgID(100 - i), DialogID: "d1", SenderID: 7, RecipientID: 8, Body: "queued"}
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
		queued = append(queued, m.ID)
	}
	if err := db.MarkSent(ctx, queued[0], base); err != nil {
		t.Fatal(err)
	}
	head, err := db.OutboxHead(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := queuedIDs(head); !slices.Equal(got, queued[1:3]) {
		t.Fatalf("head %v, want %v", got, queued[1:3])
	}
	all, err := db.OutboxHead(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := queuedIDs(all); !slices.Equal(got, queued[1:]) {
		t.Fatalf("head of 10 %v, want %v", got, queued[1:])
	}
}

func queuedIDs(q []Queued) []string {
	out := make([]string, len(q))
	for i, m := range q {
		out[i] = m.ID
	}
	return out
}

// TestEnqueueWrittenSendsItsFirstCopy: a message queued for a live chat is written
// from the start: the user's edit becomes an action, and the outbox's head (and a
// resend's MarkWritten) carries the text first queued, while one queued the usual
// way is not written until MarkWritten.
func TestEnqueueWrittenSendsItsFirstCopy(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	live := newMsg("d1", 1, 1, "first words")
	if err := db.EnqueueWritten(ctx, live); err != nil {
		t.Fatal(err)
	}
	offline := newMsg("d1", 2, 2, "queued offline")
	if err := db.EnqueueOutgoing(ctx, offline); err != nil {
		t.Fatal(err)
	}
	if id := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: live.ID, Text: "second words"}); id == 0 {
		t.Fatal("edit of a message queued as written queued no action")
	}
	if m := getMsg(t, db, live.ID); m.Body != "second words" || !m.EditPending {
		t.Fatalf("local copy = %+v, want the edit shown", m)
	}
	head, err := db.OutboxHead(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(head) != 2 || !head[0].Written || head[0].Body != "first words" || head[1].Written || head[1].Body != "queued offline" {
		t.Fatalf("head = %+v; want the first copy written, then the offline one unwritten", head)
	}
	out, err := db.MarkWritten(ctx, []string{live.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Body != "first words" {
		t.Fatalf("resend = %+v, want the first copy", out)
	}
}
