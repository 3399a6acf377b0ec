package sync

import (
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestListingTakenBeforeALiveMessageIsListedAgain: a catch-up page names x, new to
// bob's cache; before the page is written, y (stored on the server after the page was
// taken, in x's second) reaches bob live and is ranked last. The page then puts x
// after y, the one message of the second it did not name, a guess it cannot settle:
// the second is listed again, and bob's cache takes the server's order (x, then y)
// and y as the dialog's last message (the short soak's "user 0 shows … as the last
// message of …").
func TestListingTakenBeforeALiveMessageIsListedAgain(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "unsure", bob.ID)
	second := time.Now().Add(-time.Minute).Unix()

	x := postMessage(t, h, h.client(ann), dialog, "x, not delivered live", second, false)
	asked := time.Now()
	page, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{x}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("listing x: %v", err)
	}
	y := postMessage(t, h, h.client(ann), dialog, "y, delivered live", second, true)
	b.waitMessage(y, "y live", func(cache.Message) bool { return true })

	if _, err := b.e.upsertWire(h.ctx, page.Items, bob.ID, newChangesListing(true), asked); err != nil {
		t.Fatal(err)
	}
	ids, last, unread := serverOrder(t, h, h.client(bob), dialog)
	if !slices.Equal(ids, []string{x, y}) || last != y {
		t.Fatalf("the server lists %v with last %s; want x %s then y %s", ids, last, x, y)
	}
	assertServerOrder(t, b, dialog, ids, last, unread)
}
