package sync

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// ownSecondFixture is an engine (never started) over a cache with one group dialog,
// and the start of the current second.
func ownSecondFixture(t *testing.T) (*Engine, *cache.DB, string, time.Time) {
	t.Helper()
	db, err := cache.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	dialog := cube.NewObjectID()
	if err := db.UpsertDialogs(context.Background(), []cache.Dialog{{ID: dialog, Type: cube.DialogGroup,
		OccupantIDs: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	return New(db, Profile{}, nil), db, dialog, time.Unix(time.Now().Unix(), 0).UTC()
}

// queueOwn queues one of user 1's messages at sentAt and returns it as the outbox
// writes it, confirmed at second.
func queueOwn(t *testing.T, db *cache.DB, dialog string, sentAt, second time.Time) sentMessage {
	t.Helper()
	id := cube.NewObjectID()
	if err := db.EnqueueOutgoing(context.Background(), cache.Message{ID: id, DialogID: dialog, SenderID: 1,
		Body: "mine", SentAt: sentAt}); err != nil {
		t.Fatal(err)
	}
	return sentMessage{id: id, dialogID: dialog, sentAt: second}
}

// TestOwnBurstOfOneSecondIsNotListedAgain: messages of one second that this engine
// wrote and confirmed in order are cached in that order already; asking the server
// for that second again would only cost (at 50 messages a second, every second was
// listed again). Once someone else's message shares the second, it is listed.
func TestOwnBurstOfOneSecondIsNotListedAgain(t *testing.T) {
	ctx := context.Background()
	e, db, dialog, second := ownSecondFixture(t)
	var burst []sentMessage
	for i := range 3 {
		burst = append(burst, queueOwn(t, db, dialog, second.Add(time.Duration(100*(i+1))*time.Millisecond), second))
	}
	if err := e.markSent(ctx, burst[:2]); err != nil {
		t.Fatal(err)
	}
	if err := e.markSent(ctx, burst[2:]); err != nil {
		t.Fatal(err)
	}
	if got := e.relist.take(); len(got) != 0 {
		t.Fatalf("seconds planned for listing: %v, want none", got)
	}

	if _, err := db.UpsertMessages(ctx, []cache.Message{{ID: cube.NewObjectID(), DialogID: dialog, SenderID: 2,
		Body: "theirs", SentAt: second}}); err != nil {
		t.Fatal(err)
	}
	last := queueOwn(t, db, dialog, second.Add(900*time.Millisecond), second)
	if err := e.markSent(ctx, []sentMessage{last}); err != nil {
		t.Fatal(err)
	}
	if got := e.relist.take(); len(got) != 1 || got[0].DialogID != dialog || !got[0].SentAt.Equal(second) {
		t.Fatalf("seconds planned for listing: %v, want the shared second", got)
	}
}

// TestOwnMessagesCachedOutOfStreamOrderAreListed: a message queued at the very
// start of its second keeps the place it was queued at when confirmed there, ahead
// of one queued earlier (in the second before) but written first; the cache's order
// then disagrees with the stream's, and the server is asked.
func TestOwnMessagesCachedOutOfStreamOrderAreListed(t *testing.T) {
	ctx := context.Background()
	e, db, dialog, second := ownSecondFixture(t)
	early := queueOwn(t, db, dialog, second.Add(-100*time.Millisecond), second)
	exact := queueOwn(t, db, dialog, second, second)
	// Written early then exact; exact was ranked first in the second when queued.
	if err := e.markSent(ctx, []sentMessage{early, exact}); err != nil {
		t.Fatal(err)
	}
	if got := e.relist.take(); len(got) != 1 {
		t.Fatalf("seconds planned for listing: %v, want the second", got)
	}
}

// TestBatchQueuedLiveNeedsNoMarkWritten: a batch queued while live was recorded as
// written when queued; its content to write is the first copy, even after an edit,
// and a batch that holds a message queued offline is marked written first.
func TestBatchQueuedLiveNeedsNoMarkWritten(t *testing.T) {
	ctx := context.Background()
	e, db, dialog, second := ownSecondFixture(t)
	live := cache.Message{ID: cube.NewObjectID(), DialogID: dialog, SenderID: 1, Body: "as sent", SentAt: second}
	if err := db.EnqueueWritten(ctx, live); err != nil {
		t.Fatal(err)
	}
	head, err := db.OutboxHead(ctx, outboxBatch)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.toWrite(ctx, head)
	if err != nil || len(out) != 1 || out[0].Body != "as sent" {
		t.Fatalf("toWrite = %+v, %v; want the queued copy", out, err)
	}
	offline := queueOwn(t, db, dialog, second, second)
	if head, err = db.OutboxHead(ctx, outboxBatch); err != nil {
		t.Fatal(err)
	}
	if out, err = e.toWrite(ctx, head); err != nil || len(out) != 2 || out[1].ID != offline.id {
		t.Fatalf("toWrite = %+v, %v; want both", out, err)
	}
	if head, err = db.OutboxHead(ctx, outboxBatch); err != nil || !head[1].Written {
		t.Fatalf("head = %+v, %v; want the offline message marked written by toWrite", head, err)
	}
}

// TestListedSecondCountsTheListingAsOurs: once a second of ours was listed, the
// listing is what the engine holds there (the cache ranks it so), followed by what
// it confirmed after the listing was taken; confirming a listed message later adds
// nothing, so the next batches settle without another listing.
func TestListedSecondCountsTheListingAsOurs(t *testing.T) {
	var o ownSeconds
	s := cache.Second{DialogID: "d", SentAt: time.Unix(1700000000, 0).UTC()}
	two := []cache.Second{s, s}
	o.confirmed(two, []string{"a", "b"})
	o.confirmed([]cache.Second{s}, []string{"late"}) // confirmed while the listing ran
	// The listing: someone else's x, our a and b, and our c the outbox has not
	// confirmed yet.
	o.listedSecond(s, []string{"x", "a", "b", "c"})
	o.confirmed([]cache.Second{s}, []string{"c"})
	if !o.settled(s, 5, []string{"c", "late"}) || !o.settled(s, 5, []string{"late"}) {
		t.Fatalf("after the listing: %v, want x a b c late", o.ids[keyOf(s)])
	}
	o.confirmed([]cache.Second{s}, []string{"d"})
	if !o.settled(s, 6, []string{"late", "d"}) {
		t.Fatalf("after a new batch: %v, want x a b c late d", o.ids[keyOf(s)])
	}
	if o.settled(s, 7, []string{"d"}) {
		t.Fatal("a second holding one more message than ours settled")
	}
	// A second the engine never confirmed in is not remembered because of a listing.
	other := cache.Second{DialogID: "d", SentAt: s.SentAt.Add(time.Second)}
	o.listedSecond(other, []string{"y"})
	if _, ok := o.ids[keyOf(other)]; ok {
		t.Fatal("a listed second of someone else's became ours")
	}
}
