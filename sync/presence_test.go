package sync

import (
	"fmt"
	"testing"
	"time"
)

func TestPeerLastActivityGoesOnlineThenOffline(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	if err := b.e.WatchLastActivity(ctx, a.acc.ID); err != nil {
		t.Fatalf("WatchLastActivity: %v", err)
	}
	userState := func() (bool, string) {
		users, err := b.db.Users(ctx, []int64{a.acc.ID})
		if err != nil {
			return false, err.Error()
		}
		u := users[a.acc.ID]
		return u.Online, fmt.Sprintf("online=%v last seen %v", u.Online, u.LastSeen)
	}
	b.waitFor("ann online", userState)

	stopped := time.Now()
	a.close() // Ann quits the app
	b.waitFor("ann offline", func() (bool, string) {
		online, saw := userState()
		return !online, saw
	})
	users, _ := b.db.Users(ctx, []int64{a.acc.ID})
	if seen := users[a.acc.ID].LastSeen; seen.IsZero() || seen.Before(stopped.Add(-5*time.Second)) {
		t.Fatalf("last seen %v, want about %v", seen, stopped)
	}
	b.e.UnwatchLastActivity(a.acc.ID)
}

func TestNotificationOnlyForUnseenLiveMessages(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "hello") // the dialog is known to both
	events, stop := b.e.SubscribeEvents()
	defer stop()

	b.e.SetFocused(false)
	id, err := a.e.Send(ctx, pr.dialog, "ping while you are away")
	if err != nil {
		t.Fatal(err)
	}
	// Match on the id: "hello" may have raised its own notification (focused, but no
	// dialog open) after exchange returned and before the subscription.
	ev := waitEvent(t, events, "a notification", func(ev Event) bool {
		n, ok := ev.(NotifyEvent)
		return ok && n.MessageID == id
	}).(NotifyEvent)
	if ev.DialogID != pr.dialog || ev.Body != "ping while you are away" || ev.Title != "ANN" {
		t.Fatalf("notification %+v", ev)
	}

	// Muted: nothing, even unfocused.
	if err := b.e.SetNotifications(ctx, pr.dialog, false); err != nil {
		t.Fatalf("SetNotifications: %v", err)
	}
	muted := pr.exchange(a, b, "shh")
	b.e.SetFocused(true)
	if err := b.e.SetNotifications(ctx, pr.dialog, true); err != nil {
		t.Fatal(err)
	}
	if err := b.e.MarkRead(ctx, pr.dialog); err != nil { // the dialog is on screen
		t.Fatal(err)
	}
	seen := pr.exchange(a, b, "you are looking at this")
	marker := pr.exchange(b, a, "end") // b's own message: never notified
	_ = marker
	for {
		select {
		case ev := <-events:
			if n, ok := ev.(NotifyEvent); ok && (n.MessageID == muted || n.MessageID == seen || n.MessageID == marker) {
				t.Fatalf("unexpected notification %+v", n)
			}
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

// A push about someone shown online means they left now, not at the idle time a
// server may count ("last seen 2 min ago" seconds after they left).
func TestPushedSecondsForSomeoneSeenOnline(t *testing.T) {
	cases := []struct {
		seconds   int64
		wasOnline bool
		want      int64
	}{
		{120, true, 1}, {0, true, 1}, {1, true, 1},
		{120, false, 120}, {0, false, 0},
	}
	for _, c := range cases {
		if got := pushedSeconds(c.seconds, c.wasOnline); got != c.want {
			t.Errorf("pushedSeconds(%d, %v) = %d, want %d", c.seconds, c.wasOnline, got, c.want)
		}
	}
}
