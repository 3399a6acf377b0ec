package sync

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// lingeringPeer opens a cache at path for a, with an outbox that waits an hour
// before asking the server to acknowledge what Send hands it (only a hand-off ends
// the wait), and logs in; the caller starts it.
func lingeringPeer(h *harness, a account, path string) *peer {
	h.t.Helper()
	p := &peer{h: h, acc: a, path: path}
	p.open()
	p.e.ackLinger = time.Hour
	if err := p.e.Login(h.ctx, a.Login, a.password); err != nil {
		h.t.Fatalf("login %s: %v", a.Login, err)
	}
	return p
}

// serverHolds waits until the server lists every id of want in dialog (read as
// reader), which proves each message's stanza left its sender.
func serverHolds(t *testing.T, h *harness, reader account, dialog string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		list, err := h.client(reader).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range list.Items {
			got = append(got, m.ID)
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(id string) bool { return slices.Contains(got, id) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server does not hold %v within %s (holds %v)", missing, waitLimit, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The linger holds back the acknowledgement, never a message: the first message
// reaches the server at once and stays pending while nothing else is sent (its
// recipient is offline, so no marker confirms it either). The next Send ends the
// wait: that message leaves at once too, and the first is confirmed. Stopping the
// engine in the middle of the second's hour ends that wait (the test's cleanup).
func TestAHandOffEndsTheAckLinger(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := lingeringPeer(h, ann, filepath.Join(t.TempDir(), "ann.db"))
	a.e.Start(h.ctx)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}

	first, err := a.e.Send(h.ctx, dialog, "first")
	if err != nil {
		t.Fatal(err)
	}
	serverHolds(t, h, bob, dialog, first)
	time.Sleep(200 * time.Millisecond) // an acknowledgement asked at once is back by now
	if m, err := a.db.Message(h.ctx, first); err != nil || m.State != cache.StatePending {
		t.Fatalf("first message during the linger: %+v, %v; want pending (the acknowledgement not yet asked)", m, err)
	}

	second, err := a.e.Send(h.ctx, dialog, "second")
	if err != nil {
		t.Fatal(err)
	}
	serverHolds(t, h, bob, dialog, first, second)
	a.waitMessage(first, "the first message confirmed once the second was handed over", func(m cache.Message) bool {
		return m.State == cache.StateSent
	})
}

// A backlog read from the cache (messages queued offline) is confirmed as soon as
// the server acknowledges it: the linger is only for what Send hands over live.
func TestABacklogIsConfirmedWithoutTheAckLinger(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	online := h.newPeer(ann)
	online.waitSynced()
	dialog, err := online.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	online.close()

	a := lingeringPeer(h, ann, online.path)
	var ids []string
	for _, body := range []string{"one", "two", "three"} {
		id, err := a.e.Send(h.ctx, dialog, body) // not started: queued in the cache
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	a.e.Start(h.ctx)
	a.waitOutboxEmpty()
	for _, id := range ids {
		if m, err := a.db.Message(h.ctx, id); err != nil || m.State != cache.StateSent {
			t.Fatalf("backlog message %s: %+v, %v; want sent", id, m, err)
		}
	}
	serverHolds(t, h, bob, dialog, ids...)
}
