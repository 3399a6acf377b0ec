package sync

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestOnlineInDialogFollowsConnections: a group's online occupants are read from its
// room through the live connection; a peer that quits drops out; without a connection
// the call says offline.
func TestOnlineInDialogFollowsConnections(t *testing.T) {
	h := newHarness(t)
	ann, bob, cat := h.user("ann"), h.user("bob"), h.user("cat")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	group, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "crew", []int64{bob.ID, cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	online := func(want []int64) func() (bool, string) {
		return func() (bool, string) {
			ids, err := a.e.OnlineInDialog(h.ctx, group)
			return err == nil && slices.Equal(ids, want), fmt.Sprintf("%v, %v", ids, err)
		}
	}
	a.waitFor("ann and bob online", online([]int64{ann.ID, bob.ID}))
	b.close()
	a.waitFor("bob gone", online([]int64{ann.ID}))
	engine := a.e
	a.close()
	if _, err := engine.OnlineInDialog(h.ctx, group); !errors.Is(err, ErrOffline) {
		t.Fatalf("closed engine: err = %v, want ErrOffline", err)
	}
}
