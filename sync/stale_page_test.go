package sync

import (
	"fmt"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestStalePageDoesNotUndoALiveEdit: a catch-up page is asked for, the sender's edit
// arrives live while the answer is on its way, and the answer (listing the message
// as it was) is stored after it. The page is older than the edit the cache holds:
// it must not put the old text back.
func TestStalePageDoesNotUndoALiveEdit(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "edits", bob.ID)
	msg := sendAndWait(t, a, b, dialog, "first text")

	asked := time.Now()
	page, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{msg}})
	if err != nil || len(page.Items) != 1 || page.Items[0].Message != "first text" {
		t.Fatalf("listing the message: %v", err)
	}
	if err := a.e.Edit(h.ctx, msg, "second text"); err != nil {
		t.Fatal(err)
	}
	b.waitMessage(msg, "the live edit", func(m cache.Message) bool { return m.Body == "second text" })

	if _, err := b.e.upsertWire(h.ctx, page.Items, bob.ID, nil, asked); err != nil {
		t.Fatal(err)
	}
	if m := getMessage(t, b, msg); m.Body != "second text" {
		t.Fatalf("a page asked for before the edit put back %q", m.Body)
	}

	// A page asked for after the edit still carries the server's text over ours.
	if err := a.e.Edit(h.ctx, msg, "third text"); err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()
	asked = time.Now()
	page, err = h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{msg}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("listing the message: %v", err)
	}
	if _, err := b.e.upsertWire(h.ctx, page.Items, bob.ID, nil, asked); err != nil {
		t.Fatal(err)
	}
	b.waitFor("the server's text", func() (bool, string) {
		m := getMessage(t, b, msg)
		return m.Body == "third text", fmt.Sprintf("%q", m.Body)
	})
}

func getMessage(t *testing.T, p *peer, id string) cache.Message {
	t.Helper()
	m, err := p.db.Message(p.h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return *m
}

// TestDeletionOfAMessageNotYetStoredIsNotLost: a catch-up page lists a message the
// cache does not hold yet; before the page is stored, the sender deletes it and the
// deletion arrives live, about a message the cache does not know. The page then
// stores the message as it was. The deletion must still win once the pass is done.
func TestDeletionOfAMessageNotYetStoredIsNotLost(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "deletions", bob.ID)
	sendAndWait(t, a, b, dialog, "hello")
	// Stored on the server, never delivered live to bob.
	msg := postMessage(t, h, h.client(ann), dialog, "gone soon", time.Now().Unix(), false)
	if _, err := a.e.db.UpsertMessages(h.ctx, []cache.Message{{ID: msg, DialogID: dialog, SenderID: ann.ID,
		Body: "gone soon", SentAt: time.Now(), State: cache.StateSent}}); err != nil {
		t.Fatal(err) // ann's engine learns of her REST message, so that she may delete it
	}

	b.e.passMu.Lock() // a catch-up pass is under way
	locked := true
	defer func() {
		if locked {
			b.e.passMu.Unlock()
		}
	}()
	asked := time.Now()
	page, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{msg}})
	if err != nil || len(page.Items) != 1 || page.Items[0].Deleted {
		t.Fatalf("listing the message: %v", err)
	}
	if err := a.e.Delete(h.ctx, msg, true); err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()
	b.waitFor("the live deletion of a message bob does not hold", func() (bool, string) {
		return !b.e.missed.empty(), "no refetch planned"
	})
	if _, err := b.e.upsertWire(h.ctx, page.Items, bob.ID, nil, asked); err != nil {
		t.Fatal(err)
	}
	b.e.passMu.Unlock()
	locked = false
	b.waitMessage(msg, "the deletion", func(m cache.Message) bool { return m.Deleted })
}
