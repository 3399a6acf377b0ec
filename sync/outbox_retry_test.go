package sync

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestLateConfirmationDoesNotSettleARetry replays the interleaving that made
// TestBlockedUsersMessageFailsWithANotice flaky: the outbox writes a message, the
// server bounces it, the user retries, and only then does the outbox goroutine get to
// confirm its first attempt. That stale confirmation used to mark the retry "sent",
// so the retry was never written to the stream.
func TestLateConfirmationDoesNotSettleARetry(t *testing.T) {
	ctx := context.Background()
	db, err := cache.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	const dialog = "6b0730beb554f114c0009100"
	if err := db.UpsertDialogs(ctx, []cache.Dialog{{ID: dialog, Type: cube.DialogPrivate, OccupantIDs: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	e := New(db, Profile{}, nil)
	id := cube.NewObjectID()
	if err := db.EnqueueOutgoing(ctx, cache.Message{ID: id, DialogID: dialog, SenderID: 1, RecipientID: 2, Body: "hi"}); err != nil {
		t.Fatal(err)
	}

	first := sentMessage{id: id, sentAt: time.Now(), attempt: e.attemptOf(id)}
	// The bounce, as storeBounce records it.
	e.bounceMu.Lock()
	e.bounced[id] = true
	err = db.MarkBounced(ctx, id, "blocked")
	e.bounceMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RetryFailed(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.markSent(ctx, []sentMessage{first}); err != nil {
		t.Fatal(err)
	}

	m, err := db.Message(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != cache.StatePending {
		t.Fatalf("after a late confirmation of the first attempt the retry is %s, want pending", m.State)
	}
	queued, err := db.Outbox(ctx)
	if err != nil || len(queued) != 1 || queued[0].ID != id {
		t.Fatalf("outbox = %v, %v; want the retry still queued", queued, err)
	}

	// The retry's own confirmation settles it.
	retry := sentMessage{id: id, sentAt: time.Now(), attempt: e.attemptOf(id)}
	if err := e.markSent(ctx, []sentMessage{retry}); err != nil {
		t.Fatal(err)
	}
	if m, err := db.Message(ctx, id); err != nil || m.State != cache.StateSent {
		t.Fatalf("after the retry's confirmation: %+v, %v; want sent", m, err)
	}
}
