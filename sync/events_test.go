package sync

import (
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func TestEventFeedDropsOldestTypingForSlowReaders(t *testing.T) {
	f := newEventFeed()
	ch, cancel := f.Subscribe()
	defer cancel()
	// The reader does not read while the engine publishes far more than a queue holds.
	f.Publish(NoticeEvent{Text: "first"})
	for i := 0; i < maxQueuedEvents*2; i++ {
		f.Publish(TypingEvent{DialogID: "d", UserID: int64(i + 1), Typing: true})
	}
	f.Publish(NoticeEvent{Text: "last"})

	var got []Event
	deadline := time.After(5 * time.Second)
	for len(got) < maxQueuedEvents {
		select {
		case ev := <-ch:
			got = append(got, ev)
		case <-deadline:
			t.Fatalf("got only %d events", len(got))
		}
	}
	if extra := len(ch); extra != 0 {
		t.Fatalf("%d events beyond the queue's bound", extra)
	}
	if n, ok := got[0].(NoticeEvent); !ok || n.Text != "first" {
		t.Fatalf("first event = %#v, want the first notice (notices are kept)", got[0])
	}
	if n, ok := got[len(got)-1].(NoticeEvent); !ok || n.Text != "last" {
		t.Fatalf("last event = %#v, want the last notice", got[len(got)-1])
	}
	// What survives of the typing burst is its newest part, in order.
	prev := int64(0)
	for _, ev := range got[1 : len(got)-1] {
		ty := ev.(TypingEvent)
		if ty.UserID <= prev {
			t.Fatalf("typing events out of order: %d after %d", ty.UserID, prev)
		}
		prev = ty.UserID
	}
	if prev != maxQueuedEvents*2 {
		t.Fatalf("newest typing event %d was dropped", maxQueuedEvents*2)
	}
}

func TestEventFeedCloseEndsSubscriptions(t *testing.T) {
	f := newEventFeed()
	ch, _ := f.Subscribe()
	f.Close()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("event after close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("channel not closed")
	}
	late, _ := f.Subscribe()
	if _, ok := testwait.Recv(t, "the late subscription to close", 2*time.Second, late); ok {
		t.Fatal("subscribing after close should give a closed channel")
	}
}

func TestTypingBookExpiresAndDebounces(t *testing.T) {
	events := make(chan TypingEvent, 16)
	sent := make(chan bool, 16)
	b := newTypingBook(func(ev TypingEvent) { events <- ev }, func(_ string, composing bool) { sent <- composing })
	b.expiry, b.idle = 150*time.Millisecond, 100*time.Millisecond
	defer b.stop()

	b.peer("d", 7, true)
	b.peer("d", 7, true) // a refresh publishes nothing new
	if ev, _ := testwait.Recv(t, "the first typing event", 2*time.Second, events); !ev.Typing || ev.UserID != 7 {
		t.Fatalf("first event %+v", ev)
	}
	if got := b.typingUsers("d"); len(got) != 1 || got[0] != 7 {
		t.Fatalf("typing users %v", got)
	}
	select {
	case ev := <-events:
		if ev.Typing {
			t.Fatalf("want the expiry, got %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("typing never expired")
	}
	if got := b.typingUsers("d"); len(got) != 0 {
		t.Fatalf("typing users after expiry %v", got)
	}

	// Keystrokes: one composing, then one paused after the idle time.
	for i := 0; i < 5; i++ {
		b.ourTyping("d", true)
	}
	if c, _ := testwait.Recv(t, "the first chat state", 2*time.Second, sent); !c {
		t.Fatal("first keystroke should send composing")
	}
	select {
	case c := <-sent:
		if c {
			t.Fatal("a second composing was sent")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("paused never sent")
	}
	// A sent message ends composing without a paused.
	b.ourTyping("d", true)
	testwait.Recv(t, "composing after the keystroke", 2*time.Second, sent)
	b.ourMessageSent("d")
	select {
	case c := <-sent:
		t.Fatalf("unexpected chat state %v after the message", c)
	case <-time.After(300 * time.Millisecond):
	}
}
