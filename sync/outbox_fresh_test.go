package sync

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func listed(ids ...string) []cache.Message {
	out := make([]cache.Message, len(ids))
	for i, id := range ids {
		out[i] = cache.Message{ID: id}
	}
	return out
}

func idsOf(msgs []cache.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func freshIDs(hs []*freshMsg) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.msg.ID
	}
	return out
}

func TestFreshOutboxHandsOverListedMessagesInOrder(t *testing.T) {
	chat := &cube.Chat{}
	f := newFreshOutbox()
	if _, ok := f.take(chat, 10, false); ok {
		t.Fatal("a new engine's list was trusted: the cache may hold a queue from the last session")
	}
	if _, err := f.readQueue(func() ([]cache.Queued, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	for i, m := range listed("a", "b", "c") {
		if _, alone := f.add(chat, m); alone != (i == 0) {
			t.Fatalf("add %s: alone = %v", m.ID, alone)
		}
	}
	got, ok := f.take(chat, 2, false)
	if !ok || !slices.Equal(freshIDs(got), []string{"a", "b"}) {
		t.Fatalf("take 2 = %v, %v; want [a b] from the list", freshIDs(got), ok)
	}
	got, ok = f.take(chat, 2, false)
	if !ok || !slices.Equal(freshIDs(got), []string{"c"}) {
		t.Fatalf("take 2 = %v, %v; want [c] from the list", freshIDs(got), ok)
	}
	if got, ok = f.take(chat, 2, false); !ok || len(got) != 0 {
		t.Fatalf("take of an empty list = %v, %v; want nothing, from the list", freshIDs(got), ok)
	}
}

func TestFreshOutboxDefersToTheCache(t *testing.T) {
	chat, other := &cube.Chat{}, &cube.Chat{}
	ready := func(t *testing.T) *freshOutbox {
		t.Helper()
		f := newFreshOutbox()
		if _, err := f.readQueue(func() ([]cache.Queued, error) { return nil, nil }); err != nil {
			t.Fatal(err)
		}
		f.add(chat, cache.Message{ID: "a"})
		return f
	}
	for _, tc := range []struct {
		name  string
		after func(f *freshOutbox)
		chat  *cube.Chat
		read  bool
	}{
		{"something else was queued", func(f *freshOutbox) { f.spoil() }, chat, false},
		{"the drain is part-way through the cache's queue", func(*freshOutbox) {}, chat, true},
		{"the list was made for another connection", func(*freshOutbox) {}, other, false},
		{"the list spans two connections", func(f *freshOutbox) { f.add(other, cache.Message{ID: "b"}) }, other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ready(t)
			tc.after(f)
			if got, ok := f.take(tc.chat, 10, tc.read); ok {
				t.Fatalf("take = %v from the list; want the cache read", freshIDs(got))
			}
			// Reading the cache drops the list: the cache holds all of it.
			if _, err := f.readQueue(func() ([]cache.Queued, error) { return nil, nil }); err != nil {
				t.Fatal(err)
			}
			if got, ok := f.take(tc.chat, 10, false); !ok || len(got) != 0 {
				t.Fatalf("after the cache read, take = %v, %v; want an empty list", freshIDs(got), ok)
			}
		})
	}
}

func TestFreshOutboxFailedCacheReadKeepsDeferring(t *testing.T) {
	f := newFreshOutbox()
	if _, err := f.readQueue(func() ([]cache.Queued, error) { return nil, fmt.Errorf("disk I/O error") }); err == nil {
		t.Fatal("the read's error was lost")
	}
	if _, ok := f.take(&cube.Chat{}, 10, false); ok {
		t.Fatal("after a failed cache read the list was trusted")
	}
}

// Messages queued through the cache (a message with extras) between messages handed
// over in memory go out in the order they were queued, each once.
func TestOutboxKeepsQueueOrderAcrossHandOffAndCache(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 30 {
		var id string
		if i%10 == 5 {
			id, err = a.e.SendWith(h.ctx, dialog, Outgoing{Body: fmt.Sprint("extra ", i), Custom: map[string]string{"k": "v"}})
		} else {
			id, err = a.e.Send(h.ctx, dialog, fmt.Sprint("plain ", i))
		}
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	a.waitOutboxEmpty()
	got := idsOf(b.waitMessages(dialog, len(want), nil))
	if !slices.Equal(got, want) {
		t.Fatalf("bob's order:\n%v\nwant the queue's:\n%v", got, want)
	}
	list, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	copies := map[string]int{}
	for _, m := range list.Items {
		copies[m.ID]++
	}
	for _, id := range want {
		if copies[id] != 1 {
			t.Fatalf("the server holds %d copies of %s, want 1", copies[id], id)
		}
	}
}
