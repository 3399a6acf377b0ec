package sync

import (
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestTwoEnginesExchangePrivateAndGroupMessages(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()

	private, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatalf("creating the private dialog: %v", err)
	}
	group, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "team", []int64{bob.ID})
	if err != nil {
		t.Fatalf("creating the group: %v", err)
	}

	cases := []struct {
		name     string
		dialog   string
		from, to *peer
	}{
		{"private ann→bob", private, a, b},
		{"private bob→ann", private, b, a},
		{"group ann→bob", group, a, b},
		{"group bob→ann", group, b, a},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := fmt.Sprintf("hello %d <&>", i)
			id, err := c.from.e.Send(h.ctx, c.dialog, text)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			got := c.to.waitMessages(c.dialog, 1, func(m cache.Message) bool { return m.ID == id })
			m := got[0]
			if m.Body != text || m.SenderID != c.from.acc.ID || m.State != cache.StateSent {
				t.Fatalf("received %+v", m)
			}
			c.from.waitFor("own message sent", func() (bool, string) {
				own, err := c.from.db.Message(h.ctx, id)
				if err != nil {
					return false, err.Error()
				}
				return own.State.Confirmed(), string(own.State)
			})
			c.to.waitFor("the dialog to show the message as unread", func() (bool, string) {
				d, err := c.to.db.Dialog(h.ctx, c.dialog)
				if err != nil {
					return false, err.Error()
				}
				return d.LastMessageID == id && d.UnreadCount >= 1, fmt.Sprintf("last %q unread %d", d.LastMessageID, d.UnreadCount)
			})
		})
	}

	// A message in the dialog the receiver has open (window focused) is not unread.
	if err := b.e.MarkRead(h.ctx, group); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	id, err := a.e.Send(h.ctx, group, "while you look")
	if err != nil {
		t.Fatal(err)
	}
	b.waitMessages(group, 1, func(m cache.Message) bool { return m.ID == id })
	if d, _ := b.db.Dialog(h.ctx, group); d == nil || d.UnreadCount != 0 {
		t.Fatalf("open dialog counted unread: %+v", d)
	}
}

// In a private dialog the server also queues the messages for offline bob and hands
// them over on connect, racing the REST catch-up; in a group only the catch-up
// brings them. Either way each must be stored once, in order.
func TestOfflinePeerCatchesUpEveryMessageOnceInOrder(t *testing.T) {
	for _, typ := range []int{cube.DialogPrivate, cube.DialogGroup} {
		t.Run(map[int]string{cube.DialogPrivate: "private", cube.DialogGroup: "group"}[typ], func(t *testing.T) {
			offlinePeerCatchesUp(t, typ)
		})
	}
}

func offlinePeerCatchesUp(t *testing.T, dialogType int) {
	const total = 300
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, dialogType, "offline", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.e.Send(h.ctx, dialog, "before")
	if err != nil {
		t.Fatal(err)
	}
	b.waitMessages(dialog, 1, func(m cache.Message) bool { return m.ID == first })

	b.close() // bob is offline: engine stopped, cache closed
	var want []string
	for i := range total {
		id, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("n-%03d", i))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		want = append(want, id)
	}
	a.waitOutboxEmpty()

	b.restart()
	b.waitMessages(dialog, total, func(m cache.Message) bool { return m.ID != first })
	// Until the catch-up is done the order within a second may still be a guess: a
	// message queued offline arrives live after a page that named a later one of its
	// second, and the page that names it too re-ranks that second.
	b.waitSynced()
	var got []cache.Message
	for _, m := range b.messages(dialog) {
		if m.ID != first {
			got = append(got, m)
		}
	}
	if len(got) != total {
		t.Fatalf("bob holds %d messages, want %d", len(got), total)
	}
	for i, m := range got {
		if m.ID != want[i] || m.Body != fmt.Sprintf("n-%03d", i) {
			t.Fatalf("message %d is %s %q, want %s n-%03d (each once, in order)", i, m.ID, m.Body, want[i], i)
		}
	}
	gaps, err := b.db.Gaps(h.ctx, dialog)
	if err != nil || len(gaps) != 0 {
		t.Fatalf("gaps after a within-budget catch-up: %v %v", gaps, err)
	}
}
