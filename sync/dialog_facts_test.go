package sync

import (
	"errors"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

// TestSendToADialogLeftFails: sending remembers what it read of a dialog, yet once
// the user has left a group (it is removed from the cache) a send into it fails as
// it always did, instead of queueing a message for a dialog that is gone.
func TestSendToADialogLeftFails(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	group := groupWith(t, a, "short-lived", bob.ID)
	sendAndWait(t, a, b, group, "hello before leaving")
	if err := a.e.LeaveDialog(h.ctx, group); err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Send(h.ctx, group, "after leaving"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("send into a dialog left: %v, want ErrNotFound", err)
	}
}
