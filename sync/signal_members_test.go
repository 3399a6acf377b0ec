package sync

import (
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestSignalsFromOutsidersAreIgnored feeds the live pipeline's signal handler the
// events a forged stanza would produce (a stranger's reaction, read tick, edit,
// deletion, typing) on a real engine and cache: none changes anything, while the same
// signals from the dialog's members do (so the filter cannot pass by ignoring all).
func TestSignalsFromOutsidersAreIgnored(t *testing.T) {
	h := newHarness(t)
	ann, bob, eve := h.user("ann"), h.user("bob"), h.user("eve")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	private, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	group, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "team", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, dialogID := range []string{private, group} {
		id, err := a.e.Send(h.ctx, dialogID, "mine")
		if err != nil {
			t.Fatal(err)
		}
		b.waitMessages(dialogID, 1, func(m cache.Message) bool { return m.ID == id })
		a.waitOutboxEmpty()
		msg := func() cache.Message {
			m, err := a.db.Message(h.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return *m
		}
		signals := func(from int64) []cube.Event {
			return []cube.Event{
				cube.ReactionEvent{MessageID: id, DialogID: dialogID, UserID: from, Add: []string{"👎"}},
				cube.MarkerEvent{Kind: cube.MarkerRead, MessageID: id, DialogID: dialogID, UserID: from},
			}
		}
		for _, ev := range signals(eve.ID) {
			a.e.handleSignal(h.ctx, nil, ev)
		}
		a.e.handleSignal(h.ctx, nil, cube.EditEvent{MessageID: id, DialogID: dialogID, UserID: eve.ID, Body: "forged"})
		a.e.handleSignal(h.ctx, nil, cube.DeleteEvent{MessageID: id, DialogID: dialogID, UserID: eve.ID})
		if m := msg(); len(m.Reactions) != 0 || slices.Contains(m.ReadIDs, eve.ID) || m.Body != "mine" || m.Deleted {
			t.Fatalf("%s: an outsider's signals changed the message: %+v", dialogID, m)
		}
		// A member's deletion of someone else's message in a private dialog is refused too.
		a.e.handleSignal(h.ctx, nil, cube.DeleteEvent{MessageID: id, DialogID: dialogID, UserID: bob.ID})
		if dialogID == private && msg().Deleted {
			t.Fatal("the peer deleted my message")
		}
		// The same signals from the member apply.
		for _, ev := range signals(bob.ID) {
			a.e.handleSignal(h.ctx, nil, ev)
		}
		if m := msg(); !slices.Equal(m.Reactions["👎"], []int64{bob.ID}) || !slices.Contains(m.ReadIDs, bob.ID) {
			t.Fatalf("%s: a member's signals were not applied: %+v", dialogID, m)
		}
	}
	// Typing in the group: an outsider's is not shown, a member's is.
	a.e.handleSignal(h.ctx, nil, cube.TypingEvent{DialogID: group, UserID: eve.ID, Typing: true})
	if got := a.e.TypingUsers(group); len(got) != 0 {
		t.Fatalf("an outsider shows as typing: %v", got)
	}
	a.e.handleSignal(h.ctx, nil, cube.TypingEvent{DialogID: group, UserID: bob.ID, Typing: true})
	if got := a.e.TypingUsers(group); !slices.Equal(got, []int64{bob.ID}) {
		t.Fatalf("typing users = %v, want bob", got)
	}
}
