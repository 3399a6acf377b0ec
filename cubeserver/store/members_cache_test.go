package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// DialogMembers answers from its cache across message writes, but every membership
// change shows at once: occupants pushed and pulled, the dialog deleted, a user deleted.
func TestDialogMembersSeesEveryChangeDespiteItsCache(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	owner, a, b := mustUser(t, s, "owner"), mustUser(t, s, "a"), mustUser(t, s, "b")
	d, _, err := s.CreateDialog(ctx, NewDialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OwnerID: owner.ID,
		Name: "g", OccupantIDs: []int64{a.ID}})
	if err != nil {
		t.Fatal(err)
	}
	occupants := func() string {
		t.Helper()
		m, err := s.DialogMembers(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(m.OccupantsIDs)
	}
	want := fmt.Sprint([]int64{owner.ID, a.ID})
	if got := occupants(); got != want {
		t.Fatalf("occupants %s, want %s", got, want)
	}
	// A stored message is a grouped write: the cached entry stays current.
	if _, err := s.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.members.get(d.ID); !ok {
		t.Fatal("a stored message invalidated the members cache")
	}
	// A caller changing what it got does not change the cache.
	m, _ := s.DialogMembers(ctx, d.ID)
	m.OccupantsIDs[0] = 999
	if got := occupants(); got != want {
		t.Fatalf("cache changed through a returned dialog: %s", got)
	}

	if _, err := s.UpdateDialog(ctx, d.ID, owner.ID, DialogChanges{PushOccupants: []int64{b.ID}}); err != nil {
		t.Fatal(err)
	}
	if got, want := occupants(), fmt.Sprint([]int64{owner.ID, a.ID, b.ID}); got != want {
		t.Fatalf("after push: occupants %s, want %s", got, want)
	}
	if _, err := s.UpdateDialog(ctx, d.ID, owner.ID, DialogChanges{PullOccupants: []int64{a.ID}}); err != nil {
		t.Fatal(err)
	}
	if got, want := occupants(), fmt.Sprint([]int64{owner.ID, b.ID}); got != want {
		t.Fatalf("after pull: occupants %s, want %s", got, want)
	}
	if _, err := s.DeleteUser(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := occupants(), fmt.Sprint([]int64{owner.ID}); got != want {
		t.Fatalf("after deleting a user: occupants %s, want %s", got, want)
	}
	if err := s.DeleteDialog(ctx, d.ID, owner.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DialogMembers(ctx, d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted dialog: %v, want ErrNotFound", err)
	}
}
