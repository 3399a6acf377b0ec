package sync

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A permanent answer about one item settles that item and never blocks the rest of
// the catch-up. Each test below leaves one such item for bob while he is offline,
// plus ordinary changes in other dialogs, and checks that after his restart the
// catch-up completes (no error, not syncing), the item is settled and the other
// changes (a group rename, a new message, its unread count) arrive.

// settleScene is ann, bob and the dialogs whose later changes must still arrive.
type settleScene struct {
	h       *harness
	ann     account
	a, b    *peer
	annC    *cube.Client
	renamed string // a group ann renames while bob is away
	chatter string // a group where ann writes while bob is away
}

func newSettleScene(t *testing.T) *settleScene {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	s := &settleScene{h: h, ann: ann, a: h.newPeer(ann), b: h.newPeer(bob)}
	s.a.waitSynced()
	s.b.waitSynced()
	s.annC = h.client(ann)
	s.renamed = groupWith(t, s.a, "old name", bob.ID)
	s.chatter = groupWith(t, s.a, "chatter", bob.ID)
	sendAndWait(t, s.a, s.b, s.chatter, "before")
	sendAndWait(t, s.a, s.b, s.renamed, "before too")
	return s
}

// laterChanges are made while bob is away, after the bad item.
func (s *settleScene) laterChanges(t *testing.T) (newMessage string) {
	t.Helper()
	name := "new name"
	if _, err := s.annC.UpdateDialog(s.h.ctx, s.renamed, cube.DialogUpdate{Name: &name}); err != nil {
		t.Fatalf("renaming: %v", err)
	}
	return sendAndWaitServer(t, s.a, s.chatter, "while you were away")
}

// checkCaughtUp restarts bob and checks that the catch-up completed and brought
// the later changes.
func (s *settleScene) checkCaughtUp(t *testing.T, newMessage string) {
	t.Helper()
	b := s.b
	b.restart()
	b.waitFor("a completed catch-up without error", func() (bool, string) {
		st := b.e.Status()
		return st.State == StateReady && !st.Syncing && st.Err == nil, fmt.Sprintf("%+v", st)
	})
	b.waitMessage(newMessage, "the new message", func(cache.Message) bool { return true })
	b.waitFor("the rename and the unread count", func() (bool, string) {
		r, err1 := b.db.Dialog(s.h.ctx, s.renamed)
		c, err2 := b.db.Dialog(s.h.ctx, s.chatter)
		if err := errors.Join(err1, err2); err != nil {
			return false, err.Error()
		}
		return r.Name == "new name" && c.UnreadCount == 2, fmt.Sprintf("name %q, unread %d", r.Name, c.UnreadCount)
	})
}

func TestCatchUpSettlesADeletedReactedMessage(t *testing.T) {
	s := newSettleScene(t)
	ctx, a, b := s.h.ctx, s.a, s.b
	reacted := groupWith(t, a, "reacted", b.acc.ID)
	id := sendAndWait(t, a, b, reacted, "react to me")
	if err := a.e.React(ctx, id, "👍"); err != nil {
		t.Fatal(err)
	}
	b.waitMessage(id, "ann's reaction", func(m cache.Message) bool { return len(m.Reactions["👍"]) == 1 })
	b.close()

	if _, err := s.annC.DeleteMessages(ctx, []string{id}, true); err != nil {
		t.Fatalf("deleting for everyone: %v", err)
	}
	later := s.laterChanges(t)
	s.checkCaughtUp(t, later)
	b.waitMessage(id, "the deletion", func(m cache.Message) bool { return m.Deleted && m.Body == "" && len(m.Reactions) == 0 })
}

func TestCatchUpSettlesADialogDeletedByItsOwner(t *testing.T) {
	s := newSettleScene(t)
	ctx, a, b := s.h.ctx, s.a, s.b
	doomed := groupWith(t, a, "doomed", b.acc.ID)
	sendAndWait(t, a, b, doomed, "soon gone")
	b.close()

	if _, err := s.annC.DeleteDialogs(ctx, []string{doomed}, true); err != nil {
		t.Fatalf("deleting the dialog for everyone: %v", err)
	}
	later := s.laterChanges(t)
	s.checkCaughtUp(t, later)
	b.waitFor("the deleted dialog to go", func() (bool, string) {
		_, err := b.db.Dialog(ctx, doomed)
		return errors.Is(err, cache.ErrNotFound), fmt.Sprintf("%v", err)
	})
}

func TestCatchUpSettlesADialogTheUserWasRemovedFrom(t *testing.T) {
	s := newSettleScene(t)
	ctx, a, b := s.h.ctx, s.a, s.b
	club := groupWith(t, a, "club", b.acc.ID)
	sendAndWait(t, a, b, club, "welcome")
	b.close()

	if _, err := s.annC.UpdateDialog(ctx, club, cube.DialogUpdate{PullOccupants: []int64{b.acc.ID}}); err != nil {
		t.Fatalf("removing bob: %v", err)
	}
	later := s.laterChanges(t)
	s.checkCaughtUp(t, later)
	b.waitFor("the dialog bob was removed from to go", func() (bool, string) {
		_, err := b.db.Dialog(ctx, club)
		return errors.Is(err, cache.ErrNotFound), fmt.Sprintf("%v", err)
	})
}

// A private chat the user deleted for themselves on another device is no longer
// listed but still readable: it becomes hidden here too, and comes back with the
// peer's next message.
func TestCatchUpHidesAChatHiddenOnAnotherDevice(t *testing.T) {
	s := newSettleScene(t)
	ctx, a, b := s.h.ctx, s.a, s.b
	chat, err := a.e.CreateDialog(ctx, cube.DialogPrivate, "", []int64{b.acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	sendAndWait(t, a, b, chat, "psst")
	b.close()

	if _, err := s.h.client(b.acc).DeleteDialogs(ctx, []string{chat}, false); err != nil {
		t.Fatalf("deleting the chat for bob only: %v", err)
	}
	later := s.laterChanges(t)
	s.checkCaughtUp(t, later)
	b.waitFor("the chat hidden", func() (bool, string) {
		d, err := b.db.Dialog(ctx, chat)
		if err != nil {
			return false, err.Error()
		}
		return d.Hidden, fmt.Sprintf("%+v", d)
	})

	// The cache shows a hidden chat again for a message sent in a later second than
	// its newest one at hiding time (date_sent has one-second resolution).
	time.Sleep(1100 * time.Millisecond)
	back := sendAndWaitServer(t, a, chat, "are you there?")
	b.waitMessage(back, "the peer's next message", func(cache.Message) bool { return true })
	b.waitFor("the chat shown again", func() (bool, string) {
		d, err := b.db.Dialog(ctx, chat)
		if err != nil {
			return false, err.Error()
		}
		return !d.Hidden, fmt.Sprintf("%+v", d)
	})
}
