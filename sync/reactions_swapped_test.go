package sync

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// TestSwappedReactorIsCaughtUp: while bob is away, cat takes back her ❤️ and ann
// adds one. The message's counts are the same as bob's cache holds (one ❤️) and his
// own set is unchanged, so only who reacted differs; the catch-up that lists the
// changed message must still ask who reacted (the 10-minute soak's "user 2 shows
// ❤️:[2] …, the server has ❤️:[1]").
func TestSwappedReactorIsCaughtUp(t *testing.T) {
	h := newHarness(t)
	ann, bob, cat := h.user("ann"), h.user("bob"), h.user("cat")
	a, b, c := h.newPeer(ann), h.newPeer(bob), h.newPeer(cat)
	a.waitSynced()
	b.waitSynced()
	c.waitSynced()
	dialog := groupWith(t, a, "swapped hearts", bob.ID, cat.ID)
	msg := sendAndWait(t, a, b, dialog, "react to me")
	c.waitFor("the message", func() (bool, string) {
		_, err := c.db.Message(h.ctx, msg)
		return err == nil, fmt.Sprint(err)
	})

	hearts := func(p *peer, who ...int64) func() (bool, string) {
		want := map[string][]int64{"❤️": who}
		return func() (bool, string) {
			got := getReactions(t, p, msg)
			return maps.EqualFunc(got, want, slices.Equal[[]int64]), fmt.Sprint(got)
		}
	}
	if err := c.e.React(h.ctx, msg, "❤️"); err != nil {
		t.Fatal(err)
	}
	b.waitFor("cat's ❤️", hearts(b, cat.ID))
	b.close()

	if err := c.e.React(h.ctx, msg, "❤️"); err != nil { // takes it back
		t.Fatal(err)
	}
	c.waitOutboxEmpty()
	if err := a.e.React(h.ctx, msg, "❤️"); err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()

	b.restart()
	b.waitSynced()
	b.waitFor("ann's ❤️ in place of cat's", hearts(b, ann.ID))
}
