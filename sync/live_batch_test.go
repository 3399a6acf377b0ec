package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// TestLiveRunStopsAtTheFirstOtherEvent: the messages waiting behind a message join
// its write, up to the first event of another kind, which is handed back to be
// handled next; what follows that event stays queued. A marker for a message of the
// run therefore always finds it stored.
func TestLiveRunStopsAtTheFirstOtherEvent(t *testing.T) {
	ctx := context.Background()
	e, db, dialog, second := ownSecondFixture(t)
	if err := db.UpsertUsers(ctx, []cache.User{{ID: 2, FullName: "Two"}}); err != nil {
		t.Fatal(err)
	}
	msg := func(body string) cube.MessageEvent {
		return cube.MessageEvent{Message: cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialog, SenderID: 2,
			Message: body, DateSent: second.Unix()}}
	}
	first, second2, after := msg("one"), msg("two"), msg("after the marker")
	marker := cube.MarkerEvent{Kind: cube.MarkerRead, MessageID: second2.Message.ID, DialogID: dialog, UserID: 2}
	events := make(chan cube.Event, 4)
	events <- second2
	events <- marker
	events <- after
	p := newPipeline(e, cube.NewChat(cube.Config{}, cube.ChatOptions{}))

	next, open := p.handleRun(ctx, first, events)
	if !open || next != cube.Event(marker) {
		t.Fatalf("handleRun returned %#v, %v; want the marker, open", next, open)
	}
	stored, err := db.MessagesByID(ctx, []string{first.Message.ID, second2.Message.ID, after.Message.ID})
	if err != nil {
		t.Fatal(err)
	}
	if stored[first.Message.ID] == nil || stored[second2.Message.ID] == nil || stored[after.Message.ID] != nil {
		t.Fatalf("stored %v; want the two messages before the marker only", slices.Collect(maps.Keys(stored)))
	}
	select {
	case ev := <-events:
		if m, ok := ev.(cube.MessageEvent); !ok || m.Message.ID != after.Message.ID {
			t.Fatalf("left queued: %#v, want the message after the marker", ev)
		}
	case <-time.After(waitLimit):
		t.Fatal("nothing left queued")
	}
	d, err := db.Dialog(ctx, dialog)
	if err != nil {
		t.Fatal(err)
	}
	if d.UnreadCount != 2 {
		t.Fatalf("unread %d, want 2 (both new messages counted)", d.UnreadCount)
	}
}

// TestLiveMarkerRunIsRecordedTogether: markers waiting behind a marker are recorded
// with it (one write), up to the first other event.
func TestLiveMarkerRunIsRecordedTogether(t *testing.T) {
	ctx := context.Background()
	e, db, dialog, second := ownSecondFixture(t)
	one, two := queueOwn(t, db, dialog, second, second), queueOwn(t, db, dialog, second, second)
	if err := e.markSent(ctx, []sentMessage{one, two}); err != nil {
		t.Fatal(err)
	}
	marker := func(kind cube.MarkerKind, id string) cube.MarkerEvent {
		return cube.MarkerEvent{Kind: kind, MessageID: id, DialogID: dialog, UserID: 2}
	}
	events := make(chan cube.Event, 4)
	events <- marker(cube.MarkerDelivered, two.id)
	events <- marker(cube.MarkerRead, one.id)
	ender := cube.TypingEvent{DialogID: dialog, UserID: 2}
	events <- ender
	p := newPipeline(e, cube.NewChat(cube.Config{}, cube.ChatOptions{}))

	next, open := p.handleRun(ctx, marker(cube.MarkerDelivered, one.id), events)
	if !open || next != cube.Event(ender) {
		t.Fatalf("handleRun returned %#v, %v; want the typing event, open", next, open)
	}
	// The marker worker writes them (markers_queue.go).
	testwait.Until(t, "both markers recorded", waitLimit, func() (bool, string) {
		got, err := db.MessagesByID(ctx, []string{one.id, two.id})
		if err != nil {
			t.Fatal(err)
		}
		return got[one.id].State == cache.StateRead && got[two.id].State == cache.StateDelivered,
			fmt.Sprintf("states %s, %s; want read, delivered", got[one.id].State, got[two.id].State)
	})
}
