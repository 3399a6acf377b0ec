package sync

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// TestReconnectCostDoesNotGrowWithTheDialogs: with more cached dialogs than one
// unread-count request names by id, a reconnect with one dialog moved asks the
// server a constant handful of requests — one unread-count request for all dialogs,
// messages of the moved dialog (and of the one sharing the dialog cursor's second)
// only — and still corrects every cached unread count that is wrong, whether the
// server lists it (unread) or leaves it out (none unread). A server whose id-less
// answer holds the total only is asked by id instead.
func TestReconnectCostDoesNotGrowWithTheDialogs(t *testing.T) {
	const dialogs = 2*unreadChunk + 50
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	ids := seedGroups(h, ann, bob, dialogs) // one message each, unread for bob
	// The newest activity alone in its second, as activity spread over time is.
	time.Sleep(1100 * time.Millisecond)
	if _, err := h.srv.Store().StoreChatMessage(h.ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: ids[0],
		Message: "the newest", SenderID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	counter, proxyURL := newRequestCounter(h)
	b := h.newPeerWith(bob, func(p *Profile) { p.APIURL = proxyURL }) // REST through the counter
	b.waitSynced()
	unread := func(id string) int {
		d, err := b.db.Dialog(h.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d.UnreadCount
	}
	if n := unread(ids[7]); n != 1 {
		t.Fatalf("after the first sync dialog 7 counts %d unread, want 1", n)
	}

	// Read on another device: dialog 5 moves. Meanwhile two cached counts went wrong
	// here, in dialogs that did not move.
	time.Sleep(1100 * time.Millisecond)
	if err := h.client(bob).UpdateMessages(h.ctx, ids[5], nil, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	skew := func() {
		for _, id := range []string{ids[7], ids[dialogs-1]} {
			if err := b.db.SetUnread(h.ctx, id, 9); err != nil {
				t.Fatal(err)
			}
		}
	}
	skew()
	counter.take()
	b.reconnect()
	asked := counter.take()
	if n := asked["GET /chat/Message/unread"]; n != 1 {
		t.Fatalf("reconnect asked unread counts %d times, want once: %v", n, asked)
	}
	if n := asked["GET /chat/Message"]; n > 2 {
		t.Fatalf("reconnect listed messages %d times, want at most 2 (the moved dialog, the cursor's second): %v", n, asked)
	}
	if a, b, c := unread(ids[5]), unread(ids[7]), unread(ids[dialogs-1]); a != 0 || b != 1 || c != 1 {
		t.Fatalf("after the reconnect unread counts are %d, %d, %d; want 0 (read elsewhere), 1, 1 (corrected)", a, b, c)
	}
	// A count the server leaves out of its answer is none unread.
	if err := b.db.SetUnread(h.ctx, ids[5], 4); err != nil {
		t.Fatal(err)
	}

	counter.unreadTotalOnly.Store(true)
	skew()
	b.reconnect()
	asked = counter.take()
	if n := asked["GET /chat/Message/unread"]; n != 1+3 {
		t.Fatalf("with a total-only answer, reconnect asked unread counts %d times, want 1 + 3 by id: %v", n, asked)
	}
	if a, b, c := unread(ids[5]), unread(ids[7]), unread(ids[dialogs-1]); a != 0 || b != 1 || c != 1 {
		t.Fatalf("after a total-only answer unread counts are %d, %d, %d; want 0, 1, 1", a, b, c)
	}
}

// TestCatchUpPagesThroughCrowdedSeconds: pages go on from the oldest second fetched
// (date_sent[lte] it, skipping what was fetched of it), so seconds that hold more
// than a page, and seconds split by a page boundary, still arrive whole, each in the
// order the server stored its messages.
func TestCatchUpPagesThroughCrowdedSeconds(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	ids := seedGroups(h, ann, bob, 3)
	base := time.Now().Add(-time.Hour).Unix()
	for d, counts := range [][]int{{130, 120, 50}, {99, 1, 100, 1}, {250}} {
		sec := base
		for _, n := range counts {
			for i := range n {
				if _, err := h.srv.Store().StoreChatMessage(h.ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: ids[d],
					Message: fmt.Sprintf("second %d, message %d", sec, i), DateSent: sec, SenderID: ann.ID}); err != nil {
					t.Fatal(err)
				}
			}
			sec++
		}
	}
	b := &peer{h: h, acc: bob, path: filepath.Join(t.TempDir(), "bob.db")}
	b.open()
	// A returning user: every missed message is fetched (within the budget).
	if err := b.db.SetCursor(h.ctx, dialogsCursorKey, "1"); err != nil {
		t.Fatal(err)
	}
	if err := b.e.Login(h.ctx, bob.Login, bob.password); err != nil {
		t.Fatal(err)
	}
	b.e.Start(h.ctx)
	b.waitSynced()
	c := h.client(bob)
	for _, id := range ids {
		var want []string
		for {
			page, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: id, SortAsc: "date_sent", Limit: pageSize, Skip: len(want)})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.Items {
				want = append(want, m.ID)
			}
			if len(page.Items) < pageSize {
				break
			}
		}
		var got []string
		for _, m := range b.messages(id) {
			got = append(got, m.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("dialog %s: the cache holds %d messages, the server %d, or not in the server's order", id, len(got), len(want))
		}
	}
}

// TestCatchUpCursorsWaitForCommits: when the cache refuses the catch-up's pages
// (disk full) part way, no dialog's cursor moves past messages it does not hold;
// once the cache takes writes again, the retried catch-up brings everything in.
func TestCatchUpCursorsWaitForCommits(t *testing.T) {
	const dialogs, perDialog = 6, 400
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	ids := seedGroups(h, ann, bob, dialogs)
	seedHistory(h, ann, ids, perDialog-1)
	b := &peer{h: h, acc: bob, path: filepath.Join(t.TempDir(), "bob.db")}
	b.open()
	if err := b.db.SetCursor(h.ctx, dialogsCursorKey, "1"); err != nil {
		t.Fatal(err)
	}
	// Room for the dialogs and some pages, not for everything.
	if err := b.db.LimitSize(h.ctx, 60); err != nil {
		t.Fatal(err)
	}
	if err := b.e.Login(h.ctx, bob.Login, bob.password); err != nil {
		t.Fatal(err)
	}
	b.e.Start(h.ctx)
	b.waitFor("the catch-up to fail on the full cache", func() (bool, string) {
		s := b.e.Status()
		return s.Err != nil, fmt.Sprintf("%+v", s)
	})
	stored := func(id string) int { return len(b.messages(id)) }
	cursors, err := b.db.PrefixedCursors(h.ctx, messageCursorKey)
	if err != nil {
		t.Fatal(err)
	}
	partial := 0
	for _, id := range ids {
		n := stored(id)
		if _, moved := cursors[id]; moved && n != perDialog {
			t.Fatalf("dialog %s has a cursor but holds %d of %d messages", id, n, perDialog)
		}
		if n < perDialog {
			partial++
		}
	}
	if partial == 0 {
		t.Fatal("the size limit refused nothing: the test proves nothing")
	}
	if err := b.db.LimitSize(h.ctx, -1); err != nil {
		t.Fatal(err)
	}
	b.waitSynced()
	for _, id := range ids {
		if n := stored(id); n != perDialog {
			t.Fatalf("after the retry dialog %s holds %d of %d messages", id, n, perDialog)
		}
	}
}
