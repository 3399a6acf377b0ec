package sync

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// waitUnreadLikeServer waits until p's cached count for dialog equals want and the
// server's count for p's user equals it too.
func waitUnreadLikeServer(t *testing.T, h *harness, p *peer, c *cube.Client, dialog string, want int) {
	t.Helper()
	p.waitFor(fmt.Sprintf("%d unread, as on the server", want), func() (bool, string) {
		d, err := p.db.Dialog(h.ctx, dialog)
		if err != nil {
			return false, err.Error()
		}
		srv := serverUnread(t, h, c, dialog)
		return d.UnreadCount == want && srv == want, fmt.Sprintf("cache %d, server %d", d.UnreadCount, srv)
	})
}

// unreadTrio is ann and two devices of bob (desk, phone), all synced, with a private
// dialog; with warm set, both of bob's devices already hold it and have read it
// (each itself, so that the warm-up does not depend on the counts converging).
func unreadTrio(t *testing.T, warm bool) (h *harness, a, desk, phone *peer, dialog string) {
	h = newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a = h.newPeer(ann)
	desk, phone = h.newPeer(bob), h.newPeer(bob)
	for _, p := range []*peer{a, desk, phone} {
		p.waitSynced()
	}
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	if warm {
		id := sendAll(t, h, a, dialog, 1)[0]
		for _, p := range []*peer{desk, phone} {
			p.waitMessage(id, "the first message", func(cache.Message) bool { return true })
		}
		for _, p := range []*peer{desk, phone} {
			if err := p.e.MarkRead(h.ctx, dialog); err != nil {
				t.Fatal(err)
			}
			p.e.OpenDialog("") // read, then closed: new messages count as unread
		}
		for _, p := range []*peer{desk, phone} {
			waitUnreadLikeServer(t, h, p, h.client(bob), dialog, 0)
		}
	}
	return h, a, desk, phone, dialog
}

// sendAll sends n messages from p and waits until the server has them.
func sendAll(t *testing.T, h *harness, p *peer, dialog string, n int) []string {
	t.Helper()
	var sent []string
	for i := range n {
		id, err := p.e.Send(h.ctx, dialog, fmt.Sprintf("count me %d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, id)
	}
	p.waitOutboxEmpty()
	return sent
}

// TestLiveUnreadCountsFollowTheServer: counts kept live end equal to the server's
// without a reconnect, for each way they used to drift.
func TestLiveUnreadCountsFollowTheServer(t *testing.T) {
	t.Run("burst into a dialog first fetched for one of its messages", func(t *testing.T) {
		h, a, desk, phone, dialog := unreadTrio(t, false)
		sent := sendAll(t, h, a, dialog, 4)
		for _, p := range []*peer{desk, phone} {
			p.waitMessages(dialog, 4, func(m cache.Message) bool { return slices.Contains(sent, m.ID) })
			waitUnreadLikeServer(t, h, p, h.client(p.acc), dialog, 4)
		}
	})
	t.Run("read on the other device", func(t *testing.T) {
		h, a, desk, phone, dialog := unreadTrio(t, true)
		sendAll(t, h, a, dialog, 3)
		waitUnreadLikeServer(t, h, desk, h.client(desk.acc), dialog, 3)
		waitUnreadLikeServer(t, h, phone, h.client(phone.acc), dialog, 3)
		if err := phone.e.MarkRead(h.ctx, dialog); err != nil {
			t.Fatal(err)
		}
		waitUnreadLikeServer(t, h, desk, h.client(desk.acc), dialog, 0)
	})
	t.Run("deleted for everyone", func(t *testing.T) {
		h, a, desk, _, dialog := unreadTrio(t, true)
		sent := sendAll(t, h, a, dialog, 2)
		waitUnreadLikeServer(t, h, desk, h.client(desk.acc), dialog, 2)
		if err := a.e.Delete(h.ctx, sent[0], true); err != nil {
			t.Fatal(err)
		}
		desk.waitMessage(sent[0], "the deletion", func(m cache.Message) bool { return m.Deleted })
		waitUnreadLikeServer(t, h, desk, h.client(desk.acc), dialog, 1)
	})
}

// TestFocusReadsTheOpenDialog: messages that arrive into the open dialog while the
// window is in the background count as unread; when the window gets the focus back
// they are read — the badge clears, the server agrees, the sender's ticks turn.
func TestFocusReadsTheOpenDialog(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "hi")
	if err := b.e.MarkRead(ctx, pr.dialog); err != nil {
		t.Fatal(err)
	}
	b.e.SetFocused(false)
	var sent []string
	for i := range 2 {
		sent = append(sent, pr.exchange(a, b, fmt.Sprintf("while you were away %d", i)))
	}
	bobREST := pr.h.client(b.acc)
	waitUnreadLikeServer(t, pr.h, b, bobREST, pr.dialog, 2)

	b.e.SetFocused(true)
	waitUnreadLikeServer(t, pr.h, b, bobREST, pr.dialog, 0)
	waitAllRead(t, pr.h, a, pr.dialog, sent, b.acc.ID)
}

// TestOpenDialogCaughtUpIsRead: messages that reach the dialog on screen by catch-up
// (they came to a group while the chat was down), not live, are read like live ones: the cache,
// the server and the sender's ticks agree.
func TestOpenDialogCaughtUpIsRead(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	b := h.newProxiedPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "team", []int64{bob.ID}) // group messages are not queued for the offline
	if err != nil {
		t.Fatal(err)
	}
	pr := &pair{h: h, a: a, b: b.peer, dialog: dialog}
	pr.exchange(a, b.peer, "hi")
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	b.chat.block()
	b.waitFor("the chat down", func() (bool, string) {
		s := b.e.Status()
		return s.State != StateReady, fmt.Sprintf("%+v", s)
	})
	var sent []string
	for i := range 2 {
		id, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("while your chat was down %d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, id)
	}
	a.waitOutboxEmpty()
	b.chat.unblock()
	b.e.ReconnectNow()
	b.waitMessages(dialog, 2, func(m cache.Message) bool { return slices.Contains(sent, m.ID) })
	waitUnreadLikeServer(t, h, b.peer, h.client(bob), dialog, 0)
	waitAllRead(t, h, a, dialog, sent, bob.ID)
}

// Under traffic that never settles, the live unread refresh still waits, after
// unreadMaxDelay, for a short gap between two touches: it runs between messages,
// not on top of one.
func TestUnreadRefreshWaitsForAGapUnderSteadyTraffic(t *testing.T) {
	e := &Engine{unread: newUnreadBook()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var lastTouch atomic.Int64
	stopTouching := unreadMaxDelay + unreadGapLongest*2/5
	start := time.Now()
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for time.Since(start) < stopTouching {
			lastTouch.Store(time.Now().UnixNano())
			e.unread.touch("d1")
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	if !e.awaitQuiet(ctx) {
		t.Fatal("awaitQuiet = false without cancel")
	}
	// A touch is stamped just before it is made, so the stamp can run a little ahead of
	// what the wait saw; half the gap is the margin. Without the gap the wait ends at
	// unreadMaxDelay, within a millisecond of a touch.
	returned := time.Now()
	if since := returned.Sub(time.Unix(0, lastTouch.Load())); since < unreadGap/2 {
		t.Fatalf("returned %v after the last touch (%v after the start), want a gap of about %v",
			since, returned.Sub(start), unreadGap)
	}
}
