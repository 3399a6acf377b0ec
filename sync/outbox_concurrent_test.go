package sync

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// The live Send hands its message to the outbox while the queueing write runs
// (outbox_fresh.go). These tests hold its guarantees: Send's nil means stored, a
// failed write sends nothing or retracts what left, and a crash between the stanza
// and the commit loses nothing.

// onServer lists the ids of the dialog's messages the server shows bob (a message
// deleted for everyone is not listed).
func (pr *pair) onServer(t *testing.T) map[string]bool {
	t.Helper()
	list, err := pr.h.client(pr.b.acc).ListMessages(pr.h.ctx, cube.MessageFilter{DialogID: pr.dialog, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range list.Items {
		ids[m.ID] = true
	}
	return ids
}

// serverCopy waits until the server shows ann the dialog's message id in a state
// cond accepts, and returns that copy.
func (pr *pair) serverCopy(id, what string, cond func(cube.Message) (bool, string)) cube.Message {
	server := pr.h.client(pr.a.acc)
	var found cube.Message
	pr.a.waitFor(what, func() (bool, string) {
		list, err := server.ListMessages(pr.h.ctx, cube.MessageFilter{DialogID: pr.dialog, Limit: 100})
		if err != nil {
			return false, err.Error()
		}
		for _, sm := range list.Items {
			if sm.ID == id {
				found = sm
				return cond(sm)
			}
		}
		return false, "not on the server"
	})
	return found
}

// waitSignal waits for ch to close, at most waitLimit; false when it did not.
func waitSignal(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(waitLimit):
		return false
	}
}

// A message too big for a full cache: it needs new pages whatever the free list
// holds.
var tooBigForAFullDisk = strings.Repeat("a message the full cache refuses ", 3000)

// sendFailingAfterItsStanza sends tooBigForAFullDisk on a full cache, holding ann's
// queueing write until bob's cache has the message and then running meanwhile (when
// not nil), so that the write fails after the stanza left. Send must fail with
// ErrDiskFull; the cache takes writes again afterwards. It returns the message's id.
func (pr *pair) sendFailingAfterItsStanza(t *testing.T, meanwhile func()) string {
	t.Helper()
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	var id string
	a.e.fresh.beforeWrite = func(m cache.Message) error {
		if m.Body == tooBigForAFullDisk {
			id = m.ID
			b.waitMessage(m.ID, "the message on bob's side before ann's write", func(cache.Message) bool { return true })
			if meanwhile != nil {
				meanwhile()
			}
		}
		return nil
	}
	if err := a.db.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Send(ctx, pr.dialog, tooBigForAFullDisk); !errors.Is(err, cache.ErrDiskFull) {
		t.Fatalf("Send on a full disk = %v, want ErrDiskFull", err)
	}
	if err := a.db.LimitSize(ctx, -1); err != nil {
		t.Fatal(err)
	}
	return id
}

// waitDeletedOnBob waits until bob's cache holds message id deleted, or not at all.
func (pr *pair) waitDeletedOnBob(id string) {
	b := pr.b
	b.waitFor("the failed message deleted on bob's side", func() (bool, string) {
		m, err := b.db.Message(pr.h.ctx, id)
		if err != nil {
			return errors.Is(err, cache.ErrNotFound), err.Error()
		}
		return m.Deleted, fmt.Sprintf("%s, deleted %v", m.State, m.Deleted)
	})
}

// TestLiveSendReturnsOnlyOnceStored: while the stanza may already be on its way,
// Send still returns only after the message's row has committed.
func TestLiveSendReturnsOnlyOnceStored(t *testing.T) {
	pr := newPair(t)
	ctx, a := pr.h.ctx, pr.a
	pr.exchange(a, pr.b, "warm the hand-off")
	for i := range 30 {
		id, err := a.e.Send(ctx, pr.dialog, fmt.Sprint("stored before Send returns ", i))
		if err != nil {
			t.Fatal(err)
		}
		m, err := a.db.Message(ctx, id)
		if err != nil {
			t.Fatalf("message %d: Send returned before its row was stored: %v", i, err)
		}
		if m.State != cache.StatePending && m.State != cache.StateSent && m.State != cache.StateDelivered {
			t.Fatalf("message %d is %s right after Send", i, m.State)
		}
	}
	a.waitOutboxEmpty()
}

// TestFailedLiveSendBeforeItsStanzaSendsNothing: a queueing write that fails
// before the outbox writes the stanza keeps it from ever leaving.
func TestFailedLiveSendBeforeItsStanzaSendsNothing(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	returned := make(chan struct{})
	held := make(chan bool, 1)
	a.e.fresh.beforeStanza = func(m cache.Message) {
		if m.Body == tooBigForAFullDisk {
			held <- waitSignal(returned) // the outbox holds the stanza until Send has failed
		}
	}
	if err := a.db.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	_, err := a.e.Send(ctx, pr.dialog, tooBigForAFullDisk)
	close(returned)
	if !errors.Is(err, cache.ErrDiskFull) {
		t.Fatalf("Send on a full disk = %v, want ErrDiskFull", err)
	}
	if err := a.db.LimitSize(ctx, -1); err != nil {
		t.Fatal(err)
	}
	after := pr.exchange(a, b, "after the failed send")
	select {
	case ok := <-held:
		if !ok {
			t.Fatal("Send did not return while the outbox held its stanza")
		}
	default:
		t.Fatal("the outbox never came to the failed message: the test held nothing")
	}
	for _, m := range b.messages(pr.dialog) {
		if m.Body == tooBigForAFullDisk {
			t.Fatalf("bob holds the message whose Send failed: %s", m.ID)
		}
	}
	on := pr.onServer(t)
	if !on[after] || len(on) != 2 {
		t.Fatalf("the server holds %d messages (%v), want the two exchanged", len(on), on)
	}
}

// TestFailedLiveSendAfterItsStanzaIsRetracted: a queueing write that fails after
// the stanza left makes Send fail and deletes the message on the server, so that
// its recipient does not keep what the sender was told failed.
func TestFailedLiveSendAfterItsStanzaIsRetracted(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	id := pr.sendFailingAfterItsStanza(t, nil)
	pr.waitDeletedOnBob(id)
	if pr.onServer(t)[id] {
		t.Fatalf("the server still lists %s", id)
	}
	if _, err := a.db.Message(ctx, id); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("ann's cache holds the failed message: %v", err)
	}
	pr.exchange(a, b, "after the retraction")
	a.waitOutboxEmpty()
}

// TestCrashBetweenStanzaAndCommitLosesNothing: the app stops after the stanza
// left and before the queueing write committed; the server has the message, and
// the catch-up after the restart brings it into the cache as sent.
func TestCrashBetweenStanzaAndCommitLosesNothing(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	const body = "sent just before the crash"
	var id string
	crashed := errors.New("the app stopped before the commit")
	a.e.fresh.beforeWrite = func(m cache.Message) error {
		if m.Body != body {
			return nil
		}
		id = m.ID
		b.waitMessage(m.ID, "the message on bob's side", func(cache.Message) bool { return true })
		a.close() // the engine stops and the cache closes: nothing more is written
		return crashed
	}
	if _, err := a.e.Send(ctx, pr.dialog, body); !errors.Is(err, crashed) {
		t.Fatalf("Send = %v, want the crash", err)
	}
	a.restart()
	got := a.waitMessage(id, "the message back in ann's cache", func(m cache.Message) bool { return m.State != cache.StatePending })
	if got.Body != body || got.Deleted {
		t.Fatalf("after the restart ann holds %+v", got)
	}
	if !pr.onServer(t)[id] {
		t.Fatalf("the server lost %s", id)
	}
}

// TestOfflineQueueGoesBeforeLiveSends: messages queued while the server was down
// go out before the ones Send hands over once live again, in queue order.
func TestOfflineQueueGoesBeforeLiveSends(t *testing.T) {
	pr := pairIn(newRestartableHarness(t), cube.DialogPrivate, "")
	h, a, b := pr.h, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	h.stopServer()
	a.waitFor("offline", func() (bool, string) {
		s := a.e.Status()
		return s.State != StateReady, fmt.Sprintf("%+v", s)
	})
	var want []string
	for i := range 20 {
		id, err := a.e.Send(h.ctx, pr.dialog, fmt.Sprint("queued offline ", i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	h.startServer()
	a.waitFor("live again", func() (bool, string) {
		s := a.e.Status()
		return s.State == StateReady, fmt.Sprintf("%+v", s)
	})
	for i := range 20 {
		id, err := a.e.Send(h.ctx, pr.dialog, fmt.Sprint("sent live ", i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	a.waitOutboxEmpty()
	got := idsOf(b.waitMessages(pr.dialog, len(want)+1, nil))[1:]
	if !slices.Equal(got, want) {
		t.Fatalf("bob's order:\n%v\nwant the queue's:\n%v", got, want)
	}
}

// TestMarkerBeforeTheRowCommitsIsKept: the recipient's delivered marker can come
// back before the sender's queueing write has committed; the pipeline waits for
// that write, so the marker finds the message and is not dropped as unknown.
func TestMarkerBeforeTheRowCommitsIsKept(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	const body = "delivered before ann stored it"
	var id string
	a.e.fresh.beforeWrite = func(m cache.Message) error {
		if m.Body != body {
			return nil
		}
		id = m.ID
		pr.serverCopy(m.ID, "bob's delivered marker on the server", func(sm cube.Message) (bool, string) {
			return slices.Contains(sm.DeliveredIDs, b.acc.ID), fmt.Sprint(sm.DeliveredIDs)
		})
		return nil
	}
	if _, err := a.e.Send(ctx, pr.dialog, body); err != nil {
		t.Fatal(err)
	}
	got := a.waitMessage(id, "the message delivered", func(m cache.Message) bool { return m.State == cache.StateDelivered })
	if !slices.Contains(got.DeliveredIDs, b.acc.ID) {
		t.Fatalf("delivered to %v, want bob in it", got.DeliveredIDs)
	}
}

// TestRetractionWaitsForTheNextConnection: the stream the stanza went on ends
// before its queueing write fails; the retraction is made once the engine is live
// again, and the recipient's copy ends deleted.
func TestRetractionWaitsForTheNextConnection(t *testing.T) {
	pr := pairIn(newRestartableHarness(t), cube.DialogPrivate, "")
	h, a, b := pr.h, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	id := pr.sendFailingAfterItsStanza(t, h.stopServer) // the stream ends before the write fails
	h.startServer()
	pr.waitDeletedOnBob(id)
	if pr.onServer(t)[id] {
		t.Fatalf("the server still lists %s", id)
	}
}

// TestRetractedGroupMessageEchoIsNotStored: in a group the server echoes a
// message to its sender too; when the sender's queueing write failed after the
// stanza left, that echo must not bring the message into the sender's cache.
func TestRetractedGroupMessageEchoIsNotStored(t *testing.T) {
	pr := pairIn(newHarness(t), cube.DialogGroup, "team")
	h, a, b := pr.h, pr.a, pr.b
	warm := pr.exchange(a, b, "warm the hand-off")
	a.waitMessage(warm, "the echo of the warm-up", func(cache.Message) bool { return true })

	id := pr.sendFailingAfterItsStanza(t, nil)
	pr.waitDeletedOnBob(id)
	// Anything the pipeline had for ann by now is handled once a later message
	// of hers is in her cache as sent.
	after := pr.exchange(a, b, "after the retraction")
	a.waitMessage(after, "the later message's echo handled", func(m cache.Message) bool { return m.State != cache.StatePending })
	if m, err := a.db.Message(h.ctx, id); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("ann's cache holds the message whose Send failed: %v, %v", err, m != nil && !m.Deleted)
	}
}

// TestLiveSendWhoseServerCopyLandsFirst: the stanza leaves while the queueing write
// waits (here: for the writer, behind a catch-up), and the catch-up stores the
// server's copy of the message first. The message is stored and on the server, so
// Send succeeds and nothing is retracted.
func TestLiveSendWhoseServerCopyLandsFirst(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "warm the hand-off")

	const body = "listed by a catch-up before ann's write"
	var id string
	a.e.fresh.beforeWrite = func(m cache.Message) error {
		if m.Body != body {
			return nil
		}
		id = m.ID
		listed := pr.serverCopy(m.ID, "the message on the server", func(cube.Message) (bool, string) { return true, "" })
		_, err := a.db.UpsertMessages(ctx, []cache.Message{messageFromWire(listed, a.acc.ID)})
		return err
	}
	got, err := a.e.Send(ctx, pr.dialog, body)
	if err != nil {
		t.Fatalf("Send = %v, want nil: the message is stored (the server's copy) and sent", err)
	}
	if got != id {
		t.Fatalf("Send returned %s, the write was for %s", got, id)
	}
	after := pr.exchange(a, b, "after the early copy")
	a.waitOutboxEmpty()
	on := pr.onServer(t)
	if !on[id] || !on[after] {
		t.Fatalf("the server holds %v, want %s kept (not retracted) and %s", on, id, after)
	}
	m, err := a.db.Message(ctx, id)
	if err != nil || m.Deleted || !m.State.Confirmed() {
		t.Fatalf("ann's copy: %+v, %v; want it confirmed and not deleted", m, err)
	}
}
