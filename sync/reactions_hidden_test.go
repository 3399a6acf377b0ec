package sync

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// TestQueuedReactionDoesNotHideAnotherUsersReaction: bob reacts ❤️ while offline to
// a message ann has meanwhile given ❤️ (bob missed it live). His catch-up page then
// names the message with one ❤️, and his cache also counts one: his own, still
// queued. Equal totals must not be read as "nothing changed": once his reaction is
// sent the server holds ❤️ from both, and so must his cache.
func TestQueuedReactionDoesNotHideAnotherUsersReaction(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "hearts", bob.ID)
	msg := sendAndWait(t, a, b, dialog, "react to me")
	b.close()

	if err := a.e.React(h.ctx, msg, "❤️"); err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()

	// Bob's app starts again, signed in but not yet online; he reacts at once.
	b.open()
	if err := b.e.Login(h.ctx, bob.Login, bob.password); err != nil {
		t.Fatal(err)
	}
	if err := b.e.React(h.ctx, msg, "❤️"); err != nil {
		t.Fatal(err)
	}
	// The catch-up page that names the message, read before bob's reaction is sent.
	asked := time.Now()
	page, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{msg}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("listing the message: %v", err)
	}
	if _, err := b.e.upsertWire(h.ctx, page.Items, bob.ID, nil, asked); err != nil {
		t.Fatal(err)
	}
	want := map[string][]int64{"❤️": {ann.ID, bob.ID}}
	if got := getReactions(t, b, msg); !maps.EqualFunc(got, want, slices.Equal[[]int64]) {
		t.Fatalf("after the catch-up page bob's cache shows %v, want %v (ann's ❤️ and his queued one)", got, want)
	}

	// Online, his reaction goes out and nothing undoes ann's.
	b.e.Start(h.ctx)
	b.waitSynced()
	b.waitOutboxEmpty()
	b.waitFor("both reactions", func() (bool, string) {
		got := getReactions(t, b, msg)
		return maps.EqualFunc(got, want, slices.Equal[[]int64]), fmt.Sprint(got)
	})
}

func getReactions(t *testing.T, p *peer, id string) map[string][]int64 {
	t.Helper()
	m, err := p.db.Message(p.h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for emoji, users := range m.Reactions {
		out[emoji] = slices.Sorted(slices.Values(users))
	}
	return out
}

// TestLiveReactionSurvivesAnOlderReactionList: a reaction list is asked for, ann's
// reaction arrives live and is stored, then the list (answered before it) is written.
// The list is older than the live reaction and must not undo it.
func TestLiveReactionSurvivesAnOlderReactionList(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "live hearts", bob.ID)
	msg := sendAndWait(t, a, b, dialog, "react to me")

	asked := time.Now()
	list, err := h.client(bob).ListReactions(h.ctx, msg)
	if err != nil || len(list) != 0 {
		t.Fatalf("reactions before: %v, %v", list, err)
	}
	if err := a.e.React(h.ctx, msg, "👍"); err != nil {
		t.Fatal(err)
	}
	want := map[string][]int64{"👍": {ann.ID}}
	b.waitFor("ann's live reaction", func() (bool, string) {
		got := getReactions(t, b, msg)
		return maps.EqualFunc(got, want, slices.Equal[[]int64]), fmt.Sprint(got)
	})
	if err := b.e.storeReactionList(h.ctx, msg, list, asked, nil); err != nil {
		t.Fatal(err)
	}
	if got := getReactions(t, b, msg); !maps.EqualFunc(got, want, slices.Equal[[]int64]) {
		t.Fatalf("the older list left %v, want %v", got, want)
	}
}
