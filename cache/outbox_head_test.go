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
	if got := ids(head); !slices.Equal(got, queued[1:3]) {
		t.Fatalf("head %v, want %v", got, queued[1:3])
	}
	all, err := db.OutboxHead(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(all); !slices.Equal(got, queued[1:]) {
		t.Fatalf("head of 10 %v, want %v", got, queued[1:])
	}
}
