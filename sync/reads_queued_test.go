package sync

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// readPair is ann (direct) and bob (through fault proxies) with a private dialog,
// and n messages from ann that bob holds unread.
func readPair(t *testing.T, n int) (h *harness, a *peer, b *proxied, dialog string, sent []string) {
	h = newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a = h.newPeer(ann)
	b = h.newProxiedPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("unread %d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, id)
	}
	b.waitMessages(dialog, n, func(m cache.Message) bool { return m.SenderID == ann.ID })
	b.waitFor(fmt.Sprintf("%d unread", n), func() (bool, string) {
		d, err := b.db.Dialog(h.ctx, dialog)
		return err == nil && d.UnreadCount == n, fmt.Sprintf("%+v %v", d, err)
	})
	a.waitOutboxEmpty()
	return h, a, b, dialog, sent
}

// waitAllRead waits until the sender's cache shows every message read by reader, and
// checks that the server says the same.
func waitAllRead(t *testing.T, h *harness, sender *peer, dialog string, ids []string, reader int64) {
	t.Helper()
	sender.waitFor("every message read in the sender's cache", func() (bool, string) {
		unread := 0
		for _, id := range ids {
			m, err := sender.db.Message(h.ctx, id)
			if err != nil || m.State != cache.StateRead || !slices.Contains(m.ReadIDs, reader) {
				unread++
			}
		}
		return unread == 0, fmt.Sprintf("%d of %d not read", unread, len(ids))
	})
	c := h.client(sender.acc)
	list, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list.Items {
		if slices.Contains(ids, m.ID) && !slices.Contains(m.ReadIDs, reader) {
			t.Fatalf("the server does not count message %s read by %d: %v", m.ID, reader, m.ReadIDs)
		}
	}
}

// TestQueuedReadIsSentWhenTheServerAnswersAgain: a read made while REST is cut (the
// chat stays up) is queued; once REST answers again it reaches the server without
// anything else waking the outbox, and the sender's ticks turn.
func TestQueuedReadIsSentWhenTheServerAnswersAgain(t *testing.T) {
	h, a, b, dialog, sent := readPair(t, 3)
	bobREST := h.client(b.acc)

	b.rest.block()
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatalf("MarkRead with REST cut: %v", err)
	}
	if d, _ := b.db.Dialog(h.ctx, dialog); d.UnreadCount != 0 {
		t.Fatalf("the badge after reading offline: %d", d.UnreadCount)
	}
	if n := serverUnread(t, h, bobREST, dialog); n != 3 {
		t.Fatalf("the server counts %d unread before the read could reach it", n)
	}
	b.rest.unblock()
	poll(t, "the queued read reaching the server", func() (bool, string) {
		n := serverUnread(t, h, bobREST, dialog)
		return n == 0, fmt.Sprintf("%d unread on the server", n)
	})
	waitAllRead(t, h, a, dialog, sent, b.acc.ID)
	if d, _ := b.db.Dialog(h.ctx, dialog); d.UnreadCount != 0 {
		t.Fatalf("bob's badge after the read was sent: %d", d.UnreadCount)
	}
}

// TestReadTicksFollowTheServerWhileLive: every message a read covers on the server
// turns read in the sender's cache while both stay connected — also when the reader
// had more than a screenful unread, and when the reader's chat was down at the time
// of the read (REST up): its markers go on the next Ready.
func TestReadTicksFollowTheServerWhileLive(t *testing.T) {
	t.Run("many unread", func(t *testing.T) {
		h, a, b, dialog, sent := readPair(t, 80)
		if err := b.e.MarkRead(h.ctx, dialog); err != nil {
			t.Fatal(err)
		}
		waitAllRead(t, h, a, dialog, sent, b.acc.ID)
	})
	t.Run("chat down at the read", func(t *testing.T) {
		h, a, b, dialog, sent := readPair(t, 2)
		b.chat.block()
		b.waitFor("the chat down", func() (bool, string) {
			s := b.e.Status()
			return s.State != StateReady, fmt.Sprintf("%+v", s)
		})
		if err := b.e.MarkRead(h.ctx, dialog); err != nil {
			t.Fatal(err)
		}
		if n := serverUnread(t, h, h.client(b.acc), dialog); n != 0 {
			t.Fatalf("the server counts %d unread after a read over REST", n)
		}
		b.chat.unblock()
		b.e.ReconnectNow()
		waitAllRead(t, h, a, dialog, sent, b.acc.ID)
	})
}
