package sync

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// pair is two running engines with a private dialog between them.
type pair struct {
	h      *harness
	a, b   *peer
	dialog string
}

func newPair(t *testing.T) *pair {
	return pairIn(newHarness(t), cube.DialogPrivate, "")
}

// pairIn is ann and bob, synced on h, with a dialog of typ (named name) between them.
func pairIn(h *harness, typ int, name string) *pair {
	h.t.Helper()
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, typ, name, []int64{bob.ID})
	if err != nil {
		h.t.Fatalf("creating the dialog: %v", err)
	}
	return &pair{h: h, a: a, b: b, dialog: dialog}
}

// exchange sends text from p to the other side and waits until both hold it.
func (pr *pair) exchange(from, to *peer, text string) string {
	pr.h.t.Helper()
	id, err := from.e.Send(pr.h.ctx, pr.dialog, text)
	if err != nil {
		pr.h.t.Fatalf("send: %v", err)
	}
	to.waitMessages(pr.dialog, 1, func(m cache.Message) bool { return m.ID == id })
	from.waitOutboxEmpty()
	return id
}

// waitMessage waits until the cached message id satisfies cond.
func (p *peer) waitMessage(id, what string, cond func(m cache.Message) bool) cache.Message {
	p.h.t.Helper()
	var got cache.Message
	p.waitFor(what, func() (bool, string) {
		m, err := p.db.Message(p.h.ctx, id)
		if err != nil {
			return false, err.Error()
		}
		got = *m
		return cond(*m), fmt.Sprintf("%+v", *m)
	})
	return got
}

// waitEvent reads the engine's event stream until keep accepts an event.
func waitEvent(t *testing.T, ch <-chan Event, what string, keep func(Event) bool) Event {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("%s: event stream closed", what)
			}
			if keep(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("%s: no such event within %s", what, waitLimit)
		}
	}
}

func TestEditReactDeleteReachThePeerLive(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "helo")

	if err := a.e.Edit(ctx, id, "hello"); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if m, _ := a.db.Message(ctx, id); m.Body != "hello" || !m.Edited() {
		t.Fatalf("the edit is not applied locally at once: %+v", m)
	}
	b.waitMessage(id, "the edit", func(m cache.Message) bool { return m.Body == "hello" && m.Edited() })
	a.waitMessage(id, "the edit confirmed", func(m cache.Message) bool { return !m.EditPending })

	if err := b.e.React(ctx, id, "👍"); err != nil {
		t.Fatalf("React: %v", err)
	}
	a.waitMessage(id, "bob's reaction", func(m cache.Message) bool {
		return slices.Equal(m.Reactions["👍"], []int64{b.acc.ID})
	})
	// One reaction per user: another emoji replaces it; the same one again removes it.
	if err := b.e.React(ctx, id, "🔥"); err != nil {
		t.Fatalf("React: %v", err)
	}
	a.waitMessage(id, "the switched reaction", func(m cache.Message) bool {
		return len(m.Reactions) == 1 && slices.Equal(m.Reactions["🔥"], []int64{b.acc.ID})
	})
	if err := b.e.React(ctx, id, "🔥"); err != nil {
		t.Fatalf("React: %v", err)
	}
	a.waitMessage(id, "the removed reaction", func(m cache.Message) bool { return len(m.Reactions) == 0 })

	if err := a.e.Delete(ctx, id, true); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	b.waitMessage(id, "the deletion", func(m cache.Message) bool { return m.Deleted && m.Body == "" })
	a.waitFor("an empty action queue", func() (bool, string) {
		q, err := a.db.Actions(ctx)
		return err == nil && len(q) == 0, fmt.Sprintf("%d queued, %v", len(q), err)
	})
}

func TestChangesWhileAwayArriveWithCatchUp(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	edited := pr.exchange(a, b, "first draft")
	reacted := pr.exchange(a, b, "react to me")
	deleted := pr.exchange(a, b, "regrettable")
	pr.exchange(a, b, "newest") // the changed ones are not the dialog's last message
	b.close()
	time.Sleep(1100 * time.Millisecond) // changes land in a later second than B's last pass

	if err := a.e.Edit(ctx, edited, "final text"); err != nil {
		t.Fatal(err)
	}
	if err := a.e.React(ctx, reacted, "🎉"); err != nil {
		t.Fatal(err)
	}
	if err := a.e.Delete(ctx, deleted, true); err != nil {
		t.Fatal(err)
	}
	a.waitFor("an empty action queue", func() (bool, string) {
		q, err := a.db.Actions(ctx)
		return err == nil && len(q) == 0, fmt.Sprintf("%d queued, %v", len(q), err)
	})

	b.restart()
	b.waitMessage(edited, "the edit made while away", func(m cache.Message) bool { return m.Body == "final text" && m.Edited() })
	b.waitMessage(reacted, "the reaction made while away", func(m cache.Message) bool {
		return slices.Equal(m.Reactions["🎉"], []int64{a.acc.ID})
	})
	b.waitMessage(deleted, "the deletion made while away", func(m cache.Message) bool { return m.Deleted })
}

func TestReadMarkersTurnTheSendersTicks(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "did you read this?")
	a.waitMessage(id, "delivered (automatic receipt)", func(m cache.Message) bool { return m.State == cache.StateDelivered || m.State == cache.StateRead })

	if err := b.e.MarkRead(ctx, pr.dialog); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	a.waitMessage(id, "read", func(m cache.Message) bool {
		return m.State == cache.StateRead && slices.Contains(m.ReadIDs, b.acc.ID)
	})

	// With the dialog open and the window focused, a new message is read at once.
	id2, err := a.e.Send(ctx, pr.dialog, "and this one?")
	if err != nil {
		t.Fatal(err)
	}
	a.waitMessage(id2, "read on arrival", func(m cache.Message) bool { return m.State == cache.StateRead })
}

func TestTypingReachesThePeerAndStops(t *testing.T) {
	pr := newPair(t)
	a, b := pr.a, pr.b
	pr.exchange(a, b, "hi") // both sides know the dialog
	events, stop := b.e.SubscribeEvents()
	defer stop()

	a.e.SetTyping(pr.dialog, true)
	waitEvent(t, events, "typing starts", func(ev Event) bool {
		ty, ok := ev.(TypingEvent)
		return ok && ty.Typing && ty.UserID == a.acc.ID && ty.DialogID == pr.dialog
	})
	if got := b.e.TypingUsers(pr.dialog); !slices.Equal(got, []int64{a.acc.ID}) {
		t.Fatalf("TypingUsers = %v", got)
	}
	a.e.SetTyping(pr.dialog, false)
	waitEvent(t, events, "typing stops", func(ev Event) bool {
		ty, ok := ev.(TypingEvent)
		return ok && !ty.Typing && ty.UserID == a.acc.ID
	})
	if got := b.e.TypingUsers(pr.dialog); len(got) != 0 {
		t.Fatalf("TypingUsers after stop = %v", got)
	}
}
